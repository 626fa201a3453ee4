"""Contract date bounds ``today`` mean the snapshot date (the day the feed describes), never the clock."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from data_contracts import load_contract, read_source, validate_source

CONTRACT = """\
source: feed
title: Feed
owner: Owner
read: {format: csv, path: feed.csv}
record_key: ID
columns:
  ID: {}
  TGL:
    type: date
    min: 1900-01-01
    max: today
mapping:
  birth_date: TGL
"""


def report_for(tmp_path: Path, snapshot: dt.date | None):
    (tmp_path / "feed.yaml").write_text(CONTRACT, encoding="utf-8")
    (tmp_path / "feed.csv").write_text("ID,TGL\n1,2025-06-30\n2,2025-07-01\n", encoding="utf-8")
    contract = load_contract(tmp_path / "feed.yaml")
    return validate_source(contract, read_source(contract, tmp_path), snapshot)


def test_today_is_the_snapshot_date(tmp_path: Path) -> None:
    issues = report_for(tmp_path, dt.date(2025, 6, 30)).row_issues
    assert issues[["row", "column", "rule"]].values.tolist() == [[1, "TGL", "range"]]
    assert "2025-06-30" in issues["reason"].iloc[0]


def test_a_later_snapshot_accepts_both_rows(tmp_path: Path) -> None:
    assert len(report_for(tmp_path, dt.date(2025, 7, 1)).row_issues) == 0
