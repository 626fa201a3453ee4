"""The audit trail of who exported or removed what (UU 27/2022 accountability).

One JSON object per line, append-only, ``fsync``-ed, readable by the owner only (``0o600``). Every entry carries
the hash of the entry before it, so editing, inserting or deleting an entry breaks the chain
(:meth:`AuditLog.verify`). Deleting entries *at the end* leaves a valid shorter chain: anchor
:meth:`AuditLog.head_hash` somewhere else (a report, a ticket) to detect that too.

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
import json
import os
import re
import socket
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from satupekerja.privacy import PseudonymisationKey, hmac_pseudonym
from satupekerja.warehouse import default_warehouse_dir

AUDIT_LOG_ENV = "SATUPEKERJA_AUDIT_LOG"
AUDIT_SUBDIR = "_audit"
AUDIT_FILE = "audit.jsonl"
GENESIS_HASH = "0" * 64
FILE_MODE = 0o600
DIR_MODE = 0o700
# A number standing alone (not inside a hex pseudonym), dashes allowed, shaped like a personal identifier:
# NIK or KK (16 digits), JKN card (13 digits from 000), KPJ (11 digits), mobile phone (08…, 628…, +628…).
# Region codes (32.76.03.1010), dates (2026-11-21) and compact timestamps (20261121153000) do not qualify.
_STANDALONE_NUMBER = re.compile(r"(?<![0-9A-Za-z])\+?\d[\d\-]*\d(?![0-9A-Za-z])")
_IDENTIFIER_SHAPE = re.compile(r"\d{16}|000\d{10}|\d{11}|(?:62|0)8\d{7,11}")


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log. ``entry_hash`` is the SHA-256 of every other field (canonical JSON)."""

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
    previous_hash: str
    entry_hash: str

    def expected_hash(self) -> str:
        """The hash this entry should carry, recomputed from its other fields."""
        fields = asdict(self)
        del fields["entry_hash"]
        return _sha256_text(_canonical_json(fields))


def default_audit_path() -> Path:
    """``$SATUPEKERJA_AUDIT_LOG``, else ``<warehouse>/_audit/audit.jsonl`` (warehouse as ``Warehouse()`` finds it)."""
    configured = os.environ.get(AUDIT_LOG_ENV)
    return Path(configured) if configured else default_warehouse_dir() / AUDIT_SUBDIR / AUDIT_FILE


def pseudonymise_filter_value(value: str, key: PseudonymisationKey) -> str:
    """The HMAC pseudonym to log instead of a personal value (``show --nik`` logs ``{"nik_hmac": …}``).

    Equal to :func:`satupekerja.privacy.hmac_pseudonym` of the same value, so an auditor holding the key can
    find every request about one person.
    """
    return hmac_pseudonym(pd.Series([value], dtype="str"), key).iloc[0]


class AuditLog:
    """Append-only, hash-chained JSON-lines audit log. Safe for concurrent writers (``flock``)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_audit_path()

    def record(
        self,
        action: str,
        *,
        requested_by: str | None,
        command: str,
        filters: Mapping[str, object],
        row_count: int,
        output_file: Path | None,
    ) -> AuditEntry:
        """Append one entry and ``fsync`` it. ``requested_by`` defaults to the OS user."""
        _reject_raw_identifiers(filters)
        os_user = _os_user()
        self.path.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        descriptor = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, FILE_MODE)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            os.fchmod(descriptor, FILE_MODE)
            previous = _last_entry(descriptor)
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
                "output_sha256": None if output_file is None else file_sha256(Path(output_file)),
                "previous_hash": GENESIS_HASH if previous is None else previous.entry_hash,
            }
            entry = AuditEntry(**fields, entry_hash=_sha256_text(_canonical_json(fields)))
            os.write(descriptor, (_canonical_json(asdict(entry)) + "\n").encode("utf-8"))
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        return entry

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
                or entry.entry_hash != entry.expected_hash()
            ):
                return line_number
            previous_hash, expected_sequence = entry.entry_hash, expected_sequence + 1
        return None

    def verify(self) -> bool:
        """True when every entry's hash and link to the previous entry check out (an absent log is intact)."""
        return self.first_invalid_line() is None

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
            "log satupekerja.audit.pseudonymise_filter_value(...) instead"
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


def _sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m satupekerja.audit verify [--log PATH]``: exit 0 when the chain is intact, 1 when it is broken."""
    parser = argparse.ArgumentParser(prog="python -m satupekerja.audit", description="Check the audit log.")
    commands = parser.add_subparsers(dest="command", required=True)
    verify = commands.add_parser("verify", help="recompute every entry's hash and link")
    verify.add_argument(
        "--log", type=Path, default=None, help="default: $SATUPEKERJA_AUDIT_LOG, else <warehouse>/_audit/audit.jsonl"
    )
    args = parser.parse_args(argv)
    log = AuditLog(args.log)
    broken = log.first_invalid_line()
    if broken is not None:
        print(f"{log.path}: BROKEN at line {broken} (edited, inserted, deleted or unreadable entry)")
        return 1
    print(f"{log.path}: intact, {len(log.entries())} entries, head hash {log.head_hash()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
