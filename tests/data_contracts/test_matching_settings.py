"""The matching settings file: the shipped Depok default is the engine default (plus issue 11's registry rules), the path is overridable, and
a broken file fails on load with the file and the key path named."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml

from data_contracts.matching_settings import (
    DEFAULT_MATCHING_SETTINGS,
    load_matching_settings,
    matching_settings_path,
)
from matching import DEFAULT_SETTINGS
from matching.settings import MatchSettingsError

ENGLISH_SETTINGS = Path(__file__).resolve().parents[2] / "sample_data" / "english_register" / "matching.yaml"


REGISTRY_RULES = (
    "nik_register_sources",
    "double_registration_requires",
    "stated_sex_apart",
    "link_when",
    "nik_siblings",
    "sibling_names",
    "nik_conflict_guard",  # the override loosened once twins are kept apart by nik_siblings
)


def test_shipped_default_file_is_the_engine_default_plus_the_registry_rules():
    shipped = load_matching_settings(DEFAULT_MATCHING_SETTINGS)
    rules = {name: getattr(shipped, name) for name in REGISTRY_RULES}
    assert all(rules.values()), "the Depok file declares issue 11's registry rules"
    assert shipped == dataclasses.replace(DEFAULT_SETTINGS, **rules)


def test_path_is_the_given_file_else_the_shipped_default():
    assert matching_settings_path() == DEFAULT_MATCHING_SETTINGS
    assert matching_settings_path(ENGLISH_SETTINGS) == ENGLISH_SETTINGS
    settings = load_matching_settings(ENGLISH_SETTINGS)
    assert settings.nik_conflict_guard is None and settings.name_spelling == "plain"


def _broken(tmp_path: Path, edit) -> Path:
    document = yaml.safe_load(DEFAULT_MATCHING_SETTINGS.read_text(encoding="utf-8"))
    edit(document)
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


def _rename_guard_level(document):
    document["clustering"]["nik_conflict"]["override_requires"][0][0]["levels"][0] = "exact_name"


def _rename_comparison_level(document):
    document["comparisons"][1]["levels"][0] = "exact_name"


def _unknown_field(document):
    document["blocking"]["rules"][0]["key"] = ["nik_number"]


def _bad_transform(document):
    document["blocking"]["rules"][1]["key"] = [{"field": "phone", "transform": "first", "n": 4}]


def _prior_length(document):
    document["comparisons"][3]["m_prior"] = [0.9]


def _unknown_key(document):
    document["thresholds"]["matchh"] = 0.2


def _siblings_unless_unknown_level(document):
    document["clustering"]["nik_conflict"]["siblings_apart"]["unless"][0][0]["levels"] = ["same_name"]


def _siblings_serial_digits(document):
    document["clustering"]["nik_conflict"]["siblings_apart"]["serial_digits"] = 0


def _siblings_unknown_key(document):
    document["clustering"]["nik_conflict"]["siblings_apart"]["gap"] = 1


def _siblings_fit_by_unknown_comparison(document):
    document["clustering"]["nik_conflict"]["siblings_apart"]["fit_by"] = ["name", "nik_number"]


def _sibling_names_unknown_level(document):
    document["clustering"]["sibling_names_apart"]["levels"] = ["token_subset", "different"]


def _sibling_names_no_edits(document):
    document["clustering"]["sibling_names_apart"]["min_first_word_edits"] = 0


def _guard_on_missing_comparison(document):
    document["comparisons"] = [c for c in document["comparisons"] if c["name"] != "phone"]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            _rename_guard_level,
            "clustering.nik_conflict.override_requires[0][0].levels: 'exact_name' is not a level of comparison 'name'",
        ),
        (_rename_comparison_level, "comparisons[1].levels: comparison kind 'name' has the levels"),
        (_unknown_field, "blocking.rules[0].key[0]: unknown field 'nik_number'"),
        (_bad_transform, "blocking.rules[1].key[0].field: 'first' needs a text field"),
        (_prior_length, "comparisons[3].m_prior: give one positive starting m per level (2), found 1"),
        (_unknown_key, "thresholds: unknown key(s) ['matchh']"),
        (
            _siblings_unless_unknown_level,
            "clustering.nik_conflict.siblings_apart.unless[0][0].levels: 'same_name' is not a level of comparison",
        ),
        (_siblings_serial_digits, "clustering.nik_conflict.siblings_apart.serial_digits"),
        (_siblings_unknown_key, "clustering.nik_conflict.siblings_apart: unknown key(s) ['gap']"),
        (
            _siblings_fit_by_unknown_comparison,
            "clustering.nik_conflict.siblings_apart.fit_by[1]: no comparison named 'nik_number'",
        ),
        (
            _sibling_names_unknown_level,
            "clustering.sibling_names_apart.levels: 'different' is not a level of comparison 'name'",
        ),
        (_sibling_names_no_edits, "clustering.sibling_names_apart.min_first_word_edits: 0 is outside [1, None]"),
        (
            _guard_on_missing_comparison,
            "clustering.nik_conflict.override_requires[2][0].comparison: no comparison named 'phone'",
        ),
    ],
)
def test_broken_settings_name_the_file_and_the_key_path(tmp_path, edit, message):
    with pytest.raises(MatchSettingsError) as caught:
        load_matching_settings(_broken(tmp_path, edit))
    assert str(caught.value).startswith("broken.yaml: ")
    assert message in str(caught.value)


def test_yaml_syntax_error_names_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("version: 1\nblocking: [\n", encoding="utf-8")
    with pytest.raises(MatchSettingsError, match=r"bad.yaml: line \d+, column \d+ not valid YAML"):
        load_matching_settings(path)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(MatchSettingsError, match="cannot read matching settings"):
        load_matching_settings(tmp_path / "absent.yaml")


def test_a_declared_comparison_renaming_a_level_a_guard_names_fails_to_load(tmp_path):
    """A comparison declared level by level may name its levels freely; a guard still naming the old level
    is an error at load time naming the guard, the comparison and the level, not a guard silently off."""

    def declare_phone_levels(document):
        phone = next(c for c in document["comparisons"] if c["name"] == "phone")
        phone.clear()
        phone.update(
            name="phone", kind="levels", levels=[{"name": "same_number", "when": {"exact": "phone"}}, {"name": "else"}]
        )

    with pytest.raises(MatchSettingsError) as caught:
        load_matching_settings(_broken(tmp_path, declare_phone_levels))
    message = str(caught.value)
    assert message.startswith("broken.yaml: ")
    assert (
        "clustering.nik_conflict.override_requires[2][0].levels: 'exact' is not a level of comparison 'phone' "
        "(its levels: ['same_number', 'else'])" in message
    )
    assert "clustering.link_when[0][0].all[0].levels: 'exact' is not a level of comparison 'phone'" in message
