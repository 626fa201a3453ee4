"""The audit trail of who exported, looked up or removed what (UU 27/2022 accountability).

One JSON object per line, append-only, ``fsync``-ed, readable by the owner only (``0o600``). Every entry carries
the hash of the entry before it and its own hash is an **HMAC-SHA256** under the audit key
(``SATUPEKERJA_AUDIT_KEY``, separate from the pseudonym key; production refuses to run without it or with the
pseudonym key), so editing, inserting or deleting an entry and recomputing the chain needs the key
(:meth:`AuditLog.verify`). The last entry's sequence and hash are also written to ``audit.head.json`` beside the
log: a log that is missing or shorter than its recorded head fails :meth:`AuditLog.verify` (anchor the head
elsewhere too, ``verify --head``, to catch both being rolled back).

**Audit first**: an export, a look-up or a check-list records its intent (``phase: intent``) *before* it writes
or shows anything, and is refused when the log cannot be written (unwritable path, damaged last line, refused
filter); when the file is written, a ``phase: done`` entry records its SHA-256. Check-list entries list the
pseudonyms (HMAC under the pseudonym key) of the people looked up in ``subjects``.

Where the log lives is a deployment setting: ``<warehouse>/_audit/audit.jsonl``. ``SATUPEKERJA_AUDIT_LOG``
moves it in demo mode only; in production mode it is refused unless it names that same file.

The log holds no personal data: who ran the command (staff id or OS user), the command, the filters, row counts,
the output file and its SHA-256. **Filters must not hold NIKs or other personal data**: log the pseudonym
(:func:`pseudonymise_filter_value`) instead. :meth:`AuditLog.record` rejects filter values that look like a raw
NIK or phone number.
"""

from __future__ import annotations

import argparse
import fcntl
import getpass
import hashlib
import hmac
import json
import os
import re
import socket
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from satupekerja.privacy.pseudonyms import (
    DEMO_MODE,
    KEY_ENV,
    MIN_KEY_BYTES,
    MODE_ENV,
    PRODUCTION_MODE,
    PrivacyConfigError,
    PseudonymisationKey,
    hmac_pseudonym,
)

if TYPE_CHECKING:
    from satupekerja.settings import Settings

from satupekerja.settings import AUDIT_KEY_ENV, AUDIT_LOG_ENV

AUDIT_SUBDIR = "_audit"
AUDIT_FILE = "audit.jsonl"
HEAD_SUFFIX = ".head.json"
DEMO_AUDIT_KEY = b"satupekerja-demo-audit-key: demo only; production sets SATUPEKERJA_AUDIT_KEY"
INTENT, DONE = "intent", "done"
GENESIS_HASH = "0" * 64
FILE_MODE = 0o600
DIR_MODE = 0o700
# A number standing alone (not inside a hex pseudonym), dashes allowed, shaped like a personal identifier:
# NIK or KK (16 digits), JKN card (13 digits from 000), KPJ (11 digits), mobile phone (08…, 628…, +628…).
# Region codes (32.76.03.1010), dates (2026-11-21) and compact timestamps (20261121153000) do not qualify.
_STANDALONE_NUMBER = re.compile(r"(?<![0-9A-Za-z])\+?\d[\d\-]*\d(?![0-9A-Za-z])")
_IDENTIFIER_SHAPE = re.compile(r"\d{16}|000\d{10}|\d{11}|(?:62|0)8\d{7,11}")


class AuditError(ValueError):
    """The audit log cannot be written or read: the action it would record is refused. No personal data."""


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log. ``entry_hash`` is the HMAC-SHA256 (audit key) of every other field."""

    sequence: int
    timestamp: str
    action: str
    requested_by: str
    os_user: str
    hostname: str
    command: str
    filters: dict
    row_count: int
    output_file: str | None
    output_sha256: str | None
    phase: str
    subjects: list
    previous_hash: str
    entry_hash: str

    def expected_hash(self, key: bytes) -> str:
        """The HMAC this entry should carry, recomputed from its other fields."""
        fields = asdict(self)
        del fields["entry_hash"]
        return _hmac_text(key, _canonical_json(fields))


def default_audit_path(warehouse_dir: Path, configured: Path | str | None = None, mode: str = DEMO_MODE) -> Path:
    """``<warehouse_dir>/_audit/audit.jsonl``. ``configured`` (``$SATUPEKERJA_AUDIT_LOG``) moves it in demo mode;
    in production it must name that same file (the location is a deployment setting)."""
    deployed = Path(warehouse_dir) / AUDIT_SUBDIR / AUDIT_FILE
    if not configured:
        return deployed
    if _mode(mode) == PRODUCTION_MODE and Path(configured).resolve() != deployed.resolve():
        raise AuditError(
            f"{AUDIT_LOG_ENV} tidak boleh mengganti lokasi log audit di mode produksi / cannot move the "
            f"audit log in production mode (it is {deployed})"
        )
    return Path(configured)


def audit_key(mode: str = DEMO_MODE, configured_key: str | None = None, pseudonym_key: str | None = None) -> bytes:
    """The key of the audit chain: ``configured_key`` (``$SATUPEKERJA_AUDIT_KEY``: hex or text, at least 32 bytes),
    which must differ from the pseudonym key (``$SATUPEKERJA_HMAC_KEY``). Demo mode without it uses a published
    demo key; production refuses to run without it."""
    configured = (configured_key or "").strip()
    if not configured:
        if _mode(mode) == PRODUCTION_MODE:
            raise PrivacyConfigError(
                f"{MODE_ENV}=production needs {AUDIT_KEY_ENV} (a secret of at least "
                f"{MIN_KEY_BYTES} bytes, not the pseudonym key {KEY_ENV})"
            )
        return DEMO_AUDIT_KEY
    secret = bytes.fromhex(configured) if re.fullmatch(r"(?:[0-9a-fA-F]{2})+", configured) else configured.encode()
    if len(secret) < MIN_KEY_BYTES:
        raise PrivacyConfigError(f"{AUDIT_KEY_ENV} is too short: at least {MIN_KEY_BYTES} bytes needed")
    if configured == (pseudonym_key or "").strip():
        raise PrivacyConfigError(f"{AUDIT_KEY_ENV} must differ from the pseudonym key {KEY_ENV}")
    return secret


def _mode(mode: str) -> str:
    return mode.strip().lower() or DEMO_MODE


def pseudonymise_filter_value(value: str, key: PseudonymisationKey) -> str:
    """The HMAC pseudonym to log instead of a personal value (``show --nik`` logs ``{"nik_hmac": …}``).

    Equal to :func:`satupekerja.privacy.pseudonyms.hmac_pseudonym` of the same value, so an auditor holding the key can
    find every request about one person.
    """
    return hmac_pseudonym(pd.Series([value], dtype="str"), key).iloc[0]


class AuditLog:
    """Append-only, hash-chained JSON-lines audit log. Safe for concurrent writers (``flock``)."""

    def __init__(self, path: Path, key: bytes = DEMO_AUDIT_KEY) -> None:
        self.path = Path(path)
        self.key = key

    @classmethod
    def from_settings(cls, settings: Settings, path: Path | None = None) -> AuditLog:
        """The configured log (or the one at ``path``) under the configured key, checked for the mode."""
        located = (
            Path(path)
            if path is not None
            else default_audit_path(settings.warehouse_dir, settings.audit_log, settings.mode)
        )
        return cls(located, audit_key(settings.mode, settings.audit_key, settings.hmac_key))

    @property
    def head_path(self) -> Path:
        return self.path.with_name(self.path.name + HEAD_SUFFIX)

    def record(
        self,
        action: str,
        *,
        requested_by: str | None,
        command: str,
        filters: Mapping[str, object],
        row_count: int,
        output_file: Path | None,
        phase: str = DONE,
        subjects: Sequence[str] = (),
    ) -> AuditEntry:
        """Append one entry and ``fsync`` it. ``requested_by`` defaults to the OS user.

        Raises :class:`AuditError` (one line, no personal data) when the entry cannot be written: the caller
        must then refuse the action it was about to take.
        """
        try:
            _reject_raw_identifiers(filters)
            return self._append(action, requested_by, command, filters, row_count, output_file, phase, subjects)
        except AuditError:
            raise
        except ValueError as error:
            raise AuditError(f"log audit {self.path}: entri ditolak / entry refused: {error}") from None
        except OSError as error:
            raise AuditError(
                f"log audit {self.path} tidak dapat ditulis / cannot be written "
                f"({error.strerror or type(error).__name__}); tindakan dibatalkan / action refused"
            ) from None

    def _append(self, action, requested_by, command, filters, row_count, output_file, phase, subjects) -> AuditEntry:
        os_user = _os_user()
        self.path.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        descriptor = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, FILE_MODE)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            os.fchmod(descriptor, FILE_MODE)
            try:
                previous = _last_entry(descriptor)
            except (ValueError, TypeError):
                raise AuditError(
                    f"log audit {self.path}: baris terakhir rusak / the last line is damaged; run "
                    "`python -m satupekerja.privacy.audit verify`; tindakan dibatalkan / action refused"
                ) from None
            fields = {
                "sequence": 0 if previous is None else previous.sequence + 1,
                "timestamp": datetime.now(UTC).isoformat(timespec="microseconds"),
                "action": action,
                "requested_by": requested_by or os_user,
                "os_user": os_user,
                "hostname": socket.gethostname(),
                "command": command,
                "filters": json.loads(_canonical_json(dict(filters))),
                "row_count": int(row_count),
                "output_file": None if output_file is None else str(output_file),
                "output_sha256": (
                    file_sha256(Path(output_file))
                    if output_file is not None and phase == DONE and Path(output_file).is_file()
                    else None
                ),
                "phase": phase,
                "subjects": sorted({str(subject) for subject in subjects}),
                "previous_hash": GENESIS_HASH if previous is None else previous.entry_hash,
            }
            entry = AuditEntry(**fields, entry_hash=_hmac_text(self.key, _canonical_json(fields)))
            os.write(descriptor, (_canonical_json(asdict(entry)) + "\n").encode("utf-8"))
            os.fsync(descriptor)
            self._write_head(entry)
        finally:
            os.close(descriptor)
        return entry

    def _write_head(self, entry: AuditEntry) -> None:
        """The recorded head (sequence and hash of the last entry), replaced atomically."""
        temporary = self.head_path.with_name(self.head_path.name + ".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        try:
            os.write(descriptor, _canonical_json({"sequence": entry.sequence, "entry_hash": entry.entry_hash}).encode())
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        os.replace(temporary, self.head_path)

    def recorded_head(self) -> dict | None:
        try:
            return json.loads(self.head_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except ValueError:
            return {"sequence": -1, "entry_hash": "unreadable"}

    def entries(self) -> pd.DataFrame:
        """Every entry, oldest first; ``filters`` as canonical JSON text."""
        rows = [asdict(entry) for entry in self._read()]
        frame = pd.DataFrame(rows, columns=list(AuditEntry.__dataclass_fields__))
        frame["filters"] = frame["filters"].map(_canonical_json).astype("str")
        frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
        return frame.astype({"sequence": "int64", "row_count": "int64"})

    def first_invalid_line(self) -> int | None:
        """Line number (1-based) of the first entry that breaks the chain or does not parse; ``None`` if intact."""
        previous_hash, expected_sequence = GENESIS_HASH, 0
        for line_number, line in enumerate(self._lines(), start=1):
            try:
                entry = AuditEntry(**json.loads(line))
            except (ValueError, TypeError):
                return line_number
            if (
                entry.previous_hash != previous_hash
                or entry.sequence != expected_sequence
                or not hmac.compare_digest(entry.entry_hash, entry.expected_hash(self.key))
            ):
                return line_number
            previous_hash, expected_sequence = entry.entry_hash, expected_sequence + 1
        return None

    def verify(self, head: str | None = None) -> bool:
        """True when the log exists, every entry's HMAC and link check out, and its last entry is the recorded
        head (``audit.head.json``, and ``head`` when given): a missing or truncated log fails."""
        return self.problem(head) is None

    def problem(self, head: str | None = None) -> str | None:
        """Why the log does not verify, in one line; None when it does."""
        recorded = self.recorded_head()
        if not self.path.exists():
            return "log audit tidak ada / the audit log is missing" + (
                f" (its recorded head is entry {recorded['sequence']})" if recorded else ""
            )
        broken = self.first_invalid_line()
        if broken is not None:
            return f"BROKEN at line {broken} (edited, inserted, deleted or unreadable entry, or another audit key)"
        last = self.head_hash()
        count = sum(1 for _ in self._lines())
        if recorded is None and count:
            return "the recorded head (audit.head.json) is missing"
        if recorded is not None and (recorded.get("entry_hash") != last or recorded.get("sequence") != count - 1):
            return (
                f"TRUNCATED or rolled back: the log ends at entry {count - 1}, the recorded head is entry "
                f"{recorded.get('sequence')}"
            )
        if head is not None and head != last and head not in {entry.entry_hash for entry in self._read()}:
            return "the given head hash is not in the log (truncated or replaced)"
        return None

    def head_hash(self) -> str:
        """The last entry's hash (the genesis hash for an empty log): anchor it elsewhere to detect truncation."""
        entries = list(self._read())
        return entries[-1].entry_hash if entries else GENESIS_HASH

    def _lines(self) -> Iterator[str]:
        if not self.path.exists():
            return
        with self.path.open(encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    yield line

    def _read(self) -> Iterator[AuditEntry]:
        for line in self._lines():
            yield AuditEntry(**json.loads(line))


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _reject_raw_identifiers(filters: Mapping[str, object]) -> None:
    suspicious = sorted(name for name, value in filters.items() if _holds_raw_identifier(str(value)))
    if suspicious:
        raise ValueError(
            f"audit filters {suspicious} look like raw NIK, KK, card or phone numbers; "
            "log satupekerja.privacy.audit.pseudonymise_filter_value(...) instead"
        )


def _holds_raw_identifier(text: str) -> bool:
    return any(
        _IDENTIFIER_SHAPE.fullmatch(re.sub(r"\D", "", number.group())) for number in _STANDALONE_NUMBER.finditer(text)
    )


def _last_entry(descriptor: int) -> AuditEntry | None:
    """The last line of the open log, read backwards from the end (the log only grows)."""
    size = os.lseek(descriptor, 0, os.SEEK_END)
    tail, position = b"", size
    while position > 0 and tail.rstrip(b"\n").count(b"\n") == 0:
        step = min(8192, position)
        position -= step
        tail = os.pread(descriptor, step, position) + tail
    last_line = tail.rstrip(b"\n").rsplit(b"\n", 1)[-1]
    return AuditEntry(**json.loads(last_line)) if last_line.strip() else None


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid:{os.getuid()}"


def _canonical_json(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _hmac_text(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m satupekerja.privacy.audit verify [--log PATH]``: exit 0 when the chain is intact, 1 when it is broken."""
    parser = argparse.ArgumentParser(prog="python -m satupekerja.privacy.audit", description="Check the audit log.")
    commands = parser.add_subparsers(dest="command", required=True)
    verify = commands.add_parser("verify", help="recompute every entry's hash and link")
    verify.add_argument("--log", type=Path, default=None, help="default: <warehouse>/_audit/audit.jsonl")
    verify.add_argument("--head", default=None, help="a head hash anchored elsewhere: it must be in the log")
    args = parser.parse_args(argv)
    from satupekerja.settings import Settings, SettingsError  # the command line is an edge

    try:
        log = AuditLog.from_settings(Settings.from_env(), args.log)
    except (AuditError, PrivacyConfigError, SettingsError) as error:
        print(f"Error: {error}")
        return 1
    problem = log.problem(args.head)
    if problem is not None:
        print(f"{log.path}: {problem}")
        return 1
    print(f"{log.path}: utuh / intact, {len(log.entries())} entries, head hash {log.head_hash()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
