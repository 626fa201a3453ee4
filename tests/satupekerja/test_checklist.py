"""Checking a community's list against the registry: known people, strangers, columns found through the list
contract, rows that cannot be checked."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from matching import DEFAULT_SETTINGS
from satupekerja.staff import checklist
from satupekerja.staff.checklist import (
    RESULT_COLUMNS,
    STATUS_BY_TK,
    STATUS_NOT_CHECKED,
    STATUS_NOT_FOUND,
    ChecklistError,
    RegistryForChecks,
    check_list,
    read_list,
    write_checked,
)

SNAPSHOT = pd.Timestamp("2026-11-01")


def csv_list(path: Path, frame: pd.DataFrame | list[list[str]], delimiter: str = ",") -> Path:
    rows = [list(frame.columns), *frame.astype("str").values.tolist()] if isinstance(frame, pd.DataFrame) else frame
    with path.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file, delimiter=delimiter).writerows(rows)
    return path


STRANGERS = pd.DataFrame(
    {
        "Nama Lengkap": ["Zulkarnaen Wirapratama Siregar", "Theodora Kusumawardhani Lubis"],
        "No. WA": ["0899-1111-2222", "+62 877 3333 4444"],
        "Tgl Lahir": ["01-01-1950", "31 Desember 1961"],
    }
)


def known_people(unified: pd.DataFrame, count: int) -> pd.DataFrame:
    """Workers with a Dukcapil name, birth date and phone, written the way a community would write them."""
    eligible = (
        unified[unified["name_source"].eq("dukcapil") & unified["phone"].notna() & unified["birth_date"].notna()]
        .sort_values("worker_id")
        .head(count)
    )
    return pd.DataFrame(
        {
            "Nama Lengkap": eligible["name"].str.title().to_numpy(),
            "No. WA": eligible["phone"].str.replace(r"^62", "0", regex=True).to_numpy(),
            "Tgl Lahir": eligible["birth_date"].dt.strftime("%d-%m-%Y").to_numpy(),
            "expected_worker": eligible["worker_id"].to_numpy(),
        }
    )


@pytest.fixture(scope="module")
def registry(demo_registry) -> RegistryForChecks:
    return RegistryForChecks(
        demo_registry.person_records,
        demo_registry.worker_links,
        demo_registry.unified,
        demo_registry.link_result.model,
        DEFAULT_SETTINGS,
    )


def test_known_people_are_found_with_their_cover_and_strangers_are_not(demo_registry, registry, tmp_path):
    known = known_people(demo_registry.unified, 8)
    assert len(known) == 8
    rows = pd.concat([known.drop(columns="expected_worker"), STRANGERS], ignore_index=True)
    listed = read_list(csv_list(tmp_path / "daftar.csv", rows), SNAPSHOT)
    checked = check_list(listed, registry).rows
    status = checked[checklist.RESULT_COLUMNS[0]]
    worker = checked[checklist.RESULT_COLUMNS[1]]
    confidence = checked[checklist.RESULT_COLUMNS[2]]
    found = worker.iloc[:8].eq(known["expected_worker"])
    assert found.sum() >= 7
    tk_status = demo_registry.unified.set_index("worker_id")["bpjs_tk_status"]
    for position in found[found].index:
        assert status.iloc[position] == STATUS_BY_TK[tk_status[worker.iloc[position]]]
        assert confidence.iloc[position] >= DEFAULT_SETTINGS.match_threshold
    assert status.iloc[8:].tolist() == [STATUS_NOT_FOUND, STATUS_NOT_FOUND]
    assert worker.iloc[8:].isna().all() and confidence.iloc[8:].isna().all()
    assert list(checked.columns) == ["Nama Lengkap", "No. WA", "Tgl Lahir", *RESULT_COLUMNS]


def test_columns_are_found_by_aliases_and_header_words_or_named(tmp_path):
    header = ["No", "NAMA DRIVER", "No. HP / WA", "Whatsapp", "No KTP", "Tanggal Lahir"]
    path = csv_list(tmp_path / "x.csv", [header, ["1", "Ani", "0812 1111 2222", "", "", ""]])
    assert read_list(path, SNAPSHOT).columns == {
        "name": "NAMA DRIVER",
        "phone": "No. HP / WA",
        "nik": "No KTP",
        "birth_date": "Tanggal Lahir",
    }
    assert read_list(path, SNAPSHOT, chosen={"phone": "Whatsapp"}).columns["phone"] == "Whatsapp"
    path = csv_list(tmp_path / "y.csv", [["Nama", "Domisili", "Kec."], ["Ani", "Pondok Cina", "Beji"]])
    assert read_list(path, SNAPSHOT).columns == {"name": "Nama", "kecamatan": "Kec.", "region": "Domisili"}
    path = csv_list(tmp_path / "z.csv", [["Nama Pedagang", "Tgl. Lahir (dd-mm-yyyy)"], ["Ani", "01-02-1980"]])
    assert read_list(path, SNAPSHOT).columns == {"name": "Nama Pedagang", "birth_date": "Tgl. Lahir (dd-mm-yyyy)"}


def test_list_values_go_through_the_source_normalisers(tmp_path):
    rows = pd.DataFrame(
        {
            "Nama": ["Bpk. H. Ahmad Fauzi, S.E."],
            "WA": ["0812-3456-7890"],
            "Tgl Lahir": ["5 Agustus 1988"],
            "NIK": ["3.27601E+15"],
            "Kelurahan": ["Kel. Pondok Cina"],
            "Kecamatan": ["Beji"],
        }
    )
    listed = read_list(csv_list(tmp_path / "x.csv", rows), SNAPSHOT)
    record = listed.records.iloc[0]
    assert (record["name"], record["phone"], record["birth_date"]) == (
        "AHMAD FAUZI",
        "6281234567890",
        pd.Timestamp("1988-08-05"),
    )
    assert pd.isna(record["nik"]) and record["nik_issue"] == "excel_mangled"
    assert record["kelurahan_code"].startswith("32.76.06.") and record["kecamatan_code"] == "32.76.06"
    assert (record["record_id"], record["source_row"]) == ("daftar_komunitas:x:2", 2)
    assert listed.checkable.tolist() == [True]
    assert listed.notes[0].startswith("kolom NIK: NIK tidak sah / NIK excel mangled")  # flagged, still checked


def test_missing_columns_are_clear_errors(tmp_path):
    path = csv_list(tmp_path / "x.csv", [["Nama"], ["Ani"]])
    with pytest.raises(ChecklistError, match=r"x\.csv: kolom 'Telepon' tidak ditemukan / column 'Telepon' not found"):
        read_list(path, SNAPSHOT, chosen={"phone": "Telepon"})
    path = csv_list(tmp_path / "y.csv", [["Aplikasi", "Kecamatan"], ["Gojek", "Beji"]])
    with pytest.raises(ChecklistError, match=r"y\.csv: tidak menemukan kolom nama atau NIK") as error:
        read_list(path, SNAPSHOT)
    assert "Gojek" not in str(error.value) and "'Aplikasi'" in str(error.value)


def test_lists_are_read_from_csv_with_any_delimiter_and_from_xlsx(tmp_path):
    csv_path = tmp_path / "kurir.csv"
    csv_path.write_text("Nama;No HP;NIK\nSiti;0812 3456 7890;3276014505900001\n", encoding="utf-8")
    listed = read_list(csv_path, SNAPSHOT)
    assert listed.rows.loc[0, "NIK"] == "3276014505900001"
    xlsx_path = write_checked(listed.rows, tmp_path / "kurir.xlsx")
    assert read_list(xlsx_path, SNAPSHOT).rows.loc[0, "No HP"] == "0812 3456 7890"
    cp1252 = tmp_path / "lama.csv"
    cp1252.write_bytes("Nama,Kota\nJOSÉ,Depok\n".encode("cp1252"))
    assert read_list(cp1252, SNAPSHOT).rows.loc[0, "Nama"] == "JOSÉ"  # Windows-1252 when not UTF-8
    (tmp_path / "kurir.pdf").write_bytes(b"%PDF-1.4")
    with pytest.raises(ChecklistError, match="tidak didukung"):
        read_list(tmp_path / "kurir.pdf", SNAPSHOT)
    with pytest.raises(ChecklistError, match="berkas tidak ditemukan / file not found"):
        read_list(tmp_path / "missing.csv", SNAPSHOT)
    (tmp_path / "rusak.xlsx").write_bytes(b"not a zip")
    with pytest.raises(ChecklistError, match=r"rusak\.xlsx: berkas tidak dapat dibaca"):
        read_list(tmp_path / "rusak.xlsx", SNAPSHOT)
    (tmp_path / "kosong.csv").write_text("Nama;No HP\n", encoding="utf-8")
    with pytest.raises(ChecklistError, match=r"kosong\.csv: daftar tidak dapat dibaca / .* header but no data rows"):
        read_list(tmp_path / "kosong.csv", SNAPSHOT)


def test_a_list_unlike_the_generators_keeps_every_row_in_order(demo_registry, registry, tmp_path):
    """Other column names, a title block, dd/mm/yyyy beside yyyy-mm-dd, a row without name or NIK, a footer and a
    signature: every row comes back in file order, the ones that cannot be checked marked with the reason."""
    known = known_people(demo_registry.unified, 2)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["REKAP ANGGOTA KOMUNITAS KURIR CINERE"])
    sheet.append(["Periode: Oktober 2026"])
    sheet.append([])
    sheet.append(["No.", "Nama Sesuai KTP", "Kontak (WA)", "Tanggal Lahir", "Catatan"])
    sheet.append([1, known.loc[0, "Nama Lengkap"], known.loc[0, "No. WA"], known.loc[0, "Tgl Lahir"].replace("-", "/")])
    birth = pd.to_datetime(known.loc[1, "Tgl Lahir"], format="%d-%m-%Y").strftime("%Y-%m-%d")
    sheet.append([2, known.loc[1, "Nama Lengkap"], known.loc[1, "No. WA"], birth, "pindah"])
    sheet.append([3, None, None, None, "belum isi"])
    sheet.append([4, "Zulkarnaen Wirapratama Siregar", "0899-1111-2222", "31/12/1961"])
    sheet.append(["Total", None, None, None, "4 orang"])
    sheet.append(["Mengetahui,"])
    sheet.append(["Ketua Komunitas"])
    path = tmp_path / "kurir cinere.xlsx"
    workbook.save(path)
    listed = read_list(path, SNAPSHOT)
    assert listed.header_row == 4 and listed.source_rows.tolist() == [5, 6, 7, 8, 9, 10, 11]
    assert listed.columns == {"name": "Nama Sesuai KTP", "phone": "Kontak (WA)", "birth_date": "Tanggal Lahir"}
    assert listed.accounting["rows_read"] == 7 and listed.accounting["rows_quarantined"] == 3
    checked = check_list(listed, registry).rows
    status, notes = checked[RESULT_COLUMNS[0]], checked[RESULT_COLUMNS[3]]
    assert checked["No."].tolist() == ["1", "2", "3", "4", "Total", "Mengetahui,", "Ketua Komunitas"]
    assert checked[RESULT_COLUMNS[1]].iloc[:2].tolist() == known["expected_worker"].tolist()
    assert status.iloc[3] == STATUS_NOT_FOUND
    assert status.iloc[[2, 4, 5, 6]].eq(STATUS_NOT_CHECKED).all()
    assert notes.iloc[2].startswith("tidak ada nama atau NIK")
    assert notes.iloc[4].startswith("baris 9: catatan kaki") and notes.iloc[6].startswith("baris 11: catatan kaki")
    assert notes.iloc[[0, 1, 3]].eq("").all()


def test_default_output_sits_next_to_the_list(tmp_path):
    assert checklist.default_output_path(tmp_path / "ojol_beji.xlsx") == tmp_path / "ojol_beji_hasil_cek.xlsx"
    assert checklist.default_output_path(tmp_path / "kurir.csv") == tmp_path / "kurir_hasil_cek.csv"
