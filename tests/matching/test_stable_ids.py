"""Stable worker ids: kept through additions, edits and removals; merges, splits and their history."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from benchmarks.id_stability_bench import PerturbationModel, run, synthetic_truth
from matching.stable_ids import HISTORY_COLUMNS, assign_worker_ids, resolve_retired

NIGHT_1 = date(2026, 11, 20)
NIGHT_2 = date(2026, 11, 21)
NIGHT_3 = date(2026, 11, 22)


def links(clusters: dict[str, list[str]]) -> pd.DataFrame:
    """``{cluster label: [record ids]}`` as a links frame."""
    return pd.DataFrame(
        [(record, label) for label, records in clusters.items() for record in records], columns=["record_id", "cluster"]
    )


def ids_of(assignment: pd.DataFrame) -> dict[str, str]:
    return dict(zip(assignment["record_id"], assignment["worker_id"], strict=True))


def events_on(history: pd.DataFrame, night: date) -> set[tuple]:
    tonight = history.loc[history["snapshot_date"] == pd.Timestamp(night)]
    return {
        (row.worker_id, row.event, None if pd.isna(row.related_worker_id) else row.related_worker_id, row.records)
        for row in tonight.itertuples()
    }


@pytest.fixture
def night_1() -> tuple[pd.DataFrame, pd.DataFrame]:
    return assign_worker_ids(
        links({"x": ["a:1", "a:2"], "y": ["b:1", "b:2", "b:3"], "z": ["c:1"]}), None, None, NIGHT_1
    )


def test_first_night_creates_opaque_deterministic_ids(night_1) -> None:
    assignment, history = night_1

    assert ids_of(assignment) == {
        "a:1": "W261120000000",
        "a:2": "W261120000000",
        "b:1": "W261120000001",
        "b:2": "W261120000001",
        "b:3": "W261120000001",
        "c:1": "W261120000002",
    }
    assert list(history.columns) == HISTORY_COLUMNS
    assert events_on(history, NIGHT_1) == {
        ("W261120000000", "created", None, 2),
        ("W261120000001", "created", None, 3),
        ("W261120000002", "created", None, 1),
    }
    assert assignment["worker_id"].str.fullmatch(r"W\d{6}[0-9A-Z]{6}").all()


def test_ids_do_not_depend_on_cluster_labels_or_row_order(night_1) -> None:
    relabelled = links({7: ["c:1"], 3: ["b:3", "b:1", "b:2"], 5: ["a:2", "a:1"]})

    assignment, _ = assign_worker_ids(relabelled, None, None, NIGHT_1)

    assert ids_of(assignment) == ids_of(night_1[0])


def test_unchanged_clusters_keep_their_ids_without_events(night_1) -> None:
    previous, history = night_1

    assignment, history_2 = assign_worker_ids(
        links({"p": ["c:1"], "q": ["a:1", "a:2"], "r": ["b:1", "b:2", "b:3"]}), previous, history, NIGHT_2
    )

    assert ids_of(assignment) == ids_of(previous)
    assert events_on(history_2, NIGHT_2) == set()


def test_added_and_removed_records_keep_the_persons_id(night_1) -> None:
    previous, history = night_1
    tonight = links({"p": ["a:1", "a:2", "d:9"], "q": ["b:1", "b:3"], "r": ["c:1"]})

    assignment, history_2 = assign_worker_ids(tonight, previous, history, NIGHT_2)

    ids = ids_of(assignment)
    assert ids["d:9"] == ids["a:1"] == "W261120000000"
    assert ids["b:1"] == ids["b:3"] == "W261120000001"
    assert events_on(history_2, NIGHT_2) == {("W261120000000", "kept", None, 3), ("W261120000001", "kept", None, 2)}


def test_merge_keeps_the_older_id_and_retires_the_other(night_1) -> None:
    previous, history = night_1
    previous_2, history = assign_worker_ids(
        links({"x": ["a:1", "a:2"], "y": ["b:1", "b:2", "b:3"], "z": ["c:1"], "n": ["e:1"]}), previous, history, NIGHT_2
    )
    assert ids_of(previous_2)["e:1"] == "W261121000000"

    merged, history_3 = assign_worker_ids(
        links({"m": ["e:1", "c:1"], "x": ["a:1", "a:2"], "y": ["b:1", "b:2", "b:3"]}), previous_2, history, NIGHT_3
    )

    assert ids_of(merged)["e:1"] == ids_of(merged)["c:1"] == "W261120000002"
    assert events_on(history_3, NIGHT_3) == {
        ("W261121000000", "merged_into", "W261120000002", 1),
        ("W261120000002", "kept", None, 2),
    }
    assert resolve_retired("W261121000000", history_3) == "W261120000002"
    assert resolve_retired("W261120000001", history_3) == "W261120000001"


def test_the_older_id_survives_even_when_it_brings_fewer_records(night_1) -> None:
    previous, history = night_1

    merged, history_2 = assign_worker_ids(
        links({"m": ["a:1", "b:1", "b:2", "b:3"], "k": ["a:2"], "z": ["c:1"]}), previous, history, NIGHT_2
    )

    assert ids_of(merged)["b:1"] == "W261120000000"
    assert ids_of(merged)["a:2"] == "W261121000000"
    assert events_on(history_2, NIGHT_2) == {
        ("W261120000000", "kept", None, 4),
        ("W261120000001", "merged_into", "W261120000000", 3),
        ("W261121000000", "split_from", "W261120000000", 1),
    }


def test_split_gives_the_id_to_the_largest_part(night_1) -> None:
    previous, history = night_1

    split, history_2 = assign_worker_ids(
        links({"s": ["b:2"], "t": ["b:1", "b:3"], "x": ["a:1", "a:2"], "z": ["c:1"]}), previous, history, NIGHT_2
    )

    ids = ids_of(split)
    assert ids["b:1"] == ids["b:3"] == "W261120000001"
    assert ids["b:2"] == "W261121000000"
    assert events_on(history_2, NIGHT_2) == {
        ("W261120000001", "kept", None, 2),
        ("W261121000000", "split_from", "W261120000001", 1),
    }


def test_an_even_split_is_decided_by_the_smallest_record_id(night_1) -> None:
    previous, history = night_1
    tonight = links({"late": ["a:2"], "early": ["a:1"], "y": ["b:1", "b:2", "b:3"], "z": ["c:1"]})

    first, _ = assign_worker_ids(tonight, previous, history, NIGHT_2)
    again, _ = assign_worker_ids(tonight.iloc[::-1], previous, history, NIGHT_2)

    assert ids_of(first)["a:1"] == "W261120000000"
    assert ids_of(first)["a:2"] == "W261121000000"
    assert ids_of(again) == ids_of(first)


def test_a_person_whose_records_are_all_gone_is_retired_and_newcomers_are_created(night_1) -> None:
    previous, history = night_1

    assignment, history_2 = assign_worker_ids(
        links({"x": ["a:1", "a:2"], "y": ["b:1", "b:2", "b:3"], "n": ["f:1"]}), previous, history, NIGHT_2
    )

    assert ids_of(assignment)["f:1"] == "W261121000000"
    assert events_on(history_2, NIGHT_2) == {
        ("W261120000002", "retired", None, 0),
        ("W261121000000", "created", None, 1),
    }


def test_rerunning_a_night_replaces_its_history_and_gives_the_same_ids(night_1) -> None:
    previous, history = night_1
    tonight = links({"m": ["a:1", "a:2", "c:1"], "y": ["b:1", "b:2"], "n": ["g:1"]})

    first, history_first = assign_worker_ids(tonight, previous, history, NIGHT_2)
    again, history_again = assign_worker_ids(tonight, previous, history_first, NIGHT_2)

    pd.testing.assert_frame_equal(first, again)
    pd.testing.assert_frame_equal(history_first, history_again)


def test_merges_are_followed_through_several_nights() -> None:
    history = pd.DataFrame(
        {
            "snapshot_date": pd.to_datetime(["2026-11-20", "2026-11-21"]),
            "worker_id": ["W261101000003", "W261101000002"],
            "event": ["merged_into", "merged_into"],
            "related_worker_id": ["W261101000002", "W261101000001"],
            "records": [1, 2],
        }
    )

    assert resolve_retired("W261101000003", history) == "W261101000001"


def test_duplicate_record_ids_are_refused() -> None:
    with pytest.raises(ValueError, match="links: 1 rows repeat a record_id"):
        assign_worker_ids(links({"x": ["a:1"], "y": ["a:1"]}), None, None, NIGHT_1)


def test_unchanged_people_keep_their_ids_when_one_percent_of_records_change() -> None:
    truth = synthetic_truth(20_000, np.random.default_rng(11))

    result = run(truth, PerturbationModel(), seed=11)

    assert result["unchanged people"] > 18_000
    assert result["unchanged people keeping their id"] >= 0.999
    assert result["events night 2"]["merged_into"] > 0
    assert result["events night 2"]["split_from"] > 0


def test_incomplete_inputs_and_a_previous_night_that_is_not_earlier_are_refused(night_1) -> None:
    previous, history = night_1
    with pytest.raises(ValueError, match="links: 1 rows have no cluster"):
        assign_worker_ids(pd.DataFrame({"record_id": ["a:1"], "cluster": [None]}), None, None, NIGHT_1)
    with pytest.raises(ValueError, match="previous: 1 rows have no worker_id"):
        without_id = previous.assign(worker_id=[None, *previous["worker_id"][1:]])
        assign_worker_ids(links({"x": ["a:1"]}), without_id, None, NIGHT_2)
    with pytest.raises(ValueError, match="created on or after 2026-11-20"):
        assign_worker_ids(links({"x": ["a:1"]}), previous, history, NIGHT_1)


def test_an_empty_night_retires_everyone(night_1) -> None:
    previous, history = night_1

    assignment, history_2 = assign_worker_ids(links({}), previous, history, NIGHT_2)

    assert assignment.empty
    assert {event for _, event, _, _ in events_on(history_2, NIGHT_2)} == {"retired"}
