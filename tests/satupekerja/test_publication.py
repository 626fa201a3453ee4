"""Publication guards: each blocks on its own condition, with figures and without personal data."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import dagster as dg
import pandas as pd
import pytest

from assets.matching import matching_features_frame
from assets.partitions import snapshot_partitions
from assets.publication import PublicationGuards, build_publish_snapshot
from assets.resources import PrivacyResource, WarehouseResource
from data_contracts import conform_to_person_schema, load_region_reference
from data_contracts.contract import default_role_book
from data_contracts.roles import SourceRoles, load_employment_model
from matching.link import matching_features
from matching.stable_ids import assign_worker_ids
from satupekerja.publishing.guards import (
    GUARD_NAMES,
    MEMBERSHIP_DATA_PRESENT,
    OUTPUT_CONTRACTS_MET,
    QUARANTINE_SHARE_WITHIN_LIMIT,
    REQUIRED_SOURCES_PRESENT,
    ROW_COUNT_STABLE,
    GuardSettings,
    SnapshotStats,
    SourceStats,
    all_passed,
    evaluate_guards,
)
from satupekerja.publishing.warehouse import Warehouse, previous_worker_ids
from satupekerja.registry.coverage import coverage_by_area, uncovered_informal_workers
from satupekerja.registry.review_queue import review_queue_table
from satupekerja.registry.unify import build_unified_workers

YESTERDAY = date(2026, 11, 20)
TONIGHT = date(2026, 11, 21)
#: The membership registers of the shipped contracts (callers pass those of the contracts in force).
SHIPPED_MEMBERSHIP = default_role_book().membership_registers


def healthy_sources() -> dict[str, SourceStats]:
    return {
        "dukcapil": SourceStats(rows=10_000, quarantined_rows=10),
        "bpjs_ketenagakerjaan": SourceStats(rows=2_000, quarantined_rows=20),
        "komunitas": SourceStats(rows=500, quarantined_rows=5, required=False),
    }


def stats(day: date, **changes: SourceStats | None) -> SnapshotStats:
    sources = healthy_sources()
    for source, source_stats in changes.items():
        if source_stats is None:
            sources.pop(source)
        else:
            sources[source] = source_stats
    return SnapshotStats(day, sources)


def verdicts(current: SnapshotStats, previous: SnapshotStats | None = None, **settings) -> dict[str, bool]:
    return {
        result.name: result.passed
        for result in evaluate_guards(
            current, previous, GuardSettings(**settings), membership_registers=SHIPPED_MEMBERSHIP
        )
    }


def result_of(name: str, current: SnapshotStats, previous: SnapshotStats | None = None):
    return next(
        result
        for result in evaluate_guards(current, previous, membership_registers=SHIPPED_MEMBERSHIP)
        if result.name == name
    )


def test_a_healthy_night_passes_every_guard_in_order() -> None:
    results = evaluate_guards(stats(TONIGHT), stats(YESTERDAY), membership_registers=SHIPPED_MEMBERSHIP)

    assert [result.name for result in results] == list(GUARD_NAMES)
    assert all_passed(results)


@pytest.mark.parametrize(
    ("change", "expected_message"),
    [
        (SourceStats(rows=0, present=False), "required source dukcapil is missing"),
        (SourceStats(rows=0, readable=False), "required source dukcapil could not be read"),
    ],
)
def test_a_required_source_missing_or_unreadable_blocks(change: SourceStats, expected_message: str) -> None:
    result = result_of(REQUIRED_SOURCES_PRESENT, stats(TONIGHT, dukcapil=change))

    assert not result.passed
    assert result.message == expected_message


def test_an_optional_source_may_be_missing() -> None:
    current = stats(TONIGHT, komunitas=SourceStats(rows=0, present=False, required=False))

    assert all_passed(evaluate_guards(current, stats(YESTERDAY), membership_registers=SHIPPED_MEMBERSHIP))


def test_a_row_drop_beyond_the_limit_blocks_and_names_the_figures() -> None:
    current = stats(TONIGHT, dukcapil=SourceStats(rows=7_900))

    result = result_of(ROW_COUNT_STABLE, current, stats(YESTERDAY))

    assert not result.passed
    assert result.message == "dukcapil: 7900 rows read, 10000 in snapshot 2026-11-20 (-21.00%, limit 20%)"
    assert result.figures["sources"]["dukcapil"] == {"rows": 7_900, "previous_rows": 10_000, "drop_fraction": 0.21}


def test_row_drop_limit_is_inclusive_and_configurable() -> None:
    current = stats(TONIGHT, dukcapil=SourceStats(rows=8_000))

    assert verdicts(current, stats(YESTERDAY))[ROW_COUNT_STABLE]
    assert not verdicts(current, stats(YESTERDAY), max_row_drop_fraction=0.1)[ROW_COUNT_STABLE]


def test_row_growth_and_the_first_night_pass() -> None:
    assert verdicts(stats(TONIGHT, dukcapil=SourceStats(rows=50_000)), stats(YESTERDAY))[ROW_COUNT_STABLE]
    first_night = result_of(ROW_COUNT_STABLE, stats(TONIGHT), None)
    assert first_night.passed
    assert first_night.message == "no published snapshot to compare with"


def test_a_present_but_emptied_source_counts_as_a_full_drop() -> None:
    current = stats(TONIGHT, komunitas=SourceStats(rows=0, required=False))

    assert not verdicts(current, stats(YESTERDAY))[ROW_COUNT_STABLE]


def test_a_quarantine_share_above_the_limit_blocks() -> None:
    current = stats(TONIGHT, bpjs_ketenagakerjaan=SourceStats(rows=2_000, quarantined_rows=101))

    result = result_of(QUARANTINE_SHARE_WITHIN_LIMIT, current)

    assert not result.passed
    assert result.message == "bpjs_ketenagakerjaan: 101 of 2000 rows quarantined (5.05%, limit 5%)"
    assert verdicts(stats(TONIGHT, bpjs_ketenagakerjaan=SourceStats(rows=2_000, quarantined_rows=100)))[
        QUARANTINE_SHARE_WITHIN_LIMIT
    ]


@pytest.mark.parametrize(
    ("membership", "expected_message"),
    [
        (None, "membership source bpjs_ketenagakerjaan is missing"),
        (SourceStats(rows=0, present=False), "membership source bpjs_ketenagakerjaan is missing"),
        (SourceStats(rows=10, readable=False), "membership source bpjs_ketenagakerjaan could not be read"),
        (SourceStats(rows=0), "membership source bpjs_ketenagakerjaan has no accepted rows (0 read, 0 quarantined)"),
        (
            SourceStats(rows=3, quarantined_rows=3),
            "membership source bpjs_ketenagakerjaan has no accepted rows (3 read, 3 quarantined)",
        ),
    ],
)
def test_absent_or_empty_membership_blocks(membership: SourceStats | None, expected_message: str) -> None:
    current = stats(TONIGHT, bpjs_ketenagakerjaan=membership)
    current = SnapshotStats(TONIGHT, {s: replace(v, required=False) for s, v in current.sources.items()})

    result = result_of(MEMBERSHIP_DATA_PRESENT, current)

    assert not result.passed
    assert result.message == expected_message


def test_membership_registers_come_from_the_contracts_one_or_several() -> None:
    current = stats(TONIGHT, bpjs_ketenagakerjaan=SourceStats(rows=5), tk_jakarta=SourceStats(rows=0))

    one = evaluate_guards(current, None, membership_registers=("bpjs_ketenagakerjaan",))[-1]
    several = evaluate_guards(current, None, membership_registers=("bpjs_ketenagakerjaan", "tk_jakarta"))[-1]

    assert one.passed and one.message == "membership source bpjs_ketenagakerjaan: 5 accepted rows"
    assert not several.passed
    assert several.message == "membership source tk_jakarta has no accepted rows (0 read, 0 quarantined)"


def test_no_membership_register_declared_passes_saying_coverage_was_not_computed() -> None:
    current = stats(TONIGHT, bpjs_ketenagakerjaan=None)

    result = evaluate_guards(current, None, membership_registers=())[-1]

    assert result.name == MEMBERSHIP_DATA_PRESENT and result.passed
    assert result.message == "no membership register declared: coverage was not computed"
    assert result.figures["coverage_computed"] is False


def test_settings_come_from_the_environment_and_are_validated() -> None:
    from satupekerja.settings import Settings

    settings = Settings.from_env({"SATUPEKERJA_GUARD_MAX_ROW_DROP_FRACTION": "0.5"})

    assert (settings.max_row_drop_fraction, settings.max_quarantine_fraction) == (0.5, 0.05)
    defaults = Settings.from_env({})
    assert (defaults.max_row_drop_fraction, defaults.max_quarantine_fraction) == (
        GuardSettings().max_row_drop_fraction,
        GuardSettings().max_quarantine_fraction,
    )
    with pytest.raises(ValueError, match="must be a number"):
        Settings.from_env({"SATUPEKERJA_GUARD_MAX_QUARANTINE_FRACTION": "five percent"})
    with pytest.raises(ValueError, match="between 0 and 1"):
        GuardSettings(max_quarantine_fraction=5)


def test_stats_round_trip_through_their_published_table() -> None:
    original = stats(TONIGHT)

    frame = original.to_frame()

    assert list(frame["source"]) == ["bpjs_ketenagakerjaan", "dukcapil", "komunitas"]
    assert SnapshotStats.from_frame(TONIGHT, frame) == original


# ----------------------------------------------------------------------------- the publish_snapshot asset


SOURCES = ("dukcapil", "bpjs_ketenagakerjaan")


def night_outputs(night: date, linked: dict[str, int], quarantined: dict[str, int]) -> dict[str, pd.DataFrame]:
    """Registry outputs of a night with ``linked[source]`` records (one worker each) and ``quarantined[source]``
    quarantine rows, built by the real registry code so they meet their output contracts."""
    record_ids = [f"{source}:{i}" for source in SOURCES for i in range(linked.get(source, 0))]
    sources = [record_id.split(":")[0] for record_id in record_ids]
    person_records = conform_to_person_schema(
        pd.DataFrame(
            {
                "source": sources,
                "record_id": record_ids,
                "source_file": "test",
                "source_row": range(1, len(record_ids) + 1),
                "nik": [f"3276{i:012d}" for i in range(len(record_ids))],
                "name": "SITI AMINAH",
            }
        )
    )
    ids, history = assign_worker_ids(pd.DataFrame({"record_id": record_ids, "cluster": record_ids}), None, None, night)
    links = ids.assign(source=sources, cluster_size=1, confidence=float("nan"))
    unified = build_unified_workers(person_records, links, night, default_role_book(), load_employment_model())
    outputs = {
        "unified_workers": unified,
        "uncovered_informal_workers": uncovered_informal_workers(unified),
        "coverage_by_area": coverage_by_area(unified, load_region_reference()),
        "worker_links": links,
        "worker_id_history": history,
        "person_records": person_records,
        "matching_model": pd.DataFrame({"settings_hash": ["0123456789abcdef"], "model_json": ["{}"]}),
        "match_review_queue": review_queue_table(
            pd.DataFrame(
                {
                    "record_id_l": record_ids[:1],
                    "record_id_r": record_ids[-1:],
                    "reason": "uncertain",
                    "match_probability": 0.5,
                    "match_weight": 0.0,
                }
            ),
            person_records,
            ids,
            pd.Series([f"{i:064x}" for i in range(len(record_ids))], index=record_ids),
        ),
        "matching_features": matching_features_frame(matching_features(person_records), "0123456789abcdef"),
    }
    for source in SOURCES:
        count = quarantined.get(source, 0)
        outputs[f"quarantine_{source}"] = pd.DataFrame(
            {
                "source": [source] * count,
                "source_row": range(count),
                "reason": ["NAMA: required"] * count,
                "raw_values": ['{"NAMA": ""}'] * count,
            }
        )
    return outputs


def upstream_stubs(outputs: dict[str, pd.DataFrame]) -> list[dg.AssetsDefinition]:
    def stub(name: str, frame: pd.DataFrame) -> dg.AssetsDefinition:
        @dg.asset(name=name, partitions_def=snapshot_partitions)
        def _stub() -> pd.DataFrame:
            return frame

        return _stub

    return [stub(name, frame) for name, frame in outputs.items()]


def materialize_night(root: Path, night: date, outputs: dict[str, pd.DataFrame]) -> dg.ExecuteInProcessResult:
    contracts = {
        source: SimpleNamespace(required=True, roles=SourceRoles(membership_register=source == "bpjs_ketenagakerjaan"))
        for source in SOURCES
    }
    return dg.materialize(
        [build_publish_snapshot(contracts), *upstream_stubs(outputs)],
        partition_key=night.isoformat(),
        resources={
            "io_manager": dg.InMemoryIOManager(),
            "warehouse": WarehouseResource(root=str(root)),
            "publication_guards": PublicationGuards(),
            "privacy": PrivacyResource(),
        },
        raise_on_error=False,
    )


def check_evaluations(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {evaluation.check_name: evaluation for evaluation in result.get_asset_check_evaluations()}


def test_a_healthy_night_is_published_in_both_tiers(tmp_path: Path) -> None:
    outputs = night_outputs(YESTERDAY, {"dukcapil": 100, "bpjs_ketenagakerjaan": 40}, {"dukcapil": 2})

    result = materialize_night(tmp_path, YESTERDAY, outputs)

    warehouse = Warehouse(tmp_path)
    assert result.success
    assert warehouse.snapshots() == [YESTERDAY]
    assert warehouse.tables("restricted") == [
        "match_review_queue",
        "matching_features",
        "matching_model",
        "person_records",
        "quarantine",
        "uncovered_informal_workers",
        "unified_workers",
        "worker_links",
    ]
    assert warehouse.tables() == [
        "coverage_by_area",
        "publication_stats",
        "quarantine",
        "uncovered_informal_workers",
        "unified_workers",
        "worker_id_history",
        "worker_links",
    ]
    assert len(warehouse.read("quarantine", tier="restricted")) == 2
    assert "raw_values" not in warehouse.read("quarantine").columns
    assert "record_id" not in warehouse.read("worker_links").columns
    assert {"nik", "name"} <= set(warehouse.read("unified_workers", tier="restricted").columns)
    assert {"nik", "name"}.isdisjoint(warehouse.read("unified_workers").columns)
    assert "event_date" in warehouse.read("worker_id_history").columns
    stats_published = warehouse.read("publication_stats").set_index("source")
    assert stats_published.loc["dukcapil", ["rows", "quarantined_rows"]].tolist() == [102, 2]
    assert all(evaluation.passed for evaluation in check_evaluations(result).values())
    assert len(result.get_asset_materialization_events()) == len(outputs) + 1


def test_a_night_failing_a_guard_is_held_back_and_says_why(tmp_path: Path) -> None:
    materialize_night(tmp_path, YESTERDAY, night_outputs(YESTERDAY, {"dukcapil": 100, "bpjs_ketenagakerjaan": 40}, {}))
    tonight = night_outputs(TONIGHT, {"dukcapil": 50, "bpjs_ketenagakerjaan": 40}, {})

    result = materialize_night(tmp_path, TONIGHT, tonight)

    assert not result.success
    assert Warehouse(tmp_path).snapshots() == [YESTERDAY]
    evaluations = check_evaluations(result)
    assert not evaluations[ROW_COUNT_STABLE].passed
    assert evaluations[ROW_COUNT_STABLE].description == (
        "dukcapil: 50 rows read, 100 in snapshot 2026-11-20 (-50.00%, limit 20%)"
    )
    assert all(evaluations[name].passed for name in GUARD_NAMES if name != ROW_COUNT_STABLE)
    published = [e for e in result.get_asset_materialization_events() if e.asset_key == dg.AssetKey("publish_snapshot")]
    assert published == []
    [observation] = [
        event.event_specific_data.asset_observation
        for event in result.all_events
        if event.event_type_value == "ASSET_OBSERVATION"
    ]
    assert observation.metadata["published"].value is False
    assert observation.metadata["failed guards"].value == [ROW_COUNT_STABLE]


def test_missing_membership_data_holds_back_the_first_night(tmp_path: Path) -> None:
    outputs = night_outputs(YESTERDAY, {"dukcapil": 100}, {})

    result = materialize_night(tmp_path, YESTERDAY, outputs)

    assert not result.success
    assert Warehouse(tmp_path).snapshots() == []
    assert not check_evaluations(result)[MEMBERSHIP_DATA_PRESENT].passed
    assert not (tmp_path / "_staging").exists()


def test_previous_worker_ids_come_from_the_last_snapshot_before_the_night(tmp_path: Path) -> None:
    warehouse = Warehouse(tmp_path)
    assert previous_worker_ids(warehouse, YESTERDAY) == (None, None)
    outputs = night_outputs(YESTERDAY, {"dukcapil": 3, "bpjs_ketenagakerjaan": 2}, {})
    materialize_night(tmp_path, YESTERDAY, outputs)

    links, history = previous_worker_ids(warehouse, TONIGHT)

    pd.testing.assert_frame_equal(links, outputs["worker_links"][["record_id", "worker_id"]], check_dtype=False)
    pd.testing.assert_frame_equal(history, outputs["worker_id_history"], check_dtype=False)
    assert previous_worker_ids(warehouse, YESTERDAY) == (None, None)


def test_guard_thresholds_come_from_settings_through_the_resource(monkeypatch: pytest.MonkeyPatch) -> None:
    from pipelines.definitions import build_resources
    from satupekerja.settings import Settings

    assert PublicationGuards().settings() == GuardSettings()
    monkeypatch.setenv("SATUPEKERJA_GUARD_MAX_QUARANTINE_FRACTION", "0.1")
    configured = build_resources(Settings.from_env())["publication_guards"]

    assert configured.settings() == GuardSettings(max_row_drop_fraction=0.2, max_quarantine_fraction=0.1)
    assert PublicationGuards().settings() == GuardSettings(), "the library and the resource never read the environment"


def test_guard_thresholds_can_be_loosened_for_one_run_through_run_config() -> None:
    @dg.asset
    def threshold(publication_guards: PublicationGuards) -> float:
        return publication_guards.settings().max_row_drop_fraction

    result = dg.materialize(
        [threshold],
        resources={"publication_guards": PublicationGuards()},
        run_config={"resources": {"publication_guards": {"config": {"max_row_drop_fraction": 0.5}}}},
    )

    assert result.output_for_node("threshold") == 0.5


def test_a_table_breaking_its_output_contract_holds_the_night_back(tmp_path: Path) -> None:
    outputs = night_outputs(YESTERDAY, {"dukcapil": 100, "bpjs_ketenagakerjaan": 40}, {})
    outputs["unified_workers"] = outputs["unified_workers"].assign(unexpected_column=1)

    result = materialize_night(tmp_path, YESTERDAY, outputs)

    evaluation = check_evaluations(result)[OUTPUT_CONTRACTS_MET]
    assert not evaluation.passed
    assert "unexpected_column" in evaluation.metadata["message"].value
    assert Warehouse(tmp_path).snapshots() == []


def test_record_sources_are_the_text_before_the_first_colon():
    from satupekerja.publishing.guards import record_sources

    ids = pd.Series(
        ["bpjs_kesehatan:0001", "komunitas:ojol_beji_2026:3", "nocolon", None, "umkm:\nx"],
        dtype="str",
        index=[10, 11, 12, 13, 14],
        name="record_id",
    )
    sources = record_sources(ids)
    assert sources.index.tolist() == [10, 11, 12, 13, 14] and sources.name == "record_id"
    assert sources.fillna("<NA>").tolist() == ["bpjs_kesehatan", "komunitas", "nocolon", "<NA>", "umkm"]
