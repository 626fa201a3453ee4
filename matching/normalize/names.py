"""Indonesian person names: cleaning, match keys, patronymics, phonetic skeletons.

Every function works on the unique values of its input (names repeat a lot) with pandas string methods;
only the token-level spelling rules run as Python, once per unique token.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from matching.normalize._text import TEXT, as_text, extract, map_unique, squeeze_spaces

# ---------------------------------------------------------------- titles and degrees

# Honorifics and titles written before the name. Stripped only while a name token follows.
_LEADING_TITLES = (
    "BAPAK",
    "BPK",
    "BP",
    "PAK",
    "IBU",
    "IB",
    "BU",
    "NYONYA",
    "NJONJA",
    "NY",
    "NJ",
    "NONA",
    "NN",
    "SAUDARA",
    "SAUDARI",
    "SDRI",
    "SDR",
    "TUAN",
    "TN",
    "HAJJAH",
    "HAJAH",
    "HAJI",
    "HJ",
    "H",
    "DRS",
    "DRA",
    "DRG",
    "DR",
    "IR",
    "PROF",
    r"K\.? ?H",
    "KYAI",
    "KIAI",
    "USTADZAH",
    "USTADZ",
    "USTADAH",
    "USTAD",
    "UST",
    "ALMARHUMAH",
    "ALMARHUM",
    "ALMH",
    "ALM",
)

# Degrees written after the name, as dot-separated segments; "S PD I" matches S.Pd.I, S.PD.I., SPDI.
_DEGREES = (
    "S E",
    "S E I",
    "S H",
    "S H I",
    "S PD",
    "S PD I",
    "S PD SD",
    "S T",
    "S TP",
    "S TR",
    "S SOS",
    "S KOM",
    "S KOM I",
    "S I KOM",
    "S IKOM",
    "S KEP",
    "S KEP NERS",
    "S KED",
    "S KEB",
    "S FARM",
    "S PSI",
    "S AG",
    "S HUT",
    "S P",
    "S PT",
    "S SI",
    "S AK",
    "S IP",
    "S KES",
    "S K M",
    "S KM",
    "S GZ",
    "S STAT",
    "S S",
    "S SN",
    "S DS",
    "S ARS",
    "S TH",
    "S TH I",
    "S SY",
    "S ST",
    "S TR KEB",
    "AMD",
    "A MD",
    "A MD KEP",
    "A MD KEB",
    "A MD KES",
    "A MD FARM",
    "A MD AK",
    "A MD T",
    "A MD KOM",
    "AMD KEP",
    "AMD KEB",
    "AMK",
    "M M",
    "M KES",
    "M SI",
    "M PD",
    "M T",
    "M H",
    "M AG",
    "M SC",
    "M KOM",
    "M AK",
    "M SOS",
    "M KEP",
    "M M A",
    "M B A",
    "MBA",
    "MSC",
    "M PH",
    "M ENG",
    "PH D",
    "SP A",
    "SP OG",
    "SP PD",
    "SP B",
    "SP M",
    "SP THT",
    "SP JP",
    "SP KK",
    "SP N",
    "SP RAD",
    "SP AN",
    "LC",
    "NERS",
    "ALM",
    "ALMH",
    "ALMARHUM",
    "ALMARHUMAH",
)
# Degrees that look like real name tokens when written without dots: only their dotted form is a degree.
_DOTTED_ONLY_DEGREES = ("M A", "B A", "B SC", "M E", "S M")


def _degree_pattern(segments: str, dotted_only: bool) -> str:
    separator = r"\. ?" if dotted_only else r"(?:\. ?)?"
    return separator.join(segments.split(" "))


_LEADING_TITLE_RE = r"^(?:(?:" + "|".join(_LEADING_TITLES) + r")[., ]+)+([A-Z])"
_DEGREE_ALTERNATIVES = "|".join(
    [_degree_pattern(d, False) for d in sorted(_DEGREES, key=len, reverse=True)]
    + [_degree_pattern(d, True) for d in _DOTTED_ONLY_DEGREES]
)
_TRAILING_DEGREES_RE = r"(?:[ ,.]+(?:" + _DEGREE_ALTERNATIVES + r")\.?)+[ ,.]*$"
_APOSTROPHES = "['`\u00b4\u2018\u2019\u02bc\u02bb]"
_COMBINING_MARKS = "[\u0300-\u036f]"

# ---------------------------------------------------------------- spelling rules for the match key

MUHAMMAD = "MUHAMMAD"
_MUHAMMAD_VARIANTS = frozenset(
    [
        "MOH",
        "MOCH",
        "MOCHD",
        "MOCHAMAD",
        "MOCHAMMAD",
        "MOCHAMED",
        "MOCHAMMED",
        "MOHAMAD",
        "MOHAMMAD",
        "MOHAMED",
        "MOHAMMED",
        "MOHAMAT",
        "MOHAMMAT",
        "MUHAMAD",
        "MUHAMMAD",
        "MUHAMED",
        "MUHAMMED",
        "MUHAMAT",
        "MUHAMMAT",
        "MUH",
        "MUHD",
        "MHD",
        "MOHD",
        "MUCH",
        "MUCHAMAD",
        "MUCHAMMAD",
        "MUCHAMMED",
        "MUKHAMAD",
        "MUKHAMMAD",
        "MOKHAMAD",
        "MOKHAMMAD",
        "MOEHAMAD",
        "MOEHAMMAD",
        "MOEHAMMED",
        "MUHAMMADH",
    ]
)
_INITIAL_M = "M"

# Old (pre-1972 "Ejaan Soewandi"/Van Ophuijsen) spelling to current spelling, applied per token.
_OLD_SPELLING_RE = re.compile(r"TJ|DJ|SJ|^NJ|OE|[CK]H(?=M)|CHR|CH|J")
_OLD_SPELLING_MARKER_RE = re.compile(r"TJ|DJ|SJ|^NJ|OE")
_OLD_TO_NEW = {"TJ": "C", "DJ": "J", "SJ": "SY", "NJ": "NY", "OE": "U", "CHR": "KR", "CH": "KH"}
# Frequent names whose only old-spelling trace is a J that now reads Y (no other marker to detect it).
_BARE_J_NAMES = {
    "JUSUF": "YUSUF",
    "JUSOF": "YUSUF",
    "JAHYA": "YAHYA",
    "JUNUS": "YUNUS",
    "JAKUB": "YAKUB",
    "JASIN": "YASIN",
    "JUSRI": "YUSRI",
}
# J read as Y even without another marker: right after a consonant other than D/N/S/T (the heads of the old
# digraphs: WAHJU, SOFJAN, MULJANA, SURJADI) and in a final -AJU (RAHAJU, old spelling of RAHAYU). It runs on
# the converted token, so a current spelling with J there (ARJUNA) gets the same key as its old form.
_J_AS_Y_RE = re.compile(r"([BCFGHKLMPQRVWXZ])J|(?<=A)J(?=U$)")
_DOUBLED_CONSONANT_RE = re.compile(r"([B-DF-HJ-NP-TV-Z])\1+")

# ---------------------------------------------------------------- skeleton rules

_SKELETON_DIGRAPHS = (
    ("KH", "H"),
    ("SY", "S"),
    ("SH", "S"),
    ("TH", "T"),
    ("DH", "D"),
    ("GH", "G"),
    ("PH", "P"),
    ("DZ", "J"),
)
_SKELETON_LETTERS = str.maketrans({"F": "P", "V": "P", "Z": "J", "Q": "K", "C": "K", "X": "K"})
_SKELETON_FIRST_VOWEL = str.maketrans({"E": "I", "O": "U"})
_SKELETON_DROPPED = re.compile(r"[AEIOUY]")
_ADJACENT_DUPLICATE_RE = re.compile(r"(.)\1+")

PATRONYMIC_MARKERS = ("BIN", "BINTI")


# ================================================================= public API


def clean_name(values: pd.Series) -> pd.Series:
    """Clean full names: upper case, accents removed, titles/honorifics/degrees stripped, letters only.

    Spelling is never changed. Apostrophes inside names are dropped (``MA'RUF`` → ``MARUF``), other
    punctuation becomes a space. A title is stripped only while a name token follows it, so a name that
    is only a title-like word (``HAJI``) is kept.
    """
    return map_unique(as_text(values), _clean_unique_names)


def name_match_key(values: pd.Series) -> pd.Series:
    """A spelling-tolerant key: cleaned name, old spelling → current, Muhammad variants → MUHAMMAD.

    Doubled consonants are squeezed (``ABDULLAH`` → ``ABDULAH``). ``BIN``/``BINTI`` and the father's name
    stay in the key as separate tokens (see :func:`split_patronymic`).
    """
    return map_unique(clean_name(values), _match_key_unique)


def split_patronymic(values: pd.Series) -> pd.DataFrame:
    """Split cleaned names at ``BIN``/``BINTI`` (or ``B.`` between names) into ``given`` and ``patronym``.

    The split happens at the first marker that has a name on both sides; names without one keep the
    whole cleaned name in ``given`` and NA in ``patronym``. Both columns are in :func:`clean_name` form.
    """
    text = as_text(values)
    text = text.str.replace(r"([A-Za-z]) +[Bb]\. *([A-Za-z])", r"\1 BIN \2", regex=True)
    cleaned = clean_name(text)
    parts = extract(cleaned, "^(.+?) (?:" + "|".join(PATRONYMIC_MARKERS) + ") (.+)$")
    given = parts[0].fillna(cleaned).astype(TEXT)
    return pd.DataFrame({"given": given, "patronym": parts[1].astype(TEXT)}, index=values.index)


def name_sorted_key(values: pd.Series) -> pd.Series:
    """Tokens of :func:`name_match_key` in alphabetical order (insensitive to token order)."""
    return map_unique(name_match_key(values), _sort_tokens_unique)


def name_skeleton(values: pd.Series) -> pd.Series:
    """A phonetic skeleton of :func:`name_match_key`, token by token, tokens kept in order.

    Per token: equivalent letter groups unified (F/V→P, Z/DZ→J, Q/C/X→K, KH→H, SY/SH→S, TH→T, DH→D,
    GH→G, PH→P; a leading KH→K), adjacent duplicates squeezed, a final H dropped, the first letter kept
    (E→I, O→U when it is a vowel) and every later vowel and Y dropped.
    """
    return skeleton_of_match_keys(name_match_key(values))


def skeleton_of_match_keys(keys: pd.Series) -> pd.Series:
    """:func:`name_skeleton` of names already in :func:`name_match_key` form (the key is not computed again)."""
    return map_unique(keys, lambda unique_keys: _map_tokens(unique_keys, _token_skeleton))


def first_token(values: pd.Series) -> pd.Series:
    """First space-separated token of a (cleaned) name, NA when empty."""
    return extract(as_text(values), "^([^ ]+)")[0]


def last_token(values: pd.Series) -> pd.Series:
    """Last space-separated token; for mononyms it equals :func:`first_token` (never a family name)."""
    return extract(as_text(values), "([^ ]+)$")[0]


def call_name_fits(call_names: pd.Series, full_names: pd.Series, min_suffix: int = 3) -> pd.Series:
    """Whether each call name is one the full name beside it (both match keys) allows from the end of its words.

    Indonesians are very often called by the last syllables of a name word. A call name fits when, for a word
    of at least two letters of the full name, it is a final run of at least ``min_suffix`` letters of the word
    (``SUPRIYADI`` → ``YADI``; ``SUGIARTO`` → ``ARTO``; with ``min_suffix=3`` also ``ADI``; the word itself
    too), the word's last two letters doubled (``ALI`` → ``LILI``, ``RINI`` → ``NINI``) or its last three
    letters after their first two (partial reduplication: ``HERMAWAN`` → ``WAWAN``). Missing or empty values
    never fit. Each distinct (call name, full name) pair is checked once, in Python: a call name holds the
    ending it needs, so the forms a full name allows need not be listed.
    """
    calls = call_names.astype(object).to_numpy()
    fulls = full_names.astype(object).to_numpy()
    present = np.array([isinstance(v, str) and v != "" for v in calls], dtype=bool)
    present &= np.array([isinstance(v, str) and v != "" for v in fulls], dtype=bool)
    found = np.zeros(len(calls), dtype=bool)
    rows = np.flatnonzero(present)
    if len(rows):
        call_codes, call_values = pd.factorize(calls[rows])
        full_codes, full_values = pd.factorize(fulls[rows])
        pairs, inverse = np.unique(call_codes.astype(np.int64) * len(full_values) + full_codes, return_inverse=True)
        call_list, full_list = call_values.tolist(), full_values.tolist()
        fits = [
            _call_name_fits(call_list[c], full_list[f], min_suffix)
            for c, f in zip((pairs // len(full_values)).tolist(), (pairs % len(full_values)).tolist(), strict=True)
        ]
        found[rows] = np.array(fits, dtype=bool)[inverse]
    return pd.Series(found, index=call_names.index, name="call_name_fits")


def _call_name_fits(call: str, full: str, min_suffix: int) -> bool:
    """:func:`call_name_fits` of one pair: the word endings ``call`` stands for, looked for in ``full``'s words.

    An ending of two letters or more without a space is a word's ending exactly when it stands before a space
    of ``full`` with a space appended; a shorter one (``min_suffix`` below 2) is looked for word by word."""
    endings = []
    if len(call) >= min_suffix:
        endings.append(call)  # the ending itself
    if len(call) == 4 and call[:2] == call[2:]:
        endings.append(call[:2])  # the last two letters doubled
    if len(call) == 5 and call[:2] == call[2:4]:
        endings.append(call[2:])  # the last three letters after their first two
    padded = full + " "
    for ending in endings:
        if " " in ending:
            continue
        if len(ending) >= 2:
            if ending + " " in padded:
                return True
        elif any(len(word) >= 2 and word.endswith(ending) for word in full.split(" ")):
            return True
    return False


# ================================================================= unique-value workers


def _clean_unique_names(names: pd.Series) -> pd.Series:
    text = _strip_accents(names).str.upper()
    text = text.str.replace(_APOSTROPHES, "", regex=True)
    text = text.str.replace("[^A-Z., ]", " ", regex=True)
    text = _strip_titles_and_degrees(squeeze_spaces(text).str.strip(" .,"))
    return squeeze_spaces(text.str.replace("[.,]", " ", regex=True))


def _strip_titles_and_degrees(names: pd.Series) -> pd.Series:
    names = names.str.replace(_LEADING_TITLE_RE, r"\1", regex=True)
    return names.str.replace(_TRAILING_DEGREES_RE, "", regex=True)


def _strip_accents(names: pd.Series) -> pd.Series:
    non_ascii = names.str.contains("[^\x00-\x7f]", regex=True)
    if not non_ascii.any():
        return names
    decomposed = names[non_ascii].map(lambda name: unicodedata.normalize("NFKD", name))
    folded = decomposed.astype(TEXT).str.replace(_COMBINING_MARKS, "", regex=True)
    return names.mask(non_ascii, folded)


def _match_key_unique(names: pd.Series) -> pd.Series:
    """Token rules, then titles/degrees stripped again: a rewritten token can become one (NJ → NY)."""
    return squeeze_spaces(_strip_titles_and_degrees(_map_tokens(names, _token_match_key, initial_rule=True)))


def _sort_tokens_unique(keys: pd.Series) -> pd.Series:
    return pd.Series([" ".join(sorted(key.split(" "))) for key in keys], index=keys.index, dtype=TEXT)


def _map_tokens(names: pd.Series, token_rule: Callable[[str], str], initial_rule: bool = False) -> pd.Series:
    """Rewrite every token (split at single spaces) of every name with ``token_rule``, run once per distinct
    token; with ``initial_rule``, a rewritten lone ``M`` followed by another token becomes ``MUHAMMAD`` (an
    initial M before a name stands for Muhammad; as a last token it is an unknown initial). NA stays NA.

    Splitting, spreading the rewritten tokens back and joining them run in Arrow; only the rule is Python."""
    if names.empty:
        return names.astype(TEXT)
    text = pa.array(names.astype(TEXT).array)
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    lists = pc.split_pattern(text, " ")
    tokens = lists.flatten()
    distinct = pc.dictionary_encode(tokens)
    rewritten = pa.array([token_rule(token) for token in distinct.dictionary.to_pylist()], type=tokens.type)
    tokens = rewritten.take(distinct.indices)
    if initial_rule:
        offsets = lists.offsets.to_numpy()
        name_of_token = pc.list_parent_indices(lists).to_numpy()
        position = np.arange(len(tokens)) - offsets[name_of_token]
        token_count = np.diff(offsets)[name_of_token]
        is_m_before_name = pc.equal(tokens, _INITIAL_M).to_numpy(zero_copy_only=False) & (position < token_count - 1)
        tokens = pc.if_else(pa.array(is_m_before_name), pa.scalar(MUHAMMAD, tokens.type), tokens)
    rebuilt = type(lists).from_arrays(lists.offsets, tokens, mask=lists.is_null())
    joined = pc.binary_join(rebuilt, pa.scalar(" ", tokens.type))
    return pd.Series(pd.array(joined, dtype=TEXT), index=names.index)


def _token_match_key(token: str) -> str:
    """Rules repeated until nothing changes, so a key is its own key (DDJ → DJ → J)."""
    previous = None
    while token != previous:
        previous = token
        if token in _MUHAMMAD_VARIANTS:
            return MUHAMMAD
        token = _DOUBLED_CONSONANT_RE.sub(r"\1", _modern_spelling(token))
        if token in _MUHAMMAD_SQUEEZED:
            return MUHAMMAD
    return token


def _modern_spelling(token: str) -> str:
    """Old spelling → current. A bare J reads Y only where the token shows another old-spelling marker."""
    old = _OLD_SPELLING_MARKER_RE.search(token) is not None

    def replace(match: re.Match[str]) -> str:
        found = match.group(0)
        if found == "J":
            return "Y" if old else "J"
        if found in ("CH", "KH") and match.end() < len(token) and token[match.end()] == "M":
            return "H"
        return _OLD_TO_NEW[found]

    modern = _OLD_SPELLING_RE.sub(replace, token)
    modern = _J_AS_Y_RE.sub(r"\1Y", modern)
    return _BARE_J_NAMES.get(modern, modern)


_MUHAMMAD_SQUEEZED = frozenset(
    _DOUBLED_CONSONANT_RE.sub(r"\1", _modern_spelling(variant)) for variant in _MUHAMMAD_VARIANTS
)


def _token_skeleton(token: str) -> str:
    if token.startswith("KH"):
        token = "K" + token[2:]
    for digraph, replacement in _SKELETON_DIGRAPHS:
        token = token.replace(digraph, replacement)
    token = _ADJACENT_DUPLICATE_RE.sub(r"\1", token.translate(_SKELETON_LETTERS))
    if len(token) > 1 and token.endswith("H"):
        token = token[:-1]
    return token[0].translate(_SKELETON_FIRST_VOWEL) + _SKELETON_DROPPED.sub("", token[1:])
