"""Call names from the end of a name word (issue 11): ``call_name_fits``."""

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.normalize.names import call_name_fits

WORD = st.text(alphabet="ABDEGHIJKLMNOPRSTUWY", min_size=2, max_size=12)
NAME = st.lists(WORD, min_size=1, max_size=4).map(" ".join)


def fits(call: str, full: str, min_suffix: int = 4) -> bool:
    return bool(call_name_fits(pd.Series([call]), pd.Series([full]), min_suffix).iloc[0])


def test_examples_from_indonesian_call_names():
    assert fits("YADI", "SUPRIYADI")
    assert fits("ARTO", "SUGIARTO WIBOWO")
    assert fits("LILI", "ALI MUHTAR")  # last two letters doubled
    assert fits("NINI", "RINI ASTUTI")
    assert fits("WAWAN", "HERMAWAN")  # partial reduplication of the last three letters
    assert fits("ADI", "SUPRIYADI", min_suffix=3)
    assert not fits("ADI", "SUPRIYADI")  # shorter than the declared minimum
    assert not fits("SUPRI", "SUPRIYADI")  # a beginning is not an ending
    assert not fits("YADI", "YADIN")
    assert not fits("", "SUPRIYADI")


def test_rows_keep_their_order_and_index_with_repeats_and_missing_values():
    calls = pd.Series(["YADI", None, "YADI", "JOKO", "YADI"], index=[5, 3, 9, 1, 0])
    names = pd.Series(["SUPRIYADI", "SUPRIYADI", "JOKO", "JOKO", pd.NA])
    got = call_name_fits(calls, names)
    assert got.index.tolist() == [5, 3, 9, 1, 0]
    assert got.tolist() == [True, False, False, True, False]


@settings(max_examples=80, deadline=None)
@given(name=NAME, pick=st.integers(min_value=0), start=st.integers(min_value=0), min_suffix=st.integers(2, 6))
def test_every_long_enough_ending_of_a_word_fits(name, pick, start, min_suffix):
    words = name.split(" ")
    word = words[pick % len(words)]
    tail = word[start % len(word) :]
    if len(tail) >= min_suffix:
        assert fits(tail, name, min_suffix)
    if len(word) >= 2:
        assert fits(word[-2:] * 2, name, min_suffix)


@settings(max_examples=120, deadline=None)
@given(call=st.one_of(WORD, NAME, st.sampled_from(["A", "I", "AA", "ADI"])), name=NAME, min_suffix=st.integers(1, 6))
def test_a_fitting_call_name_is_an_ending_or_a_reduplicated_ending(call, name, min_suffix):
    result = fits(call, name, min_suffix)
    endings = {w[i:] for w in name.split(" ") if len(w) >= 2 for i in range(len(w))}
    plain = call in endings and len(call) >= min_suffix
    doubled = len(call) == 4 and call[:2] == call[2:] and call[:2] in endings
    partial = len(call) == 5 and call[:2] == call[2:4] and call[2:] in endings
    assert result == (plain or doubled or partial)


def test_a_call_name_of_several_words_or_a_short_word_fits_only_a_word_ending():
    assert not fits("ADI SU", "SUPRIYADI SUSANTO", 2)  # no word ends with a space
    assert not fits("DI SUSANTO", "SUPRIYADI SUSANTO", 2)
    assert fits("I", "SUPRIYADI", 1)
    assert not fits("I", "I MADE", 1)  # a one-letter word has no ending of its own
    assert not fits("A", "I MADE", 1) and fits("E", "I MADE", 1)
