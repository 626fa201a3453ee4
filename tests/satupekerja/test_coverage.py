"""Employment, BPJS Ketenagakerjaan cover, vulnerability and outreach flags, case by case, and area totals."""

from __future__ import annotations

import pandas as pd
import pytest

from data_contracts.contract import default_role_book
from data_contracts.regions import load_region_reference
from data_contracts.roles import load_employment_model
from satupekerja.registry.coverage import (
    coverage_by_area,
    months_in_arrears,
    review_groups,
    shown_once,
    uncovered_informal_workers,
)
from satupekerja.registry.unify import build_unified_workers

SNAPSHOT = pd.Timestamp("2025-06-15")
LIMO_KELURAHAN = "32.76.04.1001"

#: The shipped contracts' roles and employment model, passed explicitly as the pipeline passes the configured ones.
ROLES = default_role_book()
MODEL = load_employment_model()


def flags(make_records, *rows, snapshot=SNAPSHOT) -> pd.DataFrame:
    person_records, links = make_records(*rows)
    return build_unified_workers(person_records, links, snapshot, ROLES, MODEL).set_index("worker_id")


def bpu(last_paid: str, status: str = "AKTIF") -> dict:
    return {
        "source": "bpjs_ketenagakerjaan",
        "tk_kpj": "12345678901",
        "tk_segment": "BPU",
        "tk_status": status,
        "tk_last_paid_month": last_paid,
        "registered_date": "2022-01-01",
    }


def test_ppu_member_is_formal_and_not_listed(make_records):
    row = flags(make_records, ("W1", {"source": "bpjs_kesehatan", "jkn_segment": "PPU", "jkn_status": "AKTIF"})).loc[
        "W1"
    ]
    assert row["employment_type"] == "formal"
    assert row["bpjs_tk_status"] == "never_registered"
    assert not row["uncovered_informal"]
    assert pd.isna(row["outreach_priority"])


#: A man of working age: a JKN card alone lists him (the card's weight depends on sex and age band, and the
#: kemungkinan tier is listed from the model's kemungkinan_threshold).
MAN_OF_35 = {"birth_date": "1990-03-01", "sex": "L"}


def test_pbpu_member_without_tk_is_informal_never_registered(make_records):
    card = {"source": "bpjs_kesehatan", "jkn_segment": "PBPU", "jkn_status": "AKTIF", **MAN_OF_35}
    row = flags(make_records, ("W1", card)).loc["W1"]
    assert (row["employment_type"], row["bpjs_tk_status"], row["uncovered_reason"]) == (
        "informal",
        "never_registered",
        "never_registered",
    )
    assert row["uncovered_informal"]
    assert "jkn:PBPU" in row["employment_evidence"]


@pytest.mark.parametrize(
    ("last_paid", "arrears", "status", "uncovered"),
    [("2025-03-01", 3, "active", False), ("2025-02-01", 4, "lapsed", True), ("2025-06-01", 0, "active", False)],
)
def test_bpu_lapses_after_more_than_three_months_in_arrears(make_records, last_paid, arrears, status, uncovered):
    row = flags(make_records, ("W1", bpu(last_paid))).loc["W1"]
    assert row["months_in_arrears"] == arrears
    assert row["bpjs_tk_status"] == status
    assert row["employment_type"] == "informal"
    assert bool(row["uncovered_informal"]) is uncovered
    if uncovered:
        assert row["uncovered_reason"] == "lapsed_arrears"
    else:
        assert pd.isna(row["uncovered_reason"])


def test_bpu_nonaktif_within_three_months_is_lapsed_nonaktif(make_records):
    row = flags(make_records, ("W1", bpu("2025-05-01", status="NONAKTIF"))).loc["W1"]
    assert (row["bpjs_tk_status"], row["uncovered_reason"]) == ("lapsed", "nonaktif")


def test_pu_active_per_status_whatever_the_payments(make_records):
    row = flags(
        make_records,
        (
            "W1",
            {
                "source": "bpjs_ketenagakerjaan",
                "tk_segment": "PU",
                "tk_status": "AKTIF",
                "tk_last_paid_month": "2024-01-01",
            },
        ),
    ).loc["W1"]
    assert (row["employment_type"], row["bpjs_tk_status"]) == ("formal", "active")
    assert not row["uncovered_informal"]


def test_an_active_membership_wins_over_a_lapsed_one(make_records):
    row = flags(make_records, ("W1", bpu("2023-01-01")), ("W1", {**bpu("2025-05-01"), "tk_kpj": "98765432109"})).loc[
        "W1"
    ]
    assert (row["bpjs_tk_status"], row["tk_kpj"], row["months_in_arrears"]) == ("active", "98765432109", 1)


def test_pbi_member_is_vulnerable(make_records):
    unified = flags(
        make_records,
        ("W1", {"source": "bpjs_kesehatan", "jkn_segment": "PBI_APBD", "jkn_status": "AKTIF"}),
        ("W2", {"source": "bpjs_kesehatan", "jkn_segment": "PBPU", "jkn_status": "NONAKTIF"}),
        ("W3", {"source": "bpjs_kesehatan", "jkn_segment": "PBPU", "jkn_status": "AKTIF"}),
    )
    assert unified["vulnerable"].tolist() == [True, True, False]
    assert unified.loc["W1", "vulnerable_reason"] == "pbi_apbd"
    assert unified.loc["W2", "vulnerable_reason"] == "jkn_pbpu_nonaktif"
    assert pd.isna(unified.loc["W3", "vulnerable_reason"])
    assert unified.loc["W1", "employment_type"] == "informal"


def test_active_wage_employment_beats_informal_evidence(make_records):
    row = flags(
        make_records,
        ("W1", {"source": "umkm", "business_name": "WARUNG"}),
        ("W1", {"source": "bpjs_ketenagakerjaan", "tk_segment": "PU", "tk_status": "AKTIF"}),
    ).loc["W1"]
    assert row["employment_type"] == "formal"
    assert row["employment_evidence"].startswith("tk:PU aktif")


def test_informal_registration_beats_stale_dukcapil_occupation_and_old_pu(make_records):
    row = flags(
        make_records,
        ("W1", {"source": "dukcapil", "occupation": "KARYAWAN SWASTA"}),
        ("W1", {"source": "bpjs_ketenagakerjaan", "tk_segment": "PU", "tk_status": "NONAKTIF"}),
        ("W1", {"source": "komunitas", "sector": "ojol"}),
    ).loc["W1"]
    assert (row["employment_type"], row["bpjs_tk_status"], row["uncovered_reason"]) == (
        "informal",
        "lapsed",
        "nonaktif",
    )
    assert "daftar:ojol" in row["employment_evidence"]


@pytest.mark.parametrize(
    ("occupation", "birth_date", "expected"),
    [
        # a KTP student label recorded two years ago outweighs the family's PBI card; the same label on a man of
        # 40 dates from the 2011 e-KTP recording: stale, it no longer vetoes his own PBI card
        ("PELAJAR/MAHASISWA", "2006-01-01", "not_working"),
        ("PELAJAR/MAHASISWA", "1985-01-01", "informal"),
        ("KARYAWAN SWASTA", "1985-01-01", "informal"),
        ("WIRASWASTA", "1985-01-01", "informal"),
    ],
)
def test_weak_evidence_weighs_by_the_age_of_the_ktp_occupation(make_records, occupation, birth_date, expected):
    row = flags(
        make_records,
        ("W1", {"source": "dukcapil", "occupation": occupation, "birth_date": birth_date, "sex": "L"}),
        ("W1", {"source": "bpjs_kesehatan", "jkn_segment": "PBI_APBN", "jkn_status": "AKTIF"}),
    ).loc["W1"]
    assert row["employment_type"] == expected
    assert (row["informal_probability"] >= 0.5) == (expected == "informal")


def test_jkn_segment_of_a_dependant_does_not_make_a_worker(make_records):
    row = flags(
        make_records,
        ("W1", {"source": "dukcapil", "occupation": "PELAJAR/MAHASISWA"}),
        ("W1", {"source": "bpjs_kesehatan", "jkn_segment": "PPU", "jkn_status": "AKTIF"}),
        ("W1", {"source": "bpjs_kesehatan", "jkn_segment": "PPU", "jkn_status": "AKTIF"}),
    ).loc["W1"]
    assert row["employment_type"] == "not_working"
    assert row["employment_evidence"] == "jkn:PPU aktif; ktp:PELAJAR/MAHASISWA"


def test_no_evidence_is_unknown(make_records):
    row = flags(make_records, ("W1", {"source": "dukcapil", "name": "X"})).loc["W1"]
    assert row["employment_type"] == "unknown"
    assert not row["uncovered_informal"]


def test_flags_are_as_of_the_snapshot_not_the_clock(make_records):
    rows = [
        ("W1", {**bpu("2019-10-01"), "registered_date": "2019-01-01"}),
        ("W1", {"source": "umkm", "registered_date": "2018-01-01"}),
    ]
    in_2020 = flags(make_records, *rows, snapshot="2020-01-20").loc["W1"]
    assert (in_2020["bpjs_tk_status"], in_2020["months_in_arrears"]) == ("active", 3)
    in_2020_february = flags(make_records, *rows, snapshot="2020-02-03").loc["W1"]
    assert (in_2020_february["bpjs_tk_status"], in_2020_february["uncovered_reason"]) == ("lapsed", "lapsed_arrears")
    before_registration = flags(make_records, *rows, snapshot="2018-06-01").loc["W1"]
    assert before_registration["bpjs_tk_status"] == "never_registered"
    assert before_registration["employment_type"] == "informal"


def test_months_in_arrears_is_never_negative_and_na_when_unknown():
    paid = pd.Series(pd.to_datetime(["2025-06-01", "2025-07-01", None]))
    assert months_in_arrears(paid, SNAPSHOT).tolist() == [0, 0, pd.NA]


def test_outreach_priority_pasti_first_then_vulnerable_recent_lapse_never_registered(make_records):
    unified = flags(
        make_records,
        ("NEVER", {"source": "umkm"}),
        ("NEVER_OJOL", {"source": "komunitas", "sector": "ojol"}),
        ("LAPSED_RECENT", bpu("2024-12-01")),
        ("LAPSED_LONG_AGO", bpu("2020-01-01")),
        ("VULNERABLE", {"source": "bpjs_kesehatan", "jkn_segment": "PBI_APBN", "jkn_status": "AKTIF", **MAN_OF_35}),
        ("COVERED", bpu("2025-05-01")),
    )
    listed = uncovered_informal_workers(unified.reset_index())
    # Registered informal work (tier pasti) first, by score; informal only by a PBI segment (kemungkinan) after.
    assert listed["worker_id"].tolist() == ["LAPSED_RECENT", "NEVER_OJOL", "NEVER", "LAPSED_LONG_AGO", "VULNERABLE"]
    assert listed["outreach_tier"].tolist() == ["pasti"] * 4 + ["kemungkinan"]
    assert listed["outreach_priority"].tolist() == [1, 2, 3, 4, 5]
    assert unified.loc["NEVER_OJOL", "outreach_score"] - unified.loc["NEVER", "outreach_score"] == 5


def test_coverage_by_area_covers_every_kelurahan_and_sums(make_records):
    regions = load_region_reference()
    limo = {"kelurahan_code": LIMO_KELURAHAN, "kecamatan_code": "32.76.04"}
    unified = flags(
        make_records,
        ("W1", {"source": "umkm", **limo}),
        ("W2", {**bpu("2025-05-01"), **limo}),
        ("W3", {"source": "bpjs_kesehatan", "jkn_segment": "PPU", "jkn_status": "AKTIF", **limo}),
        ("W4", {"source": "komunitas", "kecamatan_code": "32.76.04"}),
        ("W5", {"source": "komunitas"}),
    )
    area = coverage_by_area(unified.reset_index(), regions)
    kelurahan = area[area["level"] == "kelurahan"]
    assert set(regions["kode_wilayah"]) <= set(kelurahan["kelurahan_code"].dropna())
    row = kelurahan.set_index("kelurahan_code").loc[LIMO_KELURAHAN]
    assert row[["people", "workers", "informal", "covered", "uncovered"]].tolist() == [3, 3, 2, 1, 1]
    assert row["coverage_rate"] == pytest.approx(0.5)
    counts = ["people", "workers", "informal", "covered", "uncovered"]
    by_kecamatan = area[area["level"] == "kecamatan"].set_index("kecamatan_code", drop=False)
    summed = kelurahan.groupby("kecamatan_code", dropna=False)[counts].sum()
    assert summed.values.tolist() == by_kecamatan.set_index("kecamatan_code").loc[summed.index, counts].values.tolist()
    city = area[area["level"] == "kota"]
    assert city[counts].values.tolist() == [by_kecamatan[counts].sum().tolist()] == [[5, 5, 4, 1, 3]]
    limo_total = by_kecamatan.loc["32.76.04"]
    assert limo_total["people"] == 4
    assert (kelurahan.loc[kelurahan["informal"] == 0, "coverage_rate"].isna()).all()


def test_a_child_or_a_teenager_is_not_a_worker_on_a_pbi_card_alone(make_records):
    unified = flags(
        make_records,
        ("CHILD", {"source": "dukcapil", "birth_date": "2012-01-01"}),
        ("CHILD", {"source": "bpjs_kesehatan", "jkn_segment": "PBI_APBN", "jkn_status": "AKTIF"}),
        ("TEEN", {"source": "dukcapil", "birth_date": "2010-06-15"}),
        ("TEEN", {"source": "bpjs_kesehatan", "jkn_segment": "PBI_APBN", "jkn_status": "AKTIF"}),
    )
    assert unified.loc["CHILD", "employment_type"] == "not_working"
    assert unified.loc["CHILD", "employment_evidence"].startswith("usia:di bawah 15 tahun")
    assert not unified.loc["CHILD", "uncovered_informal"]
    # a 15-year-old on a PBI card is most likely a child on the family's card: not listed on that alone...
    assert unified.loc["TEEN", "informal_probability"] < 0.5
    assert not unified.loc["TEEN", "uncovered_informal"]
    # ...while an adult man on the same card is a likely informal worker (the card's weight depends on sex and age
    # band: a woman of his age on it alone is more often keeping house)
    adult = flags(
        make_records,
        ("ADULT", {"source": "dukcapil", "birth_date": "1985-06-15", "sex": "L"}),
        ("ADULT", {"source": "bpjs_kesehatan", "jkn_segment": "PBI_APBN", "jkn_status": "AKTIF"}),
    ).loc["ADULT"]
    assert adult["employment_type"] == "informal"
    assert adult["uncovered_informal"]


def test_roles_decide_evidence_and_cover_not_source_ids(make_records):
    """A driver list named ``ojol`` declares the same role as ``komunitas`` and counts the same; a second TK
    register declared ``membership_register`` is read for cover too."""
    from data_contracts.roles import EvidenceRule, RoleBook, SourceRoles

    informal = EvidenceRule(strength=2, label="ojol:{sector|daftar}", category="informal")
    book = RoleBook(
        {"ojol": SourceRoles(employment_evidence=(informal,)), "tk_extract": SourceRoles(membership_register=True)}
    )
    person_records, links = make_records(
        ("W1", {"source": "ojol", "sector": "ojol"}),
        ("W2", {"source": "ojol"}),
        (
            "W2",
            {
                "source": "tk_extract",
                "tk_kpj": "1",
                "tk_segment": "BPU",
                "tk_status": "AKTIF",
                "tk_last_paid_month": "2025-06-01",
            },
        ),
    )
    unified = build_unified_workers(person_records, links, SNAPSHOT, book, MODEL).set_index("worker_id")
    assert unified.loc["W1", "employment_evidence"] == "ojol:ojol"
    assert (unified.loc["W1", "bpjs_tk_status"], unified.loc["W1", "uncovered_informal"]) == ("never_registered", True)
    assert (unified.loc["W2", "bpjs_tk_status"], unified.loc["W2", "uncovered_informal"]) == ("active", False)


def test_without_a_membership_register_cover_is_not_computed(make_records):
    from data_contracts.roles import EvidenceRule, RoleBook, SourceRoles

    book = RoleBook(
        {"register": SourceRoles(employment_evidence=(EvidenceRule(strength=2, label="daftar", category="informal"),))}
    )
    person_records, links = make_records(
        ("W1", {"source": "register", "kecamatan_code": "32.76.04"}),
        ("W2", {"source": "register", "tk_segment": "BPU", "tk_status": "AKTIF"}),
    )
    unified = build_unified_workers(person_records, links, SNAPSHOT, book, MODEL)
    assert unified["bpjs_tk_status"].tolist() == ["not_computed", "not_computed"]
    assert unified["employment_type"].tolist() == ["informal", "informal"]
    assert not unified["uncovered_informal"].any()
    assert len(uncovered_informal_workers(unified)) == 0
    area = coverage_by_area(unified, load_region_reference())
    assert area["coverage_rate"].isna().all() and (area["uncovered"] == 0).all()


def test_review_groups_join_listed_workers_of_double_registration_pairs_and_show_each_group_once():
    listed = pd.DataFrame(
        {
            "outreach_priority": [1, 2, 3, 4, 5, 6],
            "worker_id": ["W6", "W5", "W4", "W3", "W2", "W1"],
            "kelurahan_code": ["K1"] * 6,
        }
    ).astype({"outreach_priority": "Int64"})
    pairs = pd.DataFrame(
        {
            "reason": ["double_registration", "double_registration", "uncertain", "double_registration"],
            "worker_id_l": ["W1", "W4", "W6", "W9"],  # W1-W4-W5 a chain; W6-W3 only uncertain; W9 not listed
            "worker_id_r": ["W4", "W5", "W3", "W2"],
        }
    )
    grouped = review_groups(listed, pairs)
    assert grouped["worker_id"].tolist() == listed["worker_id"].tolist()  # one row per worker, order kept
    # the representative is the member first to contact (W5, priority 2), on every member's row
    assert grouped["review_group"].fillna("-").tolist() == ["-", "W5", "W5", "-", "-", "W5"]
    assert grouped["review_group_size"].fillna(0).tolist() == [0, 3, 3, 0, 0, 3]
    assert shown_once(grouped)["worker_id"].tolist() == ["W6", "W5", "W3", "W2"]
    # the pair's order and the list's row order do not change the groups; other reasons never group
    swapped = pairs.rename(columns={"worker_id_l": "worker_id_r", "worker_id_r": "worker_id_l"})
    shuffled = review_groups(listed.iloc[::-1].reset_index(drop=True), swapped).sort_values("outreach_priority")
    assert shuffled["review_group"].fillna("-").tolist() == grouped["review_group"].fillna("-").tolist()
    assert review_groups(listed, pairs, reasons=("uncertain",))["review_group"].fillna("-").tolist() == [
        "W6",
        "-",
        "-",
        "W6",
        "-",
        "-",
    ]
    assert review_groups(listed, pairs.iloc[:0])["review_group"].isna().all()


def test_review_groups_never_span_two_kelurahan_so_no_area_list_loses_a_member():
    listed = pd.DataFrame(
        {
            "outreach_priority": [1, 2, 3, 4],
            "worker_id": ["W1", "W2", "W3", "W4"],
            "kelurahan_code": ["K1", "K2", "K3", pd.NA],
        }
    ).astype({"outreach_priority": "Int64", "kelurahan_code": "str"})
    pairs = pd.DataFrame(
        {"reason": ["double_registration"] * 2, "worker_id_l": ["W1", "W3"], "worker_id_r": ["W2", "W4"]}
    )
    grouped = review_groups(listed, pairs)
    assert grouped["review_group"].isna().all()  # W1/W2 in two kelurahan, W4 without one: each area keeps its row
    assert shown_once(grouped)["worker_id"].tolist() == ["W1", "W2", "W3", "W4"]
