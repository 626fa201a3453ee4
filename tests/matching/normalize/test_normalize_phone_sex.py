import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.normalize import normalize_phone, normalize_sex


def phone(value):
    return normalize_phone(pd.Series([value], dtype=object)).iloc[0]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("081234567890", "6281234567890"),
        ("6281234567890", "6281234567890"),
        ("+62 812 3456 7890", "6281234567890"),
        ("+62-812-3456-7890", "6281234567890"),
        ("62-812-3456-7890", "6281234567890"),
        ("0062 812 3456 7890", "6281234567890"),
        ("62 0812 3456 7890", "6281234567890"),
        ("81234567890", "6281234567890"),
        (81234567890, "6281234567890"),
        (81234567890.0, "6281234567890"),
        ("0812.3456.7890", "6281234567890"),
        ("(0812) 3456-7890", "6281234567890"),
        ("0812-3456-7890 / 0857-1111-2222", "6281234567890"),
        ("0812 3456 7890, 0857 1111 2222", "6281234567890"),
        ("0812 3456 7890 atau 0857 1111 2222", "6281234567890"),
        ("WA: 0812 3456 7890", "6281234567890"),
        ("0812345678", "62812345678"),  # 10 digits with the 0
        ("0812345678901", "62812345678901"),  # 13 digits with the 0
        ("(021) 7720 1234", "622177201234"),
        ("021-7720123", "62217720123"),
        ("0251 8312345", "622518312345"),
        ("8.1234567890E+10", "6281234567890"),  # every digit shown: exact
    ],
)
def test_normalize_phone(raw, expected):
    assert phone(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "-",
        "0",
        "021",
        "081234567",  # 9 digits with the 0: too short
        "08123456789012",  # 14 digits with the 0: too long
        "8.12345678E+10",  # float-rounded: last digits lost
        "8.12346E+10",
        "21 7720 1234",  # landline without its trunk 0 cannot be told from noise
        "0912345678",
        "tidak ada",
    ],
)
def test_implausible_or_lossy_numbers_are_na(raw):
    assert pd.isna(phone(raw))


@st.composite
def mobile_renderings(draw):
    national = "8" + draw(st.text("0123456789", min_size=8, max_size=11))
    separator = draw(st.sampled_from(["", " ", "-", "."]))
    groups = separator.join(national[i : i + 4] for i in range(0, len(national), 4))
    rendering = draw(st.sampled_from(["0{}", "62{}", "+62 {}", "62-{}", "+62{}", "{}", "0062{}", "({})"]))
    if rendering == "({})":
        return national, f"(0{national[:3]}) {national[3:]}"
    return national, rendering.format(groups)


@settings(max_examples=20, deadline=None)
@given(st.lists(mobile_renderings(), min_size=1, max_size=30))
def test_every_rendering_of_a_mobile_number_agrees(cases):
    out = normalize_phone(pd.Series([rendered for _, rendered in cases]))
    assert out.tolist() == ["62" + national for national, _ in cases]


@settings(max_examples=20, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=25), st.text("0123456789+ -", max_size=16)), max_size=30))
def test_normalize_phone_is_idempotent_and_never_raises(values):
    once = normalize_phone(pd.Series(values, dtype=object))
    assert once.fillna("<NA>").tolist() == normalize_phone(once).fillna("<NA>").tolist()
    assert once.dropna().str.fullmatch("62[0-9]{8,12}").all()


# ------------------------------------------------------------------ sex


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("L", "L"),
        ("l", "L"),
        ("LK", "L"),
        ("Laki-laki", "L"),
        ("LAKI LAKI", "L"),
        ("laki-laki ", "L"),
        ("Pria", "L"),
        ("M", "L"),
        ("Male", "L"),
        ("1", "L"),
        (1, "L"),
        (1.0, "L"),
        ("P", "P"),
        ("p", "P"),
        ("PR", "P"),
        ("Perempuan", "P"),
        ("WANITA", "P"),
        ("F", "P"),
        ("female", "P"),
        ("2", "P"),
        (2, "P"),
    ],
)
def test_normalize_sex(raw, expected):
    assert normalize_sex(pd.Series([raw], dtype=object)).iloc[0] == expected


@pytest.mark.parametrize("raw", [None, "", "X", "3", "0", "LP", "unknown"])
def test_unknown_sex_is_na(raw):
    assert pd.isna(normalize_sex(pd.Series([raw], dtype=object)).iloc[0])


def test_normalize_sex_keeps_index():
    out = normalize_sex(pd.Series(["L", "P"], index=[7, 3]))
    assert out.to_dict() == {7: "L", 3: "P"} and out.dtype == "str"
