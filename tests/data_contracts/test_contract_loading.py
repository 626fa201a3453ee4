"""Loading contracts: the packaged set, the env override, and clear errors on malformed files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from data_contracts import ContractError, load_contract, load_contracts
from data_contracts.contract import MAPPABLE_FIELDS, PACKAGE_DIR
from data_contracts.schema import PERSON_SCHEMA

ALL_SOURCES = {
    "dukcapil",
    "bpjs_kesehatan",
    "disnaker_pencari_kerja",
    "disnaker_pelatihan",
    "disnaker_pekerja_informal",
    "umkm",
    "pedagang_pasar",
    "komunitas",
    "bpjs_ketenagakerjaan",
}
RECORD_KEYS = {
    "dukcapil": ("ID_PENDUDUK",),
    "bpjs_kesehatan": ("NO_KARTU",),
    "disnaker_pencari_kerja": ("No. AK/1",),
    "disnaker_pelatihan": ("No. Peserta",),
    "disnaker_pekerja_informal": ("No. Registrasi",),
    "umkm": ("ID UMKM",),
    "pedagang_pasar": ("id_pedagang",),
    "komunitas": (),
    "bpjs_ketenagakerjaan": ("KPJ",),
}

MINIMAL = """\
source: test_feed
title: Test feed
owner: Test owner
read:
  format: csv
  path: feed.csv
record_key: ID
columns:
  ID: {}
  NAMA:
    type: name
mapping:
  name: NAMA
"""


def write_contract(tmp_path: Path, text: str, name: str = "test_feed.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_every_source_of_the_architecture_has_a_contract(contracts):
    assert set(contracts) == ALL_SOURCES
    assert {source: contract.record_key for source, contract in contracts.items()} == RECORD_KEYS


def test_contract_mappings_target_person_schema_fields(contracts):
    for contract in contracts.values():
        targets = {mapping.target for mapping in contract.mapping}
        assert targets <= MAPPABLE_FIELDS
        assert {"name", "nik"} <= targets
        assert targets - {"kelurahan", "kecamatan", "rt_rw"} <= set(PERSON_SCHEMA)


def test_formats_and_required_flags(contracts):
    assert contracts["dukcapil"].read.format == "sql"
    assert contracts["umkm"].read.encoding == "cp1252"
    assert contracts["disnaker_pelatihan"].read.header_row == 4
    assert contracts["disnaker_pelatihan"].read.sheet == "Pelatihan"
    assert contracts["komunitas"].required is False
    assert contracts["bpjs_ketenagakerjaan"].required is True


def test_contracts_dir_override(tmp_path):
    shutil.copyfile(PACKAGE_DIR / "umkm.yaml", tmp_path / "umkm.yaml")
    assert list(load_contracts(tmp_path)) == ["umkm"]
    assert len(load_contracts()) > 1, "without a folder: the shipped contracts"


def test_minimal_contract_defaults(tmp_path):
    contract = load_contract(write_contract(tmp_path, MINIMAL))
    assert contract.required is True
    assert contract.read.encoding == "utf-8" and contract.read.delimiter == "," and contract.read.header_row == 1
    assert contract.column("ID").required is True and contract.column("ID").on_fail == "quarantine"


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("  NAMA:\n    type: name\n", "  NAMA:\n    type: name\n    colour: red\n", "columns.NAMA"),
        ("    type: name\n", "    type: fancy\n", "columns.NAMA.type"),
        ("  name: NAMA\n", "  name: NAMA_LENGKAP\n", "mapping.name.column"),
        ("  name: NAMA\n", "  nik_valid: NAMA\n", "mapping.nik_valid"),
        ("record_key: ID\n", "record_key: KEY\n", "record_key"),
        ("  ID: {}\n", "  ID: {}\n  No: {}\n", "columns"),
        ("  ID: {}\n", "  ID:\n    pattern: '[0-9'\n", "columns.ID.pattern"),
        ("  ID: {}\n", "  ID:\n    on_fail: drop\n", "columns.ID.on_fail"),
        ("  path: feed.csv\n", "", "read.path"),
        ("title: Test feed\n", "", "title"),
        ("  ID: {}\n", "  ID:\n    min: 3\n", "columns.ID.min"),
    ],
)
def test_malformed_contract_names_file_and_key(tmp_path, old, new, key):
    assert old in MINIMAL
    path = write_contract(tmp_path, MINIMAL.replace(old, new))
    with pytest.raises(ContractError) as error:
        load_contract(path)
    message = str(error.value)
    assert message.startswith("test_feed.yaml: ")
    assert f" {key}:" in message


def test_invalid_yaml_reports_position(tmp_path):
    path = write_contract(tmp_path, MINIMAL + "  bad: [unclosed\n")
    with pytest.raises(ContractError, match=r"test_feed\.yaml: not valid YAML \(line \d+"):
        load_contract(path)


def test_duplicate_source_ids_are_refused(tmp_path):
    write_contract(tmp_path, MINIMAL, "a.yaml")
    write_contract(tmp_path, MINIMAL, "b.yaml")
    with pytest.raises(ContractError, match=r"b\.yaml: source 'test_feed' is already defined in a\.yaml"):
        load_contracts(tmp_path)
