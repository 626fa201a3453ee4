"""The review decision register: clerks decide pairs of the published review queue, every night applies them.

**Where it lives.** In the web application's database (table ``keputusan_review``,
:class:`satupekerja.web.models.ReviewDecision`), through SQLAlchemy: SQLite by default, PostgreSQL in
production. That database is already the one store that staff write and the night reads (visit outcomes,
:mod:`satupekerja.staff.outreach`); it serves the ``satupekerja review`` command and the *Meja review* page
alike, handles concurrent writers with transactions, and survives every re-run of the warehouse. A CSV register
like ``subject_requests.csv`` suits a handful of rows a data-protection officer adds by hand; review decisions
come from many clerks at once through two front ends. The database's URL is an explicit argument everywhere
(``--db`` of the command, ``create_app(database_url=…)``, the ``web_database`` resource of the night).

**What a row holds.** The pair as its two records' HMAC pseudonyms (``record_hash_low`` < ``record_hash_high``,
:func:`satupekerja.privacy.pseudonyms.hmac_pseudonym` of the record id, as the subject-request register keys
people by NIK pseudonym): a decision follows the record ids, so it survives any change to a record's fields
while its id stays, and the register holds no card number. Then ``decision`` (``same``/``different``; a skip
records nothing), ``reason``, ``reviewer``, ``decided_at`` (UTC), the snapshot the clerk saw, the pair's match
weight then, and the pseudonym key's fingerprint (a key rotation makes old pseudonyms unmatchable: those
decisions are reported, not silently lost).

**Append-only, chained.** Rows are only ever inserted. Each row's ``entry_hash`` is an HMAC-SHA256 under the
audit key (:func:`satupekerja.privacy.audit.audit_key`) of its fields and the previous row's hash
(``previous_hash``, unique: two writers racing for one position cannot both win; the loser retries), so an
edited, inserted or deleted row breaks :func:`register_problem`, which the night checks before applying
anything. A later decision on the same pair supersedes the earlier one (:func:`latest_decisions`); both stay.
Every decision is also in the audit log (intent before the row is written, done after, with the row id and
hash), and so is every list and show of pairs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from matching.clustering import DIFFERENT_PEOPLE, SAME_PERSON
from satupekerja.privacy.audit import DONE, INTENT, AuditLog
from satupekerja.privacy.pseudonyms import PseudonymisationKey, hmac_pseudonym
from satupekerja.registry.review_queue import SIDE_BY_SIDE_FIELDS, comparisons_of, pair_ids
from satupekerja.web.models import ReviewDecision, make_engine, utcnow

DECISIONS = (SAME_PERSON, DIFFERENT_PEOPLE)
SKIP = "skip"
DECISION_LABELS = {SAME_PERSON: "Orang yang sama", DIFFERENT_PEOPLE: "Orang berbeda", SKIP: "Lewati"}
GENESIS_HASH = "0" * 64
MIN_REASON_CHARS = 3
MAX_REASON_CHARS = 1000
_WRITE_ATTEMPTS = 5
REGISTER_COLUMNS = [
    "id",
    "pair_id",
    "record_hash_low",
    "record_hash_high",
    "decision",
    "reason",
    "reviewer",
    "decided_at",
    "snapshot_date",
    "match_weight",
    "key_fingerprint",
    "previous_hash",
    "entry_hash",
]
_CHAINED_FIELDS = [column for column in REGISTER_COLUMNS if column not in ("id", "entry_hash")]

#: Indonesian labels of the side-by-side fields (the command and the page show the same).
FIELD_LABELS = {
    "source": "Sumber",
    "nik": "NIK",
    "kk": "No. KK",
    "name": "Nama",
    "alias": "Nama panggilan",
    "birth_date": "Tanggal lahir",
    "birth_place": "Tempat lahir",
    "sex": "Jenis kelamin",
    "phone": "No. HP",
    "address": "Alamat",
    "rt": "RT",
    "rw": "RW",
    "kelurahan_code": "Kelurahan",
    "kecamatan_code": "Kecamatan",
    "occupation": "Pekerjaan",
    "sector": "Sektor",
}
#: Why a pair is in the queue, in Indonesian (``reason`` of the engine's review queue).
REASON_LABELS = {
    "uncertain": "ragu-ragu (peluang di pita review)",
    "double_registration": "kemungkinan NIK ganda (satu orang terdaftar dua kali)",
    "sex_conflict": "jenis kelamin berbeda",
    "generation_gap": "selisih umur satu generasi",
    "nik_conflict": "NIK berbeda",
    "missing_evidence": "bukti kurang (nama tidak cocok)",
    "cluster_guard": "dipisah pengaman klaster",
}


class ReviewError(ValueError):
    """A decision that cannot be recorded (unknown decision, no reason, pair not in the queue). For staff."""


class RegisterTamperedError(RuntimeError):
    """The decision register's chain does not verify: a row was edited, inserted or deleted. No personal data."""


@dataclass(frozen=True)
class ReviewerContext:
    """Who decides, and where the decision is audited: ``reviewer`` (``cli:<name>``, ``web:<username>``) goes
    into the register and the audit log; ``command`` names the front end."""

    reviewer: str
    command: str
    audit: AuditLog

    def record(self, action: str, filters: Mapping[str, object], row_count: int, phase: str = DONE) -> None:
        """One audit entry of this reviewer's action (no output file: review writes none)."""
        self.audit.record(
            action,
            requested_by=self.reviewer,
            command=self.command,
            filters=filters,
            row_count=row_count,
            output_file=None,
            phase=phase,
        )


# ------------------------------------------------------------------------------------------ the chain


def _canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _row_fields(row: Mapping[str, object]) -> dict[str, object]:
    fields = {name: row[name] for name in _CHAINED_FIELDS}
    for name in ("decided_at", "snapshot_date"):
        value = fields[name]
        fields[name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    weight = _weight(fields["match_weight"])
    fields["match_weight"] = None if weight is None else round(weight, 6)
    return fields


def _weight(value: object) -> float | None:
    """A match weight as a float, None when missing."""
    number = pd.to_numeric(pd.Series([value], dtype="object"), errors="coerce").iloc[0]
    return None if pd.isna(number) else float(number)


def entry_hash(row: Mapping[str, object], key: bytes) -> str:
    """HMAC-SHA256 (audit key) of a register row's fields, its ``previous_hash`` included."""
    return hmac.new(key, _canonical(_row_fields(row)).encode("utf-8"), hashlib.sha256).hexdigest()


def register_frame(session: Session) -> pd.DataFrame:
    """Every row of the register, oldest first (columns :data:`REGISTER_COLUMNS`)."""
    rows = session.scalars(select(ReviewDecision).order_by(ReviewDecision.id)).all()
    frame = pd.DataFrame([{column: getattr(row, column) for column in REGISTER_COLUMNS} for row in rows])
    if frame.empty:
        frame = pd.DataFrame({column: pd.Series(dtype="object") for column in REGISTER_COLUMNS})
    return frame


def load_register(database_url: str | None) -> pd.DataFrame:
    """The whole register from the database at ``database_url`` (None: the web application's default)."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            return register_frame(session)
    finally:
        engine.dispose()


def register_problem(register: pd.DataFrame, key: bytes) -> str | None:
    """Why the register's chain does not verify (row id, never a value), or None when it is intact."""
    previous = GENESIS_HASH
    for row in register.sort_values("id").to_dict("records"):
        if row["previous_hash"] != previous:
            return f"baris {row['id']}: rantai terputus (baris dihapus atau disisipkan) / chain broken"
        if not hmac.compare_digest(str(row["entry_hash"]), entry_hash(row, key)):
            return f"baris {row['id']}: isi diubah / row edited"
        previous = row["entry_hash"]
    return None


def latest_decisions(register: pd.DataFrame) -> pd.DataFrame:
    """The decision in force per pair: the latest row of each (low, high) pseudonym pair."""
    if register.empty:
        return register
    ordered = register.sort_values("id")
    return ordered.drop_duplicates(["record_hash_low", "record_hash_high"], keep="last").reset_index(drop=True)


# ------------------------------------------------------------------------------------------ recording


def record_decision(
    session: Session,
    who: ReviewerContext,
    pair: Mapping[str, object],
    decision: str,
    reason: str,
    snapshot_date: dt.date,
    key_fingerprint: str,
    audit_key: bytes,
) -> ReviewDecision | None:
    """Append one decision on ``pair`` (a row of the published review queue) and audit it; ``skip`` records
    nothing but the audit entry. Audit first: no intent entry, no row."""
    reason = (reason or "").strip()
    if decision not in (*DECISIONS, SKIP):
        raise ReviewError(f"keputusan {decision!r} tidak dikenal; pilih: sama, beda, lewati")
    filters = {"pair_id": str(pair["pair_id"]), "keputusan": decision, "snapshot_date": snapshot_date.isoformat()}
    if decision == SKIP:
        who.record("review_lewati", filters, row_count=0)
        return None
    if len(reason) < MIN_REASON_CHARS:
        raise ReviewError(f"alasan wajib diisi (minimal {MIN_REASON_CHARS} karakter) / a reason is required")
    if len(reason) > MAX_REASON_CHARS:
        raise ReviewError(f"alasan maksimal {MAX_REASON_CHARS} karakter")
    low, high = sorted((str(pair["record_hash_l"]), str(pair["record_hash_r"])))
    who.record("review_putuskan", filters, row_count=0, phase=INTENT)
    for _attempt in range(_WRITE_ATTEMPTS):
        last = session.scalars(select(ReviewDecision).order_by(ReviewDecision.id.desc()).limit(1)).first()
        row = ReviewDecision(
            pair_id=str(pair["pair_id"]),
            record_hash_low=low,
            record_hash_high=high,
            decision=decision,
            reason=reason,
            reviewer=who.reviewer,
            decided_at=utcnow().replace(microsecond=0),
            snapshot_date=snapshot_date,
            match_weight=_weight(pair.get("match_weight")),
            key_fingerprint=key_fingerprint,
            previous_hash=GENESIS_HASH if last is None else last.entry_hash,
            entry_hash="",
        )
        row.entry_hash = entry_hash({column: getattr(row, column) for column in _CHAINED_FIELDS}, audit_key)
        session.add(row)
        try:
            session.commit()
            break
        except IntegrityError:  # another clerk took this chain position: chain onto theirs
            session.rollback()
    else:
        raise ReviewError("register sedang sibuk, coba lagi / the register is busy, try again")
    who.record("review_putuskan", {**filters, "decision_id": row.id, "decision_hash": row.entry_hash}, row_count=1)
    return row


# ------------------------------------------------------------------------------------------ the night


@dataclass(frozen=True)
class NightConstraints:
    """The register turned into tonight's constraints: ``constraints`` (``record_id_l``, ``record_id_r``,
    ``decision``, ``decision_id``) for :func:`matching.link_records`; decisions in force whose records are not
    among tonight's (``records_missing``) or that were made under another pseudonym key (``other_key``)."""

    constraints: pd.DataFrame
    decisions_in_force: int
    records_missing: int
    other_key: int


def night_constraints(register: pd.DataFrame, record_hashes: pd.Series, key_fingerprint: str) -> NightConstraints:
    """Map the decisions in force onto tonight's record ids. ``record_hashes``: pseudonym per record id (index
    ``record_id``)."""
    current = latest_decisions(register)
    empty = pd.DataFrame({"record_id_l": [], "record_id_r": [], "decision": [], "decision_id": []}).astype(
        {"record_id_l": "str", "record_id_r": "str", "decision": "str", "decision_id": "int64"}
    )
    if current.empty:
        return NightConstraints(empty, 0, 0, 0)
    same_key = current["key_fingerprint"].eq(key_fingerprint)
    record_of = pd.Series(record_hashes.index.to_numpy(), index=record_hashes.to_numpy())
    record_of = record_of[~record_of.index.duplicated()]
    usable = current[same_key]
    left = usable["record_hash_low"].map(record_of)
    right = usable["record_hash_high"].map(record_of)
    found = left.notna() & right.notna()
    constraints = pd.DataFrame(
        {
            "record_id_l": left[found].astype("str").to_numpy(),
            "record_id_r": right[found].astype("str").to_numpy(),
            "decision": usable.loc[found, "decision"].astype("str").to_numpy(),
            "decision_id": usable.loc[found, "id"].astype("int64").to_numpy(),
        }
    )
    return NightConstraints(
        constraints if len(constraints) else empty,
        decisions_in_force=len(current),
        records_missing=int((~found).sum()),
        other_key=int((~same_key).sum()),
    )


# ------------------------------------------------------------------------------------------ the queue for clerks


def open_pairs(queue: pd.DataFrame, register: pd.DataFrame) -> pd.DataFrame:
    """Pairs of the published queue with no decision in the register yet (decisions made since the night
    leave the list at once; the night after, the engine leaves them out of the queue itself)."""
    if register.empty or queue.empty:
        return queue
    decided = set(zip(register["record_hash_low"], register["record_hash_high"], strict=True))
    low = queue[["record_hash_l", "record_hash_r"]].min(axis=1)
    high = queue[["record_hash_l", "record_hash_r"]].max(axis=1)
    keep = [(a, b) not in decided for a, b in zip(low, high, strict=True)]
    return queue[keep]


def pair_of_records(
    record_id_l: str, record_id_r: str, person_records: pd.DataFrame, key: PseudonymisationKey
) -> dict[str, object]:
    """A pair outside the queue (two records of tonight's ``person_records``, e.g. two records of one worker a
    clerk finds are two people), shaped like a queue row for :func:`record_decision`."""
    known = set(person_records["record_id"].astype("str"))
    missing = [record for record in (record_id_l, record_id_r) if record not in known]
    if missing or record_id_l == record_id_r:
        raise ReviewError("kedua ID catatan harus ada di snapshot ini dan berbeda / both record ids must exist")
    hashes = hmac_pseudonym(pd.Series([record_id_l, record_id_r], dtype="str"), key)
    ids = pair_ids(hashes.iloc[:1], hashes.iloc[1:].set_axis(hashes.index[:1]))
    return {
        "pair_id": ids.iloc[0],
        "record_hash_l": hashes.iloc[0],
        "record_hash_r": hashes.iloc[1],
        "match_weight": None,
    }


def in_area(queue: pd.DataFrame, kecamatan: Iterable[str] = (), kelurahan: Iterable[str] = ()) -> pd.DataFrame:
    """Pairs whose area (``kecamatan_code``/``kelurahan_code`` of the pair) is one of the given codes."""
    kecamatan, kelurahan = list(kecamatan), list(kelurahan)
    if not kecamatan and not kelurahan:
        return queue
    inside = queue["kecamatan_code"].isin(kecamatan) | queue["kelurahan_code"].isin(kelurahan)
    return queue[inside.fillna(False).to_numpy(dtype=bool)]


def side_by_side(pair: Mapping[str, object]) -> list[tuple[str, str, object, object, bool | None]]:
    """``(field, label, left, right, agree)`` for every field either record holds; ``agree`` is None when only
    one record holds it."""
    rows = []
    for field in SIDE_BY_SIDE_FIELDS:
        left, right = pair.get(f"{field}_l"), pair.get(f"{field}_r")
        if _missing(left) and _missing(right):
            continue
        agree = None if _missing(left) or _missing(right) else str(left) == str(right)
        rows.append((field, FIELD_LABELS.get(field, field), left, right, agree))
    return rows


NO_DATA = "tidak ada data"


def agreement_text(agree: bool | None) -> str:
    """``ya`` / ``tidak`` / ``-`` (only one record holds the field)."""
    return {True: "ya", False: "tidak", None: "-"}[agree]


def comparisons(pair: Mapping[str, object]) -> list[dict]:
    """Each comparison's level and weight (bits), strongest evidence first."""
    return sorted(comparisons_of(str(pair.get("comparisons") or "")), key=lambda c: -(c.get("weight") or 0.0))


def _missing(value: object) -> bool:
    return value is None or (pd.api.types.is_scalar(value) and pd.isna(value))


__all__ = [
    "DECISIONS",
    "SKIP",
    "NightConstraints",
    "RegisterTamperedError",
    "ReviewError",
    "ReviewerContext",
    "comparisons",
    "in_area",
    "latest_decisions",
    "load_register",
    "night_constraints",
    "open_pairs",
    "pair_ids",
    "pair_of_records",
    "record_decision",
    "register_frame",
    "register_problem",
    "side_by_side",
]
