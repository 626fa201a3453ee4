"""Header detection (``read.header_row: auto``), footer rows (``read.footer``), ``delimiter: auto`` and reading one
given file (``read_file``): lists people bring, with a title block above the header and totals and signatures
below the table."""

from __future__ import annotations

import csv
import dataclasses
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from data_contracts import ContractError, load_contract, read_source, standardise, validate_source
from data_contracts.contract import PACKAGE_DIR
from data_contracts.reader import SOURCE_ROW, SourceReadError, read_file

LIST_CONTRACT = PACKAGE_DIR / "lists" / "daftar_komunitas.yaml"
SNAPSHOT = date(2026, 11, 1)

TITLED = [
    ["DAFTAR ANGGOTA PAGUYUBAN OJOL SAWANGAN", "", "", ""],
    ["Update: November 2026", "", "", ""],
    ["", "", "", ""],
    ["No", "Nama Mitra", "No. HP / WA", "Tgl. Lahir (dd/mm/yyyy)"],
    ["1", "Siti Aminah", "0812-1111-2222", "05/08/1988"],
    ["2", "Budi Santoso", "0813 3333 4444", "1979-12-31"],
    ["", "", "", ""],
    ["Jumlah", "2 orang", "", ""],
    ["Depok, 1 November 2026", "", "", ""],
    ["Mengetahui,", "", "", ""],
    ["( Ahmad Fauzi )", "", "", ""],
]


@pytest.fixture(scope="module")
def contract():
    return load_contract(LIST_CONTRACT)


def write_csv(path: Path, rows: list[list[str]], delimiter: str) -> Path:
    with path.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file, delimiter=delimiter).writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list[str]]) -> Path:
    workbook = Workbook()
    for row in rows:
        workbook.active.append([cell or None for cell in row])
    workbook.save(path)
    return path


@pytest.mark.parametrize(
    "make",
    [
        lambda folder: write_csv(folder / "ojol sawangan.csv", TITLED, ";"),
        lambda folder: write_csv(folder / "ojol sawangan.csv", TITLED, ","),
        lambda folder: write_xlsx(folder / "ojol sawangan.xlsx", TITLED),
    ],
    ids=["csv-semicolon", "csv-comma", "xlsx"],
)
def test_header_under_a_title_block_is_found_and_footers_are_quarantined(contract, tmp_path, make, regions):
    raw = read_file(contract, make(tmp_path))
    assert raw.file_problems == []
    assert list(raw.headers.values()) == [["No", "Nama Mitra", "No. HP / WA", "Tgl. Lahir (dd/mm/yyyy)"]]
    # odd headers found by alias and by header word
    assert list(raw.frame.columns[:4]) == ["No", "Nama", "No HP", "Tgl Lahir"]
    assert raw.frame[SOURCE_ROW].tolist() == [5, 6, 8, 9, 10, 11]
    footers = raw.row_problems[raw.row_problems["rule"].eq("footer")]
    assert footers["row"].tolist() == [2, 3, 4, 5]  # Jumlah, the place and date, Mengetahui, the signature
    assert footers["reason"].str.startswith(("baris 8:", "baris 9:", "baris 10:", "baris 11:")).all()
    report = validate_source(contract, raw, SNAPSHOT)
    result = standardise(contract, raw, report, SNAPSHOT, regions)
    assert result.accounting["rows_read"] == 6 and result.accounting["rows_quarantined"] == 4
    assert result.accounting["lines_header"] == 4 and result.accounting["lines_blank"] == 1
    assert result.quarantine["source_row"].tolist() == [8, 9, 10, 11]
    assert result.quarantine["rules"].eq("footer").all()
    assert result.records["name"].tolist() == ["SITI AMINAH", "BUDI SANTOSO"]
    # day-first and ISO dates in one column, as communities write them
    assert [str(d.date()) for d in result.records["birth_date"]] == ["1988-08-05", "1979-12-31"]
    assert result.records["phone"].tolist() == ["6281211112222", "6281333334444"]


def test_a_total_row_inside_the_table_is_a_footer_but_data_after_it_is_read(contract, tmp_path):
    rows = [
        ["Nama", "HP"],
        ["Ani", "0812"],
        ["Total RT 01", "1"],
        ["Dewi Lestari", "0813 5555 6666"],
    ]
    raw = read_file(contract, write_csv(tmp_path / "rt.csv", rows, ","))
    assert raw.row_problems[["row", "rule"]].values.tolist() == [[1, "footer"]]
    assert raw.frame["Nama"].tolist() == ["Ani", "Total RT 01", "Dewi Lestari"]


def test_a_file_without_a_recognisable_header_is_a_file_problem(contract, tmp_path):
    raw = read_file(contract, write_csv(tmp_path / "angka.csv", [["a", "b"], ["1", "2"]], ";"))
    assert raw.frame.empty and len(raw.file_problems) == 1
    assert raw.file_problems[0].startswith("file angka.csv: judul kolom tidak ditemukan di 20 baris teratas")
    assert "no header found in the first 20 lines" in raw.file_problems[0]
    assert raw.line_totals()["lines_file_error"] == 2


def test_the_header_beyond_the_searched_rows_is_not_found(contract, tmp_path):
    rows = [[f"judul {n}", ""] for n in range(25)] + [["Nama", "NIK"], ["Ani", "3276014505900001"]]
    narrow = dataclasses.replace(contract, read=dataclasses.replace(contract.read, header_search_rows=30))
    assert read_file(contract, write_csv(tmp_path / "a.csv", rows, ",")).file_problems
    assert read_file(narrow, tmp_path / "a.csv").headers == {"a.csv": ["Nama", "NIK"]}


def test_read_file_names_the_file_as_given_and_refuses_a_missing_one(contract, tmp_path):
    stored = write_csv(tmp_path / "0a1b2c_masuk.csv", [["Nama"], ["Ani"]], ",")
    raw = read_file(contract, stored, "anggota.csv")
    assert raw.files == ["anggota.csv"] and raw.frame["_source_file"].tolist() == ["anggota.csv"]
    with pytest.raises(SourceReadError, match=r"file not found: hilang\.csv"):
        read_file(contract, tmp_path / "hilang.csv")


def test_any_source_contract_can_detect_its_header(contracts, tmp_path):
    """A nightly source with a title block above its header: ``header_row: auto`` on the komunitas contract."""
    komunitas = contracts["komunitas"]
    titled = dataclasses.replace(komunitas, read=dataclasses.replace(komunitas.read, header_search_rows=10))
    folder = tmp_path / "komunitas"
    folder.mkdir()
    write_csv(
        folder / "ojol_beji_2026.csv", [["Data ojol Beji", ""], ["NAMA DRIVER", "WhatsApp"], ["Ani", "0812"]], ","
    )
    raw = read_source(titled, tmp_path)
    assert raw.frame[["Nama", "No WA", SOURCE_ROW]].values.tolist() == [["Ani", "0812", 3]]
    assert raw.file_problems == []
    # without header detection, the title row is taken for the header
    assert read_source(komunitas, tmp_path).file_problems


def contract_text(read: str) -> str:
    return f"""
source: daftar
title: t
owner: o
read:
{read}
columns:
  Nama: {{}}
mapping:
  name: Nama
"""


@pytest.mark.parametrize(
    ("read", "message"),
    [
        ("  format: csv\n  path: a.csv\n  header_row: auto\n  header_search_rows: 0", "read.header_search_rows"),
        ("  format: csv\n  path: a.csv\n  header_search_rows: 5", "only with header_row: auto"),
        ("  format: csv\n  path: a.csv\n  header_row: top", "or auto"),
        ("  format: csv\n  path: a.csv\n  footer: ['(jumlah']", r"read.footer\[0\]: invalid regular expression"),
        ("  format: csv\n  path: a.csv\n  delimiter: ';;'", "single character, or auto"),
    ],
)
def test_header_detection_settings_are_checked(tmp_path, read, message):
    path = tmp_path / "daftar.yaml"
    path.write_text(contract_text(read), encoding="utf-8")
    with pytest.raises(ContractError, match=message):
        load_contract(path)


def test_header_detection_settings_are_read(tmp_path):
    path = tmp_path / "daftar.yaml"
    path.write_text(
        contract_text("  format: auto\n  path: a.csv\n  header_row: auto\n  delimiter: auto\n  footer: '^jumlah'"),
        encoding="utf-8",
    )
    read = load_contract(path).read
    assert (read.header_row, read.header_search_rows, read.delimiter, read.footer) == (1, 20, "auto", ("^jumlah",))


def test_fallback_encodings_are_tried_in_turn(contract, tmp_path):
    path = tmp_path / "lama.csv"
    path.write_bytes("Nama;Kota\nJOSÉ;Depok\n".encode("cp1252"))
    assert contract.read.encoding == "utf-8" and contract.read.fallback_encodings == ("cp1252",)
    assert read_file(contract, path).frame["Nama"].tolist() == ["JOSÉ"]
    utf8_only = dataclasses.replace(contract, read=dataclasses.replace(contract.read, fallback_encodings=()))
    assert "not decodable as utf-8 at line 2" in read_file(utf8_only, path).file_problems[0]
    path.write_text("Nama;Kota\nJOSÉ;Depok\n", encoding="utf-8")
    assert read_file(contract, path).frame["Nama"].tolist() == ["JOSÉ"]


def test_the_list_contract_is_not_a_nightly_source(contracts):
    assert "daftar_komunitas" not in contracts
