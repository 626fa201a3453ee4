"""Login rate limiting: too many failed sign-ins for one account name or from one client address within a
window, and further attempts are refused for a while.

Failed attempts are rows in the application's own database (table ``percobaan_masuk_gagal``), so the limit
holds across WSGI workers and restarts. Neither the typed account name nor the client address is stored as
typed: each is kept as an HMAC-SHA256 under the application's secret key (a password typed into the name field
does not sit in the database). The limits are explicit arguments of :func:`satupekerja.web.app.create_app`
(a :class:`LoginLimits`).

No account-existence leak: an unknown name is counted and locked exactly like a real one, and the page says the
same thing in both cases.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import DateTime, Integer, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from satupekerja.web.models import Base, utcnow

ACCOUNT, CLIENT = "akun", "alamat"


@dataclass(frozen=True)
class LoginLimits:
    """``max_account_failures`` failed sign-ins for one account name, or ``max_client_failures`` from one client
    address, within ``window_minutes`` lock that name (or address) for ``lockout_minutes`` after the last failure.
    A successful sign-in clears the account name's failures (not the address's)."""

    max_account_failures: int = 5
    max_client_failures: int = 20
    window_minutes: int = 15
    lockout_minutes: int = 15

    def __post_init__(self) -> None:
        for name in ("max_account_failures", "max_client_failures", "window_minutes", "lockout_minutes"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"LoginLimits.{name} harus minimal 1 / must be at least 1")


class FailedLogin(Base):
    """One failed sign-in: which key (account name or client address, as an HMAC) and when (UTC)."""

    __tablename__ = "percobaan_masuk_gagal"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), nullable=False)
    key: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, index=True, default=utcnow)


@dataclass(frozen=True)
class Lockout:
    """A refusal: what is locked (``akun`` or ``alamat``) and until when (UTC, naive)."""

    kind: str
    until: dt.datetime

    def minutes_left(self, now: dt.datetime) -> int:
        return max(1, -(-int((self.until - now).total_seconds()) // 60))


class LoginLimiter:
    """Counts failed sign-ins in the database and says when an account name or address is locked."""

    def __init__(self, limits: LoginLimits, secret: str | bytes) -> None:
        self.limits = limits
        self._secret = secret.encode() if isinstance(secret, str) else secret

    def _key(self, kind: str, value: str) -> str:
        folded = value.strip().casefold() if kind == ACCOUNT else value.strip()
        return hmac.new(self._secret, f"{kind}:{folded}".encode(), hashlib.sha256).hexdigest()

    def account_key(self, username: str) -> str:
        """The HMAC an account name is stored (and audited) as."""
        return self._key(ACCOUNT, username)

    def _keys(self, username: str, client: str | None) -> list[tuple[str, str, int]]:
        keys = [(ACCOUNT, self._key(ACCOUNT, username), self.limits.max_account_failures)]
        if client:
            keys.append((CLIENT, self._key(CLIENT, client), self.limits.max_client_failures))
        return keys

    def locked(self, session: Session, username: str, client: str | None, now: dt.datetime | None = None):
        """The lockout in force for this name or address at ``now``, or ``None``: the last ``limit`` failures of
        a key fell within one window, and the last of them is less than the lockout ago."""
        now = now or utcnow()
        window = dt.timedelta(minutes=self.limits.window_minutes)
        lockout = dt.timedelta(minutes=self.limits.lockout_minutes)
        found = None
        for kind, key, limit in self._keys(username, client):
            recent = session.scalars(
                select(FailedLogin.at)
                .where(FailedLogin.key == key, FailedLogin.at > now - lockout - window)
                .order_by(FailedLogin.at.desc())
                .limit(limit)
            ).all()
            if len(recent) < limit or recent[0] - recent[-1] > window:
                continue
            until = recent[0] + lockout
            if until > now and (found is None or until > found.until):
                found = Lockout(kind, until)
        return found

    def failed(self, session: Session, username: str, client: str | None, now: dt.datetime | None = None) -> None:
        """Record one failed sign-in (and forget failures older than the window)."""
        now = now or utcnow()
        keep_from = now - dt.timedelta(minutes=self.limits.window_minutes + self.limits.lockout_minutes)
        session.execute(delete(FailedLogin).where(FailedLogin.at < keep_from))
        for kind, key, _limit in self._keys(username, client):
            session.add(FailedLogin(kind=kind, key=key, at=now))
        session.commit()

    def succeeded(self, session: Session, username: str) -> None:
        """A successful sign-in clears the account name's failures."""
        session.execute(delete(FailedLogin).where(FailedLogin.key == self._key(ACCOUNT, username)))
        session.commit()


_dummy_hash: str | None = None


def verify_nobody(password: str) -> bool:
    """Spend the time of one password check when the account name is unknown, so the answer's timing does not
    tell which names exist. Always ``False``."""
    global _dummy_hash
    hasher = PasswordHasher()
    if _dummy_hash is None:
        _dummy_hash = hasher.hash("satupekerja-tidak-ada-akun")
    with contextlib.suppress(VerifyMismatchError, VerificationError, InvalidHashError):
        hasher.verify(_dummy_hash, password)
    return False
