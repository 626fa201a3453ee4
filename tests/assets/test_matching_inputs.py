"""What the matching step reads of the person records at the end: the review queue's columns of the queued
records only (``frame_of`` with ``rows``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.io_managers import _write_parquet_atomically
from satupekerja.publishing.stored import StoredFrame, frame_of
from satupekerja.registry.review_queue import REVIEW_RECORD_COLUMNS, review_queue_table
from tests.matching.helpers import person_records


def records() -> pd.DataFrame:
    return person_records(
        [
            {"name": f"ORANG {n}", "birth_date": f"1990-01-{n + 1:02d}", "sex": "L", "kelurahan_code": "32.76.01.1001"}
            for n in range(6)
        ]
    )


def test_stored_records_are_read_for_the_queued_ids_only(tmp_path):
    frame = records()
    path = tmp_path / "person_records" / "data.parquet"
    _write_parquet_atomically(frame, path)
    wanted = np.array(["test:4", "test:1"], dtype=object)
    rows = ("record_id", wanted)
    stored = frame_of(StoredFrame(path), REVIEW_RECORD_COLUMNS, rows).reset_index(drop=True)
    in_memory = frame_of(frame, REVIEW_RECORD_COLUMNS, rows).reset_index(drop=True)
    assert list(stored.columns) == list(REVIEW_RECORD_COLUMNS)
    assert sorted(stored["record_id"]) == ["test:1", "test:4"]
    pd.testing.assert_frame_equal(stored, in_memory)


def test_the_review_queue_needs_no_other_person_column(tmp_path):
    frame = records()
    queue = pd.DataFrame(
        {
            "record_id_l": ["test:0"],
            "record_id_r": ["test:3"],
            "reason": ["uncertain"],
            "match_probability": [0.5],
            "match_weight": [0.0],
        }
    )
    worker_ids = pd.DataFrame({"record_id": frame["record_id"], "worker_id": [f"W{n}" for n in range(6)]})
    hashes = pd.Series([f"{n:064x}" for n in range(6)], index=frame["record_id"].to_numpy())
    queued = queue[["record_id_l", "record_id_r"]].to_numpy().ravel()
    pd.testing.assert_frame_equal(
        review_queue_table(queue, frame_of(frame, REVIEW_RECORD_COLUMNS, ("record_id", queued)), worker_ids, hashes),
        review_queue_table(queue, frame, worker_ids, hashes),
    )
