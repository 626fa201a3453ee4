"""Blocking: a union of rules, each pairing records that share a key, by grouping (never by a cross join).

A rule's key is a tuple of feature columns; an element may itself be a tuple of *alternative* columns, so a
record contributes one key per alternative (``(("dob", "nik_dob"), "name_first_code")`` pairs a stated
birth date with another record's NIK-implied one). Records missing any part of a key are not blocked by
that rule. Keys shared by more records than the cap are grouped again on the rule's ``refine`` parts, if it
declares any, and dropped for that rule (and reported) when still too large: such keys (a very common name in
a big kelurahan) would add pairs quadratically and other rules still reach those records. A rule's
``apart_when_different`` columns then split each block into sub-blocks whose records agree on them or lack them
(two households on one street name with different RT/RWs are not paired). Pairs are ``left < right``
positions, deduplicated across rules, with a bit mask of the rules that found them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

KeyPart = str | tuple[str, ...]


@dataclass(frozen=True)
class Apart:
    """A column on which two records must not disagree to be paired (``BlockingRule.apart_when_different``).

    ``only_for``: a boolean feature; the value counts only for such records, another record's is taken as
    missing (a NIK only where the population register holds it). Features without that column flag no record
    (no register declared: no NIK is known to be registered), and the rule pairs as without ``apart``.
    """

    column: str
    only_for: str | None = None


@dataclass(frozen=True, kw_only=True)
class BlockingRule:
    """Records agreeing on every part of ``key`` become candidate pairs.

    ``focus_column`` (a boolean feature) restricts the rule to pairs with at least one such record: a broad
    key (a name token within a kelurahan) is affordable only for the few records nothing else can find.
    ``max_block_size`` overrides the engine-wide cap for this rule. ``refine``: key parts added, one after the
    other, to the key of a block larger than the cap (a birth date shared by too many MUHAMMADs is split by
    their call names), so its records are grouped again instead of skipped; a block still larger than the cap
    after the last part is skipped. Blocks keep a bounded size as the city grows: pairs grow with the records.
    ``apart_when_different``: columns on which two records of a block must not disagree to be paired: records
    holding different values are not paired by this rule, a record missing the value is paired with every
    record of its block (two households born on one day at ``KP. SAWAH``, a name found in many kelurahan, are
    not paired when their RT/RW differ; a record without one still is). The block is split into one sub-block
    per value (a record without a value joins each) before the cap is applied to the sub-blocks.
    """

    name: str
    key: tuple[KeyPart, ...]
    focus_column: str | None = None
    max_block_size: int | None = None
    refine: tuple[KeyPart, ...] = ()
    apart_when_different: tuple[Apart, ...] = ()


@dataclass(frozen=True)
class BlockingResult:
    """``pairs``: ``left``, ``right`` (positions), ``rules`` (bit k set ⇔ rule k found the pair).

    ``stats``: per rule, the pairs it produced, the keys dropped for exceeding the block cap and the records
    in those keys.
    """

    pairs: pd.DataFrame
    stats: pd.DataFrame


def block(
    features: pd.DataFrame,
    rules: tuple[BlockingRule, ...],
    max_block_size: int,
    focus: np.ndarray | None = None,
) -> BlockingResult:
    """Candidate pairs from the union of ``rules`` over the feature frame.

    With ``focus`` (a boolean mask over records), only pairs with at least one focused record are produced:
    used to link a small new list against a large registry without pairing the registry with itself.
    """
    if len(rules) > 62:
        raise ValueError("at most 62 blocking rules fit the rule bit mask")
    n = len(features)
    if n > _MAX_RECORDS:
        raise ValueError(f"at most {_MAX_RECORDS:,} records fit the pair codes")
    pair_codes, dropped = [], []
    for bit, rule in enumerate(rules):
        rule_focus = _combined_focus(features, rule, focus)
        cap = rule.max_block_size or max_block_size
        members, groups = _rule_keys(features, rule.key)
        for part in rule.refine:
            members, groups = _refined(features, members, groups, part, cap)
        for apart in rule.apart_when_different:
            members, groups = _apart(features, members, groups, apart, cap)
        if rule_focus is not None:
            members, groups = _groups_touching(members, groups, rule_focus)
        left, right, dropped_keys, dropped_records = _pairs_within_groups(members, groups, cap)
        for apart in rule.apart_when_different:
            agreeing = _agreeing(features, left, right, apart)
            left, right = left[agreeing], right[agreeing]
        if rule_focus is not None:
            touching = rule_focus[left] | rule_focus[right]
            left, right = left[touching], right[touching]
        pair_codes.append(((left * n + right) << _BIT_BITS) | bit)
        dropped.append((dropped_keys, dropped_records))
    pairs, per_rule = _union(np.concatenate([np.empty(0, np.int64), *pair_codes]), n, len(rules))
    stats = pd.DataFrame(
        {
            "rule": [rule.name for rule in rules],
            "pairs": [int(count) for count in per_rule],
            "dropped_keys": [keys for keys, _ in dropped],
            "dropped_records": [records for _, records in dropped],
        },
        columns=["rule", "pairs", "dropped_keys", "dropped_records"],
    )
    return BlockingResult(pairs=pairs, stats=stats)


def rule_names_of(rule_mask: pd.Series, rules: tuple[BlockingRule, ...]) -> pd.Series:
    """Readable ``a|b`` list of the rules in each mask (for the review queue and explanations)."""
    unique_masks = pd.Series(rule_mask.unique())
    names = unique_masks.map(lambda mask: "|".join(rule.name for bit, rule in enumerate(rules) if mask >> bit & 1))
    return rule_mask.map(dict(zip(unique_masks, names, strict=True))).astype("str")


def _rule_keys(features: pd.DataFrame, key: tuple[KeyPart, ...]) -> tuple[np.ndarray, np.ndarray]:
    """(record position, dense key id) for every record and every combination of its alternative key values."""
    records = np.arange(len(features), dtype=np.int64)
    parts: list[np.ndarray] = []
    for part in key:
        records, parts = _with_part(features, records, parts, part)
    if not len(records):
        return records, np.empty(0, np.int64)
    return records, _dense_ids(parts)


def _dense_ids(parts: list[np.ndarray]) -> np.ndarray:
    """Per row, an id of its tuple of values (all ≥ 0) over ``parts``: equal tuples get equal ids, numbered in
    order of first appearance. Tuples are packed into one integer (hashed once) while their range fits."""
    packed = np.zeros(len(parts[0]), dtype=np.int64)
    span = 1
    for values in parts:
        width = int(values.max()) + 1 if len(values) else 1
        if span > _PACKED_LIMIT // width:
            frame = pd.DataFrame({f"key{k}": values for k, values in enumerate(parts)})
            return frame.groupby(list(frame.columns), sort=False).ngroup().to_numpy(dtype=np.int64)
        packed = packed * width + values
        span *= width
    return pd.factorize(packed)[0].astype(np.int64)


_PACKED_LIMIT = 2**62


def _with_part(
    features: pd.DataFrame, records: np.ndarray, parts: list[np.ndarray], part: KeyPart
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Each (record, key values so far) row once per distinct present value of ``part`` (one column, or
    alternative columns: a value equal to an earlier alternative's for the same row is not repeated)."""
    taken, values = _present_values(features, part, records)
    return records[taken], [*(values_so_far[taken] for values_so_far in parts), values]


def _present_values(features: pd.DataFrame, part: KeyPart, records: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(index into ``records``, value) once per distinct present value of ``part`` for each record (one column,
    or alternative columns: a value equal to an earlier alternative's for the same record is not repeated)."""
    names = (part,) if isinstance(part, str) else part
    columns = [features[name].to_numpy(dtype=np.int64)[records] for name in names]
    taken, values = [], []
    for k, column in enumerate(columns):
        keep = column >= 0
        for earlier in columns[:k]:
            keep &= column != earlier
        taken.append(np.flatnonzero(keep))
        values.append(column[keep])
    return np.concatenate(taken), np.concatenate(values)


def _refined(
    features: pd.DataFrame, members: np.ndarray, groups: np.ndarray, part: KeyPart, cap: int
) -> tuple[np.ndarray, np.ndarray]:
    """Groups larger than ``cap`` grouped again on their key plus ``part`` (a member without it leaves the
    block; with alternatives, one member per value); the other groups unchanged."""
    sizes = np.bincount(groups) if len(groups) else np.empty(0, np.int64)
    big = sizes[groups] > cap
    if not big.any():
        return members, groups
    # Every (member, group) of a big block once per distinct present value of the part: a member is listed
    # once per group, so the rows are distinct without numbering the triples.
    big_members, big_groups = members[big], groups[big]
    rows, values = _present_values(features, part, big_members)
    regrouped = _dense_ids([big_groups[rows], values]) if len(rows) else np.empty(0, np.int64)
    offset = int(groups.max()) + 1
    return (
        np.concatenate([members[~big], big_members[rows]]),
        np.concatenate([groups[~big], regrouped + offset]),
    )


def _apart(
    features: pd.DataFrame, members: np.ndarray, groups: np.ndarray, apart: Apart, cap: int
) -> tuple[np.ndarray, np.ndarray]:
    """Groups larger than ``cap`` split by ``apart`` (:func:`_split_apart`); the others unchanged, their pairs
    are kept only where they agree (:func:`_agreeing`): the same pairs, without numbering the values of every
    small block."""
    if not len(groups):
        return members, groups
    big = np.bincount(groups)[groups] > cap
    if not big.any():
        return members, groups
    split_members, split_groups = _split_apart(features, members[big], groups[big], apart)
    return (
        np.concatenate([members[~big], split_members]),
        np.concatenate([groups[~big], split_groups + int(groups.max()) + 1]),
    )


def _apart_values(features: pd.DataFrame, apart: Apart) -> np.ndarray:
    """The column's values, -1 (missing) for records outside ``apart.only_for``."""
    value = features[apart.column].to_numpy(dtype=np.int64)
    if apart.only_for is None:
        return value
    if apart.only_for not in features.columns:
        return np.full(len(value), -1, dtype=np.int64)
    return np.where(features[apart.only_for].to_numpy(dtype=bool), value, -1)


def _agreeing(features: pd.DataFrame, left: np.ndarray, right: np.ndarray, apart: Apart) -> np.ndarray:
    """Pairs whose values are equal or missing on one side."""
    value = _apart_values(features, apart)
    a, b = value[left], value[right]
    return (a < 0) | (b < 0) | (a == b)


def _split_apart(
    features: pd.DataFrame, members: np.ndarray, groups: np.ndarray, apart: Apart
) -> tuple[np.ndarray, np.ndarray]:
    """Each group split by the value of ``apart.column``: one sub-block per present value, and a member missing
    the value joins every sub-block of its group (or, with no value present in its group, one of its own), so
    two members share a sub-block exactly when their values are equal or one is missing."""
    # A record alone in its group pairs with no one.
    shared = np.bincount(groups)[groups] > 1
    members, groups = members[shared], groups[shared]
    if not len(groups):
        return members, groups
    value = _apart_values(features, apart)[members]
    present = value >= 0
    if not present.any():
        return members, groups
    # Values numbered densely first (a NIK's 16 digits would not pack with the group id into one integer).
    value = np.where(present, pd.factorize(np.where(present, value, -1))[0], -1)
    if present.all():
        return members, _dense_ids([groups, value])
    sub = _dense_ids([groups[present], value[present]])
    count = int(sub.max()) + 1
    group_of_sub = np.empty(count, dtype=np.int64)
    group_of_sub[sub] = groups[present]
    by_group = np.argsort(group_of_sub, kind="stable")  # sub-block ids listed group after group
    per_group = np.bincount(group_of_sub, minlength=int(groups.max()) + 1)
    first = np.cumsum(per_group) - per_group
    missing_members, missing_groups = members[~present], groups[~present]
    copies = per_group[missing_groups]
    alone = copies == 0
    copies = np.where(alone, 1, copies)
    total = int(copies.sum())
    rank = np.arange(total) - np.repeat(np.cumsum(copies) - copies, copies)
    joined = by_group[np.minimum(np.repeat(first[missing_groups], copies) + rank, max(count - 1, 0))]
    # Members missing the value in a group where no one has one keep a sub-block of their own (ids past ``count``).
    own = count + np.unique(missing_groups[alone], return_inverse=True)[1]
    joined[np.repeat(alone, copies)] = own
    return np.concatenate([members[present], np.repeat(missing_members, copies)]), np.concatenate([sub, joined])


def _combined_focus(features: pd.DataFrame, rule: BlockingRule, focus: np.ndarray | None) -> np.ndarray | None:
    if rule.focus_column is None:
        return focus
    rule_focus = features[rule.focus_column].to_numpy(dtype=bool)
    return rule_focus if focus is None else rule_focus & focus


def _groups_touching(members: np.ndarray, groups: np.ndarray, focus: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if not len(groups):
        return members, groups
    touched = np.zeros(int(groups.max()) + 1, dtype=bool)
    touched[groups[focus[members]]] = True
    keep = touched[groups]
    return members[keep], groups[keep]


def _pairs_within_groups(members: np.ndarray, groups: np.ndarray, cap: int) -> tuple[np.ndarray, np.ndarray, int, int]:
    """All pairs of members sharing a group, skipping groups larger than ``cap``.

    Returns (left, right, dropped group count, records in dropped groups).
    """
    members, groups = _sorted_by_group(members, groups)
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]]) if len(groups) else np.empty(0, np.int64)
    sizes = np.diff(np.r_[starts, len(groups)])
    oversized = sizes > cap
    dropped_keys, dropped_records = int(oversized.sum()), int(sizes[oversized].sum())
    keep = (sizes > 1) & ~oversized
    starts, sizes = starts[keep], sizes[keep]
    # The member at offset o of a group of size s pairs with the s - 1 - o members after it.
    offsets = np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    element_pos = np.repeat(starts, sizes) + offsets
    partners = np.repeat(sizes, sizes) - 1 - offsets
    first = np.repeat(element_pos, partners)
    second = first + 1 + (np.arange(first.size) - np.repeat(np.cumsum(partners) - partners, partners))
    # Members ascend within a group, so each pair comes out as (smaller, larger).
    return members[first], members[second], dropped_keys, dropped_records


def _sorted_by_group(members: np.ndarray, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Members and groups (both ≥ 0) ordered by group, then member: while both fit one int64 together, by one plain
    sort of the packed values (faster than an argsort and the gathers after it)."""
    if not len(groups):
        return members, groups
    member_bits = max(int(members.max()).bit_length(), 1)
    if int(groups.max()) >= 1 << (63 - member_bits):
        order = np.lexsort((members, groups))
        return members[order], groups[order]
    packed = np.sort((groups.astype(np.int64) << member_bits) | members)
    return packed & ((1 << member_bits) - 1), packed >> member_bits


def _union(tagged: np.ndarray, n: int, rule_count: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Pairs from ``(left * n + right) << _BIT_BITS | rule bit`` codes (repeats allowed), and per rule the
    distinct pairs it found. One plain sort of the codes (no argsort, no gather): equal pairs end up adjacent
    with their rules."""
    tagged = np.sort(tagged)
    if len(tagged):
        tagged = tagged[np.r_[True, tagged[1:] != tagged[:-1]]]
    per_rule = np.bincount(tagged & _BIT_MASK, minlength=rule_count)
    codes = tagged >> _BIT_BITS
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if len(codes) else np.empty(0, np.int64)
    masks = np.bitwise_or.reduceat(np.left_shift(1, tagged & _BIT_MASK), starts) if len(codes) else codes[:0]
    unique_codes = codes[starts]
    width = max(n, 1)
    return pd.DataFrame({"left": unique_codes // width, "right": unique_codes % width, "rules": masks}), per_rule


# A pair code carries its rule's bit number in its low bits: (left * n + right) << 6 | bit fits an int64 while
# n² · 64 < 2⁶³.
_BIT_BITS = 6
_BIT_MASK = (1 << _BIT_BITS) - 1
_MAX_RECORDS = 379_625_062
