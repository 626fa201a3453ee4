"""check-list and show against the registry's matching features published with the model: only the list's rows get
features computed; features of other settings are never mixed with the model in force; the published table meets
its output contract and stays in the restricted tier."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

import matching.link
from assets.matching import matching_features_frame
from assets.publication import DEFAULT_PUBLISHED_TABLES, OWN_COLUMN_POLICY
from data_contracts.matching_settings import load_matching_settings
from data_contracts.output_contracts import load_output_contracts, validate_output
from matching import model_to_dict, settings_fingerprint
from matching.link import MATCHING_FEATURE_COLUMNS, matching_features
from satupekerja.privacy.pseudonyms import DEMO_KEY, PrivacyPolicyError, restricted_tier, to_analytics_tier
from satupekerja.publishing import tables
from satupekerja.publishing.warehouse import (
    FEATURES_NOT_PUBLISHED,
    FEATURES_OTHER_SETTINGS,
    RESTRICTED,
    Warehouse,
    published_matching_features,
)
from satupekerja.staff import checklist
from satupekerja.staff.checklist import FEATURES_RECOMPUTED, MODEL_RETRAINED, RESULT_COLUMNS, STATUS_NOT_FOUND
from satupekerja.staff.cli import app
from tests.satupekerja.conftest import DEMO_AS_OF
from tests.satupekerja.test_checklist import SNAPSHOT, STRANGERS, csv_list, known_people

runner = CliRunner()
OTHER_HASH = "0000000000000000"


@pytest.fixture(scope="module")
def settings():
    return load_matching_settings()


@pytest.fixture(scope="module")
def published_features(demo_registry, settings) -> pd.DataFrame:
    """What the night publishes: the registry's features in record_id order, with the settings hash."""
    records = demo_registry.person_records.sort_values("record_id", kind="stable")
    return matching_features_frame(matching_features(records, settings), settings_fingerprint(settings))


def publish(root, demo_registry, settings, features: pd.DataFrame | None) -> Warehouse:
    warehouse = Warehouse(root)
    staged = warehouse.stage(DEMO_AS_OF, "test")
    day = pd.Timestamp(DEMO_AS_OF)
    staged.write(tables.UNIFIED_WORKERS, demo_registry.unified.assign(snapshot_date=day), RESTRICTED)
    staged.write(tables.WORKER_LINKS, demo_registry.worker_links, RESTRICTED)
    staged.write(tables.PERSON_RECORDS, demo_registry.person_records, RESTRICTED)
    document = model_to_dict(demo_registry.link_result.model, settings_fingerprint(settings))
    model = pd.DataFrame({"settings_hash": [document["settings_hash"]], "model_json": [json.dumps(document)]})
    staged.write(tables.MATCHING_MODEL, model, RESTRICTED)
    if features is not None:
        staged.write(
            tables.MATCHING_FEATURES, restricted_tier(features, tables.MATCHING_FEATURES, OWN_COLUMN_POLICY), RESTRICTED
        )
    warehouse.publish(staged)
    return warehouse


@pytest.fixture
def feature_calls(monkeypatch) -> list[int]:
    """Rows of every call of the engine's feature builder."""
    calls: list[int] = []
    build = matching.link.feature_keys

    def spy(records, spec=None):
        calls.append(len(records))
        return build(records, spec)

    monkeypatch.setattr(matching.link, "feature_keys", spy)
    return calls


def cli_env(monkeypatch, tmp_path, root) -> None:
    monkeypatch.setenv("SATUPEKERJA_WAREHOUSE_DIR", str(root))
    monkeypatch.setenv("SATUPEKERJA_AUDIT_LOG", str(tmp_path / "audit.jsonl"))
    monkeypatch.setenv("SATUPEKERJA_EXPORT_DIR", str(tmp_path / "exports"))
    monkeypatch.setenv("COLUMNS", "250")


def community_list(demo_registry, tmp_path) -> tuple:
    known = known_people(demo_registry.unified, 6)
    rows = pd.concat([known.drop(columns="expected_worker"), STRANGERS], ignore_index=True)
    return csv_list(tmp_path / "daftar.csv", rows), known


def test_a_list_is_scored_against_the_published_features_computing_only_its_own(
    demo_registry, settings, published_features, feature_calls, tmp_path
):
    path, known = community_list(demo_registry, tmp_path)
    listed = checklist.read_list(path, SNAPSHOT)
    model = demo_registry.link_result.model
    links, unified = demo_registry.worker_links, demo_registry.unified
    from_features = checklist.RegistryForChecks(None, links, unified, model, settings, published_features)
    checked = checklist.check_list(listed, from_features).rows
    assert feature_calls == [len(listed.rows)]  # the list's rows only, never the registry's
    feature_calls.clear()
    from_records = checklist.RegistryForChecks(demo_registry.person_records, links, unified, model, settings)
    recomputed = checklist.check_list(listed, from_records).rows
    assert sorted(feature_calls) == [len(listed.rows), len(demo_registry.person_records)]
    pd.testing.assert_frame_equal(checked, recomputed)
    assert checked[RESULT_COLUMNS[1]].iloc[:6].eq(known["expected_worker"]).sum() >= 5
    assert checked[RESULT_COLUMNS[0]].iloc[6:].eq(STATUS_NOT_FOUND).all()


def test_check_list_reads_the_published_features_and_not_the_person_records(
    demo_registry, settings, published_features, feature_calls, tmp_path, monkeypatch
):
    root = tmp_path / "warehouse"
    publish(root, demo_registry, settings, published_features)
    cli_env(monkeypatch, tmp_path, root)
    path, known = community_list(demo_registry, tmp_path)
    read_tables: list[str] = []
    original_read = Warehouse.read

    def read(self, table, *args, **kwargs):
        read_tables.append(table)
        return original_read(self, table, *args, **kwargs)

    monkeypatch.setattr(Warehouse, "read", read)
    result = runner.invoke(app, ["check-list", str(path)])
    assert result.exit_code == 0, result.output
    assert feature_calls == [len(known) + len(STRANGERS)]
    assert tables.PERSON_RECORDS not in read_tables
    assert "dihitung ulang" not in result.output and "dilatih ulang" not in result.output
    checked = pd.read_csv(tmp_path / "daftar_hasil_cek.csv", dtype="str", encoding="utf-8-sig")
    assert checked[RESULT_COLUMNS[1]].iloc[:6].eq(known["expected_worker"]).sum() >= 5


@pytest.mark.parametrize("features_hash", [OTHER_HASH, None], ids=["other settings", "not published"])
def test_features_of_other_settings_are_not_mixed_with_the_model_in_force(
    demo_registry, settings, published_features, feature_calls, tmp_path, monkeypatch, features_hash
):
    root = tmp_path / "warehouse"
    features = None if features_hash is None else published_features.assign(settings_hash=features_hash)
    publish(root, demo_registry, settings, features)
    problem = FEATURES_NOT_PUBLISHED if features_hash is None else FEATURES_OTHER_SETTINGS
    found = published_matching_features(Warehouse(root), DEMO_AS_OF, settings_fingerprint(settings))
    assert found.frame is None and found.problem == problem
    cli_env(monkeypatch, tmp_path, root)
    path, known = community_list(demo_registry, tmp_path)
    result = runner.invoke(app, ["check-list", str(path)])
    assert result.exit_code == 0, result.output
    assert FEATURES_RECOMPUTED[problem].split(" / ")[0] in " ".join(result.output.split())
    assert MODEL_RETRAINED.split(":")[0] not in result.output  # the published model is still the settings' own
    assert sorted(feature_calls) == [len(known) + len(STRANGERS), len(demo_registry.person_records)]
    checked = pd.read_csv(tmp_path / "daftar_hasil_cek.csv", dtype="str", encoding="utf-8-sig")
    assert checked[RESULT_COLUMNS[1]].iloc[:6].eq(known["expected_worker"]).sum() >= 5


def test_show_scores_a_workers_pairs_from_the_published_features(
    demo_registry, settings, published_features, feature_calls, tmp_path, monkeypatch
):
    root = tmp_path / "warehouse"
    publish(root, demo_registry, settings, published_features)
    cli_env(monkeypatch, tmp_path, root)
    sizes = demo_registry.worker_links["worker_id"].value_counts()
    worker = sizes.index[sizes.ge(3)][0]
    own = demo_registry.worker_links.loc[demo_registry.worker_links["worker_id"].eq(worker), "record_id"].tolist()
    found = published_matching_features(Warehouse(root), DEMO_AS_OF, settings_fingerprint(settings), record_ids=own)
    assert sorted(found.frame["record_id"]) == sorted(own)
    result = runner.invoke(app, ["show", worker])
    assert result.exit_code == 0, result.output
    assert feature_calls == []  # nothing computed from the records: their published features are coded and scored


def test_the_published_features_meet_their_contract_and_stay_restricted(published_features):
    contract = load_output_contracts()[tables.MATCHING_FEATURES]
    assert contract.column_names == (*MATCHING_FEATURE_COLUMNS, "settings_hash")
    assert validate_output(contract, published_features).passed
    broken = published_features.assign(sex=published_features["sex"].where(published_features.index > 0, 7))
    assert not validate_output(contract, broken).passed
    assert not validate_output(contract, published_features.assign(name="SITI")).passed  # undeclared column
    assert list(restricted_tier(published_features, tables.MATCHING_FEATURES, OWN_COLUMN_POLICY).columns) == list(
        published_features.columns
    )
    with pytest.raises(PrivacyPolicyError, match="restricted tier only"):
        to_analytics_tier(tables.MATCHING_FEATURES, published_features, DEMO_KEY, DEMO_AS_OF, OWN_COLUMN_POLICY)
    published = {table.name: table for table in DEFAULT_PUBLISHED_TABLES}[tables.MATCHING_FEATURES]
    assert published.restricted and not published.analytics
