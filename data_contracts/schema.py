"""The common person schema: one row per source record, whatever the source.

This is the single definition in code of the table documented in ``docs/architecture.md``. Standardised
records (``standard_<source>``) and ``person_records`` have exactly these columns, in this order.
"""

from __future__ import annotations

import pandas as pd

STRING = "str"
DATE = "datetime64[ns]"

PERSON_SCHEMA: dict[str, str] = {
    "source": STRING,
    "record_id": STRING,
    "source_file": STRING,
    "source_row": "int64",
    "nik": STRING,
    "nik_valid": "bool",
    "nik_issue": STRING,
    "nik_birth_date": DATE,
    "nik_sex": STRING,
    "nik_region": STRING,
    "kk": STRING,
    "name": STRING,
    "alias": STRING,
    "birth_date": DATE,
    "birth_place": STRING,
    "sex": STRING,
    "phone": STRING,
    "address": STRING,
    "rt": STRING,
    "rw": STRING,
    "kelurahan_code": STRING,
    "kecamatan_code": STRING,
    "region_match_score": "float64",
    "occupation": STRING,
    "sector": STRING,
    "jkn_segment": STRING,
    "jkn_status": STRING,
    "jkn_card_no": STRING,
    "jkn_relation": STRING,
    "tk_kpj": STRING,
    "tk_segment": STRING,
    "tk_status": STRING,
    "tk_programs": STRING,
    "tk_last_paid_month": DATE,
    "registration_type": STRING,
    "business_name": STRING,
    "registered_date": DATE,
    "street": STRING,
    "house_number": STRING,
    "locality": STRING,
    "postcode": STRING,
    "province": STRING,
    "other_id": STRING,
    "area_code": STRING,
}

PERSONAL_DATA_COLUMNS: frozenset[str] = frozenset(
    {
        "nik",
        "kk",
        "name",
        "alias",
        "birth_date",
        "birth_place",
        "phone",
        "address",
        "jkn_card_no",
        "tk_kpj",
        "nik_birth_date",
        "street",
        "house_number",
        "other_id",
    }
)


def empty_person_frame() -> pd.DataFrame:
    """An empty frame with the person schema's columns and dtypes."""
    return conform_to_person_schema(pd.DataFrame(index=pd.RangeIndex(0)))


def conform_to_person_schema(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with exactly the schema's columns, in order and with the schema's dtypes.

    Missing columns are added empty; extra columns raise, because silently dropping data hides bugs.
    """
    extra = sorted(set(frame.columns) - set(PERSON_SCHEMA))
    if extra:
        raise ValueError(f"columns not in the person schema: {extra}")
    out = pd.DataFrame(index=frame.index)
    for column, dtype in PERSON_SCHEMA.items():
        if column in frame.columns:
            values = frame[column]
        elif dtype == "bool":
            values = pd.Series(False, index=frame.index)
        elif dtype == "float64":
            values = pd.Series(float("nan"), index=frame.index)
        elif dtype == "int64" and len(frame):
            raise ValueError(f"required column {column!r} is missing")
        elif dtype == "int64":
            values = pd.Series([], index=frame.index, dtype="int64")
        else:
            values = pd.Series(pd.NA, index=frame.index, dtype=dtype if dtype != DATE else "object")
        out[column] = values.astype(dtype) if dtype != DATE else pd.to_datetime(values).astype(DATE)
    return out
