"""Every level of every comparison, on pairs of hand-built records."""

from __future__ import annotations

import numpy as np

from matching.comparisons import (
    NULL_LEVEL,
    BirthDateComparison,
    ExactComparison,
    LocationComparison,
    NameComparison,
    NikComparison,
    PhoneComparison,
)
from matching.features import compute_features
from tests.matching.helpers import person_records

NIK = "3276015505900012"  # woman born 15-05-1990, serial 0012


def computed_levels(comparison, cases: list[tuple[dict, dict, str | None]]) -> list[str | None]:
    """Level of each (left, right) case, all cases in one feature frame (pairs 2k, 2k+1)."""
    features = compute_features(person_records([row for left, right, _ in cases for row in (left, right)]))
    codes = comparison.compute(features, np.arange(0, 2 * len(cases), 2), np.arange(1, 2 * len(cases), 2))
    return [None if code == NULL_LEVEL else comparison.levels[code] for code in codes]


def assert_levels(comparison, cases):
    got = computed_levels(comparison, cases)
    wrong = [(left, right, want, have) for (left, right, want), have in zip(cases, got, strict=True) if want != have]
    assert not wrong, wrong


WOMAN = {"birth_date": "1990-05-15", "sex": "P"}


NIK_LEVELS_CASES = [
    ({"nik": NIK, **WOMAN}, {"nik": NIK, **WOMAN}, "exact"),
    ({"nik": NIK, **WOMAN}, {"nik": NIK}, "exact_suspect"),  # no stated birth date to confirm it
    ({"nik": NIK, "birth_date": "1985-01-01"}, {"nik": NIK, "birth_date": "1985-01-01"}, "exact_suspect"),
    ({"nik": NIK, **WOMAN}, {"nik": "3276011505900012", **WOMAN}, "sex_offset"),
    ({"nik": NIK, **WOMAN}, {"nik": "3276015505900021", **WOMAN}, "transposition"),
    ({"nik": NIK, **WOMAN}, {"nik": "3276015505900013", **WOMAN}, "one_digit"),
    ({"nik": NIK, **WOMAN}, {"nik": "3276015505900099", **WOMAN}, "else"),
    ({"nik": NIK, **WOMAN}, {"name": "SITI"}, None),
]


def test_nik_levels():
    assert_levels(NikComparison(), NIK_LEVELS_CASES)


def test_nik_near_levels_check_the_digits():
    """Differences of k·10^p or 9·k·10^p also arise from edits that are neither one digit nor a swap."""
    assert_levels(
        NikComparison(),
        [
            ({"nik": "3276015505900035"}, {"nik": "3276015505900026"}, "else"),  # 35 → 26: difference 9
            ({"nik": "3276015505900019"}, {"nik": "3276015505900020"}, "else"),  # 19 → 20: difference 1
        ],
    )


NAME_LEVELS_CASES = [
    ({"name": "SITI AMINAH"}, {"name": "SITI AMINAH"}, "exact"),
    ({"name": "MOCH RIZKI"}, {"name": "MUHAMMAD RIZKI"}, "exact"),  # same match key
    ({"name": "AMINAH SITI"}, {"name": "SITI AMINAH"}, "token_sorted"),
    ({"name": "AHMAD FAUZI BIN HASAN"}, {"name": "AHMAD FAUZI"}, "given_name"),
    ({"name": "SITI AMINAH"}, {"name": "SITI AMINHA"}, "jaro_winkler_high"),
    ({"name": "HAMZAH A"}, {"name": "HAMZAH ARIFIN"}, "initials"),
    ({"name": "BUDI SANTOSO"}, {"name": "BUDY SANTOSA"}, "skeleton"),
    ({"name": "ASEP"}, {"name": "ASEP HERDIANA"}, "token_subset"),
    ({"name": "UCOK", "alias": "UCOK"}, {"name": "RIZAL UCOK PRATAMA"}, "alias"),  # the second name word
    ({"name": "UDIN", "alias": "UDIN"}, {"name": "UDIN SAEPUDIN"}, "alias"),
    ({"name": "RIZKI", "alias": "RIZKI"}, {"name": "MUHAMMAD RIZKI PRATAMA"}, "alias"),  # the call name
    ({"name": "DIDI", "alias": "DIDI"}, {"name": "MUHAMMAD BUDI SANTOSO"}, "alias"),  # its last syllable twice
    ({"name": "BANG UDIN", "alias": "BANG UDIN"}, {"name": "SAEPUDINAH"}, "alias_partial"),  # inside, not the end
    ({"name": "BANG UDIN", "alias": "BANG UDIN"}, {"name": "SAEPUDIN"}, "alias"),  # the name word's last syllables
    # A call name made of the last syllables of a name word, or their reduplication (issue 11).
    ({"name": "YADI"}, {"name": "SUPRIYADI"}, "alias"),
    ({"name": "ARTO", "alias": "ARTO"}, {"name": "SUGIARTO WIBOWO"}, "alias"),
    ({"name": "LILI", "alias": "LILI"}, {"name": "ALI MUHTAR"}, "alias"),
    ({"name": "NINI"}, {"name": "RINI ASTUTI"}, "alias"),
    ({"name": "WAWAN", "alias": "WAWAN"}, {"name": "HERMAWAN"}, "alias"),
    ({"name": "WAWAN", "alias": "WAWAN"}, {"name": "HERMANTO"}, None),  # no such ending: neutral
    # A one-word name beside another nickname is a call name too (RARA, panggilan UCOK).
    ({"name": "RARA", "alias": "UCOK"}, {"name": "HENDRA SUGIHARTO"}, "alias"),  # HENDRA's last two doubled
    ({"name": "NAJ", "alias": "EMAK"}, {"name": "NAJWA AISYAH"}, "alias"),  # begins the call name NAJWA
    ({"name": "RARA", "alias": "UCOK"}, {"name": "JOKO WIDODO"}, "else"),  # neither fits: the names differ
    ({"name": "SITI AMINAH"}, {"name": "JOKO WIDODO"}, "else"),
    ({"name": "KOMENG", "alias": "KOMENG"}, {"name": "JOKO WIDODO"}, None),  # nickname mismatch: neutral
    # A name column holding a call name, with no nickname column: a form of address, or a generic call name.
    ({"name": "KANG ASEP"}, {"name": "ASEP SUHENDAR"}, "alias"),
    ({"name": "Mas Syahrul"}, {"name": "SYAHRUL RIZKI"}, "alias"),
    ({"name": "TEH NENG"}, {"name": "TRI SUMARNI"}, None),
    ({"name": "UJANG"}, {"name": "BAYU SURYADI SANTOSO"}, None),
    ({"name": "UDIN"}, {"name": "SAEPUDIN"}, "alias"),
    ({"name": "MAS AGUNG WIBOWO"}, {"name": "MAS AGUNG WIBOWO"}, "exact"),  # a registered name led by MAS
    ({"name": "SITI AMINAH"}, {}, None),
]


def test_name_levels():
    assert_levels(NameComparison(), NAME_LEVELS_CASES)


BIRTH_DATE_LEVELS_CASES = [
    ({"birth_date": "1990-05-15"}, {"birth_date": "1990-05-15"}, "exact"),
    ({"birth_date": "1990-05-15"}, {"nik": NIK}, "nik_implied"),
    ({"birth_date": "1990-05-07"}, {"birth_date": "1990-07-05"}, "day_month_swap"),
    ({"birth_date": "1990-05-15"}, {"birth_date": "1991-05-15"}, "year_one_digit"),
    ({"birth_date": "1990-05-15"}, {"birth_date": "1980-05-15"}, "year_one_digit"),
    ({"birth_date": "1990-05-15"}, {"birth_date": "1990-05-16"}, "one_part_differs"),
    ({"birth_date": "1990-05-15"}, {"birth_date": "1962-11-02"}, "else"),
    ({"birth_date": "1990-05-15"}, {}, None),
    ({"nik": NIK}, {"nik": NIK}, None),  # one NIK on both sides: its date is the NIK comparison's evidence
    ({"nik": NIK, "birth_date": "1990-05-15"}, {"nik": NIK, "birth_date": "1990-05-16"}, "one_part_differs"),
]


def test_birth_date_levels():
    assert_levels(BirthDateComparison(), BIRTH_DATE_LEVELS_CASES)


SEX_LEVELS_CASES = [
    ({"sex": "P"}, {"sex": "P"}, "exact"),
    ({"sex": "P"}, {"nik": NIK}, "exact"),  # sex implied by the NIK (day + 40)
    ({"sex": "L"}, {"sex": "P"}, "else"),
    ({"sex": "L"}, {}, None),
    # A community list states no sex; a nickname's form of address or a generic call name implies it.
    ({"name": "TEH NENG"}, {"sex": "L"}, "else"),
    ({"name": "BUDI SANTOSO", "alias": "Mas Budi"}, {"sex": "L"}, "exact"),
    ({"name": "UJANG", "alias": "UJANG"}, {"sex": "P"}, "else"),
    ({"name": "NENG"}, {"nik": NIK}, "exact"),
    ({"name": "BUDI SANTOSO", "alias": "BUDI"}, {"sex": "L"}, None),  # a plain nickname implies nothing
    ({"name": "KAK RINA"}, {"sex": "P"}, None),  # KAK is said to either sex
]


def test_sex_levels():
    assert_levels(ExactComparison(name="sex", column="sex"), SEX_LEVELS_CASES)


PHONE_LEVELS_CASES = [
    ({"phone": "6281234567890"}, {"phone": "6281234567890"}, "exact"),
    ({"phone": "6281234567890"}, {"phone": "6285534567890"}, "last_8_digits"),
    ({"phone": "6281234567890"}, {"phone": "6281299999999"}, "else"),
    ({"phone": "6281234567890"}, {}, None),
]


def test_phone_levels():
    assert_levels(PhoneComparison(), PHONE_LEVELS_CASES)


KEL_A, KEL_B, KEL_OTHER_KEC = "32.76.01.1006", "32.76.01.1007", "32.76.02.1001"
HOME = {"kelurahan_code": KEL_A, "kecamatan_code": "32.76.01", "rt": "2", "rw": "5", "address": "JL KENANGA NO 41"}


LOCATION_LEVELS_CASES = [
    (HOME, {**HOME, "address": "JL KENANGA 41"}, "address"),
    (HOME, {**HOME, "address": "JL MAWAR NO 3"}, "kelurahan_rt"),
    (HOME, {**HOME, "address": "JL MAWAR NO 3", "rt": "3"}, "kelurahan"),
    (HOME, {**HOME, "address": "JL MAWAR NO 3", "kelurahan_code": KEL_B}, "kecamatan"),
    (HOME, {**HOME, "address": "JL MAWAR NO 3", "kelurahan_code": KEL_OTHER_KEC, "kecamatan_code": "32.76.02"}, "else"),
    (HOME, {"kelurahan_code": KEL_OTHER_KEC, "kecamatan_code": "32.76.02"}, "domicile_differs"),
    (HOME, {}, None),
]


def test_location_levels():
    assert_levels(LocationComparison(), LOCATION_LEVELS_CASES)
