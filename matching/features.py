"""Matching features: one row per person record, every field in the form comparisons and blocking need.

Strings used for equality are turned into integer codes over one shared vocabulary, so a nickname can be
compared with a first name token by comparing two integers, and blocking groups on integers. Numbers
(NIK, phone) are exact ``int64`` values; dates are day numbers since 1800-01-01. Missing is
``MISSING_CODE``/``MISSING_NUMBER`` (-1) everywhere, never NaN, so comparisons stay in plain numpy.

Row ``k`` of the feature frame is row ``k`` of the person records it was computed from (positional index):
candidate pairs are pairs of these positions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from matching.normalize import clean_name, name_match_key, name_skeleton
from matching.normalize._text import extract
from matching.normalize.names import skeleton_of_match_keys

MISSING_CODE = -1
MISSING_NUMBER = -1
DAY_ZERO = pd.Timestamp("1800-01-01")
PHONE_TAIL_DIGITS = 8
SEX_CODES = {"L": 0, "P": 1}

# Forms of address before a nickname ("BANG UDIN", "TEH NENG"), not part of the name a registry would hold,
# with the sex they imply (None: either).
NICKNAME_HONORIFICS: dict[str, str | None] = {
    "ABANG": "L",
    "BANG": "L",
    "BUNG": "L",
    "MAS": "L",
    "KANG": "L",
    "AKANG": "L",
    "PAK": "L",
    "UDA": "L",
    "BU": "P",
    "MBAK": "P",
    "MBA": "P",
    "TEH": "P",
    "TETEH": "P",
    "UNI": "P",
    "KAK": None,
    "KAKAK": None,
    "CAK": "L",
    "OM": "L",
    "CEU": "P",
}
_HONORIFIC_RE = r"^(?:" + "|".join(NICKNAME_HONORIFICS) + r") (?=[A-Z])"
# Call names that say nothing about the registered name, with the sex they imply: generic nicknames
# (Sundanese UJANG/NENG, Betawi ENTONG, Batak UCOK/BUTET, Minang UPIK/BUYUNG, Javanese NDUK/TOLE),
# descriptions (GENDUT, BEWOK) and short forms a community list writes alone (UDIN, MAMAT, OPIK). A record
# whose whole name is one of these is named by its nickname only.
GENERIC_CALL_NAMES: dict[str, str] = {
    **dict.fromkeys(
        (
            "UJANG",
            "ENTONG",
            "UCOK",
            "BUYUNG",
            "TOLE",
            "THOLE",
            "ACONG",
            "GENDUT",
            "BEWOK",
            "KOMENG",
            "BONENG",
            "JAGO",
            "UDIN",
            "MAMAT",
            "OPIK",
            "IPIN",
            "BOIM",
            "KIPLI",
        ),
        "L",
    ),
    **dict.fromkeys(("NENG", "BUTET", "UPIK", "NDUK", "GENDUK", "EMAK", "CICI", "ICHA", "NONIK", "NCUS", "YU"), "P"),
}
_CALL_WORD_SEX = {**{word: sex for word, sex in NICKNAME_HONORIFICS.items() if sex}, **GENERIC_CALL_NAMES}
_PATRONYM_RE = r" (?:BIN|BINTI) .+$"  # the markers split_patronymic uses
# Name words a call name skips ("MUHAMMAD RIZKI" is called RIZKI, "I MADE SUDARMA" MADE or SUDARMA).
_CALL_NAME_SKIPS_RE = r"^(?:(?:MUHAMMAD|SITI|NUR|AHMAD|ABDUL|I|NI) )+"
# The last consonant-vowel syllable of a call name, said twice, is a nickname of its own (BUDI → DIDI).
_LAST_SYLLABLE_RE = r"^.*([^AIUEO ][AIUEO])$"


# Generic person fields (registers of other shapes): compared as normalised text (``<field>_text``) and as
# integer codes (``<field>``). ``house_number`` keeps its letter (12A).
GENERIC_FIELDS = ("street", "house_number", "locality", "postcode", "province", "other_id", "area_code")
# Text fields a derived key or a fuzzy level can read: feature column holding the text.
# Fields whose keys are computed from the name key: their text is kept (``<field>_text``) only when the
# settings compare it fuzzily (``FeatureSpec.name_texts``).
NAME_TEXT_FIELDS = (
    "name_sorted",
    "given_name",
    "name_skeleton",
    "name_first",
    "name_second",
    "name_last",
    "skeleton_first",
    "name_initials",
)
TEXT_COLUMNS: dict[str, str] = {
    "name": "name_key",
    "alias": "alias_key",
    **{name: f"{name}_text" for name in GENERIC_FIELDS},
    **{name: f"{name}_text" for name in NAME_TEXT_FIELDS},
}
DATE_COLUMNS: dict[str, str] = {"birth_date": "dob", "nik_birth_date": "nik_dob", "birth_date_any": "dob_any"}
TEXT_TRANSFORMS = ("first", "last", "phonetic")
DATE_TRANSFORMS = ("year", "month", "day", "month_day")


@dataclass(frozen=True)
class DerivedKey:
    """A blocking key computed from a field: its first or last ``n`` characters, its phonetic key (Soundex),
    or the year, month, day or month-and-day of a date. Text keys share one code vocabulary (so alternatives
    such as the phonetic key of the first or of the last name token meet); date parts are numbers."""

    field: str
    transform: str
    n: int | None = None

    @property
    def column(self) -> str:
        return f"{self.field}|{self.transform}{self.n or ''}"


@dataclass(frozen=True)
class FeatureSpec:
    """What the settings ask of the feature step beyond the fixed features: derived blocking keys, and word
    synonyms per text field (``{"name": {"BOB": "ROBERT"}, "street": {"STREET": "ST"}}``), applied before any
    key is computed; ``name_texts``: name fields kept as text for fuzzy levels; ``name_spelling``:
    ``indonesian`` (old spelling → current, Muhammad variants, doubled consonants squeezed: the match key of
    ``matching.normalize.name_match_key``) or ``plain`` (cleaned only: upper case, letters, titles stripped),
    for registers where ``OE`` or ``DJ`` are not old Indonesian spellings."""

    derived: tuple[DerivedKey, ...] = ()
    synonyms: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    name_texts: tuple[str, ...] = ()
    name_spelling: str = "indonesian"


def compute_features(records: pd.DataFrame, spec: FeatureSpec | None = None) -> pd.DataFrame:
    """Feature frame for ``records`` (person schema), positional index aligned with ``records``."""
    spec = spec or FeatureSpec()
    return encode_features(feature_keys(records, spec), spec)


# Coded columns and the key column each is coded from. The name codes share one vocabulary (a nickname is compared
# with a first name token by comparing two integers); every other coded column has its own.
NAME_CODES: dict[str, str] = {
    "name_key_code": "name_key",
    "name_sorted_code": "name_sorted",
    "given_key_code": "given_key",
    "name_skeleton_code": "name_skeleton",
    "name_first_code": "name_first",
    "name_second_code": "name_second",
    "name_last_code": "name_last",
    "skeleton_first_code": "skeleton_first",
    "name_initials_code": "name_initials",
    "call_name_code": "call_name_text",
    "call_name_doubled_code": "call_name_doubled",
    "alias_key_code": "alias_key",
}
# Name fields a derived key or a fuzzy level reads (``NAME_TEXT_FIELDS``) → the key column holding their text.
_NAME_TEXT_KEYS = {"given_name": "given_key", **{name: name for name in NAME_TEXT_FIELDS if name != "given_name"}}
# Location codes coded from the key text of the same name.
LOCATION_CODES = ("kelurahan", "kecamatan", "rt_rw", "address")


def feature_keys(records: pd.DataFrame, spec: FeatureSpec | None = None) -> pd.DataFrame:
    """The matching features of ``records`` before coding: every key as text, every number as a number.

    This is the costly part of the feature step (name normalisation, skeletons, NIK and phone parsing, dates),
    row by row: a record's keys do not depend on the other records. :func:`encode_features` turns keys into the
    integer codes comparisons and blocking use, over the vocabulary of the rows it is given, so the keys of a
    registry computed once (and published, ``matching_features``) and the keys of a small list can be coded
    together. The columns do not depend on the settings beyond the spelling and synonyms of ``spec``: the
    settings-specific columns (derived blocking keys, name texts of fuzzy levels) are made by the encoding.
    """
    spec = spec or FeatureSpec()
    records = records.reset_index(drop=True)
    if spec.synonyms.get("name"):
        records = records.assign(name=_with_synonyms(records["name"], spec.synonyms["name"]))
    keys = pd.DataFrame({"record_id": records["record_id"].astype("str")})
    names = _name_keys(records, spec.name_spelling)
    keys = keys.join(names.drop(columns="called_sex"))
    keys = keys.join(_nik_features(records))
    keys = keys.join(_date_features(records))
    keys["sex"] = _sex_codes(records, names["called_sex"])
    keys = keys.join(_phone_features(records["phone"]))
    keys = keys.join(_location_keys(records))
    keys = keys.join(_generic_texts(records, spec.synonyms))
    keys["sparse_identity"] = (keys["nik_num"] == MISSING_NUMBER) & (keys["dob_any"] == MISSING_NUMBER)
    keys["untrusted_identity"] = ~keys["nik_trusted"]
    return keys


def encode_features(keys: pd.DataFrame, spec: FeatureSpec | None = None) -> pd.DataFrame:
    """The feature frame of :func:`feature_keys` rows (of one or several frames, concatenated): text keys
    coded over these rows' vocabulary, the name texts of fuzzy levels and the derived blocking keys added."""
    spec = spec or FeatureSpec()
    keys = keys.reset_index(drop=True)
    name_codes = _shared_codes(keys[list(NAME_CODES.values())].set_axis(list(NAME_CODES), axis=1))
    features = pd.DataFrame({"record_id": keys["record_id"]}).join(
        name_codes.rename(columns=lambda column: column.removesuffix("_code"))
    )
    features = features.join(keys[["name_key", "alias_key", "call_name_text"]])
    name_text = keys[list(_NAME_TEXT_KEYS.values())].set_axis(list(_NAME_TEXT_KEYS), axis=1)
    for name in spec.name_texts:
        features[f"{name}_text"] = name_text[name]
    features["name_has_initial"] = keys["name_has_initial"].to_numpy()
    numbers = [column for column in _NUMBER_KEYS if column in keys.columns]
    features = features.join(keys[numbers])
    for column in LOCATION_CODES:
        features[column] = _codes(keys[column])
    features["has_address"] = keys["has_address"].to_numpy()
    for name in GENERIC_FIELDS:
        features[name] = _codes(keys[f"{name}_text"])
        features[f"{name}_text"] = keys[f"{name}_text"]
    features["sparse_identity"] = keys["sparse_identity"].to_numpy()
    features["untrusted_identity"] = keys["untrusted_identity"].to_numpy()
    # No NIK at all (community and trader lists): a blocking focus, derived here so it is never published.
    features["missing_nik"] = keys["nik_num"].to_numpy() == MISSING_NUMBER
    # No trusted NIK and no birth date: a blocking focus, derived here too (the published columns keep their schema).
    features["untrusted_undated"] = features["untrusted_identity"].to_numpy() & (
        keys["dob_any"].to_numpy() == MISSING_NUMBER
    )
    if spec.derived:
        features = features.join(_derived_keys(spec.derived, features, name_text))
    return features


# Key columns that are numbers (or flags) and pass to the features unchanged.
_NUMBER_KEYS = (
    "nik_num",
    "nik_trusted",
    "nik_trusted_num",
    "dob",
    "birth_year",
    "nik_dob",
    "dob_any",
    "dob_any_year",
    "dob_any_month",
    "dob_any_day",
    "sex",
    "phone_num",
    "phone_tail",
)

#: Every column :func:`feature_keys` returns, in order.
FEATURE_KEY_COLUMNS: tuple[str, ...] = (
    "record_id",
    *NAME_CODES.values(),
    "name_has_initial",
    *_NUMBER_KEYS,
    "kelurahan",
    "kecamatan",
    "rt_rw",
    "has_address",
    "address",
    *(f"{name}_text" for name in GENERIC_FIELDS),
    "sparse_identity",
    "untrusted_identity",
)


def _generic_texts(records: pd.DataFrame, synonyms: Mapping[str, Mapping[str, str]]) -> pd.DataFrame:
    """Normalised text of the generic person fields (all missing when a frame lacks the column)."""
    out = {}
    for name in GENERIC_FIELDS:
        if name in records.columns:
            text = _normalised_text(records[name])
            if synonyms.get(name):
                text = _with_synonyms(text, synonyms[name])
        else:
            text = pd.Series(pd.NA, index=records.index, dtype="str")
        out[f"{name}_text"] = text
    return pd.DataFrame(out, index=records.index)


def _normalised_text(values: pd.Series) -> pd.Series:
    """Upper case, letters and digits only, single spaces; empty → NA."""
    text = values.astype("str").str.upper().str.replace(r"[^0-9A-Z]+", " ", regex=True).str.strip()
    return text.replace("", pd.NA).astype("str")


def _with_synonyms(values: pd.Series, synonyms: Mapping[str, str]) -> pd.Series:
    """Whole words replaced by their synonym (upper case), computed once per distinct value."""
    table = {word.upper(): value.upper() for word, value in synonyms.items()}
    pattern = re.compile(r"\b(" + "|".join(re.escape(word) for word in sorted(table, key=len, reverse=True)) + r")\b")

    def replace_all(frame: pd.Series) -> pd.DataFrame:
        replaced = [pattern.sub(lambda match: table[match.group(1)], value.upper()) for value in frame]
        return pd.DataFrame({"value": pd.Series(replaced, dtype="str")})

    return _per_distinct(values, replace_all)["value"]


def _derived_keys(derived: tuple[DerivedKey, ...], features: pd.DataFrame, name_text: pd.DataFrame) -> pd.DataFrame:
    """The derived blocking keys; text keys coded over one shared vocabulary."""
    text_keys, date_keys = {}, {}
    for key in derived:
        if key.transform in DATE_TRANSFORMS:
            days = features[DATE_COLUMNS[key.field]].to_numpy()
            dates = pd.Series(DAY_ZERO + pd.to_timedelta(np.where(days >= 0, days, 0), unit="D"))
            part = {
                "year": dates.dt.year,
                "month": dates.dt.month,
                "day": dates.dt.day,
                "month_day": dates.dt.month * 100 + dates.dt.day,
            }[key.transform].to_numpy(dtype=np.int64)
            date_keys[key.column] = np.where(days >= 0, part, MISSING_NUMBER)
            continue
        text = name_text[key.field] if key.field in NAME_TEXT_FIELDS else features[TEXT_COLUMNS[key.field]]
        text = text.astype("str")
        if key.transform == "first":
            text_keys[key.column] = text.str.slice(0, key.n)
        elif key.transform == "last":
            assert key.n is not None, "a 'last' key has its length"
            text_keys[key.column] = text.str.slice(-key.n)
        else:
            text_keys[key.column] = _per_distinct(text, lambda values: pd.DataFrame({"key": soundex(values)}))["key"]
    out = pd.DataFrame(date_keys, index=features.index)
    if text_keys:
        out = out.join(
            _shared_codes(pd.DataFrame(text_keys, index=features.index)).rename(
                columns=lambda column: column.removesuffix("_code")
            )
        )
    return out


_SOUNDEX_CODES = {
    **dict.fromkeys("BFPV", "1"),
    **dict.fromkeys("CGJKQSXZ", "2"),
    **dict.fromkeys("DT", "3"),
    "L": "4",
    **dict.fromkeys("MN", "5"),
    "R": "6",
}


def soundex(values: pd.Series) -> pd.Series:
    """American Soundex of each value's letters (``ROBERT``, ``RUPERT`` → ``R163``); NA stays NA."""
    out: list[str | None] = []
    for value in values:
        letters = "".join(ch for ch in str(value).upper() if "A" <= ch <= "Z") if isinstance(value, str) else ""
        if not letters:
            out.append(None)
            continue
        code, previous = letters[0], _SOUNDEX_CODES.get(letters[0], "")
        for ch in letters[1:]:
            digit = _SOUNDEX_CODES.get(ch, "")
            if digit and digit != previous:
                code += digit
            if ch not in "HW":
                previous = digit
        out.append((code + "000")[:4])
    return pd.Series(out, index=values.index, dtype="str")


def _name_keys(records: pd.DataFrame, spelling: str = "indonesian") -> pd.DataFrame:
    """Name keys (text) of :func:`_name_keys_of_rows`, computed once per distinct (name, nickname) and spread back
    to the records: a record's name keys depend on these two fields only."""
    name_codes, _ = pd.factorize(records["name"].astype("str"), use_na_sentinel=True)
    alias_codes, alias_values = pd.factorize(records["alias"].astype("str"), use_na_sentinel=True)
    pair_codes, _ = pd.factorize((name_codes.astype(np.int64) + 1) * (len(alias_values) + 1) + alias_codes + 1)
    first_rows = np.unique(pair_codes, return_index=True)[1]
    distinct = records[["name", "alias"]].iloc[first_rows].reset_index(drop=True)
    keys = _name_keys_of_rows(distinct, spelling)
    return pd.DataFrame(
        {
            column: pd.Series(values.array.take(pair_codes), index=records.index, dtype=values.dtype)
            for column, values in keys.items()
        }
    )


def _name_keys_of_rows(records: pd.DataFrame, spelling: str = "indonesian") -> pd.DataFrame:
    """Name keys (text), computed once per distinct name and spread back to the records.

    A "name" that is only a call name (community lists) is treated as no name and its nickname kept in
    ``alias_key``: the record's nickname itself, a name led by a form of address (``KANG ASEP``, ``TEH NENG``),
    or a generic call name (``UJANG``).
    """
    keys_of = _keys_of_names if spelling == "indonesian" else _keys_of_plain_names
    name_keys = _per_distinct(records["name"], lambda names: _with_call_name_flags(keys_of(names)))
    aliases = _per_distinct(records["alias"], _keys_of_aliases)
    bare_name = name_keys.pop("_bare_name")
    call_name = (name_keys.pop("_call_name") == "1").fillna(False).astype(bool)
    named_with_initial = (name_keys.pop("_has_initial") == "1").fillna(False).astype(bool)
    name_key, alias_key = name_keys["name_key"], aliases["alias_key"]
    name_is_nickname = call_name | ((name_key == alias_key) | (bare_name == alias_key)).fillna(False).astype(bool)
    keys = name_keys.mask(name_is_nickname, pd.NA)
    keys["alias_key"] = alias_key.fillna(bare_name.where(call_name))
    called_sex = aliases["alias_word"].map(_CALL_WORD_SEX)
    called_sex = called_sex.fillna(name_keys["name_first"].where(name_is_nickname).map(_CALL_WORD_SEX))
    keys = keys.replace("", pd.NA)
    has_initial = named_with_initial & ~name_is_nickname  # a nickname's name key is dropped above
    out = keys.rename(columns={"call_name": "call_name_text"})
    out["name_has_initial"] = has_initial.to_numpy()
    out["called_sex"] = called_sex.astype("str")
    return out


def _with_call_name_flags(keys: pd.DataFrame) -> pd.DataFrame:
    """Per distinct name: the name key without a leading form of address (``_bare_name``), whether the name is
    only a call name (``_call_name``: ``1`` or empty) and whether it holds an initial (``_has_initial``)."""
    name_key = keys["name_key"]
    bare_name = name_key.str.replace(_HONORIFIC_RE, "", regex=True)
    # One word after the form of address: "MAS AGUNG WIBOWO" is a registered name, "MAS SYAHRUL" a call name.
    addressed = name_key.str.contains(_HONORIFIC_RE, regex=True) & ~bare_name.str.contains(" ", regex=False)
    call_name = (addressed | bare_name.isin(GENERIC_CALL_NAMES)).fillna(False).astype(bool)
    initial = name_key.replace("", pd.NA).str.contains(r"(?:^| )[A-Z](?: |$)", regex=True).fillna(False).astype(bool)
    return keys.assign(
        _bare_name=bare_name,
        _call_name=np.where(call_name.to_numpy(), "1", ""),
        _has_initial=np.where(initial.to_numpy(), "1", ""),
    )


def _per_distinct(values: pd.Series, keys_of: Callable[[pd.Series], pd.DataFrame]) -> pd.DataFrame:
    """``keys_of`` applied to the distinct non-missing values only, spread back to every row."""
    codes, uniques = pd.factorize(values.astype("str"), use_na_sentinel=True)
    keys = keys_of(pd.Series(uniques, dtype="str"))
    return pd.DataFrame(
        {
            column: pd.Series(keys[column].array.take(codes, allow_fill=True), index=values.index, dtype="str")
            for column in keys.columns
        }
    )


def _keys_of_plain_names(names: pd.Series) -> pd.DataFrame:
    return _keys_of_names(names, plain=True)


def _keys_of_names(names: pd.Series, plain: bool = False) -> pd.DataFrame:
    """Keys of distinct names. The sorted key and the given name are derived from the match key (which keeps
    ``BIN``/``BINTI`` as tokens) rather than re-normalising the names for each; so is the skeleton (of the match
    key, whatever the spelling: :func:`matching.normalize.name_skeleton`)."""
    if plain:
        name_key = clean_name(names).astype("str")
        skeleton = name_skeleton(names).astype("str")
    else:
        name_key = name_match_key(names).astype("str")
        skeleton = skeleton_of_match_keys(name_key).astype("str")
    return pd.DataFrame(
        {
            "name_key": name_key,
            "name_sorted": _sorted_tokens(name_key),
            "given_key": name_key.str.replace(_PATRONYM_RE, "", regex=True),
            "name_skeleton": skeleton,
            "name_first": _first_token(name_key),
            "name_second": _second_token(name_key),
            "name_last": _last_token(name_key),
            "skeleton_first": _first_token(skeleton),
            "name_initials": _initials_key(name_key),
            **_call_names(name_key),
        }
    ).astype("str")


def _call_names(keys: pd.Series) -> dict[str, pd.Series]:
    """What a person is likely called: the first name word after MUHAMMAD/SITI/…, and its last syllable
    doubled (``MUHAMMAD BUDI SANTOSO`` → ``BUDI``, ``DIDI``); compared with community-list nicknames."""
    call_name = _first_token(keys.str.replace(_CALL_NAME_SKIPS_RE, "", regex=True)).astype("str")
    syllable = call_name.str.replace(_LAST_SYLLABLE_RE, r"\1", regex=True)
    doubled = (syllable + syllable).where(call_name.str.fullmatch(_LAST_SYLLABLE_RE).fillna(False).astype(bool))
    return {"call_name": call_name, "call_name_doubled": doubled}


def _initials_key(keys: pd.Series) -> pd.Series:
    """First token, then the initial of every later token (``AGUS SANTOSO`` → ``AGUS S``); NA for names with
    one token."""
    first = _first_token(keys).astype("str")
    rest = extract(keys, "(?s)^[^ ]* (.*)$")[0]
    initials = rest.str.replace(r"([A-Z])[A-Z]*", r"\1", regex=True)
    return (first + " " + initials).where(rest.notna())


# Tokens are split at single spaces, as ``str.split(" ")`` does, on pyarrow's regex engine: ``[^ ]`` takes any
# other character (a newline too). pandas splits row by row in Python.
def _first_token(keys: pd.Series) -> pd.Series:
    """``keys.str.split(" ", n=1).str[0]``: the text before the first space (the whole text without one)."""
    return extract(keys, "^([^ ]*)")[0]


def _second_token(keys: pd.Series) -> pd.Series:
    """``keys.str.split(" ").str[1]``: the text between the first and second spaces, NA without a space."""
    return extract(keys, "^[^ ]* ([^ ]*)")[0]


def _last_token(keys: pd.Series) -> pd.Series:
    """``keys.str.rsplit(" ", n=1).str[-1]``: the text after the last space (the whole text without one)."""
    return extract(keys, "([^ ]*)$")[0]


def _sorted_tokens(keys: pd.Series) -> pd.Series:
    """Tokens in alphabetical order (a Python loop over distinct keys only)."""
    return pd.Series([" ".join(sorted(key.split(" "))) if isinstance(key, str) else None for key in keys], dtype="str")


def _keys_of_aliases(aliases: pd.Series) -> pd.DataFrame:
    """The nickname without its form of address, and its first word (which may be that form of address)."""
    key = name_match_key(aliases).astype("str")
    return pd.DataFrame(
        {"alias_key": key.str.replace(_HONORIFIC_RE, "", regex=True), "alias_word": key.str.split(" ", n=1).str[0]}
    ).astype("str")


def _shared_codes(keys: pd.DataFrame) -> pd.DataFrame:
    """Integer codes for every column of ``keys`` over one vocabulary (equal strings get equal codes)."""
    stacked = pd.concat([keys[column] for column in keys.columns], ignore_index=True)
    codes, _ = pd.factorize(stacked, use_na_sentinel=True)
    codes = codes.astype(np.int32).reshape(len(keys.columns), len(keys))
    return pd.DataFrame({f"{column}_code": codes[k] for k, column in enumerate(keys.columns)}, index=keys.index)


def _nik_features(records: pd.DataFrame) -> pd.DataFrame:
    """NIK as a number; *trusted* when structurally valid and confirmed by the stated birth date (and not
    contradicted by the stated sex): a family card number typed into the NIK field, or a mistyped NIK, is
    then not trusted. Only trusted NIKs can veto a link (see ``matching.clustering``)."""
    nik = records["nik"].astype("str")
    well_formed = nik.str.fullmatch(r"\d{16}").fillna(False).astype(bool)
    nik_num = pd.Series(MISSING_NUMBER, index=records.index, dtype="int64")
    nik_num[well_formed] = nik[well_formed].astype("int64")
    implied, stated = records["nik_birth_date"], records["birth_date"]
    stated_sex, implied_sex = records["sex"].astype("str"), records["nik_sex"].astype("str")
    date_confirmed = (implied == stated).fillna(False).astype(bool)
    sex_consistent = (stated_sex.isna() | implied_sex.isna() | (stated_sex == implied_sex)).fillna(False).astype(bool)
    trusted = well_formed & records["nik_valid"].fillna(False).astype(bool) & date_confirmed & sex_consistent
    return pd.DataFrame(
        {
            "nik_num": nik_num,
            "nik_trusted": trusted,
            "nik_trusted_num": nik_num.where(trusted, MISSING_NUMBER),
        },
        index=records.index,
    )


def _day_numbers(dates: pd.Series) -> pd.Series:
    days = (pd.to_datetime(dates) - DAY_ZERO).dt.days
    return days.fillna(MISSING_NUMBER).astype("int64")


def _date_features(records: pd.DataFrame) -> pd.DataFrame:
    stated = pd.to_datetime(records["birth_date"])
    effective = stated.fillna(pd.to_datetime(records["nik_birth_date"]))
    parts = {
        f"dob_any_{part}": getattr(effective.dt, part).fillna(MISSING_NUMBER).astype("int64")
        for part in ("year", "month", "day")
    }
    return pd.DataFrame(
        {
            "dob": _day_numbers(stated),
            "birth_year": stated.dt.year.fillna(MISSING_NUMBER).astype("int64"),
            "nik_dob": _day_numbers(records["nik_birth_date"]),
            "dob_any": _day_numbers(effective),
            **parts,
        },
        index=records.index,
    )


def _sex_codes(records: pd.DataFrame, called_sex: pd.Series) -> pd.Series:
    """Stated sex, else the sex the NIK implies, else the sex a nickname's form of address implies (``TEH``,
    ``KANG``): a community list states no sex, and a phone shared with a spouse must not link them."""
    sex = records["sex"].astype("str").fillna(records["nik_sex"].astype("str")).fillna(called_sex)
    return sex.map(SEX_CODES).fillna(MISSING_CODE).astype(np.int32)


def _phone_features(phone: pd.Series) -> pd.DataFrame:
    phone = phone.astype("str")
    digits = phone.str.fullmatch(r"\d{6,18}").fillna(False).astype(bool)
    number = pd.Series(MISSING_NUMBER, index=phone.index, dtype="int64")
    number[digits] = phone[digits].astype("int64")
    tail = np.where(digits, number % 10**PHONE_TAIL_DIGITS, MISSING_NUMBER)
    return pd.DataFrame({"phone_num": number, "phone_tail": tail}, index=phone.index)


def _location_keys(records: pd.DataFrame) -> pd.DataFrame:
    kelurahan = records["kelurahan_code"].astype("str")
    kecamatan = records["kecamatan_code"].astype("str").fillna(kelurahan.str.slice(0, 8))
    rt, rw = records["rt"].astype("str"), records["rw"].astype("str")
    rt_rw = (rw + "/" + rt).where(rt.notna() & rw.notna())
    # Once per distinct address: a household's records, and a person's in several sources, share one.
    address = _per_distinct(records["address"], lambda values: pd.DataFrame({"key": _address_key(values)}))["key"]
    return pd.DataFrame(
        {
            "kelurahan": kelurahan,
            "kecamatan": kecamatan,
            "rt_rw": rt_rw.astype("str"),
            "has_address": records["address"].notna() | rt_rw.notna(),
            "address": address,
        },
        index=records.index,
    )


def _address_key(address: pd.Series) -> pd.Series:
    """Street address without the house-number marker (``JL KENANGA NO 41`` ≡ ``JL KENANGA 41``)."""
    key = address.astype("str").str.replace(r"\b(?:NO|NOMOR)\b\.?", " ", regex=True)
    return key.str.replace(r"[^A-Z0-9]+", " ", regex=True).str.strip().replace("", pd.NA)


def _codes(values: pd.Series) -> np.ndarray:
    codes, _ = pd.factorize(values, use_na_sentinel=True)
    return codes.astype(np.int32)
