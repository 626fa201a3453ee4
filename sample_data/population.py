"""The synthetic population of Kota Depok: households, people, their identifiers, work and social-security cover.

Everything is drawn with one ``numpy.random.Generator`` in a fixed order over arrays, so a seed fixes the result.
The frame returned by :func:`build_population` is wider than the published truth: sources draw their fields
(address, phones, KK, JKN segment...) from it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sample_data import vocab
from sample_data.config import MembershipRates

WILAYAH_CSV = Path(__file__).parents[1] / "data_contracts" / "reference" / "wilayah_depok.csv"

HOUSEHOLD_SIZES = np.array([1, 2, 3, 4, 5, 6, 7])
HOUSEHOLD_SIZE_P = np.array([0.12, 0.18, 0.22, 0.24, 0.14, 0.07, 0.03])
#: Hard-case shares: of households with two or more children (twins), of households with a same-sex child
#: (child named after the parent), of adults (an unrelated namesake with the same birth date), of adults (NIK ganda).
#: Twins: about 1 delivery in 100 in Indonesia is a twin birth (DHS-based estimates, Smits & Monden 2011, "Twinning
#: across the developing world": 8-11 per 1,000); triplets about 1 in 90 twin births (Hellin's rule, 1/89 squared of
#: deliveries). A third of twins are boy-girl pairs (half the dizygotic twins, which are about two thirds of the
#: twins in South-East Asia).
TWIN_DELIVERY_SHARE = 0.011
TRIPLET_SHARE_OF_MULTIPLE = 0.011
OPPOSITE_SEX_TWIN_SHARE = 0.33
SAME_NAME_CHILD_SHARE = 0.02
NAMESAKE_SHARE = 0.004
NIK_GANDA_SHARE = 0.006
OLD_SPELLING_IN_REGISTER_SHARE = 0.35
#: Of people whose KTP occupation no longer holds, the share who had it changed at Dukcapil (rarely asked for).
KTP_UPDATE_SHARE = 0.4
#: Leading name words twins share (the changed name is the one after them).
TWIN_KEPT_PREFIXES = ("MUHAMMAD", "SITI", "NUR", "AHMAD", "ABDUL")
STALE_KTP_OCCUPATIONS = (
    "KARYAWAN SWASTA",
    "WIRASWASTA",
    "BELUM/TIDAK BEKERJA",
    "BURUH HARIAN LEPAS",
    "MENGURUS RUMAH TANGGA",
    "PEDAGANG",
)  # of people born before 1965, whose registered name keeps the old spelling


@dataclass(frozen=True)
class Population:
    """People (one row each, positional index = person index) and their BPJS Ketenagakerjaan records."""

    people: pd.DataFrame
    tk_records: pd.DataFrame


def load_wilayah() -> pd.DataFrame:
    """The 63 kelurahan of Depok with dotted Kemendagri codes, read from the repository's reference table."""
    wilayah = pd.read_csv(WILAYAH_CSV, dtype=str)
    return wilayah.rename(columns={"kode_wilayah": "kelurahan_code", "kode_kecamatan": "kecamatan_code"})[
        ["kelurahan_code", "kelurahan", "kecamatan_code", "kecamatan"]
    ]


def zipf_choice(rng: np.random.Generator, pool: tuple[str, ...], size: int, exponent: float = 0.9) -> np.ndarray:
    """Draw from ``pool`` with weights falling as 1/rank**exponent: the first entries are the common ones."""
    weights = 1.0 / np.arange(1, len(pool) + 1) ** exponent
    return np.asarray(pool, dtype=object)[rng.choice(len(pool), size=size, p=weights / weights.sum())]


def build_population(n: int, rng: np.random.Generator, as_of: dt.date, rates: MembershipRates) -> Population:
    """Draw ``n`` people living in Depok, in households, with names, NIKs, work and BPJS cover."""
    wilayah = load_wilayah()
    people = _households(n, rng, wilayah)
    _demographics(people, rng, as_of)
    _names(people, rng)
    _hard_cases(people, rng, as_of)
    _identifiers(people, rng, as_of)
    _contact(people, rng)
    _employment(people, rng, as_of)
    tk_records = _tk_records(people, rng, as_of, rates)
    _jkn(people, rng)
    return Population(people=people, tk_records=tk_records)


def _households(n: int, rng: np.random.Generator, wilayah: pd.DataFrame) -> pd.DataFrame:
    sizes = rng.choice(HOUSEHOLD_SIZES, size=n // 2 + 10, p=HOUSEHOLD_SIZE_P)
    ends = np.cumsum(sizes)
    count = int(np.searchsorted(ends, n) + 1)
    sizes = sizes[:count].copy()
    sizes[-1] -= ends[count - 1] - n
    household = np.repeat(np.arange(count), sizes)
    starts = np.cumsum(sizes) - sizes
    position = np.arange(n) - np.repeat(starts, sizes)

    kelurahan_weight = rng.uniform(0.5, 1.5, len(wilayah))
    hh_kel = rng.choice(len(wilayah), size=count, p=kelurahan_weight / kelurahan_weight.sum())
    people = pd.DataFrame(
        {
            "person_id": pd.Series(np.char.add("P", np.char.zfill(np.arange(1, n + 1).astype(str), 7)), dtype="str"),
            "household_index": household,
            "household_id": pd.Series(np.char.add("H", np.char.zfill((household + 1).astype(str), 6)), dtype="str"),
            "position": position,
            "household_size": np.repeat(sizes, sizes),
        }
    )
    for column in ("kelurahan_code", "kelurahan", "kecamatan_code", "kecamatan"):
        people[column] = pd.Series(wilayah[column].to_numpy()[hh_kel][household], dtype="str")
    street = _street_addresses(rng, count)
    people["street_address"] = pd.Series(street[household], dtype="str")
    people["rt"] = rng.integers(1, 16, count)[household]
    people["rw"] = rng.integers(1, 21, count)[household]
    return people


def _street_addresses(rng: np.random.Generator, count: int) -> np.ndarray:
    kind = rng.choice(4, size=count, p=[0.45, 0.15, 0.15, 0.25])
    number = rng.integers(1, 180, count).astype(str)
    jalan = "JL. " + zipf_choice(rng, vocab.STREET_NAMES, count, 0.6) + " NO. " + number
    gang = "GG. " + zipf_choice(rng, vocab.STREET_NAMES, count, 0.6) + " NO. " + number
    kampung = "KP. " + zipf_choice(rng, vocab.KAMPUNG_NAMES, count, 0.6)
    block = np.char.add(rng.choice(list("ABCDEFGHJK"), count), rng.integers(1, 30, count).astype(str)).astype(object)
    perum = "PERUM " + zipf_choice(rng, vocab.PERUMAHAN_NAMES, count, 0.6) + " BLOK " + block + " NO. " + number
    return np.select([kind == 0, kind == 1, kind == 2], [jalan, gang, kampung], perum)


def _demographics(people: pd.DataFrame, rng: np.random.Generator, as_of: dt.date) -> None:
    n = len(people)
    position = people["position"].to_numpy()
    household = people["household_index"].to_numpy()
    first_of_household = np.r_[0, np.flatnonzero(np.diff(household)) + 1]
    head_age = np.clip(rng.normal(45, 13, len(first_of_household)), 20, 88)[household]
    head_male = (rng.random(len(first_of_household)) < 0.84)[household]
    age = np.where(position == 0, head_age, np.nan)
    age = np.where(position == 1, np.clip(head_age + rng.normal(-3, 4, n), 18, 92), age)
    child_age = head_age - rng.normal(27, 5, n) - (position - 2) * rng.integers(1, 5, n)
    age = np.where(position >= 2, np.clip(child_age, 0, head_age - 16), age)
    is_single_adult = people["household_size"].to_numpy() == 1
    age = np.where(is_single_adult, np.clip(rng.normal(33, 12, n), 18, 85), age)
    male = np.where(position == 0, head_male, np.where(position == 1, ~head_male, rng.random(n) < 0.51))
    as_of_day = np.datetime64(as_of, "D")
    birth = as_of_day - (age * 365.25).astype(np.int64) - rng.integers(0, 365, n)
    people["sex"] = pd.Series(np.where(male, "L", "P"), dtype="str")
    people["birth_date"] = birth.astype("datetime64[s]")
    traditions = list(vocab.TRADITIONS)
    weights = np.array([vocab.TRADITIONS[t][0] for t in traditions])
    hh_tradition = rng.choice(len(traditions), size=len(first_of_household), p=weights / weights.sum())[household]
    spouse_other = (position == 1) & (rng.random(n) < 0.15)
    tradition = np.where(spouse_other, rng.choice(len(traditions), size=n, p=weights / weights.sum()), hh_tradition)
    people["tradition"] = pd.Series(np.asarray(traditions, dtype=object)[tradition], dtype="str")
    people["religion"] = people["tradition"].map(vocab.RELIGION_BY_TRADITION).astype("str")
    _refresh_age(people, as_of)


def _refresh_age(people: pd.DataFrame, as_of: dt.date) -> None:
    birth = people["birth_date"].to_numpy().astype("datetime64[D]")
    people["age"] = ((np.datetime64(as_of, "D") - birth).astype(np.int64) // 365.25).astype(np.int64)


def _names(people: pd.DataFrame, rng: np.random.Generator) -> None:
    n = len(people)
    names = np.empty(n, dtype=object)
    surname = np.empty(n, dtype=object)
    tradition = people["tradition"].to_numpy()
    male = people["sex"].to_numpy() == "L"
    for key, (_, m_first, m_last, f_first, f_last) in vocab.TRADITIONS.items():
        for is_male, first_pool, last_pool in ((True, m_first, m_last), (False, f_first, f_last)):
            idx = np.flatnonzero((tradition == key) & (male == is_male))
            names[idx], surname[idx] = _names_of_tradition(rng, key, is_male, first_pool, last_pool, len(idx))
    # Batak children carry the father's marga.
    head = _head_index(people)
    batak_child = (tradition == "batak") & (people["position"].to_numpy() >= 2) & (tradition[head] == "batak")
    given = pd.Series(names[batak_child], dtype="str").str.rsplit(" ", n=1).str[0].to_numpy().astype(object)
    names[batak_child] = given + " " + surname[head][batak_child]
    names = pd.Series(names, dtype="str")
    born_early = people["birth_date"].dt.year.to_numpy() < 1965
    old_spelling = born_early & (rng.random(n) < OLD_SPELLING_IN_REGISTER_SHARE)
    for modern_pattern, old_form, _, _ in vocab.OLD_SPELLINGS[:4]:
        names[old_spelling] = names[old_spelling].str.replace(modern_pattern, old_form, n=1, regex=True)
    people["name"] = names
    people["nickname"] = _nicknames(rng, names, male)


def _names_of_tradition(
    rng: np.random.Generator,
    key: str,
    is_male: bool,
    first_pool: tuple[str, ...],
    last_pool: tuple[str, ...],
    size: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Full names and last tokens: mononyms, two or three tokens in the tradition's proportions."""
    first = zipf_choice(rng, first_pool, size)
    middle = zipf_choice(rng, first_pool, size, 0.5)
    last = zipf_choice(rng, last_pool, size, 0.7)
    shape = rng.random(size)
    mononym = shape < vocab.MONONYM_SHARE[key]
    three = shape > 1 - vocab.THREE_TOKEN_SHARE[key]
    middle = np.where(middle == first, zipf_choice(rng, last_pool, size, 0.5), middle)
    full = np.where(mononym, first, np.where(three, first + " " + middle + " " + last, first + " " + last))
    if key in ("jawa", "sunda", "minang"):  # Islamic first names in front of regional ones
        prefix = "MUHAMMAD " if is_male else ("NUR " if key == "minang" else "SITI ")
        full = np.where(rng.random(size) < 0.10, prefix + full, full)
    return full, last


def _head_index(people: pd.DataFrame) -> np.ndarray:
    """Index of each person's household head (position 0 of the household)."""
    return np.arange(len(people)) - people["position"].to_numpy()


def _nicknames(rng: np.random.Generator, names: pd.Series, male: np.ndarray) -> pd.Series:
    """A call name: a token of the name, its last syllables, a generic nickname, sometimes with Bang/Mas/Teh."""
    n = len(names)
    tokens = names.str.replace("^(MUHAMMAD|SITI|NUR|I|NI|AHMAD|ABDUL) ", "", regex=True).str.split(" ")
    first = tokens.str[0]
    last = tokens.str[-1]
    kind = rng.random(n)
    tail = first.str.extract(r"([^AIUEO ]?[AIUEO][^AIUEO]*[AIUEO][^AIUEO]*)$", expand=False).fillna(first)
    last_syllable = first.str.extract(r"([^AIUEO ][AIUEO])$", expand=False)
    reduplicated = (last_syllable + last_syllable).fillna(tail)
    generic = np.where(
        male, zipf_choice(rng, vocab.GENERIC_NICKNAMES_MALE, n), zipf_choice(rng, vocab.GENERIC_NICKNAMES_FEMALE, n)
    )
    nickname = np.select(
        [kind < 0.40, kind < 0.55, kind < 0.70, kind < 0.80],
        [first.to_numpy(), last.to_numpy(), tail.to_numpy(), reduplicated.to_numpy()],
        generic,
    )
    honorific = rng.random(n) < 0.15
    prefix = np.where(
        male, zipf_choice(rng, vocab.NICKNAME_HONORIFICS[:4], n), zipf_choice(rng, vocab.NICKNAME_HONORIFICS[4:], n)
    )
    return pd.Series(np.where(honorific, prefix + nickname.astype(object), nickname), dtype="str")


def _hard_cases(people: pd.DataFrame, rng: np.random.Generator, as_of: dt.date) -> None:
    """Twins, children named after a parent, and unrelated namesakes born the same day."""
    n = len(people)
    position = people["position"].to_numpy()
    size = people["household_size"].to_numpy()
    names = people["name"].to_numpy().astype(object)
    birth = people["birth_date"].to_numpy().copy()
    sex = people["sex"].to_numpy().astype(object)
    twin = np.zeros(n, dtype=bool)
    same_name = np.zeros(n, dtype=bool)
    namesake = np.zeros(n, dtype=bool)

    # Twins and triplets: a child born the same day as the next one or two children of the household.
    groups = _multiple_births(rng, position, size)
    twin_group = np.full(n, -1, dtype=np.int64)
    for members in groups:
        twin_group[members] = members[0]
        birth[members[1:]] = birth[members[0]]
        twin[members] = True
    mixed = rng.random(len(groups)) < OPPOSITE_SEX_TWIN_SHARE
    style = rng.random(len(groups))
    tradition = people["tradition"].to_numpy()
    for k, members in enumerate(groups):
        a = int(members[0])
        tokens = names[a].split(" ")
        lead = 1 if len(tokens) > 2 and tokens[0] in TWIN_KEPT_PREFIXES else 0  # MUHAMMAD, SITI, I, NI stay
        prefix_words = " ".join(tokens[:lead])
        rest = " ".join(tokens[lead + 1 :])
        if tokens[0] in ("I", "NI") and len(tokens) > 2:  # Balinese twins: consecutive birth-order names
            sex[members] = sex[a]
            order = vocab.BALINESE_BIRTH_ORDER
            start = order.index(tokens[1]) if tokens[1] in order else 0
            for k2, member in enumerate(members.tolist()):
                names[member] = f"{tokens[0]} {order[(start + k2) % len(order)]} {rest}".strip()
            continue
        if len(members) == 3:  # triplets: one sex, three names from one stem
            pool: tuple[tuple[str, ...], ...] = vocab.TRIPLET_NAMES[:2] if sex[a] == "L" else vocab.TRIPLET_NAMES[2:]
            firsts: tuple[str, ...] = pool[int(rng.integers(0, len(pool)))]
            sex[members] = sex[a]
        elif mixed[k] and style[k] < 0.7:  # boy and girl, the girl's name the feminine form of the boy's
            boy, girl = vocab.TWIN_NAMES_MIXED[int(rng.integers(0, len(vocab.TWIN_NAMES_MIXED)))]
            sex[members] = ["L", "P"]
            firsts = (boy, girl)
        elif mixed[k]:  # boy and girl with names of their own
            sex[members] = ["L", "P"]
            firsts = (names[a].split(" ")[0], names[int(members[1])].split(" ")[0])
        elif style[k] < 0.6:  # rhyming or near names, one or two letters apart
            pool = vocab.TWIN_NAMES_MALE if sex[a] == "L" else vocab.TWIN_NAMES_FEMALE
            firsts = pool[int(rng.integers(0, len(pool)))]
            sex[members] = sex[a]
        else:  # two distinct common names of the tradition
            sex[members] = sex[a]
            firsts = tuple(x.split(" ")[0] for x in _twin_names(rng, tradition[a], sex[a], names[a]))
        for member, first in zip(members.tolist(), firsts, strict=True):
            names[member] = f"{prefix_words} {first} {rest}".strip()
    twins = np.flatnonzero(twin)
    if len(twins):
        people.loc[twins, "nickname"] = _nicknames(
            rng, pd.Series(names[twins], dtype="str"), sex[twins] == "L"
        ).to_numpy()

    # A child named exactly like the same-sex parent (head of household).
    head = np.arange(n) - position
    eligible = (position >= 2) & (sex == sex[head]) & ~twin
    junior = np.flatnonzero(eligible & (rng.random(n) < SAME_NAME_CHILD_SHARE))
    names[junior] = names[head[junior]]
    same_name[junior] = same_name[head[junior]] = True

    # Unrelated adults sharing a (common) name, sex and birth date with someone in another household.
    adults = np.flatnonzero((people["age"].to_numpy() >= 18) & ~twin & ~same_name)
    picks = rng.choice(adults, size=2 * int(len(adults) * NAMESAKE_SHARE / 2), replace=False).reshape(-1, 2)
    household = people["household_index"].to_numpy()
    picks = picks[household[picks[:, 0]] != household[picks[:, 1]]]
    source, target = picks[:, 0], picks[:, 1]
    names[target], birth[target], sex[target] = names[source], birth[source], sex[source]
    namesake[source] = namesake[target] = True

    people["name"] = pd.Series(names, dtype="str")
    people["father_name"] = _father_names(rng, people, names, sex)
    people["birth_date"] = birth
    people["sex"] = pd.Series(sex, dtype="str")
    people["twin"] = twin
    people["twin_group"] = twin_group
    people["same_name_as_parent"] = same_name
    people["namesake_same_birth_date"] = namesake
    _refresh_age(people, as_of)


def _multiple_births(rng: np.random.Generator, position: np.ndarray, size: np.ndarray) -> list[np.ndarray]:
    """Groups of consecutive children (positions 2+) of one household born together: twins, a few triplets."""
    n = len(position)
    room = size - position  # children from this one to the last of the household
    candidate = (position >= 2) & (room >= 2)
    # A group takes two children: draw among the children with a younger sibling at home so that the share of
    # all children born in a multiple birth matches the delivery rate.
    rate = min(TWIN_DELIVERY_SHARE * int((position >= 2).sum()) / max(int(candidate.sum()), 1), 0.5)
    start = candidate & (rng.random(n) < rate)
    start &= ~np.r_[False, start[:-1]]  # a child starts at most one group; the next child cannot start another
    three = start & (room >= 3) & (rng.random(n) < TRIPLET_SHARE_OF_MULTIPLE)
    starts = np.flatnonzero(start)
    taken = np.zeros(n, dtype=bool)
    groups = []
    for s in starts.tolist():
        width = 3 if three[s] else 2
        if taken[s : s + width].any():
            continue
        taken[s : s + width] = True
        groups.append(np.arange(s, s + width))
    return groups


def _father_names(rng: np.random.Generator, people: pd.DataFrame, names: np.ndarray, sex: np.ndarray) -> pd.Series:
    """The father's first name: the household head's for children of a male head, else a common Muslim name."""
    n = len(people)
    head = _head_index(people)
    head_first = pd.Series(names[head], dtype="str").str.split(" ").str[0].to_numpy().astype(object)
    from_head = (people["position"].to_numpy() >= 2) & (sex[head] == "L")
    return pd.Series(np.where(from_head, head_first, zipf_choice(rng, vocab.MUSLIM_MALE_FIRST, n)), dtype="str")


def _twin_names(rng: np.random.Generator, tradition: str, sex: str, sibling_name: str) -> tuple[str, str]:
    """Two distinct common first names of the tradition, each followed by the rest of the sibling's name."""
    pools = vocab.TRADITIONS[tradition]
    firsts = list(dict.fromkeys(pools[1] if sex == "L" else pools[3]))[:10]
    i, j = rng.choice(len(firsts), size=2, replace=False)
    rest = sibling_name.split(" ", 1)[1] if " " in sibling_name else ""
    return (f"{firsts[i]} {rest}".strip(), f"{firsts[j]} {rest}".strip())


def _identifiers(people: pd.DataFrame, rng: np.random.Generator, as_of: dt.date) -> None:
    """NIK (``PP KK CC DDMMYY SSSS``), a second NIK for a few, KK numbers per household, birth places."""
    n = len(people)
    age = people["age"].to_numpy()
    outside = rng.random(n) < np.where(age >= 17, 0.38, 0.08)
    origins = vocab.NIK_ORIGINS
    origin_p = np.array([o[1] for o in origins])
    origin = rng.choice(len(origins), size=n, p=origin_p / origin_p.sum())
    origin_prefix = np.array([o[0] for o in origins], dtype=object)[origin]
    origin_cc = np.floor(rng.random(n) * np.array([o[2] for o in origins])[origin]).astype(int) + 1
    home_cc = people["kecamatan_code"].str[-2:].astype(int).to_numpy()
    moved_within = rng.random(n) < 0.2
    depok_cc = np.where(moved_within, rng.integers(1, 12, n), home_cc)
    prefix = np.where(outside, origin_prefix + _two_digits(origin_cc), "3276" + _two_digits(depok_cc))
    # Twins and triplets are registered together: the first one's region, consecutive serials (set below).
    twin_group = people["twin_group"].to_numpy()
    in_group = twin_group >= 0
    prefix = np.where(in_group, prefix[np.maximum(twin_group, 0)], prefix)
    birth = people["birth_date"]
    female = people["sex"].to_numpy() == "P"
    date_part = _nik_date_part(birth, female)

    ganda = np.flatnonzero((age >= 20) & (rng.random(n) < NIK_GANDA_SHARE))
    alt_origin = rng.choice(len(origins), size=len(ganda), p=origin_p / origin_p.sum())
    alt_prefix = np.array([o[0] for o in origins], dtype=object)[alt_origin] + _two_digits(
        rng.integers(1, 6, len(ganda))
    )
    alt_prefix = np.where(alt_prefix == prefix[ganda], "327601", alt_prefix)
    all_stems = np.concatenate([prefix + date_part, alt_prefix + date_part[ganda]])
    serial = _serials(rng, all_stems)
    serial = _consecutive_twin_serials(all_stems, serial, np.r_[twin_group, np.full(len(ganda), -1)])
    niks = all_stems + serial
    people["nik"] = pd.Series(niks[:n], dtype="str")
    people["nik_issued_outside_depok"] = ~pd.Series(prefix).str.startswith("3276").to_numpy()
    nik_alt = np.full(n, None, dtype=object)
    nik_alt[ganda] = niks[n:]
    people["nik_alt"] = pd.Series(nik_alt, dtype="str")
    people["nik_ganda"] = people["nik_alt"].notna()

    place_from_origin = np.array([o[3] for o in origins], dtype=object)[origin]
    local = zipf_choice(rng, vocab.BIRTH_PLACES_LOCAL, n, 0.3)
    people["birth_place"] = pd.Series(np.where(outside & (rng.random(n) < 0.8), place_from_origin, local), dtype="str")
    people["kk"] = _kk_numbers(people, rng, as_of)
    people["relative_nik"] = _relative_niks(people)


def _relative_niks(people: pd.DataFrame) -> pd.Series:
    """The NIK a clerk may take from the family card by mistake: the head's, or for the head the spouse's."""
    position = people["position"].to_numpy()
    head = _head_index(people)
    has_spouse = people["household_size"].to_numpy() > 1
    nik = people["nik"].to_numpy()
    relative = np.where(position == 0, np.where(has_spouse, nik[np.minimum(head + 1, len(nik) - 1)], None), nik[head])
    return pd.Series(relative, dtype="str")


def _two_digits(values: np.ndarray) -> np.ndarray:
    return pd.Series(values).astype(str).str.zfill(2).to_numpy().astype(object)


def _nik_date_part(birth: pd.Series, female: np.ndarray) -> np.ndarray:
    """``DDMMYY`` with 40 added to the day for women."""
    day = pd.Series(birth.dt.day.to_numpy() + np.where(female, 40, 0)).astype(str).str.zfill(2)
    return (day + birth.dt.strftime("%m%y").reset_index(drop=True)).to_numpy().astype(object)


def _serials(rng: np.random.Generator, stems: np.ndarray) -> np.ndarray:
    """Serial numbers from 0001 upwards within each region+date stem, in a random order (so unique NIKs)."""
    order = rng.permutation(len(stems))
    shuffled = pd.Series(stems[order])
    rank = shuffled.groupby(shuffled, sort=False).cumcount().to_numpy() + 1
    serial = np.empty(len(stems), dtype=np.int64)
    serial[order] = rank
    return pd.Series(serial).astype(str).str.zfill(4).to_numpy().astype(object)


def _consecutive_twin_serials(stems: np.ndarray, serial: np.ndarray, twin_group: np.ndarray) -> np.ndarray:
    """Serials of twins and triplets made consecutive (0041, 0042): the next free numbers after their stems' last.

    A boy-girl pair has two stems (the girl's day + 40) and still gets consecutive numbers, the way a family card
    registration issues them.
    """
    members = np.flatnonzero(twin_group >= 0)
    if len(members) == 0:
        return serial
    serial = serial.copy()
    numbers = serial.astype(np.int64)
    last = pd.Series(numbers).groupby(pd.Series(stems)).max().to_dict()
    order = members[np.lexsort((members, twin_group[members]))]
    for group in np.split(order, np.flatnonzero(np.diff(twin_group[order])) + 1):
        start = max(last[stems[i]] for i in group) + 1
        for k, i in enumerate(group.tolist()):
            numbers[i] = start + k
        for i in group.tolist():
            last[stems[i]] = max(last[stems[i]], start + len(group) - 1)
    return pd.Series(numbers).astype(str).str.zfill(4).to_numpy().astype(object)


def _kk_numbers(people: pd.DataFrame, rng: np.random.Generator, as_of: dt.date) -> pd.Series:
    """16-digit family card numbers: kecamatan of issue, issue date DDMMYY, serial. Unique per household."""
    household = people["household_index"].to_numpy()
    first = np.r_[0, np.flatnonzero(np.diff(household)) + 1]
    count = len(first)
    issue = np.datetime64(as_of, "D") - rng.integers(30, 20 * 365, count)
    issue = pd.Series(issue.astype("datetime64[s]"))
    kecamatan_digits = pd.Series(people["kecamatan_code"].to_numpy()[first]).str[-2:].to_numpy().astype(object)
    stems = "3276" + kecamatan_digits + issue.dt.strftime("%d%m%y").to_numpy().astype(object)
    serial = _serials(rng, stems)
    return pd.Series((stems + serial)[household], dtype="str")


def _contact(people: pd.DataFrame, rng: np.random.Generator) -> None:
    n = len(people)
    age = people["age"].to_numpy()

    def numbers() -> np.ndarray:
        subscriber = pd.Series(rng.integers(0, 10**8, n)).astype(str).str.zfill(8)
        short = rng.random(n) < 0.6
        subscriber = np.where(short, subscriber.str.slice(0, 7), subscriber).astype(object)
        return "0" + zipf_choice(rng, vocab.MOBILE_PREFIXES, n, 0.7) + subscriber

    has_phone = (age >= 14) & (rng.random(n) < 0.92)
    phone = numbers()
    old = numbers()
    shares_head_phone = (people["position"].to_numpy() >= 1) & (rng.random(n) < 0.12)
    head = np.arange(n) - people["position"].to_numpy()
    phone = np.where(shares_head_phone, phone[head], phone)
    people["phone"] = pd.Series(np.where(has_phone, phone, None), dtype="str")  # type: ignore[call-overload]  # None fill
    people["phone_old"] = pd.Series(np.where(has_phone & (rng.random(n) < 0.35), old, None), dtype="str")  # type: ignore[call-overload]  # None fill


def _employment(people: pd.DataFrame, rng: np.random.Generator, as_of: dt.date) -> None:
    n = len(people)
    age = people["age"].to_numpy()
    male = people["sex"].to_numpy() == "L"
    u = rng.random(n)
    # About a third of Depok's employed work informally (BPS); women and the elderly less often formally.
    bands = [age < 17, age < 23, age < 56, age < 65]
    formal_p = np.select(bands, [0.0, 0.10, np.where(male, 0.54, 0.34), 0.15], 0.02)
    informal_p = np.select(bands, [0.0, 0.10, np.where(male, 0.38, 0.26), 0.35], 0.25)
    employment = np.where(u < formal_p, "formal", np.where(u < formal_p + informal_p, "informal", "not_working"))

    informal_names = list(vocab.INFORMAL_SECTORS)
    informal_w = np.array([vocab.INFORMAL_SECTORS[s][0] for s in informal_names])
    # women are rarely ojol drivers or builders; men rarely domestic workers
    informal_pick = rng.choice(len(informal_names), size=n, p=informal_w / informal_w.sum())
    redraw = rng.choice(len(informal_names), size=n, p=informal_w / informal_w.sum())
    picked = np.asarray(informal_names)[informal_pick]
    misfit = np.isin(picked, ["ojol", "tukang", "sopir"]) & ~male & (rng.random(n) < 0.85)
    misfit |= (picked == "art") & male & (rng.random(n) < 0.9)
    informal_pick = np.where(misfit, redraw, informal_pick)
    formal_names = list(vocab.FORMAL_SECTORS)
    formal_w = np.array([vocab.FORMAL_SECTORS[s][0] for s in formal_names])
    formal_pick = rng.choice(len(formal_names), size=n, p=formal_w / formal_w.sum())
    not_working = np.select(
        [age < 6, age < 23, (age >= 56) & (rng.random(n) < 0.7), ~male],
        ["anak", "pelajar", "pensiunan", "ibu_rumah_tangga"],
        "belum_bekerja",
    )
    not_working = np.where((age >= 15) & (age < 23) & (rng.random(n) < 0.25), "belum_bekerja", not_working)
    sector = np.select(
        [employment == "formal", employment == "informal"],
        [np.asarray(formal_names, dtype=object)[formal_pick], np.asarray(informal_names, dtype=object)[informal_pick]],
        not_working,
    )
    people["employment_type"] = pd.Series(employment, dtype="str")
    people["sector"] = pd.Series(sector, dtype="str")
    occupation = {
        **{k: v[1] for k, v in vocab.INFORMAL_SECTORS.items()},
        **{k: v[1] for k, v in vocab.FORMAL_SECTORS.items()},
        **vocab.NOT_WORKING_OCCUPATION,
    }
    people["occupation"] = people["sector"].map(occupation).astype("str")
    _ktp_occupation(people, rng, as_of)
    people["education"] = pd.Series(zipf_choice(rng, vocab.EDUCATION, n, 0.4), dtype="str")
    people["company"] = pd.Series(zipf_choice(rng, vocab.COMPANIES, n, 0.8), dtype="str")


def _ktp_occupation(people: pd.DataFrame, rng: np.random.Generator, as_of: dt.date) -> None:
    """The occupation printed on the KTP (Dukcapil ``JENIS_PKRJN``): the one of the day the e-KTP was recorded.

    The e-KTP is valid for life (UU 24/2013) and the occupation is only changed when its holder asks: adults were
    recorded in the 2011-2013 campaign, younger people when they turned 17. Whoever was under 23 then is still
    PELAJAR/MAHASISWA or BELUM/TIDAK BEKERJA unless they updated it; of adults then, a share has changed work
    since. ``ktp_occupation_stale`` keeps the truth.
    """
    n = len(people)
    birth_year = people["birth_date"].dt.year.to_numpy()
    recorded = np.maximum(rng.integers(2011, 2014, n), birth_year + 17 + rng.integers(0, 3, n))
    recorded = np.minimum(recorded, as_of.year)
    age_then = recorded - birth_year
    years_since = as_of.year - recorded
    occupation = people["occupation"].to_numpy().astype(object)
    adult_now = people["age"].to_numpy() >= 17
    u = rng.random(n)
    was_young = adult_now & (age_then < 23)
    young_label = np.where(rng.random(n) < 0.65, "PELAJAR/MAHASISWA", "BELUM/TIDAK BEKERJA")
    # Work changed since the recording for about 3 % of adults a year; 40 % of them had the KTP updated.
    changed = adult_now & ~was_young & (u < np.minimum(0.03 * years_since, 0.6))
    earlier = zipf_choice(rng, STALE_KTP_OCCUPATIONS, n, 0.6)
    stale_young = was_young & (rng.random(n) >= KTP_UPDATE_SHARE)
    stale_changed = changed & (earlier != occupation) & (rng.random(n) >= KTP_UPDATE_SHARE)
    ktp = np.where(stale_young, young_label, np.where(stale_changed, earlier, occupation))
    stale = ktp != occupation
    people["ktp_occupation"] = pd.Series(ktp, dtype="str")
    people["ktp_occupation_stale"] = stale


def _tk_records(people: pd.DataFrame, rng: np.random.Generator, as_of: dt.date, rates: MembershipRates) -> pd.DataFrame:
    """BPJS Ketenagakerjaan participations (a person may have several KPJ), and the ``tk_covered`` truth.

    Covered on the as-of date = status AKTIF and last paid month at most 3 months before the as-of month.
    """
    n = len(people)
    sector = people["sector"].to_numpy()
    employment = people["employment_type"].to_numpy()
    u = rng.random(n)
    private_formal = (employment == "formal") & (sector != "pns")
    parts = []

    def add(mask: np.ndarray, segment: str, status: str, arrears_low: int, arrears_high: int) -> None:
        idx = np.flatnonzero(mask)
        parts.append(
            pd.DataFrame(
                {
                    "person_index": idx,
                    "segment": segment,
                    "status": status,
                    "arrears": rng.integers(arrears_low, arrears_high + 1, len(idx)),
                }
            )
        )

    pu_active = (private_formal & (u < rates.formal_pu_active)) | ((sector == "pns") & (u < rates.pns_tk))
    add(pu_active, "PU", "AKTIF", 0, 1)
    add(
        private_formal & (u >= rates.formal_pu_active) & (u < rates.formal_pu_active + rates.formal_pu_inactive),
        "PU",
        "NONAKTIF",
        4,
        36,
    )
    informal = employment == "informal"
    v = rng.random(n)
    bpu = informal & (u < rates.informal_bpu_ever)
    lapsed_cut = rates.bpu_lapsed_share
    nonaktif_cut = lapsed_cut + rates.bpu_nonaktif_share
    add(bpu & (v >= nonaktif_cut), "BPU", "AKTIF", 0, 3)
    add(bpu & (v < lapsed_cut), "BPU", "AKTIF", 4, 24)
    add(bpu & (v >= lapsed_cut) & (v < nonaktif_cut), "BPU", "NONAKTIF", 6, 48)
    w = rng.random(n)
    former_pu = informal & (w < rates.informal_former_pu)
    add(former_pu, "PU", "NONAKTIF", 12, 120)  # the wage job they left, often years ago
    add((sector == "pensiunan") & (w < rates.retired_former_pu), "PU", "NONAKTIF", 12, 120)
    construction = np.isin(sector, ["tukang", "buruh_harian"])
    add(construction & (w > 1 - rates.jakon_share), "JAKON", "AKTIF", 0, 2)
    returned_migrant = (employment == "not_working") & (people["age"].to_numpy() >= 20) & (w > 1 - rates.returned_pmi)
    add(returned_migrant, "PMI", "NONAKTIF", 12, 60)

    records = pd.concat(parts, ignore_index=True).sort_values("person_index", kind="stable", ignore_index=True)
    as_of_month = np.datetime64(as_of, "M")
    records["last_paid_month"] = (as_of_month - records["arrears"].to_numpy()).astype("datetime64[s]")
    tenure_months = rng.integers(1, 150, len(records))
    start = (as_of_month - records["arrears"].to_numpy() - tenure_months).astype("datetime64[D]") + rng.integers(
        0, 28, len(records)
    )
    adult_from = people["birth_date"].to_numpy()[records["person_index"].to_numpy()].astype("datetime64[D]") + 18 * 365
    last_paid_day = records["last_paid_month"].to_numpy().astype("datetime64[D]")
    records["start_date"] = np.minimum(np.maximum(start, adult_from), last_paid_day).astype("datetime64[s]")
    records["covered"] = (records["status"] == "AKTIF") & (records["arrears"] <= 3)
    covered = np.zeros(n, dtype=bool)
    covered[records.loc[records["covered"], "person_index"].to_numpy()] = True
    people["tk_covered"] = covered
    people["old_lapsed_pu"] = former_pu
    segment_rank = records.sort_values(["person_index", "covered"], ascending=[True, False], kind="stable")
    best = segment_rank.drop_duplicates("person_index")
    tk_segment = np.full(n, None, dtype=object)
    tk_segment[best["person_index"].to_numpy()] = best["segment"].to_numpy()
    people["tk_segment"] = pd.Series(tk_segment, dtype="str")
    return records.drop(columns="covered")


def _jkn(people: pd.DataFrame, rng: np.random.Generator) -> None:
    """BPJS Kesehatan segment consistent with work: wage earners PPU (with their dependants), the rest PBI/PBPU/BP."""
    n = len(people)
    employment = people["employment_type"].to_numpy()
    u = rng.random(n)
    worker_segment = np.select(
        [employment == "formal", (employment == "informal") & (u < 0.42), (employment == "informal") & (u < 0.80)],
        ["PPU", "PBPU", "PBI APBN"],
        np.where(employment == "informal", "PBI APBD", ""),
    )
    worker_segment = np.where((employment == "formal") & (u > 0.93), "PBPU", worker_segment)
    head = np.arange(n) - people["position"].to_numpy()
    position = people["position"].to_numpy()
    # A family registers on one card (Perpres 82/2018): whoever is not working is the head's dependant and shares
    # the head's segment (PPU, PBPU, PBI); informal workers of a PBPU family are on the family's PBPU card too.
    own_draw = np.select([u < 0.45, u < 0.65, u < 0.92], ["PBI APBN", "PBI APBD", "PBPU"], "BP")
    head_segment = np.where(worker_segment[head] != "", worker_segment[head], own_draw[head])
    dependant_segment = np.where((position > 0) & (head_segment != "BP"), head_segment, own_draw)
    dependant_segment = np.where(
        people["sector"].to_numpy() == "pensiunan", np.where(u < 0.6, "BP", dependant_segment), dependant_segment
    )
    segment = np.where(employment == "not_working", dependant_segment, worker_segment)
    family_pbpu = (position > 0) & (employment == "informal") & (head_segment == "PBPU")
    segment = np.where(family_pbpu, "PBPU", segment)
    # The relation printed on the card (BPJS Kesehatan "hubungan keluarga", PISA): whoever holds a registration of
    # their own (a wage earner's PPU, a PBI of their own) is PESERTA; those on the head's card are ISTRI/SUAMI/ANAK.
    on_head_card = (position > 0) & (segment == head_segment)
    people["jkn_relation"] = pd.Series(
        np.select(
            [~on_head_card, (position == 1) & (people["sex"].to_numpy() == "P"), position == 1],
            ["PESERTA", "ISTRI", "SUAMI"],
            "ANAK",
        ),
        dtype="str",
    )
    people["jkn_dependant"] = (position > 0) & (segment == head_segment) & (employment != "formal")
    inactive_p = np.where(segment == "PBPU", 0.30, 0.07)
    people["jkn_segment"] = pd.Series(segment, dtype="str")
    people["jkn_status"] = pd.Series(np.where(rng.random(n) < inactive_p, "NONAKTIF", "AKTIF"), dtype="str")
