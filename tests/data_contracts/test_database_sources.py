"""The Dukcapil contract reads the same table from PostgreSQL and MariaDB as from the SQLite extract.

The generated ``biodata_wni`` table is loaded into the server under a table name unique to this run and dropped
afterwards. In CI (env ``CI`` set) an unreachable server fails the test; elsewhere it is skipped.
"""

from __future__ import annotations

import dataclasses
import uuid

import pandas as pd
import pytest
import sqlalchemy as sa

from data_contracts import read_source, standardise, validate_source
from data_contracts.reader import SOURCE_FILE
from tests.servers import MARIADB_URL_ENV, POSTGRES_URL_ENV, reachable_engine, server_url

pytestmark = pytest.mark.integration

SERVERS = {"postgresql": POSTGRES_URL_ENV, "mariadb": MARIADB_URL_ENV}


def server_engine(kind: str) -> sa.Engine:
    return reachable_engine(server_url(SERVERS[kind]))


@pytest.fixture(scope="module")
def sqlite_table(sample_dir) -> pd.DataFrame:
    """The generated Dukcapil table with its natural column types (dates as timestamps, RT/RW as integers)."""
    engine = sa.create_engine(f"sqlite:///{sample_dir / 'dukcapil' / 'dukcapil.sqlite'}")
    try:
        table = pd.read_sql_query("SELECT * FROM biodata_wni", engine)
    finally:
        engine.dispose()
    return table.assign(TGL_LHR=pd.to_datetime(table["TGL_LHR"]))


@pytest.mark.parametrize("kind", sorted(SERVERS))
def test_dukcapil_contract_reads_a_server_table(kind, contracts, sample_dir, sqlite_table, regions, monkeypatch):
    contract = contracts["dukcapil"]
    from_sqlite = read_source(contract, sample_dir)
    engine = server_engine(kind)
    table = f"biodata_wni_{uuid.uuid4().hex[:12]}"
    try:
        sqlite_table.to_sql(table, engine, index=False, chunksize=1000)
        on_server = dataclasses.replace(contract, read=dataclasses.replace(contract.read, table=table))
        raw = read_source(on_server, sample_dir, url_override=engine.url.render_as_string(hide_password=False))
    finally:
        with engine.begin() as connection:
            connection.execute(sa.text(f"DROP TABLE IF EXISTS {engine.dialect.identifier_preparer.quote(table)}"))
        engine.dispose()

    data_columns = [c for c in from_sqlite.frame.columns if c != SOURCE_FILE]
    pd.testing.assert_frame_equal(raw.frame[data_columns], from_sqlite.frame[data_columns])
    assert raw.frame[SOURCE_FILE].unique().tolist() == [table]
    report = validate_source(on_server, raw)
    assert report.passed
    result = standardise(on_server, raw, report, pd.Timestamp("2026-11-21").date(), regions)
    assert result.accounting["rows_read"] == len(sqlite_table)
    assert (
        result.accounting["rows_read"] == result.accounting["rows_standardised"] + result.accounting["rows_quarantined"]
    )
