"""The phenomena of issue 11 are in the generated data, with their truth."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from sample_data.generate import generate_frames

AS_OF = dt.date(2025, 6, 30)


@pytest.fixture(scope="module")
def data():
    return generate_frames(6000, 5, AS_OF)


def test_twins_share_kk_birth_date_and_hold_consecutive_serials(data):
    twins = data.persons[data.persons["twin"]].sort_values("person_id")
    assert twins["twin_group"].nunique() >= 10
    for _, group in twins.groupby("twin_group"):
        assert len(group) in (2, 3)
        assert group["kk"].nunique() == 1 and group["birth_date"].nunique() == 1
        assert group["nik"].str[:6].nunique() == 1  # registered together: one region prefix
        serials = np.sort(group["nik"].str[-4:].astype(int).to_numpy())
        assert (np.diff(serials) == 1).all()
        assert group["name"].nunique() == len(group)
    sexes = twins.groupby("twin_group")["sex"].nunique()
    assert (sexes == 2).any(), "some twins are boy and girl"


def test_double_registrations_have_two_dukcapil_rows_some_on_one_card(data):
    persons = data.persons.set_index("person_id")
    records = data.records[data.records["source"] == "dukcapil"]
    second = records[records["case"] == "second_nik"]
    assert len(second) >= 10
    dukcapil = data.sources["dukcapil"].assign(record_id=lambda t: "dukcapil:" + t["ID_PENDUDUK"].astype(str))
    rows = dukcapil.merge(records, on="record_id")
    ganda = rows[rows["person_id"].isin(second["person_id"])]
    per_person = ganda.groupby("person_id").agg(niks=("NIK", "nunique"), cards=("NO_KK", "nunique"))
    assert (per_person["niks"] == 2).all()
    assert (per_person["cards"] == 1).any() and (per_person["cards"] == 2).any()
    assert set(ganda["NIK"]) <= set(persons["nik"]) | set(persons["nik_alt"].dropna())


def test_ktp_occupations_are_stale_for_young_informal_workers(data):
    p = data.persons
    informal = p[p["employment_type"] == "informal"]
    stale = informal[informal["ktp_occupation_stale"]]
    assert len(stale) > 0.1 * len(informal)
    assert stale["ktp_occupation"].isin(["PELAJAR/MAHASISWA", "BELUM/TIDAK BEKERJA"]).any()
    dukcapil = data.sources["dukcapil"]
    assert dukcapil["JENIS_PKRJN"].isin(["PELAJAR/MAHASISWA"]).any()


def test_old_lapsed_pu_and_dependants_sharing_pbpu(data):
    p = data.persons
    assert p.loc[p["old_lapsed_pu"], "employment_type"].eq("informal").all()
    dependants = p[p["jkn_dependant"] & (p["jkn_segment"] == "PBPU")]
    assert len(dependants) > 0
    assert dependants["jkn_relation"].isin(["ISTRI", "SUAMI", "ANAK"]).all()
    assert (dependants["employment_type"] == "not_working").any()


def test_call_names_keep_only_the_phone(data):
    records = data.records[data.records["case"] == "call_name"]
    assert len(records) > 0
    persons = data.persons.set_index("person_id")
    for name, table in data.sources["komunitas"].items():
        stem = name.rsplit(".", 1)[0]
        mine = records[records["record_id"].str.startswith(f"komunitas:{stem}:")]
        if mine.empty:
            continue
        rows = mine["record_id"].str.rsplit(":", n=1).str[1].astype(int).to_numpy() - 2
        part = table.iloc[rows]
        name_col = next(c for c in table.columns if c.upper().startswith("NAMA") and "PANGGILAN" not in c.upper())
        registered = persons.loc[mine["person_id"], "name"].to_numpy()
        called = part[name_col].astype(str).str.upper().to_numpy()
        assert not np.any(called == registered)
        for header in ("NIK", "Tgl Lahir", "Tanggal Lahir"):
            if header in table.columns:
                assert part[header].isna().all()


def test_domisili_as_kecamatan_is_tagged(data):
    tagged = data.records[data.records["case"] == "domisili_kecamatan"]
    assert len(tagged) > 0
    assert set(tagged["record_id"].str.split(":").str[1]) <= {
        "ojol_sawangan_bojongsari",
        "ojol_limo_cinere",
        "kurir_paket_depok_barat",
    }
    assert pd.Series(data.manifest["record_cases"]).sum() == (data.records["case"] != "").sum()
