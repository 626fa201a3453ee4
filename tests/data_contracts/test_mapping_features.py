"""Reader and mapping features: explicit date formats, values joined from several columns, regular-expression
extraction, a region found in address text, a region read at the level it names, a list's area, and the
generic person fields; each misuse is a ContractError naming the key."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest

import data_contracts
from data_contracts import ContractError, load_contract
from data_contracts.date_formats import parse_with_formats
from matching.normalize import RegionResolver

SNAPSHOT = dt.date(2025, 6, 30)
CONTRACT = """\
source: feed
title: Feed
owner: Owner
read: {format: csv, path: "ojol_beji_2025.csv"}
record_key: ID
columns:
  ID: {}
  DEPAN: {type: name}
  BELAKANG: {type: name, required: false}
  LAHIR: {type: date, format: [yyyymmdd, mm/dd/yyyy], max: today}
  NOMOR: {required: false}
  JALAN: {required: false}
  KODEPOS: {required: false}
  ALAMAT: {required: false}
  DOMISILI: {required: false}
  KET: {required: false}
mapping:
  name: {column: [DEPAN, BELAKANG], join: ' '}
  birth_date: LAHIR
  house_number: NOMOR
  street: JALAN
  postcode: KODEPOS
  address: {column: [JALAN, NOMOR], join: ' No. '}
  kelurahan: {column: ALAMAT, find_in_text: true}
  region: DOMISILI
  other_id: {column: KET, pattern: 'KTA[:\\s]*(\\d+)'}
  area_code: {from: file_name, pattern: '^ojol_([a-z]+)_'}
"""
ROWS = """\
ID,DEPAN,BELAKANG,LAHIR,NOMOR,JALAN,KODEPOS,ALAMAT,DOMISILI,KET
1,Budi,Santoso,19900131,12,Jl Mawar, 16431 ,"Gg Mawar, Kel. Mampang, Kec. Pancoran Mas",,anggota KTA: 5531
2,Siti,,03/04/1985,3a,jl  kenanga,,,Pancoran Mas,
3,Ani,Wijaya,31/01/1990,,,,,Kec. Beji,
4,Dewi,,20250701,,,,"Jl. Raya Sawangan 5, Pondok Cina, Beji, Depok",Mampang,
"""
MAMPANG, PONDOK_CINA, PANCORAN_MAS, BEJI = "32.76.01.1009", "32.76.06.1005", "32.76.01", "32.76.06"


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    folder = tmp_path_factory.mktemp("features")
    (folder / "feed.yaml").write_text(CONTRACT, encoding="utf-8")
    (folder / "ojol_beji_2025.csv").write_text(ROWS, encoding="utf-8")
    contract = load_contract(folder / "feed.yaml")
    raw = data_contracts.read_source(contract, folder)
    report = data_contracts.validate_source(contract, raw, SNAPSHOT)
    resolver = RegionResolver(data_contracts.load_region_reference())
    return data_contracts.standardise(contract, raw, report, SNAPSHOT, resolver)


def test_reference_codes_used_here() -> None:
    reference = data_contracts.load_region_reference().set_index("kode_wilayah")
    assert reference.loc[MAMPANG, "kelurahan"] == "Mampang" and reference.loc[PONDOK_CINA, "kelurahan"] == "Pondok Cina"


def test_explicit_date_formats_never_guess(result) -> None:
    records = result.records.set_index("source_row")
    assert records.loc[2, "birth_date"] == pd.Timestamp("1990-01-31")  # yyyymmdd
    assert records.loc[3, "birth_date"] == pd.Timestamp("1985-03-04")  # mm/dd/yyyy: March 4th
    quarantined = result.quarantine.set_index("source_row")
    assert quarantined.loc[4, "reason"] == "not a valid date (impossible or unreadable)"  # 31/01: day-first, refused
    assert "outside the allowed range" in quarantined.loc[5, "reason"]  # after the snapshot date


def test_parse_with_formats_reads_two_digit_years_and_months() -> None:
    values = pd.Series(["010203", "311299", None, "x"])
    assert parse_with_formats(values, ("ddmmyy",)).tolist()[:2] == [
        pd.Timestamp("2003-02-01"),
        pd.Timestamp("1999-12-31"),
    ]
    assert parse_with_formats(pd.Series(["202410"]), ("yyyymm",), "month").tolist() == [pd.Timestamp("2024-10-01")]


def test_values_built_from_several_columns(result) -> None:
    records = result.records.set_index("source_row")
    assert records.loc[2, "name"] == "BUDI SANTOSO"
    assert records.loc[3, "name"] == "SITI"  # the empty surname is skipped
    assert records.loc[2, "address"] == "JL MAWAR NO 12"


def test_generic_person_fields(result) -> None:
    records = result.records.set_index("source_row")
    assert (records.loc[2, "house_number"], records.loc[3, "house_number"]) == ("12", "3A")
    assert records.loc[3, "street"] == "JL KENANGA"
    assert records.loc[2, "postcode"] == "16431"


def test_extraction_by_regular_expression(result) -> None:
    records = result.records.set_index("source_row")
    assert records.loc[2, "other_id"] == "5531" and pd.isna(records.loc[3, "other_id"])


def test_region_found_inside_the_address(result) -> None:
    records = result.records.set_index("source_row")
    assert (records.loc[2, "kelurahan_code"], records.loc[2, "kecamatan_code"]) == (MAMPANG, PANCORAN_MAS)


def test_region_read_at_the_level_it_names(result) -> None:
    records = result.records.set_index("source_row")
    # "Pancoran Mas" is a kecamatan and a kelurahan: the kecamatan, never the same-named kelurahan, and noted.
    assert pd.isna(records.loc[3, "kelurahan_code"]) and records.loc[3, "kecamatan_code"] == PANCORAN_MAS
    noted = result.issues[(result.issues["rule"] == "region_level")]
    assert noted["row"].tolist() == [1] and noted["severity"].tolist() == ["flag"]


def test_area_from_the_file_name(result) -> None:
    assert set(result.records["area_code"]) == {BEJI}


def test_find_in_text_skips_street_names_and_the_city() -> None:
    from data_contracts.region_text import find_in_text

    found = find_in_text(pd.Series(["Jl. Raya Sawangan 5, Pondok Cina, Beji, Depok", "Jl. Raya Sawangan 5"]))
    assert found["kelurahan"].tolist()[0] == "PONDOK CINA" and found["kecamatan"].tolist()[0] == "BEJI"
    assert found.iloc[1].isna().all()


BASE = """\
source: feed
title: Feed
owner: Owner
read: {format: csv, path: feed.csv}
columns:
  A: {}
  B: {}
  T: {type: date}
"""


@pytest.mark.parametrize(
    ("columns", "mapping", "key", "message"),
    [
        ("  S: {format: yyyymmdd}\n", "  name: A\n", "columns.S.format", "date and month columns only"),
        (
            "  S: {type: date, format: [dd/mm/yyyy, mm/dd/yyyy]}\n",
            "  name: A\n",
            "columns.S.format",
            "day-first and month-first",
        ),
        ("  S: {type: date, format: yyyy-mm-dd hh}\n", "  name: A\n", "columns.S.format", "unknown part"),
        ("  S: {type: date, format: yyyymm}\n", "  name: A\n", "columns.S.format", "needs exactly"),
        ("", "  name: {column: A, join: ' '}\n", "mapping.name.join", "two or more"),
        ("", "  name: {column: [A, B], join: 1}\n", "mapping.name.join", "text put between"),
        (
            "",
            "  name: {column: A, find_in_text: true}\n",
            "mapping.name.find_in_text",
            "kelurahan, kecamatan or region",
        ),
        ("", "  name: {column: A, pattern: '(a)(b)'}\n", "mapping.name.pattern", "at most one capture group"),
        ("", "  region: {constant: Beji, find_in_text: true}\n", "mapping.region.find_in_text", "read from column"),
    ],
)
def test_misuse_is_a_contract_error_naming_the_key(tmp_path: Path, columns, mapping, key, message) -> None:
    path = tmp_path / "feed.yaml"
    path.write_text(BASE + columns + "mapping:\n" + mapping, encoding="utf-8")
    with pytest.raises(ContractError, match=re.escape(f"feed.yaml: {key}: ") + ".*" + re.escape(message)):
        load_contract(path)
