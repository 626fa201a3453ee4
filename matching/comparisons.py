"""Comparison library: each comparison turns a field pair into an ordered level (0 = strongest agreement).

A comparison is a small declarative object (like Splink's comparison library): its parameters are
thresholds, its ``levels`` name the outcomes from strongest to weakest, and ``m_prior`` is the starting
point for EM. ``compute`` maps candidate pairs (two arrays of row positions into the feature frame) to an
``int8`` array of level indices, ``NULL_LEVEL`` (-1) where either side lacks the field: a missing value is
its own level and contributes zero weight.

Levels are evaluated in order and the first that holds wins, so a pair agreeing exactly on a name is never
also counted as a fuzzy agreement.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler, Levenshtein
from rapidfuzz.fuzz import partial_ratio, token_set_ratio

from matching.features import DAY_ZERO, MISSING_CODE, MISSING_NUMBER
from matching.normalize.names import call_name_fits

NULL_LEVEL = -1
NIK_DIGITS = 16
_DAY_TENS_POSITION = 6  # 0-based position of the day's tens digit in PP KK CC DD MM YY SSSS
_POWERS = 10 ** np.arange(NIK_DIGITS - 1, -1, -1, dtype=np.int64)


def _select(conditions: list[np.ndarray], available: np.ndarray) -> np.ndarray:
    """First true condition's index, ``len(conditions)`` (the ``else`` level) if none, NULL where unavailable."""
    levels = np.select(conditions, np.arange(len(conditions), dtype=np.int8), default=len(conditions))
    return np.where(available, levels, NULL_LEVEL).astype(np.int8)


def _column(features: pd.DataFrame, name: str, positions: np.ndarray) -> np.ndarray:
    return features[name].to_numpy()[positions]


def _same_code(features: pd.DataFrame, a: str, b: str, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Codes share one vocabulary across name columns, so ``a`` on the left can be compared with ``b`` on the right."""
    left_code = _column(features, a, left)
    return (left_code == _column(features, b, right)) & (left_code != MISSING_CODE)


def _same_code_at(
    features: pd.DataFrame, column: str, left: np.ndarray, right: np.ndarray, rows: np.ndarray
) -> np.ndarray:
    """:func:`_same_code` of ``column`` on the pairs at ``rows`` only (False on the others)."""
    same = np.zeros(len(left), dtype=bool)
    same[rows] = _same_code(features, column, column, left[rows], right[rows])
    return same


@dataclass(frozen=True, kw_only=True)
class Comparison(ABC):
    """Base of the comparison library: a named, ordered set of levels with EM starting points.

    ``max_weight`` caps a level's learned weight (bits); ``tf_level``/``tf_column`` name the level whose
    weight is adjusted by the term frequency of the agreeing value; ``frequency_levels`` maps levels defined
    by equality of one feature column (that level or a stronger one), strongest first, so their u can be
    computed from value frequencies (see ``matching.model``).
    """

    name: str
    levels: tuple[str, ...]
    m_prior: tuple[float, ...]
    max_weight: dict[str, float] = field(default_factory=dict)
    tf_level: str | None = None
    tf_column: str | None = None
    frequency_levels: dict[str, str] = field(default_factory=dict)

    @abstractmethod
    def compute(self, features: pd.DataFrame, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """Level index per pair (``NULL_LEVEL`` where either side lacks the field)."""


@dataclass(frozen=True, kw_only=True)
class NikComparison(Comparison):
    """NIK: exact, exact-but-suspect, women's +40 missing, adjacent transposition, one digit, else.

    ``exact_suspect`` is an exact NIK that is structurally invalid or whose implied birth date contradicts a
    stated birth date on either side: typical of a family card (KK) number typed into the NIK field, shared by
    a whole household, or a relative's NIK; its weight is capped (``max_weight``). Near-NIK levels are
    capped too: people born the same day in the same kecamatan get consecutive serials, so one digit apart
    is common between *different* people; random-pair u estimates cannot see that correlation with the
    birth date.
    """

    name: str = "nik"
    levels: tuple[str, ...] = ("exact", "exact_suspect", "sex_offset", "transposition", "one_digit", "else")
    m_prior: tuple[float, ...] = (0.80, 0.03, 0.02, 0.02, 0.05, 0.08)
    max_weight: dict[str, float] = field(
        default_factory=lambda: {"exact_suspect": 10.0, "sex_offset": 3.0, "transposition": 3.0, "one_digit": 2.0}
    )
    frequency_levels: dict[str, str] = field(
        default_factory=lambda: {"exact": "nik_trusted_num", "exact_suspect": "nik_num"}
    )

    def compute(self, features: pd.DataFrame, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        nik_left, nik_right = _column(features, "nik_num", left), _column(features, "nik_num", right)
        available = (nik_left != MISSING_NUMBER) & (nik_right != MISSING_NUMBER)
        exact = nik_left == nik_right
        trusted = _column(features, "nik_trusted", left) & _column(features, "nik_trusted", right)
        # Near NIKs differ by k·10^p (one digit) or 9·k·10^p (adjacent swap), 1 ≤ k ≤ 9: without its trailing
        # zeros the difference is at most 9, or a multiple of 9 up to 81 (9·k never ends in 0). That screen is
        # cheap on millions of pairs; the few rows passing it are then checked digit by digit (carries and
        # borrows make the screen let through a few pairs that differ in more digits).
        screened = available & ~exact
        rows = np.flatnonzero(screened)
        significant = np.abs(nik_left[rows] - nik_right[rows])
        zeros = np.flatnonzero(significant % 10 == 0)  # never 0: the NIKs differ
        while len(zeros):
            significant[zeros] //= 10
            zeros = zeros[significant[zeros] % 10 == 0]
        screened[rows] = (significant <= 9) | ((significant <= 81) & (significant % 9 == 0))
        near = np.full(len(left), -1, dtype=np.int8)
        near[screened] = _near_nik_kind(nik_left[screened], nik_right[screened])
        return _select(
            [exact & trusted, exact, near == _SEX_OFFSET, near == _TRANSPOSITION, near == _ONE_DIGIT], available
        )


_SEX_OFFSET, _TRANSPOSITION, _ONE_DIGIT = 0, 1, 2


def _near_nik_kind(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per pair: ``_SEX_OFFSET`` (only the day's tens digit differs, by 4: the women's +40), ``_TRANSPOSITION``
    (two adjacent digits swapped), ``_ONE_DIGIT`` (one digit differs), else -1."""
    digits_a, digits_b = (a[:, None] // _POWERS) % 10, (b[:, None] // _POWERS) % 10
    differs = digits_a != digits_b
    hamming = differs.sum(axis=1)
    first = differs.argmax(axis=1)
    second = np.minimum(first + 1, NIK_DIGITS - 1)
    rows = np.arange(len(a))
    sex_offset = (
        (hamming == 1) & (first == _DAY_TENS_POSITION) & (np.abs(digits_a[rows, first] - digits_b[rows, first]) == 4)
    )
    transposition = (
        (hamming == 2)
        & differs[rows, second]
        & (digits_a[rows, first] == digits_b[rows, second])
        & (digits_a[rows, second] == digits_b[rows, first])
    )
    kind = np.select([sex_offset, transposition, hamming == 1], [_SEX_OFFSET, _TRANSPOSITION, _ONE_DIGIT], -1)
    return kind.astype(np.int8)


# Name keys a community-list nickname is compared with (all codes of one vocabulary, see matching.features).
_NICKNAME_SOURCES = (
    "name_first_code",
    "name_second_code",
    "name_last_code",
    "name_key_code",
    "call_name_code",
    "call_name_doubled_code",
)


@dataclass(frozen=True, kw_only=True)
class NameComparison(Comparison):
    """Full name, from exact match key down to a nickname found in the other record's name.

    Levels: exact match key; same tokens in another order; same given name once the patronym (bin/binti …)
    is dropped; Jaro–Winkler ≥ ``jw_high``; equal once later tokens are cut to initials, where one name is
    written with an initial (``AGUS S`` / ``AGUS SANTOSO``); same consonant skeleton; Jaro–Winkler ≥
    ``jw_low``; one name's tokens a subset of the other's; a community-list nickname equal to one of the
    other's first three name words, its call name or that call name's doubled last syllable (``BUDI`` →
    ``DIDI``), or to its nickname, or a final run of at least ``call_name_suffix_min`` letters of one of the
    other's name words or its reduplication (``YADI`` for SUPRIYADI, ``LILI`` for ALI, ``WAWAN`` for
    HERMAWAN); a nickname found inside the other's name (``UDIN`` in
    ``SYARIFUDIN``, partial ratio ≥ ``alias_partial``); else. When a record has no full name but a nickname
    (community lists), only the nickname levels can fire and a disagreement is neutral: a nickname that is
    not part of the legal name is no evidence against a match.
    """

    name: str = "name"
    levels: tuple[str, ...] = (
        "exact",
        "token_sorted",
        "given_name",
        "jaro_winkler_high",
        "initials",
        "skeleton",
        "jaro_winkler_low",
        "token_subset",
        "alias",
        "alias_partial",
        "else",
    )
    m_prior: tuple[float, ...] = (0.70, 0.03, 0.04, 0.06, 0.02, 0.03, 0.04, 0.03, 0.02, 0.01, 0.02)
    tf_level: str | None = "exact"
    tf_column: str | None = "name_key_code"
    frequency_levels: dict[str, str] = field(default_factory=lambda: {"exact": "name_key_code"})
    jw_high: float = 0.95
    jw_low: float = 0.88
    alias_partial: float = 90.0
    call_name_suffix_min: int = 4

    def compute(self, features: pd.DataFrame, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        texts = _NameTexts.of(features)
        key = features["name_key_code"].to_numpy()
        key_left, key_right = key[left], key[right]
        has_name_left, has_name_right = key_left != MISSING_CODE, key_right != MISSING_CODE
        both_named = has_name_left & has_name_right
        exact = (key_left == key_right) & both_named
        del key_left, key_right
        # A level is only read where no stronger level holds (the first that holds wins), so the code
        # equalities of the middle levels are computed on the pairs still open (most candidate pairs agree
        # exactly); elsewhere they are False, which changes no level.
        open_rows = np.flatnonzero(~exact)
        token_sorted = _same_code_at(features, "name_sorted_code", left, right, open_rows)
        given = _same_code_at(features, "given_key_code", left, right, open_rows)
        open_rows = np.flatnonzero(~(exact | ((token_sorted | given) & both_named)))
        skeleton = _same_code_at(features, "name_skeleton_code", left, right, open_rows)
        initials = _same_code_at(features, "name_initials_code", left, right, open_rows)
        some_left, some_right = left[open_rows], right[open_rows]
        initials[open_rows] &= _column(features, "name_has_initial", some_left) | _column(
            features, "name_has_initial", some_right
        )
        del open_rows, some_left, some_right
        alias = self._alias_agrees(features, left, right, texts) | self._call_name_suffix(left, right, texts)
        pending = both_named & ~(exact | token_sorted | given)
        alias_partial = self._alias_partial(left, right, ~alias & ~(exact | token_sorted | given), texts)
        similarity = np.zeros(len(left))
        subset = np.zeros(len(left), dtype=bool)
        names = texts.names
        if pending.any():
            # Only the thresholds are read: a similarity below both is 0.
            lowest = min(self.jw_low, self.jw_high)
            similarity[pending] = _jaro_winkler_at_least(features, names, left[pending], right[pending], lowest)
        # One name's tokens inside the other's: its first token must be one of the other's tokens.
        maybe_subset = pending & (similarity < self.jw_low)
        maybe_subset[maybe_subset] = self._first_token_shared(features, left[maybe_subset], right[maybe_subset])
        if maybe_subset.any():
            subset[maybe_subset] = (
                process.cpdist(
                    names[left[maybe_subset]], names[right[maybe_subset]], scorer=token_set_ratio, workers=-1
                )
                >= 100
            )
        named_levels = [
            exact,
            token_sorted & both_named,
            given & both_named,
            similarity >= self.jw_high,
            initials,
            skeleton & both_named,
            similarity >= self.jw_low,
            subset,
            alias,
            alias_partial,
        ]
        # A pair with both names is available whatever the nicknames; the others are read for the rest only.
        unnamed = np.flatnonzero(~both_named)
        nickname_only = np.zeros(len(left), dtype=bool)
        nickname_only[unnamed] = (
            has_name_left[unnamed] | (_column(features, "alias_key_code", left[unnamed]) != MISSING_CODE)
        ) & (has_name_right[unnamed] | (_column(features, "alias_key_code", right[unnamed]) != MISSING_CODE))
        available = both_named | (nickname_only & (alias | alias_partial))
        return _select(named_levels, available)

    def _alias_partial(self, left: np.ndarray, right: np.ndarray, pending: np.ndarray, texts: _NameTexts) -> np.ndarray:
        """Nickname of one side contained (fuzzily) in the other side's full name."""
        aliases, names = texts.aliases, texts.names
        has_alias, has_name = aliases != "", names != ""  # per record, not per pair
        found = np.zeros(len(left), dtype=bool)
        for nick_side, name_side in ((left, right), (right, left)):
            todo = pending & has_alias[nick_side] & has_name[name_side]
            if todo.any():
                found[todo] |= (
                    process.cpdist(aliases[nick_side[todo]], names[name_side[todo]], scorer=partial_ratio, workers=-1)
                    >= self.alias_partial
                )
        return found

    @staticmethod
    def _first_token_shared(features: pd.DataFrame, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """Whether either record's first name token is one of the other's first, second or last tokens."""
        first_left, first_right = (
            _column(features, "name_first_code", left),
            _column(features, "name_first_code", right),
        )
        shared = np.zeros(len(left), dtype=bool)
        for token in ("name_first_code", "name_second_code", "name_last_code"):
            token_left = first_left if token == "name_first_code" else _column(features, token, left)
            token_right = first_right if token == "name_first_code" else _column(features, token, right)
            shared |= (first_left == token_right) & (first_left != MISSING_CODE)
            shared |= (token_left == first_right) & (token_left != MISSING_CODE)
        return shared

    @staticmethod
    def _alias_agrees(features: pd.DataFrame, left: np.ndarray, right: np.ndarray, texts: _NameTexts) -> np.ndarray:
        """A nickname equal to the other's nickname or one of its name words (``_NICKNAME_SOURCES``), or the
        beginning of its call name (:meth:`_call_name_prefix`). Every code equality needs a nickname on one
        side, so it is tested on the (few) pairs with one."""
        alias = features["alias_key_code"].to_numpy()
        with_alias = np.flatnonzero((alias[left] != MISSING_CODE) | (alias[right] != MISSING_CODE))
        some_left, some_right = left[with_alias], right[with_alias]
        alias_left, alias_right = alias[some_left], alias[some_right]
        some = (alias_left == alias_right) & (alias_left != MISSING_CODE)
        for token in _NICKNAME_SOURCES:
            codes = features[token].to_numpy()
            some |= (alias_left == codes[some_right]) & (alias_left != MISSING_CODE)
            token_left = codes[some_left]
            some |= (token_left == alias_right) & (token_left != MISSING_CODE)
        agree = np.zeros(len(left), dtype=bool)
        agree[with_alias] = some
        if texts.called is not None:
            agree |= NameComparison._call_name_prefix(left, right, texts)
        return agree

    def _call_name_suffix(self, left: np.ndarray, right: np.ndarray, texts: _NameTexts) -> np.ndarray:
        """A short call name (as in :meth:`_call_name_prefix`) that is a final syllable run of a word of the
        other record's full name, or its reduplication: ``YADI`` for SUPRIYADI, ``LILI`` for ALI, ``WAWAN``
        for HERMAWAN (:func:`matching.normalize.names.call_name_fits`, over distinct name pairs)."""
        has_name = texts.names != ""
        # Every (call name, other's full name) to check, over both call names and both sides, as a pair of text
        # codes: call_name_fits runs once on the distinct pairs, whose verdicts are spread back by code.
        rows, forms, fulls = [], [], []
        for (_short, length), short_codes in zip(texts.shorts, texts.short_codes, strict=True):
            has_short = length >= self.call_name_suffix_min
            for a, b in ((left, right), (right, left)):
                todo = np.flatnonzero(has_short[a] & has_name[b])
                rows.append(todo)
                forms.append(short_codes[a[todo]])
                fulls.append(texts.name_codes[b[todo]])
        found = np.zeros(len(left), dtype=bool)
        row = np.concatenate(rows)
        if len(row):
            form_code, full_code, inverse = _distinct_pairs(
                np.concatenate(forms), np.concatenate(fulls), len(texts.vocabulary)
            )
            form, full = texts.vocabulary[form_code], texts.vocabulary[full_code]
            fits = call_name_fits(pd.Series(form), pd.Series(full), self.call_name_suffix_min).to_numpy(dtype=bool)
            found[row[(fits & (form != full))[inverse]]] = True
        return found

    @staticmethod
    def _short_call_names(features: pd.DataFrame) -> tuple[pd.Series, ...]:
        """Per record, the names it may be called by: its nickname (else ''), and its name when that is one word of
        at most five letters and not the nickname (else ''). A community list may write a call name in the name
        column and another in the nickname column (RARA, panggilan UCOK): either may be the legal name's."""
        alias = features["alias_key"].astype("str").fillna("")
        name = features["name_key"].astype("str").fillna("")
        short_name = ((name.str.len() <= 5) & ~name.str.contains(" ", regex=False)).fillna(False).astype(bool)
        second = name.where(short_name & (name != alias), "")
        return alias, second

    @staticmethod
    def _call_name_prefix(left: np.ndarray, right: np.ndarray, texts: _NameTexts) -> np.ndarray:
        """A short call name (a nickname, or a one-word name of 3–5 letters) that begins the other record's call
        name: ``SUP`` / ``BANG SUP`` for SUPRIYADI, ``JOK`` for JOKO."""
        called, called_codes = texts.called, texts.called_codes
        assert called is not None and called_codes is not None, (
            "the call name prefix needs the features' call_name_text"
        )
        has_called = called != ""
        vocabulary = texts.vocabulary
        found = np.zeros(len(left), dtype=bool)
        for (_short, length), short_codes in zip(texts.shorts, texts.short_codes, strict=True):
            short_long_enough = length >= 3  # per record, not per pair
            for a, b in ((left, right), (right, left)):
                todo = np.flatnonzero(short_long_enough[a] & has_called[b] & ~found)
                if len(todo):
                    # Tested once per distinct (call name, other's call name) pair of texts.
                    head_code, whole_code, inverse = _distinct_pairs(
                        short_codes[a[todo]], called_codes[b[todo]], len(vocabulary)
                    )
                    begins = np.array(
                        [
                            h != w and w.startswith(h)
                            for h, w in zip(vocabulary[head_code], vocabulary[whole_code], strict=True)
                        ],
                        dtype=bool,
                    )
                    found[todo] |= begins[inverse]
        return found


_BOUND_CHUNK = 1_000_000  # pairs whose letter counts are compared at once (bounds the memory at any size)
_LETTER_SLOTS = 28  # A–Z, the space, anything else


def _jaro_winkler_at_least(
    features: pd.DataFrame, names: np.ndarray, left: np.ndarray, right: np.ndarray, cutoff: float
) -> np.ndarray:
    """Jaro–Winkler similarity of the match keys of each pair where it is at least ``cutoff``, else 0.

    A pair is compared only when a bound allows the cutoff. Jaro is (m/|a| + m/|b| + (m−t)/m) / 3 with m the
    matching characters, at most c, the characters the two names have in common counted with repeats (per
    letter, the smaller count; the space and all other characters as two more slots, which only raises c);
    so Jaro ≤ (c/|a| + c/|b| + 1) / 3. Winkler's boost adds at most 0.4·(1 − Jaro) (a common prefix of at
    most four characters, weight 0.1): Jaro–Winkler ≤ 0.6·Jaro + 0.4. Random pairs of names (the u sample)
    that reach it share too few letters for the cutoff about 96 times in 100 and are never compared."""
    codes, distinct = pd.factorize(features["name_key"], use_na_sentinel=True)
    values = [str(value) for value in np.asarray(distinct, dtype=object).tolist()]
    lengths = np.fromiter((len(value) for value in values), dtype=np.int64, count=len(values))
    characters = np.frombuffer("".join(values).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    slot = np.where((characters >= ord("A")) & (characters <= ord("Z")), characters - ord("A"), 27)
    slot[characters == ord(" ")] = 26
    owner = np.repeat(np.arange(len(values), dtype=np.int64), lengths)
    counts = np.bincount(owner * _LETTER_SLOTS + slot, minlength=len(values) * _LETTER_SLOTS)
    counts = counts.reshape(len(values), _LETTER_SLOTS).astype(np.uint16 if lengths.max(initial=0) > 255 else np.uint8)
    # Each distinct (left name, right name) pair is bounded and compared once (the same two names meet in many
    # candidate pairs of a city), through a pair that holds it; the similarities are spread back by pair.
    pair_left, pair_right, inverse = _distinct_pairs(codes[left] + 1, codes[right] + 1, len(values) + 1)
    held = np.empty(len(pair_left), dtype=np.int64)
    held[inverse[::-1]] = np.arange(len(left) - 1, -1, -1, dtype=np.int64)  # the first pair holding each
    pair_left, pair_right = pair_left - 1, pair_right - 1
    similarity = np.zeros(len(pair_left))
    for start in range(0, len(pair_left), _BOUND_CHUNK):
        a, b = pair_left[start : start + _BOUND_CHUNK], pair_right[start : start + _BOUND_CHUNK]
        common = np.minimum(counts[a], counts[b]).sum(axis=1, dtype=np.int64)
        bound = 0.6 * (common / np.maximum(lengths[a], 1) + common / np.maximum(lengths[b], 1) + 1.0) / 3.0 + 0.4
        todo = np.flatnonzero(bound >= cutoff - 1e-9) + start  # the margin covers rounding in the bound
        similarity[todo] = process.cpdist(
            names[left[held[todo]]],
            names[right[held[todo]]],
            scorer=JaroWinkler.normalized_similarity,
            score_cutoff=cutoff,
            workers=-1,
        )
    return similarity[inverse]


@dataclass(frozen=True)
class _NameTexts:
    """The name texts a :class:`NameComparison` reads, per record, taken out of the feature frame once per
    ``compute``: match key and nickname (``""`` when missing), call name (``None`` when the features have
    none) and the short call names with their lengths (:meth:`NameComparison._short_call_names`)."""

    names: np.ndarray
    aliases: np.ndarray
    called: np.ndarray | None
    shorts: tuple[tuple[np.ndarray, np.ndarray], ...]
    #: One vocabulary over the match keys, short call names and call names (distinct texts), and each record's
    #: codes into it: pairs of texts are told apart by two integers, and a test on texts runs per distinct pair.
    vocabulary: np.ndarray
    name_codes: np.ndarray
    short_codes: tuple[np.ndarray, ...]
    called_codes: np.ndarray | None

    @classmethod
    def of(cls, features: pd.DataFrame) -> _NameTexts:
        called = None
        if "call_name_text" in features.columns:
            called = features["call_name_text"].to_numpy(dtype=object, na_value="")
        short_texts = NameComparison._short_call_names(features)
        # Coded in Arrow (a missing text is ""), before any text becomes a Python string.
        columns = [features["name_key"], *short_texts]
        if called is not None:
            columns.append(features["call_name_text"])
        encoded = pc.dictionary_encode(pa.concat_arrays([_arrow_text(column) for column in columns]))
        codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        per_record = [codes[k * len(features) : (k + 1) * len(features)] for k in range(len(columns))]
        return cls(
            names=features["name_key"].to_numpy(dtype=object, na_value=""),
            aliases=features["alias_key"].to_numpy(dtype=object, na_value=""),
            called=called,
            shorts=tuple(
                (short.to_numpy(dtype=object), short.str.len().to_numpy(dtype=np.int64)) for short in short_texts
            ),
            vocabulary=encoded.dictionary.to_numpy(zero_copy_only=False).astype(object),
            name_codes=per_record[0],
            short_codes=tuple(per_record[1 : 1 + len(short_texts)]),
            called_codes=None if called is None else per_record[-1],
        )


def _arrow_text(column: pd.Series) -> pa.Array:
    """``column`` as one Arrow text array, a missing value as ``""`` (as the texts read it)."""
    text = pa.array(column.astype("str"), type=pa.large_string())
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks() if text.num_chunks else pa.array([], type=pa.large_string())
    return pc.fill_null(text, "")


def _distinct_pairs(first: np.ndarray, second: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct (``first``, ``second``) pairs of codes below ``size``, and per input pair the index of its
    distinct pair (a hash of one packed integer per pair, no sort)."""
    inverse, packed = pd.factorize(first.astype(np.int64) * size + second.astype(np.int64))
    return packed // size, packed % size, inverse


@dataclass(frozen=True, kw_only=True)
class BirthDateComparison(Comparison):
    """Birth date: stated dates equal; equal once NIK-implied dates are used; day/month swapped; a one-digit
    year typo (same day and month, years differing in one digit: 1985/1986, 1985/1975); one part differs.

    Dates are day numbers (see ``matching.features``); a record's effective date is the stated one, else the
    NIK-implied one. When both records carry the same NIK, its date is already the NIK comparison's
    evidence: only stated dates are compared (missing if either lacks one).
    """

    name: str = "birth_date"
    levels: tuple[str, ...] = ("exact", "nik_implied", "day_month_swap", "year_one_digit", "one_part_differs", "else")
    m_prior: tuple[float, ...] = (0.80, 0.06, 0.02, 0.03, 0.04, 0.05)
    frequency_levels: dict[str, str] = field(default_factory=lambda: {"exact": "dob"})

    def compute(self, features: pd.DataFrame, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        stated_l, stated_r = _column(features, "dob", left), _column(features, "dob", right)
        implied_l, implied_r = _column(features, "nik_dob", left), _column(features, "nik_dob", right)
        both_stated = (stated_l != MISSING_NUMBER) & (stated_r != MISSING_NUMBER)
        # With one NIK on both sides its date is already the NIK comparison's evidence: only stated dates count.
        nik_l = _column(features, "nik_num", left)
        same_nik = (nik_l == _column(features, "nik_num", right)) & (nik_l != MISSING_NUMBER)
        eff_l, eff_r = _column(features, "dob_any", left), _column(features, "dob_any", right)
        available = np.where(same_nik, both_stated, (eff_l != MISSING_NUMBER) & (eff_r != MISSING_NUMBER))
        exact = (stated_l == stated_r) & both_stated
        cross = ~same_nik & (
            ((stated_l == implied_r) & (stated_l != MISSING_NUMBER))
            | ((implied_l == stated_r) & (implied_l != MISSING_NUMBER))
            | ((eff_l == eff_r) & (eff_l != MISSING_NUMBER))
        )
        # Parts compared: the stated dates where one NIK is on both sides, else the effective dates. A stated
        # date's parts are computed once per record, not once per pair side.
        stated_parts = _date_parts(features["dob"].to_numpy())
        year_l, month_l, day_l = (
            np.where(same_nik, stated[left], _column(features, f"dob_any_{part}", left))
            for stated, part in zip(stated_parts, _DATE_PARTS, strict=True)
        )
        year_r, month_r, day_r = (
            np.where(same_nik, stated[right], _column(features, f"dob_any_{part}", right))
            for stated, part in zip(stated_parts, _DATE_PARTS, strict=True)
        )
        swap = (year_l == year_r) & (day_l == month_r) & (month_l == day_r)
        same_decade = year_l // 10 == year_r // 10
        one_year_digit = same_decade | ((year_l % 10 == year_r % 10) & (year_l // 100 == year_r // 100))
        year_off = one_year_digit & (month_l == month_r) & (day_l == day_r)
        one_part = (year_l == year_r) & ((month_l == month_r) | (day_l == day_r))
        return _select([exact, cross, swap, year_off, one_part], available)


_DATE_PARTS = ("year", "month", "day")


def _date_parts(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month, day of day numbers (see ``matching.features``)."""
    dates = DAY_ZERO.to_datetime64() + days.astype("timedelta64[D]")
    years = dates.astype("datetime64[Y]")
    months = dates.astype("datetime64[M]")
    return (
        years.astype(np.int64) + 1970,
        (months - years).astype(np.int64) + 1,
        (dates - months).astype(np.int64) + 1,
    )


@dataclass(frozen=True, kw_only=True)
class ExactComparison(Comparison):
    """Agreement on one coded column: ``exact`` or ``else``."""

    column: str
    levels: tuple[str, ...] = ("exact", "else")
    m_prior: tuple[float, ...] = (0.95, 0.05)

    def compute(self, features: pd.DataFrame, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        a, b = _column(features, self.column, left), _column(features, self.column, right)
        return _select([a == b], (a != MISSING_CODE) & (b != MISSING_CODE))


@dataclass(frozen=True, kw_only=True)
class PhoneComparison(Comparison):
    """Phone: the full number, else the last 8 digits (a changed operator prefix or a dropped digit up front)."""

    name: str = "phone"
    levels: tuple[str, ...] = ("exact", "last_8_digits", "else")
    m_prior: tuple[float, ...] = (0.75, 0.05, 0.20)
    frequency_levels: dict[str, str] = field(default_factory=lambda: {"exact": "phone_num"})

    def compute(self, features: pd.DataFrame, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        full_l, full_r = _column(features, "phone_num", left), _column(features, "phone_num", right)
        tail_l, tail_r = _column(features, "phone_tail", left), _column(features, "phone_tail", right)
        available = (full_l != MISSING_NUMBER) & (full_r != MISSING_NUMBER)
        return _select([full_l == full_r, tail_l == tail_r], available)


@dataclass(frozen=True, kw_only=True)
class LocationComparison(Comparison):
    """Where the person lives: same street address; same kelurahan and RT; same kelurahan; same kecamatan; else.

    The street address is a level of this comparison rather than a comparison of its own: an address and
    its RT are one piece of evidence, and counting them twice would tie household members together. When
    either record has no street address (community lists write a domicile area or where the person works)
    a disagreement is its own level, ``domicile_differs``, which EM learns to weigh lightly, instead of the
    strong ``else`` learned between registered addresses.
    """

    name: str = "location"
    levels: tuple[str, ...] = ("address", "kelurahan_rt", "kelurahan", "kecamatan", "else", "domicile_differs")
    m_prior: tuple[float, ...] = (0.40, 0.25, 0.20, 0.05, 0.04, 0.06)

    def compute(self, features: pd.DataFrame, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        kel_l, kel_r = _column(features, "kelurahan", left), _column(features, "kelurahan", right)
        kec_l, kec_r = _column(features, "kecamatan", left), _column(features, "kecamatan", right)
        rt_l, rt_r = _column(features, "rt_rw", left), _column(features, "rt_rw", right)
        address_l, address_r = _column(features, "address", left), _column(features, "address", right)
        addressed = _column(features, "has_address", left) & _column(features, "has_address", right)
        kelurahan_known = (kel_l != MISSING_CODE) & (kel_r != MISSING_CODE)
        same_kelurahan = kelurahan_known & (kel_l == kel_r)
        same_address = (address_l == address_r) & (address_l != MISSING_CODE) & (same_kelurahan | ~kelurahan_known)
        same_rt = same_kelurahan & (rt_l == rt_r) & (rt_l != MISSING_CODE)
        available = ((kec_l != MISSING_CODE) & (kec_r != MISSING_CODE)) | (
            (address_l != MISSING_CODE) & (address_r != MISSING_CODE)
        )
        same_kecamatan = (kec_l == kec_r) & (kec_l != MISSING_CODE) & addressed
        return _select([same_address, same_rt, same_kelurahan, same_kecamatan, addressed], available)


@dataclass(frozen=True)
class Condition:
    """A test on a pair, for the levels of a :class:`FieldComparison`.

    ``exact``: both records have ``column`` (an integer feature) and it is equal. ``jaro_winkler``: the
    Jaro–Winkler similarity of the text in ``column`` is at least ``threshold``. ``levenshtein``: the edit
    distance of the text is at most ``threshold``. ``missing``: either record lacks ``column`` (a name
    without a second word is a single name). ``crossed_jaro_winkler``: ``column`` of one record against
    ``other_column`` of the other, both ways, at least ``threshold`` (given name and surname swapped, with a
    typo). ``all``/``any``: every/some condition of ``parts`` holds.
    """

    kind: str
    column: str | None = None
    threshold: float | None = None
    parts: tuple[Condition, ...] = ()
    other_column: str | None = None

    def columns(self) -> tuple[str, ...]:
        if self.kind in ("all", "any"):
            return tuple(column for part in self.parts for column in part.columns())
        assert self.column is not None, f"a {self.kind!r} condition names its column"
        return (self.column,) if self.other_column is None else (self.column, self.other_column)

    def holds(self, features: pd.DataFrame, left: np.ndarray, right: np.ndarray, todo: np.ndarray) -> np.ndarray:
        """Per pair (only ``todo`` pairs are evaluated; the others are False)."""
        if self.kind == "all":
            result = todo.copy()
            for part in self.parts:
                result &= part.holds(features, left, right, result)
            return result
        if self.kind == "any":
            result = np.zeros(len(left), dtype=bool)
            for part in self.parts:
                result |= part.holds(features, left, right, todo & ~result)
            return result
        assert self.column is not None, f"a {self.kind!r} condition names its column"
        if self.kind == "exact":
            a, b = _column(features, self.column, left), _column(features, self.column, right)
            return todo & (a == b) & (a != MISSING_CODE)
        if self.kind == "missing":
            a, b = _column(features, self.column, left), _column(features, self.column, right)
            return todo & ((a == MISSING_CODE) | (b == MISSING_CODE))
        if self.kind == "crossed_jaro_winkler":
            first = Condition(
                "jaro_winkler", column=self.column, threshold=self.threshold, other_column=self.other_column
            )
            second = Condition(
                "jaro_winkler", column=self.other_column, threshold=self.threshold, other_column=self.column
            )
            result = first.holds(features, left, right, todo)
            return second.holds(features, left, right, result)
        texts = features[self.column].to_numpy(dtype=object, na_value="")
        other = texts if self.other_column is None else features[self.other_column].to_numpy(dtype=object, na_value="")
        a, b = texts[left], other[right]
        todo = todo & (a != "") & (b != "")
        result = np.zeros(len(left), dtype=bool)
        if todo.any():
            if self.kind == "jaro_winkler":
                scores = process.cpdist(a[todo], b[todo], scorer=JaroWinkler.normalized_similarity, workers=-1)
                result[todo] = scores >= self.threshold
            else:
                scores = process.cpdist(a[todo], b[todo], scorer=Levenshtein.distance, workers=-1)
                result[todo] = scores <= self.threshold
        return result


@dataclass(frozen=True, kw_only=True)
class FieldComparison(Comparison):
    """A comparison declared level by level (matching settings ``kind: levels``): each level but the last
    (``else``) has a :class:`Condition`; the first that holds wins. The comparison is missing for a pair
    unless both records have at least one of ``available_columns``."""

    conditions: tuple[Condition, ...]
    available_columns: tuple[str, ...]

    def compute(self, features: pd.DataFrame, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        available = np.zeros(len(left), dtype=bool)
        for column in self.available_columns:
            values = features[column].to_numpy()
            missing = values.dtype == object
            present = pd.notna(values) & (values != "") if missing else values != MISSING_CODE
            available |= present[left] & present[right]
        decided = ~available
        conditions = []
        for condition in self.conditions:
            holds = condition.holds(features, left, right, ~decided)
            decided |= holds
            conditions.append(holds)
        return _select(conditions, available)
