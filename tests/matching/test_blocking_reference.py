"""Blocking against a brute-force reference (dicts of keys, every pair of every block) on random frames."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.blocking import Apart, BlockingRule, block

RULES = (
    BlockingRule(name="a", key=("a",)),
    BlockingRule(name="a_b", key=("a", "b")),
    BlockingRule(name="ab_or_c", key=(("b", "c"), "a")),
    BlockingRule(name="a_refined", key=("a",), refine=("b", ("c", "b")), max_block_size=3),
    BlockingRule(name="a_apart", key=("a",), apart_when_different=(Apart("d"),)),
    BlockingRule(name="b_apart_flag", key=("b",), apart_when_different=(Apart("d", only_for="flag"), Apart("c"))),
    BlockingRule(name="c_focus", key=("c",), focus_column="flag", refine=("a",)),
)


def reference(features: pd.DataFrame, rules, cap: int, focus: np.ndarray | None):
    """Per rule, the pairs and dropped blocks, computed record by record."""
    column = {name: features[name].tolist() for name in features.columns}

    def values(record: int, part) -> list[int]:
        names = (part,) if isinstance(part, str) else part
        return list(dict.fromkeys(v for v in (column[name][record] for name in names) if v >= 0))

    def apart_value(record: int, apart: Apart) -> int:
        if apart.only_for is not None and not column.get(apart.only_for, [False] * len(features))[record]:
            return -1
        return column[apart.column][record]

    masks: dict[tuple[int, int], int] = {}
    stats = []
    for bit, rule in enumerate(rules):
        rule_cap = rule.max_block_size or cap
        blocks: dict[tuple, list[int]] = {}
        for record in range(len(features)):
            for key in itertools.product(*(values(record, part) for part in rule.key)):
                blocks.setdefault(key, []).append(record)
        for part in rule.refine:
            refined: dict[tuple, list[int]] = {}
            for key, members in blocks.items():
                if len(members) <= rule_cap:
                    refined[key] = members
                    continue
                for record in members:
                    for value in values(record, part):
                        refined.setdefault((*key, ("refine", value)), []).append(record)
            blocks = refined
        for apart in rule.apart_when_different:
            split: dict[tuple, list[int]] = {}
            for key, members in blocks.items():
                present = sorted({apart_value(r, apart) for r in members} - {-1})
                if len(members) <= rule_cap or not present:
                    split[key] = members
                    continue
                for value in present:
                    split[(*key, ("apart", value))] = [r for r in members if apart_value(r, apart) in (value, -1)]
            blocks = split
        rule_focus = [True] * len(features) if focus is None else list(focus)
        if rule.focus_column is not None:
            rule_focus = [f and bool(column[rule.focus_column][r]) for r, f in enumerate(rule_focus)]
        blocks = {key: members for key, members in blocks.items() if any(rule_focus[r] for r in members)}
        dropped = [members for members in blocks.values() if len(members) > rule_cap and len(members) > 1]
        found = set()
        for members in blocks.values():
            if len(members) > rule_cap:
                continue
            for left, right in itertools.combinations(sorted(members), 2):
                agree = all(
                    apart_value(left, apart) < 0
                    or apart_value(right, apart) < 0
                    or apart_value(left, apart) == apart_value(right, apart)
                    for apart in rule.apart_when_different
                )
                if agree and (rule_focus[left] or rule_focus[right]):
                    found.add((left, right))
        for pair in found:
            masks[pair] = masks.get(pair, 0) | 1 << bit
        stats.append((rule.name, len(found), len(dropped), sum(len(members) for members in dropped)))
    return masks, stats


small = st.integers(-1, 4)


@st.composite
def frames(draw):
    n = draw(st.integers(0, 40))
    columns = {name: draw(st.lists(small, min_size=n, max_size=n)) for name in ("a", "b", "c", "d")}
    columns["flag"] = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    frame = pd.DataFrame(
        {name: np.asarray(values, dtype=bool if name == "flag" else np.int64) for name, values in columns.items()}
    )
    return frame


@settings(max_examples=300, deadline=None)
@given(
    features=frames(),
    rule_picks=st.lists(st.sampled_from(RULES), min_size=1, max_size=5, unique_by=lambda rule: rule.name),
    cap=st.integers(2, 8),
    use_focus=st.booleans(),
    data=st.data(),
)
def test_block_equals_the_brute_force_reference(features, rule_picks, cap, use_focus, data):
    rules = tuple(rule_picks)
    n = len(features)
    focus = np.asarray(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool) if use_focus else None
    result = block(features, rules, cap, focus)
    masks, stats = reference(features, rules, cap, focus)
    pairs = result.pairs
    assert list(zip(pairs["left"], pairs["right"], strict=True)) == sorted(masks)  # sorted, one row per pair
    assert pairs["rules"].tolist() == [masks[pair] for pair in sorted(masks)]
    assert [tuple(row) for row in result.stats.itertuples(index=False)] == stats
