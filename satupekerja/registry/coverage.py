"""Employment type, BPJS Ketenagakerjaan cover and outreach flags, all as of a snapshot date (never the clock).

Only evidence known on the snapshot date counts: source records whose ``registered_date`` is after the
snapshot are ignored (undated records count).

Which source does what is declared in the contracts (``roles``, see ``docs/contracts.md`` and
:mod:`data_contracts.roles`), never tested here by source id.

**Probability of informal work** (``informal_probability``, published with ``informal_evidence``). Every source
record can give a piece of evidence of a category, as its contract's ``roles.employment_evidence`` declares, and
each piece carries a weight in log-odds of informal work (:mod:`data_contracts.roles`, ``docs/contracts.md``):

- *how recent it is*: the rule's ``date`` (e.g. the last paid month of a TK membership; for the KTP occupation,
  which Dukcapil does not date, the birth date plus 17 years, not before the 2011 e-KTP recording) gives the
  piece's age; its weight moves from ``weights`` (fresh) to ``stale_weights`` (default 0), halving the distance
  every ``half_life_months``. A PU membership that lapsed years ago or a KTP occupation from 2012 says little.
- *whose it is*: with ``holder`` (the JKN card's ``jkn_relation``: PESERTA or ISTRI/SUAMI/ANAK) a family member's
  piece is the head's evidence and weighs ``dependant_weights``. A source without that column counts as own. The
  person's own card while someone of their household (the model's ``household_field``: the same family card, KK)
  is a dependant on a card of another kind (another JKN segment) weighs ``separate_weights``: a registration of
  their own beside the family's card.

The pieces combine as naive Bayes: ``log-odds = prior(age band, sex by age band) + sum of the pieces`` (per rule,
category and holder only the largest piece counts: a duplicate record repeats, it does not add), ``probability = 1 / (1 +
exp(-log-odds))``. The prior, the weights of rules declaring none and the ``threshold`` are in the employment-model
settings file (``data_contracts/employment/depok.yaml``). The weights were fitted on generated data of another
seed (``benchmarks/flag_fit.py``) and are checked for calibration (reliability table, Brier score) by
``benchmarks/flag_bench.py``; nothing here needs the truth.

**Employment type** (``formal`` / ``informal`` / ``not_working`` / ``unknown``): ``informal`` when the probability
reaches the threshold; otherwise the strongest statement of another category decides (each rule's ``strength``;
among equal strength the category with more distinct pieces, then ``not_working`` > ``formal``), and with none
``unknown``. Besides, in code for every register: a child below ``MIN_WORKING_AGE`` (15, BPS working age) on the
snapshot date is not_working at strength 2 (its prior makes informal work all but impossible).

**BPJS TK status** (``active`` / ``lapsed`` / ``never_registered``). A TK record is active when its status is
AKTIF, except that a BPU member more than ``BPU_LAPSE_MONTHS`` (3) consecutive months in arrears has lapsed
whatever the status says. ``months_in_arrears`` counts the months from the last paid month to the snapshot's
month (paid through October: snapshot in October → 0, in January → 3, still active; in February → 4, lapsed).
A worker is active when any TK record is; otherwise lapsed when there is a TK record; otherwise never registered.
TK records are read only from the sources declared ``membership_register: true``. With no membership register
declared (a register that is only deduplicated), cover is not computed: ``bpjs_tk_status`` is ``not_computed``
for everyone, nobody is listed as uncovered, and the coverage rates are empty (NaN).

**Vulnerable**: a PBI member (contributions paid by the state: APBN, or the city: APBD), or a PBPU member whose
JKN is NONAKTIF (stopped paying for health cover). Candidates for BPU contributions paid by the city or CSR.

**Outreach tier** (uncovered informal workers only): ``pasti`` when the person's own evidence confirms informal
work (an informal-work register, a trader or community list, a BPU/JAKON membership: informal evidence of strength
≥ ``CONFIRMED_STRENGTH`` that is not a dependant's), ``kemungkinan`` when the probability is reached on weaker
evidence (a JKN segment, a KTP occupation), and from the model's ``kemungkinan_threshold`` on when it declares one
(an informal worker below it is not listed: the weak evidence's list is held to a higher probability). The list
gives every ``pasti`` worker before the ``kemungkinan`` ones.

**Known only from lists** (``known_only_from_lists``): no record of the worker carries a valid NIK and none comes
from an identity authority (the population register): a community-list driver who shares no phone, NIK or birth
date with another source stays a worker of their own (issue 11's decision) and is listed as such; outreach should
check at contact whether they are someone already on the list.

**Review groups** (``review_group``, ``review_group_size``; :func:`review_groups`): listed workers joined by an
open review pair of ``GROUPED_REVIEW_REASONS`` (a double registration: two registered NIKs with the same name,
birth date and family card, which the engine never merges itself) are probably one person waiting for a clerk.
The list keeps one row per worker and marks the group with its representative (the member first to contact);
outreach shows the group once (:func:`shown_once`: the staff export and the web list).

**Outreach score** (uncovered informal workers only; higher first): +100 vulnerable; +40 lapsed within the last
``RECENT_LAPSE_MONTHS`` months (most likely to come back), +30 never registered, +20 any other lapse; +5 high-risk
sector (``HIGH_RISK_SECTORS``: road work). ``outreach_priority`` ranks the whole city: 1 = first to contact
(``pasti`` before ``kemungkinan``, then the probability in bands of 0.1, then the score, then the probability;
ties: fewer months in arrears, then ``worker_id``).
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pyarrow as pa
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from data_contracts.roles import CATEGORIES, EmploymentModel, EvidenceRule, RoleBook
from satupekerja.registry.grouping import (
    RECORD_ORDER,
    SOURCE_RANK,
    WORKER_INDEX,
    first_occurrences,
    first_per_worker,
    join_strings,
)

FORMAL, INFORMAL, NOT_WORKING, UNKNOWN = "formal", "informal", "not_working", "unknown"
ACTIVE, LAPSED, NEVER_REGISTERED, NOT_COMPUTED = "active", "lapsed", "never_registered", "not_computed"
LAPSED_ARREARS, NONAKTIF = "lapsed_arrears", "nonaktif"

BPU_LAPSE_MONTHS = 3
#: Evidence strength from which informal work counts as confirmed (outreach tier ``pasti``).
CONFIRMED_STRENGTH = 2
TIER_PASTI, TIER_KEMUNGKINAN = "pasti", "kemungkinan"
MIN_WORKING_AGE = 15
CHILD_LABEL = f"usia:di bawah {MIN_WORKING_AGE} tahun"
RECENT_LAPSE_MONTHS = 12
HIGH_RISK_SECTORS: frozenset[str] = frozenset({"ojol", "kurir"})
PBI_SEGMENTS: tuple[str, ...] = ("PBI_APBN", "PBI_APBD")
DAYS_PER_MONTH = 365.25 / 12
#: The outreach order ranks by probability in bands of 1/PROBABILITY_BANDS, then by the outreach score.
PROBABILITY_BANDS = 10

#: Tie order among categories of equal strength and count (lower wins).
_CATEGORY_TIE_ORDER = {NOT_WORKING: 0, INFORMAL: 1, FORMAL: 2}

#: Stated occupation (upper case) → trade code, for workers whose sources name no trade; checked in this order.
OCCUPATION_SECTORS: tuple[tuple[str, str], ...] = (
    ("ojol", r"OJEK|OJOL"),
    ("kurir", r"KURIR"),
    ("pedagang", r"PEDAGANG"),
    ("buruh_harian", r"BURUH"),
    ("sopir", r"SOPIR"),
    ("art", r"PEMBANTU RUMAH TANGGA|ASISTEN RUMAH TANGGA"),
    ("tukang", r"TUKANG|MONTIR|MEKANIK|PENJAHIT"),
    ("pertanian", r"PETANI|PEKEBUN|PETERNAK|NELAYAN"),
    ("freelancer", r"PEKERJA LEPAS|FREELANCE"),
    ("wiraswasta", r"WIRASWASTA"),
)

#: Person-schema columns the flags are derived from (besides ids, source and ``registered_date``).
COVERAGE_EVIDENCE_COLUMNS: tuple[str, ...] = (
    "occupation",
    "sector",
    "registration_type",
    "jkn_segment",
    "jkn_status",
    "tk_kpj",
    "tk_segment",
    "tk_status",
    "tk_programs",
    "tk_last_paid_month",
)

OUTREACH_POINTS = {
    "vulnerable": 100,
    "recent_lapse": 40,
    NEVER_REGISTERED: 30,
    "other_lapse": 20,
    "high_risk_sector": 5,
}


def add_coverage_flags(
    golden: pd.DataFrame,
    linked_records: pd.DataFrame,
    snapshot_date: pd.Timestamp,
    roles: RoleBook,
    model: EmploymentModel,
) -> pd.DataFrame:
    """``golden`` (one row per worker) with employment, TK cover, vulnerability and outreach columns.

    ``linked_records`` are person records from :func:`satupekerja.registry.unify.link_records`: their ``worker_index``
    is the row position of their worker in ``golden``. ``roles`` (of the contracts in force) say which sources
    give employment evidence and which are membership registers; ``model`` (the employment-model settings,
    ``Settings.employment_model``) how the evidence combines into the probability of informal work.
    """
    snapshot = pd.Timestamp(snapshot_date).normalize()
    registered = linked_records["registered_date"]
    columns = list(
        dict.fromkeys(
            [
                "record_id",
                "source",
                "registered_date",
                WORKER_INDEX,
                SOURCE_RANK,
                RECORD_ORDER,
                *COVERAGE_EVIDENCE_COLUMNS,
                *sorted(roles.evidence_fields()),
                *([model.household_field] if model.household_field else []),
            ]
        )
    )
    known = linked_records.loc[registered.isna() | (registered <= snapshot), columns]
    n_workers = len(golden)
    age = age_on(golden["birth_date"].reset_index(drop=True), snapshot)
    memberships = known[known["source"].isin(roles.membership_registers)]
    cover = (
        tk_status(memberships, n_workers, snapshot) if roles.membership_registers else _cover_not_computed(n_workers)
    )
    identified = linked_records["nik_valid"].fillna(False).astype("bool") | linked_records["source"].isin(
        roles.identity_authorities
    )
    known_only_from_lists = ~np.isin(np.arange(n_workers), linked_records.loc[identified, WORKER_INDEX].to_numpy())
    flags = pd.concat(
        [
            employment_type(known, age, n_workers, roles, snapshot, model, _golden_sex(golden)),
            cover,
            jkn_membership(known, n_workers),
        ],
        axis=1,
    )
    flags["known_only_from_lists"] = known_only_from_lists
    listed_from = model.kemungkinan_threshold if model.kemungkinan_threshold is not None else model.threshold
    return _outreach(_uncovered(pd.concat([golden.reset_index(drop=True), flags], axis=1), listed_from))


def _golden_sex(golden: pd.DataFrame) -> pd.Series | None:
    return golden["sex"].reset_index(drop=True) if "sex" in golden.columns else None


def age_on(birth_date: pd.Series, snapshot: pd.Timestamp) -> pd.Series:
    """Age in whole years on the snapshot date (NA when the birth date is unknown)."""
    birthday_to_come = (birth_date.dt.month * 100 + birth_date.dt.day) > (snapshot.month * 100 + snapshot.day)
    return (snapshot.year - birth_date.dt.year - birthday_to_come.astype("int64")).astype("Int64")


def employment_type(
    records: pd.DataFrame,
    age: pd.Series,
    n_workers: int,
    roles: RoleBook,
    snapshot: pd.Timestamp,
    model: EmploymentModel,
    sex: pd.Series | None = None,
) -> pd.DataFrame:
    """Employment type, the probability of informal work and the evidence behind both, per worker.

    Columns: ``employment_type``; ``employment_evidence`` (labels, ``; ``-separated, strongest first);
    ``informal_probability`` and ``informal_evidence`` (each piece's label with its weight after age and holder,
    largest first); and the internal ``_confirmed`` (own informal evidence of strength >= ``CONFIRMED_STRENGTH``).
    ``age`` (by worker position) gives the prior and adds the evidence of a child below ``MIN_WORKING_AGE``;
    ``sex`` (by worker position, ``L``/``P``) adds the model's term by sex to the prior.
    """
    child = _flag(age.lt(MIN_WORKING_AGE))
    child_pieces = pd.DataFrame(
        {WORKER_INDEX: np.flatnonzero(child), "category": NOT_WORKING, "strength": 2, "label": CHILD_LABEL}
    ).assign(key="usia", contribution=0.0, dependant=False, separate=False, evidence_date=pd.NaT)
    evidence = employment_evidence(records, roles, snapshot, model, age, sex)
    evidence = _contiguous_text(pd.concat([evidence, child_pieces], ignore_index=True))
    evidence["_label_order"] = pd.factorize(evidence["label"], sort=True)[0]
    probability, weighed = informal_probability(evidence, age, n_workers, model, sex)
    # One vote per distinct piece of evidence: a source listing a person twice does not count twice.
    label_code = evidence["_label_order"].to_numpy(dtype=np.int64)
    piece_key = evidence[WORKER_INDEX].to_numpy(dtype=np.int64) * (int(label_code.max(initial=0)) + 1) + label_code
    votes_on = evidence[first_occurrences(piece_key)]
    informal = _flag(pd.Series(probability).ge(model.threshold))
    # Below the threshold, the strongest statement of another category decides (formal, not working), else unknown.
    other = votes_on[votes_on["category"].ne(INFORMAL)]
    top = other["strength"].eq(other.groupby(WORKER_INDEX)["strength"].transform("max"))
    votes = other[top].groupby([WORKER_INDEX, "category"], as_index=False).size()
    votes["_tie"] = votes["category"].map(_CATEGORY_TIE_ORDER)
    decided = first_per_worker(votes, ["size", "_tie"], [False, True], n_workers)
    kind = decided["category"].fillna(UNKNOWN).astype("str").mask(informal.to_numpy(), INFORMAL)
    # Strongest first, then label order: sorted on the integer keys, the labels alone taken in that order.
    worker, label_order = votes_on[WORKER_INDEX].to_numpy(dtype=np.int64), votes_on["_label_order"].to_numpy()
    by_strength = np.lexsort((label_order, -votes_on["strength"].to_numpy(dtype=np.int64), worker))
    confirmed = votes_on[
        votes_on["category"].eq(INFORMAL) & votes_on["strength"].ge(CONFIRMED_STRENGTH) & ~votes_on["dependant"]
    ]
    return pd.DataFrame(
        {
            "employment_type": kind,
            "employment_evidence": join_strings(
                pd.Series(worker[by_strength]), votes_on["label"].iloc[by_strength], n_workers, "; "
            ),
            "informal_probability": probability,
            "informal_evidence": join_strings(weighed[WORKER_INDEX], weighed["_text"], n_workers, "; "),
            "_confirmed": np.isin(np.arange(n_workers), confirmed[WORKER_INDEX].to_numpy()),
        }
    )


def _contiguous_text(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with each Arrow text column in one chunk. A concatenation of per-rule pieces leaves a chunk per
    rule, and Arrow takes from many chunks cost far more per row than from one (0.35 s against 0.10 s for 2M
    values of 38 chunks): every filter and take of the evidence that follows is such a take."""
    out = frame.copy(deep=False)
    for column in out.columns:
        values = out[column].array
        chunks = pa.array(values) if isinstance(values, pd.arrays.ArrowExtensionArray) else None
        if isinstance(chunks, pa.ChunkedArray) and chunks.num_chunks > 1:
            out[column] = pd.Series(chunks.combine_chunks(), dtype=values.dtype, index=out.index, name=column)
    return out


def informal_probability(
    evidence: pd.DataFrame, age: pd.Series, n_workers: int, model: EmploymentModel, sex: pd.Series | None = None
) -> tuple[np.ndarray, pd.DataFrame]:
    """Probability of informal work per worker: ``1 / (1 + exp(-(prior(age) + sum of contributions)))``.

    A naive-Bayes sum of log-odds over the distinct pieces: per worker and rule (``key``) only the piece with the
    largest weight counts (the same fact repeated by a duplicate record, or an older copy of it, adds nothing).
    Also returns the counted pieces with a ``_text`` (label, holder, year when aged, weight), largest first.
    """
    # Sorted (worker, largest weight first, label) and de-duplicated per (worker, key) on integer keys, then the
    # counted rows taken once (sorting and de-duplicating the frame moved its text columns twice).
    contribution = evidence["contribution"].to_numpy(dtype="float64")
    weighing = np.flatnonzero(contribution != 0)
    workers = evidence[WORKER_INDEX].to_numpy(dtype=np.int64)[weighing]
    order = np.lexsort(
        (evidence["_label_order"].to_numpy()[weighing], -np.abs(contribution[weighing]), workers)
    )  # stable, as sort_values
    key_codes = pd.factorize(evidence["key"])[0][weighing]
    pair = (workers * (int(key_codes.max(initial=0)) + 1) + key_codes)[order]
    counted = weighing[order[first_occurrences(pair)]]
    pieces = evidence.iloc[counted].assign(_size=lambda e: e["contribution"].abs())
    total = pieces.groupby(WORKER_INDEX)["contribution"].sum().reindex(range(n_workers), fill_value=0.0)
    sex = sex.reset_index(drop=True) if sex is not None else None
    log_odds = model.prior(age.reset_index(drop=True), sex).to_numpy() + total.to_numpy()
    probability = 1.0 / (1.0 + np.exp(-log_odds))
    text = _piece_texts(pieces)
    return probability, pieces.assign(_text=text)


def _piece_texts(pieces: pd.DataFrame) -> pd.Series:
    """Each counted piece's text: label, holder, year when aged, weight (``+1.2``). Built once per distinct
    combination of label (``_label_order``, the label's code), holder, year and shown weight, found by sorting
    integer codes, and spread by code in Arrow: concatenating text column by column over every piece moved four
    full text columns per step (half of the probability's cost at 2M records, most of it in page faults)."""
    label_code = pieces["_label_order"].to_numpy(dtype=np.int64)
    holder = pieces["dependant"].to_numpy(dtype=bool).astype(np.int64) * 2 + pieces["separate"].to_numpy(dtype=bool)
    years = pd.to_datetime(pieces["evidence_date"]).dt.year.to_numpy(dtype="float64", na_value=np.nan)
    known = ~np.isnan(years)
    first_year = int(years[known].min()) if known.any() else 0
    year_code = np.where(known, np.nan_to_num(years, nan=first_year) - first_year + 1, 0).astype(np.int64)
    # Formatted once per distinct weight (many pieces share one), then spread by code; the distinct weights by a
    # sort of the values, each piece's by a binary search among the (few) distinct ones.
    contribution = pieces["contribution"].to_numpy(dtype="float64")
    weights = np.unique(contribution)
    shown, shown_of_weight = np.unique(
        np.array([f"{value:+.1f}" for value in weights], dtype=object), return_inverse=True
    )
    shown_code = shown_of_weight.ravel()[np.searchsorted(weights, contribution)] if len(weights) else label_code
    key = ((label_code * 4 + holder) * (int(year_code.max(initial=0)) + 1) + year_code) * max(
        len(shown), 1
    ) + shown_code
    first, combination = _distinct_codes(key)
    one = pieces.iloc[first]
    year = _per_distinct_text(pd.to_datetime(one["evidence_date"]).dt.year.astype("Int64"))
    text = (
        one["label"].astype("str")
        + pd.Series(np.where(one["dependant"], " (kartu kepala keluarga)", ""), index=one.index, dtype="str")
        + pd.Series(
            np.where(one["separate"], " (kartu sendiri, keluarga di kartu lain)", ""),
            index=one.index,
            dtype="str",
        )
        + (" [" + year + "]").fillna("")
        + " "
        + pd.Series(shown[shown_code[first]], index=one.index, dtype="str")
    )
    return pd.Series(text.array.take(combination), index=pieces.index, name=text.name)


def _distinct_codes(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first row of each distinct key (non-negative integers) in key order, and each row's code (its key's
    position among them): ``np.unique(key, return_index=True, return_inverse=True)`` by direct addressing when
    the keys span few values (a few labels, holders, years and weights), by a sort otherwise."""
    span = int(key.max(initial=-1)) + 1
    if span > 4 * len(key) + 1024:
        _, first, code = np.unique(key, return_index=True, return_inverse=True)
        return first, code.ravel()
    first_row = np.full(span, len(key), dtype=np.int64)
    np.minimum.at(first_row, key, np.arange(len(key), dtype=np.int64))
    used = first_row < len(key)
    return first_row[used], (np.cumsum(used) - 1)[key]


def _per_distinct_text(values: pd.Series) -> pd.Series:
    """``values.astype("str")``, converted once per distinct value (a handful of years) and spread by code."""
    codes, distinct = pd.factorize(values)
    text = _with_missing_last(
        pd.Series(distinct, dtype=values.dtype).astype("str").to_numpy(dtype=object, na_value=None)
    )
    return pd.Series(text[codes], index=values.index, dtype="str")


def _with_missing_last(values: np.ndarray) -> np.ndarray:
    """``values`` (objects) and a last None: taken by codes, code -1 (missing) picks None."""
    out = np.empty(len(values) + 1, dtype=object)
    out[:-1] = values
    out[-1] = None
    return out


def employment_evidence(
    records: pd.DataFrame,
    roles: RoleBook,
    snapshot: pd.Timestamp,
    model: EmploymentModel,
    age: pd.Series | None = None,
    sex: pd.Series | None = None,
) -> pd.DataFrame:
    """Long frame, one row per piece of evidence, by the contracts' ``roles.employment_evidence`` rules:
    ``worker_index, category, strength, label, key`` (source, rule, category and holder), ``dependant`` (someone
    else's evidence, by the rule's ``holder``), ``evidence_date`` and ``contribution`` (log-odds of informal work:
    ``stale + (weight - stale) * recency``: the rule's weight for the category and holder when fresh, moving
    towards its stale weight (default 0) as the evidence ages, by the rule's half-life; plus the rule's
    ``cell_weights`` of the person's cell: their sex and the model's age band, from ``age`` and ``sex`` by worker
    position; without them no cell weight applies)."""
    pieces = [_evidence_piece(records, pd.Series(False, index=records.index), "", 0, "")]
    model.check_rules(roles.evidence_rules())
    cells = _worker_cells(age, sex, model)
    households = _households(records, model.household_field)
    rules = roles.evidence_rules()
    by_source = _records_by_source(records, rules)
    seen: dict[str, int] = {}
    codes_by_field: dict[str, dict[str, tuple[np.ndarray, int]]] = {}
    for source, rule in rules:
        number = seen[source] = seen.get(source, -1) + 1  # the rule's position in its contract
        rows = source_records = by_source.get(source)
        if rows is None:
            continue
        dated = rule.evidence_dates(rows)
        in_time = dated.isna() | (dated <= snapshot)
        if rule.max_age_months is not None:
            in_time &= dated.isna() | (dated >= snapshot - pd.DateOffset(months=rule.max_age_months))
        category = _categories(rule, rows, codes_by_field.setdefault(source, {})).where(in_time)
        mask = _flag(category.notna())
        if not mask.any():
            continue
        rows, category, dated = rows[mask], category[mask], dated[mask]
        dependant = rule.dependant(rows)
        separate = _separate_card(source_records, rows, dependant, rule, households)
        own = dict(rule.weights) or {c: model.default_weight(c, rule.strength) for c in CATEGORIES}
        other = dict(rule.dependant_weights) or own
        # Weights looked up per distinct category (a handful) and spread by code, not mapped row by row.
        codes, distinct = pd.factorize(category)
        weighs = functools.partial(_by_category, codes, list(distinct))
        is_dependant, is_separate = dependant.to_numpy(dtype=bool), separate.to_numpy(dtype=bool)
        weight = np.where(
            is_separate, weighs(dict(rule.separate_weights)), np.where(is_dependant, weighs(other), weighs(own))
        )
        weight = pd.Series(np.where(np.isnan(weight), 0.0, weight), index=rows.index)
        stale = weighs(dict(rule.stale_weights))
        stale = pd.Series(np.where(is_dependant | np.isnan(stale), 0.0, stale), index=rows.index)
        offset = _cell_offsets(
            rule, rows[WORKER_INDEX].to_numpy(), codes, list(distinct), is_dependant, is_separate, cells
        )
        age_months = (snapshot - dated).dt.days / DAYS_PER_MONTH
        piece = _evidence_piece(rows, pd.Series(True, index=rows.index), category, rule.strength, rule.labels(rows))
        pieces.append(
            piece.assign(
                key=f"{source}#{number}:"
                + category
                + np.where(dependant, ":tanggungan", "")
                + np.where(separate, ":kartu_sendiri", ""),
                dependant=dependant,
                separate=separate,
                evidence_date=dated if rule.half_life_months is not None else pd.NaT,
                contribution=stale + (weight - stale) * rule.recency(age_months) + offset,
            )
        )
    evidence = pd.concat(pieces, ignore_index=True)
    evidence = evidence.astype(
        {WORKER_INDEX: "int64", "category": "str", "strength": "int64", "label": "str", "key": "str"}
    )
    return evidence.astype(
        {"dependant": "bool", "separate": "bool", "contribution": "float64", "evidence_date": "datetime64[ns]"}
    )


def _categories(rule: EvidenceRule, rows: pd.DataFrame, codes_by_field: dict[str, tuple[np.ndarray, int]]) -> pd.Series:
    """``rule.categories(rows)``, computed once per distinct combination of the fields it reads (its ``field``,
    ``when`` and ``unless``: a category depends on nothing else) and spread back by code: the population
    register's occupation rules read 188k rows each otherwise. ``codes_by_field`` keeps each field's codes (and
    their count) for the next rule of the same source."""
    names = list(dict.fromkeys([*([rule.field] if rule.field else []), *(n for n, _ in (*rule.when, *rule.unless))]))
    if not names:
        return rule.categories(rows)
    combined, combinations = np.zeros(len(rows), dtype=np.int64), 1
    for name in names:
        if name not in codes_by_field:
            codes = pd.factorize(rows[name])[0]
            codes_by_field[name] = (codes + 1, int(codes.max(initial=-1)) + 2)  # 0: missing
        codes, count = codes_by_field[name]
        combinations *= count
        if combinations >= 2**62:
            return rule.categories(rows)
        combined = combined * count + codes
    combination, distinct = pd.factorize(combined)
    first = np.full(len(distinct), len(rows), dtype=np.int64)
    np.minimum.at(first, combination, np.arange(len(rows), dtype=np.int64))  # one row standing for each
    found = rule.categories(rows.iloc[first]).to_numpy(dtype=object, na_value=None)
    return pd.Series(found[combination], index=rows.index, dtype="str")


def _worker_cells(
    age: pd.Series | None, sex: pd.Series | None, model: EmploymentModel
) -> tuple[np.ndarray, np.ndarray] | None:
    """Each worker's cell for rules' ``cell_weights``: stated sex (``""`` unknown) and the start of the model's age
    band (-1 unknown), by worker position; None without age and sex."""
    if age is None and sex is None:
        return None
    size = len(age) if age is not None else len(sex) if sex is not None else 0
    bands = model.age_band(age.reset_index(drop=True)).to_numpy() if age is not None else np.full(size, -1)
    sexes = (
        sex.reset_index(drop=True).astype("str").fillna("").to_numpy(dtype=object)
        if sex is not None
        else np.full(size, "", dtype=object)
    )
    return sexes, bands


def _cell_offsets(
    rule: EvidenceRule,
    workers: np.ndarray,
    codes: np.ndarray,
    categories: list[str],
    is_dependant: np.ndarray,
    is_separate: np.ndarray,
    cells: tuple[np.ndarray, np.ndarray] | None,
) -> np.ndarray:
    """Log-odds each row's piece gets from the rule's ``cell_weights``: those of its holder kind (own, a
    dependant's, own beside the family's card), its category and its person's cell (sex, age band)."""
    offset = np.zeros(len(workers), dtype="float64")
    if not rule.cell_weights or cells is None:
        return offset
    sexes, bands = cells[0][workers], cells[1][workers]
    kind = np.where(is_separate, "separate", np.where(is_dependant, "dependant", "own"))
    position = {category: n for n, category in enumerate(categories)}
    for cell_kind, sex, band, category, weight in rule.cell_weights:
        if category not in position:
            continue
        applies = (kind == cell_kind) & (codes == position[category])
        if sex:
            applies &= sexes == sex
        if band >= 0:
            applies &= bands == band
        offset += np.where(applies, weight, 0.0)
    return offset


def _by_category(codes: np.ndarray, categories: list[str], weights: dict[str, float]) -> np.ndarray:
    """``weights`` of each row's category (``categories[codes]``), NaN for a category without a weight."""
    return np.array([weights.get(category, np.nan) for category in categories], dtype="float64")[codes]


def _records_by_source(records: pd.DataFrame, rules: list[tuple[str, EvidenceRule]]) -> dict[str, pd.DataFrame]:
    """Each evidence source's records (row order and labels kept), with only the columns its rules read: taken
    once per source rather than once per rule, and without the other columns (copying every Arrow string column
    of every record for each of the 21 rules was half the cost of the flags)."""
    fields: dict[str, set[str]] = {}
    for source, rule in rules:
        fields.setdefault(source, set()).update(rule.fields_read())
    codes, names = pd.factorize(records["source"])
    out = {}
    for code, source in enumerate(names):
        if source in fields:
            columns = [WORKER_INDEX, *sorted(fields[source])]
            out[source] = records[columns].iloc[np.flatnonzero(codes == code)]
    return out


def _households(records: pd.DataFrame, household_field: str | None) -> pd.DataFrame:
    """Distinct ``worker_index, household`` pairs: the workers sharing a household (family card) value."""
    if household_field is None or household_field not in records.columns:
        return pd.DataFrame({WORKER_INDEX: pd.Series(dtype="int64"), "household": pd.Series(dtype="str")})
    known = records.loc[records[household_field].notna(), [WORKER_INDEX, household_field]]
    return known.rename(columns={household_field: "household"}).drop_duplicates()


def _separate_card(
    source_records: pd.DataFrame,
    rows: pd.DataFrame,
    dependant: pd.Series,
    rule: EvidenceRule,
    households: pd.DataFrame,
) -> pd.Series:
    """True for ``rows`` (the rule's evidence records) that are the person's own card while someone of their
    household is a dependant on a card of this source whose ``rule.field`` holds another value (a registration of
    the person's own beside the family's card). Only for rules declaring ``separate_weights``."""
    out = pd.Series(False, index=rows.index)
    if not rule.separate_weights or rule.field is None or households.empty:
        return out
    on_card = rule.dependant(source_records) & source_records[rule.field].notna()
    cards = source_records.loc[on_card, [WORKER_INDEX, rule.field]].rename(
        columns={WORKER_INDEX: "_member", rule.field: "_kind"}
    )
    family_cards = cards.merge(households.rename(columns={WORKER_INDEX: "_member"}), on="_member").drop_duplicates()
    own = rows.loc[~dependant & rows[rule.field].notna(), [WORKER_INDEX, rule.field]]
    mine = own.reset_index(names="_row").merge(households, on=WORKER_INDEX).merge(family_cards, on="household")
    other = mine[mine["_member"].ne(mine[WORKER_INDEX]) & mine["_kind"].str.upper().ne(mine[rule.field].str.upper())]
    return out.mask(out.index.isin(other["_row"]), True)


def _evidence_piece(
    records: pd.DataFrame, mask: pd.Series, category: pd.Series | str, strength: int, label: pd.Series | str
) -> pd.DataFrame:
    """Evidence rows for the records selected by ``mask``; ``category`` and ``label`` are constants or per record."""
    return pd.DataFrame(
        {
            WORKER_INDEX: records.loc[mask, WORKER_INDEX],
            "category": category[mask] if isinstance(category, pd.Series) else category,
            "strength": strength,
            "label": label[mask] if isinstance(label, pd.Series) else label,
            "key": "",
            "dependant": False,
            "separate": False,
            "evidence_date": pd.NaT,
            "contribution": 0.0,
        }
    )


def sector_from_occupation(occupation: pd.Series) -> pd.Series:
    """Trade code of each stated occupation (``OCCUPATION_SECTORS``), NA when it names no trade."""
    return _first_pattern(occupation, OCCUPATION_SECTORS)


def _first_pattern(values: pd.Series, patterns: tuple[tuple[str, str], ...]) -> pd.Series:
    """The name of the first pattern each value matches (NA when none does), computed on unique values."""
    distinct = pd.Series(values.dropna().unique(), dtype="str")
    matched = pd.Series(pd.NA, index=distinct.index, dtype="str")
    for name, pattern in patterns:
        matched = matched.mask(matched.isna() & distinct.str.contains(pattern, regex=True), name)
    lookup = dict(zip(distinct, matched, strict=True))
    return values.map(lookup).astype("str")


def tk_status(records: pd.DataFrame, n_workers: int, snapshot: pd.Timestamp) -> pd.DataFrame:
    """BPJS Ketenagakerjaan cover per worker from the deciding TK record (an active one if any, else the latest)."""
    tk_columns = [
        "record_id",
        "registered_date",
        WORKER_INDEX,
        SOURCE_RANK,
        RECORD_ORDER,
        *(c for c in COVERAGE_EVIDENCE_COLUMNS if c.startswith("tk_")),
    ]
    memberships = records.loc[records["tk_segment"].notna() | records["tk_kpj"].notna(), tk_columns]
    arrears = months_in_arrears(memberships["tk_last_paid_month"], snapshot)
    over_arrears = memberships["tk_segment"].eq("BPU") & _flag(arrears.gt(BPU_LAPSE_MONTHS))
    active = _flag(memberships["tk_status"].eq("AKTIF")) & ~over_arrears
    lapse_reason = (
        pd.Series(NONAKTIF, index=memberships.index, dtype="str").mask(over_arrears, LAPSED_ARREARS).where(~active)
    )
    deciding = first_per_worker(
        memberships.assign(months_in_arrears=arrears, _active=active, _lapse_reason=lapse_reason),
        ["_active", "tk_last_paid_month", "registered_date", SOURCE_RANK, RECORD_ORDER],
        [False, False, False, True, True],
        n_workers,
    )
    status = pd.Series(NEVER_REGISTERED, index=deciding.index, dtype="str")
    status = status.mask(deciding["record_id"].notna(), LAPSED).mask(_flag(deciding["_active"].eq(True)), ACTIVE)
    return pd.DataFrame(
        {
            "bpjs_tk_status": status,
            "tk_lapse_reason": deciding["_lapse_reason"].astype("str"),
            "tk_kpj": deciding["tk_kpj"],
            "tk_segment": deciding["tk_segment"],
            "tk_status": deciding["tk_status"],
            "tk_programs": deciding["tk_programs"],
            "tk_last_paid_month": deciding["tk_last_paid_month"],
            "months_in_arrears": deciding["months_in_arrears"].astype("Int64"),
        }
    )


def _cover_not_computed(n_workers: int) -> pd.DataFrame:
    """The cover columns when no membership register is declared: status ``not_computed``, the rest empty."""
    empty_text = pd.Series(pd.NA, index=pd.RangeIndex(n_workers), dtype="str")
    return pd.DataFrame(
        {
            "bpjs_tk_status": pd.Series(NOT_COMPUTED, index=empty_text.index, dtype="str"),
            "tk_lapse_reason": empty_text,
            "tk_kpj": empty_text,
            "tk_segment": empty_text,
            "tk_status": empty_text,
            "tk_programs": empty_text,
            "tk_last_paid_month": pd.Series(pd.NaT, index=empty_text.index, dtype="datetime64[ns]"),
            "months_in_arrears": pd.Series(pd.NA, index=empty_text.index, dtype="Int64"),
        }
    )


def months_in_arrears(last_paid_month: pd.Series, snapshot: pd.Timestamp) -> pd.Series:
    """Months from ``last_paid_month`` to the snapshot's month (never negative; NA if unknown)."""
    paid = last_paid_month.dt.year * 12 + last_paid_month.dt.month
    due = snapshot.year * 12 + snapshot.month
    return (due - paid).clip(lower=0).astype("Int64")


#: Vulnerability reasons in the order they are listed.
VULNERABLE_REASONS: tuple[str, ...] = ("pbi_apbn", "pbi_apbd", "jkn_pbpu_nonaktif")


def jkn_membership(records: pd.DataFrame, n_workers: int) -> pd.DataFrame:
    """Golden JKN segment and status (an active membership first, then the latest) and vulnerability."""
    jkn_columns = [WORKER_INDEX, "registered_date", SOURCE_RANK, RECORD_ORDER, "jkn_segment", "jkn_status"]
    memberships = records.loc[records["jkn_segment"].notna(), jkn_columns].assign(
        _active=lambda r: _flag(r["jkn_status"].eq("AKTIF"))
    )
    latest = first_per_worker(
        memberships, ["_active", "registered_date", SOURCE_RANK, RECORD_ORDER], [False, False, True, True], n_workers
    )
    segment = memberships["jkn_segment"]
    reason = (
        segment.str.lower()
        .where(segment.isin(PBI_SEGMENTS))
        .mask(segment.eq("PBPU") & ~memberships["_active"], "jkn_pbpu_nonaktif")
    )
    reasons = pd.DataFrame({WORKER_INDEX: memberships[WORKER_INDEX], "reason": reason}).dropna().drop_duplicates()
    reasons = reasons.assign(_order=reasons["reason"].map({name: rank for rank, name in enumerate(VULNERABLE_REASONS)}))
    reasons = reasons.sort_values([WORKER_INDEX, "_order"])
    joined = join_strings(reasons[WORKER_INDEX], reasons["reason"], n_workers, ",")
    return pd.DataFrame(
        {
            "jkn_segment": latest["jkn_segment"],
            "jkn_status": latest["jkn_status"],
            "vulnerable": joined.notna(),
            "vulnerable_reason": joined,
        }
    )


def _uncovered(unified: pd.DataFrame, kemungkinan_from: float = 0.0) -> pd.DataFrame:
    """Uncovered informal workers, their reason and tier; a *kemungkinan* one only from ``kemungkinan_from``."""
    # pasti: informal work the person registered (own evidence of strength >= 2: an informal-work register, a BPU
    # or JAKON membership, a trader or community list); kemungkinan: likely on weaker evidence only (a JKN
    # segment, a KTP occupation).
    confirmed = _flag(pd.Series(unified["_confirmed"], index=unified.index))
    likely_enough = confirmed | _flag(unified["informal_probability"].ge(kemungkinan_from))
    uncovered = (
        unified["employment_type"].eq(INFORMAL)
        & unified["bpjs_tk_status"].isin([LAPSED, NEVER_REGISTERED])
        & likely_enough
    )
    reason = unified["tk_lapse_reason"].mask(unified["bpjs_tk_status"].eq(NEVER_REGISTERED), NEVER_REGISTERED)
    tier = pd.Series(np.where(confirmed, TIER_PASTI, TIER_KEMUNGKINAN), index=unified.index, dtype="str")
    return unified.drop(columns=["tk_lapse_reason", "_confirmed"]).assign(
        uncovered_informal=uncovered,
        uncovered_reason=reason.where(uncovered).astype("str"),
        outreach_tier=tier.where(uncovered).astype("str"),
    )


def _outreach(unified: pd.DataFrame) -> pd.DataFrame:
    reason, arrears = unified["uncovered_reason"], unified["months_in_arrears"]
    recent_lapse = _flag(reason.eq(LAPSED_ARREARS)) & _flag(arrears.le(BPU_LAPSE_MONTHS + RECENT_LAPSE_MONTHS))
    never_registered = _flag(reason.eq(NEVER_REGISTERED))
    points = OUTREACH_POINTS
    score = (
        unified["vulnerable"].astype("int64") * points["vulnerable"]
        + recent_lapse.astype("int64") * points["recent_lapse"]
        + never_registered.astype("int64") * points[NEVER_REGISTERED]
        + (reason.notna() & ~recent_lapse & ~never_registered).astype("int64") * points["other_lapse"]
        + unified["sector"].isin(HIGH_RISK_SECTORS).astype("int64") * points["high_risk_sector"]
    ).where(unified["uncovered_informal"])
    ranked = unified.assign(outreach_score=score.astype("Int64"))
    listed = ranked[ranked["uncovered_informal"]]
    order = listed.assign(
        _pasti=listed["outreach_tier"].eq(TIER_PASTI),
        _band=np.floor(listed["informal_probability"] * PROBABILITY_BANDS) / PROBABILITY_BANDS,
    ).sort_values(
        ["_pasti", "_band", "outreach_score", "informal_probability", "months_in_arrears", "worker_id"],
        ascending=[False, False, False, False, True, True],
        na_position="last",
    )
    priority = pd.Series(range(1, len(order) + 1), index=order.index, dtype="Int64")
    return ranked.assign(outreach_priority=priority.reindex(ranked.index))


def _flag(condition: pd.Series) -> pd.Series:
    """A plain boolean mask: missing (unknown) counts as False, never as a nullable NA."""
    return condition.fillna(False).astype("bool")


def uncovered_informal_workers(unified: pd.DataFrame, review_pairs: pd.DataFrame | None = None) -> pd.DataFrame:
    """The outreach list: uncovered informal workers, first to contact first.

    ``review_pairs``: tonight's open review pairs (``reason``, ``worker_id_l``, ``worker_id_r``, as in the
    published ``match_review_queue``); with them the list gets ``review_group`` and ``review_group_size``
    (:func:`review_groups`; without them both are NA). One row per worker: the registry stays unmerged, the clerk
    decides.
    """
    listed = unified[unified["uncovered_informal"]].sort_values("outreach_priority")
    listed = listed[[column for column in UNCOVERED_COLUMNS if column in listed.columns]].reset_index(drop=True)
    if review_pairs is None:
        review_pairs = pd.DataFrame({"reason": [], "worker_id_l": [], "worker_id_r": []}, dtype="str")
    return review_groups(listed, review_pairs)


#: Review reasons whose pairs group listed workers: a double registration (two registered NIKs with the same
#: name, birth date and family card, never merged automatically) is the same person in 91 of 93 such pairs
#: between listed workers (flag_bench 200k seed 7); the other reasons are far less often (uncertain pairs between
#: listed workers: 327 of 1,697), so they stay apart on the list.
GROUPED_REVIEW_REASONS: tuple[str, ...] = ("double_registration",)


def review_groups(
    listed: pd.DataFrame, review_pairs: pd.DataFrame, reasons: tuple[str, ...] = GROUPED_REVIEW_REASONS
) -> pd.DataFrame:
    """``listed`` with ``review_group`` and ``review_group_size``: listed workers joined (directly or in a chain)
    by open review pairs of ``reasons`` between two listed workers **of the same kelurahan** form a group,
    probably one person waiting for a clerk's decision. ``review_group`` is the group's representative worker id
    (the member first to contact: smallest ``outreach_priority``, then smallest ``worker_id``), on every member's
    row; NA outside groups. ``review_group_size``: members on the list (NA outside groups). Rows and their order
    are unchanged.

    Why the same kelurahan only: staff and agents see the list of their area, and a group is shown once. A group
    spanning two areas would hide its member from the other area's list; two visits cost less than a lost one.
    """
    out = listed.copy()
    workers = out["worker_id"].astype("str").to_numpy()
    position = pd.Series(np.arange(len(workers)), index=workers)
    pairs = review_pairs[review_pairs["reason"].isin(reasons)]
    left = position.reindex(pairs["worker_id_l"].astype("str")).to_numpy()
    right = position.reindex(pairs["worker_id_r"].astype("str")).to_numpy()
    keep = ~np.isnan(left) & ~np.isnan(right) & (left != right)
    left, right = left[keep].astype(np.int64), right[keep].astype(np.int64)
    area = out["kelurahan_code"].astype("str").fillna("").to_numpy(dtype=object)
    same_area = (area[left] == area[right]) & (area[left] != "")
    left, right = left[same_area], right[same_area]
    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(len(workers), len(workers)))
    _, component = connected_components(graph, directed=False)
    # Each worker's rank in "first to contact" order; a group's representative is its member of smallest rank.
    rank = np.empty(len(workers), dtype=np.int64)
    rank[np.lexsort((workers, out["outreach_priority"].to_numpy(dtype="float64", na_value=np.inf)))] = np.arange(
        len(workers)
    )
    first_rank = np.full(component.max(initial=-1) + 1, len(workers), dtype=np.int64)
    np.minimum.at(first_rank, component, rank)
    size = np.bincount(component)[component]
    by_rank = np.empty(len(workers), dtype=object)
    by_rank[rank] = workers
    grouped = size > 1
    out["review_group"] = pd.Series(by_rank[first_rank[component]], index=out.index, dtype="str").where(grouped)
    out["review_group_size"] = pd.Series(size, index=out.index, dtype="Int64").where(grouped)
    return out


def shown_once(listed: pd.DataFrame) -> pd.DataFrame:
    """The list as outreach reads it: one row per review group (its representative), every other row as is."""
    if "review_group" not in listed.columns:
        return listed
    group = listed["review_group"]
    return listed[group.isna() | group.eq(listed["worker_id"]).fillna(False)].reset_index(drop=True)


UNCOVERED_COLUMNS: tuple[str, ...] = (
    "outreach_priority",
    "outreach_score",
    "worker_id",
    "snapshot_date",
    "nik",
    "name",
    "alias",
    "sex",
    "birth_date",
    "phone",
    "address",
    "rt",
    "rw",
    "kelurahan_code",
    "kecamatan_code",
    "sector",
    "occupation",
    "employment_evidence",
    "informal_probability",
    "informal_evidence",
    "bpjs_tk_status",
    "tk_segment",
    "tk_last_paid_month",
    "months_in_arrears",
    "uncovered_reason",
    "outreach_tier",
    "known_only_from_lists",
    "jkn_segment",
    "vulnerable",
    "vulnerable_reason",
    "sources",
    "match_confidence",
)


def coverage_by_area(unified: pd.DataFrame, regions_reference: pd.DataFrame) -> pd.DataFrame:
    """Coverage counts per kecamatan and per kelurahan (every reference area, zeros where nobody), plus the city.

    ``regions_reference`` is ``data_contracts/reference/wilayah_depok.csv`` (``kode_wilayah``, ``kode_kecamatan``,
    ``kecamatan``, ``kelurahan``). ``covered``/``uncovered`` count informal workers with/without active TK
    cover; ``coverage_rate`` = covered / informal. People whose kelurahan (or kecamatan) is unknown are counted
    in an extra ``unresolved`` row, so each kecamatan equals the sum of its kelurahan rows and the city row
    equals the sum of the kecamatan rows.
    """
    kelurahan = regions_reference[["kode_wilayah", "kelurahan", "kode_kecamatan", "kecamatan"]].rename(
        columns={"kode_wilayah": "kelurahan_code", "kode_kecamatan": "kecamatan_code"}
    )
    counts = _area_counts(unified, kelurahan)
    by_kelurahan = kelurahan.merge(
        counts.groupby(["kecamatan_code", "kelurahan_code"], dropna=False)[list(_COUNT_COLUMNS)].sum().reset_index(),
        on=["kecamatan_code", "kelurahan_code"],
        how="outer",
    )
    by_kelurahan = _fill_unresolved(by_kelurahan, kelurahan)
    by_kecamatan = (
        by_kelurahan.groupby(["kecamatan_code", "kecamatan"], dropna=False, sort=False)[list(_COUNT_COLUMNS)]
        .sum()
        .reset_index()
    )
    city = by_kecamatan[list(_COUNT_COLUMNS)].sum().to_frame().T
    frames = [
        city.assign(level="kota", kecamatan_code=pd.NA, kecamatan="Kota Depok", kelurahan_code=pd.NA, kelurahan=pd.NA),
        by_kecamatan.assign(level="kecamatan", kelurahan_code=pd.NA, kelurahan=pd.NA),
        by_kelurahan.assign(level="kelurahan"),
    ]
    out = pd.concat(frames, ignore_index=True)[
        ["level", "kecamatan_code", "kecamatan", "kelurahan_code", "kelurahan", *_COUNT_COLUMNS]
    ]
    out = out.astype({column: "int64" for column in _COUNT_COLUMNS}).astype(
        {"level": "str", "kecamatan_code": "str", "kecamatan": "str", "kelurahan_code": "str", "kelurahan": "str"}
    )
    out["coverage_rate"] = (out["covered"] / out["informal"].where(out["informal"] > 0)).astype("float64")
    if len(unified) and unified["bpjs_tk_status"].eq(NOT_COMPUTED).all():
        out["coverage_rate"] = np.nan  # no membership register declared: cover was not computed
    level_order = out["level"].map({"kota": 0, "kecamatan": 1, "kelurahan": 2})
    return (
        out.assign(_level=level_order)
        .sort_values(["_level", "kecamatan_code", "kelurahan_code"], na_position="last", kind="stable")
        .drop(columns="_level")
        .reset_index(drop=True)
    )


_COUNT_COLUMNS: tuple[str, ...] = ("people", "workers", "informal", "covered", "uncovered")
UNRESOLVED = "unresolved"


def _area_counts(unified: pd.DataFrame, kelurahan: pd.DataFrame) -> pd.DataFrame:
    """Per-worker 0/1 indicators, with codes outside the reference treated as unresolved."""
    known_kelurahan = unified["kelurahan_code"].where(unified["kelurahan_code"].isin(kelurahan["kelurahan_code"]))
    kecamatan_of_kelurahan = known_kelurahan.map(
        dict(zip(kelurahan["kelurahan_code"], kelurahan["kecamatan_code"], strict=True))
    )
    stated_kecamatan = unified["kecamatan_code"].where(unified["kecamatan_code"].isin(kelurahan["kecamatan_code"]))
    employment = unified["employment_type"]
    informal = employment.eq(INFORMAL)
    return pd.DataFrame(
        {
            "kecamatan_code": kecamatan_of_kelurahan.fillna(stated_kecamatan).astype("str"),
            "kelurahan_code": known_kelurahan.astype("str"),
            "people": 1,
            "workers": employment.isin([FORMAL, INFORMAL]).astype("int64"),
            "informal": informal.astype("int64"),
            "covered": (informal & unified["bpjs_tk_status"].eq(ACTIVE)).astype("int64"),
            "uncovered": (informal & unified["bpjs_tk_status"].isin([LAPSED, NEVER_REGISTERED])).astype("int64"),
        }
    )


def _fill_unresolved(by_kelurahan: pd.DataFrame, kelurahan: pd.DataFrame) -> pd.DataFrame:
    """Zeros for empty areas; names for the ``unresolved`` rows (unknown kelurahan, or unknown kecamatan too)."""
    kecamatan_names = dict(zip(kelurahan["kecamatan_code"], kelurahan["kecamatan"], strict=False))
    out = by_kelurahan.copy()
    out[list(_COUNT_COLUMNS)] = out[list(_COUNT_COLUMNS)].fillna(0)
    out["kecamatan"] = out["kecamatan"].fillna(out["kecamatan_code"].map(kecamatan_names)).fillna(UNRESOLVED)
    out["kelurahan"] = out["kelurahan"].fillna(UNRESOLVED)
    return out
