"""Resolve free-text kelurahan/kecamatan names to Kemendagri codes."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from matching.normalize._text import TEXT, as_text, map_unique, squeeze_spaces

# Kecamatan 07–11 were split off in 2008 (Perda Kota Depok 8/2007): new kecamatan → the one it came from.
# A kelurahan of a new kecamatan recorded under the old one is a known, valid pre-2008 combination.
DEPOK_2008_SPLIT: Mapping[str, str] = {
    "32.76.07": "32.76.01",  # Cipayung ← Pancoran Mas
    "32.76.08": "32.76.05",  # Cilodong ← Sukmajaya
    "32.76.09": "32.76.04",  # Cinere ← Limo
    "32.76.10": "32.76.02",  # Tapos ← Cimanggis
    "32.76.11": "32.76.03",  # Bojongsari ← Sawangan
}
# Fuzzy matches: similarity = 100 × (1 − OSA edit distance / longer length), where OSA counts a transposition
# as one edit. Accepted at ≥ FUZZY_CUTOFF, or at one edit for names of MIN_LENGTH_ONE_EDIT letters or more
# (short names score low for a single typo: CUURG/CURUG is 80).
FUZZY_CUTOFF = 85.0
MIN_LENGTH_ONE_EDIT = 4
# Score deducted when the kelurahan is clear but the stated kecamatan contradicts it.
KECAMATAN_CONFLICT_PENALTY = 20.0
EXACT_SCORE = 100.0

RESOLVED_COLUMNS = ["kelurahan_code", "kecamatan_code", "region_match_score"]

# "KOTA" is not a prefix: a kelurahan cell holding only "KOTA DEPOK" names the city, not kelurahan Depok.
_ADMINISTRATIVE_PREFIX = "^(?:(?:KELURAHAN|KEL|DESA|DS|KECAMATAN|KEC) )+"
# A kecamatan or city written after the kelurahan name ("DEPOK JAYA KEC PANCORAN MAS", "… KOTA DEPOK").
_ADMINISTRATIVE_TAIL = " (?:KECAMATAN|KEC|KOTA|KOTAMADYA|KAB|KABUPATEN) .*$"
_ABBREVIATIONS = {
    "PD": "PONDOK",
    "PS": "PASIR",
    "PSR": "PASAR",
    "GN": "GUNUNG",
    "SEL": "SELATAN",
    "SLT": "SELATAN",
    "TIM": "TIMUR",
    "TMR": "TIMUR",
    "BR": "BARU",
    "BRU": "BARU",
    "JY": "JAYA",
    "KP": "KAMPUNG",
}
# How close the rest of a fuzzy query must be to a distinguishing suffix ("BRU" ~ "BARU") to count as it.
SUFFIX_SIMILARITY = 60.0


def region_key(values: pd.Series) -> pd.Series:
    """Comparable form of a region name: letters only, administrative words dropped, no spaces."""
    return map_unique(as_text(values), _region_key_unique)


def _region_key_unique(names: pd.Series) -> pd.Series:
    upper = names.str.upper().str.replace("[^A-Z]", " ", regex=True)
    words = squeeze_spaces(upper).str.replace(_ADMINISTRATIVE_PREFIX, "", regex=True)
    words = words.str.replace(_ADMINISTRATIVE_TAIL, "", regex=True)
    for short, full in _ABBREVIATIONS.items():
        words = words.str.replace(f"\\b{short}\\b", full, regex=True)
    key = words.str.replace(" ", "", regex=False)
    return key.mask(key == "")


class RegionResolver:
    """Resolve kelurahan (and kecamatan) names against a reference table of one city.

    ``reference`` has the columns of ``data_contracts/reference/wilayah_depok.csv``: ``kode_wilayah``
    (kelurahan code), ``kode_kecamatan``, ``kecamatan`` and ``kelurahan``. ``former_kecamatan`` maps a
    kecamatan code to the kecamatan it was split from.
    """

    def __init__(
        self,
        reference: pd.DataFrame,
        *,
        former_kecamatan: Mapping[str, str] = DEPOK_2008_SPLIT,
        fuzzy_cutoff: float = FUZZY_CUTOFF,
    ) -> None:
        self._kelurahan = pd.DataFrame(
            {
                "code": reference["kode_wilayah"].astype(TEXT).to_numpy(),
                "kecamatan_code": reference["kode_kecamatan"].astype(TEXT).to_numpy(),
                "key": region_key(reference["kelurahan"]).to_numpy(),
            }
        )
        kecamatan = reference[["kode_kecamatan", "kecamatan"]].drop_duplicates("kode_kecamatan")
        self._kecamatan_codes = kecamatan["kode_kecamatan"].astype(TEXT).to_numpy()
        self._kecamatan_keys = region_key(kecamatan["kecamatan"]).to_numpy()
        self._accepted_kecamatan = _accepted_kecamatan(self._kecamatan_codes, former_kecamatan)
        self._distinguishing_suffixes = _distinguishing_suffixes(self._kelurahan["key"].tolist())
        self._cutoff = fuzzy_cutoff

    def resolve(self, kelurahan: pd.Series, kecamatan: pd.Series | None = None) -> pd.DataFrame:
        """``kelurahan_code``, ``kecamatan_code`` and ``region_match_score`` (0–100) per row.

        Exact match on the normalised name first, then fuzzy (OSA similarity, see FUZZY_CUTOFF). A name shared
        by several kelurahan (Curug) is settled by the kecamatan, including its pre-2008 name; without one
        that settles it the kelurahan is NA and the kecamatan comes from the kecamatan column. When the
        kelurahan is clear but the stated kecamatan contradicts it, the kelurahan wins with a lower score.
        The score is the kelurahan's when one is resolved, else the kecamatan's, else NaN.
        """
        kelurahan_keys = region_key(kelurahan)
        if kecamatan is None:
            stated = pd.DataFrame(
                {"code": pd.Series(pd.NA, index=kelurahan.index, dtype=TEXT), "score": np.nan}, index=kelurahan.index
            )
        else:
            stated = map_unique(region_key(kecamatan.set_axis(kelurahan.index)), self._resolve_kecamatan_keys)
        kelurahan_codes, kelurahan_uniques = pd.factorize(kelurahan_keys)
        kecamatan_codes, kecamatan_uniques = pd.factorize(stated["code"])
        pair_codes, pair_of_row = np.unique(
            (kelurahan_codes + 1) * (len(kecamatan_uniques) + 1) + (kecamatan_codes + 1), return_inverse=True
        )
        kelurahan_of_pair = pair_codes // (len(kecamatan_uniques) + 1) - 1
        kecamatan_of_pair = pair_codes % (len(kecamatan_uniques) + 1) - 1
        pair_keys = [None if code < 0 else kelurahan_uniques[code] for code in kelurahan_of_pair]
        candidates = self._kelurahan_candidates(pd.Series(pair_keys, dtype=TEXT))
        chosen = [
            self._choose(found, None if code < 0 else kecamatan_uniques[code])
            for found, code in zip(candidates, kecamatan_of_pair, strict=True)
        ]
        chosen_index = np.array([np.nan if pd.isna(index) else index for index, _ in chosen], dtype=float)
        chosen_score = np.array([score for _, score in chosen], dtype=float)
        return self._assemble(chosen_index[pair_of_row], chosen_score[pair_of_row], stated)

    # ------------------------------------------------------------ internals

    def _resolve_kecamatan_keys(self, keys: pd.Series) -> pd.DataFrame:
        candidates = self._fuzzy_matches(keys.tolist(), list(self._kecamatan_keys))
        best = [max(found, key=lambda match: match[1]) if found else (0, np.nan) for found in candidates]
        codes = pd.Series([self._kecamatan_codes[index] for index, _ in best], dtype=TEXT)
        scores = np.array([score for _, score in best], dtype=float)
        return pd.DataFrame({"code": codes.where(~np.isnan(scores)), "score": scores})

    def _kelurahan_candidates(self, keys: pd.Series) -> list[list[tuple[int, float]]]:
        """Per distinct name: exact matches with score 100, else fuzzy matches above the cutoff."""
        reference_keys = self._kelurahan["key"].tolist()
        exact: dict[str, list[tuple[int, float]]] = {key: [] for key in reference_keys}
        for index, key in enumerate(reference_keys):
            exact[key].append((index, EXACT_SCORE))
        unmatched = sorted({key for key in keys.dropna() if key not in exact})
        fuzzy = dict(zip(unmatched, self._fuzzy_candidates(unmatched, reference_keys), strict=True))
        return [[] if pd.isna(key) else exact.get(key) or fuzzy[key] for key in keys]

    def _fuzzy_candidates(self, queries: list[str], reference_keys: list[str]) -> list[list[tuple[int, float]]]:
        matches = self._fuzzy_matches(queries, reference_keys)
        return [
            [(index, score) for index, score in found if self._suffix_consistent(query, reference_keys[index])]
            for query, found in zip(queries, matches, strict=True)
        ]

    def _fuzzy_matches(self, queries: list[str], reference_keys: list[str]) -> list[list[tuple[int, float]]]:
        """Per query, (reference index, similarity 0–100) of every acceptable fuzzy match."""
        if not queries:
            return []
        distance = process.cdist(queries, reference_keys, scorer=OSA.distance, workers=1)
        query_length = np.array([len(query) for query in queries])[:, None]
        reference_length = np.array([len(key) for key in reference_keys])[None, :]
        similarity = np.round(100.0 * (1.0 - distance / np.maximum(query_length, reference_length)), 1)
        one_edit = (distance <= 1) & (np.minimum(query_length, reference_length) >= MIN_LENGTH_ONE_EDIT)
        accepted = (similarity >= self._cutoff) | one_edit
        return [
            [(int(index), float(similarity[row, index])) for index in np.flatnonzero(accepted[row])]
            for row in range(len(queries))
        ]

    def _suffix_consistent(self, query: str, reference_key: str) -> bool:
        """ "X" never fuzzily becomes "X BARU" (or "X PASAR", "X JAYA"…) and vice versa.

        What follows the base name in the query must look like the suffix for "X BARU", and must not for "X".
        """
        for base, suffix in self._distinguishing_suffixes:
            has_suffix = fuzz.ratio(query[len(base) :], suffix) >= SUFFIX_SIMILARITY
            if reference_key == base + suffix and not has_suffix:
                return False
            if reference_key == base and has_suffix:
                return False
        return True

    def _choose(self, candidates: list[tuple[int, float]], stated_kecamatan: object) -> tuple[int | float, float]:
        """Index and score of the kelurahan chosen among candidates (NaN when none or ambiguous)."""
        if not candidates:
            return np.nan, np.nan
        penalty = 0.0
        if not pd.isna(stated_kecamatan):
            accepted = self._accepted_kecamatan[str(stated_kecamatan)]
            consistent = [c for c in candidates if self._kelurahan.at[c[0], "kecamatan_code"] in accepted]
            if consistent:
                candidates = consistent
            else:
                penalty = KECAMATAN_CONFLICT_PENALTY
        best = max(score for _, score in candidates)
        top = [index for index, score in candidates if score == best]
        if len(top) > 1:
            return np.nan, np.nan
        return top[0], best - penalty

    def _assemble(self, kelurahan_index: np.ndarray, score: np.ndarray, stated: pd.DataFrame) -> pd.DataFrame:
        found = ~np.isnan(kelurahan_index)
        positions = np.where(found, kelurahan_index, 0).astype(int)
        index = stated.index
        kelurahan_code = pd.Series(self._kelurahan["code"].to_numpy()[positions], index=index, dtype=TEXT)
        kecamatan_of_kelurahan = pd.Series(
            self._kelurahan["kecamatan_code"].to_numpy()[positions], index=index, dtype=TEXT
        )
        return pd.DataFrame(
            {
                "kelurahan_code": kelurahan_code.where(found),
                "kecamatan_code": kecamatan_of_kelurahan.where(found, stated["code"]).astype(TEXT),
                "region_match_score": np.where(found, score, stated["score"].to_numpy(dtype=float)),
            },
            index=index,
        )


def _accepted_kecamatan(codes: np.ndarray, former_kecamatan: Mapping[str, str]) -> dict[str, frozenset[str]]:
    """Stated kecamatan → current kecamatan its kelurahan may belong to (itself and those split from it)."""
    return {code: frozenset({code} | {new for new, old in former_kecamatan.items() if old == code}) for code in codes}


def _distinguishing_suffixes(keys: list[str]) -> list[tuple[str, str]]:
    """(base, suffix) for every reference name that is another name plus a suffix (SAWANGAN + BARU)."""
    return [
        (base, longer[len(base) :]) for base in keys for longer in keys if longer != base and longer.startswith(base)
    ]
