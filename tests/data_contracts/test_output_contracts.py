"""Contracts of the published tables: they load, a real small pipeline output passes them, broken tables fail.

The published frames are built here from hand-made person records through the real stable-id assignment,
unification and coverage code, so a change in what the registry produces shows up as a contract failure.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from assets.matching import matching_features_frame
from data_contracts import ContractError, load_region_reference
from data_contracts.contract import default_role_book
from data_contracts.matching_settings import load_matching_settings
from data_contracts.output_contracts import (
    OUTPUT_CONTRACTS_DIR,
    OutputColumn,
    OutputContract,
    load_output_contract,
    load_output_contracts,
    validate_output,
    validate_outputs,
)
from data_contracts.roles import load_employment_model
from data_contracts.schema import conform_to_person_schema
from matching import link_records, settings_fingerprint
from matching.stable_ids import assign_worker_ids
from satupekerja.privacy.pseudonyms import DEMO_KEY, hmac_pseudonym
from satupekerja.registry.coverage import coverage_by_area, uncovered_informal_workers
from satupekerja.registry.review_queue import review_queue_table
from satupekerja.registry.unify import build_unified_workers

SNAPSHOT = date(2026, 11, 22)
PUBLISHED_TABLES = {
    "unified_workers",
    "uncovered_informal_workers",
    "coverage_by_area",
    "worker_links",
    "worker_id_history",
    "match_review_queue",
    "matching_features",
}
# A NIK-shaped value planted in broken tables: it must never appear in a problem message.
PLANTED = "3276019999999999"

BEJI = {"kelurahan_code": "32.76.01.1006", "kecamatan_code": "32.76.01"}
# (cluster, record fields): four people; a BPU member in arrears, a PBI ojol driver, a formal worker, a child.
RECORDS = [
    (
        0,
        {
            "source": "dukcapil",
            "record_id": "dukcapil:1",
            "nik": "3276015505900001",
            "kk": "3276010101080001",
            "name": "SITI AMINAH",
            "birth_date": "1990-05-15",
            "sex": "P",
            "occupation": "WIRASWASTA",
            **BEJI,
        },
    ),
    (
        0,
        {
            "source": "bpjs_ketenagakerjaan",
            "record_id": "bpjs_ketenagakerjaan:12345678901",
            "nik": "3276015505900001",
            "name": "SITI AMINAH",
            "tk_kpj": "12345678901",
            "tk_segment": "BPU",
            "tk_status": "AKTIF",
            "tk_last_paid_month": "2026-02-01",
            "tk_programs": "JKK,JKM",
            "phone": "6281234567890",
        },
    ),
    (
        1,
        {
            "source": "bpjs_kesehatan",
            "record_id": "bpjs_kesehatan:0001234567890",
            "nik": "3276012304850002",
            "name": "BUDI SANTOSO",
            "sex": "L",
            "jkn_segment": "PBI_APBD",
            "jkn_status": "AKTIF",
            "rt": "2",
            "rw": "5",
            **BEJI,
        },
    ),
    (
        1,
        {
            "source": "komunitas",
            "record_id": "komunitas:ojol_beji_2026:3",
            "name": "BUDI SANTOSO",
            "alias": "BUDI",
            "sector": "ojol",
            "phone": "6285712345678",
            "registered_date": "2026-03-01",
        },
    ),
    (
        2,
        {
            "source": "bpjs_ketenagakerjaan",
            "record_id": "bpjs_ketenagakerjaan:98765432109",
            "nik": "3276016607920003",
            "name": "DEWI LESTARI",
            "tk_kpj": "98765432109",
            "tk_segment": "PU",
            "tk_status": "AKTIF",
            "tk_last_paid_month": "2026-10-01",
            "tk_programs": "JHT,JKK,JKM,JP",
        },
    ),
    (
        3,
        {
            "source": "dukcapil",
            "record_id": "dukcapil:2",
            "nik": "3276014101150004",
            "name": "RINA",
            "birth_date": "2015-01-01",
            "sex": "P",
            "occupation": "PELAJAR/MAHASISWA",
        },
    ),
]


def build_published_tables() -> dict[str, pd.DataFrame]:
    """The restricted-tier tables the registry assets produce, from :data:`RECORDS`."""
    person_records = conform_to_person_schema(
        pd.DataFrame(
            [{"source_file": "test", "source_row": row, **fields} for row, (_, fields) in enumerate(RECORDS, 1)]
        )
    )
    clusters = pd.DataFrame({"record_id": person_records["record_id"], "cluster": [cluster for cluster, _ in RECORDS]})
    ids, history = assign_worker_ids(clusters, None, None, SNAPSHOT)
    sizes = clusters["cluster"].map(clusters["cluster"].value_counts()).astype("int64")
    worker_links = ids.assign(
        source=ids["record_id"].str.split(":", n=1).str[0],
        cluster_size=sizes.to_numpy(),
        confidence=sizes.where(sizes > 1).astype("float64").mul(6.5).to_numpy(),
    )[["record_id", "source", "worker_id", "cluster_size", "confidence"]]
    unified = build_unified_workers(
        person_records, worker_links, SNAPSHOT, default_role_book(), load_employment_model()
    )
    return {
        "unified_workers": unified,
        "uncovered_informal_workers": uncovered_informal_workers(unified),
        "coverage_by_area": coverage_by_area(unified, load_region_reference()),
        "worker_links": worker_links,
        "worker_id_history": history,
        "match_review_queue": _review_queue(person_records, worker_links),
        "matching_features": _matching_features(person_records),
    }


def _matching_features(person_records: pd.DataFrame) -> pd.DataFrame:
    """The published matching features of the records, built as the matching asset builds them."""
    settings = load_matching_settings()
    result = link_records(person_records, settings, keep_features=True)
    return matching_features_frame(result.features, settings_fingerprint(settings))


def _review_queue(person_records: pd.DataFrame, worker_links: pd.DataFrame) -> pd.DataFrame:
    """The published review queue of one uncertain pair, built as the matching asset builds it."""
    ids = person_records["record_id"].astype("str")
    engine_queue = pd.DataFrame(
        {
            "record_id_l": [ids.iloc[0]],
            "record_id_r": [ids.iloc[2]],
            "reason": ["uncertain"],
            "match_probability": [0.42],
            "match_weight": [-0.5],
            "level_name": pd.Categorical(["jaro_winkler_high"]),
            "w_name": [4.1],
            "level_nik": pd.Categorical(["else"]),
            "w_nik": [-7.2],
        }
    )
    hashes = pd.Series(hmac_pseudonym(ids, DEMO_KEY).to_numpy(), index=ids.to_numpy())
    return review_queue_table(engine_queue, person_records, worker_links, hashes)


@pytest.fixture(scope="module")
def contracts() -> dict[str, OutputContract]:
    return load_output_contracts()


@pytest.fixture(scope="module")
def published() -> dict[str, pd.DataFrame]:
    return build_published_tables()


def copy_of(published: dict[str, pd.DataFrame], table: str) -> pd.DataFrame:
    return published[table].copy(deep=True)


# -- loading ------------------------------------------------------------------------------------------------


def test_every_published_table_has_a_contract(contracts):
    assert set(contracts) == PUBLISHED_TABLES
    assert {path.stem for path in OUTPUT_CONTRACTS_DIR.glob("*.yaml")} == PUBLISHED_TABLES
    for name, contract in contracts.items():
        assert contract.table == name and contract.description and contract.columns


def test_the_small_pipeline_output_has_every_declared_column_and_no_other(contracts, published):
    for name, contract in contracts.items():
        assert list(published[name].columns) == list(contract.column_names), name


def write_contract(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "table: t\ncolumns:\n  a: {type: string, nullable: true}\n",
            "broken.yaml: columns.a: unknown key(s) ['nullable']",
        ),
        ("table: t\ncolumns:\n  a: {type: text}\n", "broken.yaml: columns.a.type: must be one of"),
        (
            "table: t\ncolumns:\n  a: {type: integer, pattern: '^1$'}\n",
            "broken.yaml: columns.a.pattern: applies to string columns only",
        ),
        ("table: t\ncolumns:\n  a: {type: string, min: 0}\n", "broken.yaml: columns.a.min: min/max apply to"),
        ("table: t\ncolumns:\n  a: {type: date, max: soon}\n", "broken.yaml: columns.a.max: must be an ISO date"),
        (
            "table: t\nunique_key: b\ncolumns:\n  a: {type: string}\n",
            "broken.yaml: unique_key: column 'b' is not declared under columns",
        ),
        ("table: t\nmin_rows: -1\ncolumns:\n  a: {type: string}\n", "broken.yaml: min_rows: must be a whole number"),
        ("columns:\n  a: {type: string}\n", "broken.yaml: table: is required"),
    ],
)
def test_a_malformed_contract_names_file_and_key(tmp_path, text, message):
    with pytest.raises(ContractError, match="^" + re.escape(message)):
        load_output_contract(write_contract(tmp_path, text))


# -- passing ------------------------------------------------------------------------------------------------


def test_a_real_small_pipeline_output_passes_every_contract(published):
    assert len(published["uncovered_informal_workers"]) == 2  # the lapsed BPU member and the PBI ojol driver
    results = validate_outputs(published)
    assert set(results) == PUBLISHED_TABLES
    assert {name: result.problems for name, result in results.items()} == {name: [] for name in PUBLISHED_TABLES}
    assert all(result.passed for result in results.values())


def test_tables_pass_after_a_parquet_round_trip(published, contracts, tmp_path):
    """What the publication step gets: the IO manager's Parquet files (lists come back as arrays, dates in ms)."""
    for name in ("unified_workers", "worker_id_history"):
        path = tmp_path / f"{name}.parquet"
        published[name].to_parquet(path)
        assert validate_output(contracts[name], pd.read_parquet(path)).problems == []


def test_tables_without_a_contract_are_skipped(published):
    results = validate_outputs({"person_records": pd.DataFrame({"x": [1]}), "worker_links": published["worker_links"]})
    assert list(results) == ["worker_links"]


# -- failing ------------------------------------------------------------------------------------------------


def first_row(frame: pd.DataFrame, column: str, value: object) -> pd.DataFrame:
    frame.loc[frame.index[0], column] = value
    return frame


Breaker = Callable[[pd.DataFrame], pd.DataFrame]

BROKEN_TABLES: list[tuple[str, Breaker, str]] = [
    (
        "unified_workers",
        lambda f: f.drop(columns="sector"),
        "unified_workers: column 'sector': rule present failed (column missing)",
    ),
    (
        "worker_links",
        lambda f: f.assign(nik=PLANTED),
        "worker_links: column(s) ['nik']: rule strict failed (not declared in the contract)",
    ),
    (
        "unified_workers",
        lambda f: first_row(f, "employment_type", pd.NA),
        "unified_workers: column 'employment_type': rule not_null failed for 1 row(s)",
    ),
    (
        "worker_links",
        lambda f: pd.concat([f, f.iloc[[0]]], ignore_index=True),
        "worker_links: column 'record_id': rule unique_key failed for 2 row(s)",
    ),
    (
        "worker_id_history",
        lambda f: pd.concat([f, f.iloc[[0]]], ignore_index=True),
        "worker_id_history: column 'snapshot_date|worker_id|event': rule unique_key failed for 2 row(s)",
    ),
    (
        "uncovered_informal_workers",
        lambda f: first_row(f, "outreach_priority", 2),
        "uncovered_informal_workers: column 'outreach_priority': rule unique failed for 2 row(s)",
    ),
    (
        "unified_workers",
        lambda f: first_row(f, "bpjs_tk_status", PLANTED),
        "unified_workers: column 'bpjs_tk_status': rule allowed ['active', 'lapsed', 'never_registered', 'not_computed'] failed for 1 row(s)",
    ),
    (
        "unified_workers",
        lambda f: first_row(f, "nik", PLANTED[:-1]),
        "unified_workers: column 'nik': rule pattern ^\\d{16}$ failed for 1 row(s)",
    ),
    (
        "unified_workers",
        lambda f: first_row(f, "match_confidence", 1.5),
        "unified_workers: column 'match_confidence': rule range 0 to 1 failed for 1 row(s)",
    ),
    (
        "unified_workers",
        lambda f: first_row(f, "months_in_arrears", -1),
        "unified_workers: column 'months_in_arrears': rule range 0 to (open) failed for 1 row(s)",
    ),
    (
        "unified_workers",
        lambda f: first_row(f, "birth_date", pd.Timestamp("1850-01-01")),
        "unified_workers: column 'birth_date': rule range 1900-01-01 to (open) failed for 1 row(s)",
    ),
    (
        "coverage_by_area",
        lambda f: first_row(f, "coverage_rate", -0.25),
        "coverage_by_area: column 'coverage_rate': rule range 0 to 1 failed for 1 row(s)",
    ),
    (
        "unified_workers",
        lambda f: f.assign(record_count=f["record_count"].astype("float64")),
        "unified_workers: column 'record_count': rule type failed (expected integer, found dtype float64)",
    ),
    (
        "unified_workers",
        lambda f: f.assign(snapshot_date=SNAPSHOT.isoformat()),
        "unified_workers: column 'snapshot_date': rule type failed (expected date, found dtype str)",
    ),
    (
        "unified_workers",
        lambda f: f.assign(record_ids=f["worker_id"]),
        "unified_workers: column 'record_ids': rule type failed (expected list, found dtype str)",
    ),
    ("worker_links", lambda f: f.iloc[0:0], "worker_links: rule min_rows 1 failed (the table has 0 rows)"),
]


def rule_id(expected: str) -> str:
    """``<table>-<rule>`` of an expected message, as the test id."""
    return f"{expected.split(':')[0]}-{expected.split(' rule ')[1].split(' ')[0]}"


@pytest.mark.parametrize(("table", "breaker", "expected"), BROKEN_TABLES, ids=[rule_id(e) for _, _, e in BROKEN_TABLES])
def test_a_broken_table_fails_naming_table_column_rule_and_rows(contracts, published, table, breaker, expected):
    result = validate_output(contracts[table], breaker(copy_of(published, table)))
    assert not result.passed
    assert result.table == table
    assert any(problem.startswith(expected) for problem in result.problems), result.problems
    assert all(problem.startswith(f"{table}: ") for problem in result.problems)
    assert PLANTED not in " ".join(result.problems) and PLANTED[:-1] not in " ".join(result.problems)


def test_no_personal_value_of_the_table_reaches_a_message(contracts, published):
    frame = copy_of(published, "unified_workers")
    frame["nik"] = frame["nik"].str.slice(0, 15)  # every NIK breaks the pattern
    frame["sex"] = frame["name"]  # every name breaks the allowed set
    problems = " ".join(validate_output(contracts["unified_workers"], frame).problems)
    assert "rule pattern" in problems and "rule allowed" in problems
    for value in (*frame["nik"].dropna(), *frame["name"].dropna()):
        assert value not in problems


def test_a_column_with_the_wrong_type_is_reported_once(contracts, published):
    frame = copy_of(published, "coverage_by_area").assign(people=lambda f: f["people"].astype("str"))
    problems = validate_output(contracts["coverage_by_area"], frame).problems
    assert [problem for problem in problems if "'people'" in problem] == [
        "coverage_by_area: column 'people': rule type failed (expected integer, found dtype str)"
    ]


def test_record_ids_may_be_an_arrow_list_column(contracts, published):
    frame = copy_of(published, "unified_workers")
    frame["record_ids"] = pd.Series(
        pd.arrays.ArrowExtensionArray(pa.array(frame["record_ids"].tolist(), type=pa.list_(pa.string())))
    )
    assert validate_output(contracts["unified_workers"], frame).problems == []
    frame.loc[0, "record_ids"] = None
    assert validate_output(contracts["unified_workers"], frame).problems == [
        "unified_workers: column 'record_ids': rule not_null failed for 1 row(s)"
    ]


# -- the vectorised checks mean what Great Expectations means ---------------------------------------------------


def test_the_vectorised_checks_find_the_same_problems_as_the_gx_suite(contracts, published):
    """Every broken table above, and the clean ones, give the same problems with ``engine="gx"``."""
    cases = [(table, breaker(copy_of(published, table))) for table, breaker, _ in BROKEN_TABLES]
    cases += [(table, copy_of(published, table)) for table in PUBLISHED_TABLES]
    for table, frame in cases:
        assert (
            validate_output(contracts[table], frame).problems
            == validate_output(contracts[table], frame, engine="gx").problems
        ), table


def test_missing_values_count_as_gx_counts_them():
    """Missing values break only not_null; a compound key ignores rows whose key is all missing; duplicates
    count every occurrence; patterns search (anchors are the contract's business); ranges are inclusive."""
    contract = OutputContract(
        table="t",
        description="",
        columns=(
            OutputColumn("code", "string", pattern=r"\d{2}", unique=True),
            OutputColumn("level", "string", allowed=("a", "b")),
            OutputColumn("n", "integer", min=0, max=10),
            OutputColumn("when", "date", min=date(2000, 1, 1)),
            OutputColumn("k1", "string"),
            OutputColumn("k2", "string"),
        ),
        unique_key=("k1", "k2"),
        min_rows=7,
    )
    frame = pd.DataFrame(
        {
            "code": pd.Series(["x12y", "ab", None, None, "12", "12"], dtype="str"),
            "level": pd.Series(["a", "c", None, "b", "A", None], dtype="str"),
            "n": pd.Series([0, 10, 11, -1, 5, 5], dtype="int64"),
            "when": pd.to_datetime(["2000-01-01", None, "1999-12-31", None, "2020-05-05", "1999-01-01"]),
            "k1": pd.Series([None, None, "a", "a", "b", None], dtype="str"),
            "k2": pd.Series([None, None, "x", "x", None, "y"], dtype="str"),
        }
    )
    expected = [
        "t: column 'code': rule pattern \\d{2} failed for 1 row(s)",
        "t: column 'code': rule unique failed for 2 row(s)",
        "t: column 'level': rule allowed ['a', 'b'] failed for 2 row(s)",
        "t: column 'n': rule range 0 to 10 failed for 2 row(s)",
        "t: column 'when': rule range 2000-01-01 to (open) failed for 2 row(s)",
        "t: rule min_rows 7 failed (the table has 6 rows)",
        "t: column 'k1|k2': rule unique_key failed for 2 row(s)",
    ]
    assert validate_output(contract, frame).problems == expected
    assert validate_output(contract, frame, engine="gx").problems == expected
