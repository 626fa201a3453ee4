"""The generic reader: CSV, Excel and SQL sources come back as all-text frames with lineage."""

from __future__ import annotations

import dataclasses
import sqlite3
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from data_contracts import SourceReadError, read_source, validate_source
from data_contracts.reader import SOURCE_FILE, SOURCE_ROW

FIXTURES = Path(__file__).parent / "fixtures"

NIK = "3276015505900001"


def test_csv_is_read_as_text_with_line_numbers(contracts, inbox):
    raw = read_source(contracts["bpjs_kesehatan"], inbox(contracts["bpjs_kesehatan"], "valid.csv"))
    frame = raw.frame
    assert list(frame.index) == [0, 1, 2]
    assert all(str(frame[c].dtype) == "str" for c in frame.columns if c != SOURCE_ROW)
    assert frame[SOURCE_ROW].tolist() == [2, 3, 4]
    assert frame[SOURCE_FILE].unique().tolist() == ["peserta_jkn_depok.csv"]
    assert frame.loc[0, "NO_KARTU"] == "0001100000011"  # leading zeros kept
    assert raw.files == ["bpjs_kesehatan/peserta_jkn_depok.csv"]


def test_csv_line_numbers_count_quoted_line_breaks(contracts, tmp_path):
    contract = contracts["pedagang_pasar"]
    header = (
        "id_pedagang,nama_pedagang,nik,tgl_lahir,jenis_kelamin,pasar,blok_kios,jenis_dagangan,no_hp,alamat,"
        "kelurahan,kecamatan,tgl_update"
    )
    body = [
        'PSR-1,ANI,,,P,Pasar Agung,A1,Sayur,,"Jl. Satu\nGg. Dua",Beji,Beji,2024-01-01',
        "PSR-2,ANTO,,,L,Pasar Agung,A2,Ikan,,Jl. Tiga,Beji,Beji,2024-01-01",
    ]
    target = tmp_path / contract.read.paths[0]
    target.parent.mkdir(parents=True)
    target.write_text("\n".join([header, *body]) + "\n", encoding="utf-8")
    raw = read_source(contract, tmp_path)
    assert raw.frame[SOURCE_ROW].tolist() == [2, 4]
    assert raw.frame.loc[0, "alamat"] == "Jl. Satu\nGg. Dua"


def test_utf8_bom_does_not_stick_to_the_first_header(contracts, inbox):
    contract = contracts["bpjs_kesehatan"]
    raw = read_source(contract, inbox(contract, "bom.csv"))
    assert raw.headers["bpjs_kesehatan/peserta_jkn_depok.csv"][0] == "NO_KARTU"
    assert validate_source(contract, raw).passed


def test_windows_1252_source_is_decoded(contracts, inbox):
    contract = contracts["umkm"]
    raw = read_source(contract, inbox(contract, "umkm_cp1252.csv"))
    assert raw.frame["Nama Usaha"].tolist() == ["Kafé Bu’e", "Toko Rasa – Sayang"]
    assert validate_source(contract, raw).passed


def _disnaker_workbook(path: Path) -> None:
    """A workbook like the clerks': three title rows, header on row 4, typed cells."""
    workbook = Workbook()
    workbook.active.title = "Rekap"
    sheet = workbook.create_sheet("Pelatihan")
    sheet.append(["REKAP PESERTA PELATIHAN"])
    sheet.append(["DINAS TENAGA KERJA KOTA DEPOK"])
    sheet.append([])
    sheet.append(
        [
            "No",
            "No. Peserta",
            "NIK",
            "Nama",
            "Tgl Lahir",
            "JK",
            "Alamat",
            "Kelurahan",
            "Kecamatan",
            "HP",
            "Jenis Pelatihan",
            "Angkatan",
            "Tanggal Mulai",
        ]
    )
    sheet.append(
        [
            1,
            "PLT-001",
            int(NIK),
            "Siti Aminah",
            datetime(1990, 5, 15),
            "P",
            "Jl. Melati 3",
            "Beji",
            "Beji",
            81234567801,
            "Menjahit",
            3,
            date(2026, 2, 1),
        ]
    )
    sheet.append(
        [
            2.0,
            "PLT-002",
            3276031203850002.0,
            12345,
            "12/03/1985",
            "L",
            "Gg. Mawar",
            "Mekarsari",
            "Cimanggis",
            "0813-2345-6702",
            "Barista",
            3,
            datetime(2026, 2, 1, 8, 30),
        ]
    )
    sheet.append(
        [3, "PLT-003", "3.27603E+15", "Dewi", 33820, "P", None, "Depok Jaya", "Pancoran Mas", None, "Barista", 3, None]
    )
    workbook.save(path)


def test_excel_cells_come_back_as_exact_text(contracts, tmp_path):
    contract = contracts["disnaker_pelatihan"]
    target = tmp_path / contract.read.paths[0]
    target.parent.mkdir(parents=True)
    _disnaker_workbook(target)
    raw = read_source(contract, tmp_path)
    frame = raw.frame
    assert frame[SOURCE_ROW].tolist() == [5, 6, 7]  # Excel row numbers under the header on row 4
    assert frame["NIK"].tolist() == [NIK, "3276031203850002", "3.27603E+15"]
    assert frame["No"].tolist() == ["1", "2", "3"]
    assert frame["HP"].tolist()[0] == "81234567801"
    assert frame["Nama"].tolist()[1] == "12345"
    assert frame["Tgl Lahir"].tolist() == ["1990-05-15", "12/03/1985", "33820"]
    assert frame["Tanggal Mulai"].tolist()[:2] == ["2026-02-01", "2026-02-01 08:30:00"]
    assert frame["Alamat"].isna().tolist() == [False, False, True]


def test_excel_missing_sheet_is_a_file_error(contracts, tmp_path):
    contract = contracts["disnaker_pencari_kerja"]
    target = tmp_path / contract.read.paths[0]
    target.parent.mkdir(parents=True)
    _disnaker_workbook(target)
    report = validate_source(contract, read_source(contract, tmp_path))
    assert report.file_errors == [
        "file disnaker/registrasi_disnaker.xlsx: sheet 'Pencari Kerja' not found; sheets present: "
        "['Rekap', 'Pelatihan']"
    ]


def test_corrupt_workbook_raises_source_read_error(contracts, tmp_path):
    contract = contracts["disnaker_pelatihan"]
    target = tmp_path / contract.read.paths[0]
    target.parent.mkdir(parents=True)
    target.write_bytes(b"this is not a zip archive")
    with pytest.raises(
        SourceReadError,
        match=r"source disnaker_pelatihan: file disnaker/registrasi_disnaker\.xlsx is not a readable Excel workbook",
    ):
        read_source(contract, tmp_path)


def test_missing_file_raises_source_read_error(contracts, tmp_path):
    with pytest.raises(SourceReadError, match=r"source umkm: file not found: umkm/data_umkm_depok\.csv"):
        read_source(contracts["umkm"], tmp_path)


def test_path_override_replaces_the_contract_paths(contracts, tmp_path):
    raw = read_source(contracts["bpjs_kesehatan"], tmp_path, path_override=str(FIXTURES / "valid.csv"))
    assert len(raw.frame) == 3
    assert raw.files == [str(FIXTURES / "valid.csv")]


def _dukcapil_sqlite(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as connection:
        connection.execute(
            "CREATE TABLE biodata_wni (ID_PENDUDUK INTEGER, NIK TEXT, NO_KK TEXT, NAMA_LGKP TEXT, TMPT_LHR TEXT, "
            "TGL_LHR TIMESTAMP, JENIS_KLMIN TEXT, AGAMA TEXT, STAT_KWN TEXT, JENIS_PKRJN TEXT, ALAMAT TEXT, "
            "NO_RT INTEGER, NO_RW INTEGER, KEL_NAME TEXT, KEC_NAME TEXT)"
        )
        connection.executemany(
            "INSERT INTO biodata_wni VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    1000007,
                    "3276031203850002",
                    "3276030101100001",
                    "BUDI SANTOSO",
                    "DEPOK",
                    "1985-03-12 00:00:00",
                    "LAKI-LAKI",
                    "ISLAM",
                    "KAWIN",
                    "WIRASWASTA",
                    "GG. MAWAR 7",
                    3,
                    1,
                    "MEKARSARI",
                    "CIMANGGIS",
                ),
                (
                    1000003,
                    NIK,
                    "3276010101100002",
                    "SITI AMINAH",
                    "BOGOR",
                    "1990-05-15 00:00:00",
                    "PEREMPUAN",
                    "ISLAM",
                    "KAWIN",
                    "PEDAGANG",
                    "JL. MELATI 3",
                    2,
                    5,
                    "BEJI",
                    "BEJI",
                ),
            ],
        )


def test_sqlite_source_is_read_in_key_order_as_text(contracts, tmp_path):
    _dukcapil_sqlite(tmp_path / "dukcapil" / "dukcapil.sqlite")
    raw = read_source(contracts["dukcapil"], tmp_path)
    frame = raw.frame
    assert frame["ID_PENDUDUK"].tolist() == ["1000003", "1000007"]
    assert frame["NO_RT"].tolist() == ["2", "3"]
    assert frame[SOURCE_ROW].tolist() == [1, 2]
    assert frame[SOURCE_FILE].unique().tolist() == ["biodata_wni"]
    assert validate_source(contracts["dukcapil"], raw).passed


def test_missing_sqlite_file_raises(contracts, tmp_path):
    with pytest.raises(
        SourceReadError, match=r"source dukcapil: database file not found: sqlite:///.*dukcapil\.sqlite"
    ):
        read_source(contracts["dukcapil"], tmp_path)


def test_unreachable_database_names_source_and_masks_password(contracts, tmp_path):
    url = "postgresql+psycopg2://reader:s3cret-pass@127.0.0.1:1/kependudukan?connect_timeout=2"
    with pytest.raises(SourceReadError) as error:
        read_source(contracts["dukcapil"], tmp_path, url_override=url)
    message = str(error.value)
    assert message.startswith(
        "source dukcapil: cannot read biodata_wni from postgresql+psycopg2://reader:***@127.0.0.1:1/"
    )
    assert "s3cret-pass" not in message


def test_missing_table_raises(contracts, tmp_path):
    _dukcapil_sqlite(tmp_path / "dukcapil" / "dukcapil.sqlite")
    contract = dataclasses.replace(
        contracts["dukcapil"], read=dataclasses.replace(contracts["dukcapil"].read, table="biodata_lama")
    )
    with pytest.raises(SourceReadError, match="source dukcapil: cannot read biodata_lama from sqlite:///"):
        read_source(contract, tmp_path)


def test_komunitas_files_with_different_headers_are_stacked_by_alias(contracts, tmp_path):
    folder = tmp_path / "komunitas"
    folder.mkdir()
    (folder / "ojol_beji_2026.csv").write_text(
        "NAMA DRIVER,Panggilan,No WA,Aplikasi,Kelurahan\nAgus Salim,Agus,081234567890,Gojek,Beji\n", encoding="utf-8"
    )
    workbook = Workbook()
    workbook.active.append(["Nama Kurir", "Nama Panggilan", "No. HP", "Aplikasi", "Domisili"])
    workbook.active.append(["Rina", None, "0813 1111 2222", "J&T", "Kel. Depok Jaya"])
    workbook.save(folder / "kurir_paket_depok_barat.xlsx")
    raw = read_source(contracts["komunitas"], tmp_path)
    frame = raw.frame.sort_values(SOURCE_FILE)
    assert frame["Nama"].tolist() == ["Rina", "Agus Salim"]
    assert frame["No WA"].tolist() == ["0813 1111 2222", "081234567890"]
    assert frame["Kelurahan"].tolist() == ["Kel. Depok Jaya", "Beji"]
    assert frame[SOURCE_ROW].tolist() == [2, 2]
    report = validate_source(contracts["komunitas"], raw)
    assert report.passed and report.warnings == []


def test_excel_whole_numbers_beyond_double_precision_keep_every_digit(contracts, tmp_path):
    """A 16-digit NIK from province 94 stored as a number by a tool other than Excel: more digits than a double
    holds (openpyxl itself would round it on writing, so the cell is written into the sheet's XML here)."""
    contract = contracts["disnaker_pelatihan"]
    target = tmp_path / contract.read.paths[0]
    target.parent.mkdir(parents=True)
    _disnaker_workbook(target)
    from openpyxl import load_workbook

    workbook = load_workbook(target)
    workbook["Pelatihan"]["C5"] = 777
    workbook.save(target)
    with zipfile.ZipFile(target) as archive:
        entries = {info.filename: archive.read(info) for info in archive.infolist()}
    sheet = "xl/worksheets/sheet2.xml"
    assert entries[sheet].count(b"<v>777</v>") == 1
    entries[sheet] = entries[sheet].replace(b"<v>777</v>", b"<v>9471020101900001</v>")
    with zipfile.ZipFile(target, "w") as archive:
        for entry, payload in entries.items():
            archive.writestr(entry, payload)
    frame = read_source(contract, tmp_path).frame
    assert frame["NIK"].tolist() == ["9471020101900001", "3276031203850002", "3.27603E+15"]
    assert frame["Tgl Lahir"].tolist() == ["1990-05-15", "12/03/1985", "33820"]


def test_integer_cells_read_as_written_also_beyond_int64():
    """Whole-number cells (SQL drivers return Python ints) become text like ``str(int)``, vectorised; a value
    beyond int64 falls back to the per-cell rendering rather than failing or losing digits."""
    import pandas as pd

    from data_contracts.reader import _text_column

    fitting = _text_column(pd.Series([3276015505900001, None, -7, 0], dtype=object))
    assert fitting.iloc[[0, 2, 3]].tolist() == ["3276015505900001", "-7", "0"]
    assert pd.isna(fitting.iloc[1])
    huge = _text_column(pd.Series([2**70, 12], dtype=object))
    assert huge.tolist() == [str(2**70), "12"]
