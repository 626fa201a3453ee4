"""Issue 11's registry rules: registered NIKs, double registrations to review, stated sex, phone + call name,
twins (NIKs registered together) kept apart."""

from __future__ import annotations

import dataclasses

import numpy as np

from data_contracts.matching_settings import load_matching_settings
from matching import DEFAULT_SETTINGS, link_records
from matching.clustering import LevelsOf, NikSiblings, SiblingNames, cluster, edge_flags, sibling_fit
from matching.features import compute_features
from matching.link import _add_register_features, review_queue
from tests.matching.helpers import person_records
from tests.matching.test_clustering import PRIOR, STRONG, edges

RULES = dataclasses.replace(
    DEFAULT_SETTINGS,
    nik_register_sources=("dukcapil",),
    double_registration_requires=(
        (LevelsOf("name", ("exact", "token_sorted", "given_name")),),
        (LevelsOf("birth_date", ("exact", "nik_implied")),),
    ),
    stated_sex_apart=True,
    link_when=((LevelsOf("phone", ("exact",)),), (LevelsOf("name", ("exact", "alias", "alias_partial")),)),
    nik_siblings=NikSiblings(serial_digits=4, max_serial_gap=2, unless=((LevelsOf("name", ("exact",)),),)),
)
NEAR_NAME = {**STRONG, "level_name": "jaro_winkler_high"}


def _features(rows):
    records = person_records(rows)
    features = compute_features(records)
    _add_register_features(features, records, RULES)
    return features


def _clusters(rows, scored, settings=RULES):
    links = cluster(scored, _features(rows), PRIOR, settings.cluster_guards())
    return sorted((set(group) for _, group in links.groupby("cluster")["record_id"]), key=sorted)


def test_two_registered_niks_never_merge_but_a_double_registration_is_flagged_for_review():
    rows = [
        {"source": "dukcapil", "nik": "3276011505900001", "birth_date": "1990-05-15", "name": "AGUS SANTOSO"},
        {"source": "dukcapil", "nik": "3171011505900007", "birth_date": "1990-05-15", "name": "AGUS SANTOSO"},
    ]
    scored = edges((0, 1, 40.0, -5.0, STRONG))  # overwhelming evidence: the default override would merge them
    assert _clusters(rows, scored, DEFAULT_SETTINGS) == [{"dukcapil:0", "dukcapil:1"}]
    assert _clusters(rows, scored) == [{"dukcapil:0"}, {"dukcapil:1"}]
    flags = edge_flags(scored, _features(rows), PRIOR, RULES.cluster_guards())
    assert flags["double_registration"].tolist() == [True]


def test_a_valid_nik_outside_the_register_can_still_be_overridden():
    rows = [
        {"source": "dukcapil", "nik": "3276011505900001", "birth_date": "1990-05-15", "name": "AGUS SANTOSO"},
        {"source": "bpjs", "nik": "3276011505900009", "birth_date": "1990-05-15", "name": "AGUS SANTOSO"},
    ]
    assert _clusters(rows, edges((0, 1, 40.0, -5.0, STRONG))) == [{"dukcapil:0", "bpjs:1"}]


def test_a_stated_sex_that_differs_keeps_twins_apart_even_through_a_list_record():
    rows = [
        {"source": "bpjs", "name": "FAJAR HIDAYAT", "sex": "L", "birth_date": "2001-02-03"},
        {"source": "kom", "name": "FAJ", "phone": "6281234567890"},
        {"source": "umkm", "name": "FAJRIA HIDAYAT", "sex": "P", "birth_date": "2001-02-03"},
    ]
    scored = edges((0, 2, 30.0, 0.0, STRONG), (0, 1, 12.0, 0.0, STRONG), (1, 2, 10.0, 0.0, STRONG))
    assert _clusters(rows, scored, DEFAULT_SETTINGS) == [{"bpjs:0", "kom:1", "umkm:2"}]
    assert _clusters(rows, scored) == [{"bpjs:0", "kom:1"}, {"umkm:2"}]


def test_a_phone_and_a_call_name_link_below_the_threshold():
    rows = [
        {
            "source": "dukcapil",
            "nik": "3276011505900001",
            "birth_date": "1990-05-15",
            "name": "SUPRIYADI",
            "sex": "L",
            "phone": "6281234567890",
        },
        {"source": "komunitas", "name": "BANG SUP", "phone": "6281234567890"},
        {"source": "komunitas", "name": "CAK DIDI", "phone": "6281234567890"},
        {"source": "komunitas", "name": "JOKO", "phone": "6281234567890"},
    ]
    records = person_records(rows)
    result = link_records(records, dataclasses.replace(RULES, u_sample_pairs=1000, u_sample_pairs_per_record=0))
    levels = result.scored_pairs.set_index(["record_id_l", "record_id_r"])["level_name"].astype(str)
    assert levels[("dukcapil:0", "komunitas:1")] == "alias"  # SUP begins SUPRIYADI
    assert levels[("dukcapil:0", "komunitas:2")] == "alias"  # DIDI: SUPRIYADI's last syllable doubled
    cluster_of = result.links.set_index("record_id")["cluster"]
    assert cluster_of["komunitas:1"] == cluster_of["dukcapil:0"] == cluster_of["komunitas:2"]
    assert cluster_of["komunitas:3"] != cluster_of["dukcapil:0"]  # same phone, another name: a housemate


def _twins(second_source="bpjs", second_nik="3276014505100004", kk="3276012001150003"):
    """Twins ZAHRA / ZAHWA of one family card, consecutive serials; ZAHWA's NIK maybe not in the register."""
    return [
        {
            "source": "dukcapil",
            "nik": "3276014505100003",
            "birth_date": "2010-05-05",
            "name": "ZAHRA AMINAH",
            "sex": "P",
            "kk": kk,
        },
        {"source": second_source, "nik": second_nik, "birth_date": "2010-05-05", "name": "ZAHWA AMINAH", "sex": "P"},
        {"source": "bpjs", "nik": None, "birth_date": "2010-05-05", "name": "ZAHWA AMINAH", "sex": "P"},
    ]


def test_twins_with_consecutive_serials_are_never_merged_even_when_one_nik_is_not_registered():
    rows = _twins()
    # Overwhelming evidence apart from the NIK (same address, birth date, a name one letter apart): the NIK
    # override of the engine default merges them; the siblings rule keeps them apart, also through record 2.
    scored = edges((0, 1, 40.0, 2.0, NEAR_NAME), (1, 2, 30.0, 0.0, STRONG), (0, 2, 20.0, 0.0, NEAR_NAME))
    assert _clusters(rows, scored, dataclasses.replace(RULES, nik_siblings=None)) == [
        {"dukcapil:0", "bpjs:1", "bpjs:2"}
    ]
    assert _clusters(rows, scored) == [{"bpjs:1", "bpjs:2"}, {"dukcapil:0"}]
    flags = edge_flags(scored, _features(rows), PRIOR, RULES.cluster_guards())
    assert flags["nik_siblings"].tolist() == [True, False, False]
    assert flags["keep_apart"].tolist() == [True, False, False]


def test_twins_kept_apart_when_only_one_nik_is_trusted():
    """ZAHWA's UMKM record gives a NIK but no birth date (not trusted): its digits still name a sibling."""
    rows = _twins()
    rows[1] = {**rows[1], "birth_date": None, "source": "umkm"}
    scored = edges((0, 1, 40.0, 2.0, {**NEAR_NAME, "level_birth_date": "nik_implied"}))
    assert _clusters(rows[:2], scored) == [{"dukcapil:0"}, {"umkm:1"}]


def test_a_record_without_nik_that_matches_both_twins_equally_joins_neither():
    rows = _twins()
    rows[2] = {**rows[2], "name": "ZAHA AMINAH"}  # a near name of both, no NIK
    rows.append({"source": "bpjs", "nik": "3276014505100003", "birth_date": "2010-05-05", "name": "ZAHRA AMINAH"})
    scored = edges(
        (0, 1, 40.0, 2.0, NEAR_NAME),
        (0, 2, 18.0, 0.0, NEAR_NAME),
        (1, 2, 18.0, 0.0, NEAR_NAME),
        (2, 3, 15.0, 0.0, NEAR_NAME),
        (0, 3, 50.0, 10.0, STRONG),
    )
    tied = dataclasses.replace(RULES, nik_siblings=dataclasses.replace(RULES.nik_siblings, tie_margin=0.01))
    assert _clusters(rows, scored) == [{"bpjs:1"}, {"dukcapil:0", "bpjs:2", "bpjs:3"}]  # the tie broken blindly
    assert _clusters(rows, scored, tied) == [{"bpjs:1"}, {"bpjs:2"}, {"dukcapil:0", "bpjs:3"}]
    scored.loc[1, "match_weight"] = 19.0  # clearly closer to ZAHRA: linked
    assert _clusters(rows, scored, tied) == [{"bpjs:1"}, {"dukcapil:0", "bpjs:2", "bpjs:3"}]


def test_a_mistyped_serial_with_the_same_name_still_links():
    rows = _twins()
    rows[1] = {**rows[1], "name": "ZAHRA AMINAH"}
    assert _clusters(rows[:2], edges((0, 1, 40.0, 2.0, STRONG))) == [{"dukcapil:0", "bpjs:1"}]


def test_serials_further_apart_or_a_zero_serial_are_not_siblings():
    """A serial three apart is no twin's (the NIK override applies as before); a zero serial is a NIK cut to 15
    digits by a spreadsheet, not a sibling's."""
    for nik in ("3276014505100006", "3276014505100000"):
        rows = _twins(second_nik=nik)
        flags = edge_flags(edges((0, 1, 40.0, 2.0, NEAR_NAME)), _features(rows[:2]), PRIOR, RULES.cluster_guards())
        assert flags["nik_siblings"].tolist() == [False], nik


def test_the_shipped_settings_keep_twins_apart_and_send_a_double_registration_to_review():
    """With the Depok settings file: twins of one family card (consecutive serials, same birth date, names a
    letter apart, one NIK not in the register) stay two people even on overwhelming evidence; one person
    registered twice in the register (same name, birth date and address, two NIKs) is not merged but sent to
    review as ``double_registration``."""
    settings = load_matching_settings()
    rows = [
        {"source": "dukcapil", "nik": "3276014505100003", "birth_date": "2010-05-05", "name": "ZAHRA AMINAH"},
        {"source": "bpjs", "nik": "3276014505100004", "birth_date": "2010-05-05", "name": "ZAHWA AMINAH"},
        {"source": "bpjs", "nik": "3276014505100003", "birth_date": "2010-05-05", "name": "ZAHRA AMINAH"},
        {"source": "dukcapil", "nik": "3276021203850002", "birth_date": "1985-03-12", "name": "BUDI SETIAWAN"},
        {"source": "dukcapil", "nik": "3276051203850007", "birth_date": "1985-03-12", "name": "BUDI SETIAWAN"},
    ]
    records = person_records(rows)
    features = compute_features(records, settings.feature_spec())
    _add_register_features(features, records, settings)
    near, strong = {**NEAR_NAME, "level_nik": "one_digit"}, {**STRONG, "level_nik": "else"}
    scored = edges(
        (0, 1, 40.0, 2.0, near),
        (1, 2, 38.0, 2.0, near),
        (0, 2, 50.0, 10.0, {**STRONG, "level_nik": "exact"}),
        (3, 4, 40.0, -5.0, strong),
    )
    scored = scored.assign(
        record_id_l=features["record_id"].to_numpy()[scored["left"]],
        record_id_r=features["record_id"].to_numpy()[scored["right"]],
        rule_names="",
    )
    links = cluster(scored, features, PRIOR, settings.cluster_guards())
    cluster_of = links.set_index("record_id")["cluster"]
    assert cluster_of["dukcapil:0"] == cluster_of["bpjs:2"] != cluster_of["bpjs:1"]
    assert cluster_of["dukcapil:3"] != cluster_of["dukcapil:4"]
    queue = review_queue(scored, links, features, PRIOR, settings).set_index(["record_id_l", "record_id_r"])
    assert queue.loc[("dukcapil:3", "dukcapil:4"), "reason"] == "double_registration"
    assert queue.loc[("dukcapil:0", "bpjs:1"), "reason"] == "nik_conflict"  # twins: a clerk may still look


def test_the_shipped_settings_link_a_list_nik_nobody_can_confirm_when_the_names_fit():
    """A community list writes a NIK but no birth date, so the NIK is not confirmed (level ``exact_suspect``):
    with the same NIK and one name's words inside the other's (AGUS / AGUS SETIAWAN) the pair links whatever
    its probability; with an unrelated name it does not."""
    settings = load_matching_settings()
    nik = "3276011505900001"
    rows = [
        {"source": "dukcapil", "nik": nik, "birth_date": "1990-05-15", "name": "AGUS SETIAWAN", "sex": "L"},
        {"source": "komunitas", "nik": nik, "name": "AGUS"},
        {"source": "komunitas", "nik": nik, "name": "JOKO"},
    ]
    records = person_records(rows)
    features = compute_features(records, settings.feature_spec())
    _add_register_features(features, records, settings)
    unconfirmed = {"level_nik": "exact_suspect", "level_birth_date": None, "level_phone": None}
    scored = edges(
        (0, 1, -6.0, 8.0, {**unconfirmed, "level_name": "token_subset", "level_location": "domicile_differs"}),
        (0, 2, -6.0, 8.0, {**unconfirmed, "level_name": "else", "level_location": "domicile_differs"}),
    )
    links = cluster(scored, features, PRIOR, settings.cluster_guards())
    cluster_of = links.set_index("record_id")["cluster"]
    assert cluster_of["komunitas:1"] == cluster_of["dukcapil:0"] != cluster_of["komunitas:2"]


SIBLING_NAMES = dataclasses.replace(
    RULES,
    sibling_names=SiblingNames(
        levels=("token_subset", "else"),
        min_first_word_edits=2,
        unless=((LevelsOf("nik", ("exact", "exact_suspect")), LevelsOf("phone", ("exact",))),),
    ),
)
#: Linked on birth date and address alone: no NIK, no phone, the names at ``else``.
BIRTH_AND_ADDRESS = {
    "level_name": "else",
    "level_birth_date": "exact",
    "level_phone": None,
    "level_location": "address",
    "level_nik": None,
}


def test_a_twin_s_only_record_with_another_given_name_is_not_linked_on_birth_date_and_address():
    """IIS SUKMAWATI (no NIK, no phone) beside her twin IMAS SUKMAWATI: the same last word, given names two edits
    apart. Without the rule the pair links above the threshold; with it, it does not (and goes to review)."""
    rows = [
        {"source": "dukcapil", "nik": "3276055502110004", "birth_date": "2011-02-15", "name": "IMAS SUKMAWATI"},
        {"source": "bpjs", "birth_date": "2011-02-15", "name": "IIS SUKMAWATI"},
    ]
    scored = edges((0, 1, 3.6, 0.0, BIRTH_AND_ADDRESS))
    assert _clusters(rows, scored) == [{"dukcapil:0", "bpjs:1"}]
    assert _clusters(rows, scored, SIBLING_NAMES) == [{"bpjs:1"}, {"dukcapil:0"}]
    flags = edge_flags(scored, _features(rows), PRIOR, SIBLING_NAMES.cluster_guards())
    assert flags["sibling_names"].tolist() == [True]
    assert flags["missing_evidence"].tolist() == [True]
    assert flags["keep_apart"].tolist() == [False]  # its own edge only: not a cannot-link


def test_call_names_typos_and_shared_identifiers_still_link_under_the_sibling_names_rule():
    """What the rule leaves alone: a call name of one word (YADI for SUPRIYADI SANTOSO), a typo in the first word
    (HMAD / AHMAD RAMADHAN, one edit), a given name at a stronger level, and twins' names with a phone or NIK in
    common (the identifier says they are one person)."""
    pairs = [
        ("SUPRIYADI SANTOSO", "YADI", "alias", {}),
        ("AHMAD RAMADHAN", "HMAD RAMADHAN", "else", {}),
        ("AGUS SETIAWAN", "AGUS SETIAWAN WIBOWO", "token_subset", {}),
        ("IMAS SUKMAWATI", "IIS SUKMAWATI", "else", {"level_phone": "exact"}),
        ("IMAS SUKMAWATI", "IIS SUKMAWATI", "else", {"level_nik": "exact_suspect"}),
        ("JOKO WIDODO", "BUDI SANTOSO", "else", {}),  # no last word in common: not this rule's pair
    ]
    for registered, other, level, extra in pairs:
        rows = [
            {"source": "dukcapil", "nik": "3276011505900001", "birth_date": "1990-05-15", "name": registered},
            {"source": "bpjs", "birth_date": "1990-05-15", "name": other},
        ]
        scored = edges((0, 1, 6.0, 0.0, {**BIRTH_AND_ADDRESS, "level_name": level, **extra}))
        flags = edge_flags(scored, _features(rows), PRIOR, SIBLING_NAMES.cluster_guards())
        assert flags["sibling_names"].tolist() == [False], (registered, other)
        assert _clusters(rows, scored, SIBLING_NAMES) == [{"dukcapil:0", "bpjs:1"}], (registered, other)


def test_the_shipped_settings_keep_a_twin_s_only_record_apart_and_a_call_name_linked():
    """With the Depok settings file: IIS SUKMAWATI is not joined to IMAS on birth date and address alone;
    YADI (a call name) is joined to SUPRIYADI SANTOSO on the same evidence."""
    settings = load_matching_settings()
    rows = [
        {"source": "dukcapil", "nik": "3276055502110004", "birth_date": "2011-02-15", "name": "IMAS SUKMAWATI"},
        {"source": "bpjs", "birth_date": "2011-02-15", "name": "IIS SUKMAWATI"},
        {"source": "dukcapil", "nik": "3276011505900001", "birth_date": "1990-05-15", "name": "SUPRIYADI SANTOSO"},
        {"source": "bpjs", "birth_date": "1990-05-15", "name": "YADI"},
    ]
    records = person_records(rows)
    features = compute_features(records, settings.feature_spec())
    _add_register_features(features, records, settings)
    scored = edges(
        (0, 1, 3.6, 0.0, BIRTH_AND_ADDRESS),
        (2, 3, 3.6, 0.0, {**BIRTH_AND_ADDRESS, "level_name": "alias"}),
    )
    cluster_of = cluster(scored, features, PRIOR, settings.cluster_guards()).set_index("record_id")["cluster"]
    assert cluster_of["dukcapil:0"] != cluster_of["bpjs:1"]
    assert cluster_of["dukcapil:2"] == cluster_of["bpjs:3"]


def _santoso_twins():
    """Twins RIZKI and RIZAL SANTOSO (consecutive serials) and a job-seeker record of RIZAL whose NIK a spreadsheet
    cut to a zero serial (not trusted) and whose phone is the family's, which RIZKI's BPJS record gives too."""
    return [
        {"source": "dukcapil", "nik": "3276030510960003", "birth_date": "1996-10-05", "name": "MUHAMMAD RIZKI SANTOSO"},
        {"source": "bpjs", "nik": "3276030510960003", "birth_date": "1996-10-05", "name": "MUHAMMAD RIZKI SANTOSO"},
        {"source": "dukcapil", "nik": "3276030510960004", "birth_date": "1996-10-05", "name": "MUHAMMAD RIZAL SANTOSO"},
        {
            "source": "kerja",
            "nik": "3276030510960000",
            "nik_valid": False,
            "birth_date": "1996-10-05",
            "name": "MUHAMMAD RIZAL SANTOSO",
        },
    ]


def test_a_record_linked_to_both_twins_goes_to_the_one_whose_name_it_fits():
    """The job-seeker record of RIZAL is linked more strongly to RIZKI (the shared phone) than to RIZAL (the same
    name, no phone): without ``fit_by`` the strongest link wins and the twins' records meet in RIZKI's worker;
    with it the record's name decides and it is kept apart from RIZKI's records, also through the chain."""
    rows = _santoso_twins()
    rizki = {**STRONG, "level_name": "jaro_winkler_high", "level_nik": "one_digit"}
    rizal = {**STRONG, "level_phone": None, "level_nik": "one_digit"}
    scored = edges(
        (0, 1, 50.0, 10.0, {**STRONG, "level_nik": "exact"}),
        (1, 3, 40.0, 2.0, rizki),
        (0, 3, 21.0, 2.0, {**rizki, "level_phone": None}),
        (2, 3, 24.0, 2.0, rizal),
    )
    assert _clusters(rows, scored) == [{"dukcapil:0", "bpjs:1", "kerja:3"}, {"dukcapil:2"}]
    fit = dataclasses.replace(RULES, nik_siblings=dataclasses.replace(RULES.nik_siblings, fit_by=("name", "nik")))
    assert _clusters(rows, scored, fit) == [{"dukcapil:0", "bpjs:1"}, {"dukcapil:2", "kerja:3"}]
    guards = fit.cluster_guards()
    assert [condition.comparison for condition in guards.sibling_fit] == ["name", "nik"]
    usable = scored["match_probability"].to_numpy() >= guards.match_threshold
    apart = sibling_fit(scored, _features(rows), usable, guards.nik_siblings, guards.sibling_fit)
    assert apart.tolist() == [False, True, True, False]


def test_a_record_fitting_both_twins_equally_or_a_mistyped_serial_is_left_to_the_other_rules():
    """Equal names and NIK levels to both siblings: no side is taken (the tie margin decides those). Holders of
    the two serials bearing the same name: one person with a mistyped serial, not twins."""
    fit = dataclasses.replace(RULES, nik_siblings=dataclasses.replace(RULES.nik_siblings, fit_by=("name", "nik")))
    guards = fit.cluster_guards()
    rows = _santoso_twins()
    rows[3] = {**rows[3], "name": "MUHAMMAD RIZ SANTOSO"}
    near = {**STRONG, "level_name": "jaro_winkler_high", "level_nik": "one_digit"}
    scored = edges((0, 3, 30.0, 2.0, near), (2, 3, 25.0, 2.0, near))
    usable = np.ones(len(scored), dtype=bool)
    assert not sibling_fit(scored, _features(rows), usable, guards.nik_siblings, guards.sibling_fit).any()
    rows = _santoso_twins()
    rows[2] = {**rows[2], "name": "MUHAMMAD RIZKI SANTOSO"}  # serial 4 mistyped for RIZKI's 3
    scored = edges((0, 3, 30.0, 2.0, near), (2, 3, 25.0, 2.0, {**near, "level_name": "exact"}))
    assert not sibling_fit(scored, _features(rows), usable, guards.nik_siblings, guards.sibling_fit).any()


def _shipped_cluster(rows, *pairs):
    settings = load_matching_settings()
    records = person_records(rows)
    features = compute_features(records, settings.feature_spec())
    _add_register_features(features, records, settings)
    links = cluster(edges(*pairs), features, PRIOR, settings.cluster_guards())
    return links.set_index("record_id")["cluster"]


def test_the_shipped_settings_override_a_mistyped_nik_with_a_shorter_name_when_the_phone_agrees():
    """SLAMET SETIAWAN's BPJS record and a job-seeker record SLAMET whose NIK has one digit wrong (in the region
    code, not a sibling's serial), the same birth date and phone: one person. Without the phone or the street
    address in common the two trusted NIKs stay apart."""
    rows = [
        {"source": "bpjs", "nik": "3276011505900001", "birth_date": "1990-05-15", "name": "SLAMET SETIAWAN"},
        {"source": "kerja", "nik": "3276051505900001", "birth_date": "1990-05-15", "name": "SLAMET"},
    ]
    slip = {**STRONG, "level_name": "token_subset", "level_nik": "one_digit", "level_location": "kecamatan"}
    cluster_of = _shipped_cluster(rows, (0, 1, 30.0, 2.0, slip))
    assert cluster_of["bpjs:0"] == cluster_of["kerja:1"]
    cluster_of = _shipped_cluster(rows, (0, 1, 30.0, 2.0, {**slip, "level_phone": None}))
    assert cluster_of["bpjs:0"] != cluster_of["kerja:1"]
    cluster_of = _shipped_cluster(rows, (0, 1, 30.0, 2.0, {**slip, "level_phone": None, "level_location": "address"}))
    assert cluster_of["bpjs:0"] == cluster_of["kerja:1"]


def test_the_shipped_settings_link_a_shorter_name_on_the_same_phone_but_not_twins():
    """INDAH (an UMKM record) and INDAH PURWANINGSIH with the same phone link whatever the probability; twins of
    consecutive serials with one name inside the other's and the family phone stay apart."""
    rows = [
        {"source": "dukcapil", "nik": "3201364310690001", "birth_date": "1969-10-03", "name": "INDAH PURWANINGSIH"},
        {"source": "umkm", "name": "INDAH", "phone": "6281322316041"},
    ]
    below = {
        "level_name": "token_subset",
        "level_phone": "exact",
        "level_birth_date": None,
        "level_location": "else",
        "level_nik": None,
    }
    cluster_of = _shipped_cluster(rows, (0, 1, -8.0, 0.0, below))
    assert cluster_of["dukcapil:0"] == cluster_of["umkm:1"]
    twins = [
        {"source": "dukcapil", "nik": "3276087001060005", "birth_date": "2006-01-30", "name": "VERONICA SUSANTI"},
        {"source": "bpjs", "nik": "3276087001060004", "birth_date": "2006-01-30", "name": "SUSANTI"},
    ]
    family = {**STRONG, "level_name": "token_subset", "level_nik": "one_digit"}
    cluster_of = _shipped_cluster(twins, (0, 1, 30.0, 2.0, family))
    assert cluster_of["dukcapil:0"] != cluster_of["bpjs:1"]
