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
  old the evidence is; for the probability of informal work, its weight (log-odds per category), the half-life
  that ages it, and whose it is (``holder``: a dependant's JKN card is the head's evidence).

The prior of that probability (by age), the weights of rules that declare none, and the threshold are declared
in the employment-model settings file (:class:`EmploymentModel`, ``data_contracts/employment/depok.yaml``).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd
import yaml

from data_contracts.schema import PERSON_SCHEMA

CATEGORIES = ("formal", "informal", "not_working")
#: What a rule's weights may vary by (``weights_by``): the holder's stated sex (``L``/``P``) and the employment
#: model's age band (the ``prior_by_age`` bands, named by the age they start at).
CELL_DIMENSIONS = ("sex", "age_band")
SEXES = ("L", "P")
#: The kinds of piece a cell weight applies to: ``cell_weights`` (own), ``dependant_cell_weights``,
#: ``separate_cell_weights``.
CELL_KINDS = ("own", "dependant", "separate")
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
    #: Log-odds of informal work each category adds at full strength (a fresh piece of the person's own evidence).
    weights: tuple[tuple[str, float], ...] = ()
    #: The same when ``holder`` says the record is someone else's (a dependant on the head's card).
    dependant_weights: tuple[tuple[str, float], ...] = ()
    #: The same for the person's own record (``holder``) while their household (the employment model's
    #: ``household_field``) has dependants on a card whose ``field`` holds another value: a registration of their
    #: own beside the family's card (a non-working spouse or child is on the head's card, Perpres 82/2018).
    separate_weights: tuple[tuple[str, float], ...] = ()
    #: What a piece is worth once very old: with a half-life, the weight moves from ``weights`` (fresh) towards
    #: these (default 0: old evidence says nothing), halving the distance every ``half_life_months``.
    stale_weights: tuple[tuple[str, float], ...] = ()
    #: ``(field, own values)``: the record is the person's own evidence when the field holds one of the values,
    #: a dependant's (the head's evidence) when it holds another; unknown (empty) counts as own.
    holder: tuple[str, tuple[str, ...]] | None = None
    #: The weight halves every ``half_life_months`` of the evidence's age (from ``date`` to the snapshot).
    half_life_months: float | None = None
    #: What the weights vary by (:data:`CELL_DIMENSIONS`): with ``weights_by``, ``cell_weights`` add log-odds to a
    #: piece by the cell of the person it counts for (their sex and the model's age band).
    weights_by: tuple[str, ...] = ()
    #: ``(kind, sex or "", band start or -1, category, log-odds)``: added to the piece's contribution (whatever its
    #: age) when the person is of that sex (``""``: any) and in the age band starting at that age (``-1``: any);
    #: ``kind`` is the piece's holder (:data:`CELL_KINDS`: own, a dependant's, own beside the family's card).
    cell_weights: tuple[tuple[str, str, int, str, float], ...] = ()
    #: The evidence date is ``date`` plus this many years (e.g. a KTP recorded at 17 at the earliest)...
    date_shift_years: int = 0
    #: ...and not before this day (e.g. the 2011 start of the e-KTP recording).
    date_not_before: dt.date | None = None

    def fields_read(self) -> set[str]:
        """Person-schema fields this rule reads."""
        names = {self.date, *(name for name, _ in self.when), *(name for name, _ in self.unless)}
        if self.field:
            names.add(self.field)
        if self.holder:
            names.add(self.holder[0])
        names.update(match.group(1) for match in _PLACEHOLDER.finditer(self.label))
        return names

    def cell_bands(self) -> set[int]:
        """The age bands (by start) the rule's cell weights name."""
        return {band for _, _, band, _, _ in self.cell_weights if band >= 0}

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

    def evidence_dates(self, records: pd.DataFrame) -> pd.Series:
        """The date each record's evidence dates from (``date``, shifted and floored as declared; NaT if unknown)."""
        dates = pd.to_datetime(records[self.date])
        if self.date_shift_years:
            dates = dates + pd.DateOffset(years=self.date_shift_years)
        if self.date_not_before is not None:
            dates = dates.where(
                dates.isna() | (dates >= pd.Timestamp(self.date_not_before)), pd.Timestamp(self.date_not_before)
            )
        return dates

    def recency(self, age_months: pd.Series) -> pd.Series:
        """The share of its weight a piece keeps at each age in months: ``0.5 ** (age / half_life)``, 1 when
        undated or without a half-life, never above 1 (evidence from the future does not count more)."""
        factor = pd.Series(1.0, index=age_months.index)
        if self.half_life_months is None:
            return factor
        age = pd.to_numeric(age_months, errors="coerce").astype("float64").clip(lower=0)
        return factor.mask(age.notna(), 0.5 ** (age / self.half_life_months))

    def dependant(self, records: pd.DataFrame) -> pd.Series:
        """True where the record is someone else's evidence (``holder`` field known and not an own value)."""
        if self.holder is None:
            return pd.Series(False, index=records.index)
        name, own = self.holder
        values = records[name].astype("str").str.upper()
        return (values.notna() & ~values.isin([v.upper() for v in own])).fillna(False).astype(bool)

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


class DeclaresRoles(Protocol):
    """What :meth:`RoleBook.from_contracts` needs of a contract (:class:`data_contracts.contract.Contract`), so this
    module does not import the contract module, which imports it."""

    @property
    def roles(self) -> SourceRoles: ...


@dataclass(frozen=True)
class RoleBook:
    """Every source's roles, by source id: what coverage, survivorship, guards and asset groups ask."""

    roles: Mapping[str, SourceRoles] = field(default_factory=dict)

    @classmethod
    def from_contracts(cls, contracts: Mapping[str, DeclaresRoles]) -> RoleBook:
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


def _check_number(value: Any, where: str, *, minimum: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{where}: must be a number")
    if minimum is not None and value < minimum:
        raise ValueError(f"{where}: must be >= {minimum}")
    return float(value)


@dataclass(frozen=True)
class EmploymentModel:
    """How the pieces of evidence combine into the probability that a person works informally.

    ``log_odds = prior(age, sex) + sum(weight * recency)`` over the distinct pieces (see
    :mod:`satupekerja.registry.coverage`);
    ``probability = 1 / (1 + exp(-log_odds))``. ``prior_by_age``: ``(from age, log-odds)`` in increasing age,
    the last band whose age the person has reached applies; ``prior_unknown_age`` when the birth date is unknown.
    ``default_weights``: ``(category, strength) → log-odds`` for rules that declare no ``weights``.
    ``threshold``: a person is an informal worker (and, uncovered, listed) from this probability on.
    """

    prior_by_age: tuple[tuple[int, float], ...] = ((0, -1.0),)
    prior_unknown_age: float = -1.0
    #: Log-odds added to the prior by stated sex (``L``/``P``; unknown adds nothing), by age band like
    #: ``prior_by_age`` (``(sex, from age, log-odds)``; a single number in the file is one band from age 0).
    prior_by_sex: tuple[tuple[str, int, float], ...] = ()
    default_weights: tuple[tuple[tuple[str, int], float], ...] = ()
    threshold: float = 0.5
    #: An uncovered informal worker whose informal work is not confirmed (outreach tier ``kemungkinan``) is listed
    #: from this probability on (None: from ``threshold``); a ``pasti`` one from ``threshold``.
    kemungkinan_threshold: float | None = None
    #: Person field grouping a person's household (the family card number, ``kk``): a rule's
    #: ``separate_weights`` apply when a household member is a dependant on a card of another kind.
    household_field: str | None = None
    source: str = "(built in)"

    def prior(self, age: pd.Series, sex: pd.Series | None = None) -> pd.Series:
        """Prior log-odds for each age (NA age → ``prior_unknown_age``), plus the stated sex's term."""
        out = pd.Series(self.prior_unknown_age, index=age.index, dtype="float64")
        known = age.notna()
        years = age[known].astype("int64")
        for start, log_odds in self.prior_by_age:
            out[known] = out[known].mask(years.ge(start), log_odds)
        if sex is not None and self.prior_by_sex:
            term = pd.Series(0.0, index=age.index, dtype="float64")
            stated = pd.Series(sex.to_numpy(), index=age.index).eq
            bands = pd.Series([name for name, _, _ in self.prior_by_sex]).value_counts()
            for name, start, log_odds in self.prior_by_sex:
                # unknown age: only a term declared for every age (a single number) applies
                reached = age.ge(start).fillna(bool(bands[name] == 1)).astype(bool)
                term = term.mask(stated(name).fillna(False).astype(bool) & reached, log_odds)
            out = out + term.to_numpy()
        return out

    @property
    def age_bands(self) -> tuple[int, ...]:
        """The starts of the prior's age bands, increasing: the bands a rule's ``cell_weights`` name."""
        return tuple(start for start, _ in self.prior_by_age)

    def age_band(self, age: pd.Series) -> pd.Series:
        """The start of each age's band (``prior_by_age``), -1 where the age is unknown."""
        starts = np.array(self.age_bands, dtype="int64")
        known = age.notna().to_numpy()
        years = age.fillna(0).to_numpy(dtype="int64")
        band = starts[np.clip(np.searchsorted(starts, years, side="right") - 1, 0, None)]
        return pd.Series(np.where(known, band, -1), index=age.index, dtype="int64")

    def check_rules(self, rules: list[tuple[str, EvidenceRule]]) -> None:
        """Every age band a rule's cell weights name must be one of this model's bands (they are the prior's)."""
        seen: dict[str, int] = {}
        for source, rule in rules:
            number = seen[source] = seen.get(source, -1) + 1
            unknown = sorted(rule.cell_bands() - set(self.age_bands))
            if unknown:
                raise ValueError(
                    f"{source}: roles.employment_evidence[{number}]: age band {unknown[0]} is not one of the "
                    f"employment model's ({self.source}) age bands {list(self.age_bands)} (prior_by_age)"
                )

    def default_weight(self, category: str, strength: int) -> float:
        """Weight of a rule without declared weights: the declared default of the category at the nearest
        strength at or below (0 when none)."""
        table = dict(self.default_weights)
        for level in range(strength, 0, -1):
            if (category, level) in table:
                return table[(category, level)]
        return 0.0


DEFAULT_EMPLOYMENT_MODEL_PATH = Path(__file__).parent / "employment" / "depok.yaml"


def load_employment_model(path: Path | str | None = None) -> EmploymentModel:
    """Read the employment-model settings file (default: the shipped ``data_contracts/employment/depok.yaml``).

    Errors name the file and the key.
    """
    path = Path(path) if path is not None else DEFAULT_EMPLOYMENT_MODEL_PATH
    try:
        block = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise ValueError(f"{path}: cannot read the employment-model settings ({type(error).__name__})") from None
    try:
        return parse_employment_model(block, source=str(path))
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from None


def parse_employment_model(block: Any, source: str = "(mapping)") -> EmploymentModel:
    """An :class:`EmploymentModel` from its YAML mapping (see ``docs/contracts.md``, "Employment model")."""
    if not isinstance(block, dict):
        raise ValueError("must be a mapping")
    unknown = set(block) - {
        "prior_by_age",
        "prior_unknown_age",
        "prior_by_sex",
        "default_weights",
        "threshold",
        "kemungkinan_threshold",
        "household_field",
    }
    if unknown:
        raise ValueError(f"{sorted(unknown)[0]}: unknown key")
    bands = block.get("prior_by_age")
    if not isinstance(bands, dict) or not bands:
        raise ValueError("prior_by_age: must map 'from age' (whole years) to log-odds, e.g. {0: -9.0, 15: -1.5}")
    prior = []
    for start, log_odds in bands.items():
        if isinstance(start, bool) or not isinstance(start, int) or start < 0:
            raise ValueError(f"prior_by_age.{start}: the age must be a whole number >= 0")
        prior.append((start, _check_number(log_odds, f"prior_by_age.{start}")))
    prior.sort()
    if prior[0][0] != 0:
        raise ValueError("prior_by_age: the first band must start at age 0")
    defaults = []
    for category, by_strength in (block.get("default_weights") or {}).items():
        if category not in CATEGORIES:
            raise ValueError(f"default_weights.{category}: not one of {'|'.join(CATEGORIES)}")
        if not isinstance(by_strength, dict):
            raise ValueError(f"default_weights.{category}: must map strength to log-odds")
        for strength, weight in by_strength.items():
            if isinstance(strength, bool) or not isinstance(strength, int) or strength < 1:
                raise ValueError(f"default_weights.{category}.{strength}: the strength must be a whole number >= 1")
            defaults.append(((category, strength), _check_number(weight, f"default_weights.{category}.{strength}")))
    by_sex = block.get("prior_by_sex") or {}
    if not isinstance(by_sex, dict) or not set(by_sex) <= {"L", "P"}:
        raise ValueError("prior_by_sex: must map L and/or P to log-odds (or to {from age: log-odds})")
    sex_terms = []
    for key, value in by_sex.items():
        bands_of_sex = value if isinstance(value, dict) else {0: value}
        for start, log_odds in bands_of_sex.items():
            if isinstance(start, bool) or not isinstance(start, int) or start < 0:
                raise ValueError(f"prior_by_sex.{key}.{start}: the age must be a whole number >= 0")
            sex_terms.append((key, start, _check_number(log_odds, f"prior_by_sex.{key}.{start}")))
    household = block.get("household_field")
    if household is not None and (not isinstance(household, str) or household not in PERSON_SCHEMA):
        raise ValueError("household_field: must be a person-schema field name (e.g. kk)")
    threshold = _check_number(block.get("threshold", 0.5), "threshold", minimum=0.0)
    if not 0 < threshold < 1:
        raise ValueError("threshold: must be a probability strictly between 0 and 1")
    kemungkinan = block.get("kemungkinan_threshold")
    if kemungkinan is not None:
        kemungkinan = _check_number(kemungkinan, "kemungkinan_threshold", minimum=threshold)
        if not kemungkinan < 1:
            raise ValueError("kemungkinan_threshold: must be a probability from threshold up to (not including) 1")
    return EmploymentModel(
        prior_by_age=tuple(prior),
        prior_unknown_age=_check_number(block.get("prior_unknown_age", prior[-1][1]), "prior_unknown_age"),
        prior_by_sex=tuple(sorted(sex_terms)),
        default_weights=tuple(sorted(defaults)),
        threshold=threshold,
        kemungkinan_threshold=kemungkinan,
        household_field=household,
        source=source,
    )
