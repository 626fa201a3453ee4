"""The written files read back in their agencies' formats, and hold exactly the records the truth lists."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa

from sample_data.generate import generate_frames, main, write_sources

CSV_SOURCES = {  # source -> (path, separator, encoding, key)
    "bpjs_kesehatan": ("bpjs_kesehatan/peserta_jkn_depok.csv", ";", "utf-8", "NO_KARTU"),
    "umkm": ("umkm/data_umkm_depok.csv", ",", "cp1252", "ID UMKM"),
    "pedagang_pasar": ("pasar/pedagang_pasar.csv", ",", "utf-8", "id_pedagang"),
    "bpjs_ketenagakerjaan": ("bpjs_ketenagakerjaan/kepesertaan_bpjstk.csv", ",", "utf-8", "KPJ"),
}
DISNAKER_SHEETS = {  # source -> (sheet, key)
    "disnaker_pencari_kerja": ("Pencari Kerja", "No. AK/1"),
    "disnaker_pelatihan": ("Pelatihan", "No. Peserta"),
    "disnaker_pekerja_informal": ("Pekerja Informal", "No. Registrasi"),
}


def _read_dukcapil(out) -> pd.DataFrame:
    engine = sa.create_engine(f"sqlite:///{out / 'dukcapil' / 'dukcapil.sqlite'}")
    try:
        return pd.read_sql_table("biodata_wni", engine)
    finally:
        engine.dispose()


def _ids_in_files(out) -> list[str]:
    ids = [f"dukcapil:{key}" for key in _read_dukcapil(out)["ID_PENDUDUK"]]
    for source, (path, separator, encoding, key) in CSV_SOURCES.items():
        frame = pd.read_csv(out / path, sep=separator, encoding=encoding, dtype=str, keep_default_na=False)
        ids += [f"{source}:{value}" for value in frame[key]]
    for source, (sheet, key) in DISNAKER_SHEETS.items():
        frame = pd.read_excel(out / "disnaker" / "registrasi_disnaker.xlsx", sheet_name=sheet, header=3, dtype=str)
        ids += [f"{source}:{value}" for value in frame[key]]
    for path in sorted((out / "komunitas").iterdir()):
        frame = pd.read_csv(path, dtype=str) if path.suffix == ".csv" else pd.read_excel(path, dtype=str)
        ids += [f"komunitas:{path.stem}:{row}" for row in range(2, len(frame) + 2)]
    return ids


def test_every_truth_record_is_in_the_written_files_and_ids_are_unique(written):
    out, _ = written
    ids = _ids_in_files(out)
    truth = pd.read_parquet(out / "truth" / "records.parquet")
    assert len(ids) == len(set(ids))
    assert truth["record_id"].is_unique
    assert set(ids) == set(truth["record_id"])


def test_truth_records_point_at_truth_persons(written):
    out, _ = written
    persons = pd.read_parquet(out / "truth" / "persons.parquet")
    records = pd.read_parquet(out / "truth" / "records.parquet")
    assert persons["person_id"].is_unique
    assert records["person_id"].isin(persons["person_id"]).all()
    assert (
        str(pd.read_parquet(out / "truth" / "persons.parquet", dtype_backend="pyarrow")["birth_date"].dtype)
        == "date32[day][pyarrow]"
    )


def test_manifest_counts_rows_per_source(written, generated):
    out, manifest = written
    on_disk = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert on_disk == manifest
    assert on_disk["seed"] == 11 and on_disk["persons"] == 1000 and on_disk["as_of"] == "2026-11-21"
    counts = generated.records["source"].value_counts().to_dict()
    assert on_disk["rows"] == {source: counts.get(source, 0) for source in on_disk["rows"]}
    assert len(_read_dukcapil(out)) == on_disk["rows"]["dukcapil"]


def test_dukcapil_is_an_sql_table_with_typed_columns(written):
    out, _ = written
    engine = sa.create_engine(f"sqlite:///{out / 'dukcapil' / 'dukcapil.sqlite'}")
    try:
        columns = {c["name"]: c["type"] for c in sa.inspect(engine).get_columns("biodata_wni")}
    finally:
        engine.dispose()
    assert list(columns)[:4] == ["ID_PENDUDUK", "NIK", "NO_KK", "NAMA_LGKP"]
    assert isinstance(columns["TGL_LHR"], sa.Date)
    assert isinstance(columns["NO_RT"], sa.Integer)
    frame = _read_dukcapil(out)
    assert frame["ID_PENDUDUK"].is_unique
    assert set(frame["JENIS_KLMIN"].dropna()) <= {"LAKI-LAKI", "PEREMPUAN"}


def test_bpjs_kesehatan_is_semicolon_separated_with_string_card_numbers(written):
    out, _ = written
    path = out / "bpjs_kesehatan" / "peserta_jkn_depok.csv"
    header = path.read_text(encoding="utf-8").splitlines()[0]
    assert header.split(";")[:3] == ["NO_KARTU", "NIK", "NAMA_PESERTA"]
    cards = pd.read_csv(path, sep=";", dtype=str)["NO_KARTU"]
    assert cards.str.fullmatch(r"000\d{10}").all()


def test_umkm_is_windows_1252(written):
    out, _ = written
    raw = (out / "umkm" / "data_umkm_depok.csv").read_bytes()
    text = raw.decode("cp1252")
    assert any(ord(ch) > 127 for ch in text), "business names carry cp1252-only characters"
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert b"\r\n" in raw


def test_disnaker_workbook_has_titles_and_header_on_row_4(written, generated):
    out, _ = written
    workbook = openpyxl.load_workbook(out / "disnaker" / "registrasi_disnaker.xlsx", read_only=True)
    assert workbook.sheetnames == ["Pencari Kerja", "Pelatihan", "Pekerja Informal"]
    for source, (sheet_name, _) in DISNAKER_SHEETS.items():
        rows = list(workbook[sheet_name].iter_rows(values_only=True))
        assert rows[0][0] == "DINAS TENAGA KERJA KOTA DEPOK"
        assert list(rows[3]) == list(generated.sources[source].columns)
        assert len(rows) == 4 + len(generated.sources[source])
    informal = list(workbook["Pekerja Informal"].iter_rows(min_row=5, values_only=True))
    birth_dates = [row[4] for row in informal]
    niks = [row[2] for row in informal]
    workbook.close()
    assert any(isinstance(v, dt.datetime) for v in birth_dates), "real date cells"
    assert any(isinstance(v, str) for v in birth_dates), "dates typed as text"
    assert any(isinstance(v, int) for v in niks), "NIKs stored as number cells"


def test_komunitas_files_differ_in_headers_and_formats(written, generated):
    out, _ = written
    files = sorted(p.name for p in (out / "komunitas").iterdir())
    assert files == sorted(generated.sources["komunitas"])
    assert {p.rsplit(".", 1)[1] for p in files} == {"csv", "xlsx"}
    headers = {tuple(frame.columns) for frame in generated.sources["komunitas"].values()}
    assert len(headers) >= 5


def test_writing_the_same_data_twice_gives_identical_bytes(written, generated, tmp_path):
    out, _ = written
    write_sources(generated, tmp_path)
    first = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    assert first == sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    for relative in first:
        assert (out / relative).read_bytes() == (tmp_path / relative).read_bytes(), relative


@pytest.mark.parametrize("persons", [1, 7])
def test_tiny_samples_write_every_file_and_no_community_list_is_empty(persons, tmp_path):
    data = generate_frames(persons, 3, dt.date(2026, 11, 21))
    write_sources(data, tmp_path)
    assert set(_ids_in_files(tmp_path)) == set(data.records["record_id"])
    assert all(len(table) > 0 for table in data.sources["komunitas"].values())


def test_cli_writes_a_sample_and_prints_timing(tmp_path, capsys):
    main(["--persons", "300", "--seed", "2", "--out", str(tmp_path), "--as-of", "2026-01-31"])
    printed = capsys.readouterr().out
    assert "300 persons" in printed and "generated in" in printed
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["as_of"] == "2026-01-31"
    assert (tmp_path / "dukcapil" / "dukcapil.sqlite").exists()
