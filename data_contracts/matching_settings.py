"""Reading the matching settings file (the edge; ``matching.settings_mapping`` parses what is read here).

The file is given by the caller (``Settings.matching_settings``, from ``$SATUPEKERJA_MATCHING_SETTINGS``), else
the shipped Depok default ``data_contracts/matching/depok.yaml``. Errors name the file and the key path.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from matching.settings import MatchSettings, MatchSettingsError
from matching.settings_mapping import settings_from_mapping

DEFAULT_MATCHING_SETTINGS = Path(__file__).resolve().parent / "matching" / "depok.yaml"


def matching_settings_path(path: Path | str | None = None) -> Path:
    """The settings file in force: ``path`` when given, else the shipped default."""
    return Path(path) if path else DEFAULT_MATCHING_SETTINGS


def load_matching_settings(path: Path | str | None = None) -> MatchSettings:
    """Read, parse and check a matching settings file; :class:`MatchSettingsError` naming the file and key."""
    path = matching_settings_path(path)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise MatchSettingsError(f"{path}: cannot read matching settings ({error.strerror})") from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise MatchSettingsError(f"{path.name}:{where} not valid YAML") from error
    try:
        return settings_from_mapping(document)
    except MatchSettingsError as error:
        raise MatchSettingsError(f"{path.name}: {error}") from error
