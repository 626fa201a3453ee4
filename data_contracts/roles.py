"""Source roles: what the pipeline does differently per source, as declared in each contract's ``roles`` block.

Nothing downstream of the contracts (coverage, survivorship, publication guards, asset groups) tests a source id:
it asks the :class:`RoleBook` built from the loaded contracts. The YAML keys are documented in
``docs/contracts.md`` ("Source roles").

- ``system``: the asset group (agency or system) the source belongs to; default ``city_registries``.
- ``survivorship_rank``: tie-break order between sources in the golden record (1 = most authoritative; sources
  without a rank come after every ranked one).
- ``identity_authority``: its identity values (NIK, name, birth date...) win over every other source's.
- ``membership_register``: BPJS Ketenagakerjaan cover is read from this source (one or several may be declared;
  with none, coverage is not computed).
- ``sector``: the trade code its records imply when they name none (a market-trader list implies ``pedagang_pasar``).
- ``employment_evidence``: evidence of an employment category given by the source itself (every record) or by a
  column's values (exact values or regular expressions), with a strength, a label and the date that tells how
  old the evidence is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from data_contracts.contract import Contract

CATEGORIES = ("formal", "informal", "not_working")
DEFAULT_SYSTEM = "city_registries"
DEFAULT_EVIDENCE_DATE = "registered_date"
_PLACEHOLDER = re.compile(r"\{([a-z_]+)(?:\|([^}|]*))?(?:\|(lower|upper))?\}")


@dataclass(frozen=True)
class EvidenceRule:
    """One piece of employment evidence a source gives.

    Without ``field``, every record of the source is evidence of ``category``. With ``field``, the person-schema
    field's value decides: ``values`` (value → category, compared ignoring case) or ``patterns`` (category,
    regular expression on the upper-cased value; first match wins); records whose value matches nothing give no
    evidence. ``when`` keeps only records whose fields hold one of the listed values, ``unless`` drops them.
    ``label`` may name person fields as ``{field}``, ``{field|text if empty}`` or ``{field|text if empty|lower}``
    (or ``upper``). ``date`` is the person field
    telling how old the evidence is: evidence dated after the snapshot never counts, and with ``max_age_months``
    evidence older than that many months before the snapshot does not count either (undated evidence counts).
    """

    strength: int
    label: str
    category: str | None = None
    field: str | None = None
    values: tuple[tuple[str, str], ...] = ()
    patterns: tuple[tuple[str, str], ...] = ()
    when: tuple[tuple[str, tuple[str, ...]], ...] = ()
    unless: tuple[tuple[str, tuple[str, ...]], ...] = ()
    date: str = DEFAULT_EVIDENCE_DATE
    max_age_months: int | None = None

    def fields_read(self) -> set[str]:
        """Person-schema fields this rule reads."""
        names = {self.date, *(name for name, _ in self.when), *(name for name, _ in self.unless)}
        if self.field:
            names.add(self.field)
        names.update(match.group(1) for match in _PLACEHOLDER.finditer(self.label))
        return names

    def categories(self, records: pd.DataFrame) -> pd.Series:
        """The category each record gives (NA where it gives none)."""
        index = records.index
        if self.field is None:
            category = pd.Series(self.category, index=index, dtype="str")
        elif self.values:
            lookup = {str(key).casefold(): value for key, value in self.values}
            category = records[self.field].str.casefold().map(lookup).astype("str")
        else:
            category = _first_pattern(records[self.field].str.upper(), self.patterns)
        for name, allowed in self.when:
            category = category.where(records[name].isin(allowed).fillna(False).astype(bool))
        for name, refused in self.unless:
            category = category.where(~records[name].isin(refused).fillna(False).astype(bool))
        return category

    def labels(self, records: pd.DataFrame) -> pd.Series:
        """The label of each record: the template with its ``{field}`` placeholders filled."""
        parts = _PLACEHOLDER.split(self.label)
        out = pd.Series(parts[0], index=records.index, dtype="str")
        for position in range(1, len(parts), 4):
            name, default, case, text = parts[position : position + 4]
            values = records[name].astype("str")
            values = values.fillna(default) if default is not None else values
            values = values.str.lower() if case == "lower" else values.str.upper() if case == "upper" else values
            out = out + values + text
        return out


def _first_pattern(values: pd.Series, patterns: tuple[tuple[str, str], ...]) -> pd.Series:
    """The category of the first pattern each value matches (NA when none does), computed on distinct values."""
    distinct = pd.Series(values.dropna().unique(), dtype="str")
    matched = pd.Series(pd.NA, index=distinct.index, dtype="str")
    for category, pattern in patterns:
        matched = matched.mask(matched.isna() & distinct.str.contains(pattern, regex=True), category)
    return values.map(dict(zip(distinct, matched, strict=True))).astype("str")


@dataclass(frozen=True)
class SourceRoles:
    """The roles one contract declares (all optional)."""

    system: str | None = None
    survivorship_rank: int | None = None
    identity_authority: bool = False
    membership_register: bool = False
    sector: str | None = None
    employment_evidence: tuple[EvidenceRule, ...] = ()


@dataclass(frozen=True)
class RoleBook:
    """Every source's roles, by source id: what coverage, survivorship, guards and asset groups ask."""

    roles: Mapping[str, SourceRoles] = field(default_factory=dict)

    @classmethod
    def from_contracts(cls, contracts: Mapping[str, Contract]) -> RoleBook:
        return cls({source: contract.roles for source, contract in contracts.items()})

    def get(self, source: str) -> SourceRoles:
        return self.roles.get(source, SourceRoles())

    def system(self, source: str) -> str:
        """The asset group of ``source``: its declared ``system``, else ``city_registries``."""
        return self.get(source).system or DEFAULT_SYSTEM

    @property
    def membership_registers(self) -> tuple[str, ...]:
        """Sources declared ``membership_register: true``, sorted; empty means coverage is not computed."""
        return tuple(sorted(s for s, r in self.roles.items() if r.membership_register))

    @property
    def identity_authorities(self) -> tuple[str, ...]:
        return tuple(sorted(s for s, r in self.roles.items() if r.identity_authority))

    def rank(self, sources: pd.Series) -> pd.Series:
        """Survivorship rank of each source (lower wins); unranked and unknown sources rank after every ranked one."""
        ranked = {s: r.survivorship_rank for s, r in self.roles.items() if r.survivorship_rank is not None}
        last = max(ranked.values(), default=0) + 1
        return sources.map(ranked).fillna(last).astype("int64")

    def evidence_rules(self) -> list[tuple[str, EvidenceRule]]:
        """``(source, rule)`` for every declared employment-evidence rule, sources in id order."""
        return [(source, rule) for source in sorted(self.roles) for rule in self.roles[source].employment_evidence]

    def evidence_fields(self) -> set[str]:
        return {name for _, rule in self.evidence_rules() for name in rule.fields_read()}


def default_role_book() -> RoleBook:
    """Roles of the shipped contracts (this package's folder)."""
    from data_contracts.contract import load_contracts

    return RoleBook.from_contracts(load_contracts())
