"""Satu Pekerja matching engine: find the same person within and across agency sources.

Pure pandas/numpy: person records in, DataFrames out. See ``docs/matching.md``.
"""

from matching.blocking import BlockingRule
from matching.comparisons import (
    BirthDateComparison,
    Comparison,
    ExactComparison,
    LocationComparison,
    NameComparison,
    NikComparison,
    PhoneComparison,
)
from matching.evaluate import (
    Evaluation,
    blocking_recall,
    blocking_recall_by_source_pair,
    blocking_subset,
    evaluate_links,
    subset_metrics,
)
from matching.link import LinkResult, QueryResult, link_records, match_query, score_record_pairs
from matching.model import FellegiSunterModel, ModelMismatchError, model_changes, model_from_dict, model_to_dict
from matching.settings import DEFAULT_SETTINGS, MatchSettings, MatchSettingsError, settings_fingerprint
from matching.settings_mapping import settings_from_mapping

__all__ = [
    "DEFAULT_SETTINGS",
    "BirthDateComparison",
    "BlockingRule",
    "Comparison",
    "Evaluation",
    "ExactComparison",
    "FellegiSunterModel",
    "LinkResult",
    "LocationComparison",
    "MatchSettings",
    "MatchSettingsError",
    "ModelMismatchError",
    "NameComparison",
    "NikComparison",
    "PhoneComparison",
    "QueryResult",
    "blocking_recall",
    "blocking_recall_by_source_pair",
    "blocking_subset",
    "evaluate_links",
    "link_records",
    "match_query",
    "model_changes",
    "model_from_dict",
    "model_to_dict",
    "score_record_pairs",
    "settings_fingerprint",
    "settings_from_mapping",
    "subset_metrics",
]
