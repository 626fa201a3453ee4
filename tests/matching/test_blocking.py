"""Blocking: rules pair records sharing a key, alternatives, the block-size cap, focus, the union of rules."""

from __future__ import annotations

import numpy as np
import pandas as pd

from matching.blocking import Apart, BlockingRule, block, rule_names_of


def frame(**columns) -> pd.DataFrame:
    return pd.DataFrame({name: np.asarray(values, dtype=np.int64) for name, values in columns.items()})


def pair_set(result) -> set[tuple[int, int]]:
    return set(zip(result.pairs["left"], result.pairs["right"], strict=True))


def test_records_sharing_every_key_part_are_paired_once_with_left_before_right():
    features = frame(a=[1, 1, 1, 2, -1, -1], b=[5, 5, 6, 5, 5, 5])
    result = block(features, (BlockingRule(name="ab", key=("a", "b")),), max_block_size=100)
    assert pair_set(result) == {(0, 1)}  # -1 is missing: records 4 and 5 share no key


def test_alternative_columns_pair_a_stated_value_with_another_records_second_value():
    features = frame(dob=[100, -1, 300], nik_dob=[-1, 100, 300], name=[7, 7, 7])
    result = block(features, (BlockingRule(name="dob_name", key=(("dob", "nik_dob"), "name")),), 100)
    assert pair_set(result) == {(0, 1)}


def test_oversized_blocks_are_skipped_and_reported():
    features = frame(key=[1] * 5 + [2] * 2)
    result = block(features, (BlockingRule(name="key", key=("key",)),), max_block_size=4)
    assert pair_set(result) == {(5, 6)}
    assert result.stats.loc[0, ["dropped_keys", "dropped_records"]].tolist() == [1, 5]


def test_oversized_blocks_are_grouped_again_on_the_refine_parts_before_being_skipped():
    # key 1: five records, over the cap of 3; refined by b (7, 7, 8, 8, missing), then c.
    features = frame(key=[1, 1, 1, 1, 1, 2, 2], b=[7, 7, 8, 8, -1, 9, 9], c=[3, 3, 3, 3, 3, 3, 3])
    rule = BlockingRule(name="key", key=("key",), refine=("b",))
    result = block(features, (rule,), max_block_size=3)
    assert pair_set(result) == {(0, 1), (2, 3), (5, 6)}  # record 4 has no b: it leaves the big block
    assert result.stats.loc[0, ["dropped_keys", "dropped_records"]].tolist() == [0, 0]
    still_big = BlockingRule(name="key", key=("key",), refine=("c",))
    assert pair_set(block(features, (still_big,), max_block_size=3)) == {(5, 6)}
    alternatives = BlockingRule(name="key", key=("key",), refine=(("b", "c"),))
    assert pair_set(block(features, (alternatives,), max_block_size=2)) == {(0, 1), (2, 3), (5, 6)}


def test_focus_column_keeps_only_pairs_touching_a_focused_record():
    features = frame(key=[1, 1, 1], sparse=[0, 0, 1])
    rule = BlockingRule(name="key", key=("key",), focus_column="sparse")
    assert pair_set(block(features, (rule,), 100)) == {(0, 2), (1, 2)}


def test_union_deduplicates_pairs_and_records_every_rule_that_found_them():
    features = frame(a=[1, 1, 2, 2], b=[3, 3, 3, 4])
    rules = (BlockingRule(name="a", key=("a",)), BlockingRule(name="b", key=("b",)))
    result = block(features, rules, 100)
    masks = dict(zip(zip(result.pairs["left"], result.pairs["right"], strict=True), result.pairs["rules"], strict=True))
    assert masks == {(0, 1): 0b11, (2, 3): 0b01, (0, 2): 0b10, (1, 2): 0b10}
    assert result.stats["pairs"].tolist() == [2, 3]
    names = rule_names_of(result.pairs["rules"], rules)
    assert sorted(set(names)) == ["a", "a|b", "b"]


def test_pairs_grow_linearly_when_blocks_keep_their_size():
    rng = np.random.default_rng(0)
    counts = []
    for n in (2_000, 8_000):
        features = frame(key=rng.integers(0, n // 4, n))  # about four records per key at any size
        counts.append(len(block(features, (BlockingRule(name="key", key=("key",)),), 100).pairs))
    assert 3 < counts[1] / counts[0] < 5


def test_the_shipped_settings_pair_a_record_without_nik_with_one_born_the_same_day_in_its_kecamatan():
    """LIMAH on a community list (no NIK, a birth date, a kecamatan) and HALIMAH MARDIYAH in the register share
    no first word: the ``no_nik_birth_date_kecamatan`` rule pairs them; two registered records born that day in
    that kecamatan are not paired by it (only pairs touching a record without NIK)."""
    from data_contracts.matching_settings import load_matching_settings
    from matching.features import compute_features
    from tests.matching.helpers import person_records

    settings = load_matching_settings()
    rules = tuple(rule for rule in settings.blocking_rules if rule.name == "no_nik_birth_date_kecamatan")
    assert len(rules) == 1
    rows = [
        {"name": "LIMAH", "birth_date": "1975-05-16", "kecamatan_code": "32.76.03"},
        {
            "name": "HALIMAH MARDIYAH",
            "nik": "3276035605750001",
            "birth_date": "1975-05-16",
            "kecamatan_code": "32.76.03",
        },
        {"name": "SITI AMINAH", "nik": "3276035605750002", "birth_date": "1975-05-16", "kecamatan_code": "32.76.03"},
        {"name": "RINA", "birth_date": "1975-05-16", "kecamatan_code": "32.76.05"},
    ]
    features = compute_features(person_records(rows), settings.feature_spec())
    pairs = block(features, rules, settings.max_block_size).pairs
    assert sorted(zip(pairs["left"], pairs["right"], strict=True)) == [(0, 1), (0, 2)]


def test_keys_of_large_numbers_beyond_one_packed_integer_still_group_exactly():
    # Two parts of 16-digit numbers cannot be packed into one int64: grouped by their tuple instead.
    nik = [3276015505900001, 3276015505900001, 3276015505900001, 3276015505900002]
    phone = [81234567890, 81234567890, 81234567891, 81234567890]
    features = frame(nik=nik, phone=phone, key=[1, 1, 1, 1], small=[2, 2, 3, 2])
    result = block(features, (BlockingRule(name="nik_phone", key=("nik", "phone")),), 100)
    assert pair_set(result) == {(0, 1)}
    refined = BlockingRule(name="key", key=("key",), refine=(("nik", "small"),))
    # key 1 (four records, over the cap of 3) regrouped per NIK (0, 1, 2) and per small value 2 (0, 1, 3).
    assert pair_set(block(features, (refined,), max_block_size=3)) == {(0, 1), (0, 2), (1, 2), (0, 3), (1, 3)}


def test_sorted_by_group_orders_by_group_then_member_packed_or_not():
    from matching.blocking import _sorted_by_group

    rng = np.random.default_rng(3)
    for top in (50, 2**61):
        members, groups = rng.permutation(1000).astype(np.int64), rng.integers(0, top, 1000)
        order = np.lexsort((members, groups))
        sorted_members, sorted_groups = _sorted_by_group(members, groups)
        assert np.array_equal(sorted_members, members[order]) and np.array_equal(sorted_groups, groups[order])
    empty = np.zeros(0, np.int64)
    assert all(len(part) == 0 for part in _sorted_by_group(empty, empty))


def test_apart_when_different_pairs_records_agreeing_on_the_column_or_missing_it():
    # One block; RT/RW 1, 1, 2 and one record without: the two households are not paired, the record
    # without an RT/RW is paired with both.
    features = frame(key=[1, 1, 1, 1], rt_rw=[1, 1, 2, -1])
    rule = BlockingRule(name="key", key=("key",), apart_when_different=(Apart("rt_rw"),))
    assert pair_set(block(features, (rule,), 100)) == {(0, 1), (0, 3), (1, 3), (2, 3)}
    nobody = frame(key=[1, 1, 1], rt_rw=[-1, -1, -1])
    assert pair_set(block(nobody, (rule,), 100)) == {(0, 1), (0, 2), (1, 2)}
    two_columns = BlockingRule(name="key", key=("key",), apart_when_different=(Apart("rt_rw"), Apart("kel")))
    features = frame(key=[1, 1, 1, 1], rt_rw=[1, 1, 2, -1], kel=[5, 6, -1, 5])
    assert pair_set(block(features, (two_columns,), 100)) == {(0, 3), (2, 3)}


def test_apart_only_for_a_flag_takes_the_value_of_other_records_as_missing():
    # Two NIKs the register holds (records 0, 1) are two people; an unregistered NIK (a typo) is paired with both.
    features = frame(key=[1, 1, 1], nik=[10, 11, 12], registered=[1, 1, 0])
    rule = BlockingRule(name="key", key=("key",), apart_when_different=(Apart("nik", only_for="registered"),))
    assert pair_set(block(features, (rule,), 100)) == {(0, 2), (1, 2)}
    # Without the flag column (no register declared) no NIK is registered: every pair is made.
    unflagged = features.drop(columns="registered")
    assert pair_set(block(unflagged, (rule,), 100)) == {(0, 1), (0, 2), (1, 2)}


def test_apart_splits_a_block_before_the_cap_so_its_sub_blocks_are_kept():
    features = frame(key=[1] * 5, rt_rw=[1, 1, 2, 2, -1])
    whole = BlockingRule(name="key", key=("key",))
    assert pair_set(block(features, (whole,), max_block_size=3)) == set()
    split = BlockingRule(name="key", key=("key",), apart_when_different=(Apart("rt_rw"),))
    result = block(features, (split,), max_block_size=3)
    assert pair_set(result) == {(0, 1), (0, 4), (1, 4), (2, 3), (2, 4), (3, 4)}
    assert result.stats.loc[0, ["pairs", "dropped_keys"]].tolist() == [6, 0]


def test_the_shipped_first_name_rules_leave_out_two_registered_niks_but_not_one_registered_twice():
    """Two namesakes born the same day, both in the register with their own NIKs, are not paired by the
    birth-date-and-first-name rules (clustering never links them); a mistyped NIK that the register does not
    hold still is; one person registered twice (same name, birth date and kelurahan) is paired by
    ``birth_date_name_kelurahan``, so the double registration still reaches the review queue."""
    from data_contracts.matching_settings import load_matching_settings
    from matching.link import encoded_features, matching_features
    from tests.matching.helpers import person_records

    settings = load_matching_settings()
    rows = [
        {"source": "dukcapil", "name": "AGUS SETIAWAN", "nik": "3276011505900001", "kelurahan_code": "32.76.01.1001"},
        {"source": "dukcapil", "name": "AGUS SALIM", "nik": "3276021505900003", "kelurahan_code": "32.76.02.1001"},
        {
            "source": "bpjs_kesehatan",
            "name": "AGUS SALIM",
            "nik": "3276021505900008",
            "kelurahan_code": "32.76.02.1002",
        },
        {"source": "dukcapil", "name": "AGUS SETIAWAN", "nik": "3276011505900005", "kelurahan_code": "32.76.01.1001"},
    ]
    records = person_records([{**row, "birth_date": "1990-05-15"} for row in rows])
    features = encoded_features(matching_features(records, settings), settings)
    assert features["nik_registered"].tolist() == [True, True, False, True]
    names = [rule.name for rule in settings.blocking_rules]
    result = block(features, settings.blocking_rules, settings.max_block_size)
    found = {
        (left, right): {name for bit, name in enumerate(names) if mask >> bit & 1}
        for left, right, mask in zip(result.pairs["left"], result.pairs["right"], result.pairs["rules"], strict=True)
    }
    assert "birth_date_first_name" not in found.get((0, 1), set())
    assert {"birth_date_first_name", "birth_date_skeleton"} <= found[(1, 2)]
    assert "birth_date_first_name" not in found.get((0, 3), set())
    assert "birth_date_name_kelurahan" in found[(0, 3)]
