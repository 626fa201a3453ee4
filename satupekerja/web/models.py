"""The web application's own state (accounts, assignments, visit outcomes, nightly funnel, review decisions) in
SQLAlchemy.

SQLite by default (``<repo>/.web/satupekerja_web.sqlite``), PostgreSQL in production: set
``SATUPEKERJA_WEB_DB`` to a SQLAlchemy URL (``postgresql+psycopg2://user@host/db``). The warehouse stays
read-only for the application; everything staff record lives here, so it survives every nightly re-run.
"""

from __future__ import annotations

import datetime as dt

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

from satupekerja.settings import REPO_ROOT

ADMIN, BRANCH, AREA, AGENT = "admin", "cabang", "wilayah", "agen"
ROLES = (ADMIN, BRANCH, AREA, AGENT)
ROLE_LABELS = {
    ADMIN: "Administrator",
    BRANCH: "Staf cabang (seluruh kota)",
    AREA: "Staf wilayah",
    AGENT: "Agen PERISAI",
}

#: Visit outcomes an agent records, code → label (the one vocabulary for pages, downloads and the pipeline).
OUTCOMES = {
    "dihubungi": "Dihubungi",
    "mendaftar": "Mendaftar",
    "menolak": "Menolak",
    "tidak_bisa_dihubungi": "Tidak bisa dihubungi",
    "pindah_meninggal": "Pindah/meninggal",
}
#: Outcomes meaning the agent reached the worker.
REACHED_OUTCOMES = ("dihubungi", "mendaftar", "menolak")

_hasher = PasswordHasher()


def default_database_url() -> str:
    """``<repo>/.web/satupekerja_web.sqlite``: the database unless the caller names one (``Settings.web_db_url``,
    from ``SATUPEKERJA_WEB_DB``)."""
    directory = REPO_ROOT / ".web"
    directory.mkdir(mode=0o700, exist_ok=True)
    return f"sqlite:///{directory / 'satupekerja_web.sqlite'}"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    """The application's own tables (accounts, assignments, outcomes, review decisions, login failures)."""


class Account(Base):
    """A member of staff or an agent. ``areas``: comma-separated Kemendagri codes (kecamatan ``32.76.03`` or
    kelurahan ``32.76.03.1001``) for area staff; empty for the other roles."""

    __tablename__ = "akun"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    full_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    areas: Mapped[str] = mapped_column(Text, nullable=False, default="")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    last_login: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    @property
    def area_codes(self) -> list[str]:
        return [code for code in self.areas.split(",") if code]

    def set_password(self, password: str) -> None:
        check_password_strength(password)
        self.password_hash = _hasher.hash(password)

    def check_password(self, password: str) -> bool:
        try:
            return _hasher.verify(self.password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False


class Assignment(Base):
    """A worker assigned to an agent (one agent per worker at a time; reassigning replaces the row)."""

    __tablename__ = "penugasan"
    __table_args__ = (UniqueConstraint("worker_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    worker_id: Mapped[str] = mapped_column(String(32), nullable=False)
    agent_id: Mapped[int] = mapped_column(ForeignKey("akun.id"), nullable=False)
    kecamatan_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    assigned_by: Mapped[int] = mapped_column(ForeignKey("akun.id"), nullable=False)
    assigned_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)

    agent: Mapped[Account] = relationship(foreign_keys=[agent_id])


class Outcome(Base):
    """One visit: who, which worker, when, what happened (code of :data:`OUTCOMES`), a free-text note."""

    __tablename__ = "hasil_kunjungan"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    worker_id: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("akun.id"), nullable=False)
    outcome: Mapped[str] = mapped_column(String(32), nullable=False)
    visit_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class FunnelNight(Base):
    """The outreach funnel of one kecamatan as computed by one night's run (the trend on Ringkasan)."""

    __tablename__ = "corong_malam"

    snapshot_date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    kecamatan_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    listed: Mapped[int] = mapped_column(Integer, nullable=False)
    assigned: Mapped[int] = mapped_column(Integer, nullable=False)
    reached: Mapped[int] = mapped_column(Integer, nullable=False)
    registered: Mapped[int] = mapped_column(Integer, nullable=False)
    active_now: Mapped[int] = mapped_column(Integer, nullable=False)
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class Conversion(Base):
    """A worker reached by an agent who is an active BPJS TK member in the snapshot of ``snapshot_date``."""

    __tablename__ = "konversi"

    snapshot_date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    worker_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("akun.id"), nullable=False)
    first_reached: Mapped[dt.date] = mapped_column(Date, nullable=False)
    kecamatan_code: Mapped[str | None] = mapped_column(String(16), nullable=True)


class ReviewDecision(Base):
    """One clerk's decision on a pair of the review queue: the decision register
    (:mod:`satupekerja.staff.review` writes and reads it; append-only, each row HMAC-chained to the one before).

    The pair is keyed by its records' HMAC pseudonyms (``record_hash_low`` < ``record_hash_high``), never the
    record ids (they embed card numbers); ``key_fingerprint`` names the pseudonym key they were made with.
    ``decision``: ``same`` or ``different`` (a skip records nothing). ``previous_hash`` is unique, so two
    writers racing for the same chain position cannot both succeed.
    """

    __tablename__ = "keputusan_review"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pair_id: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    record_hash_low: Mapped[str] = mapped_column(String(64), nullable=False)
    record_hash_high: Mapped[str] = mapped_column(String(64), nullable=False)
    decision: Mapped[str] = mapped_column(String(16), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    reviewer: Mapped[str] = mapped_column(String(200), nullable=False)
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    snapshot_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    match_weight: Mapped[float | None] = mapped_column(Float, nullable=True)
    key_fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    previous_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    entry_hash: Mapped[str] = mapped_column(String(64), nullable=False)


MIN_PASSWORD_LENGTH = 10


class WeakPasswordError(ValueError):
    """A password shorter than :data:`MIN_PASSWORD_LENGTH` (the message never repeats it)."""


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPasswordError(f"kata sandi minimal {MIN_PASSWORD_LENGTH} karakter")


def make_engine(url: str | None = None) -> Engine:
    engine = create_engine(url or default_database_url(), future=True, pool_pre_ping=True)
    Base.metadata.create_all(engine)
    return engine


def find_account(session: Session, username: str) -> Account | None:
    return session.scalars(select(Account).where(Account.username == username)).first()
