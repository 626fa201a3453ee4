"""Declarative settings of the matching engine: blocking rules, comparisons, model and clustering thresholds.

``DEFAULT_SETTINGS`` is tuned on generated Depok data (see ``docs/matching.md`` for the figures). Build a
variant with ``dataclasses.replace(DEFAULT_SETTINGS, match_threshold=0.99)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from matching.blocking import Apart, BlockingRule
from matching.clustering import ClusterGuards, LevelsOf, NikConflictGuard, NikSiblings, SiblingNames
from matching.comparisons import (
    BirthDateComparison,
    Comparison,
    ExactComparison,
    LocationComparison,
    NameComparison,
    NikComparison,
    PhoneComparison,
)
from matching.features import DerivedKey, FeatureSpec

BIRTH_DATES = ("dob", "nik_dob")
NAME_TOKENS = ("name_first_code", "name_last_code")
FOCUSED_BLOCK_SIZE = 60
BIRTH_DATE_BLOCK_SIZE = 8
NAME_REFINEMENT = ("call_name_code", "name_last_code", "name_initials_code")
#: Households in one block with different RT/RWs are not paired (a street name or a birth date shared across the city).
APART_BY_RT_RW = (Apart("rt_rw"),)
#: Two different NIKs both held by the population register are two people (without a register: no effect).
APART_BY_REGISTERED_NIK = (Apart("nik_trusted_num", only_for="nik_registered"),)
#: The birth year and the day and month (stated or NIK birth date), derived blocking keys of the default rules.
BIRTH_PARTS = (DerivedKey("birth_date_any", "year"), DerivedKey("birth_date_any", "month_day"))

DEFAULT_BLOCKING_RULES: tuple[BlockingRule, ...] = (
    BlockingRule(name="nik", key=("nik_num",)),
    BlockingRule(name="phone_last_8", key=("phone_tail",)),
    # A birth date shared by more than 8 records with one first name is split by call name, last word, initials;
    # two different NIKs the population register holds (with ``nik_register_sources``) are not paired.
    BlockingRule(
        name="birth_date_first_name",
        key=(BIRTH_DATES, ("name_first_code", "alias_key_code")),
        max_block_size=BIRTH_DATE_BLOCK_SIZE,
        refine=(NAME_REFINEMENT,),
        apart_when_different=APART_BY_REGISTERED_NIK,
    ),
    BlockingRule(
        name="birth_date_skeleton",
        key=(BIRTH_DATES, "skeleton_first_code"),
        max_block_size=BIRTH_DATE_BLOCK_SIZE,
        refine=(NAME_REFINEMENT,),
        apart_when_different=APART_BY_REGISTERED_NIK,
    ),
    # One person registered twice: same name and birth date in one kelurahan.
    BlockingRule(name="birth_date_name_kelurahan", key=(BIRTH_DATES, "name_sorted_code", "kelurahan")),
    BlockingRule(name="birth_date_address", key=(BIRTH_DATES, "address"), apart_when_different=APART_BY_RT_RW),
    # Within a whole kelurahan only for records without a trusted NIK: its blocks fill with the city.
    BlockingRule(
        name="untrusted_birth_date_kelurahan",
        key=(BIRTH_DATES, "kelurahan"),
        focus_column="untrusted_identity",
        apart_when_different=APART_BY_RT_RW,
    ),
    # A list without NIKs: born that day in that kecamatan (as the Depok file since the community-list rules).
    BlockingRule(
        name="no_nik_birth_date_kecamatan",
        key=(BIRTH_DATES, "kecamatan"),
        focus_column="missing_nik",
        max_block_size=FOCUSED_BLOCK_SIZE,
        apart_when_different=APART_BY_RT_RW,
    ),
    # Broad keys, for the records nothing above can find; a small block cap keeps them linear in records.
    # The same sorted name in a kelurahan is common: with a birth year or day and month in common, or for a
    # record with no birth date at all.
    BlockingRule(
        name="untrusted_sorted_name_kelurahan_birth",
        key=("name_sorted_code", "kelurahan", tuple(key.column for key in BIRTH_PARTS)),
        focus_column="untrusted_identity",
        max_block_size=FOCUSED_BLOCK_SIZE,
        apart_when_different=APART_BY_RT_RW,
    ),
    BlockingRule(
        name="undated_sorted_name_kelurahan",
        key=("name_sorted_code", "kelurahan"),
        focus_column="untrusted_undated",
        max_block_size=FOCUSED_BLOCK_SIZE,
        refine=("rt_rw",),
    ),
    BlockingRule(
        name="untrusted_sorted_name_address",
        key=("name_sorted_code", "address"),
        focus_column="untrusted_identity",
        max_block_size=FOCUSED_BLOCK_SIZE,
        apart_when_different=(*APART_BY_RT_RW, Apart("kecamatan")),
    ),
    BlockingRule(
        name="sparse_sorted_name",
        key=("name_sorted_code",),
        focus_column="sparse_identity",
        max_block_size=FOCUSED_BLOCK_SIZE,
        refine=("kecamatan", "kelurahan"),
    ),
    BlockingRule(
        name="sparse_name_token_kelurahan",
        key=((*NAME_TOKENS, "alias_key_code"), "kelurahan"),
        focus_column="sparse_identity",
        max_block_size=FOCUSED_BLOCK_SIZE,
        refine=("rt_rw",),
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
    * ``comparisons``: the comparison vector, in order (names unique).
    * ``derived_keys`` / ``synonyms``: blocking keys computed from fields (first letters, phonetic key, year of
      a date; see ``matching.features.DerivedKey``), word synonyms per text field, and the name fields whose
      text fuzzy levels compare (``name_first``…: kept as ``<field>_text`` features).
    * ``name_spelling``: ``indonesian`` (the match key folds old spellings) or ``plain`` (see ``FeatureSpec``).
    * ``u_sample_pairs`` / ``u_sample_pairs_per_record`` / ``u_pseudo_count``: random pairs for u (the larger
      of the fixed number and the per-record rate, 0 by default: the shares the sample estimates are shares
      among random pairs of people, as precise from a fixed sample at any size, and a growing sample made
      training grow with the records), and the pseudo-count per level. The pseudo-count bounds the weight of
      a sampled level never seen at about log2(sample size) bits; levels rarer than that among random pairs
      (near-NIK levels) are capped by ``max_weight`` anyway, and equality levels are counted over all pairs.
    * ``initial_matches_per_record``, ``em_max_iterations``, ``em_tolerance``: EM start (expected matching
      pairs per record) and stop.
    * ``tf_max_boost``: cap (bits) on the term-frequency boost of a rare exact name.
    * ``match_threshold``: match probability from which a pair links records into one cluster.
    * ``review_threshold``: pairs between this and ``match_threshold`` go to the review queue.
    * ``nik_conflict_guard`` / ``nik_conflict_override_weight``: which levels may override a conflict of two
      trusted NIKs, and the evidence (bits, without NIK and prior) it takes (see ``matching.clustering``); None:
      no NIK guard. Every comparison and level it names must exist (checked on construction).
    * ``generation_gap_years``: birth years this far apart never share a cluster (parent/child namesakes);
      None: no generation guard.
    * ``max_cluster_size``: no cluster grows beyond this many records (a person has a handful of records).
    * ``link_requires``: groups of level conditions every link must meet, whatever its probability (a group
      holds when one of its conditions does); checked like the NIK guard.
    * ``keep_apart``: alternatives that keep the two records of a scored pair in different clusters, even
      through other records (cannot-link).
    * ``nik_register_sources``: sources whose records' trusted NIKs are *registered* (the population register).
      Two different registered NIKs never link automatically (no override); when every group of
      ``double_registration_requires`` holds and the evidence reaches the override weight, the pair goes to the
      review queue as ``double_registration`` (one person registered twice).
    * ``stated_sex_apart``: two records that both state a sex, and differ, are never in one cluster.
    * ``link_when``: groups of level conditions that link a pair whatever its probability (every group must
      hold; the guards still apply): a phone both records give and a compatible name.
    * ``nik_siblings``: two trusted NIKs that differ only in a serial a few numbers apart are people registered
      together (twins, triplets) and are kept apart, also through other records, unless its ``unless`` groups
      hold (see ``matching.clustering.NikSiblings``); None: no such rule. Needs the NIK guard. Its ``fit_by``
      names the comparisons whose level order gives a record without a trusted NIK, linked to two siblings, to
      the one it fits better (``matching.clustering.sibling_fit``).
    * ``sibling_names``: a pair whose names look like two siblings' (same last word, given names that are not a
      typo of each other) does not link unless an identifier agrees (``matching.clustering.SiblingNames``);
      None: no such rule.
    """

    blocking_rules: tuple[BlockingRule, ...] = DEFAULT_BLOCKING_RULES
    max_block_size: int = 200
    comparisons: tuple[Comparison, ...] = DEFAULT_COMPARISONS
    derived_keys: tuple[DerivedKey, ...] = BIRTH_PARTS
    synonyms: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    name_texts: tuple[str, ...] = ()
    name_spelling: str = "indonesian"
    u_sample_pairs: int = 1_000_000
    u_sample_pairs_per_record: float = 0.0
    u_pseudo_count: float = 1.0
    initial_matches_per_record: float = 1.0
    em_max_iterations: int = 200
    em_tolerance: float = 1e-6
    tf_max_boost: float = 2.0
    match_threshold: float = 0.1
    review_threshold: float = 0.01
    nik_conflict_override_weight: float = 16.0
    nik_conflict_guard: NikConflictGuard | None = NikConflictGuard()
    generation_gap_years: int | None = 12
    max_cluster_size: int = 30
    link_requires: tuple[tuple[LevelsOf | tuple[LevelsOf, ...], ...], ...] = ()
    keep_apart: tuple[LevelsOf | tuple[LevelsOf, ...], ...] = ()
    nik_register_sources: tuple[str, ...] = ()
    double_registration_requires: tuple[tuple[LevelsOf | tuple[LevelsOf, ...], ...], ...] = ()
    stated_sex_apart: bool = False
    link_when: tuple[tuple[LevelsOf | tuple[LevelsOf, ...], ...], ...] = ()
    nik_siblings: NikSiblings | None = None
    sibling_names: SiblingNames | None = None

    def __post_init__(self) -> None:
        problems = settings_problems(self)
        if problems:
            raise MatchSettingsError("; ".join(problems))

    def feature_spec(self) -> FeatureSpec:
        return FeatureSpec(
            derived=self.derived_keys,
            synonyms=self.synonyms,
            name_texts=self.name_texts,
            name_spelling=self.name_spelling,
        )

    def u_sample_size(self, records: int) -> int:
        return max(self.u_sample_pairs, int(self.u_sample_pairs_per_record * records))

    def cluster_guards(self) -> ClusterGuards:
        return ClusterGuards(
            match_threshold=self.match_threshold,
            nik_conflict_override_weight=self.nik_conflict_override_weight,
            generation_gap_years=self.generation_gap_years,
            max_cluster_size=self.max_cluster_size,
            nik_conflict=self.nik_conflict_guard,
            link_requires=self.link_requires,
            keep_apart=self.keep_apart,
            double_registration_requires=self.double_registration_requires,
            registered_niks_apart=bool(self.nik_register_sources),
            stated_sex_apart=self.stated_sex_apart,
            link_when=self.link_when,
            nik_siblings=self.nik_siblings,
            sibling_fit=self._sibling_fit(),
            sibling_names=self.sibling_names,
        )

    def _sibling_fit(self) -> tuple[LevelsOf, ...]:
        """``nik_siblings.fit_by`` with each comparison's levels in order (names checked on construction)."""
        if self.nik_siblings is None:
            return ()
        levels = {comparison.name: comparison.levels for comparison in self.comparisons}
        return tuple(LevelsOf(name, levels[name]) for name in self.nik_siblings.fit_by if name in levels)


def settings_fingerprint(settings: MatchSettings) -> str:
    """A short hash of everything the settings declare: a persisted model is only reused under equal settings."""
    import hashlib

    return hashlib.sha256(repr(settings).encode("utf-8")).hexdigest()[:16]


class MatchSettingsError(ValueError):
    """Matching settings that cannot work; the message names the key path of each problem."""


def settings_problems(settings: MatchSettings) -> list[str]:
    """What is inconsistent in ``settings`` (empty when nothing): duplicate names, priors that do not fit the
    levels, and guard conditions naming a comparison or level that does not exist (a renamed level must not
    silently disable the NIK-conflict override)."""
    problems = []
    names = [comparison.name for comparison in settings.comparisons]
    for name in sorted({name for name in names if names.count(name) > 1}):
        problems.append(f"comparisons: the name {name!r} is used twice")
    rules = [rule.name for rule in settings.blocking_rules]
    for name in sorted({name for name in rules if rules.count(name) > 1}):
        problems.append(f"blocking.rules: the name {name!r} is used twice")
    if settings.name_spelling not in ("indonesian", "plain"):
        problems.append(f"names.spelling: {settings.name_spelling!r} is not one of ['indonesian', 'plain']")
    if not settings.blocking_rules:
        problems.append("blocking.rules: at least one rule is needed")
    if not settings.comparisons:
        problems.append("comparisons: at least one comparison is needed")
    for k, comparison in enumerate(settings.comparisons):
        if len(comparison.m_prior) != len(comparison.levels):
            problems.append(
                f"comparisons[{k}] ({comparison.name}).m_prior: {len(comparison.m_prior)} values for "
                f"{len(comparison.levels)} levels"
            )
        for level in comparison.max_weight:
            if level not in comparison.levels:
                problems.append(f"comparisons[{k}] ({comparison.name}).max_weight: {level!r} is not one of its levels")
        for level in comparison.frequency_levels:
            if level not in comparison.levels:
                problems.append(
                    f"comparisons[{k}] ({comparison.name}).frequency_levels: {level!r} is not one of its levels"
                )
        if comparison.tf_level is not None and comparison.tf_level not in comparison.levels:
            problems.append(
                f"comparisons[{k}] ({comparison.name}).tf_level: {comparison.tf_level!r} is not one of its levels"
            )
    by_name = {comparison.name: comparison for comparison in settings.comparisons}
    guard = settings.nik_conflict_guard
    groups = [(f"clustering.link_requires[{g}]", group) for g, group in enumerate(settings.link_requires)]
    if settings.keep_apart:
        groups.append(("clustering.keep_apart", settings.keep_apart))
    groups += [(f"clustering.link_when[{g}]", group) for g, group in enumerate(settings.link_when)]
    groups += [
        (f"clustering.nik_conflict.double_registration_requires[{g}]", group)
        for g, group in enumerate(settings.double_registration_requires)
    ]
    siblings = settings.nik_siblings
    if siblings is not None:
        path = "clustering.nik_conflict.siblings_apart"
        if guard is None:
            problems.append(f"{path}: needs the NIK guard (clustering.nik_conflict)")
        if not 1 <= siblings.serial_digits <= 15:
            problems.append(f"{path}.serial_digits: {siblings.serial_digits} is not between 1 and 15")
        if not 1 <= siblings.max_serial_gap < 10**siblings.serial_digits:
            problems.append(f"{path}.max_serial_gap: {siblings.max_serial_gap} is not a positive serial gap")
        groups += [(f"{path}.unless[{g}]", group) for g, group in enumerate(siblings.unless)]
        for k, name in enumerate(siblings.fit_by):
            if name not in by_name:
                problems.append(f"{path}.fit_by[{k}]: no comparison named {name!r} (have {names})")
    sibling_names = settings.sibling_names
    if sibling_names is not None:
        path = "clustering.sibling_names_apart"
        if sibling_names.min_first_word_edits < 1:
            problems.append(f"{path}.min_first_word_edits: {sibling_names.min_first_word_edits} is not at least 1")
        if sibling_names.comparison not in by_name:
            problems.append(f"{path}.comparison: no comparison named {sibling_names.comparison!r} (have {names})")
        else:
            known = by_name[sibling_names.comparison].levels
            problems += [
                f"{path}.levels: {level!r} is not a level of comparison {sibling_names.comparison!r} "
                f"(its levels: {list(known)})"
                for level in sibling_names.levels
                if level not in known
            ]
        groups += [(f"{path}.unless[{g}]", group) for g, group in enumerate(sibling_names.unless)]
    if guard is not None:
        path = "clustering.nik_conflict"
        if guard.comparison not in by_name:
            problems.append(f"{path}.comparison: no comparison named {guard.comparison!r} (have {names})")
        groups += [(f"{path}.override_requires[{g}]", group) for g, group in enumerate(guard.requires)]
    if groups:
        for path, group in groups:
            flat = [
                (f"{path}[{c}]" + (f".all[{a}]" if isinstance(alternative, tuple) else ""), condition)
                for c, alternative in enumerate(group)
                for a, condition in enumerate(alternative if isinstance(alternative, tuple) else (alternative,))
            ]
            for where, condition in flat:
                if condition.comparison not in by_name:
                    problems.append(f"{where}.comparison: no comparison named {condition.comparison!r} (have {names})")
                    continue
                levels = by_name[condition.comparison].levels
                for level in condition.levels:
                    if level not in levels:
                        problems.append(
                            f"{where}.levels: {level!r} is not a level of comparison {condition.comparison!r} "
                            f"(its levels: {list(levels)})"
                        )
    return problems


DEFAULT_SETTINGS = MatchSettings()
