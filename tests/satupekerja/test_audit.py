"""The audit log: entries, hash chain, tamper detection, permissions, no raw identifiers in filters."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pandas as pd
import pytest

from satupekerja.privacy.audit import (
    AUDIT_LOG_ENV,
    GENESIS_HASH,
    AuditEntry,
    AuditError,
    AuditLog,
    default_audit_path,
    file_sha256,
    main,
    pseudonymise_filter_value,
)
from satupekerja.privacy.pseudonyms import DEMO_KEY, hmac_pseudonym
from satupekerja.settings import WAREHOUSE_DIR_ENV, Settings


@pytest.fixture
def log(tmp_path: Path) -> AuditLog:
    return AuditLog(tmp_path / "warehouse" / "_audit" / "audit.jsonl")


def record_exports(log: AuditLog, tmp_path: Path, count: int) -> None:
    for number in range(count):
        output = tmp_path / f"export_{number}.csv"
        output.write_text(f"kelurahan;jumlah\n32.76.03.1010;{number}\n")
        log.record(
            "export",
            requested_by="petugas.beji" if number % 2 else None,
            command="satupekerja export uncovered",
            filters={"kecamatan": "32.76.03", "snapshot_date": "2026-11-21"},
            row_count=number * 10,
            output_file=output,
        )


def rewrite_line(path: Path, line_number: int, change) -> None:
    lines = path.read_text().splitlines()
    entry = json.loads(lines[line_number - 1])
    change(entry)
    lines[line_number - 1] = json.dumps(entry)
    path.write_text("\n".join(lines) + "\n")


def test_record_writes_who_when_what_and_the_output_checksum(log, tmp_path):
    output = tmp_path / "out.xlsx"
    output.write_bytes(b"exported bytes")
    entry = log.record(
        "export",
        requested_by="petugas.beji",
        command="satupekerja export",
        filters={"sector": "ojol"},
        row_count=42,
        output_file=output,
    )
    assert entry.requested_by == "petugas.beji"
    assert entry.os_user and entry.hostname
    assert entry.timestamp.endswith("+00:00")
    assert entry.output_sha256 == file_sha256(output)
    assert entry.sequence == 0 and entry.previous_hash == GENESIS_HASH
    frame = log.entries()
    assert frame["row_count"].tolist() == [42]
    assert json.loads(frame["filters"][0]) == {"sector": "ojol"}


def test_requested_by_defaults_to_the_os_user(log):
    entry = log.record("show", requested_by=None, command="satupekerja show", filters={}, row_count=1, output_file=None)
    assert entry.requested_by == entry.os_user
    assert entry.output_sha256 is None


def test_entries_are_chained_and_the_chain_verifies(log, tmp_path):
    record_exports(log, tmp_path, 4)
    frame = log.entries()
    assert frame["sequence"].tolist() == [0, 1, 2, 3]
    assert frame["previous_hash"].tolist()[1:] == frame["entry_hash"].tolist()[:-1]
    assert log.verify()
    assert log.head_hash() == frame["entry_hash"].iloc[-1]


def test_an_edited_entry_breaks_the_chain(log, tmp_path):
    record_exports(log, tmp_path, 4)
    rewrite_line(log.path, 2, lambda entry: entry.update(row_count=0))
    assert not log.verify()
    assert log.first_invalid_line() == 2


def test_an_edited_entry_with_a_recomputed_hash_is_caught_by_the_next_link(log, tmp_path):
    record_exports(log, tmp_path, 3)

    def forge(entry):
        entry["requested_by"] = "someone.else"
        entry["entry_hash"] = AuditEntry(**entry).expected_hash(log.key)

    rewrite_line(log.path, 2, forge)
    assert log.first_invalid_line() == 3


def test_an_entry_rehashed_without_the_audit_key_is_caught_at_once(log, tmp_path):
    record_exports(log, tmp_path, 3)

    def forge(entry):
        entry["requested_by"] = "someone.else"
        entry["entry_hash"] = AuditEntry(**entry).expected_hash(b"a guessed key that is not the audit key!")

    rewrite_line(log.path, 2, forge)
    assert log.first_invalid_line() == 2


def test_a_deleted_entry_breaks_the_chain(log, tmp_path):
    record_exports(log, tmp_path, 4)
    lines = log.path.read_text().splitlines()
    log.path.write_text("\n".join(lines[:1] + lines[2:]) + "\n")
    assert log.first_invalid_line() == 2


def test_an_absent_log_does_not_verify(log):
    assert not log.verify()
    assert "missing" in log.problem()
    assert log.entries().empty
    assert log.head_hash() == GENESIS_HASH


def test_appending_after_reopening_continues_the_chain(log, tmp_path):
    record_exports(log, tmp_path, 2)
    record_exports(AuditLog(log.path), tmp_path, 2)
    assert log.entries()["sequence"].tolist() == [0, 1, 2, 3]
    assert log.verify()


def test_the_log_is_readable_by_its_owner_only(log, tmp_path):
    record_exports(log, tmp_path, 1)
    assert stat.S_IMODE(log.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(log.path.parent.stat().st_mode) == 0o700


def test_loose_permissions_on_an_existing_log_are_tightened(log, tmp_path):
    record_exports(log, tmp_path, 1)
    log.path.chmod(0o644)
    record_exports(log, tmp_path, 1)
    assert stat.S_IMODE(log.path.stat().st_mode) == 0o600


@pytest.mark.parametrize("value", ["3276015708900001", "0812-3456-7890", "+6281234567890", ["3276015708900001"]])
def test_raw_identifiers_in_filters_are_refused(log, value):
    with pytest.raises(ValueError, match=r"\['nik'\]") as error:
        log.record(
            "show", requested_by=None, command="satupekerja show", filters={"nik": value}, row_count=1, output_file=None
        )
    assert "3276015708900001" not in str(error.value)
    assert not log.path.exists()


def test_pseudonymised_filters_region_codes_and_dates_are_accepted(log):
    nik_hmac = pseudonymise_filter_value("3276015708900001", DEMO_KEY)
    assert nik_hmac == hmac_pseudonym(pd.Series(["3276015708900001"], dtype="str"), DEMO_KEY)[0]
    log.record(
        "show",
        requested_by=None,
        command="satupekerja show",
        filters={"nik_hmac": nik_hmac, "kelurahan": "32.76.03.1010", "snapshot_date": "2026-11-21"},
        row_count=1,
        output_file=None,
    )
    assert "3276015708900001" not in log.path.read_text()
    assert log.verify()


def test_default_path_is_under_the_warehouse_and_overridable(tmp_path):
    assert default_audit_path(tmp_path) == tmp_path / "_audit" / "audit.jsonl"
    assert AuditLog.from_settings(Settings(warehouse_dir=tmp_path)).path == tmp_path / "_audit" / "audit.jsonl"
    assert default_audit_path(tmp_path, tmp_path / "a.jsonl") == tmp_path / "a.jsonl"
    settings = Settings.from_env({WAREHOUSE_DIR_ENV: str(tmp_path), AUDIT_LOG_ENV: str(tmp_path / "a.jsonl")})
    assert AuditLog.from_settings(settings).path == tmp_path / "a.jsonl"
    with pytest.raises(AuditError, match=AUDIT_LOG_ENV):
        default_audit_path(tmp_path, tmp_path / "a.jsonl", "production")


def test_the_verify_command_reports_an_intact_and_a_broken_log(log, tmp_path, capsys):
    record_exports(log, tmp_path, 3)
    assert main(["verify", "--log", str(log.path)]) == 0
    assert f"intact, 3 entries, head hash {log.head_hash()}" in capsys.readouterr().out
    rewrite_line(log.path, 2, lambda entry: entry.update(filters={}))
    assert main(["verify", "--log", str(log.path)]) == 1
    assert "BROKEN at line 2" in capsys.readouterr().out
