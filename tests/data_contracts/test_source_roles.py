"""Source roles declared in the contracts: parsing, misuse errors, and no source id left as a literal in code."""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest

from data_contracts import ContractError, load_contract, load_contracts
from data_contracts.contract import PACKAGE_DIR
from data_contracts.roles import EvidenceRule, RoleBook, SourceRoles, load_employment_model
from data_contracts.schema import conform_to_person_schema

REPO = PACKAGE_DIR.parent
PRODUCT_PACKAGES = ("satupekerja", "assets", "pipelines", "matching")

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


def write(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "test_feed.yaml"
    path.write_text(MINIMAL + extra, encoding="utf-8")
    return path


# -- no source id as a literal in product code --------------------------------------------------------------


def source_literals(code: str, sources: set[str]) -> list[tuple[int, str]]:
    """``(line, literal)`` for every string constant that is a source id or starts with ``<source id>:``."""
    found = []
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            value = node.value
            if value in sources or any(value.startswith(f"{source}:") for source in sources):
                found.append((node.lineno, value))
    return found


def test_the_literal_scanner_finds_a_source_id() -> None:
    sources = {"dukcapil", "komunitas"}
    assert source_literals('x = records["source"].eq("dukcapil")', sources) == [(1, "dukcapil")]
    assert source_literals('label = "komunitas:" + sector', sources) == [(1, "komunitas:")]
    assert source_literals('"""A docstring naming dukcapil in prose."""', sources) == []


def test_no_source_id_is_a_literal_in_product_code() -> None:
    """What a source does is declared in its contract's roles, never decided by its id in Python.

    A contract's implied sector code (``roles.sector``) is a data value that may coincide with a source id
    (``pedagang_pasar``): those are allowed."""
    contracts = load_contracts(PACKAGE_DIR)
    sector_codes = {c.roles.sector for c in contracts.values() if c.roles.sector}
    sources = set(contracts) - sector_codes
    offending = []
    for package in PRODUCT_PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            for line, literal in source_literals(path.read_text(encoding="utf-8"), sources):
                offending.append(f"{path.relative_to(REPO)}:{line}: {literal!r}")
    assert offending == []


# -- the shipped roles ---------------------------------------------------------------------------------------


def test_shipped_contracts_declare_the_depok_roles() -> None:
    book = RoleBook.from_contracts(load_contracts(PACKAGE_DIR))
    assert book.membership_registers == ("bpjs_ketenagakerjaan",)
    assert book.identity_authorities == ("dukcapil",)
    assert book.system("disnaker_pelatihan") == "disnaker"
    assert book.system("komunitas") == "city_registries"
    ranks = book.rank(pd.Series(["dukcapil", "komunitas", "a_new_feed"]))
    assert ranks.tolist() == [1, 9, 10]


def test_roles_are_parsed(tmp_path: Path) -> None:
    contract = load_contract(
        write(
            tmp_path,
            """\
roles:
  system: ojol_lists
  survivorship_rank: 4
  membership_register: true
  sector: ojol
  employment_evidence:
    - category: informal
      strength: 2
      label: 'ojol:{sector|daftar}'
      date: registered_date
      max_age_months: 24
    - field: occupation
      values: {PNS: formal}
      strength: 1
      label: 'kerja:{occupation||lower}'
""",
        )
    )
    roles = contract.roles
    assert (roles.system, roles.survivorship_rank, roles.membership_register, roles.sector) == (
        "ojol_lists",
        4,
        True,
        "ojol",
    )
    assert roles.employment_evidence[0] == EvidenceRule(
        strength=2, label="ojol:{sector|daftar}", category="informal", max_age_months=24
    )
    assert roles.employment_evidence[1].values == (("PNS", "formal"),)


def test_cell_weights_are_parsed_by_sex_and_age_band(tmp_path: Path) -> None:
    contract = load_contract(
        write(
            tmp_path,
            """\
roles:
  employment_evidence:
    - field: jkn_segment
      values: {PBPU: informal}
      holder: {field: jkn_relation, own: [PESERTA]}
      strength: 1
      label: x
      weights: {informal: 1.0}
      weights_by: [sex, age_band]
      cell_weights:
        'P 23': {informal: -0.5}
        'L 17': {informal: 0.25}
      dependant_cell_weights: {'P 0': {informal: 1}}
    - category: informal
      strength: 1
      label: y
      weights_by: [age_band]
      cell_weights: {65: {informal: -1}}
""",
        )
    )
    first, second = contract.roles.employment_evidence
    assert first.weights_by == ("sex", "age_band")
    assert first.cell_weights == (
        ("dependant", "P", 0, "informal", 1.0),
        ("own", "L", 17, "informal", 0.25),
        ("own", "P", 23, "informal", -0.5),
    )
    assert second.cell_weights == (("own", "", 65, "informal", -1.0),)


@pytest.mark.parametrize(
    ("extra", "key"),
    [
        ("roles: {survivorship_rank: 0}", "roles.survivorship_rank"),
        ("roles: {membership_register: 'yes'}", "roles.membership_register"),
        ("roles: {system: Dinas Sosial}", "roles.system"),
        ("roles: {sector: Ojek Online}", "roles.sector"),
        ("roles: {employer: x}", "roles"),
        (
            "roles: {employment_evidence: [{category: informal, strength: 1, label: x, weights: {busy: 1}}]}",
            "roles.employment_evidence[0].weights.busy",
        ),
        (
            "roles: {employment_evidence: [{category: informal, strength: 1, label: x, half_life_months: 0}]}",
            "roles.employment_evidence[0].half_life_months",
        ),
        (
            "roles: {employment_evidence: [{category: informal, strength: 1, label: x, holder: {field: jkn_relation}}]}",
            "roles.employment_evidence[0].holder",
        ),
        (
            "roles: {employment_evidence: [{category: informal, strength: 1, label: x, "
            "separate_weights: {informal: 1}}]}",
            "roles.employment_evidence[0].separate_weights",
        ),
        ("roles: {employment_evidence: [{category: informal, label: x}]}", "roles.employment_evidence[0].strength"),
        (
            "roles: {employment_evidence: [{category: busy, strength: 1, label: x}]}",
            "roles.employment_evidence[0].category",
        ),
        (
            "roles: {employment_evidence: [{field: pekerjaan, values: {A: formal}, strength: 1, label: x}]}",
            "roles.employment_evidence[0].field",
        ),
        ("roles: {employment_evidence: [{field: occupation, strength: 1, label: x}]}", "roles.employment_evidence[0]"),
        (
            "roles: {employment_evidence: [{field: occupation, values: {A: busy}, strength: 1, label: x}]}",
            "roles.employment_evidence[0].values",
        ),
        (
            "roles: {employment_evidence: [{field: occupation, patterns: [{formal: '('}], strength: 1, label: x}]}",
            "roles.employment_evidence[0].patterns[0]",
        ),
        (
            "roles: {employment_evidence: [{category: informal, strength: 1, label: 'x:{pekerjaan}'}]}",
            "roles.employment_evidence[0].label",
        ),
        (
            "roles: {employment_evidence: [{category: informal, strength: 1, label: x, date: name}]}",
            "roles.employment_evidence[0].date",
        ),
        (
            "roles: {employment_evidence: [{category: informal, strength: 1, label: x, when: {status: A}}]}",
            "roles.employment_evidence[0].when.status",
        ),
        (
            "roles: {employment_evidence: [{category: informal, strength: 1, label: x, "
            "cell_weights: {'P 23': {informal: 1}}}]}",
            "roles.employment_evidence[0].cell_weights",
        ),
        (
            "roles: {employment_evidence: [{category: informal, strength: 1, label: x, weights_by: [sex, income]}]}",
            "roles.employment_evidence[0].weights_by",
        ),
        (
            "roles: {employment_evidence: [{category: informal, strength: 1, label: x, weights_by: [sex, age_band], "
            "cell_weights: {'W 23': {informal: 1}}}]}",
            "roles.employment_evidence[0].cell_weights.W 23",
        ),
        (
            "roles: {employment_evidence: [{category: informal, strength: 1, label: x, weights_by: [sex, age_band], "
            "cell_weights: {P: {informal: 1}}}]}",
            "roles.employment_evidence[0].cell_weights.P",
        ),
        (
            "roles: {employment_evidence: [{category: informal, strength: 1, label: x, weights_by: [age_band], "
            "cell_weights: {muda: {informal: 1}}}]}",
            "roles.employment_evidence[0].cell_weights.muda",
        ),
        (
            "roles: {employment_evidence: [{category: informal, strength: 1, label: x, weights_by: [sex], "
            "cell_weights: {P: {busy: 1}}}]}",
            "roles.employment_evidence[0].cell_weights.P.busy",
        ),
        (
            "roles: {employment_evidence: [{category: informal, strength: 1, label: x, weights_by: [sex], "
            "dependant_cell_weights: {P: {informal: 1}}}]}",
            "roles.employment_evidence[0].dependant_cell_weights",
        ),
    ],
)
def test_misused_roles_name_the_key(tmp_path: Path, extra: str, key: str) -> None:
    with pytest.raises(ContractError, match=re.escape(f"test_feed.yaml: {key}: ")):
        load_contract(write(tmp_path, extra + "\n"))


# -- evidence rules on records -------------------------------------------------------------------------------


def test_evidence_rules_give_categories_and_labels() -> None:
    records = conform_to_person_schema(
        pd.DataFrame(
            {
                "source": ["x"] * 4,
                "record_id": ["x:1", "x:2", "x:3", "x:4"],
                "source_file": "f",
                "source_row": [1, 2, 3, 4],
                "tk_segment": ["PU", "PU", "BPU", pd.NA],
                "tk_status": ["AKTIF", "NONAKTIF", pd.NA, pd.NA],
            }
        )
    )
    active = EvidenceRule(
        strength=3,
        label="tk:{tk_segment} aktif",
        field="tk_segment",
        values=(("PU", "formal"),),
        when=(("tk_status", ("AKTIF",)),),
    )
    ended = EvidenceRule(
        strength=1,
        label="tk:{tk_segment|?} {tk_status|tidak diketahui|lower}",
        field="tk_segment",
        values=(("pu", "formal"), ("bpu", "informal")),
        unless=(("tk_status", ("AKTIF",)),),
    )
    given = active.categories(records)
    assert given.iloc[0] == "formal" and given.isna().tolist() == [False, True, True, True]
    assert ended.categories(records).tolist()[1:3] == ["formal", "informal"]
    assert ended.labels(records).tolist() == [
        "tk:PU aktif",
        "tk:PU nonaktif",
        "tk:BPU tidak diketahui",
        "tk:? tidak diketahui",
    ]


def test_evidence_date_and_age_limit() -> None:
    from satupekerja.registry.coverage import employment_type

    rule = EvidenceRule(strength=2, label="daftar", category="informal", max_age_months=12)
    book = RoleBook({"lists": SourceRoles(employment_evidence=(rule,))})
    records = conform_to_person_schema(
        pd.DataFrame(
            {
                "source": "lists",
                "record_id": ["l:1", "l:2", "l:3", "l:4"],
                "source_file": "f",
                "source_row": [1, 2, 3, 4],
                "registered_date": pd.to_datetime(["2025-06-01", "2023-01-01", "2025-08-01", None]),
            }
        )
    ).assign(worker_index=[0, 1, 2, 3])
    snapshot = pd.Timestamp(dt.date(2025, 6, 30))
    out = employment_type(records, pd.Series([pd.NA] * 4, dtype="Int64"), 4, book, snapshot, load_employment_model())
    # in time; older than 12 months; dated after the snapshot; undated (counts)
    assert out["employment_type"].tolist() == ["informal", "unknown", "unknown", "informal"]
