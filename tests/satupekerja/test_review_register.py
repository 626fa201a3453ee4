"""The review decision register: append-only and chained (edits, deletions and insertions are detected), keyed
by record pseudonyms, the latest decision per pair in force, mapped onto tonight's record ids."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from satupekerja.privacy.audit import AuditLog
from satupekerja.privacy.pseudonyms import DEMO_KEY, hmac_pseudonym
from satupekerja.staff import review
from satupekerja.web.models import ReviewDecision, make_engine

SNAPSHOT = dt.date(2026, 11, 20)
RECORDS = ["dukcapil:1", "komunitas_ojol:4", "bpjs_ketenagakerjaan:12345678901", "umkm:7"]


@pytest.fixture
def hashes() -> pd.Series:
    ids = pd.Series(RECORDS, dtype="str")
    return pd.Series(hmac_pseudonym(ids, DEMO_KEY).to_numpy(), index=RECORDS)


@pytest.fixture
def setup(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'web.sqlite'}")
    audit = AuditLog(tmp_path / "audit.jsonl", key=b"k" * 32)
    return engine, audit


def pair(hashes: pd.Series, left: str, right: str) -> dict:
    h_l, h_r = hashes[left], hashes[right]
    pair_id = review.pair_ids(pd.Series([h_l]), pd.Series([h_r])).iloc[0]
    return {"pair_id": pair_id, "record_hash_l": h_l, "record_hash_r": h_r, "match_weight": 3.5}


def decide(engine, audit, the_pair, decision, reason="alasan cukup"):
    who = review.ReviewerContext("cli:petugas", "test", audit)
    with Session(engine, expire_on_commit=False) as session:
        return review.record_decision(
            session, who, the_pair, decision, reason, SNAPSHOT, DEMO_KEY.fingerprint, audit.key
        )


def test_decisions_chain_and_the_latest_per_pair_is_in_force(setup, hashes):
    engine, audit = setup
    decide(engine, audit, pair(hashes, RECORDS[0], RECORDS[1]), "same")
    decide(engine, audit, pair(hashes, RECORDS[2], RECORDS[3]), "different")
    assert decide(engine, audit, pair(hashes, RECORDS[0], RECORDS[2]), "skip") is None  # a skip records nothing
    decide(engine, audit, pair(hashes, RECORDS[1], RECORDS[0]), "different")  # changed mind, other order
    with Session(engine) as session:
        register = review.register_frame(session)
    assert len(register) == 3 and review.register_problem(register, audit.key) is None
    current = review.latest_decisions(register)
    assert sorted(current["decision"]) == ["different", "different"]
    assert not register.astype("str").isin(RECORDS).any().any()  # pseudonyms only

    night = review.night_constraints(register, hashes, DEMO_KEY.fingerprint)
    assert night.decisions_in_force == 2 and night.records_missing == 0 and night.other_key == 0
    pairs = {frozenset(p) for p in night.constraints[["record_id_l", "record_id_r"]].itertuples(index=False)}
    assert pairs == {frozenset(RECORDS[:2]), frozenset(RECORDS[2:])}
    assert set(night.constraints["decision"]) == {"different"}


def test_records_gone_and_another_key_are_counted_not_applied(setup, hashes):
    engine, audit = setup
    decide(engine, audit, pair(hashes, RECORDS[0], RECORDS[1]), "same")
    with Session(engine) as session:
        register = review.register_frame(session)
    gone = review.night_constraints(register, hashes.drop(RECORDS[1]), DEMO_KEY.fingerprint)
    assert (gone.records_missing, len(gone.constraints)) == (1, 0)
    rotated = review.night_constraints(register, hashes, "another-fingerprint")
    assert (rotated.other_key, len(rotated.constraints)) == (1, 0)


@pytest.mark.parametrize("tamper", ["edit", "delete"])
def test_an_edited_or_deleted_row_breaks_the_chain(setup, hashes, tamper):
    engine, audit = setup
    for left, right in ((0, 1), (2, 3), (0, 3)):
        decide(engine, audit, pair(hashes, RECORDS[left], RECORDS[right]), "different")
    with Session(engine) as session:
        if tamper == "edit":
            session.execute(update(ReviewDecision).where(ReviewDecision.id == 2).values(decision="same"))
        else:
            session.execute(delete(ReviewDecision).where(ReviewDecision.id == 2))
        session.commit()
        register = review.register_frame(session)
    problem = review.register_problem(register, audit.key)
    assert problem is not None and problem.startswith(f"baris {2 if tamper == 'edit' else 3}")


def test_a_decision_needs_a_known_word_and_a_reason_and_is_audited_first(setup, hashes):
    engine, audit = setup
    the_pair = pair(hashes, RECORDS[0], RECORDS[1])
    with pytest.raises(review.ReviewError, match="alasan wajib"):
        decide(engine, audit, the_pair, "same", reason=" ")
    with pytest.raises(review.ReviewError, match="tidak dikenal"):
        decide(engine, audit, the_pair, "maybe")
    row = decide(engine, audit, the_pair, "same")
    entries = audit.entries()
    assert entries["phase"].tolist() == ["intent", "done"]
    assert str(row.id) in entries["filters"].iloc[-1] and "alasan" not in entries["filters"].iloc[-1]


def test_the_night_refuses_a_register_that_does_not_verify(setup, hashes, tmp_path):
    from assets.matching import _night_decisions
    from assets.outreach import WebDatabase

    engine, audit = setup
    decide(engine, audit, pair(hashes, RECORDS[0], RECORDS[1]), "different")
    database = WebDatabase(url=str(engine.url))
    applied = _night_decisions(database, pd.Series(RECORDS), DEMO_KEY, audit.key)
    assert len(applied.constraints) == 1
    with pytest.raises(review.RegisterTamperedError):  # chained under another audit key: it does not verify
        _night_decisions(database, pd.Series(RECORDS), DEMO_KEY, b"x" * 32)
    with Session(engine) as session:
        session.execute(update(ReviewDecision).values(decision="same"))
        session.commit()
    with pytest.raises(review.RegisterTamperedError, match="baris 1"):
        _night_decisions(database, pd.Series(RECORDS), DEMO_KEY, audit.key)
