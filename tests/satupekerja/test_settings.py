"""``Settings.from_env``: defaults, every override, and errors that name the variable without echoing secrets."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from satupekerja import settings as s
from satupekerja.settings import REPO_ROOT, Settings, SettingsError


def test_defaults_when_nothing_is_set() -> None:
    settings = Settings.from_env({})
    assert settings == Settings()
    assert settings.data_dir == REPO_ROOT / "sample_data" / "demo"
    assert settings.contracts_dir == REPO_ROOT / "data_contracts"
    assert settings.matching_settings == REPO_ROOT / "data_contracts" / "matching" / "depok.yaml"
    assert settings.employment_model == REPO_ROOT / "data_contracts" / "employment" / "depok.yaml"
    assert settings.first_snapshot_date == dt.date(2026, 1, 1)
    assert settings.warehouse_dir == REPO_ROOT / "warehouse"
    assert settings.asset_storage_dir is None
    assert settings.export_dir == REPO_ROOT / "exports"
    assert settings.mode == "demo" and settings.hmac_key is None and settings.audit_key is None
    assert settings.audit_log_path == REPO_ROOT / "warehouse" / "_audit" / "audit.jsonl"
    assert settings.subject_requests_path == REPO_ROOT / "data_contracts" / "subject_requests.csv"
    assert settings.retention_days == 400
    assert (settings.max_row_drop_fraction, settings.max_quarantine_fraction) == (0.2, 0.05)
    assert settings.automation is False and settings.dagster_url == ""
    assert settings.web_db_url is None and settings.web_secret is None
    assert settings.web_session_minutes == 30 and settings.web_secure_cookie is False
    assert settings.given == frozenset()


def test_repo_root_is_the_checkout() -> None:
    assert (REPO_ROOT / "pyproject.toml").is_file() and (REPO_ROOT / "satupekerja").is_dir()


def test_every_variable_overrides_its_setting(tmp_path: Path) -> None:
    environ = {
        s.DATA_DIR_ENV: str(tmp_path / "inbox"),
        s.CONTRACTS_DIR_ENV: str(tmp_path / "contracts"),
        s.MATCHING_SETTINGS_ENV: str(tmp_path / "m.yaml"),
        s.EMPLOYMENT_MODEL_ENV: str(tmp_path / "e.yaml"),
        "SATUPEKERJA_SOURCE_BPJS_KESEHATAN_PATH": "bpjs/*.csv",
        "SATUPEKERJA_SOURCE_DUKCAPIL_URL": "sqlite:///x.db",
        s.FIRST_SNAPSHOT_ENV: " 2025-06-30 ",
        s.WAREHOUSE_DIR_ENV: str(tmp_path / "wh"),
        s.ASSET_STORAGE_ENV: str(tmp_path / "storage"),
        s.EXPORT_DIR_ENV: str(tmp_path / "exports"),
        s.MODE_ENV: "Production",
        s.HMAC_KEY_ENV: "k" * 40,
        s.AUDIT_LOG_ENV: str(tmp_path / "audit.jsonl"),
        s.AUDIT_KEY_ENV: "a" * 40,
        s.RETENTION_DAYS_ENV: "30",
        s.SUBJECT_REQUESTS_ENV: str(tmp_path / "req.csv"),
        s.GUARD_ROW_DROP_ENV: "0.5",
        s.GUARD_QUARANTINE_ENV: "0.1",
        s.AUTOMATION_ENV: "on",
        s.DAGSTER_URL_ENV: "http://dagster:3000/",
        s.WEB_DB_ENV: "sqlite:///web.db",
        s.WEB_SECRET_ENV: "s" * 32,
        s.WEB_SESSION_MINUTES_ENV: "15",
        s.WEB_SECURE_COOKIE_ENV: "1",
        s.DAGSTER_HOME_ENV: str(tmp_path / "dh"),
        "PATH": "/usr/bin",
    }
    settings = Settings.from_env(environ)
    assert settings.data_dir == tmp_path / "inbox"
    assert settings.contracts_dir == tmp_path / "contracts"
    assert settings.matching_settings == tmp_path / "m.yaml"
    assert settings.employment_model == tmp_path / "e.yaml"
    assert settings.source_paths == {"bpjs_kesehatan": "bpjs/*.csv"}
    assert settings.source_urls == {"dukcapil": "sqlite:///x.db"}
    assert settings.first_snapshot_date == dt.date(2025, 6, 30)
    assert settings.warehouse_dir == (tmp_path / "wh").resolve()
    assert settings.asset_storage_dir == tmp_path / "storage"
    assert settings.export_dir == tmp_path / "exports"
    assert settings.mode == "production"
    assert settings.hmac_key == "k" * 40 and settings.audit_key == "a" * 40
    assert settings.audit_log_path == tmp_path / "audit.jsonl"
    assert settings.retention_days == 30
    assert settings.subject_requests_path == tmp_path / "req.csv"
    assert (settings.max_row_drop_fraction, settings.max_quarantine_fraction) == (0.5, 0.1)
    assert settings.automation is True
    assert settings.dagster_url == "http://dagster:3000"
    assert settings.web_db_url == "sqlite:///web.db" and settings.web_secret == "s" * 32
    assert settings.web_session_minutes == 15 and settings.web_secure_cookie is True
    assert settings.dagster_home == tmp_path / "dh"
    assert settings.is_given(s.DATA_DIR_ENV) and not settings.is_given("PATH")


def test_empty_variables_keep_the_defaults() -> None:
    assert Settings.from_env({s.DATA_DIR_ENV: "", s.MODE_ENV: "", s.AUTOMATION_ENV: ""}) == Settings()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        (s.FIRST_SNAPSHOT_ENV, "30/06/2025"),
        (s.MODE_ENV, "staging"),
        (s.RETENTION_DAYS_ENV, "0"),
        (s.RETENTION_DAYS_ENV, "ten"),
        (s.GUARD_ROW_DROP_ENV, "lots"),
        (s.GUARD_QUARANTINE_ENV, "1.5"),
        (s.AUTOMATION_ENV, "maybe"),
        (s.WEB_SESSION_MINUTES_ENV, "-5"),
    ],
)
def test_a_bad_value_names_its_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})


def test_secrets_appear_neither_in_errors_nor_in_repr() -> None:
    secrets = {
        s.HMAC_KEY_ENV: "hmac-secret-value-123",
        s.AUDIT_KEY_ENV: "audit-secret-456",
        s.WEB_SECRET_ENV: "web-789",
    }
    with pytest.raises(SettingsError) as raised:
        Settings.from_env({**secrets, s.MODE_ENV: "bogus"})
    text = repr(Settings.from_env(secrets)) + str(raised.value)
    assert not any(secret in text for secret in secrets.values())


def test_a_child_environment_is_the_process_environment_with_the_changes(monkeypatch) -> None:
    monkeypatch.setenv(s.FIRST_SNAPSHOT_ENV, "2025-01-01")
    monkeypatch.setenv("PATH", "/usr/bin")
    env = s.child_environment({s.DATA_DIR_ENV: "/inbox", s.FIRST_SNAPSHOT_ENV: None, "UNSET_VARIABLE": None})
    assert env[s.DATA_DIR_ENV] == "/inbox" and env["PATH"] == "/usr/bin"
    assert s.FIRST_SNAPSHOT_ENV not in env and "UNSET_VARIABLE" not in env
    assert Settings.from_env(env).data_dir == Path("/inbox")
