"""Person-schema frames from the English-language register generator (a test-side mapping, standing in for
the register's data contracts: given name + surname → ``name``, ``date_of_birth`` ``yyyymmdd``,
``street_number`` → ``house_number``, ``address_1`` → ``street``, ``suburb`` → ``locality``, ``postcode``,
``state`` → ``province``, ``phone_number`` → ``phone`` as digits)."""

from __future__ import annotations

import pandas as pd

from data_contracts.schema import conform_to_person_schema
from sample_data.english_register import LINKAGE_FILES, REGISTER_FILE, generate

SOURCES = {REGISTER_FILE: "register", LINKAGE_FILES[0]: "file_a", LINKAGE_FILES[1]: "file_b"}


def person_frames(records: int, seed: int) -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
    """``{"register": (records, truth), "linkage": (records, truth)}``; truth has ``record_id``, ``person_id``."""
    generated = generate(records, seed)
    truth = pd.DataFrame(generated.truth)
    truth["source"] = truth["file"].map(SOURCES)
    truth["record_id"] = truth["source"] + ":" + truth["rec_id"]
    frames = {name: _person_records(pd.DataFrame(rows), SOURCES[name]) for name, rows in generated.files.items()}
    register = frames[REGISTER_FILE]
    linkage = pd.concat([frames[LINKAGE_FILES[0]], frames[LINKAGE_FILES[1]]], ignore_index=True)
    return {
        "register": (
            register,
            truth[truth["record_id"].isin(register["record_id"])][["source", "record_id", "person_id"]],
        ),
        "linkage": (
            linkage,
            truth[truth["record_id"].isin(linkage["record_id"])][["source", "record_id", "person_id"]],
        ),
    }


def _person_records(raw: pd.DataFrame, source: str) -> pd.DataFrame:
    text = raw.astype("str").replace("", pd.NA)
    name = (text["given_name"].fillna("") + " " + text["surname"].fillna("")).str.strip().replace("", pd.NA)
    phone = text["phone_number"].str.replace(r"\D", "", regex=True).replace("", pd.NA)
    frame = pd.DataFrame(
        {
            "source": source,
            "record_id": source + ":" + text["rec_id"],
            "source_file": source + ".csv",
            "source_row": range(2, len(raw) + 2),
            "name": name.str.upper(),
            "birth_date": pd.to_datetime(text["date_of_birth"], format="%Y%m%d", errors="coerce"),
            "phone": phone,
            "street": text["address_1"].str.upper(),
            "house_number": text["street_number"].str.upper(),
            "locality": text["suburb"].str.upper(),
            "postcode": text["postcode"],
            "province": text["state"].str.upper(),
        }
    )
    return conform_to_person_schema(frame)
