"""Matching, registry and publication assets on the shared small run: wired, complete, and consistent."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pandas as pd
import pytest

from satupekerja.publishing.warehouse import Warehouse

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("dagster")]


def test_every_person_record_has_exactly_one_worker(pipeline_run):
    person_records = pipeline_run.stored("person_records")
    links = pipeline_run.stored("worker_links")
    assert links["record_id"].is_unique
    assert set(links["record_id"]) == set(person_records["record_id"])
    assert links["worker_id"].notna().all()
    assert (links["source"] == links["record_id"].str.split(":", n=1).str[0]).all()


def test_worker_links_metadata_counts_workers_and_link_rates(pipeline_run, contracts):
    links = pipeline_run.stored("worker_links")
    metadata = pipeline_run.materialization("worker_links")
    assert metadata["workers"] == links["worker_id"].nunique()
    assert metadata["workers"] < len(links), "people appear in several sources: some records must be linked"
    for source in links["source"].unique():
        assert f"| {source} | {int((links['source'] == source).sum())} |" in metadata["link rate per source"]


def test_scored_pairs_carry_blocking_and_model_tables(pipeline_run):
    metadata = pipeline_run.materialization("scored_pairs")
    assert metadata["dagster/row_count"] == len(pipeline_run.stored("scored_pairs")) > 0
    assert metadata["pairs per blocking rule"].startswith("| rule | pairs |")
    assert "| comparison | level | m | u | weight |" in metadata["m/u table"]


def test_first_night_creates_every_worker_id(pipeline_run):
    history = pipeline_run.stored("worker_id_history")
    events = pipeline_run.materialization("worker_id_history")["events tonight"]
    assert events == {"created": pipeline_run.stored("worker_links")["worker_id"].nunique()}
    assert len(history) == events["created"]


def test_unified_workers_has_one_row_per_worker(pipeline_run):
    unified = pipeline_run.stored("unified_workers")
    assert unified["worker_id"].is_unique
    assert set(unified["worker_id"]) == set(pipeline_run.stored("worker_links")["worker_id"])


def test_uncovered_informal_workers_are_the_flagged_unified_workers(pipeline_run):
    unified = pipeline_run.stored("unified_workers")
    uncovered = pipeline_run.stored("uncovered_informal_workers")
    assert set(uncovered["worker_id"]) == set(unified.loc[unified["uncovered_informal"], "worker_id"])
    assert pipeline_run.materialization("uncovered_informal_workers")["dagster/row_count"] == len(uncovered) > 0
    # review groups: listed workers of an open double-registration pair of tonight's review queue, one row each
    assert {"review_group", "review_group_size"} <= set(uncovered.columns)
    queue = pipeline_run.stored("match_review_queue")
    listed = set(uncovered["worker_id"])
    doubles = queue[queue["reason"].eq("double_registration")]
    joined = doubles[doubles["worker_id_l"].isin(listed) & doubles["worker_id_r"].isin(listed)]
    group = uncovered.set_index("worker_id")["review_group"]
    assert (group.reindex(joined["worker_id_l"]).to_numpy() == group.reindex(joined["worker_id_r"]).to_numpy()).all()
    members = uncovered[uncovered["review_group"].notna()]
    assert set(members["worker_id"]) >= set(joined["worker_id_l"]) | set(joined["worker_id_r"])
    assert (
        members.groupby("review_group").size() == members.groupby("review_group")["review_group_size"].first()
    ).all()
    assert set(members["review_group"]) <= set(members["worker_id"])
    assert (
        pipeline_run.materialization("uncovered_informal_workers")["review groups"] == members["review_group"].nunique()
    )


def test_coverage_by_area_city_row_matches_metadata(pipeline_run):
    coverage = pipeline_run.stored("coverage_by_area")
    city = coverage.loc[coverage["level"] == "kota"].iloc[0]
    metadata = pipeline_run.materialization("coverage_by_area")
    assert metadata["city workers"] == int(city["workers"])
    assert metadata["city uncovered"] == int(city["uncovered"])


def test_snapshot_is_published_to_the_warehouse(pipeline_run, snapshot):
    assert pipeline_run.materialization("publish_snapshot")["published"] is True
    manifest = json.loads((pipeline_run.warehouse / "_manifest.json").read_text(encoding="utf-8"))
    published = manifest["snapshots"][snapshot]
    assert published["run_id"] == pipeline_run.result.run_id
    rows = published["tables"]["analytics"]["uncovered_informal_workers"]["rows"]
    assert rows == len(pipeline_run.stored("uncovered_informal_workers"))


def test_next_night_inherits_worker_ids_from_the_published_snapshot(pipeline_run, pipeline_runner, snapshot):
    """The same records one night later keep every worker id, read back from the warehouse."""
    next_night = (dt.date.fromisoformat(snapshot) + dt.timedelta(days=1)).isoformat()
    records = pipeline_run.storage / "person_records"
    shutil.copytree(records / f"snapshot_date={snapshot}", records / f"snapshot_date={next_night}")
    rerun = pipeline_runner(
        pipeline_run.inbox,
        pipeline_run.storage.parent,
        selection=[
            "scored_pairs",
            "worker_links",
            "worker_id_history",
            "match_review_queue",
            "matching_model",
            "matching_features",
        ],
        partition_key=next_night,
    )
    assert rerun.result.success
    tonight = rerun.stored("worker_links", partition_key=next_night).set_index("record_id")["worker_id"]
    last_night = pipeline_run.stored("worker_links").set_index("record_id")["worker_id"]
    assert tonight.sort_index().equals(last_night.sort_index())
    metadata = rerun.materialization("worker_id_history")
    assert metadata["ids inherited from snapshot"] == snapshot
    assert metadata["events tonight"] == {}
    model = rerun.materialization("matching_model")
    assert model["EM started from"] == "the last published model"
    assert "largest weight moves since the previous model (bits)" in model
    assert (
        pipeline_run.materialization("matching_model")["moved since the previous model"]
        == "no previous published model"
    )


def test_rerunning_a_partition_with_the_same_inputs_is_idempotent(pipeline_run, pipeline_runner, snapshot, tmp_path):
    """Same inputs, same partition, run again over the published state: same outputs, same ids, no duplicates."""
    outputs = tmp_path / "outputs"
    shutil.copytree(pipeline_run.storage.parent, outputs)

    rerun = pipeline_runner(pipeline_run.inbox, outputs, partition_key=snapshot)

    assert rerun.result.success
    for asset in ("worker_links", "unified_workers", "uncovered_informal_workers", "coverage_by_area"):
        first, again = pipeline_run.stored(asset), rerun.stored(asset)
        order = [column for column in ("record_id", "worker_id", "level", "kelurahan_code") if column in first.columns]
        pd.testing.assert_frame_equal(
            first.sort_values(order).reset_index(drop=True), again.sort_values(order).reset_index(drop=True)
        )
    manifest = json.loads((outputs / "warehouse" / "_manifest.json").read_text(encoding="utf-8"))
    assert list(manifest["snapshots"]) == [snapshot]
    published = Warehouse(outputs / "warehouse").read("unified_workers", tier="restricted")
    assert len(published) == len(pipeline_run.stored("unified_workers"))
    assert published["worker_id"].is_unique
