"""One test per bad input: each asserts the clear file error, or the quarantined/flagged row with its reason.

The fixtures are BPJS Kesehatan extracts (``;``-separated) with one defect each. Messages must name the source
or file, the row and the column, and must never carry the personal data of the rows.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from data_contracts import read_source, standardise, validate_source

FIXTURES = Path(__file__).parent / "fixtures"
SNAPSHOT = date(2026, 11, 21)
SOURCE = "bpjs_kesehatan"
FILE = "bpjs_kesehatan/peserta_jkn_depok.csv"


def personal_values() -> set[str]:
    """The personal fields of the fixtures' data rows."""
    values = set()
    for line in (FIXTURES / "valid.csv").read_text(encoding="utf-8").splitlines()[1:]:
        fields = line.split(";")
        values.update(fields[i] for i in (1, 2, 3, 5, 11))  # NIK, name, birth date, address, phone
    return values


def assert_no_personal_data(*messages: str) -> None:
    text = "\n".join(messages)
    leaked = [value for value in personal_values() if value in text]
    assert not leaked, f"personal data in messages: {len(leaked)} value(s)"


def run(contracts, inbox, fixture: str, regions=None):
    contract = contracts[SOURCE]
    raw = read_source(contract, inbox(contract, fixture))
    report = validate_source(contract, raw)
    result = standardise(contract, raw, report, SNAPSHOT, regions) if regions is not None and report.passed else None
    return raw, report, result


def test_valid_fixture_passes_cleanly(contracts, inbox, regions):
    _, report, result = run(contracts, inbox, "valid.csv", regions)
    assert report.passed and report.warnings == []
    assert report.expectations["success"].all()
    assert _rows(result.accounting) == {"rows_read": 3, "rows_standardised": 3, "rows_quarantined": 0}
    assert result.records["record_id"].tolist() == [f"{SOURCE}:000110000001{i}" for i in (1, 2, 3)]


def test_validation_leaves_the_process_environment_alone(contracts, inbox, monkeypatch):
    """GX's analytics are turned off through its context configuration, not by setting a variable for everyone."""
    import os

    monkeypatch.delenv("GX_ANALYTICS_ENABLED", raising=False)
    before = dict(os.environ)
    _, report, _ = run(contracts, inbox, "valid.csv")
    assert report.passed and report.expectations["success"].all()
    assert dict(os.environ) == before


def test_wrong_delimiter(contracts, inbox):
    _, report, _ = run(contracts, inbox, "wrong_delimiter.csv")
    assert report.file_errors == [f"file {FILE}: only one column found splitting on ';'; delimiter looks like ','"]
    assert not report.passed


def test_bom_is_tolerated(contracts, inbox, regions):
    raw, report, result = run(contracts, inbox, "bom.csv", regions)
    assert report.passed
    assert list(raw.frame.columns[:1]) == ["NO_KARTU"]
    assert result.accounting["rows_standardised"] == 3


def test_other_encoding_names_file_line_and_byte_offset(contracts, inbox):
    _, report, _ = run(contracts, inbox, "cp1252_in_utf8.csv")
    offset = (FIXTURES / "cp1252_in_utf8.csv").read_bytes().index(b"\xe9")
    assert report.file_errors == [
        f"file {FILE}: bytes not decodable as utf-8 at line 3, byte offset {offset} (file saved in another encoding?)"
    ]


def test_missing_column(contracts, inbox):
    _, report, _ = run(contracts, inbox, "missing_column.csv")
    assert report.file_errors == [f"file {FILE}: required column(s) ['NAMA_PESERTA'] missing"]


def test_renamed_column_says_which_is_missing_and_which_is_unexpected(contracts, inbox):
    _, report, _ = run(contracts, inbox, "renamed_column.csv")
    assert report.file_errors == [
        f"file {FILE}: required column(s) ['NAMA_PESERTA'] missing; unexpected header(s) ['NAMA'] present "
        "('NAMA_PESERTA' may have been renamed to 'NAMA')"
    ]


def test_extra_columns_are_a_warning_not_an_error(contracts, inbox, regions):
    raw, report, result = run(contracts, inbox, "extra_columns.csv", regions)
    assert report.passed
    assert report.warnings == [f"file {FILE}: unexpected column(s) ['KETERANGAN', 'PETUGAS'] kept but not validated"]
    assert {"KETERANGAN", "PETUGAS"} <= set(raw.frame.columns)
    assert result.accounting["rows_standardised"] == 3


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        ("empty.csv", f"file {FILE} is empty (0 bytes)"),
        ("header_only.csv", f"file {FILE} has a header but no data rows"),
    ],
)
def test_empty_file(contracts, inbox, fixture, message):
    raw, report, _ = run(contracts, inbox, fixture)
    assert report.file_errors == [message]
    assert len(raw.frame) == 0


def test_truncated_last_line_quarantines_the_row_not_the_file(contracts, inbox, regions):
    _, report, result = run(contracts, inbox, "truncated_last_line.csv", regions)
    assert report.passed
    assert _rows(result.accounting) == {"rows_read": 3, "rows_standardised": 2, "rows_quarantined": 1}
    row = result.quarantine.iloc[0]
    assert (row["source"], row["source_file"], row["source_row"]) == (SOURCE, "peserta_jkn_depok.csv", 4)
    assert row["rules"] == "ragged_row"
    assert row["reason"] == "line 4 has 6 of 13 fields (truncated or ragged line); missing values left empty"
    assert json.loads(row["raw_values"])["NO_KARTU"] == "0001100000013"
    assert_no_personal_data(row["reason"])


def test_number_where_a_name_should_be(contracts, inbox, regions):
    _, _, result = run(contracts, inbox, "number_as_name.csv", regions)
    assert _rows(result.accounting) == {"rows_read": 3, "rows_standardised": 2, "rows_quarantined": 1}
    row = result.quarantine.iloc[0]
    assert (row["source_row"], row["columns"], row["rules"]) == (3, "NAMA_PESERTA", "name")
    assert row["reason"] == "a number or symbols where a name is expected"
    assert json.loads(row["raw_values"])["NAMA_PESERTA"] == "19850312"


def test_excel_mangled_nik_in_csv_is_flagged_and_kept(contracts, inbox, regions):
    _, _, result = run(contracts, inbox, "excel_mangled_nik.csv", regions)
    assert result.accounting["rows_quarantined"] == 0
    record = result.records.set_index("source_row").loc[3]
    assert record["nik_issue"] == "excel_mangled" and not record["nik_valid"] and record["nik"] is not None
    flag = result.issues.query("severity == 'flag'")
    assert flag[["row", "column", "rule", "reason"]].values.tolist() == [[1, "NIK", "nik", "NIK excel mangled"]]


def test_excel_number_cells_keep_every_digit_of_the_nik(contracts, tmp_path, regions):
    contract = contracts["disnaker_pencari_kerja"]
    target = tmp_path / contract.read.paths[0]
    target.parent.mkdir(parents=True)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Pencari Kerja"
    for title in ("DAFTAR PENCARI KERJA", "KOTA DEPOK", None):
        sheet.append([title])
    sheet.append(
        [
            "No",
            "No. AK/1",
            "NIK",
            "Nama Lengkap",
            "Tempat Lahir",
            "Tanggal Lahir",
            "L/P",
            "Alamat",
            "Kelurahan",
            "Kecamatan",
            "No. HP",
            "Pendidikan Terakhir",
            "Tanggal Daftar",
        ]
    )
    sheet.append(
        [
            1,
            "AK1-0001",
            3276015505900001,
            "Siti Aminah",
            "Depok",
            "15-05-1990",
            "P",
            "Jl. Melati 3",
            "Beji",
            "Beji",
            "081234567801",
            "SMA",
            "2026-01-05",
        ]
    )
    sheet.append(
        [
            2,
            "AK1-0002",
            3276031203850002.0,
            "Budi Santoso",
            "Depok",
            "12-03-1985",
            "L",
            "Gg. Mawar 7",
            "Mekarsari",
            "Cimanggis",
            "081234567802",
            "SMK",
            "2026-01-06",
        ]
    )
    sheet.append(
        [
            3,
            "AK1-0003",
            "3.27603E+15",
            "Dewi Lestari",
            "Depok",
            "04-08-1992",
            "P",
            "Jl. Kenanga 12",
            "Depok Jaya",
            "Pancoran Mas",
            "081234567803",
            "S1",
            "2026-01-07",
        ]
    )
    workbook.save(target)
    raw = read_source(contract, tmp_path)
    report = validate_source(contract, raw)
    result = standardise(contract, raw, report, SNAPSHOT, regions)
    records = result.records.set_index("source_row")
    assert records.loc[5, "nik"] == "3276015505900001"
    assert records.loc[6, "nik"] == "3276031203850002"
    assert records.loc[7, "nik_issue"] == "excel_mangled"
    assert _rows(result.accounting) == {"rows_read": 3, "rows_standardised": 3, "rows_quarantined": 0}


def test_impossible_dates_are_quarantined_with_row_and_column(contracts, inbox, regions):
    _, report, result = run(contracts, inbox, "impossible_dates.csv", regions)
    assert _rows(result.accounting) == {"rows_read": 3, "rows_standardised": 1, "rows_quarantined": 2}
    quarantine = result.quarantine.set_index("source_row")
    assert quarantine.loc[3, "columns"] == "TGL_LAHIR"
    assert quarantine.loc[3, "reason"] == "not a valid date (impossible or unreadable)"
    assert quarantine.loc[4, "rules"] == "range"  # 2092: a birth date in the future
    assert quarantine.loc[4, "reason"].startswith("outside the allowed range 1900-01-01 to ")
    range_check = report.expectations.query("column == 'TGL_LAHIR'")
    assert range_check[["success", "unexpected_count"]].values.tolist() == [[False, 1]]
    assert_no_personal_data(*result.quarantine["reason"], *report.row_issues["reason"])


def test_duplicate_record_key_keeps_the_first_occurrence(contracts, inbox, regions):
    _, report, result = run(contracts, inbox, "duplicate_key.csv", regions)
    assert report.row_issues[["row", "rule"]].values.tolist() == [[1, "duplicate_key"]]
    assert result.records["source_row"].tolist() == [2, 4]
    assert result.quarantine[["source_row", "rules"]].values.tolist() == [[3, "duplicate_key"]]
    assert result.records["record_id"].is_unique


def test_standardise_refuses_a_source_with_file_errors(contracts, inbox, regions):
    contract = contracts[SOURCE]
    raw = read_source(contract, inbox(contract, "missing_column.csv"))
    report = validate_source(contract, raw)
    with pytest.raises(ValueError, match="source bpjs_kesehatan: validation failed with 1 file error"):
        standardise(contract, raw, report, SNAPSHOT, regions)


def test_messages_carry_no_personal_data(contracts, inbox):
    messages = []
    for fixture in ("renamed_column.csv", "missing_column.csv", "wrong_delimiter.csv", "cp1252_in_utf8.csv"):
        _, report, _ = run(contracts, inbox, fixture)
        messages += report.file_errors + report.warnings + report.row_issues["reason"].tolist()
    assert_no_personal_data(*messages)


def test_extra_fields_on_a_line_quarantine_it(contracts, tmp_path, regions):
    contract = contracts[SOURCE]
    lines = (FIXTURES / "valid.csv").read_text(encoding="utf-8").splitlines()
    lines[2] += ";SPILLED"
    target = tmp_path / FILE
    target.parent.mkdir(parents=True)
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    raw = read_source(contract, tmp_path)
    result = standardise(contract, raw, validate_source(contract, raw), SNAPSHOT, regions)
    assert result.quarantine[["source_row", "rules", "reason"]].values.tolist() == [
        [3, "ragged_row", "line 3 has 14 fields, the header has 13"]
    ]
    assert _rows(result.accounting) == {"rows_read": 3, "rows_standardised": 2, "rows_quarantined": 1}


def test_allowed_values_are_canonicalised_and_unknown_ones_flagged(contracts, tmp_path, regions):
    contract = contracts[SOURCE]
    lines = (FIXTURES / "valid.csv").read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace(";PBI APBN;AKTIF;", ";pbi  apbn;Non-Aktif;")
    lines[2] = lines[2].replace(";PBPU;", ";PBI-X;")
    target = tmp_path / FILE
    target.parent.mkdir(parents=True)
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    raw = read_source(contract, tmp_path)
    report = validate_source(contract, raw)
    result = standardise(contract, raw, report, SNAPSHOT, regions)
    assert report.row_issues[["row", "column", "rule", "severity"]].values.tolist() == [
        [1, "SEGMEN", "allowed", "flag"]
    ]
    assert result.records["jkn_segment"].tolist() == ["PBI_APBN", "PBI-X", "PPU"]
    assert result.records["jkn_status"].tolist() == ["NONAKTIF", "NONAKTIF", "AKTIF"]


def _rows(accounting: dict[str, int]) -> dict[str, int]:
    """The row counts of the standardiser's accounting (the line counts are the fault corpus's business)."""
    return {key: accounting[key] for key in ("rows_read", "rows_standardised", "rows_quarantined")}


@pytest.mark.parametrize(
    "fixture", sorted(path.name for path in FIXTURES.glob("*.csv") if path.name != "umkm_cp1252.csv")
)
def test_vectorised_row_rules_find_what_the_gx_suite_finds(contracts, inbox, fixture):
    contract = contracts[SOURCE]
    raw = read_source(contract, inbox(contract, fixture))
    fast, reference = validate_source(contract, raw, SNAPSHOT), validate_source(contract, raw, SNAPSHOT, engine="gx")
    assert fast.file_errors == reference.file_errors
    pd.testing.assert_frame_equal(fast.row_issues, reference.row_issues)
    pd.testing.assert_frame_equal(fast.expectations, reference.expectations)
