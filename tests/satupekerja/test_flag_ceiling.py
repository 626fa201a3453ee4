"""The ceiling computation of ``benchmarks/flag_ceiling.py`` on small hand-made frames with known answers."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from benchmarks.flag_ceiling import ceiling, learnt_scores, out_of_sample, precision_at_recall


def _frame(groups: dict[str, tuple[int, int]]) -> pd.DataFrame:
    """Workers of groups ``name -> (workers, targets)``, each worker a person of their own."""
    rows = []
    for name, (workers, targets) in groups.items():
        for i in range(workers):
            rows.append({"kind": name, "target": i < targets, "person": f"{name}{i}"})
    return pd.DataFrame(rows)


def test_ceiling_ranks_groups_by_rate_and_takes_the_last_in_part():
    # A: 9 of 10, B: 5 of 10, C: 1 of 10; 15 persons to find, 0.9 of them = 13.5.
    # A (9 found), then B at rate 0.5 until 4.5 more: 9 of B's 10 workers -> 13.5 true of 19 listed.
    frame = _frame({"C": (10, 1), "B": (10, 5), "A": (10, 9)})
    result = ceiling(frame, ["kind"], reachable=15, recall_target=0.9)
    assert result["precision"] == pytest.approx(13.5 / 19)
    assert result["listed"] == pytest.approx(19)
    assert result["cut"] == pytest.approx(0.5)
    assert result["groups"] == 3


def test_ceiling_prefers_a_small_pure_group_to_a_large_mixed_one():
    # The large group holds more targets, the small one a higher rate: the small one comes first.
    frame = _frame({"big": (100, 60), "small": (5, 5)})
    assert ceiling(frame, ["kind"], reachable=65, recall_target=5 / 65)["precision"] == pytest.approx(1.0)
    result = ceiling(frame, ["kind"], reachable=65, recall_target=10 / 65)  # 5 more of big at 0.6: 8 1/3 workers
    assert result["precision"] == pytest.approx(10 / (5 + 5 / 0.6))
    result = ceiling(frame, ["kind"], reachable=65, recall_target=35 / 65)  # 5 + 30 of big's 60 at 0.6
    assert result["precision"] == pytest.approx(35 / (5 + 50))


def test_a_person_listed_twice_is_found_once_but_counts_twice_in_precision():
    frame = pd.DataFrame(
        {
            "score": [0.9, 0.8, 0.1],
            "target": [True, True, True],
            "person": ["p", "p", "q"],  # p split into two workers
        }
    )
    # 2 persons; recall 0.5 needs p only: the first block (score 0.9) is enough.
    assert precision_at_recall(frame, "score", reachable=2, recall_target=0.5)["listed"] == pytest.approx(1)
    # Recall 1 needs q: all three workers, all true.
    full = precision_at_recall(frame, "score", reachable=2, recall_target=1.0)
    assert full["listed"] == pytest.approx(3) and full["precision"] == pytest.approx(1.0)


def test_an_unreachable_recall_gives_no_precision():
    frame = _frame({"A": (4, 2)})
    result = precision_at_recall(frame.assign(score=1.0), "score", reachable=10, recall_target=0.9)
    assert math.isnan(result["precision"]) and result["recall"] == pytest.approx(0.2)


def test_learnt_scores_shrink_towards_the_level_before_and_keep_it_for_unseen_groups():
    train = pd.DataFrame({"kind": ["A"] * 10 + ["B"] * 10, "target": [True] * 10 + [False] * 10, "base": 0.5})
    test = pd.DataFrame({"kind": ["A", "B", "C"], "base": [0.5, 0.5, 0.3]})
    scores = learnt_scores(train, test, [["kind"]], shrink=10.0)
    assert scores.tolist() == pytest.approx([(10 + 5) / 20, (0 + 5) / 20, 0.3])


def test_out_of_sample_is_below_the_in_sample_ceiling_when_groups_are_single_workers():
    # Every worker a group of its own: in sample the targets are found first (precision 1); learnt on other
    # persons nothing carries over and the ranking falls back to the base score.
    frame = _frame({"A": (40, 20)}).assign(kind=lambda f: f["person"], base=0.5)
    assert ceiling(frame, ["kind"], reachable=20)["precision"] == pytest.approx(1.0)
    assert out_of_sample(frame, [["kind"]], reachable=20) == pytest.approx(0.5, abs=0.05)
