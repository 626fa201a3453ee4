"""Seeded generator of an English-language person register, with the truth of who is who.

``generate(records, seed)`` returns the three files in memory; ``write(out_dir, records, seed)`` writes
``register/people.csv`` (one file to deduplicate), ``linkage/file_a.csv`` + ``linkage/file_b.csv`` (two files
to link) and ``truth.csv`` (``file,rec_id,person_id``). Every file has the header of ``COLUMNS``: given name and
surname in separate columns, street number, street (``address_1``), an optional unit or building
(``address_2``), suburb, postcode, state, date of birth as ``yyyymmdd`` (some empty) and a phone number; no
national identifier.

The register holds about ``records`` rows: about 20 % of the people have more than one record (some three or
four), each duplicate carrying one to three corruptions: a typo in a name, a nickname (Robert → Bob), given
name and surname swapped, missing values, day and month (or two digits) of the birth date transposed, a
street type abbreviated, the street number written inside the street, a unit added or dropped, a suburb or
postcode typo, a new phone format, a move to another address. People also share what makes matching hard
in real registers: households (same surname, address and often phone), twins (same birth date too), and
namesakes (common names drawn often). The linkage variant draws other people; about 57 % of them are in both
files (the second file's record corrupted as above), the others in one file only.

Everything is drawn from ``random.Random(seed)``: the same arguments give byte-identical files.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

from sample_data.english_register.vocab import (
    ADDRESS_2_KINDS,
    AREA_CODES,
    BUILDING_NAMES,
    FEMALE_GIVEN_NAMES,
    MALE_GIVEN_NAMES,
    STATE_NAMES,
    STREET_NAMES,
    STREET_TYPES,
    SUBURBS,
    SURNAMES,
)

COLUMNS = (
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
TRUTH_COLUMNS = ("file", "rec_id", "person_id")
REGISTER_FILE = "register/people.csv"
LINKAGE_FILES = ("linkage/file_a.csv", "linkage/file_b.csv")
REFERENCE_DATE = date(2026, 12, 1)

DUPLICATED_SHARE = 0.20  # people with more than one register record
EXTRA_RECORDS = ((1, 0.70), (2, 0.20), (3, 0.10))  # how many duplicates a duplicated person has
CORRUPTIONS_PER_DUPLICATE = ((1, 0.45), (2, 0.40), (3, 0.15))
HOUSEHOLD_SHARE = 0.12  # people who get a housemate drawn with them
TWIN_SHARE = 0.08  # of housemates: a twin (same birth date)
LINKAGE_SHARES = (("a", 0.30), ("b", 0.30), ("both", 0.40))  # persons in file a only, b only, both

# corruption: weight
CORRUPTIONS: dict[str, float] = {
    "typo_given": 0.16,
    "typo_surname": 0.16,
    "nickname": 0.14,
    "swap_names": 0.05,
    "missing_given": 0.02,
    "missing_surname": 0.015,
    "missing_dob": 0.07,
    "missing_phone": 0.08,
    "missing_street_number": 0.05,
    "missing_address": 0.03,
    "missing_suburb": 0.03,
    "missing_postcode": 0.04,
    "missing_state": 0.03,
    "transposed_dob": 0.07,
    "typo_dob": 0.04,
    "street_type": 0.12,
    "number_in_street": 0.04,
    "address_2": 0.06,
    "typo_suburb": 0.04,
    "typo_postcode": 0.03,
    "state_in_full": 0.03,
    "phone_format": 0.12,
    "typo_phone": 0.03,
    "moved": 0.03,
    "letter_case": 0.05,
}

_KEYBOARD_NEIGHBOURS = {
    "a": "qsz",
    "b": "vgn",
    "c": "xdv",
    "d": "sfe",
    "e": "wrd",
    "f": "dgr",
    "g": "fht",
    "h": "gjy",
    "i": "uok",
    "j": "hku",
    "k": "jli",
    "l": "kop",
    "m": "nj",
    "n": "bmh",
    "o": "ipl",
    "p": "ol",
    "q": "wa",
    "r": "eft",
    "s": "adw",
    "t": "rgy",
    "u": "yij",
    "v": "cbf",
    "w": "qes",
    "x": "zcs",
    "y": "tuh",
    "z": "xa",
}


@dataclass(frozen=True)
class Person:
    person_id: str
    sex: str
    given_name: str
    surname: str
    birth_date: date | None
    street_number: str
    street: str
    street_type: int
    address_2: str
    suburb: str
    phone: str


@dataclass(frozen=True)
class Row:
    """One written record (values as they appear in the file)."""

    given_name: str
    surname: str
    street_number: str
    address_1: str
    address_2: str
    suburb: str
    postcode: str
    state: str
    date_of_birth: str
    phone_number: str


@dataclass(frozen=True)
class GeneratedRegister:
    """File name → rows (each a dict of ``COLUMNS``), and the truth rows."""

    files: dict[str, list[dict[str, str]]]
    truth: list[dict[str, str]]


def generate(records: int = 5000, seed: int = 11) -> GeneratedRegister:
    """The register (about ``records`` rows) and the linkage pair (about ``records`` rows in all)."""
    if records < 10:
        raise ValueError("records must be at least 10")
    rng = random.Random(seed)
    register_rows = _register(rng, records, "r")
    linkage_a, linkage_b = _linkage(rng, records, "l")
    files, truth = {}, []
    for file_name, rows, prefix in (
        (REGISTER_FILE, register_rows, "rec"),
        (LINKAGE_FILES[0], linkage_a, "a"),
        (LINKAGE_FILES[1], linkage_b, "b"),
    ):
        rng.shuffle(rows)
        written = []
        for k, (person_id, row) in enumerate(rows, start=1):
            rec_id = f"{prefix}-{k:06d}"
            written.append({"rec_id": rec_id, **row.__dict__})
            truth.append({"file": file_name, "rec_id": rec_id, "person_id": person_id})
        files[file_name] = written
    return GeneratedRegister(files=files, truth=truth)


def write(out_dir: Path, records: int = 5000, seed: int = 11) -> dict[str, int]:
    """Write the files under ``out_dir``; returns rows written per file."""
    generated = generate(records, seed)
    counts = {}
    for file_name, rows in generated.files.items():
        counts[file_name] = _write_csv(out_dir / file_name, COLUMNS, rows)
    counts["truth.csv"] = _write_csv(out_dir / "truth.csv", TRUTH_COLUMNS, generated.truth)
    return counts


def _write_csv(path: Path, columns: tuple[str, ...], rows: list[dict[str, str]]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


# --- people ------------------------------------------------------------------------------------------


def _people(rng: random.Random, count: int, prefix: str) -> list[Person]:
    """``count`` people; some drawn as housemates of the one before (same surname and address)."""
    people: list[Person] = []
    while len(people) < count:
        person = _new_person(rng, f"{prefix}{len(people) + 1:06d}")
        people.append(person)
        if len(people) < count and rng.random() < HOUSEHOLD_SHARE:
            people.append(_housemate(rng, person, f"{prefix}{len(people) + 1:06d}"))
    return people


def _new_person(rng: random.Random, person_id: str) -> Person:
    sex = rng.choice("mf")
    suburb = _weighted(rng, {name: 1 for name in SUBURBS})
    age_days = rng.randint(18 * 365, 90 * 365)
    return Person(
        person_id=person_id,
        sex=sex,
        given_name=_given_name(rng, sex),
        surname=_weighted(rng, SURNAMES),
        birth_date=REFERENCE_DATE - timedelta(days=age_days),
        street_number=_street_number(rng),
        street=rng.choice(STREET_NAMES),
        street_type=_weighted(rng, {k: weight for k, (_, _, weight) in enumerate(STREET_TYPES)}),
        address_2=_address_2(rng) if rng.random() < 0.15 else "",
        suburb=suburb,
        phone=_phone(rng, SUBURBS[suburb][1]),
    )


def _housemate(rng: random.Random, person: Person, person_id: str) -> Person:
    """A spouse, sibling or child: same address and surname, often the same phone; sometimes a twin."""
    sex = rng.choice("mf")
    twin = rng.random() < TWIN_SHARE
    if twin or person.birth_date is None:
        birth_date = person.birth_date
    else:
        offset = rng.choice((rng.randint(-3000, 3000), rng.randint(8000, 12000)))
        birth_date = min(person.birth_date + timedelta(days=offset), REFERENCE_DATE - timedelta(days=18 * 365))
    given = _given_name(rng, sex)
    while given == person.given_name:
        given = _given_name(rng, sex)
    return replace(
        person,
        person_id=person_id,
        sex=sex,
        given_name=given,
        surname=person.surname if rng.random() < 0.85 else _weighted(rng, SURNAMES),
        birth_date=birth_date,
        phone=person.phone if rng.random() < 0.5 else _phone(rng, SUBURBS[person.suburb][1]),
    )


def _given_name(rng: random.Random, sex: str) -> str:
    names = MALE_GIVEN_NAMES if sex == "m" else FEMALE_GIVEN_NAMES
    return _weighted(rng, {name: weight for name, (weight, _) in names.items()})


def _street_number(rng: random.Random) -> str:
    number = str(rng.randint(1, rng.choice((12, 40, 120, 400))))
    return number + ("a" if rng.random() < 0.03 else "")


def _address_2(rng: random.Random) -> str:
    if rng.random() < 0.3:
        return rng.choice(BUILDING_NAMES)
    return f"{rng.choice(ADDRESS_2_KINDS)} {rng.randint(1, 40)}"


def _phone(rng: random.Random, state: str) -> str:
    """Mobile ``04xx xxx xxx`` (70 %) or landline ``(0a) xxxx xxxx``; empty for 8 % of people."""
    if rng.random() < 0.08:
        return ""
    if rng.random() < 0.7:
        digits = "04" + "".join(rng.choice("0123456789") for _ in range(8))
        return f"{digits[:4]} {digits[4:7]} {digits[7:]}"
    digits = "".join(rng.choice("0123456789") for _ in range(8))
    return f"({AREA_CODES[state]}) {rng.choice('3456789')}{digits[1:4]} {digits[4:]}"


# --- records -----------------------------------------------------------------------------------------


def _register(rng: random.Random, records: int, prefix: str) -> list[tuple[str, Row]]:
    """About ``records`` rows: everyone's own record, plus duplicates for ~20 % of people."""
    mean_records = 1 + DUPLICATED_SHARE * sum(extra * share for extra, share in EXTRA_RECORDS)
    people = _people(rng, max(round(records / mean_records), 1), prefix)
    rows = []
    for person in people:
        rows.append((person.person_id, _original(rng, person)))
        if rng.random() < DUPLICATED_SHARE:
            for _ in range(_weighted(rng, dict(EXTRA_RECORDS))):
                rows.append((person.person_id, _duplicate(rng, person)))
    return rows


def _linkage(rng: random.Random, records: int, prefix: str) -> tuple[list[tuple[str, Row]], list[tuple[str, Row]]]:
    shares = dict(LINKAGE_SHARES)
    mean_records = shares["a"] + shares["b"] + 2 * shares["both"]
    file_a, file_b = [], []
    for person in _people(rng, max(round(records / mean_records), 1), prefix):
        where = _weighted(rng, shares)
        if where in ("a", "both"):
            file_a.append((person.person_id, _original(rng, person)))
        if where == "b":
            file_b.append((person.person_id, _original(rng, person)))
        if where == "both":
            file_b.append((person.person_id, _duplicate(rng, person)))
    return file_a, file_b


def _original(rng: random.Random, person: Person) -> Row:
    """A person's record as written the first time: mostly complete, title case."""
    postcode, state = SUBURBS[person.suburb]
    full_type, short_type, _ = STREET_TYPES[person.street_type]
    row = Row(
        given_name=person.given_name,
        surname=person.surname,
        street_number=person.street_number,
        address_1=f"{person.street} {full_type if rng.random() < 0.7 else short_type}",
        address_2=person.address_2,
        suburb=person.suburb,
        postcode=postcode,
        state=state,
        date_of_birth=person.birth_date.strftime("%Y%m%d") if person.birth_date and rng.random() > 0.03 else "",
        phone_number=person.phone,
    )
    return _cased(row, "title")


def _duplicate(rng: random.Random, person: Person) -> Row:
    row = _uncased(_original(rng, person))
    kinds = list(CORRUPTIONS)
    chosen: list[str] = []
    for _ in range(_weighted(rng, dict(CORRUPTIONS_PER_DUPLICATE))):
        weights = {kind: CORRUPTIONS[kind] for kind in kinds if kind not in chosen}
        chosen.append(_weighted(rng, weights))
    case = "title"
    for kind in chosen:
        if kind == "letter_case":
            case = rng.choice(("upper", "lower"))
        else:
            row = _corrupt(rng, row, person, kind)
    return _cased(row, case)


def _corrupt(rng: random.Random, row: Row, person: Person, kind: str) -> Row:
    if kind == "typo_given":
        return replace(row, given_name=_typo(rng, row.given_name))
    if kind == "typo_surname":
        return replace(row, surname=_typo(rng, row.surname))
    if kind == "nickname":
        names = MALE_GIVEN_NAMES if person.sex == "m" else FEMALE_GIVEN_NAMES
        nicknames = names[person.given_name][1]
        # The nickname goes where the given name is (the surname column once the two were swapped).
        column = "surname" if row.surname == person.given_name and row.given_name != person.given_name else "given_name"
        current = getattr(row, column)
        return replace(row, **{column: rng.choice(nicknames) if nicknames else _typo(rng, current)})
    if kind == "swap_names":
        return replace(row, given_name=row.surname, surname=row.given_name)
    if kind.startswith("missing_"):
        column = {
            "missing_given": "given_name",
            "missing_surname": "surname",
            "missing_dob": "date_of_birth",
            "missing_phone": "phone_number",
            "missing_street_number": "street_number",
            "missing_address": "address_1",
            "missing_suburb": "suburb",
            "missing_postcode": "postcode",
            "missing_state": "state",
        }[kind]
        return replace(row, **{column: ""})
    if kind == "transposed_dob":
        return replace(row, date_of_birth=_transposed_date(rng, row.date_of_birth))
    if kind == "typo_dob":
        return replace(row, date_of_birth=_date_typo(rng, row.date_of_birth))
    if kind == "street_type":
        full_type, short_type, _ = STREET_TYPES[person.street_type]
        words = row.address_1.rsplit(" ", 1)
        if len(words) == 2 and words[1] in (full_type, short_type):
            other = short_type if words[1] == full_type else full_type
            return replace(row, address_1=f"{words[0]} {other}")
        return row
    if kind == "number_in_street":
        if row.street_number and row.address_1:
            return replace(row, address_1=f"{row.street_number} {row.address_1}", street_number="")
        return row
    if kind == "address_2":
        return replace(row, address_2="" if row.address_2 else _address_2(rng))
    if kind == "typo_suburb":
        return replace(row, suburb=_typo(rng, row.suburb))
    if kind == "typo_postcode":
        return replace(row, postcode=_digit_typo(rng, row.postcode))
    if kind == "state_in_full":
        return replace(row, state=STATE_NAMES.get(row.state, row.state))
    if kind == "phone_format":
        digits = "".join(ch for ch in row.phone_number if ch.isdigit())
        return replace(row, phone_number=digits if " " in row.phone_number else row.phone_number)
    if kind == "typo_phone":
        return replace(row, phone_number=_digit_typo(rng, row.phone_number))
    if kind == "moved":
        moved = _new_person(rng, person.person_id)
        full_type, _, _ = STREET_TYPES[moved.street_type]
        postcode, state = SUBURBS[moved.suburb]
        return replace(
            row,
            street_number=moved.street_number,
            address_1=f"{moved.street} {full_type}",
            address_2=moved.address_2,
            suburb=moved.suburb,
            postcode=postcode,
            state=state,
        )
    raise ValueError(f"unknown corruption {kind!r}")


def _typo(rng: random.Random, text: str) -> str:
    """One edit: a neighbouring key typed instead, a letter dropped or doubled, two letters swapped."""
    letters = [k for k, ch in enumerate(text) if ch.isalpha()]
    if len(letters) < 3:
        return text
    k = rng.choice(letters[1:])  # the first letter is rarely mistyped
    edit = rng.choice(("substitute", "delete", "insert", "transpose"))
    if edit == "substitute":
        return text[:k] + rng.choice(_KEYBOARD_NEIGHBOURS.get(text[k].lower(), "e")) + text[k + 1 :]
    if edit == "delete":
        return text[:k] + text[k + 1 :]
    if edit == "insert":
        return text[:k] + text[k] + text[k:]
    if k + 1 < len(text) and text[k + 1].isalpha() and text[k + 1] != text[k]:
        return text[:k] + text[k + 1] + text[k] + text[k + 2 :]
    return text[:k] + text[k + 1 :]


def _digit_typo(rng: random.Random, text: str) -> str:
    digits = [k for k, ch in enumerate(text) if ch.isdigit()]
    if not digits:
        return text
    k = rng.choice(digits[1:] or digits)
    return text[:k] + rng.choice([d for d in "0123456789" if d != text[k]]) + text[k + 1 :]


def _transposed_date(rng: random.Random, text: str) -> str:
    """Day and month swapped when that is a date (``19850312`` → ``19851203``), else two adjacent digits of the
    day or year swapped, as long as the result is a date."""
    if not text:
        return text
    year, month, day = text[:4], text[4:6], text[6:]
    if day != month and _is_date(year + day + month):
        return year + day + month
    for k in rng.sample((2, 6), 2):
        swapped = text[:k] + text[k + 1] + text[k] + text[k + 2 :]
        if swapped != text and _is_date(swapped):
            return swapped
    return text


def _date_typo(rng: random.Random, text: str) -> str:
    if not text:
        return text
    for _ in range(10):
        typo = _digit_typo(rng, text)
        if _is_date(typo) and typo[:2] in ("19", "20"):
            return typo
    return text


def _is_date(text: str) -> bool:
    try:
        value = date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return False
    return value <= REFERENCE_DATE


def _cased(row: Row, case: str) -> Row:
    """Title case (a state abbreviation in capitals, ``NSW``), or everything in capitals or lower case."""
    convert = {"title": str.title, "upper": str.upper, "lower": str.lower}[case]
    cased = Row(**{key: convert(value) for key, value in row.__dict__.items()})
    if case == "title" and row.state.lower() in STATE_NAMES:
        cased = replace(cased, state=row.state.upper())
    return cased


def _uncased(row: Row) -> Row:
    return Row(**{key: value.lower() for key, value in row.__dict__.items()})


def _weighted(rng: random.Random, weights: dict):
    """One key of ``weights`` drawn in proportion to its weight (keys in insertion order: deterministic)."""
    keys = list(weights)
    return rng.choices(keys, weights=[weights[key] for key in keys], k=1)[0]
