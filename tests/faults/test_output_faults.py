"""Faults of what the project writes and of the people using it: formulas in the data, file permissions, the
audit trail, look-ups of ids that are not there, the demo key, a run killed mid-way, per-file shrink."""

from __future__ import annotations

import json
import signal
import stat
import subprocess
import sys
from types import SimpleNamespace

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from satupekerja.privacy.audit import AuditError, AuditLog
from satupekerja.privacy.audit import main as audit_main
from satupekerja.publishing.guards import GuardSettings, SnapshotStats, SourceStats, row_count_stable
from satupekerja.settings import Settings
from satupekerja.staff import checklist, exports
from satupekerja.staff.cli import app
from tests.faults.conftest import SNAPSHOT, no_personal_values

runner = CliRunner()
FORMULAS = [
    '=HYPERLINK("http://example.invalid/x","KARYAWAN SWASTA")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.fixture
def env(first_night, tmp_path, monkeypatch):
    monkeypatch.setenv("SATUPEKERJA_WAREHOUSE_DIR", str(first_night.warehouse))
    monkeypatch.setenv("SATUPEKERJA_AUDIT_LOG", str(tmp_path / "audit" / "audit.jsonl"))
    monkeypatch.setenv("SATUPEKERJA_EXPORT_DIR", str(tmp_path / "exports"))
    monkeypatch.delenv("SATUPEKERJA_MODE", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    return tmp_path


def entries(env) -> list[dict]:
    path = env / "audit" / "audit.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


# -- fault 3: formulas in the data ---------------------------------------------------------------------------


def formula_table() -> pd.DataFrame:
    table = pd.DataFrame({header: ["x"] * len(FORMULAS) for header in exports.HEADERS})
    table["Nama"] = FORMULAS
    table["Sektor"] = FORMULAS[::-1]
    table["Kelurahan"] = "Beji"
    table["Kecamatan"] = "Beji"
    return table


def test_csv_export_neutralises_every_formula_prefix(tmp_path):
    path = exports.write_csv(formula_table(), tmp_path / "out" / "list.csv")
    import csv

    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(FORMULAS)
    for column in ("Nama", "Sektor"):
        assert all(row[column].startswith("'") for row in rows)


def test_xlsx_export_writes_formulas_as_text_cells(tmp_path):
    path = exports.write_xlsx(formula_table(), tmp_path / "out" / "list.xlsx", [("Daftar", "=1+1")])
    workbook = openpyxl.load_workbook(path)
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert cells and all(cell.data_type != "f" for cell in cells)
    assert not any(
        isinstance(cell.value, str) and cell.value.startswith(("=", "+", "@", "-", "\t", "\r")) for cell in cells
    )


def test_check_list_results_never_write_formulas_back(tmp_path):
    rows = pd.DataFrame({"Nama": FORMULAS, "Status BPJS TK": "tidak ditemukan"})
    for suffix in ("csv", "xlsx"):
        path = checklist.write_checked(rows, tmp_path / f"hasil.{suffix}")
        if suffix == "csv":
            import csv

            with path.open(encoding="utf-8-sig", newline="") as handle:
                assert all(row["Nama"].startswith("'") for row in csv.DictReader(handle))
        else:
            sheet = openpyxl.load_workbook(path).active
            assert all(cell.data_type == "s" for row in sheet.iter_rows(min_row=2) for cell in row)


# -- fault 9: permissions ------------------------------------------------------------------------------------


def test_exports_and_results_are_owner_only(env):
    result = runner.invoke(app, ["export", "uncovered", "--kecamatan", "Beji", "--format", "csv"])
    assert result.exit_code == 0, result.output
    [path] = (env / "exports").glob("*.csv")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((env / "exports").stat().st_mode) == 0o700
    written = checklist.write_checked(pd.DataFrame({"a": ["b"]}), env / "new" / "deep" / "hasil.xlsx")
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert stat.S_IMODE((env / "new").stat().st_mode) == 0o700


# -- fault 7: audit first ------------------------------------------------------------------------------------


def test_an_export_is_refused_without_a_file_when_the_audit_log_cannot_be_written(env):
    (env / "audit").mkdir()
    (env / "audit" / "audit.jsonl").mkdir()  # the log's path is a folder: it cannot be appended to
    result = runner.invoke(app, ["export", "uncovered", "--kecamatan", "Beji"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "tidak dapat ditulis" in result.output
    assert not list((env / "exports").glob("*.xlsx"))


def test_an_export_is_refused_when_the_last_audit_line_is_damaged(env):
    assert runner.invoke(app, ["export", "uncovered", "--kecamatan", "Beji"]).exit_code == 0
    log = env / "audit" / "audit.jsonl"
    log.write_text(log.read_text()[:-20])
    for path in (env / "exports").glob("*"):
        path.unlink()
    result = runner.invoke(app, ["export", "uncovered", "--kecamatan", "Sawangan"])
    assert result.exit_code == 1 and "rusak" in result.output
    assert not list((env / "exports").glob("*"))


def test_an_export_records_its_intent_before_the_file_and_its_hash_after(env):
    assert runner.invoke(app, ["export", "uncovered", "--kecamatan", "Beji"]).exit_code == 0
    intent, done = entries(env)
    assert (intent["phase"], done["phase"]) == ("intent", "done")
    assert intent["output_sha256"] is None and len(done["output_sha256"]) == 64


def test_an_entry_rewritten_without_the_audit_key_fails_verify(env):
    from satupekerja.privacy.audit import AuditEntry

    for kecamatan in ("Beji", "Limo"):
        assert runner.invoke(app, ["export", "uncovered", "--kecamatan", kecamatan]).exit_code == 0
    log = env / "audit" / "audit.jsonl"
    lines = log.read_text().splitlines()
    forged = json.loads(lines[1])
    forged["requested_by"] = "someone.else"
    import hashlib

    fields = {k: v for k, v in forged.items() if k != "entry_hash"}
    forged["entry_hash"] = hashlib.sha256(
        json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()
    lines[1] = json.dumps(AuditEntry(**forged).__dict__)
    log.write_text("\n".join(lines) + "\n")
    assert audit_main(["verify", "--log", str(log)]) == 1


def test_a_missing_or_truncated_audit_log_fails_verify(env, capsys):
    for kecamatan in ("Beji", "Limo"):
        assert runner.invoke(app, ["export", "uncovered", "--kecamatan", kecamatan]).exit_code == 0
    log = env / "audit" / "audit.jsonl"
    assert audit_main(["verify", "--log", str(log)]) == 0
    log.write_text("".join(log.read_text().splitlines(keepends=True)[:2]))  # the last two entries removed
    assert audit_main(["verify", "--log", str(log)]) == 1
    assert "TRUNCATED" in capsys.readouterr().out
    log.unlink()
    assert audit_main(["verify", "--log", str(log)]) == 1
    assert "missing" in capsys.readouterr().out


def test_the_audit_log_cannot_be_moved_per_command_in_production(env, monkeypatch):
    monkeypatch.setenv("SATUPEKERJA_MODE", "production")
    monkeypatch.setenv("SATUPEKERJA_HMAC_KEY", "ab" * 32)
    monkeypatch.setenv("SATUPEKERJA_AUDIT_KEY", "cd" * 32)
    with pytest.raises(AuditError, match="production"):
        AuditLog.from_settings(Settings.from_env())


def test_production_needs_an_audit_key_separate_from_the_pseudonym_key(env, monkeypatch):
    from satupekerja.privacy.pseudonyms import PrivacyConfigError

    monkeypatch.delenv("SATUPEKERJA_AUDIT_LOG")
    monkeypatch.setenv("SATUPEKERJA_MODE", "production")
    monkeypatch.setenv("SATUPEKERJA_HMAC_KEY", "ab" * 32)
    with pytest.raises(PrivacyConfigError, match="SATUPEKERJA_AUDIT_KEY"):
        AuditLog.from_settings(Settings.from_env())
    monkeypatch.setenv("SATUPEKERJA_AUDIT_KEY", "ab" * 32)
    with pytest.raises(PrivacyConfigError, match="differ"):
        AuditLog.from_settings(Settings.from_env())


# -- fault 8: show -------------------------------------------------------------------------------------------


def test_show_an_unknown_id_is_one_line_and_non_zero(env):
    result = runner.invoke(app, ["show", "W000000ZZZZZZ"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1 and "tidak ditemukan" in result.output


def test_show_a_nik_typed_as_an_id_is_one_line_and_never_logged(env, first_night, scanner):
    nik = Warehouse_read(first_night, "unified_workers")["nik"].dropna().iloc[0]
    result = runner.invoke(app, ["show", nik])
    assert result.exit_code == 1 and "--nik" in result.output and nik not in result.output
    no_personal_values(scanner, json.dumps(entries(env)))


def test_show_follows_a_merged_id_through_the_id_history(env, first_night, monkeypatch):
    from satupekerja.staff import cli

    current = Warehouse_read(first_night, "unified_workers")["worker_id"].iloc[0]
    history = pd.DataFrame(
        {
            "event_date": [pd.Timestamp(SNAPSHOT)],
            "worker_id": ["W991231ZZZZZZ"],
            "event": ["merged_into"],
            "related_worker_id": [current],
            "records": [1],
        }
    )
    original = cli.read_optional
    monkeypatch.setattr(
        cli, "read_optional", lambda w, table, *a: history if table == cli.HISTORY else original(w, table, *a)
    )
    result = runner.invoke(app, ["show", "W991231ZZZZZZ"])
    assert result.exit_code == 0, result.output
    assert f"W991231ZZZZZZ was merged into {current}" in result.output


def Warehouse_read(night, table: str) -> pd.DataFrame:
    from satupekerja.publishing.warehouse import RESTRICTED, Warehouse

    return Warehouse(night.warehouse).read(table, SNAPSHOT, RESTRICTED)


# -- fault 11: check-list records who was looked up ----------------------------------------------------------


def test_check_list_records_the_pseudonyms_of_the_people_it_looked_up(env, first_night, scanner):
    unified = Warehouse_read(first_night, "unified_workers")
    people = unified[unified["nik"].notna()].head(3)
    listed = env / "081234567890.csv"  # a file name that looks like a phone number
    pd.DataFrame({"Nama": people["name"], "NIK": people["nik"]}).to_csv(listed, index=False)
    result = runner.invoke(app, ["check-list", str(listed)])
    assert result.exit_code == 0, result.output
    intent, done = entries(env)
    assert intent["phase"] == "intent" and len([s for s in intent["subjects"] if s.startswith("nik:")]) == 3
    assert intent["filters"]["list_file"].startswith("pseudonym:")
    no_personal_values(scanner, json.dumps([intent, done]))


# -- fault 11: a run killed mid-way --------------------------------------------------------------------------


def test_a_killed_run_worker_is_reported_failed_by_the_launcher(tmp_path):
    from dagster._core.launcher import WorkerStatus

    from pipelines.run_launcher import LocalRunLauncher

    worker = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    launcher = LocalRunLauncher()

    def event(pid):
        data = SimpleNamespace(engine_event_data=SimpleNamespace(metadata={"pid": SimpleNamespace(value=str(pid))}))
        entry = SimpleNamespace(user_message=f"Started process for run (pid: {pid}).", dagster_event=data)
        return SimpleNamespace(event_log_entry=entry)

    instance = SimpleNamespace(get_records_for_run=lambda run_id, of_type: SimpleNamespace(records=[event(worker.pid)]))
    launcher._instance_weakref = None
    launcher.__dict__["_instance_override"] = instance
    type(launcher)._instance = property(lambda self: self.__dict__.get("_instance_override"))
    run = SimpleNamespace(run_id="r1")
    try:
        assert launcher.check_run_worker_health(run).status == WorkerStatus.RUNNING
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    health = launcher.check_run_worker_health(run)
    assert health.status == WorkerStatus.FAILED and str(worker.pid) in health.msg


# -- fault 4: the shrink guard compares an optional list source file by file --------------------------------


def test_the_shrink_guard_compares_community_lists_file_by_file():
    def stats(day, files):
        entries = {
            f"komunitas/{name}": SourceStats(rows=rows, required=False, file_of="komunitas")
            for name, rows in files.items()
        }
        entries["komunitas"] = SourceStats(rows=sum(files.values()), required=False)
        return SnapshotStats(day, entries)

    before = stats(SNAPSHOT, {"a": 20, "b": 20, "c": 94})
    dropped_file = stats(SNAPSHOT, {"a": 20, "b": 20})  # c empty tonight: dropped, like an optional source gone
    assert row_count_stable(dropped_file, before, GuardSettings()).passed
    shrunk_file = stats(SNAPSHOT, {"a": 20, "b": 5, "c": 94})  # b lost three quarters of its rows
    result = row_count_stable(shrunk_file, before, GuardSettings())
    assert not result.passed and "komunitas/b" in result.message
