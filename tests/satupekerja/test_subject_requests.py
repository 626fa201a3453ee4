"""Subject requests: the register holds pseudonyms only, erasure removes the person, correction changes the field."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from satupekerja.privacy.pseudonyms import DEMO_KEY, hmac_pseudonym, load_pseudonymisation_key
from satupekerja.privacy.subject_requests import (
    COLUMNS,
    SubjectRequestError,
    append_request,
    apply_requests,
    empty_requests,
    load_requests,
    main,
    make_request_row,
)

SITI, BUDI = "3276015708900001", "3276011203850002"
RECEIVED = date(2026, 11, 1)


@pytest.fixture
def people(make_records):
    """Siti: Dukcapil and BPJS TK records with her NIK, a community row without (linked to her). Budi: two records."""
    return make_records(
        ("W1", {"source": "dukcapil", "nik": SITI, "name": "SITI AMINAH", "phone": "6281234567890"}),
        ("W1", {"source": "bpjs_ketenagakerjaan", "nik": SITI, "name": "SITI AMINAH", "tk_kpj": "12345678901"}),
        ("W1", {"source": "komunitas", "name": "SITI AMINAH", "phone": "6281234567890"}),
        ("W2", {"source": "dukcapil", "nik": BUDI, "name": "BUDI SANTOSO", "phone": "6285711112222"}),
        ("W2", {"source": "umkm", "nik": BUDI, "name": "BUDI SANTOSO", "business_name": "WARUNG BUDI"}),
    )


def register(tmp_path: Path, *rows: dict) -> Path:
    path = tmp_path / "subject_requests.csv"
    for row in rows:
        append_request(path, row)
    return path


def erasure(nik: str, request_id: str = "DSR-1") -> dict:
    return make_request_row(nik, "erasure", key=DEMO_KEY, request_id=request_id, received_date=RECEIVED)


def correction(nik: str, field: str, value: str, request_id: str, received: date = RECEIVED) -> dict:
    return make_request_row(
        nik, "correction", key=DEMO_KEY, request_id=request_id, received_date=received, field=field, new_value=value
    )


def test_the_register_holds_the_nik_pseudonym_never_the_nik(tmp_path):
    path = register(tmp_path, erasure("3276-0157-0890-0001"))
    text = path.read_text()
    assert text.splitlines()[0] == ",".join(COLUMNS)
    assert SITI not in text
    assert hmac_pseudonym(pd.Series([SITI], dtype="str"), DEMO_KEY)[0] in text


def test_erasure_removes_every_record_of_the_person_including_linked_ones(tmp_path, people):
    records, links = people
    requests = load_requests(register(tmp_path, erasure(SITI)))
    kept, applied = apply_requests(records, requests, DEMO_KEY, worker_links=links)
    assert kept["name"].tolist() == ["BUDI SANTOSO", "BUDI SANTOSO"]
    assert applied.records_removed == 3
    row = applied.per_request.iloc[0]
    assert (row["records_matched"], row["records_linked"], row["records_removed"]) == (2, 1, 3)


def test_without_links_erasure_reaches_the_records_with_the_nik_only(tmp_path, people):
    records, _ = people
    kept, applied = apply_requests(records, load_requests(register(tmp_path, erasure(SITI))), DEMO_KEY)
    assert kept["source"].tolist() == ["komunitas", "dukcapil", "umkm"]
    assert applied.records_removed == 2


def test_correction_changes_the_field_on_every_record_of_the_person(tmp_path, people):
    records, links = people
    path = register(
        tmp_path,
        correction(BUDI, "phone", "0812-9999-8888", "DSR-2"),
        correction(BUDI, "birth_date", "17 Agustus 1985", "DSR-3"),
    )
    corrected, applied = apply_requests(records, load_requests(path), DEMO_KEY, worker_links=links)
    budi = corrected[corrected["nik"] == BUDI]
    assert budi["phone"].tolist() == ["6281299998888", "6281299998888"]
    assert budi["birth_date"].tolist() == [pd.Timestamp("1985-08-17")] * 2
    siti = records["nik"] == SITI
    pd.testing.assert_frame_equal(corrected[siti], records[siti])
    assert applied.records_corrected == 4 and applied.records_removed == 0
    assert corrected.dtypes.equals(records.dtypes)


def test_the_later_correction_wins_and_an_empty_value_clears_the_field(tmp_path, people):
    records, links = people
    path = register(
        tmp_path,
        correction(BUDI, "phone", "", "DSR-5", date(2026, 11, 5)),
        correction(BUDI, "phone", "081299998888", "DSR-4", date(2026, 11, 4)),
    )
    corrected, _ = apply_requests(records, load_requests(path), DEMO_KEY, worker_links=links)
    assert corrected.loc[corrected["nik"] == BUDI, "phone"].isna().all()


def test_erasure_wins_over_correction(tmp_path, people):
    records, links = people
    path = register(tmp_path, correction(SITI, "name", "SITI AMINAH RAHAYU", "DSR-6"), erasure(SITI, "DSR-7"))
    kept, _ = apply_requests(records, load_requests(path), DEMO_KEY, worker_links=links)
    assert "SITI AMINAH RAHAYU" not in set(kept["name"]) and len(kept) == 2


def test_a_request_under_another_key_matches_nobody(tmp_path, people):
    records, links = people
    other = load_pseudonymisation_key(configured_key="c3" * 32)
    kept, applied = apply_requests(records, load_requests(register(tmp_path, erasure(SITI))), other, links)
    assert len(kept) == len(records)
    assert applied.unmatched_requests == 1


def test_no_requests_change_nothing(people):
    records, links = people
    kept, applied = apply_requests(records, empty_requests(), DEMO_KEY, worker_links=links)
    pd.testing.assert_frame_equal(kept, records)
    assert applied.per_request.empty


def test_applied_counts_hold_no_personal_data(tmp_path, people):
    records, links = people
    path = register(tmp_path, erasure(SITI), correction(BUDI, "phone", "081299998888", "DSR-2"))
    _, applied = apply_requests(records, load_requests(path), DEMO_KEY, worker_links=links)
    text = applied.per_request.to_csv()
    for value in (SITI, BUDI, "SITI", "BUDI", "6281299998888", "081299998888"):
        assert value not in text


def write_register(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "subject_requests.csv"
    path.write_text("\n".join([",".join(COLUMNS), *lines]) + "\n")
    return path


def test_a_raw_nik_in_the_register_is_refused_without_echoing_it(tmp_path):
    path = write_register(tmp_path, [f"DSR-1,2026-11-01,erasure,{SITI},,,"])
    with pytest.raises(SubjectRequestError, match="line 2, column nik_hmac: holds a raw NIK") as error:
        load_requests(path)
    assert SITI not in str(error.value)


@pytest.mark.parametrize(
    ("line", "column"),
    [
        ("DSR-1,01/11/2026,erasure,{h},,,", "received_date"),
        ("DSR-1,2026-11-01,delete,{h},,,", "kind"),
        ("DSR-1,2026-11-01,erasure,abc123,,,", "nik_hmac"),
        ("DSR-1,2026-11-01,erasure,{h},phone,,", "field"),
        ("DSR-1,2026-11-01,correction,{h},nik,3276015708900009,", "field"),
        ("DSR-1,2026-11-01,correction,{h},phone,not a phone,", "new_value"),
        (",2026-11-01,erasure,{h},,,", "request_id"),
    ],
)
def test_malformed_rows_are_reported_by_line_and_column(tmp_path, line, column):
    pseudonym = hmac_pseudonym(pd.Series([SITI], dtype="str"), DEMO_KEY)[0]
    path = write_register(tmp_path, [f"DSR-0,2026-11-01,erasure,{pseudonym},,,", line.format(h=pseudonym)])
    with pytest.raises(SubjectRequestError, match=f"line 3, column {column}"):
        load_requests(path)


def test_duplicate_request_ids_are_refused(tmp_path):
    path = register(tmp_path, erasure(SITI))
    with pytest.raises(SubjectRequestError, match="already in the register"):
        append_request(path, erasure(BUDI))


def test_make_request_row_validates_before_writing():
    with pytest.raises(SubjectRequestError, match="16 digits"):
        make_request_row("3276", "erasure", key=DEMO_KEY, request_id="X", received_date=RECEIVED)
    with pytest.raises(SubjectRequestError, match="field"):
        make_request_row(SITI, "correction", key=DEMO_KEY, request_id="X", received_date=RECEIVED, field="nik")
    with pytest.raises(SubjectRequestError, match="cannot be read"):
        correction(SITI, "birth_date", "someday", "X")


def test_missing_default_register_means_no_requests_but_a_configured_one_must_exist(tmp_path, monkeypatch):
    with pytest.raises(FileNotFoundError):
        load_requests(tmp_path / "absent.csv")
    monkeypatch.setattr("satupekerja.privacy.subject_requests.DEFAULT_REQUESTS_PATH", tmp_path / "absent.csv")
    assert load_requests().empty


def test_the_command_line_prompts_for_the_nik_and_writes_its_pseudonym(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("getpass.getpass", lambda prompt: SITI)
    monkeypatch.setattr("builtins.input", lambda prompt: "JL MARGONDA RAYA NO 1")
    path = tmp_path / "register.csv"
    arguments = ["add", "--kind", "correction", "--field", "address", "--request-id", "DSR-9", "--register", str(path)]
    assert main(arguments) == 0
    requests = load_requests(path)
    expected = hmac_pseudonym(pd.Series([SITI], dtype="str"), load_pseudonymisation_key())[0]
    assert requests["nik_hmac"].tolist() == [expected]
    assert SITI not in path.read_text() and SITI not in capsys.readouterr().out
