"""The probability of informal work: evidence weighed by its age and its holder, combined as log-odds; the tiers
and one person once on small frames."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from data_contracts.contract import default_role_book
from data_contracts.roles import (
    EmploymentModel,
    EvidenceRule,
    RoleBook,
    SourceRoles,
    load_employment_model,
    parse_employment_model,
)
from satupekerja.registry.coverage import informal_probability, uncovered_informal_workers
from satupekerja.registry.unify import build_unified_workers

SNAPSHOT = pd.Timestamp("2025-06-15")
weights = st.floats(min_value=-8, max_value=8, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(
    fresh=weights,
    stale=weights,
    half_life=st.floats(min_value=1, max_value=240),
    ages=st.lists(st.floats(min_value=0, max_value=600), min_size=2, max_size=6),
)
def test_an_older_piece_is_never_further_from_its_stale_weight(fresh, stale, half_life, ages):
    """Monotone in recency: the weight moves from the fresh towards the stale value as the evidence ages."""
    rule = EvidenceRule(strength=1, label="x", category="informal", half_life_months=half_life)
    ordered = pd.Series(sorted(ages))
    recency = rule.recency(ordered)
    contribution = stale + (fresh - stale) * recency
    distance = (contribution - stale).abs().to_numpy()
    assert (np.diff(distance) <= 1e-12).all()
    assert recency.between(0, 1).all()
    assert recency.iloc[0] == pytest.approx(0.5 ** (ordered.iloc[0] / half_life))


def test_undated_evidence_and_rules_without_half_life_stay_fresh():
    aged = EvidenceRule(strength=1, label="x", category="informal", half_life_months=12)
    assert aged.recency(pd.Series([float("nan"), 12.0])).tolist() == [1.0, 0.5]
    plain = EvidenceRule(strength=1, label="x", category="informal")
    assert plain.recency(pd.Series([0.0, 600.0])).tolist() == [1.0, 1.0]


def test_the_ktp_occupation_dates_from_the_e_ktp_recording():
    rule = EvidenceRule(
        strength=1,
        label="x",
        category="informal",
        date="birth_date",
        date_shift_years=17,
        date_not_before=pd.Timestamp("2011-01-01").date(),
    )
    births = pd.DataFrame({"birth_date": pd.to_datetime(["1980-05-01", "2005-03-02", None])})
    assert rule.evidence_dates(births).tolist()[:2] == [pd.Timestamp("2011-01-01"), pd.Timestamp("2022-03-02")]
    assert pd.isna(rule.evidence_dates(births).iloc[2])


def test_holder_tells_own_evidence_from_a_dependants():
    rule = EvidenceRule(strength=1, label="x", category="informal", holder=("jkn_relation", ("PESERTA",)))
    relation = pd.DataFrame({"jkn_relation": ["PESERTA", "ANAK", "istri", None]})
    assert rule.dependant(relation).tolist() == [False, True, True, False]


def _pieces(*rows):
    return pd.DataFrame(
        [
            {
                "worker_index": w,
                "key": k,
                "contribution": c,
                "label": k,
                "_label_order": n,
                "dependant": False,
                "separate": False,
                "evidence_date": pd.NaT,
            }
            for n, (w, k, c) in enumerate(rows)
        ]
    )


MODEL = EmploymentModel(prior_by_age=((0, -5.0), (18, -1.0)), prior_unknown_age=-1.0, threshold=0.5)


@settings(max_examples=40, deadline=None)
@given(base=st.floats(-6, 6), extra=st.floats(0.01, 6))
def test_more_evidence_for_informal_work_never_lowers_the_probability(base, extra):
    age = pd.Series([30, 30], dtype="Int64")
    pieces = _pieces((0, "a", base), (1, "a", base), (1, "b", extra))
    probability, _ = informal_probability(pieces, age, 2, MODEL)
    assert probability[1] > probability[0]
    assert probability[0] == pytest.approx(1 / (1 + math.exp(-(-1.0 + base))))


def test_a_repeated_piece_counts_once_the_largest_copy():
    age = pd.Series([30], dtype="Int64")
    once, _ = informal_probability(_pieces((0, "tk#1:informal", 3.0)), age, 1, MODEL)
    twice, counted = informal_probability(_pieces((0, "tk#1:informal", 3.0), (0, "tk#1:informal", 1.0)), age, 1, MODEL)
    assert twice[0] == pytest.approx(once[0])
    assert counted["_text"].tolist() == ["tk#1:informal +3.0"]


def test_the_prior_follows_age_band_and_sex():
    model = EmploymentModel(
        prior_by_age=((0, -6.0), (15, -2.0), (65, -3.0)), prior_unknown_age=-1.5, prior_by_sex=(("P", 0, -0.5),)
    )
    age = pd.Series([3, 15, 40, 70, None], dtype="Int64")
    sex = pd.Series(["L", "P", None, "L", "P"])
    assert model.prior(age, sex).tolist() == [-6.0, -2.5, -2.0, -3.0, -2.0]


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ({"prior_by_age": {15: -1.0}}, "first band must start at age 0"),
        ({"prior_by_age": {0: "x"}}, "prior_by_age.0: must be a number"),
        ({"prior_by_age": {0: -1.0}, "threshold": 1.0}, "threshold"),
        ({"prior_by_age": {0: -1.0}, "default_weights": {"busy": {1: 1.0}}}, "default_weights.busy"),
        ({"prior_by_age": {0: -1.0}, "prior_by_sex": {"X": 1.0}}, "prior_by_sex"),
        ({"prior_by_age": {0: -1.0}, "prior_by_sex": {"P": {"muda": 1.0}}}, "prior_by_sex.P.muda"),
        ({"prior_by_age": {0: -1.0}, "household_field": 3}, "household_field"),
        ({"prior_by_age": {0: -1.0}, "household_field": "kartu_keluarga"}, "household_field"),
        ({"prior_by_age": {0: -1.0}, "priors": 1}, "priors: unknown key"),
    ],
)
def test_misused_model_settings_name_the_key(block, message):
    with pytest.raises(ValueError, match=message):
        parse_employment_model(block)


def test_the_shipped_model_loads_and_names_its_file():
    model = load_employment_model()
    assert model.source.endswith("depok.yaml")
    assert 0 < model.threshold < 1


def test_missing_model_file_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="cannot read the employment-model settings"):
        load_employment_model(tmp_path / "missing.yaml")


# -- on the shipped contracts: whose it is, how old it is, the tiers, one person once ---------------------------


def flags(make_records, *rows, roles=None):
    person_records, links = make_records(*rows)
    book = roles if roles is not None else default_role_book()
    return build_unified_workers(person_records, links, SNAPSHOT, book, load_employment_model()).set_index("worker_id")


def _jkn(segment: str, relation: str | None) -> dict:
    return {"source": "bpjs_kesehatan", "jkn_segment": segment, "jkn_status": "AKTIF", "jkn_relation": relation}


def _adult(birth_date: str = "1990-01-01", sex: str = "L") -> dict:
    return {"source": "dukcapil", "birth_date": birth_date, "sex": sex}


def test_a_dependants_pbpu_card_is_the_heads_evidence(make_records):
    # A daughter on the head's card: the usual non-working dependant. (For a son the fitted dependant weight is
    # close to the own weight: informal sons of a PBPU family are on the family's card too, Perpres 82/2018.)
    unified = flags(
        make_records,
        ("HEAD", _adult()),
        ("HEAD", _jkn("PBPU", "PESERTA")),
        ("CHILD", _adult("2001-01-01", sex="P")),
        ("CHILD", {**_jkn("PBPU", "ANAK"), "sex": "P"}),
        ("OLD", _adult()),
        ("OLD", _jkn("PBPU", None)),  # an extract without the relation: counts as the person's own card
    )
    assert unified.loc["HEAD", "informal_probability"] > unified.loc["CHILD", "informal_probability"]
    assert unified.loc["HEAD", "uncovered_informal"] and not unified.loc["CHILD", "uncovered_informal"]
    assert unified.loc["OLD", "informal_probability"] == pytest.approx(unified.loc["HEAD", "informal_probability"])
    assert "(kartu kepala keluarga)" in unified.loc["CHILD", "informal_evidence"]


def _member(kk: str, birth_date: str = "1990-01-01", sex: str = "L") -> dict:
    return {**_adult(birth_date, sex), "kk": kk}


def test_an_own_card_beside_the_familys_card_of_another_segment_weighs_more(make_records):
    """A non-working spouse or child is on the head's card: a PBPU card of one's own while the family's
    dependants are on a PBI card is a registration of one's own (separate_weights); a head whose dependants share
    the card, or a person alone, weighs the plain own weight."""
    unified = flags(
        make_records,
        ("SON", _member("KK1", "1995-01-01")),
        ("SON", _jkn("PBPU", "PESERTA")),
        ("FATHER", _member("KK1", "1965-01-01")),
        ("FATHER", _jkn("PBI_APBN", "PESERTA")),
        ("MOTHER", _member("KK1", "1967-01-01", "P")),
        ("MOTHER", _jkn("PBI_APBN", "ISTRI")),
        ("HEAD", _member("KK2", "1995-01-01")),
        ("HEAD", _jkn("PBPU", "PESERTA")),
        ("WIFE", _member("KK2", "1996-01-01", "P")),
        ("WIFE", _jkn("PBPU", "ISTRI")),
        ("ALONE", _member("KK3", "1995-01-01")),
        ("ALONE", _jkn("PBPU", "PESERTA")),
    )
    probability = unified["informal_probability"]
    assert probability["SON"] > probability["HEAD"]
    assert probability["HEAD"] == pytest.approx(probability["ALONE"])
    assert "(kartu sendiri, keluarga di kartu lain)" in unified.loc["SON", "informal_evidence"]
    assert "kartu sendiri" not in unified.loc["HEAD", "informal_evidence"]
    assert "kartu sendiri" not in unified.loc["FATHER", "informal_evidence"]  # his dependant is on his segment


def test_without_a_household_field_no_card_is_separate(make_records):
    rows = [
        ("SON", _member("KK1", "1995-01-01")),
        ("SON", _jkn("PBPU", "PESERTA")),
        ("MOTHER", _member("KK1", "1967-01-01", "P")),
        ("MOTHER", _jkn("PBI_APBN", "ISTRI")),
    ]
    person_records, links = make_records(*rows)
    model = dataclasses.replace(load_employment_model(), household_field=None)
    unified = build_unified_workers(person_records, links, SNAPSHOT, default_role_book(), model)
    assert not unified["informal_evidence"].str.contains("kartu sendiri").fillna(False).any()


def test_the_prior_by_sex_follows_the_age_bands():
    model = parse_employment_model({"prior_by_age": {0: -1.0}, "prior_by_sex": {"P": {0: -0.5, 23: -2.0}, "L": 0.25}})
    age = pd.Series([10, 30, None, 30, None], dtype="Int64")
    sex = pd.Series(["P", "P", "P", "L", "L"])
    assert model.prior(age, sex).tolist() == pytest.approx([-1.5, -3.0, -1.0, -0.75, -0.75])


@pytest.mark.parametrize("birth_date", ["1975-01-01", "1990-01-01", "2000-01-01"])
def test_a_wage_job_that_ended_long_ago_weighs_towards_informal_work(make_records, birth_date):
    def lapsed(last_paid: str) -> dict:
        return {
            "source": "bpjs_ketenagakerjaan",
            "tk_kpj": "1",
            "tk_segment": "PU",
            "tk_status": "NONAKTIF",
            "tk_last_paid_month": last_paid,
        }

    unified = flags(
        make_records,
        ("RECENT", _adult(birth_date)),
        ("RECENT", lapsed("2025-03-01")),
        ("LONG_AGO", _adult(birth_date)),
        ("LONG_AGO", lapsed("2015-03-01")),
    )
    assert unified.loc["LONG_AGO", "informal_probability"] > unified.loc["RECENT", "informal_probability"]
    assert "[2015]" in unified.loc["LONG_AGO", "informal_evidence"]


def test_tiers_rank_pasti_first_then_by_probability_and_one_person_is_listed_once(make_records):
    bpu_lapsed = {
        "source": "bpjs_ketenagakerjaan",
        "tk_kpj": "1",
        "tk_segment": "BPU",
        "tk_status": "AKTIF",
        "tk_last_paid_month": "2024-01-01",
    }
    unified = flags(
        make_records,
        ("KEM", _adult()),
        ("KEM", _jkn("PBI_APBN", "PESERTA")),
        ("PAS", _adult()),
        ("PAS", bpu_lapsed),
        ("PAS", {"source": "komunitas", "sector": "ojol"}),
        ("PAS", {"source": "komunitas", "sector": "ojol"}),
        ("PAS", _jkn("PBPU", "PESERTA")),
        ("REG", _adult("1985-01-01", "P")),
        ("REG", {"source": "disnaker_pekerja_informal", "registered_date": "2024-02-01"}),
    )
    assert unified.loc["PAS", "outreach_tier"] == "pasti"
    assert unified.loc["REG", "outreach_tier"] == "pasti"
    assert unified.loc["KEM", "outreach_tier"] == "kemungkinan"
    listed = uncovered_informal_workers(unified.reset_index())
    assert listed["worker_id"].is_unique
    assert listed["worker_id"].tolist()[-1] == "KEM"
    assert listed["outreach_priority"].tolist() == [1, 2, 3]
    assert listed["informal_probability"].between(0.5, 1).all()


def test_without_a_membership_register_the_flag_says_not_computed(make_records):
    """A register that only deduplicates (the English register has no membership source): cover is
    ``not_computed`` for everyone and nobody is listed, whatever the probability of informal work."""
    book = RoleBook(
        {"traders": SourceRoles(employment_evidence=(EvidenceRule(strength=2, label="traders", category="informal"),))}
    )
    unified = flags(make_records, ("W1", {"source": "traders"}), ("W2", {"source": "traders"}), roles=book)
    assert unified["bpjs_tk_status"].eq("not_computed").all()
    assert unified["employment_type"].eq("informal").all()  # default weight of strength-2 informal evidence
    assert not unified["uncovered_informal"].any()
    assert uncovered_informal_workers(unified.reset_index()).empty


def test_a_worker_known_only_from_a_community_list_is_marked_on_the_list(make_records):
    """Issue 11's decision: a community record sharing nothing stays its own worker and goes on the list as such."""
    unified = flags(
        make_records,
        ("DRIVER", {"source": "komunitas", "sector": "ojol", "phone": "6281200000001"}),
        ("PERSON", _adult()),
        ("PERSON", {"source": "komunitas", "sector": "ojol"}),
    )
    assert unified.loc["DRIVER", "known_only_from_lists"]
    assert not unified.loc["PERSON", "known_only_from_lists"]
    listed = uncovered_informal_workers(unified.reset_index()).set_index("worker_id")
    assert listed.loc["DRIVER", "known_only_from_lists"] and listed.loc["DRIVER", "outreach_tier"] == "pasti"


# -- weights by the holder's sex and age band (weights_by, cell_weights) -----------------------------------------


def _cell_book() -> RoleBook:
    """One register whose records weigh +2.0, with cell weights for women and men from 23 and a dependant's cell."""
    rule = EvidenceRule(
        strength=1,
        label="pbpu",
        field="jkn_segment",
        values=(("PBPU", "informal"),),
        holder=("jkn_relation", ("PESERTA",)),
        weights=(("informal", 2.0),),
        dependant_weights=(("informal", 0.5),),
        weights_by=("sex", "age_band"),
        cell_weights=(
            ("dependant", "P", 23, "informal", -0.25),
            ("own", "L", 23, "informal", 0.5),
            ("own", "P", 23, "informal", -1.0),
        ),
    )
    return RoleBook({"cards": SourceRoles(employment_evidence=(rule,))})


def test_a_cell_weight_applies_to_the_holder_of_its_cell(make_records):
    """The same own card weighs 2.0 - 1.0 for a woman of 23-55, 2.0 + 0.5 for a man of those ages, the plain 2.0
    for a woman of 17-22 (no cell declared) or of unknown age; a dependant's card its own cell."""

    def card(relation: str = "PESERTA") -> dict:
        return {"source": "cards", "jkn_segment": "PBPU", "jkn_relation": relation}

    rows = []
    for worker, birth_date, sex, relation in [
        ("WOMAN", "1990-01-01", "P", "PESERTA"),
        ("MAN", "1990-01-01", "L", "PESERTA"),
        ("YOUNG", "2005-01-01", "P", "PESERTA"),
        ("UNKNOWN_AGE", None, "P", "PESERTA"),
        ("WIFE", "1990-01-01", "P", "ISTRI"),
        ("SON", "1990-01-01", "L", "ANAK"),
    ]:
        rows.append((worker, {**card(relation), "birth_date": birth_date, "sex": sex}))
    person_records, links = make_records(*rows)
    model = parse_employment_model({"prior_by_age": {0: -3.0, 15: -2.0, 17: -1.0, 23: 0.0, 56: -1.0}})
    unified = build_unified_workers(person_records, links, SNAPSHOT, _cell_book(), model).set_index("worker_id")
    log_odds = np.log(unified["informal_probability"] / (1 - unified["informal_probability"]))
    prior = {"WOMAN": 0.0, "MAN": 0.0, "YOUNG": -1.0, "UNKNOWN_AGE": -1.0, "WIFE": 0.0, "SON": 0.0}
    evidence = log_odds - pd.Series(prior)
    assert evidence.to_dict() == pytest.approx(
        {"WOMAN": 1.0, "MAN": 2.5, "YOUNG": 2.0, "UNKNOWN_AGE": 2.0, "WIFE": 0.25, "SON": 0.5}
    )
    assert "pbpu +1.0" in unified.loc["WOMAN", "informal_evidence"]


def test_a_cell_of_an_age_band_the_model_lacks_is_a_clear_error(make_records):
    person_records, links = make_records(("W", {"source": "cards", "jkn_segment": "PBPU", "birth_date": "1990-01-01"}))
    model = parse_employment_model({"prior_by_age": {0: -3.0, 25: 0.0}}, source="model.yaml")
    with pytest.raises(
        ValueError, match=r"cards: roles.employment_evidence\[0\]: age band 23 is not one of .*model.yaml"
    ):
        build_unified_workers(person_records, links, SNAPSHOT, _cell_book(), model)


def test_kemungkinan_is_listed_only_from_its_threshold(make_records):
    """Both workers are informal (p 0.52 >= threshold 0.5); only the confirmed one (pasti) is listed below the
    kemungkinan threshold 0.55."""
    book = RoleBook(
        {
            "weak": SourceRoles(
                employment_evidence=(
                    EvidenceRule(strength=1, label="w", category="informal", weights=(("informal", 0.08),)),
                )
            ),
            "strong": SourceRoles(
                employment_evidence=(
                    EvidenceRule(strength=2, label="s", category="informal", weights=(("informal", 0.08),)),
                )
            ),
            "tk": SourceRoles(membership_register=True),
        }
    )
    person_records, links = make_records(("WEAK", {"source": "weak"}), ("STRONG", {"source": "strong"}))
    model = parse_employment_model(
        {"prior_by_age": {0: 0.0}, "prior_unknown_age": 0.0, "threshold": 0.5, "kemungkinan_threshold": 0.55}
    )
    unified = build_unified_workers(person_records, links, SNAPSHOT, book, model).set_index("worker_id")
    assert unified["informal_probability"].round(2).tolist() == [0.52, 0.52]
    assert unified["employment_type"].eq("informal").all()
    assert unified["uncovered_informal"].to_dict() == {"WEAK": False, "STRONG": True}
    assert unified.loc["STRONG", "outreach_tier"] == "pasti"
    with pytest.raises(ValueError, match="kemungkinan_threshold"):
        parse_employment_model({"prior_by_age": {0: 0.0}, "threshold": 0.5, "kemungkinan_threshold": 0.4})


def test_the_shipped_contracts_declare_each_rule_once():
    """The sex split is declared by weights_by, not by the same rule twice with when/unless sex."""
    for source, rule in default_role_book().evidence_rules():
        assert "sex" not in dict(rule.when) and "sex" not in dict(rule.unless), source
    rules = [
        (source, rule.field, rule.values, rule.patterns, rule.category, rule.when, rule.unless, rule.label)
        for source, rule in default_role_book().evidence_rules()
    ]
    assert len(rules) == len(set(rules))
    assert any(rule.cell_weights for _, rule in default_role_book().evidence_rules())


# -- the file in force: Settings.employment_model reaches the unified_workers asset through its resource ---------


def test_the_unified_workers_asset_flags_with_the_configured_model_file(make_records, tmp_path):
    import dagster as dg

    from assets.registry import build_unified_workers_asset
    from assets.resources import EmploymentModelFile

    # A prior so low that a community list alone does not convince; with the age bands the shipped contracts'
    # cell weights name (weights_by: a model without them is refused, see the test above).
    sceptical = tmp_path / "sceptical.yaml"
    bands = ", ".join(f"{start}: -20.0" for start in (0, 15, 17, 23, 56, 65))
    sceptical.write_text(f"prior_by_age: {{{bands}}}\nprior_unknown_age: -20.0\nthreshold: 0.5\n", encoding="utf-8")
    person_records, links = make_records(("W1", {"source": "komunitas", "name": "BUDI SANTOSO"}))
    asset = build_unified_workers_asset(default_role_book())

    def run(resource: EmploymentModelFile) -> dg.MaterializeResult:
        context = dg.build_asset_context(partition_key=SNAPSHOT.date().isoformat())
        return asset(context, person_records, links, employment_model=resource)

    shipped, configured = run(EmploymentModelFile()), run(EmploymentModelFile(path=str(sceptical)))
    assert shipped.value["informal_probability"].iloc[0] > 0.9 and shipped.value["uncovered_informal"].iloc[0]
    assert configured.value["informal_probability"].iloc[0] < 0.01
    assert not configured.value["uncovered_informal"].iloc[0]
    assert configured.metadata["employment model"].path == str(sceptical)
    assert shipped.metadata["employment model"].path.endswith("data_contracts/employment/depok.yaml")


def test_piece_texts_name_the_holder_the_year_and_the_weight_of_each_counted_piece():
    pieces = _pieces(
        (0, "jkn#0:informal", 1.25),
        (1, "jkn#0:informal", 1.25),
        (1, "tk#1:informal", -0.04),
        (2, "ktp#0:informal", 0.75),
        (3, "ktp#0:informal", 0.75),
    ).assign(
        _label_order=[0, 0, 1, 2, 2],
        dependant=[True, False, False, False, False],
        separate=[False, False, True, False, False],
        evidence_date=pd.to_datetime([None, None, "2019-03-01", "2012-05-01", "2013-01-01"]),
    )
    _, counted = informal_probability(pieces, pd.Series([30] * 4, dtype="Int64"), 4, MODEL)
    assert sorted(zip(counted["worker_index"], counted["_text"], strict=True)) == [
        (0, "jkn#0:informal (kartu kepala keluarga) +1.2"),
        (1, "jkn#0:informal +1.2"),
        (1, "tk#1:informal (kartu sendiri, keluarga di kartu lain) [2019] -0.0"),
        (2, "ktp#0:informal [2012] +0.8"),
        (3, "ktp#0:informal [2013] +0.8"),
    ]
    assert counted["_text"].dtype == "str"
