"""Resources the assets share: the source inbox, the warehouse, the privacy keys, the matching settings file and
the employment-model settings file.

``pipelines.definitions.build_definitions`` fills them from :class:`satupekerja.settings.Settings`: a value the
environment set reaches the resource as a ``dg.EnvVar`` (the UI shows the variable, never a secret), anything else
as the settings' default. The assets hand the values on to the libraries as explicit arguments.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
from pydantic import Field

from satupekerja.privacy.audit import audit_key
from satupekerja.privacy.pseudonyms import PseudonymisationKey, load_pseudonymisation_key
from satupekerja.publishing.warehouse import Warehouse
from satupekerja.settings import (
    DEFAULT_DATA_DIR,
    DEFAULT_EMPLOYMENT_MODEL,
    DEFAULT_MATCHING_SETTINGS,
    DEFAULT_WAREHOUSE_DIR,
    DEMO_MODE,
)


class SourceInbox(dg.ConfigurableResource):
    """Where the agencies' files are read from: the root the contracts' relative paths resolve against."""

    data_dir: str | None = Field(
        default=None,
        description="Source inbox folder (`$SATUPEKERJA_DATA_DIR`). Default: `sample_data/demo`.",
    )
    source_paths: dict[str, str] = Field(
        default_factory=dict,
        description="Per-source path overrides by source id (`SATUPEKERJA_SOURCE_<SOURCE>_PATH`).",
    )
    source_url_variables: dict[str, str] = Field(
        default_factory=dict,
        description=(
            "Per-source database URL overrides by source id: the NAME of the variable holding the URL "
            "(`SATUPEKERJA_SOURCE_<SOURCE>_URL`), read through `EnvVar` at run time so no password is shown."
        ),
    )
    read_retries: int = Field(
        default=2,
        ge=0,
        description="How often a transient read failure (database connection, network share I/O) is retried.",
    )
    read_retry_seconds: float = Field(
        default=60.0, ge=0, description="Wait before each retry of a transient read failure (seconds)."
    )

    def inbox_dir(self) -> Path:
        return Path(self.data_dir) if self.data_dir else DEFAULT_DATA_DIR

    def path_override(self, source: str) -> str | None:
        return self.source_paths.get(source) or None

    def url_override(self, source: str) -> str | None:
        variable = self.source_url_variables.get(source)
        return (dg.EnvVar(variable).get_value() or None) if variable else None


class WarehouseResource(dg.ConfigurableResource):
    """The analyst warehouse the night publishes into."""

    root: str | None = Field(
        default=None,
        description="Warehouse folder (`$SATUPEKERJA_WAREHOUSE_DIR`). Default: `<repo>/warehouse`.",
    )

    def get(self) -> Warehouse:
        return Warehouse(Path(self.root) if self.root else DEFAULT_WAREHOUSE_DIR)


class PrivacyResource(dg.ConfigurableResource):
    """The privacy settings of a night: mode, pseudonymisation key, the data-subject request register."""

    mode: str = Field(default=DEMO_MODE, description="`demo` or `production` (`$SATUPEKERJA_MODE`).")
    hmac_key: str | None = Field(
        default=None, description="Pseudonymisation key (`$SATUPEKERJA_HMAC_KEY`). Default: the public demo key."
    )
    subject_requests: str | None = Field(
        default=None,
        description=(
            "Data-subject request register (`$SATUPEKERJA_SUBJECT_REQUESTS`), which must then exist. "
            "Default: `data_contracts/subject_requests.csv`, which may be absent."
        ),
    )
    audit_key: str | None = Field(
        default=None,
        description=(
            "Audit chain key (`$SATUPEKERJA_AUDIT_KEY`): the review decision register is chained under it. "
            "Default: the demo audit key (refused in production)."
        ),
    )

    def key(self) -> PseudonymisationKey:
        return load_pseudonymisation_key(self.mode, self.hmac_key)

    def audit_secret(self) -> bytes:
        """The audit chain's key, checked for the mode as the audit log checks it."""
        return audit_key(self.mode, self.audit_key, self.hmac_key)

    def requests_path(self) -> Path | None:
        """The configured register (which must exist), or ``None`` for the shipped default."""
        return Path(self.subject_requests) if self.subject_requests else None


class MatchingSettingsFile(dg.ConfigurableResource):
    """The matching settings file the night links with."""

    path: str | None = Field(
        default=None,
        description="Matching settings file (`$SATUPEKERJA_MATCHING_SETTINGS`). Default: the shipped Depok file.",
    )

    def settings_path(self) -> Path:
        return Path(self.path) if self.path else DEFAULT_MATCHING_SETTINGS


class EmploymentModelFile(dg.ConfigurableResource):
    """The employment-model settings file the night flags informal work with (prior, weights, threshold)."""

    path: str | None = Field(
        default=None,
        description=(
            "Employment-model settings file (`$SATUPEKERJA_EMPLOYMENT_MODEL`). "
            "Default: the shipped `data_contracts/employment/depok.yaml`."
        ),
    )

    def model_path(self) -> Path:
        return Path(self.path) if self.path else DEFAULT_EMPLOYMENT_MODEL
