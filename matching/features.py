"""Matching features: one row per person record, every field in the form comparisons and blocking need.

Strings used for equality are turned into integer codes over one shared vocabulary, so a nickname can be
compared with a first name token by comparing two integers, and blocking groups on integers. Numbers
(NIK, phone) are exact ``int64`` values; dates are day numbers since 1800-01-01. Missing is
``MISSING_CODE``/``MISSING_NUMBER`` (-1) everywhere, never NaN, so comparisons stay in plain numpy.

Row ``k`` of the feature frame is row ``k`` of the person records it was computed from (positional index):
candidate pairs are pairs of these positions.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from matching.normalize import name_match_key, name_skeleton

MISSING_CODE = -1
MISSING_NUMBER = -1
DAY_ZERO = pd.Timestamp("1800-01-01")
PHONE_TAIL_DIGITS = 8
SEX_CODES = {"L": 0, "P": 1}

# Forms of address before a nickname ("BANG UDIN", "TEH NENG"), not part of the name a registry would hold,
# with the sex they imply (None: either).
NICKNAME_HONORIFICS: dict[str, str | None] = {
    "ABANG": "L", "BANG": "L", "BUNG": "L", "MAS": "L", "KANG": "L", "AKANG": "L", "PAK": "L", "UDA": "L",
    "BU": "P", "MBAK": "P", "MBA": "P", "TEH": "P", "TETEH": "P", "UNI": "P", "KAK": None, "KAKAK": None,
}
_HONORIFIC_RE = r"^(?:" + "|".join(NICKNAME_HONORIFICS) + r") (?=[A-Z])"
# Call names that say nothing about the registered name, with the sex they imply: generic nicknames
# (Sundanese UJANG/NENG, Betawi ENTONG, Batak UCOK/BUTET, Minang UPIK/BUYUNG, Javanese NDUK/TOLE),
# descriptions (GENDUT, BEWOK) and short forms a community list writes alone (UDIN, MAMAT, OPIK). A record
# whose whole name is one of these is named by its nickname only.
GENERIC_CALL_NAMES: dict[str, str] = {
    **dict.fromkeys(
        ("UJANG", "ENTONG", "UCOK", "BUYUNG", "TOLE", "THOLE", "ACONG", "GENDUT", "BEWOK", "KOMENG", "BONENG",
         "JAGO", "UDIN", "MAMAT", "OPIK", "IPIN", "BOIM", "KIPLI"), "L"),
    **dict.fromkeys(
        ("NENG", "BUTET", "UPIK", "NDUK", "GENDUK", "EMAK", "CICI", "ICHA", "NONIK", "NCUS", "YU"), "P"),
}
_CALL_WORD_SEX = {**{word: sex for word, sex in NICKNAME_HONORIFICS.items() if sex}, **GENERIC_CALL_NAMES}
_PATRONYM_RE = r" (?:BIN|BINTI) .+$"  # the markers split_patronymic uses
# Name words a call name skips ("MUHAMMAD RIZKI" is called RIZKI, "I MADE SUDARMA" MADE or SUDARMA).
_CALL_NAME_SKIPS_RE = r"^(?:(?:MUHAMMAD|SITI|NUR|AHMAD|ABDUL|I|NI) )+"
# The last consonant-vowel syllable of a call name, said twice, is a nickname of its own (BUDI → DIDI).
_LAST_SYLLABLE_RE = r"^.*([^AIUEO ][AIUEO])$"


def compute_features(records: pd.DataFrame) -> pd.DataFrame:
    """Feature frame for ``records`` (person schema), positional index aligned with ``records``."""
    records = records.reset_index(drop=True)
    features = pd.DataFrame({"record_id": records["record_id"].astype("str")})
    features = features.join(_name_features(records))
    features = features.join(_nik_features(records))
    features = features.join(_date_features(records))
    features["sex"] = _sex_codes(records, features.pop("called_sex"))
    features = features.join(_phone_features(records["phone"]))
    features = features.join(_location_features(records))
    features["sparse_identity"] = (features["nik_num"] == MISSING_NUMBER) & (features["dob_any"] == MISSING_NUMBER)
    features["untrusted_identity"] = ~features["nik_trusted"]
    return features


def _name_features(records: pd.DataFrame) -> pd.DataFrame:
    """Name keys, computed once per distinct name and spread back to the records.

    A "name" that is only a call name (community lists) is treated as no name and its nickname kept in
    ``alias_key``: the record's nickname itself, a name led by a form of address (``KANG ASEP``, ``TEH NENG``),
    or a generic call name (``UJANG``).
    """
    name_keys = _per_distinct(records["name"], _keys_of_names)
    aliases = _per_distinct(records["alias"], _keys_of_aliases)
    name_key, alias_key = name_keys["name_key"], aliases["alias_key"]
    bare_name = name_key.str.replace(_HONORIFIC_RE, "", regex=True)
    # One word after the form of address: "MAS AGUNG WIBOWO" is a registered name, "MAS SYAHRUL" a call name.
    addressed = name_key.str.contains(_HONORIFIC_RE, regex=True) & ~bare_name.str.contains(" ", regex=False)
    call_name = addressed | bare_name.isin(GENERIC_CALL_NAMES)
    call_name = call_name.fillna(False).astype(bool)
    name_is_nickname = call_name | ((name_key == alias_key) | (bare_name == alias_key)).fillna(False).astype(bool)
    keys = name_keys.mask(name_is_nickname, pd.NA)
    keys["alias_key"] = alias_key.fillna(bare_name.where(call_name))
    called_sex = aliases["alias_word"].map(_CALL_WORD_SEX)
    called_sex = called_sex.fillna(name_keys["name_first"].where(name_is_nickname).map(_CALL_WORD_SEX))
    keys = keys.replace("", pd.NA)
    has_initial = keys["name_key"].str.contains(r"(?:^| )[A-Z](?: |$)", regex=True).fillna(False).astype(bool)
    codes = _shared_codes(keys)
    codes["name_key"] = keys["name_key"]
    codes["alias_key"] = keys["alias_key"]
    codes["name_has_initial"] = has_initial.to_numpy()
    codes["called_sex"] = called_sex.astype("str")
    return codes


def _per_distinct(values: pd.Series, keys_of: Callable[[pd.Series], pd.DataFrame]) -> pd.DataFrame:
    """``keys_of`` applied to the distinct non-missing values only, spread back to every row."""
    codes, uniques = pd.factorize(values.astype("str"), use_na_sentinel=True)
    keys = keys_of(pd.Series(uniques, dtype="str"))
    return pd.DataFrame(
        {column: pd.Series(keys[column].array.take(codes, allow_fill=True), index=values.index, dtype="str")
         for column in keys.columns}
    )


def _keys_of_names(names: pd.Series) -> pd.DataFrame:
    """Keys of distinct names. The sorted key and the given name are derived from the match key (which keeps
    ``BIN``/``BINTI`` as tokens) rather than re-normalising the names for each."""
    name_key = name_match_key(names).astype("str")
    skeleton = name_skeleton(names).astype("str")
    return pd.DataFrame(
        {
            "name_key": name_key,
            "name_sorted": _sorted_tokens(name_key),
            "given_key": name_key.str.replace(_PATRONYM_RE, "", regex=True),
            "name_skeleton": skeleton,
            "name_first": name_key.str.split(" ", n=1).str[0],
            "name_second": name_key.str.split(" ").str[1],
            "name_last": name_key.str.rsplit(" ", n=1).str[-1],
            "skeleton_first": skeleton.str.split(" ", n=1).str[0],
            "name_initials": _initials_key(name_key),
            **_call_names(name_key),
        }
    ).astype("str")


def _call_names(keys: pd.Series) -> dict[str, pd.Series]:
    """What a person is likely called: the first name word after MUHAMMAD/SITI/…, and its last syllable
    doubled (``MUHAMMAD BUDI SANTOSO`` → ``BUDI``, ``DIDI``); compared with community-list nicknames."""
    call_name = keys.str.replace(_CALL_NAME_SKIPS_RE, "", regex=True).str.split(" ", n=1).str[0].astype("str")
    syllable = call_name.str.replace(_LAST_SYLLABLE_RE, r"\1", regex=True)
    doubled = (syllable + syllable).where(call_name.str.fullmatch(_LAST_SYLLABLE_RE).fillna(False).astype(bool))
    return {"call_name": call_name, "call_name_doubled": doubled}


def _initials_key(keys: pd.Series) -> pd.Series:
    """First token, then the initial of every later token (``AGUS SANTOSO`` → ``AGUS S``); NA for names with
    one token."""
    first = keys.str.split(" ", n=1).str[0].astype("str")
    rest = keys.str.split(" ", n=1).str[1].astype("str")
    initials = rest.str.replace(r"([A-Z])[A-Z]*", r"\1", regex=True)
    return (first + " " + initials).where(rest.notna())


def _sorted_tokens(keys: pd.Series) -> pd.Series:
    """Tokens in alphabetical order (a Python loop over distinct keys only)."""
    return pd.Series(
        [" ".join(sorted(key.split(" "))) if isinstance(key, str) else None for key in keys], dtype="str"
    )


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


def _location_features(records: pd.DataFrame) -> pd.DataFrame:
    kelurahan = records["kelurahan_code"].astype("str")
    kecamatan = records["kecamatan_code"].astype("str").fillna(kelurahan.str.slice(0, 8))
    rt, rw = records["rt"].astype("str"), records["rw"].astype("str")
    rt_rw = (rw + "/" + rt).where(rt.notna() & rw.notna())
    return pd.DataFrame(
        {
            "kelurahan": _codes(kelurahan),
            "kecamatan": _codes(kecamatan),
            "rt_rw": _codes(rt_rw),
            "has_address": records["address"].notna() | rt_rw.notna(),
            "address": _codes(_address_key(records["address"])),
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
