"""Vectorised corruptions: each takes a column and a rate and returns the column with that share of values damaged.

Masks are drawn over whole arrays; the few edits that need a per-string decision (a typo at a random position)
run in Python over the selected values only, which are a few percent of the records.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from sample_data import vocab

KEYBOARD_ROWS = ("QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM")


def _keyboard_neighbours() -> dict[str, str]:
    """Letters next to each key on a QWERTY keyboard (same row and the rows above and below)."""
    neighbours: dict[str, str] = {}
    for r, row in enumerate(KEYBOARD_ROWS):
        for c, key in enumerate(row):
            near = [row[i] for i in (c - 1, c + 1) if 0 <= i < len(row)]
            for other in (r - 1, r + 1):
                if 0 <= other < len(KEYBOARD_ROWS):
                    near += [KEYBOARD_ROWS[other][i] for i in (c - 1, c) if 0 <= i < len(KEYBOARD_ROWS[other])]
            neighbours[key] = "".join(near)
    return neighbours


NEIGHBOURS = _keyboard_neighbours()


def pick(rng: np.random.Generator, n: int, rate: float) -> np.ndarray:
    """Boolean mask selecting each of ``n`` rows with probability ``rate``."""
    return rng.random(n) < rate


def _edit(values: pd.Series, mask: np.ndarray, edit: Callable[[str], str]) -> pd.Series:
    """Apply a per-string ``edit`` to the masked values only."""
    if not mask.any():
        return values
    out = values.copy()
    out[mask] = [edit(v) for v in values[mask].tolist()]
    return out


def typo(rng: np.random.Generator, values: pd.Series, rate: float) -> pd.Series:
    """Keyboard-neighbour substitution, dropped letter, doubled letter or swapped adjacent letters."""
    mask = pick(rng, len(values), rate) & values.notna().to_numpy() & (values.str.len().fillna(0).to_numpy() >= 3)
    ops = iter(rng.integers(0, 4, int(mask.sum())).tolist())
    draws = iter(rng.random(int(mask.sum())).tolist())

    def one(text: str) -> str:
        op, draw = next(ops), next(draws)
        letters = [i for i, ch in enumerate(text) if ch.isalpha()]
        if len(letters) < 2:
            return text
        i = letters[int(draw * (len(letters) - 1))]
        if op == 0:
            near = NEIGHBOURS.get(text[i].upper(), text[i])
            replacement = near[int(draw * 1000) % len(near)]
            return text[:i] + (replacement if text[i].isupper() else replacement.lower()) + text[i + 1 :]
        if op == 1:
            return text[:i] + text[i + 1 :]
        if op == 2:
            return text[:i] + text[i] + text[i:]
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]

    return _edit(values, mask, one)


def spelling_variant(rng: np.random.Generator, names: pd.Series, rate: float) -> pd.Series:
    """Switch one old/modern spelling pair that the name allows: old spellings modernised, modern ones aged."""
    mask = pick(rng, len(names), rate) & names.notna().to_numpy()
    subset = names[mask]
    rules = vocab.OLD_SPELLINGS
    has_old = np.column_stack([subset.str.contains(rule[2], regex=True).to_numpy() for rule in rules])
    has_modern = np.column_stack([subset.str.contains(rule[0], regex=True).to_numpy() for rule in rules])
    applicable = has_old | has_modern
    rule = np.argmax(rng.random(applicable.shape) * applicable, axis=1)
    chosen_any = applicable.any(axis=1)
    edited = subset.copy()
    for r, (modern_pattern, old_form, old_pattern, modern_form) in enumerate(rules):
        take = chosen_any & (rule == r)
        if not take.any():
            continue
        modernised = subset[take].str.replace(old_pattern, modern_form, regex=True)
        aged = subset[take].str.replace(modern_pattern, old_form, n=1, regex=True)
        edited[take] = np.where(has_old[take, r], modernised, aged)
    out = names.copy()
    out[mask] = edited.to_numpy()
    return out


def add_title(rng: np.random.Generator, names: pd.Series, sex: pd.Series, rate: float) -> pd.Series:
    """Honorific before (H., Hj., Bpk, Ibu, Drs.) or degree after (S.E., S.Pd.) the name."""
    n = len(names)
    mask = pick(rng, n, rate) & names.notna().to_numpy()
    male = sex.to_numpy() == "L"
    prefix = np.where(male, rng.choice(vocab.TITLES_MALE_PREFIX, n), rng.choice(vocab.TITLES_FEMALE_PREFIX, n))
    suffix = rng.choice(vocab.DEGREE_SUFFIXES, n)
    before = rng.random(n) < 0.6
    titled = np.where(
        before,
        prefix.astype(object) + " " + names.to_numpy(dtype=object),
        names.to_numpy(dtype=object) + suffix.astype(object),
    )
    out = names.copy()
    out[mask] = titled[mask]
    return out


def add_patronymic(
    rng: np.random.Generator, names: pd.Series, sex: pd.Series, father: pd.Series, eligible: np.ndarray, rate: float
) -> pd.Series:
    """Append ``BIN``/``BINTI`` and the father's first name (``SITI AMINAH BINTI AHMAD``)."""
    n = len(names)
    mask = pick(rng, n, rate) & eligible & names.notna().to_numpy() & father.notna().to_numpy()
    word = np.where(sex.to_numpy() == "P", " BINTI ", " BIN ")
    out = names.copy()
    out[mask] = names[mask] + word[mask] + father[mask]
    return out


def muhammad_variant(rng: np.random.Generator, names: pd.Series, rate: float) -> pd.Series:
    """Write MUHAMMAD as M., Moh., Moch., Muh., Mhd., Muhamad..."""
    n = len(names)
    mask = pick(rng, n, rate)
    mask[mask] = names[mask].str.contains("MUHAMMAD", regex=False).fillna(False).to_numpy()
    variant = rng.choice(vocab.MUHAMMAD_VARIANTS, n)
    out = names.copy()
    for v in np.unique(variant[mask]):
        chosen = mask & (variant == v)
        out[chosen] = out[chosen].str.replace("MUHAMMAD", v, n=1, regex=False)
    return out


def _token_edit(rng: np.random.Generator, names: pd.Series, rate: float, min_tokens: int, edit) -> pd.Series:
    """Apply ``edit(tokens, subset)`` to a ``rate`` share of names having at least ``min_tokens`` tokens."""
    mask = pick(rng, len(names), rate) & names.notna().to_numpy()
    subset = names[mask]
    tokens = subset.str.split(" ")
    eligible = (tokens.str.len() >= min_tokens).to_numpy()
    if not eligible.any():
        return names
    out = names.copy()
    rows = np.flatnonzero(mask)[eligible]
    out.iloc[rows] = edit(tokens[eligible], subset[eligible]).to_numpy()
    return out


def drop_token(rng: np.random.Generator, names: pd.Series, rate: float) -> pd.Series:
    """Drop the last token (two-token names) or the middle ones (longer names)."""

    def edit(tokens: pd.Series, _: pd.Series) -> pd.Series:
        return tokens.str[0].where(tokens.str.len() == 2, tokens.str[0] + " " + tokens.str[-1])

    return _token_edit(rng, names, rate, 2, edit)


def abbreviate_token(rng: np.random.Generator, names: pd.Series, rate: float) -> pd.Series:
    """Reduce the last token to its initial: ``AGUS SETIAWAN`` -> ``AGUS S.`` (or ``AGUS S``)."""
    dot = "." if rng.random() < 0.7 else ""

    def edit(tokens: pd.Series, subset: pd.Series) -> pd.Series:
        return subset.str.rsplit(" ", n=1).str[0] + " " + tokens.str[-1].str[0] + dot

    return _token_edit(rng, names, rate, 2, edit)


def reorder_tokens(rng: np.random.Generator, names: pd.Series, rate: float) -> pd.Series:
    """Swap the first two tokens (surname-first habits, forms filled in the wrong order)."""

    def edit(tokens: pd.Series, _: pd.Series) -> pd.Series:
        rest = tokens.str[2:].str.join(" ")
        return (tokens.str[1] + " " + tokens.str[0] + " " + rest).str.strip()

    return _token_edit(rng, names, rate, 2, edit)


def nik_noise(rng: np.random.Generator, nik: pd.Series, sex: pd.Series, kk: pd.Series, rates) -> pd.Series:
    """Missing NIK, a mistyped or transposed digit, women without +40, the KK number, a digit lost or doubled."""
    n = len(nik)
    out = nik.copy()
    present = out.notna().to_numpy()
    kk_typed = pick(rng, n, rates.nik_kk) & present
    out[kk_typed] = kk[kk_typed]
    coded_female = pd.to_numeric(out.str.slice(6, 8), errors="coerce").fillna(0).to_numpy() > 40
    no40 = pick(rng, n, rates.nik_female_no40) & (sex.to_numpy() == "P") & present & ~kk_typed & coded_female
    day = out[no40].str.slice(6, 8).astype(int) - 40
    out[no40] = out[no40].str.slice(0, 6) + day.astype(str).str.zfill(2) + out[no40].str.slice(8)
    digit_typo = pick(rng, n, rates.nik_typo) & present
    position = rng.integers(0, 16, n)
    new_digit = rng.integers(0, 10, n).astype(str)
    for p in np.unique(position[digit_typo]):
        chosen = digit_typo & (position == p)
        out[chosen] = out[chosen].str.slice(0, p) + new_digit[chosen] + out[chosen].str.slice(p + 1)
    transpose = pick(rng, n, rates.nik_transpose) & present
    for p in np.unique(position[transpose] % 15):
        chosen = transpose & (position % 15 == p)
        s = out[chosen]
        out[chosen] = s.str.slice(0, p) + s.str.slice(p + 1, p + 2) + s.str.slice(p, p + 1) + s.str.slice(p + 2)
    wrong_length = pick(rng, n, rates.nik_wrong_length) & present
    doubled = rng.random(n) < 0.5
    cut = wrong_length & ~doubled
    out[cut] = out[cut].str.slice(0, 15)
    grow = wrong_length & doubled
    out[grow] = out[grow] + out[grow].str.slice(15)
    out[pick(rng, n, rates.nik_missing)] = None
    return out


def nik_separators(rng: np.random.Generator, nik: pd.Series, rate: float) -> pd.Series:
    """NIKs written in groups, as people copy them off the KTP: ``3276 0312 3456 0001`` or ``327603.120590.0001``."""
    n = len(nik)
    mask = pick(rng, n, rate) & (nik.str.len() == 16).fillna(False).to_numpy()
    dotted = rng.random(n) < 0.4
    spaced = mask & ~dotted
    dots = mask & dotted
    out = nik.copy()
    s = out[spaced]
    out[spaced] = s.str.slice(0, 4) + " " + s.str.slice(4, 8) + " " + s.str.slice(8, 12) + " " + s.str.slice(12)
    s = out[dots]
    out[dots] = s.str.slice(0, 6) + "." + s.str.slice(6, 12) + "." + s.str.slice(12)
    return out


def birth_date_noise(rng: np.random.Generator, dates: pd.Series, rates) -> pd.Series:
    """Missing dates, day/month swapped (where both are <= 12), a year off by one digit."""
    n = len(dates)
    out = dates.copy()
    day, month, year = dates.dt.day.to_numpy(), dates.dt.month.to_numpy(), dates.dt.year.to_numpy()
    swap = pick(rng, n, rates.day_month_swap) & (day <= 12) & (day != month)
    out[swap] = pd.to_datetime(pd.DataFrame({"year": year[swap], "month": day[swap], "day": month[swap]}))
    year_typo = pick(rng, n, rates.birth_year_typo)
    shift = rng.choice([-10, -1, 1, 10], n)
    shift = np.where(year >= 2010, -np.abs(shift), shift)  # never push a child's birth date into the future
    shifted = pd.to_datetime(pd.DataFrame({"year": year + shift, "month": month, "day": np.minimum(day, 28)}))
    out[year_typo] = shifted[year_typo]
    out[pick(rng, n, rates.birth_date_missing)] = pd.NaT
    return out


def region_noise(
    rng: np.random.Generator, kelurahan: pd.Series, kecamatan: pd.Series, rates
) -> tuple[pd.Series, pd.Series]:
    """Kelurahan misspelled, missing or replaced by the kecamatan; kecamatan given by its pre-2008 name."""
    n = len(kelurahan)
    kel = kelurahan.copy()
    kec = kecamatan.copy()
    old = pick(rng, n, rates.old_kecamatan) & kec.isin(list(vocab.OLD_KECAMATAN)).to_numpy()
    kec[old] = kec[old].map(vocab.OLD_KECAMATAN)
    variants = pick(rng, n, rates.kelurahan_misspelled)
    style = rng.integers(0, 4, n)
    kel[variants & (style == 0)] = kel[variants & (style == 0)].str.replace(" ", "", regex=False)
    kel[variants & (style == 1)] = (
        kel[variants & (style == 1)]
        .str.replace("Pondok ", "Pd. ", regex=False)
        .str.replace(" Baru", " Br", regex=False)
        .str.replace("Jaya", " Jaya", regex=False)
        .str.replace("  ", " ")
    )
    kel[variants & (style == 2)] = "Kel. " + kel[variants & (style == 2)]
    kel = typo(rng, kel, rates.kelurahan_misspelled * 0.6)
    as_kec = pick(rng, n, rates.kecamatan_as_kelurahan)
    kel[as_kec] = kecamatan[as_kec]
    kel[pick(rng, n, rates.kelurahan_missing)] = None
    return kel, kec


def blank(rng: np.random.Generator, values: pd.Series, rate: float) -> pd.Series:
    """Set a share of values missing."""
    out = values.copy()
    out[pick(rng, len(values), rate)] = None
    return out


_CALL_NAME_SKIP = r"^(?:(?:MUHAMMAD|MOH\.?|M\.|SITI|NUR|AHMAD|ABDUL|I|NI|H\.|HJ\.)\s+)+"


def call_names(rng: np.random.Generator, names: pd.Series, sex: pd.Series, mask: np.ndarray) -> pd.Series:
    """Call names drivers go by, made from the registered name (returned for the masked rows, else None).

    The first word (after MUHAMMAD, SITI...) cut to its first syllable and a consonant (SUPRIYADI -> SUP), its last
    syllable doubled (FAJRI -> RIRI, BUDI -> DIDI, SAPUTRA -> TRATRA), or either after a form of address (CAK DIDI,
    Pak Pupu, BANG SUP).
    """
    out = pd.Series([None] * len(names), dtype="object")
    idx = np.flatnonzero(mask)
    if len(idx) == 0:
        return out
    base = names.iloc[idx].str.upper().str.replace(_CALL_NAME_SKIP, "", regex=True).str.split(" ").str[0].fillna("")
    short = base.str.extract(r"^([^AIUEO]*[AIUEO]+[^AIUEO]?)", expand=False).fillna(base)
    syllable = base.str.extract(r"([^AIUEO]?[AIUEO])[^AIUEO]*$", expand=False)
    doubled = (syllable + syllable).fillna(base)
    kind = rng.random(len(idx))
    call = np.where(kind < 0.45, doubled.to_numpy(dtype=object), short.to_numpy(dtype=object))
    male = sex.iloc[idx].to_numpy() != "P"
    prefix = np.where(
        male,
        np.asarray(vocab.CALL_NAME_PREFIXES_MALE, dtype=object)[
            rng.integers(0, len(vocab.CALL_NAME_PREFIXES_MALE), len(idx))
        ],
        np.asarray(vocab.CALL_NAME_PREFIXES_FEMALE, dtype=object)[
            rng.integers(0, len(vocab.CALL_NAME_PREFIXES_FEMALE), len(idx))
        ],
    )
    with_prefix = rng.random(len(idx)) < 0.5
    out.iloc[idx] = np.where(with_prefix, prefix + call, call)
    return out
