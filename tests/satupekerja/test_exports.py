"""The staff workbook and csv: opened again and checked."""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook

from data_contracts.regions import load_region_reference
from satupekerja.registry.coverage import uncovered_informal_workers
from satupekerja.staff.exports import HEADERS, INFO_SHEET, staff_table, write_csv, write_xlsx

MASKED_NIK = r"^\*{12}\d{4}$"


def uncovered_row(**fields) -> dict:
    base = {
        "outreach_priority": 1,
        "outreach_score": 30,
        "worker_id": "W1",
        "nik": "3276011203900001",
        "name": "BUDI",
        "alias": pd.NA,
        "phone": "6281234567890",
        "address": "JL MELATI",
        "rt": "2",
        "rw": "15",
        "kelurahan_code": "32.76.02.1001",
        "kecamatan_code": "32.76.02",
        "sector": "ojol",
        "occupation": pd.NA,
        "bpjs_tk_status": "never_registered",
        "months_in_arrears": pd.NA,
        "uncovered_reason": "never_registered",
        "vulnerable": False,
        "vulnerable_reason": pd.NA,
    }
    return {**base, **fields}


def frame(*rows: dict) -> pd.DataFrame:
    out = pd.DataFrame(list(rows))
    return out.astype({"outreach_priority": "Int64", "months_in_arrears": "Int64", "vulnerable": "bool"})


@pytest.fixture(scope="module")
def regions() -> pd.DataFrame:
    return load_region_reference()


def test_staff_table_shows_a_review_group_once_with_a_note(regions):
    rows = frame(
        uncovered_row(worker_id="W1", outreach_priority=1),
        uncovered_row(worker_id="W2", outreach_priority=2),
        uncovered_row(worker_id="W3", outreach_priority=3),
    ).assign(
        review_group=pd.array(["W2", "W2", None], dtype="str"),
        review_group_size=pd.array([2, 2, None], dtype="Int64"),
    )
    table = staff_table(rows, regions)
    assert table["ID Pekerja"].tolist() == ["W2", "W3"]  # W1 is in W2's group: shown once, on W2's row
    assert table.loc[0, "Alasan"].endswith(
        "; kemungkinan orang yang sama dengan 1 pekerja lain di daftar, menunggu review"
    )
    assert "review" not in table.loc[1, "Alasan"]


def test_staff_table_speaks_indonesian_and_masks_nik(regions):
    table = staff_table(
        frame(
            uncovered_row(worker_id="W2", outreach_priority=2),
            uncovered_row(
                worker_id="W1",
                outreach_priority=1,
                uncovered_reason="lapsed_arrears",
                bpjs_tk_status="lapsed",
                months_in_arrears=7,
                vulnerable=True,
                vulnerable_reason="pbi_apbd",
                sector="kurir",
            ),
        ),
        regions,
    )
    assert list(table.columns) == list(HEADERS)
    assert table["ID Pekerja"].tolist() == ["W1", "W2"]
    assert table["NIK"].str.fullmatch(MASKED_NIK).all()
    assert table.loc[0, "No. HP"] == "081234567890"
    assert table.loc[0, "RT/RW"] == "002/015"
    assert table.loc[0, "Kecamatan"] == "Cimanggis"
    assert table.loc[0, "Status BPJS TK"] == "Menunggak (kepesertaan berakhir)"
    assert table.loc[0, "Alasan"] == (
        "Pekerja informal (kurir); kepesertaan BPU berakhir karena menunggak iuran 7 bulan; "
        "rentan: peserta JKN PBI (iuran dibayar APBD)"
    )
    assert table.loc[1, "Alasan"] == "Pekerja informal (ojek online); belum pernah terdaftar BPJS Ketenagakerjaan"
    assert table.loc[0, "Rentan"] == "Ya"


def test_workbook_has_one_sorted_sheet_per_kelurahan(demo_registry, regions, tmp_path):
    uncovered = uncovered_informal_workers(demo_registry.unified)
    table = staff_table(uncovered, regions)
    path = write_xlsx(table, tmp_path / "list.xlsx", [("Snapshot data", "2026-11-01")])
    workbook = load_workbook(path)
    expected_sheets = set(table["Kelurahan"].fillna("Tanpa Kelurahan"))
    assert set(workbook.sheetnames) == expected_sheets | {INFO_SHEET}
    assert workbook.sheetnames[-1] == INFO_SHEET
    rows_seen = 0
    for name in workbook.sheetnames[:-1]:
        sheet = workbook[name]
        assert sheet.freeze_panes == "A2"
        header = [cell.value for cell in sheet[1]]
        assert header == list(HEADERS)
        assert sheet["A1"].font.bold
        assert all(sheet.column_dimensions[letter].width >= 8 for letter in "ABCDEFGHIJKLMNO")
        body = pd.DataFrame(list(sheet.iter_rows(min_row=2, values_only=True)), columns=header)
        assert body["Prioritas"].is_monotonic_increasing
        assert body["NIK"].dropna().str.fullmatch(MASKED_NIK).all()
        assert set(body["Kelurahan"].fillna("Tanpa Kelurahan")) == {name}
        rows_seen += len(body)
    assert rows_seen == len(uncovered) > 0


def test_sector_falls_back_to_the_stated_occupation(regions):
    table = staff_table(frame(uncovered_row(sector=pd.NA, occupation="BURUH HARIAN LEPAS")), regions)
    assert table.loc[0, "Sektor"] == "Buruh harian lepas"
    assert table.loc[0, "Alasan"] == "Pekerja informal; belum pernah terdaftar BPJS Ketenagakerjaan"


def test_namesake_kelurahan_get_their_kecamatan_in_the_sheet_name(regions, tmp_path):
    curug = regions.loc[regions["kelurahan"].eq("Curug"), ["kode_wilayah", "kode_kecamatan"]]
    assert len(curug) == 2
    rows = [
        uncovered_row(worker_id=f"W{i}", outreach_priority=i, kelurahan_code=code, kecamatan_code=kecamatan)
        for i, (code, kecamatan) in enumerate(curug.itertuples(index=False), start=1)
    ]
    path = write_xlsx(staff_table(frame(*rows), regions), tmp_path / "curug.xlsx", [])
    assert sorted(load_workbook(path).sheetnames) == ["Curug (Bojongsari)", "Curug (Cimanggis)", INFO_SHEET]


def test_csv_has_the_same_indonesian_headers(regions, tmp_path):
    path = write_csv(staff_table(frame(uncovered_row()), regions), tmp_path / "list.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(path, dtype="str", encoding="utf-8-sig")
    assert list(back.columns) == list(HEADERS)
    assert back.loc[0, "NIK"] == "************0001"
