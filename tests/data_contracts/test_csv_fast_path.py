"""The fast CSV path (Arrow's parser) gives exactly what the careful path (Python's ``csv``) gives, or steps aside.

Differential: the same bytes read with the fast path allowed and with it disabled must give the same frame
(values, NA, dtypes, lineage), header, file problems, row problems and line accounting, whatever is done to the
bytes (quotes, delimiters, line ends, blank lines, whitespace rows, ragged lines, title rows above the header).
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data_contracts import reader
from data_contracts.contract import ReadSettings

BASE = (
    "nik,nama,alamat,telepon\n"
    '3276010101900001,SITI AMINAH,"JL. KENANGA NO. 4, RT 01",081234567890\n'
    "3276010101900002,BUDI,JL MAWAR 7,\n"
    ',"RINI ""NENG"" W",,0812\n'
    "3276010101900004,NA,null,-\n"
)
INSERTS = ['"', '""', ",", ";", "\n", "\r", "\r\n", "\n\n", '",', ',"', " ", "\t", "\u00a0", ",,,", "\x1c", "é"]


def _read(data: bytes, settings: ReadSettings, *, fast: bool, monkeypatch) -> reader._FileRead:
    with monkeypatch.context() as patch:
        if not fast:
            patch.setattr(reader, "_read_csv_fast", lambda *args: None)
        return reader._read_csv("x.csv", data, settings)


def _same(data: bytes, settings: ReadSettings, monkeypatch) -> bool:
    """Assert both paths agree; return whether the fast path was taken."""
    taken = []
    real = reader._read_csv_fast

    def spy(*args):
        result = real(*args)
        taken.append(result is not None)
        return result

    with monkeypatch.context() as patch:
        patch.setattr(reader, "_read_csv_fast", spy)
        fast = reader._read_csv("x.csv", data, settings)
    careful = _read(data, settings, fast=False, monkeypatch=monkeypatch)
    assert fast.problems == careful.problems
    assert fast.header == careful.header
    assert fast.row_problems == careful.row_problems
    assert fast.lines == careful.lines
    if careful.problems:
        assert fast.frame.empty
    else:
        pd.testing.assert_frame_equal(fast.frame, careful.frame, check_exact=True)
    return bool(taken and taken[0])


def test_usual_file_takes_the_fast_path_and_matches(monkeypatch):
    data = (BASE + "\n  \t ,  ,,\n" + "3276010101900005,EKO,JL X,0813").replace("\n", "\r\n").encode()
    assert _same(data, ReadSettings(format="csv"), monkeypatch)
    fast = _read(data, ReadSettings(format="csv"), fast=True, monkeypatch=monkeypatch)
    assert fast.frame["nama"].tolist()[:4] == ["SITI AMINAH", "BUDI", 'RINI "NENG" W', "NA"]
    assert fast.frame["nik"].isna().tolist() == [False, False, True, False, False]
    assert fast.frame[reader.SOURCE_ROW].tolist() == [2, 3, 4, 5, 8]
    assert (fast.lines.lines_blank, fast.lines.lines_physical) == (2, 8)


@pytest.mark.parametrize(
    "text",
    [
        BASE + '3276,"JL A\nRT 2",x,y\n',  # a legitimate multi-line field
        BASE + '3276,"stray,quote\n1,2,3,4\n',  # a stray quote swallowing lines
        BASE + "3276,ONLY THREE,x\n",  # ragged
        BASE + "3276,a,b,c,d\n",  # a field too many
        BASE + "   \n",  # a whitespace line (one field)
        "nik,nama\n",  # header only
        "nik;nama;alamat;telepon\n1;2;3;4\n",  # wrong delimiter
        "",
    ],
)
def test_unusual_files_match_the_careful_path(monkeypatch, text):
    _same(text.encode(), ReadSettings(format="csv"), monkeypatch)


def test_title_rows_above_a_fixed_header_row(monkeypatch):
    text = "DAFTAR PEDAGANG\nKecamatan Beji,,\n" + BASE
    assert _same(text.encode(), replace(ReadSettings(format="csv"), header_row=3), monkeypatch)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    edits=st.lists(
        st.tuples(st.integers(0, len(BASE)), st.sampled_from(INSERTS), st.booleans()), min_size=0, max_size=5
    ),
    line_end=st.sampled_from(["\n", "\r\n", "\r"]),
    delimiter=st.sampled_from([",", "auto"]),
)
def test_any_bytes_read_the_same_on_both_paths(monkeypatch, edits, line_end, delimiter):
    text = BASE.replace("\n", line_end)
    for position, insert, overwrite in sorted(edits, reverse=True):
        position = min(position, len(text))
        text = text[:position] + insert + text[position + (len(insert) if overwrite else 0) :]
    _same(text.encode(), replace(ReadSettings(format="csv"), delimiter=delimiter), monkeypatch)
