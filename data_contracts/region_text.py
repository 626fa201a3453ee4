"""Region names in free text, read with the Kemendagri reference (``data_contracts/reference/wilayah_depok.csv``).

- :func:`named_level`: a value that names a kelurahan *or* a kecamatan (a ``domisili`` column) is read at the
  level it names. ``Kec. Beji`` and a bare kecamatan name give the kecamatan, never a same-named kelurahan; a
  bare name that is both (``Beji``, ``Sawangan``) is taken as the kecamatan and noted as ambiguous.
- :func:`find_in_text`: the kelurahan and kecamatan named inside an address (``... KEL. MAMPANG KEC. PANCORAN
  MAS``, ``..., Depok Jaya, Pancoran Mas``). Marked names (``KEL``/``KELURAHAN``/``DESA``, ``KEC``/``KECAMATAN``)
  win; otherwise the last names written (an address runs street → kelurahan → kecamatan → city). A name right
  after a street word (``JL. RAYA SAWANGAN``) is a street, not an area; ``KOTA DEPOK`` names the city.
- :func:`area_codes`: a list's area (file name or constant) as a Kemendagri code: a code of the reference as is,
  else a name read at the level it names.

Both return names, which :class:`matching.normalize.RegionResolver` then turns into codes (fuzzy matching,
same-named kelurahan settled by the kecamatan).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from matching.normalize import RegionResolver

_KELURAHAN_MARK = r"(?:KELURAHAN|KEL|DESA|DS)"
_KECAMATAN_MARK = r"(?:KECAMATAN|KEC)"
_STREET_WORDS = r"(?:JL|JLN|JALAN|GG|GANG|RAYA|PERUM|PERUMAHAN|KOMP|KOMPLEK|KOMPLEKS|TAMAN|PASAR|STASIUN|TERMINAL)"
_CODE = re.compile(r"^\d{2}\.\d{2}\.\d{2}(?:\.\d{4})?$")


def _plain(values: pd.Series) -> pd.Series:
    """Upper-case words of letters and digits separated by single spaces."""
    return values.astype("str").str.upper().str.replace(r"[^A-Z0-9]+", " ", regex=True).str.strip()


@lru_cache(maxsize=1)
def _reference() -> tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str]]:
    """Kelurahan names, kecamatan names (plain upper case), kelurahan codes and kecamatan codes."""
    from data_contracts.regions import load_region_reference

    reference = load_region_reference()
    return (
        frozenset(_plain(reference["kelurahan"])),
        frozenset(_plain(reference["kecamatan"])),
        frozenset(reference["kode_wilayah"].astype("str")),
        frozenset(reference["kode_kecamatan"].astype("str")),
    )


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    kelurahan, kecamatan, _, _ = _reference()

    def by_length(names: frozenset[str]) -> str:
        return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))

    any_name = by_length(kelurahan | kecamatan)
    return (
        re.compile(rf"(?:^| ){_KELURAHAN_MARK} ({by_length(kelurahan)})(?= |$)"),
        re.compile(rf"(?:^| ){_KECAMATAN_MARK} ({by_length(kecamatan)})(?= |$)"),
        re.compile(rf"(?:^| )({any_name})(?= |$)"),
        re.compile(rf"(?:^| )(?:{_STREET_WORDS}|KOTA|KOTAMADYA|KAB|KABUPATEN|{_KELURAHAN_MARK}|{_KECAMATAN_MARK})$"),
    )


def named_level(values: pd.Series) -> pd.DataFrame:
    """``kelurahan``, ``kecamatan`` (names to resolve, NA where the value names the other level) and
    ``ambiguous`` (a bare name that is both a kecamatan and a kelurahan, taken as the kecamatan)."""
    _, kecamatan_names, _, _ = _reference()
    plain = _plain(values)
    marked_kecamatan = plain.str.match(rf"^{_KECAMATAN_MARK} ").fillna(False).astype(bool)
    marked_kelurahan = plain.str.match(rf"^{_KELURAHAN_MARK} ").fillna(False).astype(bool)
    bare_kecamatan = plain.isin(kecamatan_names) & ~marked_kelurahan
    is_kecamatan = marked_kecamatan | bare_kecamatan
    kelurahan_names, _, _, _ = _reference()
    return pd.DataFrame(
        {
            "kelurahan": values.astype("str").where(~is_kecamatan),
            "kecamatan": values.astype("str").where(is_kecamatan),
            "ambiguous": bare_kecamatan & ~marked_kecamatan & plain.isin(kelurahan_names),
        },
        index=values.index,
    )


def find_in_text(texts: pd.Series) -> pd.DataFrame:
    """``kelurahan`` and ``kecamatan`` names found in each text (NA where none), computed on distinct texts."""
    plain = _plain(texts)
    distinct = plain.dropna().unique()
    found = {text: _find_one(text) for text in distinct}
    return pd.DataFrame(
        {
            "kelurahan": plain.map(lambda t: found[t][0], na_action="ignore").astype("str"),
            "kecamatan": plain.map(lambda t: found[t][1], na_action="ignore").astype("str"),
        },
        index=texts.index,
    )


def _find_one(text: str) -> tuple[str | None, str | None]:
    kelurahan_names, kecamatan_names, _, _ = _reference()
    marked_kelurahan, marked_kecamatan, any_name, after_word = _patterns()
    kelurahan = next((m.group(1) for m in marked_kelurahan.finditer(text)), None)
    kecamatan = next((m.group(1) for m in marked_kecamatan.finditer(text)), None)
    if kelurahan and kecamatan:
        return kelurahan, kecamatan
    found = [m for m in any_name.finditer(text) if not after_word.search(text[: m.start(1)].rstrip())]
    bare = [m.group(1) for m in found if m.group(1) not in (kelurahan, kecamatan)]
    if len(bare) > 1 and bare[-1] == _city():  # "..., Beji, Depok": the city, not kelurahan Depok
        bare.pop()
    if kecamatan is None and bare and bare[-1] in kecamatan_names:  # a bare name both levels bear: kecamatan
        kecamatan = bare.pop()
    if kelurahan is None and bare and bare[-1] in kelurahan_names:
        kelurahan = bare[-1]
    return kelurahan, kecamatan


@lru_cache(maxsize=1)
def _city() -> str:
    from data_contracts.regions import load_region_reference

    return _plain(load_region_reference()["kota"]).str.replace(r"^KOTA ", "", regex=True).iloc[0]


def area_codes(values: pd.Series, regions: RegionResolver) -> pd.DataFrame:
    """``area_code`` (a reference kelurahan or kecamatan code, NA when the value names no Depok area) and
    ``ambiguous`` per value; ``regions`` is the :class:`matching.normalize.RegionResolver`."""
    _, _, kelurahan_codes, kecamatan_codes = _reference()
    text = values.astype("str").str.strip()
    is_code = text.str.fullmatch(_CODE.pattern).fillna(False).astype(bool)
    known_code = text.where(is_code & (text.isin(kelurahan_codes) | text.isin(kecamatan_codes)))
    names = text.where(~is_code)
    level = named_level(names)
    resolved = regions.resolve(level["kelurahan"], level["kecamatan"])
    by_name = resolved["kelurahan_code"].where(level["kelurahan"].notna(), resolved["kecamatan_code"])
    by_name = by_name.where(level["kelurahan"].notna() | level["kecamatan"].notna())
    return pd.DataFrame(
        {"area_code": known_code.fillna(by_name).astype("str"), "ambiguous": level["ambiguous"]}, index=values.index
    )
