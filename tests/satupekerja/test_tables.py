"""The table catalogue (satupekerja.publishing.tables) agrees with the output contracts and the assets."""

from __future__ import annotations

from assets.keys import QUARANTINE, RAW, STANDARD, parse_source_asset, quarantine_key, raw_name, source_of
from assets.publication import DEFAULT_PUBLISHED_TABLES, QUARANTINE_TABLE
from data_contracts.output_contracts import load_output_contracts
from satupekerja.publishing import tables


def test_every_output_contract_has_a_catalogue_entry_and_every_contracted_entry_a_contract() -> None:
    contracted = set(load_output_contracts())
    assert contracted == set(tables.CONTRACTED_TABLES)


def test_contracted_tables_are_in_the_catalogue_and_the_catalogue_has_no_duplicates() -> None:
    assert set(tables.CONTRACTED_TABLES) <= set(tables.ALL_TABLES)
    assert len(set(tables.ALL_TABLES)) == len(tables.ALL_TABLES)


def test_every_published_table_is_in_the_catalogue() -> None:
    published = {table.name for table in (*DEFAULT_PUBLISHED_TABLES, QUARANTINE_TABLE)}
    assert published <= set(tables.ALL_TABLES)
    # Every contracted table is published: a contract on a table that never reaches the warehouse checks nothing.
    assert set(tables.CONTRACTED_TABLES) <= published


def test_per_source_asset_names_round_trip_through_the_helpers() -> None:
    for kind in (RAW, QUARANTINE, STANDARD):
        assert parse_source_asset(f"{kind}_disnaker_pekerja_informal") == (kind, "disnaker_pekerja_informal")
    assert raw_name("umkm") == "raw_umkm"
    assert quarantine_key("umkm").to_user_string() == "quarantine_umkm"
    assert source_of("standard_bpjs_kesehatan", STANDARD) == "bpjs_kesehatan"
    assert source_of("raw_bpjs_kesehatan", STANDARD) is None


def test_catalogue_tables_are_not_mistaken_for_per_source_assets() -> None:
    for name in tables.ALL_TABLES:
        assert parse_source_asset(name) is None, name
    assert parse_source_asset("standard_") is None
    assert parse_source_asset("raw") is None


def test_the_unified_workers_contract_has_a_source_column_for_every_golden_field_and_no_other() -> None:
    from satupekerja.privacy.pseudonyms import COLUMN_POLICY, ColumnPolicy
    from satupekerja.registry.unify import GOLDEN_FIELDS

    contract = load_output_contracts()[tables.UNIFIED_WORKERS]
    provenance = {name for name in contract.column_names if name.endswith("_source")}
    assert provenance == {f"{field}_source" for field in GOLDEN_FIELDS}
    assert all(COLUMN_POLICY[name] is ColumnPolicy.KEEP for name in provenance)
