"""Personal-data protection building blocks (UU 27/2022): keyed pseudonyms, masking, the two output tiers.

Two tiers of published data:

* **restricted** — the full registry, for the few staff who contact workers (names, NIK, phones);
  :func:`restricted_tier` only checks that every column has been classified.
* **analytics** — what analysts and dashboards see: :func:`to_analytics_tier` applies :data:`COLUMN_POLICY`,
  one declarative table that says, for every column the project publishes, whether it is kept, replaced by a
  keyed hash (HMAC-SHA256, so tables still join on ``nik_hash``), dropped, or coarsened (birth date → birth year
  and age band). A column missing from the table is an error: new columns are reviewed before they are published.

The HMAC key is given by the caller (``Settings.hmac_key``, from ``SATUPEKERJA_HMAC_KEY``); production mode
(``SATUPEKERJA_MODE=production``) refuses to run without it.
The module also holds :func:`personal_data_scanner`, which finds the inputs' NIKs, phones and names in log text.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from satupekerja.publishing.tables import MATCHING_FEATURES
from satupekerja.registry.review_queue import SIDE_BY_SIDE_FIELDS, SIDE_IDS
from satupekerja.registry.unify import GOLDEN_FIELDS
from satupekerja.settings import DEMO_MODE, MODE_ENV, PRODUCTION_MODE
from satupekerja.settings import HMAC_KEY_ENV as KEY_ENV

MIN_KEY_BYTES = 32
DEMO_KEY_LABEL = "DEMO-KEY (not for real data)"
_DEMO_SECRET = b"satupekerja-demo-key: synthetic sample data only, never real personal data"
_FINGERPRINT_MESSAGE = b"satupekerja key fingerprint"
_HEX_KEY = re.compile(r"(?:[0-9a-fA-F]{2})+")


class PrivacyConfigError(RuntimeError):
    """The privacy configuration (mode, key) is missing or unsafe. Messages never contain the key."""


class PrivacyPolicyError(ValueError):
    """A table holds columns the column policy does not classify (the analytics tier fails closed)."""


@dataclass(frozen=True)
class PseudonymisationKey:
    """The secret behind every pseudonym. ``repr`` hides the secret; ``fingerprint`` identifies it safely."""

    secret: bytes = field(repr=False)
    is_demo: bool
    label: str

    @property
    def fingerprint(self) -> str:
        """A short id of the key (an HMAC of a constant): tells which key made a table without revealing it."""
        return hmac.new(self.secret, _FINGERPRINT_MESSAGE, hashlib.sha256).hexdigest()[:12]


DEMO_KEY = PseudonymisationKey(secret=_DEMO_SECRET, is_demo=True, label=DEMO_KEY_LABEL)


def load_pseudonymisation_key(mode: str = DEMO_MODE, configured_key: str | None = None) -> PseudonymisationKey:
    """The key for this run, from the mode and the configured key text (``Settings.mode`` and
    ``Settings.hmac_key``: ``SATUPEKERJA_MODE`` and ``SATUPEKERJA_HMAC_KEY``).

    Demo mode (the default) uses the configured key if there is one, else the public demo key, whose label
    marks every output written with it. Production mode requires a real key of at least
    :data:`MIN_KEY_BYTES` bytes: hex (decoded) or text (UTF-8).
    """
    mode = mode.strip().lower() or DEMO_MODE
    if mode not in (DEMO_MODE, PRODUCTION_MODE):
        raise PrivacyConfigError(f"{MODE_ENV} must be {DEMO_MODE!r} or {PRODUCTION_MODE!r}, not {mode!r}")
    configured = (configured_key or "").strip()
    if not configured:
        if mode == PRODUCTION_MODE:
            raise PrivacyConfigError(
                f"{MODE_ENV}=production needs a secret key in {KEY_ENV} (at least {MIN_KEY_BYTES} bytes, "
                "e.g. `python -c 'import secrets; print(secrets.token_hex(32))'`)"
            )
        return DEMO_KEY
    secret = _decode_key(configured)
    if secret == DEMO_KEY.secret:
        if mode == PRODUCTION_MODE:
            raise PrivacyConfigError(f"{KEY_ENV} holds the public demo key; production needs a secret key")
        return DEMO_KEY
    key = PseudonymisationKey(secret=secret, is_demo=False, label="")
    return PseudonymisationKey(secret=secret, is_demo=False, label=f"HMAC-SHA256 key {key.fingerprint}")


def _decode_key(configured: str) -> bytes:
    secret = bytes.fromhex(configured) if _HEX_KEY.fullmatch(configured) else configured.encode("utf-8")
    if len(secret) < MIN_KEY_BYTES:
        raise PrivacyConfigError(
            f"{KEY_ENV} is too short: {len(secret)} bytes, at least {MIN_KEY_BYTES} needed "
            "(hex is decoded first, so 64 hex digits make 32 bytes)"
        )
    return secret


def hmac_pseudonym(values: pd.Series, key: PseudonymisationKey) -> pd.Series:
    """HMAC-SHA256 (lower-case hex) of each value; NA stays NA. Computed once per distinct value.

    Values are hashed exactly as given: pass normalised identifiers (16-digit NIK, digits-only card numbers)
    so that the same person gets the same pseudonym in every table.
    """
    codes, uniques = pd.factorize(values)
    hashed = np.empty(len(uniques) + 1, dtype=object)
    hashed[:-1] = hmac_sha256_hex(key.secret, np.asarray(uniques, dtype=object))
    hashed[-1] = pd.NA  # code -1 (missing) picks the last slot
    return pd.Series(hashed.take(codes), index=values.index, name=values.name, dtype="str")


_SHA256_BLOCK = 64
_INNER_PAD = bytes(byte ^ 0x36 for byte in range(256))
_OUTER_PAD = bytes(byte ^ 0x5C for byte in range(256))


def hmac_sha256_hex(secret: bytes, values: Iterable[object]) -> list[str]:
    """HMAC-SHA256 (RFC 2104) of each value's UTF-8 text, as lower-case hex: ``hmac.new(secret, value,
    sha256).hexdigest()``, with the keyed inner and outer hash states prepared once and copied per value
    (twice as fast as copying an ``hmac`` object: publication hashes millions of ids a night)."""
    if len(secret) > _SHA256_BLOCK:
        secret = hashlib.sha256(secret).digest()
    secret = secret.ljust(_SHA256_BLOCK, b"\0")
    inner_copy = hashlib.sha256(secret.translate(_INNER_PAD)).copy
    outer_copy = hashlib.sha256(secret.translate(_OUTER_PAD)).copy
    digests = []
    for value in values:
        inner = inner_copy()
        inner.update(str(value).encode("utf-8"))
        outer = outer_copy()
        outer.update(inner.digest())
        digests.append(outer.hexdigest())
    return digests


def _mask_keeping_tail(values: pd.Series, visible: int, stars: int) -> pd.Series:
    """``stars`` asterisks and the last ``visible`` characters; values too short to hide anything are all stars."""
    text = values.astype("str")
    masked = ("*" * stars) + text.str.slice(-visible)
    too_short = text.str.len() < 2 * visible
    return masked.mask(too_short.fillna(False), "*" * (stars + visible))


def mask_nik(values: pd.Series) -> pd.Series:
    """``************8901``: twelve asterisks and the last four characters; NA stays NA."""
    return _mask_keeping_tail(values, visible=4, stars=12)


def mask_phone(values: pd.Series) -> pd.Series:
    """``*********567``: the last three digits only (enough for staff to confirm a number); NA stays NA."""
    return _mask_keeping_tail(values, visible=3, stars=9)


AGE_BAND_EDGES = (0, 15, 25, 35, 45, 55, 65)
AGE_BAND_LABELS = ("0-14", "15-24", "25-34", "35-44", "45-54", "55-64", "65+")


def coarsen_birth_date(dates: pd.Series, snapshot_date: date) -> pd.DataFrame:
    """Birth year (``Int64``) and age band at ``snapshot_date``; NA for missing or future birth dates."""
    born = pd.to_datetime(dates)
    snapshot = pd.Timestamp(snapshot_date)
    birthday_not_yet = (born.dt.month * 100 + born.dt.day) > (snapshot.month * 100 + snapshot.day)
    age = snapshot.year - born.dt.year - birthday_not_yet.astype("float64")
    band = pd.cut(age, bins=[*AGE_BAND_EDGES, np.inf], right=False, labels=list(AGE_BAND_LABELS))
    plausible = age >= 0
    return pd.DataFrame(
        {
            "birth_year": born.dt.year.where(plausible).astype("Int64"),
            "age_band": band.astype("str").where(plausible & band.notna()).astype("str"),
        },
        index=dates.index,
    )


class ColumnPolicy(StrEnum):
    """What the analytics tier does with a column."""

    KEEP = "keep"
    HASH = "hash"  # replaced by ``<column>_hash``: HMAC pseudonym, still joins across tables
    DROP = "drop"
    COARSEN = "coarsen"  # dates of birth: ``birth_date`` → ``birth_year``, ``age_band`` (``x_date`` → ``x_year``…)


KEEP, HASH, DROP, COARSEN = ColumnPolicy.KEEP, ColumnPolicy.HASH, ColumnPolicy.DROP, ColumnPolicy.COARSEN

# The one policy table: every column the project publishes, by name, whatever the table.
COLUMN_POLICY: dict[str, ColumnPolicy] = {
    # lineage
    "source": KEEP,
    "record_id": HASH,  # embeds card numbers and KPJ (bpjs_kesehatan:<NO_KARTU>, bpjs_ketenagakerjaan:<KPJ>)
    "source_file": KEEP,
    "source_row": DROP,  # with the file it points back at one person's row
    # identity numbers
    "nik": HASH,
    "nik_valid": KEEP,
    "nik_issue": KEEP,
    "nik_birth_date": DROP,  # an exact birth date; the coarsened birth_date carries the age
    "nik_sex": KEEP,
    "nik_region": KEEP,  # kecamatan of first registration (6 digits), as coarse as kecamatan_code
    "kk": HASH,
    "jkn_card_no": HASH,
    "tk_kpj": HASH,
    # direct identifiers
    "name": DROP,
    "alias": DROP,
    "birth_place": DROP,
    "phone": DROP,
    "address": DROP,
    "rt": DROP,  # an RT is a few dozen households: too fine next to age band and sex
    "rw": DROP,
    "business_name": DROP,  # UMKM and stall names often carry the owner's name
    "birth_date": COARSEN,
    # generic person fields of registers of other shapes (data_contracts.schema)
    "street": DROP,
    "house_number": DROP,
    "other_id": HASH,  # another identifier of the person (member number, passport...)
    "locality": KEEP,  # suburb or town: as coarse as a kelurahan
    "postcode": KEEP,
    "province": KEEP,
    "area_code": KEEP,  # Kemendagri kecamatan/kelurahan code of a whole list (file name or constant)
    # region, work and cover
    "sex": KEEP,
    "kelurahan_code": KEEP,
    "kecamatan_code": KEEP,
    "region_match_score": KEEP,
    "occupation": KEEP,
    "sector": KEEP,
    "jkn_segment": KEEP,
    "jkn_status": KEEP,
    "jkn_relation": KEEP,  # PESERTA / ISTRI / SUAMI / ANAK on the JKN card: a role, not an identifier
    "tk_segment": KEEP,
    "tk_status": KEEP,
    "tk_programs": KEEP,
    "tk_last_paid_month": KEEP,
    "registration_type": KEEP,
    "registered_date": KEEP,
    # registry tables (satupekerja.registry.unify, satupekerja.registry.coverage)
    "worker_id": KEEP,
    "snapshot_date": KEEP,
    "record_ids": HASH,  # list of the worker's record ids: each element hashed, so they join person_records
    "record_count": KEEP,
    "sources": KEEP,
    "match_confidence": KEEP,
    "cluster_size": KEEP,  # worker_links: records in the worker's cluster
    "confidence": KEEP,  # worker_links: the record's best match weight within its cluster
    "employment_type": KEEP,
    "employment_evidence": KEEP,  # labels such as "tk:BPU", "ktp:PEDAGANG"
    "informal_probability": KEEP,  # a model output from the evidence above: no identifier
    "informal_evidence": KEEP,  # the same labels with their weights ("jkn:PBPU (kartu kepala keluarga) +0.4")
    "bpjs_tk_status": KEEP,
    "months_in_arrears": KEEP,
    "vulnerable": KEEP,
    "vulnerable_reason": KEEP,
    "uncovered_informal": KEEP,
    "uncovered_reason": KEEP,
    "outreach_score": KEEP,
    "outreach_priority": KEEP,
    "outreach_tier": KEEP,  # pasti / kemungkinan
    "known_only_from_lists": KEEP,  # no valid NIK, no population-register record: a flag, no identifier
    "review_group": KEEP,  # a worker id (generated, no personal data): the review group's representative
    "review_group_size": KEEP,
    # aggregates (coverage_by_area) and publication statistics: no person-level data
    "level": KEEP,
    "kecamatan": KEEP,
    "kelurahan": KEEP,
    "people": KEEP,
    "workers": KEEP,
    "informal": KEEP,
    "covered": KEEP,
    "uncovered": KEEP,
    "coverage_rate": KEEP,
    "rows": KEEP,
    "quarantined_rows": KEEP,
    # quarantine (rows that broke a contract rule): which columns and rules, and why; the raw row stays restricted
    "columns": KEEP,
    "rules": KEEP,
    "reason": KEEP,
    "raw_values": DROP,
    "present": KEEP,
    "readable": KEEP,
    "required": KEEP,
    "file_of": KEEP,  # publication_stats: the source of a per-file entry (a source id)
    # matching features (table matching_features, restricted tier only): names, NIKs, phones and birth dates in
    # derived form (keys, numbers, day counts); record_id, sex, kelurahan, kecamatan, address as above
    "name_key": DROP,
    "name_sorted": DROP,
    "given_key": DROP,
    "name_skeleton": DROP,
    "name_first": DROP,
    "name_second": DROP,
    "name_last": DROP,
    "skeleton_first": DROP,
    "name_initials": DROP,
    "call_name_text": DROP,
    "call_name_doubled": DROP,
    "alias_key": DROP,
    "name_has_initial": DROP,
    "nik_num": DROP,
    "nik_trusted": DROP,
    "nik_trusted_num": DROP,
    "dob": DROP,
    "birth_year": DROP,
    "nik_dob": DROP,
    "dob_any": DROP,
    "dob_any_year": DROP,
    "dob_any_month": DROP,
    "dob_any_day": DROP,
    "phone_num": DROP,
    "phone_tail": DROP,
    "rt_rw": DROP,
    "has_address": DROP,
    "street_text": DROP,
    "house_number_text": DROP,
    "locality_text": DROP,
    "postcode_text": DROP,
    "province_text": DROP,
    "other_id_text": DROP,
    "area_code_text": DROP,
    "sparse_identity": DROP,
    "untrusted_identity": DROP,
    "nik_registered": DROP,
    "sex_stated": DROP,
}

#: Tables published in the restricted tier only: :func:`to_analytics_tier` refuses them, whatever their columns.
RESTRICTED_ONLY_TABLES = frozenset({MATCHING_FEATURES})

#: Golden-record provenance: ``<field>_source`` names the source a golden field came from (a source id, never
#: the value), for every field that survivorship picks.
COLUMN_POLICY.update({f"{field}_source": KEEP for field in GOLDEN_FIELDS})

# The review queue (``match_review_queue``, restricted tier only): each pair's two records side by side carry
# their fields' own policy under the suffixes ``_l`` and ``_r``; the evidence is levels and weights.
COLUMN_POLICY.update(
    {f"{field}_{side}": COLUMN_POLICY[field] for field in (*SIDE_BY_SIDE_FIELDS, *SIDE_IDS) for side in ("l", "r")}
)
COLUMN_POLICY.update(
    {
        "pair_id": KEEP,  # P + SHA-256 of the two record pseudonyms: no personal data
        "record_hash_l": KEEP,  # already HMAC pseudonyms of the record ids
        "record_hash_r": KEEP,
        "match_probability": KEEP,
        "match_weight": KEEP,
        "comparisons": KEEP,  # JSON of comparison, level name and weight: no values
    }
)


def _coarsened(column: str, values: pd.Series, snapshot_date: date) -> pd.DataFrame:
    """``birth_date`` → ``birth_year``, ``age_band``; any other date column ``x`` → ``x_year``, ``x_age_band``."""
    coarse = coarsen_birth_date(values, snapshot_date)
    if column == "birth_date":
        return coarse
    stem = column.removesuffix("_date")
    return coarse.rename(columns={"birth_year": f"{stem}_year", "age_band": f"{stem}_age_band"})


def _hashed(values: pd.Series, key: PseudonymisationKey) -> pd.Series:
    """:func:`hmac_pseudonym` of a column; a column of lists (``record_ids``) is hashed element by element."""
    if isinstance(values.dtype, pd.ArrowDtype) and pa.types.is_list(values.dtype.pyarrow_dtype):
        return _hashed_arrow_lists(values, key)
    present = values.dropna()
    if present.empty or not isinstance(present.iloc[0], list | tuple | np.ndarray):
        return hmac_pseudonym(values, key)
    is_list = values.map(lambda value: isinstance(value, list | tuple | np.ndarray)).astype("bool")
    lists = values[is_list]
    lengths = lists.map(len).to_numpy(dtype="int64")
    flat = pd.Series(list(itertools.chain.from_iterable(lists)), dtype="str")
    pieces = np.split(hmac_pseudonym(flat, key).to_numpy(dtype=object), np.cumsum(lengths)[:-1]) if len(lists) else []
    hashed = pd.Series(pd.NA, index=values.index, dtype=object)
    hashed[is_list] = pd.Series([piece.tolist() for piece in pieces], index=lists.index, dtype=object)
    return hashed


def _hashed_arrow_lists(values: pd.Series, key: PseudonymisationKey) -> pd.Series:
    """An Arrow list column (how Parquet lists read back) hashed element by element, without Python lists."""
    lists = pa.array(values.array)
    lists = lists.combine_chunks() if isinstance(lists, pa.ChunkedArray) else lists
    lengths = pc.fill_null(pc.list_value_length(lists), 0).to_numpy(zero_copy_only=False)
    offsets = pa.array(np.concatenate([[0], np.cumsum(lengths)]).astype("int32"))
    flat = pd.Series(pc.list_flatten(lists).to_pandas(types_mapper=None), dtype="str")
    hashed = pa.array(hmac_pseudonym(flat, key).to_numpy(dtype=object), type=pa.string())
    rebuilt = pa.ListArray.from_arrays(offsets, hashed, mask=lists.is_null())
    return pd.Series(pd.arrays.ArrowExtensionArray(rebuilt), index=values.index, name=values.name)


def unclassified_columns(columns: Iterable[str], declared: Mapping[str, ColumnPolicy] | None = None) -> list[str]:
    """Columns neither :data:`COLUMN_POLICY` nor ``declared`` classifies, in order."""
    policy = {**COLUMN_POLICY, **(declared or {})}
    return [column for column in columns if column not in policy]


def _require_classified(table_name: str, columns: Iterable[str], declared: Mapping[str, ColumnPolicy] | None) -> None:
    unknown = unclassified_columns(columns, declared)
    if unknown:
        raise PrivacyPolicyError(
            f"table {table_name!r}: columns {unknown} have no privacy policy; add them to "
            "satupekerja.privacy.pseudonyms.COLUMN_POLICY (keep/hash/drop/coarsen) before publishing"
        )


def to_analytics_tier(
    table_name: str,
    frame: pd.DataFrame,
    key: PseudonymisationKey,
    snapshot_date: date,
    declared: Mapping[str, ColumnPolicy] | None = None,
) -> pd.DataFrame:
    """The analytics-tier copy of ``frame``: column policy applied, column order kept.

    ``declared`` classifies table-specific columns the shared table does not (it may not loosen a
    shared entry). Raises :class:`PrivacyPolicyError` for any unclassified column. The result's
    ``attrs`` record the tier and the key's label and fingerprint, so demo outputs are recognisable.
    """
    if table_name in RESTRICTED_ONLY_TABLES:
        raise PrivacyPolicyError(f"table {table_name!r} is published in the restricted tier only, never in analytics")
    own = {column: ColumnPolicy(rule) for column, rule in (declared or {}).items()}
    loosened = sorted(column for column, rule in own.items() if COLUMN_POLICY.get(column, rule) != rule)
    if loosened:
        raise PrivacyPolicyError(f"table {table_name!r}: cannot override the shared policy of columns {loosened}")
    _require_classified(table_name, frame.columns, own)
    policy = {**COLUMN_POLICY, **own}
    parts: list[pd.DataFrame | pd.Series] = []
    for column in frame.columns:
        rule = policy[column]
        if rule is KEEP:
            parts.append(frame[column])
        elif rule is HASH:
            parts.append(_hashed(frame[column], key).rename(f"{column}_hash"))
        elif rule is COARSEN:
            parts.append(_coarsened(column, frame[column], snapshot_date))
    analytics = pd.concat(parts, axis=1) if parts else pd.DataFrame(index=frame.index)
    analytics.attrs = _tier_attrs("analytics", key)
    return analytics


def restricted_tier(
    frame: pd.DataFrame, table_name: str = "table", declared: Mapping[str, ColumnPolicy] | None = None
) -> pd.DataFrame:
    """``frame`` unchanged, after checking every column is classified (a new column is reviewed before it is
    published anywhere); ``attrs`` mark it as restricted."""
    _require_classified(table_name, frame.columns, declared)
    restricted = frame.copy(deep=False)
    restricted.attrs = {"satupekerja_tier": "restricted"}
    return restricted


def _tier_attrs(tier: str, key: PseudonymisationKey) -> dict[str, str]:
    return {
        "satupekerja_tier": tier,
        "pseudonymisation_key": key.label,
        "pseudonymisation_key_fingerprint": key.fingerprint,
    }


# --- finding personal data in text --------------------------------------------------------------------------

_DIGIT_GROUPS = re.compile(r"\d+(?:[ .\-()]{1,2}\d+)*")  # "0812-3456-7890", "+62 812 …", "(021) 7777-8888"
_SEPARATOR = re.compile(r"[ .\-()]+")
_WORD = re.compile(r"[^\W\d_]+")
NIK_DIGITS = 16
MIN_PHONE_DIGITS = 8  # national significant number (no 0 / 62 prefix): 021 landlines have 9+, mobiles 9-12
MAX_PHONE_DIGITS = 13
MAX_GROUPS_JOINED = 6  # "+62 812 3456 7890" is 4 groups; longer sequences are lists of numbers, not one number
MIN_SINGLE_WORD_NAME = 6


def _phone_core(digits: str) -> str:
    """A phone's national significant number: digits without the ``62`` country code or trunk ``0``."""
    if digits.startswith("62"):
        return digits[2:]
    return digits.removeprefix("0")


@dataclass(frozen=True)
class PersonalDataScanner:
    """Finds known NIKs, phone numbers and full names in text. Build it with :func:`personal_data_scanner`.

    Matching is by set look-up of digit runs and word sequences, so scanning is linear in the text length.
    Results are hit kinds only (``"nik"``, ``"phone"``, ``"name"``), never the values found.
    """

    niks: frozenset[str]
    phones: frozenset[str]  # national significant numbers
    names_by_first_word: Mapping[str, frozenset[tuple[str, ...]]]
    name_lengths: tuple[int, ...]

    def __repr__(self) -> str:  # counts only: a test failure must not print the values it looks for
        names = sum(len(group) for group in self.names_by_first_word.values())
        return f"PersonalDataScanner(niks={len(self.niks)}, phones={len(self.phones)}, names={names})"

    def find(self, text: str) -> list[str]:
        """The kind of every hit in ``text``, in order of kind (NIKs, phones, then names)."""
        return [*self._digit_hits(text), *self._name_hits(text)]

    def _digit_hits(self, text: str) -> list[str]:
        hits: list[str] = []
        for run in _DIGIT_GROUPS.finditer(text):
            written = run.group()
            if len(written) < MIN_PHONE_DIGITS:  # too short to hold a phone, let alone a NIK
                continue
            kinds = self._kinds_in_digit_groups(_SEPARATOR.split(written))
            hits.extend(sorted(kinds))
        return hits

    def _kinds_in_digit_groups(self, groups: list[str]) -> set[str]:
        """Kinds found in any run of consecutive groups (``0812 3456 7890`` and ``NIK 3276… 12`` alike)."""
        kinds: set[str] = set()
        for start in range(len(groups)):
            joined = ""
            for group in groups[start : start + MAX_GROUPS_JOINED]:
                joined += group
                if len(joined) > NIK_DIGITS and joined != group:
                    break
                kinds |= self._kinds_of_number(joined)
        return kinds

    def _kinds_of_number(self, digits: str) -> set[str]:
        kinds: set[str] = set()
        if len(digits) >= NIK_DIGITS and any(
            digits[i : i + NIK_DIGITS] in self.niks for i in range(len(digits) - NIK_DIGITS + 1)
        ):
            kinds.add("nik")
        if MIN_PHONE_DIGITS <= len(digits) <= MAX_PHONE_DIGITS + 2 and _phone_core(digits) in self.phones:
            kinds.add("phone")
        return kinds

    def _name_hits(self, text: str) -> list[str]:
        if not self.names_by_first_word:
            return []
        words = _WORD.findall(text.upper())
        hits: list[str] = []
        for position, word in enumerate(words):
            candidates = self.names_by_first_word.get(word)
            if candidates is None:
                continue
            for length in self.name_lengths:
                if tuple(words[position : position + length]) in candidates:
                    hits.append("name")
                    break
        return hits


def personal_data_scanner(
    *, niks: Iterable[object] = (), phones: Iterable[object] = (), names: Iterable[object] = ()
) -> PersonalDataScanner:
    """A scanner for the given inputs' NIKs, phones (any format: ``0812-…``, ``+62 812 …``, ``628…``) and
    full names (whole words, case-insensitive; only names of two or more words or of at least six letters,
    so that short common words do not count as hits). Missing values are ignored."""
    nik_set = frozenset(d for d in _digit_strings(niks) if len(d) == NIK_DIGITS)
    phone_set = frozenset(
        core for core in map(_phone_core, _digit_strings(phones)) if MIN_PHONE_DIGITS <= len(core) <= MAX_PHONE_DIGITS
    )
    by_first: dict[str, set[tuple[str, ...]]] = {}
    for name in _present(names):
        words = tuple(_WORD.findall(str(name).upper()))
        if len(words) >= 2 or (len(words) == 1 and len(words[0]) >= MIN_SINGLE_WORD_NAME):
            by_first.setdefault(words[0], set()).add(words)
    lengths = sorted({len(words) for group in by_first.values() for words in group}, reverse=True)
    return PersonalDataScanner(
        niks=nik_set,
        phones=phone_set,
        names_by_first_word={first: frozenset(group) for first, group in by_first.items()},
        name_lengths=tuple(lengths),
    )


def _present(values: Iterable[object]) -> Iterable[object]:
    return (value for value in values if value is not None and not (pd.api.types.is_scalar(value) and pd.isna(value)))


def _digit_strings(values: Iterable[object]) -> Iterable[str]:
    return ("".join(ch for ch in str(value) if ch.isdigit()) for value in _present(values))
