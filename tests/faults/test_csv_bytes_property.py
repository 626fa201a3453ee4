"""Property: whatever happens to a CSV's bytes (quotes, delimiters, line ends, foreign encodings), every
physical line is accounted for: header, blank, continuation of a multi-line field, inside a refused file, or a
row read; and the rows read are exactly the rows the validator and standardiser work on."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import data_contracts
from tests.faults.conftest import physical_lines

PASAR = "pasar/pedagang_pasar.csv"
KESEHATAN = "bpjs_kesehatan/peserta_jkn_depok.csv"
INSERTS = [
    b'"',
    b'""',
    b",",
    b";",
    b"\n",
    b"\r",
    b"\r\n",
    b"\n\n",
    b'",',
    b',"',
    b"\xe9",
    b"\xc3\xa9",
    b"\xff\xfe",
    b"\x00",
    b" ",
    b"\t",
]


@st.composite
def mutations(draw, size: int):
    edits = draw(
        st.lists(st.tuples(st.integers(0, size), st.sampled_from(INSERTS), st.booleans()), min_size=1, max_size=6)
    )
    encoding = draw(st.sampled_from([None, None, None, "cp1252", "utf-16"]))
    return edits, encoding


def mutate(data: bytes, edits, encoding) -> bytes:
    for position, insert, replace in sorted(edits, reverse=True):
        position = min(position, len(data))
        data = data[:position] + insert + data[position + (len(insert) if replace else 0) :]
    if encoding is not None:
        data = data.decode("utf-8", errors="replace").encode(encoding, errors="replace")
    return data


@pytest.fixture(scope="module")
def originals(sample) -> dict[str, bytes]:
    return {name: (sample.inbox / name).read_bytes() for name in (PASAR, KESEHATAN)}


@pytest.mark.parametrize("relative,source", [(PASAR, "pedagang_pasar"), (KESEHATAN, "bpjs_kesehatan")])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_csv_bytes_keep_the_line_accounting(relative, source, data, originals, contracts, tmp_path_factory):
    original = originals[relative][:6000]  # the header and the first rows: enough for every kind of damage
    edits, encoding = data.draw(mutations(len(original)))
    damaged = mutate(original, edits, encoding)
    inbox = tmp_path_factory.mktemp("mutated")
    path = inbox / relative
    path.parent.mkdir(parents=True)
    path.write_bytes(damaged)
    raw = data_contracts.read_source(contracts[source], inbox)
    totals = raw.line_totals()
    assert totals["lines_physical"] == physical_lines(path)
    assert totals["lines_physical"] == (
        totals["lines_header"]
        + totals["lines_blank"]
        + totals["lines_continuation"]
        + totals["lines_file_error"]
        + totals["rows_read"]
    )
    assert totals["rows_read"] == len(raw.frame)
    if raw.file_problems:
        assert len(raw.frame) == 0 and totals["lines_file_error"] == totals["lines_physical"]
    else:
        assert raw.frame["_source_row"].is_unique  # no line read twice
        assert raw.frame["_source_row"].between(1, totals["lines_physical"]).all()
