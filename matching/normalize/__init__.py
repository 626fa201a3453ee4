"""Pure, vectorised field normalisers shared by the ingestion standardiser and the matching engine.

Every function takes and returns pandas objects with the input's index, keeps NA as NA and never raises on
bad values: a value that cannot be read becomes NA (with an issue code where the schema has one). Rules
and examples: ``docs/normalisation.md``.
"""

from matching.normalize.address import clean_address, normalize_rt, parse_rt_rw
from matching.normalize.dates import parse_date, parse_month
from matching.normalize.names import (
    clean_name,
    first_token,
    last_token,
    name_match_key,
    name_skeleton,
    name_sorted_key,
    split_patronymic,
)
from matching.normalize.nik import NIK_COLUMNS, PROVINCE_CODES, parse_nik
from matching.normalize.phone import normalize_phone
from matching.normalize.region import DEPOK_2008_SPLIT, RESOLVED_COLUMNS, RegionResolver, region_key
from matching.normalize.sex import normalize_sex

__all__ = [
    "DEPOK_2008_SPLIT",
    "NIK_COLUMNS",
    "PROVINCE_CODES",
    "RESOLVED_COLUMNS",
    "RegionResolver",
    "clean_address",
    "clean_name",
    "first_token",
    "last_token",
    "name_match_key",
    "name_skeleton",
    "name_sorted_key",
    "normalize_phone",
    "normalize_rt",
    "normalize_sex",
    "parse_date",
    "parse_month",
    "parse_nik",
    "parse_rt_rw",
    "region_key",
    "split_patronymic",
]
