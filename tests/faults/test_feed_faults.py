"""Broken feeds: each test damages one file of a copy of the demo sample and checks what the reader, the
validator and the standardiser make of it. Every test also checks the accounting invariant (``ingest`` does)
and that no personal value of the sample appears in any message."""

from __future__ import annotations

import codecs
import os
import zipfile
from pathlib import Path

import openpyxl
import pytest

import data_contracts
from tests.faults.conftest import no_personal_values, physical_lines

KESEHATAN = "bpjs_kesehatan/peserta_jkn_depok.csv"
PASAR = "pasar/pedagang_pasar.csv"
UMKM = "umkm/data_umkm_depok.csv"
DISNAKER = "disnaker/registrasi_disnaker.xlsx"


def lines_of(path: Path) -> list[bytes]:
    return path.read_bytes().split(b"\n")


def write_lines(path: Path, lines: list[bytes]) -> None:
    path.write_bytes(b"\n".join(lines))


def open_quote(path: Path, line: int, field: int, delimiter: bytes) -> None:
    """Put one opening quote at the start of a field of physical line ``line`` (1-based)."""
    lines = lines_of(path)
    fields = lines[line - 1].split(delimiter)
    fields[field] = b'"' + fields[field]
    lines[line - 1] = delimiter.join(fields)
    write_lines(path, lines)


def quarantined_lines(run, rule: str) -> list[int]:
    issues = run.report.row_issues
    rows = issues.loc[issues["rule"] == rule, "row"]
    return sorted(run.raw.frame.loc[rows, "_source_row"].astype(int).tolist())


# -- fault 1: a stray quote ----------------------------------------------------------------------------------


def test_stray_quote_that_never_closes_quarantines_every_line_it_swallows(inbox, ingest, scanner):
    path = inbox / KESEHATAN
    total = physical_lines(path)
    start = total // 2
    open_quote(path, start, 2, b";")
    run = ingest("bpjs_kesehatan", inbox)
    assert quarantined_lines(run, "stray_quote") == list(range(start, total + 1))
    assert run.result.accounting["rows_read"] == total - 1  # nothing merged: one row per data line
    assert run.result.accounting["rows_quarantined"] >= total - start + 1
    assert f"baris {start}" in run.messages() and f"lines {start}" in run.messages()
    no_personal_values(scanner, run.messages())


def test_stray_quote_that_closes_later_quarantines_the_span_and_reads_what_follows(inbox, ingest, scanner):
    path = inbox / PASAR
    open_quote(path, 3, 3, b",")  # the market-trader file has no other quotes: this one opens on line 3 ...
    lines = lines_of(path)
    lines[5] = b'x"' + lines[5]  # ... and a second stray quote closes it on line 6
    write_lines(path, lines)
    run = ingest("pedagang_pasar", inbox)
    stray = quarantined_lines(run, "stray_quote")
    assert stray[0] == 3 and stray == list(range(3, stray[-1] + 1)) and stray[-1] <= 6
    rows = run.raw.frame["_source_row"].astype(int)
    assert rows.tolist() == list(range(2, physical_lines(path) + 1))  # every line a row of its own, none merged
    no_personal_values(scanner, run.messages())


def test_a_legitimate_multi_line_quoted_field_stays_one_row_and_its_lines_are_counted(inbox, ingest):
    path = inbox / PASAR
    lines = lines_of(path)
    fields = lines[5].split(b",")
    fields[9] = b'"JL. MAWAR\nBLOK C"'  # the address, with a line break and no delimiter inside
    lines[5] = b",".join(fields)
    write_lines(path, lines)
    run = ingest("pedagang_pasar", inbox)
    assert run.raw.line_totals()["lines_continuation"] == 1
    assert run.report.row_issues.query("rule == 'stray_quote'").empty
    assert run.raw.frame["_source_row"].astype(int).tolist()[:6] == [2, 3, 4, 5, 6, 8]


def test_a_quote_inside_an_unquoted_field_is_text_not_a_lost_row(inbox, ingest):
    path = inbox / PASAR
    lines = lines_of(path)
    fields = lines[7].split(b",")
    fields[7] = b'Sayur 5" Mayur'
    lines[7] = b",".join(fields)
    write_lines(path, lines)
    run = ingest("pedagang_pasar", inbox)
    assert len(run.raw.frame) == physical_lines(path) - 1


# -- line structure ------------------------------------------------------------------------------------------


def test_blank_and_whitespace_lines_are_counted_not_lost(inbox, ingest):
    path = inbox / PASAR
    lines = lines_of(path)
    lines[10:10] = [b"", b"   ", b",,,,,,,,,,,,"]
    write_lines(path, lines)
    run = ingest("pedagang_pasar", inbox)
    assert run.raw.line_totals()["lines_blank"] == 3 + (1 if path.read_bytes().endswith(b"\n") else 0) * 0
    assert len(run.raw.frame) == physical_lines(path) - 1 - 3


def test_crlf_and_lone_cr_line_ends_are_accounted(inbox, ingest):
    path = inbox / PASAR
    text = path.read_bytes().replace(b"\n", b"\r\n")
    first, rest = text.split(b"\r\n", 1)
    path.write_bytes(first + b"\r" + rest)  # the header ended by a lone CR, the rest by CRLF
    run = ingest("pedagang_pasar", inbox)
    assert run.raw.line_totals()["lines_physical"] == physical_lines(path)
    assert len(run.raw.frame) == physical_lines(path) - 1


def test_a_truncated_last_line_is_quarantined_with_its_line_number(inbox, ingest, scanner):
    path = inbox / KESEHATAN
    data = path.read_bytes().rstrip(b"\n")
    path.write_bytes(data[: data.rfind(b";", 0, data.rfind(b";") - 1)])  # cut in the middle of the last row
    run = ingest("bpjs_kesehatan", inbox)
    last = physical_lines(path)
    assert last in quarantined_lines(run, "ragged_row")
    no_personal_values(scanner, run.messages())


def test_a_line_with_extra_fields_is_quarantined(inbox, ingest, scanner):
    path = inbox / KESEHATAN
    lines = lines_of(path)
    lines[20] += b";EXTRA;MORE"
    write_lines(path, lines)
    run = ingest("bpjs_kesehatan", inbox)
    assert quarantined_lines(run, "ragged_row") == [21]
    no_personal_values(scanner, run.messages())


def test_a_trailing_empty_field_on_every_line_is_tolerated(inbox, ingest):
    path = inbox / PASAR
    write_lines(path, [line + b"," if line else line for line in lines_of(path)])
    run = ingest("pedagang_pasar", inbox)
    assert run.report.passed and run.report.row_issues.query("rule == 'ragged_row'").empty


def test_a_byte_order_mark_does_not_hide_the_first_column(inbox, ingest):
    path = inbox / PASAR
    path.write_bytes(codecs.BOM_UTF8 + path.read_bytes())
    run = ingest("pedagang_pasar", inbox)
    assert run.report.passed and "id_pedagang" in run.raw.frame.columns


# -- fault 2: header problems never show values --------------------------------------------------------------


def test_a_missing_header_line_is_a_file_error_without_values(inbox, ingest, scanner):
    path = inbox / KESEHATAN
    write_lines(path, lines_of(path)[1:])
    run = ingest("bpjs_kesehatan", inbox)
    assert not run.report.passed
    [error] = run.report.file_errors
    assert "header line missing" in error and "values are not shown" in error
    assert run.raw.line_totals()["lines_file_error"] == physical_lines(path)
    no_personal_values(scanner, run.messages())


def test_deleted_title_rows_of_a_workbook_are_a_file_error_without_values(inbox, ingest, scanner):
    path = inbox / DISNAKER
    workbook = openpyxl.load_workbook(path)
    workbook["Pekerja Informal"].delete_rows(1, 3)
    workbook.save(path)
    run = ingest("disnaker_pekerja_informal", inbox)
    assert not run.report.passed and "does not look like the header" in run.report.file_errors[0]
    no_personal_values(scanner, run.messages())


def test_a_renamed_column_is_named_with_its_rename(inbox, ingest):
    path = inbox / KESEHATAN
    lines = lines_of(path)
    lines[0] = lines[0].replace(b"NAMA_PESERTA", b"NAMA")
    write_lines(path, lines)
    run = ingest("bpjs_kesehatan", inbox)
    assert "'NAMA_PESERTA' may have been renamed to 'NAMA'" in run.report.file_errors[0]


def test_a_header_only_file_is_a_file_error(inbox, ingest):
    path = inbox / PASAR
    write_lines(path, lines_of(path)[:1])
    run = ingest("pedagang_pasar", inbox)
    assert "no data rows" in run.report.file_errors[0]


def test_a_wrong_delimiter_is_a_file_error_naming_the_delimiter(inbox, ingest, scanner):
    path = inbox / KESEHATAN
    path.write_bytes(path.read_bytes().replace(b";", b"|"))
    run = ingest("bpjs_kesehatan", inbox)
    assert "delimiter looks like '|'" in run.report.file_errors[0]
    no_personal_values(scanner, run.messages())


# -- encodings -----------------------------------------------------------------------------------------------


def test_utf8_text_under_a_cp1252_contract_is_refused_with_its_line(inbox, ingest, scanner):
    path = inbox / UMKM
    text = path.read_bytes().decode("cp1252").replace("Arif", "JOSÉ GONÇALVES", 1)
    lines = text.split("\r\n")
    lines[3] = lines[3].replace(",", ",JOSÉ ", 1)
    path.write_bytes("\r\n".join(lines).encode("utf-8"))
    run = ingest("umkm", inbox)
    assert not run.report.passed
    first = next(number for number, line in enumerate(lines, start=1) if not line.isascii())
    assert first <= 4 and "UTF-8" in run.report.file_errors[0] and f"baris {first})" in run.report.file_errors[0]
    no_personal_values(scanner, run.messages())


def test_cp1252_bytes_under_a_utf8_contract_are_refused_with_their_line(inbox, ingest):
    path = inbox / PASAR
    lines = lines_of(path)
    lines[6] = lines[6].replace(b"Pasar", "Pasar Caf\u00e9".encode("cp1252"), 1)
    write_lines(path, lines)
    run = ingest("pedagang_pasar", inbox)
    assert "not decodable as utf-8 at line 7" in run.report.file_errors[0]


def test_a_nul_byte_does_not_lose_its_line(inbox, ingest):
    path = inbox / PASAR
    lines = lines_of(path)
    lines[8] = lines[8] + b"\x00"
    write_lines(path, lines)
    run = ingest("pedagang_pasar", inbox)
    assert 9 in run.raw.frame["_source_row"].astype(int).tolist()


# -- fault 4: optional multi-file sources degrade per file ---------------------------------------------------


def test_a_zero_byte_community_list_is_dropped_with_a_warning_and_the_others_read(inbox, ingest, sample):
    (inbox / "komunitas" / "kurir_sukmajaya.csv").write_bytes(b"")
    run = ingest("komunitas", inbox)
    assert run.report.passed
    assert any("kurir_sukmajaya.csv" in warning and "empty" in warning for warning in run.report.warnings)
    expected = sum(
        rows for name, rows in sample.data.manifest["komunitas_files"].items() if name != "kurir_sukmajaya.csv"
    )
    assert run.result.accounting["rows_read"] == expected


def test_a_community_list_without_its_header_is_dropped_alone(inbox, ingest, scanner):
    path = inbox / "komunitas" / "ojol_sawangan_bojongsari.csv"
    write_lines(path, lines_of(path)[1:])
    run = ingest("komunitas", inbox)
    assert run.report.passed and any("ojol_sawangan_bojongsari.csv" in w for w in run.report.warnings)
    assert run.raw.line_totals()["lines_file_error"] == physical_lines(path)
    no_personal_values(scanner, run.messages())


def test_a_required_source_with_an_empty_file_is_a_file_error(inbox, ingest):
    (inbox / PASAR).write_bytes(b"")
    run = ingest("pedagang_pasar", inbox)
    assert run.report.file_errors == [f"file {PASAR} is empty (0 bytes)"]


# -- fault 5 and unreachable sources -------------------------------------------------------------------------


def test_a_corrupt_part_inside_an_xlsx_is_a_source_error_naming_the_file(inbox, contracts):
    path = inbox / DISNAKER
    with zipfile.ZipFile(path) as original:
        parts = {name: original.read(name) for name in original.namelist()}
    sheet = next(name for name in parts if name.startswith("xl/worksheets/sheet"))
    parts[sheet] = parts[sheet][: len(parts[sheet]) // 2]  # cut a sheet's XML in the middle
    with zipfile.ZipFile(path, "w") as damaged:
        for name, content in parts.items():
            damaged.writestr(name, content)
    failures = []
    for source in ("disnaker_pekerja_informal", "disnaker_pelatihan", "disnaker_pencari_kerja"):
        try:
            data_contracts.read_source(contracts[source], inbox)
        except data_contracts.SourceReadError as error:
            failures.append(str(error))
    assert failures and all(
        (DISNAKER in message and "damaged" in message) or "readable" in message for message in failures
    )


def test_a_file_that_is_not_a_workbook_is_a_source_error(inbox, contracts):
    (inbox / DISNAKER).write_bytes(b"this is not a zip")
    with pytest.raises(data_contracts.SourceReadError, match=r"registrasi_disnaker\.xlsx"):
        data_contracts.read_source(contracts["disnaker_pelatihan"], inbox)


def test_a_missing_sheet_is_a_file_error_listing_the_sheets(inbox, ingest):
    path = inbox / DISNAKER
    workbook = openpyxl.load_workbook(path)
    workbook["Pelatihan"].title = "Pelatihan 2026"
    workbook.save(path)
    run = ingest("disnaker_pelatihan", inbox)
    assert "sheet 'Pelatihan' not found" in run.report.file_errors[0]


def test_blank_rows_inside_a_sheet_are_counted(inbox, ingest):
    path = inbox / DISNAKER
    workbook = openpyxl.load_workbook(path)
    workbook["Pekerja Informal"].insert_rows(8, 2)
    workbook.save(path)
    run = ingest("disnaker_pekerja_informal", inbox)
    assert run.raw.line_totals()["lines_blank"] >= 2


def test_a_missing_file_is_a_source_error(inbox, contracts):
    (inbox / PASAR).unlink()
    with pytest.raises(data_contracts.SourceReadError, match=r"file not found: pasar/pedagang_pasar\.csv"):
        data_contracts.read_source(contracts["pedagang_pasar"], inbox)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file_is_a_source_error(inbox, contracts):
    (inbox / PASAR).chmod(0)
    with pytest.raises(data_contracts.SourceReadError, match="cannot read file"):
        data_contracts.read_source(contracts["pedagang_pasar"], inbox)


def test_an_unknown_sql_driver_is_a_source_error_naming_the_driver(inbox, contracts):
    url = "mssql+pyodbc://user:secret@dbhost/dukcapil"
    with pytest.raises(data_contracts.SourceReadError, match="mssql\\+pyodbc") as caught:
        data_contracts.read_source(contracts["dukcapil"], inbox, url_override=url)
    assert "secret" not in str(caught.value)


# -- row-level faults ----------------------------------------------------------------------------------------


def test_a_duplicated_record_is_quarantined_once(inbox, ingest):
    path = inbox / PASAR
    lines = lines_of(path)
    lines.insert(5, lines[4])
    write_lines(path, lines)
    run = ingest("pedagang_pasar", inbox)
    duplicates = run.report.row_issues.query("rule == 'duplicate_key'")
    assert len(duplicates) == 1
    assert run.raw.frame.loc[duplicates["row"].iloc[0], "_source_row"] == 6


def test_an_empty_required_name_is_quarantined_with_its_line(inbox, ingest, scanner):
    path = inbox / KESEHATAN
    lines = lines_of(path)
    fields = lines[40].split(b";")
    fields[2] = b""
    lines[40] = b";".join(fields)
    write_lines(path, lines)
    run = ingest("bpjs_kesehatan", inbox)
    assert 41 in run.result.quarantine["source_row"].tolist()
    no_personal_values(scanner, "\n".join(run.result.quarantine["reason"]))
