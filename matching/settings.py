"""Declarative settings of the matching engine: blocking rules, comparisons, model and clustering thresholds.

``DEFAULT_SETTINGS`` is tuned on generated Depok data (see ``docs/matching.md`` for the figures). Build a
variant with ``dataclasses.replace(DEFAULT_SETTINGS, match_threshold=0.99)``.
"""

from __future__ import annotations

from dataclasses import dataclass

from matching.blocking import BlockingRule
from matching.clustering import ClusterGuards
from matching.comparisons import (
    BirthDateComparison,
    Comparison,
    ExactComparison,
    LocationComparison,
    NameComparison,
    NikComparison,
    PhoneComparison,
)

BIRTH_DATES = ("dob", "nik_dob")
NAME_TOKENS = ("name_first_code", "name_last_code")
FOCUSED_BLOCK_SIZE = 60

DEFAULT_BLOCKING_RULES: tuple[BlockingRule, ...] = (
    BlockingRule(name="nik", key=("nik_num",)),
    BlockingRule(name="phone_last_8", key=("phone_tail",)),
    BlockingRule(name="birth_date_first_name", key=(BIRTH_DATES, ("name_first_code", "alias_key_code"))),
    BlockingRule(name="birth_date_skeleton", key=(BIRTH_DATES, "skeleton_first_code")),
    BlockingRule(name="birth_date_kelurahan", key=(BIRTH_DATES, "kelurahan")),
    # Broad keys, for the records nothing above can find; a small block cap keeps them linear in records.
    BlockingRule(
        name="untrusted_sorted_name_kelurahan", key=("name_sorted_code", "kelurahan"),
        focus_column="untrusted_identity", max_block_size=FOCUSED_BLOCK_SIZE,
    ),
    BlockingRule(
        name="sparse_sorted_name", key=("name_sorted_code",), focus_column="sparse_identity",
        max_block_size=FOCUSED_BLOCK_SIZE,
    ),
    BlockingRule(
        name="sparse_name_token_kelurahan", key=((*NAME_TOKENS, "alias_key_code"), "kelurahan"),
        focus_column="sparse_identity", max_block_size=FOCUSED_BLOCK_SIZE,
    ),
)

DEFAULT_COMPARISONS: tuple[Comparison, ...] = (
    NikComparison(),
    NameComparison(),
    BirthDateComparison(),
    ExactComparison(name="sex", column="sex", m_prior=(0.97, 0.03)),
    PhoneComparison(),
    LocationComparison(),
)


@dataclass(frozen=True, kw_only=True)
class MatchSettings:
    """Everything the engine is configured by. Defaults are documented field by field.

    * ``blocking_rules`` / ``max_block_size``: union of blocking rules; keys shared by more records than the
      cap are skipped for that rule (and counted in the blocking stats).
    * ``comparisons``: the comparison vector, in order; must include comparisons named ``nik``, ``name`` and
      ``birth_date`` (the clustering guards read their levels).
    * ``u_sample_pairs`` / ``u_sample_pairs_per_record`` / ``u_pseudo_count``: random pairs for u (the larger
      of the fixed number and the per-record rate: the pseudo-count bounds the weight of rare agreements at
      about log2(sample size), which must keep pace with the prior, about -log2(records)), and the
      pseudo-count per level.
    * ``initial_matches_per_record``, ``em_max_iterations``, ``em_tolerance``: EM start (expected matching
      pairs per record) and stop.
    * ``tf_max_boost``: cap (bits) on the term-frequency boost of a rare exact name.
    * ``match_threshold``: match probability from which a pair links records into one cluster.
    * ``review_threshold``: pairs between this and ``match_threshold`` go to the review queue.
    * ``nik_conflict_override_weight``: evidence (bits, without NIK and prior) needed to link two records with
      different valid NIKs (see ``matching.clustering``).
    * ``generation_gap_years``: birth years this far apart never share a cluster (parent/child namesakes).
    * ``max_cluster_size``: no cluster grows beyond this many records (a person has a handful of records).
    """

    blocking_rules: tuple[BlockingRule, ...] = DEFAULT_BLOCKING_RULES
    max_block_size: int = 200
    comparisons: tuple[Comparison, ...] = DEFAULT_COMPARISONS
    u_sample_pairs: int = 1_000_000
    u_sample_pairs_per_record: float = 2.0
    u_pseudo_count: float = 1.0
    initial_matches_per_record: float = 1.0
    em_max_iterations: int = 200
    em_tolerance: float = 1e-6
    tf_max_boost: float = 2.0
    match_threshold: float = 0.1
    review_threshold: float = 0.01
    nik_conflict_override_weight: float = 16.0
    generation_gap_years: int = 12
    max_cluster_size: int = 30

    def u_sample_size(self, records: int) -> int:
        return max(self.u_sample_pairs, int(self.u_sample_pairs_per_record * records))

    def cluster_guards(self) -> ClusterGuards:
        return ClusterGuards(
            match_threshold=self.match_threshold,
            nik_conflict_override_weight=self.nik_conflict_override_weight,
            generation_gap_years=self.generation_gap_years,
            max_cluster_size=self.max_cluster_size,
        )


DEFAULT_SETTINGS = MatchSettings()
