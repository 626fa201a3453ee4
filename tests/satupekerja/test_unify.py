"""Survivorship rules of the unified worker record, case by case."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from data_contracts.contract import default_role_book
from data_contracts.roles import load_employment_model
from satupekerja.registry.unify import build_unified_workers

SNAPSHOT = pd.Timestamp("2025-06-15")

#: The shipped contracts' roles and employment model, passed explicitly as the pipeline passes the configured ones.
ROLES = default_role_book()
MODEL = load_employment_model()

VALID_NIK = "3276011203900001"
OTHER_VALID_NIK = "3276011203900002"


def unify(records_and_links) -> pd.DataFrame:
    person_records, links = records_and_links
    return build_unified_workers(person_records, links, SNAPSHOT, ROLES, MODEL).set_index("worker_id")


def test_dukcapil_wins_identity_even_against_agreeing_sources(make_records):
    unified = unify(
        make_records(
            ("W1", {"source": "bpjs_kesehatan", "name": "BUDI SANTOSA", "sex": "P", "birth_date": "1990-03-13"}),
            ("W1", {"source": "umkm", "name": "BUDI SANTOSA", "sex": "P", "birth_date": "1990-03-13"}),
            (
                "W1",
                {
                    "source": "dukcapil",
                    "name": "BUDI SANTOSO",
                    "sex": "L",
                    "birth_date": "1990-03-12",
                    "kk": "3276010101200001",
                },
            ),
        )
    )
    row = unified.loc["W1"]
    assert (row["name"], row["sex"], row["birth_date"], row["kk"]) == (
        "BUDI SANTOSO",
        "L",
        pd.Timestamp("1990-03-12"),
        "3276010101200001",
    )
    assert row["name_source"] == row["sex_source"] == row["birth_date_source"] == row["kk_source"] == "dukcapil"


def test_valid_nik_beats_invalid_dukcapil_nik(make_records):
    unified = unify(
        make_records(
            ("W1", {"source": "dukcapil", "nik": "3276010000000000", "nik_valid": False}),
            ("W1", {"source": "pedagang_pasar", "nik": VALID_NIK, "nik_valid": True}),
        )
    )
    assert unified.loc["W1", "nik"] == VALID_NIK
    assert unified.loc["W1", "nik_source"] == "pedagang_pasar"
    assert bool(unified.loc["W1", "nik_valid"]) is True


def test_without_dukcapil_the_most_frequent_value_wins(make_records):
    unified = unify(
        make_records(
            ("W1", {"source": "bpjs_kesehatan", "nik": OTHER_VALID_NIK, "nik_valid": True, "name": "SITI"}),
            ("W1", {"source": "umkm", "nik": VALID_NIK, "nik_valid": True, "name": "SITI AMINAH"}),
            ("W1", {"source": "pedagang_pasar", "nik": VALID_NIK, "nik_valid": True, "name": "SITI AMINAH"}),
        )
    )
    assert unified.loc["W1", "nik"] == VALID_NIK
    assert unified.loc["W1", "name"] == "SITI AMINAH"


def test_frequency_tie_is_broken_by_source_priority(make_records):
    unified = unify(
        make_records(
            ("W1", {"source": "komunitas", "name": "ANDI", "registered_date": "2025-05-01"}),
            ("W1", {"source": "bpjs_ketenagakerjaan", "name": "ANDIKA", "registered_date": "2020-01-01"}),
        )
    )
    assert unified.loc["W1", "name"] == "ANDIKA"
    assert unified.loc["W1", "name_source"] == "bpjs_ketenagakerjaan"


def test_most_recent_record_wins_phone_and_undated_records_lose(make_records):
    unified = unify(
        make_records(
            ("W1", {"source": "dukcapil", "phone": "6281100000001"}),
            ("W1", {"source": "bpjs_kesehatan", "phone": "6281100000002", "registered_date": "2021-01-01"}),
            ("W1", {"source": "komunitas", "phone": "6281100000003", "registered_date": "2025-02-01"}),
        )
    )
    assert unified.loc["W1", "phone"] == "6281100000003"
    assert unified.loc["W1", "phone_source"] == "komunitas"


def test_phone_recency_tie_is_broken_by_source_priority(make_records):
    unified = unify(
        make_records(
            ("W1", {"source": "umkm", "phone": "6281100000001", "registered_date": "2025-02-01"}),
            ("W1", {"source": "bpjs_kesehatan", "phone": "6281100000002", "registered_date": "2025-02-01"}),
        )
    )
    assert unified.loc["W1", "phone"] == "6281100000002"


def test_residence_is_one_block_and_a_resolved_kelurahan_beats_recency(make_records):
    unified = unify(
        make_records(
            (
                "W1",
                {
                    "source": "umkm",
                    "address": "JL MELATI 1",
                    "rt": "1",
                    "rw": "2",
                    "kelurahan_code": "32.76.01.1006",
                    "kecamatan_code": "32.76.01",
                    "registered_date": "2023-01-01",
                },
            ),
            ("W1", {"source": "komunitas", "address": "GG KENANGA", "rt": "7", "registered_date": "2025-01-01"}),
            (
                "W1",
                {
                    "source": "bpjs_kesehatan",
                    "address": "JL MAWAR 9",
                    "kelurahan_code": "32.76.02.1001",
                    "kecamatan_code": "32.76.02",
                    "registered_date": "2024-06-01",
                },
            ),
        )
    )
    row = unified.loc["W1"]
    assert (row["address"], row["kelurahan_code"], row["kecamatan_code"]) == ("JL MAWAR 9", "32.76.02.1001", "32.76.02")
    assert pd.isna(row["rt"]) and pd.isna(row["rw"])
    assert row["address_source"] == row["kelurahan_code_source"] == "bpjs_kesehatan"


def test_linked_records_sources_and_match_confidence(make_records):
    person_records, links = make_records(
        ("W1", {"source": "dukcapil"}),
        ("W1", {"source": "komunitas"}),
        ("W1", {"source": "komunitas"}),
        ("W2", {"source": "umkm"}),
    )
    links["match_confidence"] = [pd.NA, 0.95, 0.80, pd.NA]
    unified = build_unified_workers(person_records, links, SNAPSHOT, ROLES, MODEL).set_index("worker_id")
    assert unified.loc["W1", "record_ids"] == ["dukcapil:1", "komunitas:2", "komunitas:3"]
    assert unified.loc["W1", "record_count"] == 3
    assert unified.loc["W1", "sources"] == "dukcapil,komunitas"
    assert unified.loc["W1", "match_confidence"] == pytest.approx(0.80)
    assert unified.loc["W2", "match_confidence"] == 1.0
    assert unified.loc["W2", "record_count"] == 1


def test_one_row_per_worker_and_snapshot_date_column(make_records):
    unified = unify(
        make_records(("W1", {"source": "dukcapil"}), ("W2", {"source": "umkm"}), ("W2", {"source": "komunitas"}))
    )
    assert list(unified.index) == ["W1", "W2"]
    assert (unified["snapshot_date"] == SNAPSHOT).all()


def test_result_does_not_depend_on_input_order(make_records):
    person_records, links = make_records(
        ("W1", {"source": "umkm", "name": "A", "phone": "6281100000001", "registered_date": "2025-01-01"}),
        ("W1", {"source": "pedagang_pasar", "name": "B", "phone": "6281100000002", "registered_date": "2025-01-01"}),
        ("W1", {"source": "komunitas", "name": "C", "phone": "6281100000003"}),
    )
    forward = build_unified_workers(person_records, links, SNAPSHOT, ROLES, MODEL)
    backward = build_unified_workers(
        person_records.iloc[::-1].reset_index(drop=True), links.iloc[::-1], SNAPSHOT, ROLES, MODEL
    )
    pd.testing.assert_frame_equal(forward, backward)


def test_unlinked_record_is_an_error_without_personal_data(make_records):
    person_records, links = make_records(("W1", {"source": "dukcapil", "name": "RAHASIA"}), ("W2", {"source": "umkm"}))
    with pytest.raises(ValueError, match="1 record") as error:
        build_unified_workers(person_records, links.iloc[:1], SNAPSHOT, ROLES, MODEL)
    assert "RAHASIA" not in str(error.value)


def test_match_weight_confidence_is_turned_into_a_probability(make_records):
    person_records, links = make_records(("W1", {"source": "dukcapil"}), ("W1", {"source": "umkm"}))
    links["confidence"] = [10.0, 3.0]
    unified = build_unified_workers(person_records, links, SNAPSHOT, ROLES, MODEL)
    assert unified.loc[0, "match_confidence"] == pytest.approx(1 / (1 + 2**-3))


def test_sector_comes_from_the_occupation_only_when_no_source_names_a_trade(make_records):
    unified = unify(
        make_records(
            ("W1", {"source": "dukcapil", "occupation": "PEDAGANG"}),
            ("W2", {"source": "dukcapil", "occupation": "PEDAGANG"}),
            ("W2", {"source": "komunitas", "sector": "ojol"}),
            ("W3", {"source": "dukcapil", "occupation": "KARYAWAN SWASTA"}),
        )
    )
    assert (unified.loc["W1", "sector"], unified.loc["W1", "sector_source"]) == ("pedagang", "dukcapil")
    assert (unified.loc["W2", "sector"], unified.loc["W2", "sector_source"]) == ("ojol", "komunitas")
    assert pd.isna(unified.loc["W3", "sector"])


def test_worker_codes_and_record_order_are_pandas_sorted_factorize():
    from satupekerja.registry.unify import _rank_of_unique, _sorted_codes

    ids = pd.Series(["W10", "W2", "W10", "Ö1", "W1", "A", "W2", "a"], dtype="str")
    codes, uniques = _sorted_codes(ids)
    expected_codes, expected_uniques = pd.factorize(ids, sort=True)
    assert codes.tolist() == expected_codes.tolist()
    assert uniques.tolist() == list(expected_uniques)
    records = pd.Series(["umkm:2", "dukcapil:10", "dukcapil:9", "komunitas:é", "bpjs:1"], dtype="str")
    assert _rank_of_unique(records).tolist() == pd.factorize(records, sort=True)[0].tolist()


def test_links_sorted_by_record_id_give_the_same_workers_as_links_in_any_order(make_records):
    # worker_links sorted by record_id (as the engine writes them) take the Arrow look-up; other orders the general one.
    person_records, links = make_records(
        ("W2", {"source": "umkm", "name": "A", "phone": "6281100000001", "registered_date": "2025-01-01"}),
        ("W1", {"source": "pedagang_pasar", "name": "B", "phone": "6281100000002", "registered_date": "2025-01-01"}),
        ("W1", {"source": "komunitas", "name": "C", "phone": "6281100000003"}),
        ("W2", {"source": "dukcapil", "name": "D", "kk": "3276010101200001"}),
    )
    in_record_order = build_unified_workers(person_records, links, SNAPSHOT, ROLES, MODEL)
    sorted_links = links.sort_values("record_id").reset_index(drop=True)
    assert sorted_links["record_id"].is_monotonic_increasing and not links["record_id"].is_monotonic_increasing
    pd.testing.assert_frame_equal(
        build_unified_workers(person_records, sorted_links, SNAPSHOT, ROLES, MODEL), in_record_order
    )


@pytest.mark.parametrize("sort_links", [True, False])
def test_a_record_linked_twice_or_listed_twice_is_an_error(make_records, sort_links):
    person_records, links = make_records(("W1", {"source": "dukcapil"}), ("W2", {"source": "umkm"}))
    order = (lambda frame: frame.sort_values("record_id")) if sort_links else (lambda frame: frame)
    with pytest.raises(ValueError, match="worker_links: 1 record_id"):
        build_unified_workers(person_records, order(pd.concat([links, links.iloc[:1]])), SNAPSHOT, ROLES, MODEL)
    twice = pd.concat([person_records, person_records.iloc[:1]], ignore_index=True)
    with pytest.raises(ValueError, match="person_records: 1 duplicated record_id"):
        build_unified_workers(twice, order(links), SNAPSHOT, ROLES, MODEL)


def test_winning_rows_break_a_tie_at_the_smallest_key_as_the_sort_does():
    from satupekerja.registry.grouping import first_per_worker
    from satupekerja.registry.unify import _winning_rows

    rows = pd.DataFrame(
        {"worker_index": [0, 0, 1, 1, 1, 3], "_key": [5, 5, 9, 2, 7, 1], "_row": [10, 11, 12, 13, 14, 15]}
    )
    expected = first_per_worker(rows, ["_key"], [True], 4)["_row"].to_numpy(dtype="float64", na_value=np.nan)
    assert _winning_rows(rows, ["_key"], [True], 4).tolist() == [10, 13, -1, 15]
    assert expected[[0, 1, 3]].tolist() == [10, 13, 15] and np.isnan(expected[2])
    unique = rows.assign(_key=[5, 6, 9, 2, 7, 1])
    assert _winning_rows(unique, ["_key"], [True], 4).tolist() == [10, 13, -1, 15]


@pytest.mark.parametrize(
    "values",
    [
        pd.Series(["a", None, "c"], dtype="str"),
        pd.Series(pd.to_datetime(["2020-01-01", None, "2021-05-06"])),
        pd.Series([True, False, True]),
    ],
)
def test_take_fills_workers_without_a_row_as_the_winners_column_would(values):
    from satupekerja.registry.unify import _take

    rows = np.array([2, -1, 0, 1, -1])
    expected = values.iloc[np.where(rows < 0, 0, rows)].reset_index(drop=True).where(rows >= 0)
    pd.testing.assert_series_equal(_take(values, rows), expected)
