"""Every setting of Satu Pekerja, read once from the environment at the edge.

:meth:`Settings.from_env` is the one place that reads environment variables (``docs/architecture.md``,
"Settings: every environment variable"). The edges call it (the ``satupekerja`` CLI, ``python -m
satupekerja.web``, ``pipelines.definitions``, ``pipelines.run_local``, the benchmarks' ``main``) and hand the
values on as explicit arguments or Dagster resources; libraries never read the environment.

Errors name the variable and never echo a secret (keys are only checked for presence here; their content is
checked where they are used, by :mod:`satupekerja.privacy`, whose errors do not quote them either).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

#: The repository root: the one definition every module that needs a path inside the checkout uses.
REPO_ROOT = Path(__file__).resolve().parents[1]

DATA_DIR_ENV = "SATUPEKERJA_DATA_DIR"
CONTRACTS_DIR_ENV = "SATUPEKERJA_CONTRACTS_DIR"
MATCHING_SETTINGS_ENV = "SATUPEKERJA_MATCHING_SETTINGS"
EMPLOYMENT_MODEL_ENV = "SATUPEKERJA_EMPLOYMENT_MODEL"
FIRST_SNAPSHOT_ENV = "SATUPEKERJA_FIRST_SNAPSHOT_DATE"
WAREHOUSE_DIR_ENV = "SATUPEKERJA_WAREHOUSE_DIR"
ASSET_STORAGE_ENV = "SATUPEKERJA_ASSET_STORAGE_DIR"
EXPORT_DIR_ENV = "SATUPEKERJA_EXPORT_DIR"
MODE_ENV = "SATUPEKERJA_MODE"
HMAC_KEY_ENV = "SATUPEKERJA_HMAC_KEY"
AUDIT_LOG_ENV = "SATUPEKERJA_AUDIT_LOG"
AUDIT_KEY_ENV = "SATUPEKERJA_AUDIT_KEY"
RETENTION_DAYS_ENV = "SATUPEKERJA_RETENTION_DAYS"
SUBJECT_REQUESTS_ENV = "SATUPEKERJA_SUBJECT_REQUESTS"
GUARD_ROW_DROP_ENV = "SATUPEKERJA_GUARD_MAX_ROW_DROP_FRACTION"
GUARD_QUARANTINE_ENV = "SATUPEKERJA_GUARD_MAX_QUARANTINE_FRACTION"
AUTOMATION_ENV = "SATUPEKERJA_AUTOMATION"
DAGSTER_URL_ENV = "SATUPEKERJA_DAGSTER_URL"
WEB_DB_ENV = "SATUPEKERJA_WEB_DB"
WEB_SECRET_ENV = "SATUPEKERJA_WEB_SECRET"
WEB_SESSION_MINUTES_ENV = "SATUPEKERJA_WEB_SESSION_MINUTES"
WEB_SECURE_COOKIE_ENV = "SATUPEKERJA_WEB_SECURE_COOKIE"
DAGSTER_HOME_ENV = "DAGSTER_HOME"
SOURCE_ENV_PREFIX = "SATUPEKERJA_SOURCE_"

DEMO_MODE = "demo"
PRODUCTION_MODE = "production"
DEFAULT_FIRST_SNAPSHOT_DATE = "2026-01-01"
_DEFAULT_FIRST_SNAPSHOT = dt.date(2026, 1, 1)
DEFAULT_RETENTION_DAYS = 400  # one year of nightly snapshots plus a month to compare year on year
DEFAULT_MAX_ROW_DROP_FRACTION = 0.2
DEFAULT_MAX_QUARANTINE_FRACTION = 0.05
DEFAULT_WEB_SESSION_MINUTES = 30

DEFAULT_DATA_DIR = REPO_ROOT / "sample_data" / "demo"
DEFAULT_CONTRACTS_DIR = REPO_ROOT / "data_contracts"
DEFAULT_MATCHING_SETTINGS = REPO_ROOT / "data_contracts" / "matching" / "depok.yaml"
DEFAULT_EMPLOYMENT_MODEL = REPO_ROOT / "data_contracts" / "employment" / "depok.yaml"
DEFAULT_WAREHOUSE_DIR = REPO_ROOT / "warehouse"
DEFAULT_EXPORT_DIR = REPO_ROOT / "exports"
DEFAULT_SUBJECT_REQUESTS = REPO_ROOT / "data_contracts" / "subject_requests.csv"
DEFAULT_DAGSTER_HOME = REPO_ROOT / ".dagster_home"

#: The variable behind each field a Dagster resource may receive as an ``EnvVar``.
_FIELD_VARIABLES = {
    "data_dir": DATA_DIR_ENV,
    "matching_settings": MATCHING_SETTINGS_ENV,
    "employment_model": EMPLOYMENT_MODEL_ENV,
    "warehouse_dir": WAREHOUSE_DIR_ENV,
    "asset_storage_dir": ASSET_STORAGE_ENV,
    "mode": MODE_ENV,
    "hmac_key": HMAC_KEY_ENV,
    "subject_requests": SUBJECT_REQUESTS_ENV,
    "web_db_url": WEB_DB_ENV,
    "dagster_home": DAGSTER_HOME_ENV,
}
_SOURCE_OVERRIDE = re.compile(rf"^{SOURCE_ENV_PREFIX}(?P<source>[A-Z0-9_]+)_(?P<kind>PATH|URL)$")
_TRUE = {"on", "1", "true", "yes"}
_FALSE = {"", "off", "0", "false", "no"}


class SettingsError(ValueError):
    """An environment variable holds a value Satu Pekerja cannot use. The message names the variable and,
    for non-secret variables only, the value."""


@dataclass(frozen=True)
class Settings:
    """Every path, mode, threshold and key location the project reads. Build with :meth:`from_env`."""

    data_dir: Path = DEFAULT_DATA_DIR
    contracts_dir: Path = DEFAULT_CONTRACTS_DIR
    matching_settings: Path = DEFAULT_MATCHING_SETTINGS
    employment_model: Path = DEFAULT_EMPLOYMENT_MODEL
    """The employment-model settings file: prior, default weights and threshold of the probability of informal work."""
    source_paths: Mapping[str, str] = field(default_factory=dict)
    """Per-source path overrides (``SATUPEKERJA_SOURCE_<SOURCE>_PATH``), keyed by lower-case source id."""
    source_urls: Mapping[str, str] = field(default_factory=dict)
    """Per-source database URL overrides (``SATUPEKERJA_SOURCE_<SOURCE>_URL``), keyed by lower-case source id."""
    first_snapshot_date: dt.date = _DEFAULT_FIRST_SNAPSHOT
    warehouse_dir: Path = DEFAULT_WAREHOUSE_DIR
    asset_storage_dir: Path | None = None
    """``None``: the IO manager's own default (``$DAGSTER_HOME/storage``)."""
    export_dir: Path = DEFAULT_EXPORT_DIR
    mode: str = DEMO_MODE
    hmac_key: str | None = field(default=None, repr=False)
    audit_log: Path | None = None
    """``None``: ``<warehouse>/_audit/audit.jsonl``."""
    audit_key: str | None = field(default=None, repr=False)
    retention_days: int = DEFAULT_RETENTION_DAYS
    subject_requests: Path | None = None
    """``None``: the shipped register ``data_contracts/subject_requests.csv``, which may be absent."""
    max_row_drop_fraction: float = DEFAULT_MAX_ROW_DROP_FRACTION
    max_quarantine_fraction: float = DEFAULT_MAX_QUARANTINE_FRACTION
    automation: bool = False
    dagster_url: str = ""
    web_db_url: str | None = None
    web_secret: str | None = field(default=None, repr=False)
    web_session_minutes: int = DEFAULT_WEB_SESSION_MINUTES
    web_secure_cookie: bool = False
    dagster_home: Path | None = None
    given: frozenset[str] = frozenset()
    """The names of the variables that were set (non-empty): Dagster resources read those through ``EnvVar``."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings ``environ`` (default: the process environment) describes; unset or empty variables keep
        the defaults. Raises :class:`SettingsError` naming the first bad variable."""
        env = {name: value for name, value in (os.environ if environ is None else environ).items() if value != ""}
        paths, urls = _source_overrides(env)
        return cls(
            data_dir=_path(env, DATA_DIR_ENV, DEFAULT_DATA_DIR),
            contracts_dir=_path(env, CONTRACTS_DIR_ENV, DEFAULT_CONTRACTS_DIR),
            matching_settings=_path(env, MATCHING_SETTINGS_ENV, DEFAULT_MATCHING_SETTINGS),
            employment_model=_path(env, EMPLOYMENT_MODEL_ENV, DEFAULT_EMPLOYMENT_MODEL),
            source_paths=paths,
            source_urls=urls,
            first_snapshot_date=_date(env, FIRST_SNAPSHOT_ENV, DEFAULT_FIRST_SNAPSHOT_DATE),
            warehouse_dir=(
                Path(env[WAREHOUSE_DIR_ENV]).expanduser().resolve()
                if WAREHOUSE_DIR_ENV in env
                else DEFAULT_WAREHOUSE_DIR
            ),
            asset_storage_dir=Path(env[ASSET_STORAGE_ENV]) if ASSET_STORAGE_ENV in env else None,
            export_dir=Path(env[EXPORT_DIR_ENV]).expanduser() if EXPORT_DIR_ENV in env else DEFAULT_EXPORT_DIR,
            mode=_mode(env),
            hmac_key=env.get(HMAC_KEY_ENV, "").strip() or None,
            audit_log=Path(env[AUDIT_LOG_ENV]) if AUDIT_LOG_ENV in env else None,
            audit_key=env.get(AUDIT_KEY_ENV, "").strip() or None,
            retention_days=_whole(
                env, RETENTION_DAYS_ENV, DEFAULT_RETENTION_DAYS, "a whole number of days, at least 1"
            ),
            subject_requests=Path(env[SUBJECT_REQUESTS_ENV]) if SUBJECT_REQUESTS_ENV in env else None,
            max_row_drop_fraction=_fraction(env, GUARD_ROW_DROP_ENV, DEFAULT_MAX_ROW_DROP_FRACTION),
            max_quarantine_fraction=_fraction(env, GUARD_QUARANTINE_ENV, DEFAULT_MAX_QUARANTINE_FRACTION),
            automation=_flag(env, AUTOMATION_ENV),
            dagster_url=env.get(DAGSTER_URL_ENV, "").strip().rstrip("/"),
            web_db_url=env.get(WEB_DB_ENV) or None,
            web_secret=env.get(WEB_SECRET_ENV) or None,
            web_session_minutes=_whole(
                env, WEB_SESSION_MINUTES_ENV, DEFAULT_WEB_SESSION_MINUTES, "a whole number of minutes, at least 1"
            ),
            web_secure_cookie=env.get(WEB_SECURE_COOKIE_ENV, "0") == "1",
            dagster_home=Path(env[DAGSTER_HOME_ENV]) if DAGSTER_HOME_ENV in env else None,
            given=frozenset(name for name in env if name.startswith("SATUPEKERJA_") or name == DAGSTER_HOME_ENV),
        )

    @property
    def audit_log_path(self) -> Path:
        """Where the audit log is written: ``$SATUPEKERJA_AUDIT_LOG``, else ``<warehouse>/_audit/audit.jsonl``."""
        return self.audit_log if self.audit_log is not None else self.warehouse_dir / "_audit" / "audit.jsonl"

    @property
    def subject_requests_path(self) -> Path:
        return self.subject_requests if self.subject_requests is not None else DEFAULT_SUBJECT_REQUESTS

    def is_given(self, name: str) -> bool:
        """Whether the environment set the variable ``name`` (non-empty) and the value is still the one it set."""
        return name in self.given

    def replace(self, **changes: object) -> Settings:
        """These settings with ``changes`` (field names), for one run; a changed field no longer counts as set by
        its environment variable, so resources receive the new value rather than an ``EnvVar``."""
        replaced = {_FIELD_VARIABLES.get(name, "") for name in changes}
        return dataclasses.replace(self, given=self.given - replaced, **changes)  # type: ignore[arg-type]


def child_environment(changes: Mapping[str, str | None]) -> dict[str, str]:
    """The process environment with ``changes`` (``None`` removes a variable), for a child process an edge starts
    (a benchmark running the nightly in its own folders): the other place, besides :meth:`Settings.from_env`, that
    reads the environment."""
    env = dict(os.environ)
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def _path(env: Mapping[str, str], name: str, default: Path) -> Path:
    return Path(env[name]) if name in env else default


def _mode(env: Mapping[str, str]) -> str:
    mode = env.get(MODE_ENV, DEMO_MODE).strip().lower() or DEMO_MODE
    if mode not in (DEMO_MODE, PRODUCTION_MODE):
        raise SettingsError(f"{MODE_ENV} must be {DEMO_MODE!r} or {PRODUCTION_MODE!r}, not {mode!r}")
    return mode


def _date(env: Mapping[str, str], name: str, default: str) -> dt.date:
    raw = env.get(name, default)
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError as error:
        raise SettingsError(f"{name} must be a date YYYY-MM-DD, got {raw!r}") from error


def _whole(env: Mapping[str, str], name: str, default: int, what: str) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise SettingsError(f"{name} must be {what}, not {raw!r}")
    return int(raw)


def _fraction(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError as error:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from error
    if not 0.0 <= value <= 1.0:
        raise SettingsError(f"{name} must be between 0 and 1, got {raw!r}")
    return value


def _flag(env: Mapping[str, str], name: str) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise SettingsError(f"{name} must be on or off, not {raw!r}")


def _source_overrides(env: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    paths: dict[str, str] = {}
    urls: dict[str, str] = {}
    for name, value in env.items():
        match = _SOURCE_OVERRIDE.match(name)
        if match:
            (paths if match["kind"] == "PATH" else urls)[match["source"].lower()] = value
    return paths, urls
