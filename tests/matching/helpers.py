"""Hand-built person records for the engine's tests."""

from __future__ import annotations

import pandas as pd

from data_contracts.schema import conform_to_person_schema


def person_records(rows: list[dict]) -> pd.DataFrame:
    """Person-schema frame from partial rows; ``record_id`` defaults to ``test:<n>``, dates may be strings.

    A NIK given without ``nik_valid`` is valid, with the birth date and sex it encodes (day > 40 ⇒ P; years
    up to 26 are 20YY).
    """
    filled = []
    for n, row in enumerate(rows):
        row = dict(row)
        row.setdefault("source", "test")
        row.setdefault("record_id", f"{row['source']}:{n}")
        row.setdefault("source_file", "test.csv")
        row.setdefault("source_row", n + 2)
        nik = row.get("nik")
        if nik is not None:
            day = int(nik[6:8])
            row.setdefault("nik_valid", True)
            row.setdefault("nik_sex", "P" if day > 40 else "L")
            two_digit_year = int(nik[10:12])
            year = 2000 + two_digit_year if two_digit_year <= 26 else 1900 + two_digit_year
            row.setdefault(
                "nik_birth_date", pd.Timestamp(year=year, month=int(nik[8:10]), day=day - 40 if day > 40 else day)
            )
        filled.append(row)
    frame = pd.DataFrame(filled)
    for column in ("birth_date", "nik_birth_date"):
        if column in frame:
            frame[column] = pd.to_datetime(frame[column])
    return conform_to_person_schema(frame)
