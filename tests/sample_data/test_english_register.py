"""The English-language register generator: shape, determinism, truth and the corruptions it promises."""

from __future__ import annotations

import csv
import re
from collections import Counter

import pytest

from sample_data.english_register import COLUMNS, LINKAGE_FILES, REGISTER_FILE, generate, write
from sample_data.english_register.__main__ import main
from sample_data.english_register.vocab import FEMALE_GIVEN_NAMES, MALE_GIVEN_NAMES

RECORDS = 3000


@pytest.fixture(scope="module")
def register():
    return generate(RECORDS, seed=11)


def _read(path):
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_cli_writes_the_agreed_files_with_the_agreed_header(tmp_path):
    main(["--records", "400", "--seed", "3", "--out", str(tmp_path)])
    for name in (REGISTER_FILE, *LINKAGE_FILES):
        rows = _read(tmp_path / name)
        assert (
            tuple(rows[0])
            == COLUMNS
            == (
                "rec_id",
                "given_name",
                "surname",
                "street_number",
                "address_1",
                "address_2",
                "suburb",
                "postcode",
                "state",
                "date_of_birth",
                "phone_number",
            )
        )
        assert len(rows) > 100
    truth = _read(tmp_path / "truth.csv")
    assert truth[0] == ["file", "rec_id", "person_id"]
    written = {(name, row[0]) for name in (REGISTER_FILE, *LINKAGE_FILES) for row in _read(tmp_path / name)[1:]}
    assert {(row[0], row[1]) for row in truth[1:]} == written


def test_same_seed_same_bytes_other_seed_other_data(tmp_path):
    write(tmp_path / "a", 500, seed=5)
    write(tmp_path / "b", 500, seed=5)
    write(tmp_path / "c", 500, seed=6)
    for name in (REGISTER_FILE, *LINKAGE_FILES, "truth.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert (tmp_path / "a" / REGISTER_FILE).read_bytes() != (tmp_path / "c" / REGISTER_FILE).read_bytes()


def test_about_a_fifth_of_people_duplicated_some_more_than_once(register):
    persons = Counter(row["person_id"] for row in register.truth if row["file"] == REGISTER_FILE)
    assert abs(sum(persons.values()) - RECORDS) < RECORDS * 0.05
    duplicated = sum(count > 1 for count in persons.values()) / len(persons)
    assert 0.16 < duplicated < 0.24
    assert sum(count > 2 for count in persons.values()) > 0.02 * len(persons)
    rec_ids = [row["rec_id"] for row in register.truth]
    assert len(rec_ids) == len(set(rec_ids))


def test_linkage_files_share_people_and_hold_no_duplicates_within(register):
    files = {row["rec_id"]: row for row in register.truth if row["file"] in LINKAGE_FILES}
    by_file = {name: Counter(r["person_id"] for r in files.values() if r["file"] == name) for name in LINKAGE_FILES}
    assert all(max(count.values()) == 1 for count in by_file.values())
    shared = set(by_file[LINKAGE_FILES[0]]) & set(by_file[LINKAGE_FILES[1]])
    assert 0.45 < len(shared) / len(by_file[LINKAGE_FILES[0]]) < 0.7
    register_people = {row["person_id"] for row in register.truth if row["file"] == REGISTER_FILE}
    assert not register_people & set(by_file[LINKAGE_FILES[0]])


def test_values_have_the_promised_formats_and_corruptions(register):
    rows = register.files[REGISTER_FILE]
    dates = [row["date_of_birth"] for row in rows]
    assert all(re.fullmatch(r"(19|20)\d{6}", value) for value in dates if value)
    assert 0.02 < sum(not value for value in dates) / len(rows) < 0.12
    assert all(not re.search(r"\d{16}", ",".join(row.values())) for row in rows)  # no national id
    person_of = {row["rec_id"]: row["person_id"] for row in register.truth}
    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault(person_of[row["rec_id"]], []).append(row)
    nicknames = {nick for _, nicks in (*MALE_GIVEN_NAMES.values(), *FEMALE_GIVEN_NAMES.values()) for nick in nicks}
    seen = Counter()
    for records in groups.values():
        first = records[0]
        for other in records[1:]:
            given, surname = first["given_name"].lower(), first["surname"].lower()
            if other["given_name"].lower() == surname and other["surname"].lower() == given:
                seen["swapped"] += 1
            elif other["given_name"].lower() in nicknames and other["given_name"].lower() != given:
                seen["nickname"] += 1
            elif other["surname"].lower() not in ("", surname) and other["given_name"].lower() == given:
                seen["surname typo"] += 1
            a, b = first["date_of_birth"], other["date_of_birth"]
            if a and b and a != b and sorted(a) == sorted(b):
                seen["transposed date"] += 1
            if bool(first["date_of_birth"]) != bool(other["date_of_birth"]):
                seen["missing date"] += 1
            if first["address_1"].split(" ")[-1].lower() != other["address_1"].split(" ")[-1].lower():
                seen["address variation"] += 1
    for kind in ("swapped", "nickname", "surname typo", "transposed date", "missing date", "address variation"):
        assert seen[kind] >= 5, kind
    # Households and twins: different people at one address with one surname, some born the same day.
    addresses = Counter(
        (row["street_number"], row["address_1"].lower(), row["suburb"].lower(), row["surname"].lower())
        for records in groups.values()
        for row in records[:1]
    )
    assert sum(count > 1 for count in addresses.values()) > 0.03 * len(groups)


def test_too_few_records_refused():
    with pytest.raises(ValueError, match="records"):
        generate(5, seed=1)
