"""Keys and modes, pseudonyms, masking, the analytics tier's column policy, and the personal-data scanner."""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from data_contracts.schema import PERSON_SCHEMA, PERSONAL_DATA_COLUMNS, conform_to_person_schema
from satupekerja.privacy.pseudonyms import (
    COLUMN_POLICY,
    DEMO_KEY,
    DEMO_KEY_LABEL,
    KEY_ENV,
    MODE_ENV,
    ColumnPolicy,
    PrivacyConfigError,
    PrivacyPolicyError,
    coarsen_birth_date,
    hmac_pseudonym,
    hmac_sha256_hex,
    load_pseudonymisation_key,
    mask_nik,
    mask_phone,
    personal_data_scanner,
    restricted_tier,
    to_analytics_tier,
)

SNAPSHOT = date(2026, 11, 21)
REAL_KEY_HEX = "a1" * 32
OTHER_KEY_HEX = "b2" * 32


def key_from(hex_key: str):
    return load_pseudonymisation_key("production", hex_key)


# --- keys and modes ---------------------------------------------------------------------------------------


def test_demo_mode_is_the_default_and_uses_the_labelled_demo_key():
    key = load_pseudonymisation_key()
    assert key.is_demo
    assert key.label == DEMO_KEY_LABEL == "DEMO-KEY (not for real data)"


def test_production_without_a_key_refuses_to_run():
    with pytest.raises(PrivacyConfigError, match=KEY_ENV):
        load_pseudonymisation_key("production")


def test_production_refuses_the_public_demo_key():
    with pytest.raises(PrivacyConfigError, match="demo key"):
        load_pseudonymisation_key("production", DEMO_KEY.secret.decode())


def test_production_with_a_hex_key_is_not_demo_and_never_shows_the_secret():
    key = key_from(REAL_KEY_HEX)
    assert not key.is_demo
    assert key.secret == bytes.fromhex(REAL_KEY_HEX)
    assert key.fingerprint in key.label
    assert REAL_KEY_HEX not in repr(key) and "a1a1" not in key.label


def test_text_keys_are_accepted_and_short_keys_rejected_without_echoing_them():
    text_key = "correct horse battery staple, long enough"
    assert load_pseudonymisation_key(configured_key=text_key).secret == text_key.encode()
    with pytest.raises(PrivacyConfigError, match="too short") as error:
        load_pseudonymisation_key("production", "hunter2-secret")
    assert "hunter2" not in str(error.value)


def test_demo_mode_uses_a_configured_key():
    assert load_pseudonymisation_key("demo", REAL_KEY_HEX) == key_from(REAL_KEY_HEX)


def test_unknown_mode_is_an_error():
    with pytest.raises(PrivacyConfigError, match=MODE_ENV):
        load_pseudonymisation_key("staging")


# --- pseudonyms and masking -------------------------------------------------------------------------------


def test_hmac_pseudonym_is_keyed_hmac_sha256_stable_and_keeps_na_and_index():
    key = key_from(REAL_KEY_HEX)
    niks = pd.Series(
        ["3276015708900001", pd.NA, "3276015708900001", "3201011212850002"], index=[10, 11, 12, 13], dtype="str"
    )
    hashed = hmac_pseudonym(niks, key)
    expected = hmac.new(key.secret, b"3276015708900001", hashlib.sha256).hexdigest()
    assert hashed.index.tolist() == [10, 11, 12, 13]
    assert hashed[10] == hashed[12] == expected
    assert pd.isna(hashed[11])
    assert hashed[13] != expected
    assert hashed.equals(hmac_pseudonym(niks, key_from(REAL_KEY_HEX)))


@pytest.mark.parametrize("secret", [b"k" * 32, b"short key 16byte", bytes(range(64)), b"x" * 65, bytes(range(200))])
def test_hmac_sha256_hex_is_the_standard_hmac(secret):
    """Keys shorter than, equal to and longer than SHA-256's 64-byte block (a longer key is hashed first)."""
    values = ["3276015708900001", "", "Kafé Bu’e", "bpjs_kesehatan:0001234567890", 42]
    expected = [hmac.new(secret, str(value).encode("utf-8"), hashlib.sha256).hexdigest() for value in values]
    assert hmac_sha256_hex(secret, values) == expected


def test_hmac_pseudonym_differs_by_key():
    niks = pd.Series(["3276015708900001"], dtype="str")
    assert hmac_pseudonym(niks, key_from(REAL_KEY_HEX))[0] != hmac_pseudonym(niks, key_from(OTHER_KEY_HEX))[0]
    assert hmac_pseudonym(niks, key_from(REAL_KEY_HEX))[0] != hmac_pseudonym(niks, DEMO_KEY)[0]


def test_mask_nik_shows_the_last_four_digits_only():
    masked = mask_nik(pd.Series(["3276015708908901", pd.NA, "12"], dtype="str"))
    assert masked[0] == "************8901"
    assert pd.isna(masked[1])
    assert masked[2] == "*" * 16


def test_mask_phone_shows_the_last_three_digits_only():
    masked = mask_phone(pd.Series(["6281234567890", pd.NA], dtype="str"))
    assert masked[0] == "*********890"
    assert "812345" not in masked[0]
    assert pd.isna(masked[1])


def test_coarsen_birth_date_gives_year_and_age_band_at_the_snapshot():
    births = pd.Series(pd.to_datetime(["1991-11-21", "1991-11-22", "1960-01-01", None, "2030-01-01", "2015-06-01"]))
    coarse = coarsen_birth_date(births, SNAPSHOT)
    assert coarse.columns.tolist() == ["birth_year", "age_band"]
    assert coarse["birth_year"].tolist()[:3] == [1991, 1991, 1960]
    assert coarse["age_band"].tolist()[:3] == ["35-44", "25-34", "65+"]
    assert coarse["age_band"].tolist()[5] == "0-14"
    assert coarse.iloc[3:5].isna().all().all()  # missing and future birth dates


# --- tiers ------------------------------------------------------------------------------------------------


def person_frame() -> pd.DataFrame:
    return conform_to_person_schema(
        pd.DataFrame(
            {
                "source": ["bpjs_kesehatan", "komunitas"],
                "record_id": ["bpjs_kesehatan:0001234567890", "komunitas:ojol_beji_2026:7"],
                "source_file": ["peserta_jkn_depok.csv", "ojol_beji_2026.xlsx"],
                "source_row": [2, 7],
                "nik": ["3276015708900001", pd.NA],
                "nik_birth_date": pd.to_datetime(["1990-08-17", None]),
                "kk": ["3276010101200003", pd.NA],
                "name": ["SITI AMINAH", "BUDI SANTOSO"],
                "alias": [pd.NA, "BUDI OJOL"],
                "birth_date": pd.to_datetime(["1990-08-17", None]),
                "birth_place": ["BOGOR", pd.NA],
                "sex": ["P", "L"],
                "phone": ["6281234567890", "6285711112222"],
                "address": ["JL MARGONDA RAYA NO 12", "GG MAWAR 3"],
                "rt": ["2", "5"],
                "rw": ["19", "7"],
                "kelurahan_code": ["32.76.03.1010", pd.NA],
                "business_name": ["WARUNG BU SITI", pd.NA],
                "jkn_card_no": ["0001234567890", pd.NA],
                "tk_kpj": [pd.NA, "12345678901"],
            }
        )
    )


def test_the_policy_classifies_every_person_schema_column():
    assert set(PERSON_SCHEMA) <= set(COLUMN_POLICY)


def test_every_personal_data_column_of_the_schema_is_hashed_dropped_or_coarsened():
    assert all(COLUMN_POLICY[column] is not ColumnPolicy.KEEP for column in PERSONAL_DATA_COLUMNS)


def test_analytics_tier_hashes_identifiers_coarsens_birth_dates_and_drops_the_rest():
    key = key_from(REAL_KEY_HEX)
    records = person_frame()
    analytics = to_analytics_tier("person_records", records, key, SNAPSHOT)
    assert analytics["nik_hash"].tolist()[0] == hmac_pseudonym(records["nik"], key)[0]
    assert pd.isna(analytics["nik_hash"][1])
    assert {"record_id_hash", "kk_hash", "jkn_card_no_hash", "tk_kpj_hash", "birth_year", "age_band"} <= set(analytics)
    assert analytics["age_band"].tolist()[0] == "35-44"
    assert analytics["kelurahan_code"].tolist()[0] == "32.76.03.1010"
    for gone in ("nik", "kk", "name", "alias", "phone", "address", "birth_date", "nik_birth_date", "rt", "rw"):
        assert gone not in analytics


def test_no_personal_value_survives_the_analytics_tier():
    records = person_frame()
    text = to_analytics_tier("person_records", records, key_from(REAL_KEY_HEX), SNAPSHOT).astype("str").to_csv()
    for column in sorted(PERSONAL_DATA_COLUMNS | {"record_id", "business_name", "address"}):
        for value in records[column].dropna().astype("str"):
            assert value not in text, column
    assert "MARGONDA" not in text and "SITI" not in text and "0812" not in text and "81234567890" not in text


def test_analytics_tier_fails_closed_on_unclassified_columns():
    frame = person_frame().assign(mother_maiden_name="X")
    with pytest.raises(PrivacyPolicyError, match="mother_maiden_name"):
        to_analytics_tier("person_records", frame, DEMO_KEY, SNAPSHOT)
    with pytest.raises(PrivacyPolicyError, match="mother_maiden_name"):
        restricted_tier(frame, "person_records")


def test_declared_columns_extend_the_policy_but_cannot_loosen_it():
    frame = pd.DataFrame({"worker_id": ["W1"], "cluster_size": [2], "name": ["SITI AMINAH"]})
    declared = {"worker_id": ColumnPolicy.KEEP, "cluster_size": ColumnPolicy.KEEP}
    analytics = to_analytics_tier("clusters", frame, DEMO_KEY, SNAPSHOT, declared=declared)
    assert analytics.columns.tolist() == ["worker_id", "cluster_size"]
    with pytest.raises(PrivacyPolicyError, match="name"):
        to_analytics_tier("clusters", frame, DEMO_KEY, SNAPSHOT, declared={**declared, "name": ColumnPolicy.KEEP})
    spouse = pd.DataFrame({"spouse_birth_date": pd.to_datetime(["1992-01-05"])})
    coarse = to_analytics_tier("spouses", spouse, DEMO_KEY, SNAPSHOT, declared={"spouse_birth_date": "coarsen"})
    assert coarse.to_dict("records") == [{"spouse_birth_year": 1992, "spouse_birth_age_band": "25-34"}]


def test_tier_outputs_are_labelled_with_the_key_that_made_them():
    analytics = to_analytics_tier("person_records", person_frame(), DEMO_KEY, SNAPSHOT)
    assert analytics.attrs["satupekerja_tier"] == "analytics"
    assert analytics.attrs["pseudonymisation_key"] == DEMO_KEY_LABEL
    assert analytics.attrs["pseudonymisation_key_fingerprint"] == DEMO_KEY.fingerprint


def test_restricted_tier_keeps_every_value():
    records = person_frame()
    restricted = restricted_tier(records, "person_records")
    pd.testing.assert_frame_equal(restricted, records)
    assert restricted.attrs == {"satupekerja_tier": "restricted"}


# --- scanner ----------------------------------------------------------------------------------------------


@pytest.fixture
def scanner():
    return personal_data_scanner(
        niks=["3276015708900001", None],
        phones=["0812-3456-7890", "+62 857 1111 2222", "02177778888", pd.NA],
        names=["Siti Aminah", "Supriyadi", "Adi", "Rina"],
    )


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("nik=3276015708900001 done", ["nik"]),
        ('{"value": "3276 0157 0890 0001"}', ["nik"]),
        ("raw 32760157089000019 trailing digit", ["nik"]),
        ("hp 081234567890", ["phone"]),
        ("hp +62 812-3456-7890.", ["phone"]),
        ("wa 6285711112222, 085711112222", ["phone", "phone"]),
        ("kantor (021) 7777-8888", ["phone"]),
        ("peserta SITI   aminah terdaftar", ["name"]),
        ("supriyadi", ["name"]),
    ],
)
def test_scanner_finds_planted_personal_data_in_any_format(scanner, text, kinds):
    assert scanner.find(text) == kinds


@pytest.mark.parametrize(
    "text",
    [
        "materialized 1,204 rows in 12.5s at 1732212345.123456",
        "masked ************0001 and *********890",
        "adi and rina are short names, siti alone is a first name, aminah alone too",
        "hash df00caef9533962ce75d8bd47755b127f7c5f5d1469cb47f621347a39b40968d",
        "Supriyadiono is another word",
    ],
)
def test_scanner_ignores_text_without_the_inputs_personal_data(scanner, text):
    assert scanner.find(text) == []


def test_scanner_is_fast_over_megabytes_of_logs(scanner):
    log_line = '{"event": "STEP_OUTPUT", "rows": 1204, "ts": 1732212345.123, "run": "9f8e7d6c-1b2a"}\n'
    text = log_line * 20_000 + "SITI AMINAH"  # about 2 MB
    started = time.perf_counter()
    assert scanner.find(text) == ["name"]
    assert time.perf_counter() - started < 5.0


# --- registry tables --------------------------------------------------------------------------------------


@pytest.fixture
def unified(make_records):
    from data_contracts.contract import default_role_book
    from data_contracts.roles import load_employment_model
    from satupekerja.registry.unify import build_unified_workers

    records, links = make_records(
        (
            "W1",
            {
                "source": "dukcapil",
                "nik": "3276015708900001",
                "name": "SITI AMINAH",
                "phone": "6281234567890",
                "birth_date": pd.Timestamp("1990-08-17"),
                "address": "JL MARGONDA RAYA NO 12",
                "kelurahan_code": "32.76.01.1006",
                "kecamatan_code": "32.76.01",
            },
        ),
        (
            "W1",
            {
                "source": "bpjs_ketenagakerjaan",
                "nik": "3276015708900001",
                "tk_kpj": "12345678901",
                "tk_segment": "BPU",
                "tk_status": "NONAKTIF",
                "tk_last_paid_month": pd.Timestamp("2024-01-01"),
            },
        ),
        ("W2", {"source": "komunitas", "name": "BUDI SANTOSO", "phone": "6285711112222", "sector": "ojol"}),
    )
    return build_unified_workers(records, links, SNAPSHOT, default_role_book(), load_employment_model())


def test_every_registry_table_column_is_classified(unified):
    from data_contracts import load_region_reference
    from satupekerja.registry.coverage import coverage_by_area, uncovered_informal_workers

    tables = {
        "unified_workers": unified,
        "uncovered_informal_workers": uncovered_informal_workers(unified),
        "coverage_by_area": coverage_by_area(unified, load_region_reference()),
    }
    for name, table in tables.items():
        analytics = to_analytics_tier(name, table, key_from(REAL_KEY_HEX), SNAPSHOT)
        assert len(analytics) == len(table), name


def test_no_personal_value_of_the_unified_record_survives_the_analytics_tier(unified):
    key = key_from(REAL_KEY_HEX)
    analytics = to_analytics_tier("unified_workers", unified, key, SNAPSHOT)
    text = analytics.astype("str").to_csv()
    for value in ("3276015708900001", "SITI", "AMINAH", "BUDI", "MARGONDA", "81234567890", "12345678901", "1990-08-17"):
        assert value not in text
    siti = analytics.set_index("worker_id").loc["W1"]
    assert siti["nik_hash"] == hmac_pseudonym(pd.Series(["3276015708900001"], dtype="str"), key)[0]
    record_ids = pd.Series(unified.set_index("worker_id").loc["W1", "record_ids"], dtype="str")
    assert siti["record_ids_hash"] == hmac_pseudonym(record_ids, key).tolist()
    assert siti["name_source"] == "dukcapil" and siti["age_band"] == "35-44"


def test_the_documented_column_policy_matches_the_code():
    text = (Path(__file__).resolve().parents[2] / "docs" / "privacy.md").read_text(encoding="utf-8")
    table = text.split("<!-- column-policy:start -->")[1].split("<!-- column-policy:end -->")[0]
    documented = {}
    for row in table.strip().splitlines()[2:]:
        columns, policy = row.split("|")[1:3]
        documented.update(dict.fromkeys(re.findall(r"`([a-z_]+)`", columns), ColumnPolicy(policy.strip())))
    assert documented == COLUMN_POLICY
