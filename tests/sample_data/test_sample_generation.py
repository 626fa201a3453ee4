"""The generated population and sources: deterministic, structurally valid, realistically mixed and messy."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pandas.testing as pdt

from sample_data.config import CorruptionRates, NoiseRates
from sample_data.generate import generate_frames

REPO_ROOT = Path(__file__).resolve().parents[2]
DOC_TABLE_SOURCES = (
    "dukcapil",
    "bpjs_kesehatan",
    "disnaker",
    "umkm",
    "pedagang_pasar",
    "komunitas",
    "bpjs_ketenagakerjaan",
)
VALID_PROVINCES = {
    "11",
    "12",
    "13",
    "14",
    "15",
    "16",
    "17",
    "18",
    "19",
    "21",
    "31",
    "32",
    "33",
    "34",
    "35",
    "36",
    "51",
    "52",
    "53",
    "61",
    "62",
    "63",
    "64",
    "65",
    "71",
    "72",
    "73",
    "74",
    "75",
    "76",
    "81",
    "82",
    "91",
    "92",
    "94",
}


def _assert_same(a, b) -> None:
    pdt.assert_frame_equal(a.persons, b.persons)
    pdt.assert_frame_equal(a.records, b.records)
    assert a.manifest == b.manifest
    for source, table in a.sources.items():
        if isinstance(table, dict):
            assert list(table) == list(b.sources[source])
            for name, frame in table.items():
                pdt.assert_frame_equal(frame, b.sources[source][name])
        else:
            pdt.assert_frame_equal(table, b.sources[source])


def _arguments(generated) -> tuple[int, int, dt.date]:
    manifest = generated.manifest
    return manifest["persons"], manifest["seed"], dt.date.fromisoformat(manifest["as_of"])


def test_same_arguments_give_identical_data(generated):
    _assert_same(generated, generate_frames(*_arguments(generated)))


def test_another_seed_gives_other_people(generated):
    persons, seed, as_of = _arguments(generated)
    other = generate_frames(persons, seed + 1, as_of)
    assert not generated.persons["nik"].equals(other.persons["nik"])


def test_niks_have_the_real_structure(generated):
    persons = generated.persons
    nik = persons["nik"]
    assert nik.str.fullmatch(r"\d{16}").all()
    assert nik.str[:2].isin(VALID_PROVINCES).all()
    day = nik.str[6:8].astype(int)
    female = (persons["sex"] == "P").to_numpy()
    birth = persons["birth_date"]
    assert (day[female] == birth.dt.day[female] + 40).all()
    assert (day[~female] == birth.dt.day[~female]).all()
    assert (nik.str[8:10] == birth.dt.strftime("%m")).all()
    assert (nik.str[10:12] == birth.dt.strftime("%y")).all()
    assert (nik.str[12:] != "0000").all()
    all_niks = pd.concat([nik, persons["nik_alt"].dropna()])
    assert all_niks.is_unique


def test_people_live_in_real_depok_kelurahan(generated):
    wilayah = pd.read_csv(REPO_ROOT / "data_contracts" / "reference" / "wilayah_depok.csv", dtype=str)
    assert generated.persons["kelurahan_code"].isin(wilayah["kode_wilayah"]).all()
    assert generated.persons["kelurahan_code"].nunique() > 40


def test_a_realistic_share_of_niks_was_issued_outside_depok(generated):
    outside = generated.persons["nik_issued_outside_depok"]
    assert 0.15 < outside.mean() < 0.45
    assert (~generated.persons.loc[outside, "nik"].str.startswith("3276")).all()


def test_households_have_kk_numbers_and_mixed_ages(generated):
    persons = generated.persons
    assert persons["kk"].str.fullmatch(r"3276\d{12}").all()
    assert persons.groupby("household_id")["kk"].nunique().eq(1).all()
    age = (pd.Timestamp(generated.manifest["as_of"]) - persons["birth_date"]).dt.days / 365.25
    assert age.min() < 5 and age.max() > 65
    assert 0.45 < (persons["sex"] == "L").mean() < 0.55


def test_employment_mix_and_cover_are_plausible(generated):
    persons = generated.persons
    shares = persons["employment_type"].value_counts(normalize=True)
    assert 0.15 < shares["formal"] < 0.40
    assert 0.12 < shares["informal"] < 0.35
    covered = persons.groupby("employment_type")["tk_covered"].mean()
    assert covered["formal"] > 0.5
    assert 0.05 < covered["informal"] < 0.35
    assert covered["not_working"] == 0


def test_sources_have_plausible_sizes(generated):
    rows = generated.manifest["rows"]
    persons = generated.manifest["persons"]
    assert 0.88 < rows["dukcapil"] / persons < 0.98
    assert 0.80 < rows["bpjs_kesehatan"] / persons < 0.95
    assert all(count > 0 for count in rows.values())
    assert 2.1 < generated.manifest["records_per_person"] < 2.9


def test_sources_have_duplicates_of_a_person(generated):
    per_source = generated.records.groupby("source")["person_id"].agg(lambda ids: ids.duplicated().sum())
    assert per_source["dukcapil"] > 0
    assert per_source["bpjs_kesehatan"] > 0


def test_tk_cover_matches_the_bpjs_ketenagakerjaan_source(generated):
    tk = generated.sources["bpjs_ketenagakerjaan"]
    truth = generated.records[generated.records["source"] == "bpjs_ketenagakerjaan"]
    status = tk.assign(person_id=truth["person_id"].to_numpy()).groupby("person_id")["STATUS"].agg(set)
    covered = generated.persons.set_index("person_id")["tk_covered"]
    assert all("AKTIF" in status[p] for p in covered[covered].index)
    no_record = covered.index.difference(status.index)
    assert not covered[no_record].any()
    lapsed = covered[status.index][~covered[status.index]]
    assert any("AKTIF" in status[p] for p in lapsed.index), "some AKTIF members have lapsed by arrears"


def test_jkn_segments_follow_employment(generated):
    persons = generated.persons
    formal = persons["employment_type"] == "formal"
    assert (persons.loc[formal, "jkn_segment"] == "PPU").mean() > 0.8
    informal = persons["employment_type"] == "informal"
    assert persons.loc[informal, "jkn_segment"].isin(["PBPU", "PBI APBN", "PBI APBD"]).all()


def test_hard_cases_are_present_and_well_formed(generated):
    persons = generated.persons.set_index("person_id")
    twins = persons[persons["twin"]]
    assert len(twins) >= 4
    assert (twins.groupby("household_id")["birth_date"].nunique() == 1).all()
    same_name = persons[persons["same_name_as_parent"]]
    assert len(same_name) >= 2
    assert (same_name.groupby("household_id")["name"].nunique() == 1).all()
    namesakes = persons[persons["namesake_same_birth_date"]]
    groups = namesakes.groupby(["name", "birth_date"])["household_id"].nunique()
    assert len(groups) >= 1 and (groups >= 2).all()
    ganda = persons[persons["nik_ganda"]]
    assert len(ganda) >= 1
    dukcapil = generated.sources["dukcapil"]
    assert dukcapil["NIK"].isin(ganda["nik_alt"]).any()


def test_common_names_dominate(generated):
    first = generated.persons["name"].str.split(" ").str[0]
    top = set(first.value_counts().head(8).index)
    assert {"MUHAMMAD", "SITI"} <= top


def test_sources_carry_the_documented_corruptions(generated):
    sources = generated.sources
    kes_names = sources["bpjs_kesehatan"]["NAMA_PESERTA"]
    assert kes_names.str.contains(r"^(?:M\.|MOH\.|MOCH\.|MUH\.|MHD\.|MUHAMAD|MOHAMMAD) ", regex=True).any()
    tk_months = sources["bpjs_ketenagakerjaan"]["BLTH_TERAKHIR_BAYAR"]
    assert tk_months.str.fullmatch(r"\d{6}").any() and tk_months.str.fullmatch(r"\d{2}-\d{4}").any()
    phones = sources["bpjs_kesehatan"]["NO_HP"].dropna()
    assert phones.str.startswith("08").any() and phones.str.startswith("628").any()
    komunitas = pd.concat(sources["komunitas"].values())
    if "NIK" in komunitas:
        assert komunitas["NIK"].isna().mean() > 0.5


def test_women_without_plus_40_and_kk_in_nik_field_appear_outside_dukcapil(generated):
    truth = generated.records
    persons = generated.persons.set_index("person_id")
    kes = generated.sources["bpjs_kesehatan"].assign(
        person_id=truth.loc[truth["source"] == "bpjs_kesehatan", "person_id"].to_numpy()
    )
    kes = kes[kes["NIK"].notna()]
    women = kes[persons.loc[kes["person_id"], "sex"].to_numpy() == "P"]
    assert (women["NIK"].str[6:8].astype(int) <= 31).any()
    assert kes["NIK"].isin(persons["kk"]).any()
    dukcapil = generated.sources["dukcapil"]
    assert dukcapil["NIK"].isin(pd.concat([persons["nik"], persons["nik_alt"].dropna()])).all()


def test_spreadsheet_mangling_rate_reaches_the_csv_sources():
    mangled = dataclasses.replace(CorruptionRates().umkm, nik_spreadsheet=1.0, nik_wrong_length=0.0)
    data = generate_frames(300, 4, dt.date(2026, 11, 21), noise=dataclasses.replace(CorruptionRates(), umkm=mangled))
    nik = data.sources["umkm"]["NIK"].dropna()
    assert len(nik) > 0
    assert (nik.str.endswith("E+15") | nik.str.fullmatch(r"\d{15}0")).all()
    assert nik.str.endswith("E+15").any()


def test_zero_noise_keeps_names_and_niks_clean():
    quiet = CorruptionRates(**{f.name: NoiseRates() for f in dataclasses.fields(CorruptionRates)})
    data = generate_frames(300, 4, dt.date(2026, 11, 21), noise=quiet)
    truth = data.records[data.records["source"] == "bpjs_ketenagakerjaan"]
    persons = data.persons.set_index("person_id").loc[truth["person_id"]]
    tk = data.sources["bpjs_ketenagakerjaan"]
    np.testing.assert_array_equal(tk["NAMA"].to_numpy(), persons["name"].to_numpy())
    np.testing.assert_array_equal(tk["NIK"].to_numpy(), persons["nik"].to_numpy())


def test_documented_corruption_rates_match_the_config():
    doc = (REPO_ROOT / "docs" / "sample_data.md").read_text(encoding="utf-8")
    rates = CorruptionRates().as_dict()
    for rate in dataclasses.fields(NoiseRates):
        row = re.search(rf"^\| `{rate.name}`[^|]*\|(.*)\|$", doc, re.MULTILINE)
        assert row, f"{rate.name} is not documented"
        cells = [cell.strip() for cell in row.group(1).split("|")]
        for source, cell in zip(DOC_TABLE_SOURCES, cells, strict=True):
            value = rates[source][rate.name]
            assert cell == "forced" or cell == ("–" if value == 0 else f"{value:g}"), (rate.name, source)
