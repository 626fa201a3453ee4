import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.normalize import clean_address, normalize_rt, parse_rt_rw


@pytest.mark.parametrize(
    ("raw", "rt", "rw"),
    [
        ("RT 002/RW 005", "2", "5"),
        ("RT. 02 RW. 19", "2", "19"),
        ("Rt.001/Rw.002", "1", "2"),
        ("002/005", "2", "5"),
        ("2/5", "2", "5"),
        ("RT02RW05", "2", "5"),
        ("rt 3 rw 4", "3", "4"),
        ("RT: 010 / RW: 011", "10", "11"),
        ("RT/RW 002/005", "2", "5"),
        ("RT.002/005", "2", "5"),
        ("02-05", "2", "5"),
        ("RT 7", "7", None),
        ("RW 9", None, "9"),
        ("000/000", None, None),
        ("", None, None),
        (None, None, None),
        ("tidak tahu", None, None),
    ],
)
def test_parse_rt_rw(raw, rt, rw):
    out = parse_rt_rw(pd.Series([raw], dtype=object)).iloc[0]
    assert (None if pd.isna(out["rt"]) else out["rt"]) == rt
    assert (None if pd.isna(out["rw"]) else out["rw"]) == rw


def test_parse_rt_rw_shape():
    out = parse_rt_rw(pd.Series(["002/005", None], index=[4, 9]))
    assert list(out.columns) == ["rt", "rw"] and list(out.index) == [4, 9]
    assert (out.dtypes == "str").all()


@settings(max_examples=20, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(1, 999),
            st.integers(1, 999),
            st.sampled_from(
                [
                    "RT {:03d}/RW {:03d}",
                    "RT. {:02d} RW. {:02d}",
                    "Rt.{:03d}/Rw.{:03d}",
                    "{:03d}/{:03d}",
                    "{}/{}",
                    "RT{:02d}RW{:02d}",
                ]
            ),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_generated_rt_rw_round_trip(cases):
    out = parse_rt_rw(pd.Series([template.format(rt, rw) for rt, rw, template in cases]))
    assert out["rt"].tolist() == [str(rt) for rt, _, _ in cases]
    assert out["rw"].tolist() == [str(rw) for _, rw, _ in cases]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (2, "2"),
        ("002", "2"),
        ("2.0", "2"),
        (2.0, "2"),
        ("RT 04", "4"),
        ("RW.12", "12"),
        (" 15 ", "15"),
        ("0", None),
        (0, None),
        ("000", None),
        ("abc", None),
        ("1234", None),
        (None, None),
        ("2/5", None),
    ],
)
def test_normalize_rt(raw, expected):
    out = normalize_rt(pd.Series([raw], dtype=object)).iloc[0]
    assert (None if pd.isna(out) else out) == expected


@pytest.mark.parametrize(
    ("raw", "address", "rt", "rw"),
    [
        ("Jl. Margonda Raya No. 5 RT 002/RW 005", "JL MARGONDA RAYA NO 5", "2", "5"),
        ("JALAN MAWAR GG. MELATI NO.12, RT.01 RW.03", "JL MAWAR GG MELATI NO 12", "1", "3"),
        ("Jln Mawar Gang Melati Nomor 12", "JL MAWAR GG MELATI NO 12", None, None),
        ("Kampung Sawah rt 3 rw 4", "KP SAWAH", "3", "4"),
        ("Kp. Sawah", "KP SAWAH", None, None),
        ("Jl. Mawar No. 5 RT/RW 002/005", "JL MAWAR NO 5", "2", "5"),
        ("Gg. H. Asan RT.04/07", "GG H ASAN", "4", "7"),
        ("Perumahan Griya Depok Blk C11 No 9", "PERUM GRIYA DEPOK BLOK C11 NO 9", None, None),
        ("Perum Griya Depok Blok C11 No. 9", "PERUM GRIYA DEPOK BLOK C11 NO 9", None, None),
        ("Jl. H. Asmawi Nomer 3-A", "JL H ASMAWI NO 3-A", None, None),
        ("Jl. Nusantara Raya Kel. Depok Jaya Kec. Pancoran Mas Kota Depok", "JL NUSANTARA RAYA", None, None),
        ("Jl Raya Sawangan Kota Depok", "JL RAYA SAWANGAN", None, None),
        ("  jl.   kenanga   ", "JL KENANGA", None, None),
        (None, None, None, None),
    ],
)
def test_clean_address(raw, address, rt, rw):
    out = clean_address(pd.Series([raw], dtype=object)).iloc[0]
    assert [None if pd.isna(v) else v for v in out] == [address, rt, rw]


def test_clean_address_abbreviation_inside_a_word_is_untouched():
    out = clean_address(pd.Series(["JL NOVA GANGGA KAMPUNGAN"]))
    assert out["address"][0] == "JL NOVA GANGGA KAMPUNGAN"


@settings(max_examples=20, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=40), st.integers()), max_size=20))
def test_address_functions_never_raise(values):
    series = pd.Series(values, dtype=object)
    assert list(clean_address(series).columns) == ["address", "rt", "rw"]
    assert len(parse_rt_rw(series)) == len(normalize_rt(series)) == len(values)
