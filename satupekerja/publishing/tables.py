"""The table catalogue: every working and published table's name, declared once.

A table's name is its Dagster asset name, its folder in the asset storage and its folder and DuckDB view in the
warehouse; assets, the warehouse, the web application, the look-up, the run summary and the staff exports all
take it from here. The tables with an output contract (``data_contracts/outputs/<table>.yaml``) are listed in
:data:`CONTRACTED_TABLES`; a test checks that list against the contract files both ways.

Per-source tables (``raw_<source>``, ``quarantine_<source>``, ``standard_<source>``) are named by the helpers
in :mod:`assets.keys`.
"""

from __future__ import annotations

# Integration and matching (restricted: personal data).
PERSON_RECORDS = "person_records"
SCORED_PAIRS = "scored_pairs"
WORKER_LINKS = "worker_links"
WORKER_ID_HISTORY = "worker_id_history"
MATCH_REVIEW_QUEUE = "match_review_queue"
MATCHING_MODEL = "matching_model"
#: The registry's matching features (name keys, NIK and phone numbers, birth days...) under the model's settings:
#: ``check-list`` and ``show`` match against them without computing them again. Restricted tier only.
MATCHING_FEATURES = "matching_features"

# The registry.
UNIFIED_WORKERS = "unified_workers"
UNCOVERED_INFORMAL_WORKERS = "uncovered_informal_workers"
COVERAGE_BY_AREA = "coverage_by_area"

# Publication: every source's quarantined rows stacked, and the counts the next night's guards compare with.
QUARANTINE = "quarantine"
PUBLICATION_STATS = "publication_stats"

#: Tables whose published form is checked by an output contract of the same name in ``data_contracts/outputs/``.
CONTRACTED_TABLES = (
    WORKER_LINKS,
    WORKER_ID_HISTORY,
    UNIFIED_WORKERS,
    UNCOVERED_INFORMAL_WORKERS,
    COVERAGE_BY_AREA,
    MATCH_REVIEW_QUEUE,
    MATCHING_FEATURES,
)

#: Every table in the catalogue.
ALL_TABLES = (
    PERSON_RECORDS,
    SCORED_PAIRS,
    WORKER_LINKS,
    WORKER_ID_HISTORY,
    MATCH_REVIEW_QUEUE,
    MATCHING_MODEL,
    MATCHING_FEATURES,
    UNIFIED_WORKERS,
    UNCOVERED_INFORMAL_WORKERS,
    COVERAGE_BY_AREA,
    QUARANTINE,
    PUBLICATION_STATS,
)
