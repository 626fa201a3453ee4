"""Matching settings from a mapping (the parsed YAML of a settings file): dict in, ``MatchSettings`` out.

Pure: no file is read here (``data_contracts.matching_settings`` reads the file). Every problem raises
:class:`MatchSettingsError` naming its key path (``comparisons[2].levels[1].when.jaro_winkler``). The file
format is documented in ``docs/matching.md``; the shipped Depok default is
``data_contracts/matching/depok.yaml``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from matching.blocking import Apart, BlockingRule
from matching.clustering import LevelsOf, NikConflictGuard, NikSiblings, SiblingNames
from matching.comparisons import (
    BirthDateComparison,
    Comparison,
    Condition,
    ExactComparison,
    FieldComparison,
    LocationComparison,
    NameComparison,
    NikComparison,
    PhoneComparison,
)
from matching.features import (
    DATE_COLUMNS,
    DATE_TRANSFORMS,
    GENERIC_FIELDS,
    NAME_TEXT_FIELDS,
    TEXT_COLUMNS,
    TEXT_TRANSFORMS,
    DerivedKey,
)
from matching.settings import MatchSettings, MatchSettingsError

# Field name in a settings file → integer feature column (blocking keys, exact levels).
FIELDS: dict[str, str] = {
    "nik": "nik_num",
    "trusted_nik": "nik_trusted_num",
    "phone": "phone_num",
    "phone_last_8": "phone_tail",
    "birth_date": "dob",
    "nik_birth_date": "nik_dob",
    "birth_date_any": "dob_any",
    "birth_year": "birth_year",
    "sex": "sex",
    "name": "name_key_code",
    "name_sorted": "name_sorted_code",
    "given_name": "given_key_code",
    "name_skeleton": "name_skeleton_code",
    "name_first": "name_first_code",
    "name_second": "name_second_code",
    "name_last": "name_last_code",
    "skeleton_first": "skeleton_first_code",
    "name_initials": "name_initials_code",
    "alias": "alias_key_code",
    "call_name": "call_name_code",
    "kelurahan": "kelurahan",
    "kecamatan": "kecamatan",
    "rt_rw": "rt_rw",
    "address": "address",
    **{name: name for name in GENERIC_FIELDS},
}
FOCUS_FIELDS = ("sparse_identity", "untrusted_identity", "missing_nik", "untrusted_undated")
#: Flags an ``apart_when_different`` field may be restricted to (``nik_registered``: a NIK the population
#: register holds, known only with ``clustering.nik_conflict.registered_sources``; without, no record has it).
APART_FLAGS = ("nik_registered",)
TRANSFORM_FIELDS = (*NAME_TEXT_FIELDS, *TEXT_COLUMNS)

_LIBRARY: dict[str, type[Comparison]] = {
    "nik": NikComparison,
    "name": NameComparison,
    "birth_date": BirthDateComparison,
    "phone": PhoneComparison,
    "location": LocationComparison,
    "exact": ExactComparison,
}
_KIND_PARAMETERS: dict[str, tuple[str, ...]] = {
    "name": ("jw_high", "jw_low", "alias_partial", "call_name_suffix_min", "term_frequency"),
    "exact": ("field",),
}
_COMMON_KEYS = ("name", "kind", "levels", "m_prior", "max_weight")
_SECTIONS = ("version", "names", "blocking", "synonyms", "comparisons", "model", "thresholds", "clustering")
_MODEL_KEYS = {
    "u_sample_pairs": int,
    "u_sample_pairs_per_record": float,
    "u_pseudo_count": float,
    "initial_matches_per_record": float,
    "em_max_iterations": int,
    "em_tolerance": float,
    "tf_max_boost": float,
}

_C = TypeVar("_C", bound=Comparison)
_N = TypeVar("_N", int, float)


def settings_from_mapping(document: object) -> MatchSettings:
    """``MatchSettings`` from the mapping of a settings file; :class:`MatchSettingsError` naming the key path."""
    root = _mapping(document, "(file)")
    _known_keys(root, _SECTIONS, "(file)")
    if root.get("version", 1) != 1:
        raise MatchSettingsError(f"version: only version 1 is known, found {root.get('version')!r}")
    derived: dict[str, DerivedKey] = {}
    blocking = _mapping(_required(root, "blocking", "(file)"), "blocking")
    _known_keys(blocking, ("max_block_size", "rules"), "blocking")
    rules = tuple(
        _rule(rule, f"blocking.rules[{k}]", derived)
        for k, rule in enumerate(_list(_required(blocking, "rules", "blocking"), "blocking.rules"))
    )
    comparisons = tuple(
        _comparison(item, f"comparisons[{k}]", derived)
        for k, item in enumerate(_list(_required(root, "comparisons", "(file)"), "comparisons"))
    )
    name_texts = tuple(
        dict.fromkeys(
            name
            for comparison in comparisons
            if isinstance(comparison, FieldComparison)
            for condition in comparison.conditions
            for column in condition.columns()
            for name in NAME_TEXT_FIELDS
            if column == TEXT_COLUMNS[name]
        )
    )
    model = _mapping(root.get("model", {}), "model")
    _known_keys(model, tuple(_MODEL_KEYS), "model")
    thresholds = _mapping(root.get("thresholds", {}), "thresholds")
    _known_keys(thresholds, ("match", "review"), "thresholds")
    clustering = _mapping(root.get("clustering", {}), "clustering")
    _known_keys(
        clustering,
        (
            "max_cluster_size",
            "generation_gap_years",
            "nik_conflict",
            "link_requires",
            "keep_apart",
            "stated_sex_apart",
            "link_when",
            "sibling_names_apart",
        ),
        "clustering",
    )
    values: dict[str, Any] = {
        "blocking_rules": rules,
        "comparisons": comparisons,
        "derived_keys": tuple(derived.values()),
        "synonyms": _synonyms(root.get("synonyms", {})),
        "name_texts": name_texts,
    }
    names = _mapping(root.get("names", {}), "names")
    _known_keys(names, ("spelling",), "names")
    if "spelling" in names:
        values["name_spelling"] = _text(names["spelling"], "names.spelling")
    if "max_block_size" in blocking:
        values["max_block_size"] = _number(blocking["max_block_size"], "blocking.max_block_size", int, minimum=2)
    for key, kind in _MODEL_KEYS.items():
        if key in model:
            values[key] = _number(model[key], f"model.{key}", kind, minimum=0)
    for key, attribute in (("match", "match_threshold"), ("review", "review_threshold")):
        if key in thresholds:
            values[attribute] = _number(thresholds[key], f"thresholds.{key}", float, minimum=0, maximum=1)
    if "max_cluster_size" in clustering:
        values["max_cluster_size"] = _number(
            clustering["max_cluster_size"], "clustering.max_cluster_size", int, minimum=1
        )
    if "generation_gap_years" in clustering:
        gap = clustering["generation_gap_years"]
        values["generation_gap_years"] = (
            None if gap is None else _number(gap, "clustering.generation_gap_years", int, minimum=1)
        )
    if "link_requires" in clustering:
        values["link_requires"] = _level_groups(clustering["link_requires"], "clustering.link_requires")
    if "keep_apart" in clustering:
        values["keep_apart"] = _level_groups([clustering["keep_apart"]], "clustering.keep_apart")[0]
    if "stated_sex_apart" in clustering:
        if not isinstance(clustering["stated_sex_apart"], bool):
            raise MatchSettingsError("clustering.stated_sex_apart: give true or false")
        values["stated_sex_apart"] = clustering["stated_sex_apart"]
    if "link_when" in clustering:
        values["link_when"] = _level_groups(clustering["link_when"], "clustering.link_when")
    if "sibling_names_apart" in clustering:
        values["sibling_names"] = _sibling_names(clustering["sibling_names_apart"], "clustering.sibling_names_apart")
    guard = clustering.get("nik_conflict")
    values["nik_conflict_guard"] = None if guard is None else _nik_guard(guard, values)
    settings = MatchSettings(**values)
    if settings.review_threshold > settings.match_threshold:
        raise MatchSettingsError("thresholds.review: must not exceed thresholds.match")
    return settings


def _rule(item: object, path: str, derived: dict[str, DerivedKey]) -> BlockingRule:
    rule = _mapping(item, path)
    _known_keys(rule, ("name", "key", "only_for", "max_block_size", "refine", "apart_when_different"), path)
    name = _text(_required(rule, "name", path), f"{path}.name")
    parts = _list(_required(rule, "key", path), f"{path}.key")
    if not parts:
        raise MatchSettingsError(f"{path}.key: at least one field is needed")
    key = tuple(_key_part(part, f"{path}.key[{k}]", derived) for k, part in enumerate(parts))
    focus = rule.get("only_for")
    if focus is not None and focus not in FOCUS_FIELDS:
        raise MatchSettingsError(f"{path}.only_for: {focus!r} is not one of {list(FOCUS_FIELDS)}")
    cap = rule.get("max_block_size")
    refine = _list(rule.get("refine", []), f"{path}.refine")
    apart = _list(rule.get("apart_when_different", []), f"{path}.apart_when_different")
    return BlockingRule(
        name=name,
        key=key,
        focus_column=focus,
        max_block_size=None if cap is None else _number(cap, f"{path}.max_block_size", int, minimum=2),
        refine=tuple(_key_part(part, f"{path}.refine[{k}]", derived) for k, part in enumerate(refine)),
        apart_when_different=tuple(
            _apart(part, f"{path}.apart_when_different[{k}]", derived) for k, part in enumerate(apart)
        ),
    )


def _apart(part: object, path: str, derived: dict[str, DerivedKey]) -> Apart:
    """A field (``rt_rw``), or ``{field, only_for}``: the field's value counts only for records with the flag."""
    if not isinstance(part, Mapping) or "only_for" not in part:
        return Apart(_key_field(part, path, derived))
    _known_keys(part, ("field", "only_for"), path)
    flag = part["only_for"]
    if flag not in APART_FLAGS:
        raise MatchSettingsError(f"{path}.only_for: {flag!r} is not one of {list(APART_FLAGS)}")
    return Apart(_key_field(_required(part, "field", path), f"{path}.field", derived), only_for=flag)


def _key_part(part: object, path: str, derived: dict[str, DerivedKey]) -> str | tuple[str, ...]:
    """A field name, a transformed field ``{field, transform, n}``, or ``{any: [alternatives]}``."""
    if isinstance(part, Mapping) and "any" in part:
        _known_keys(part, ("any",), path)
        alternatives = _list(part["any"], f"{path}.any")
        if len(alternatives) < 2:
            raise MatchSettingsError(f"{path}.any: list at least two alternatives")
        return tuple(_key_field(value, f"{path}.any[{k}]", derived) for k, value in enumerate(alternatives))
    return _key_field(part, path, derived)


def _key_field(part: object, path: str, derived: dict[str, DerivedKey]) -> str:
    if isinstance(part, str):
        return _field(part, path)
    spec = _mapping(part, path)
    _known_keys(spec, ("field", "transform", "n"), path)
    field_name = _text(_required(spec, "field", path), f"{path}.field")
    transform = _text(_required(spec, "transform", path), f"{path}.transform")
    if transform in DATE_TRANSFORMS:
        if field_name not in DATE_COLUMNS:
            raise MatchSettingsError(f"{path}.field: {transform!r} needs a date field, one of {list(DATE_COLUMNS)}")
        n = None
    elif transform in TEXT_TRANSFORMS:
        if field_name not in TRANSFORM_FIELDS:
            raise MatchSettingsError(
                f"{path}.field: {transform!r} needs a text field, one of {sorted(TRANSFORM_FIELDS)}"
            )
        n = None if transform == "phonetic" else _number(_required(spec, "n", path), f"{path}.n", int, minimum=1)
    else:
        raise MatchSettingsError(
            f"{path}.transform: {transform!r} is not one of {[*TEXT_TRANSFORMS, *DATE_TRANSFORMS]}"
        )
    key = DerivedKey(field=field_name, transform=transform, n=n)
    derived.setdefault(key.column, key)
    return key.column


def _comparison(item: object, path: str, derived: dict[str, DerivedKey]) -> Comparison:
    spec = _mapping(item, path)
    kind = _text(_required(spec, "kind", path), f"{path}.kind")
    if kind == "levels":
        return _field_comparison(spec, path, derived)
    if kind not in _LIBRARY:
        raise MatchSettingsError(f"{path}.kind: {kind!r} is not one of {[*_LIBRARY, 'levels']}")
    _known_keys(spec, (*_COMMON_KEYS, *_KIND_PARAMETERS.get(kind, ())), path)
    cls = _LIBRARY[kind]
    parameters: dict[str, Any] = {"name": _text(spec.get("name", kind), f"{path}.name")}
    if kind == "exact":
        parameters["column"] = _field(_required(spec, "field", path), f"{path}.field")
    for key in ("jw_high", "jw_low", "alias_partial"):
        if key in spec:
            parameters[key] = _number(spec[key], f"{path}.{key}", float, minimum=0, maximum=100)
    if "call_name_suffix_min" in spec:
        parameters["call_name_suffix_min"] = _number(
            spec["call_name_suffix_min"], f"{path}.call_name_suffix_min", int, minimum=2, maximum=10
        )
    if kind == "name" and spec.get("term_frequency", True) is False:
        parameters.update(tf_level=None, tf_column=None)
    built = cls(**parameters)
    levels = _text_list(_required(spec, "levels", path), f"{path}.levels")
    if tuple(levels) != built.levels:
        raise MatchSettingsError(
            f"{path}.levels: comparison kind {kind!r} has the levels {list(built.levels)} in this order; "
            f"found {levels} (declare a 'kind: levels' comparison to define other levels)"
        )
    return _with_prior_and_caps(built, spec, path)


def _field_comparison(spec: Mapping[str, Any], path: str, derived: dict[str, DerivedKey]) -> FieldComparison:
    _known_keys(spec, (*_COMMON_KEYS, "available_if_both_have"), path)
    name = _text(_required(spec, "name", path), f"{path}.name")
    items = _list(_required(spec, "levels", path), f"{path}.levels")
    if len(items) < 2:
        raise MatchSettingsError(f"{path}.levels: at least one level and the final 'else' are needed")
    levels, conditions = [], []
    for k, item in enumerate(items):
        where = f"{path}.levels[{k}]"
        level = _mapping(item, where)
        _known_keys(level, ("name", "when"), where)
        levels.append(_text(_required(level, "name", where), f"{where}.name"))
        last = k == len(items) - 1
        if last:
            if "when" in level or levels[-1] != "else":
                raise MatchSettingsError(f"{where}: the last level must be {{name: else}} without 'when'")
        else:
            conditions.append(_condition(_required(level, "when", where), f"{where}.when", derived))
    if len(set(levels)) != len(levels):
        raise MatchSettingsError(f"{path}.levels: level names must be unique, found {levels}")
    columns = tuple(dict.fromkeys(c for condition in conditions for c in condition.columns()))
    if "available_if_both_have" in spec:
        available = tuple(
            _field(value, f"{path}.available_if_both_have[{k}]")
            for k, value in enumerate(_list(spec["available_if_both_have"], f"{path}.available_if_both_have"))
        )
    else:
        available = tuple(dict.fromkeys(_code_column(column) for column in columns))
    frequency_levels: dict[str, str] = {}
    if conditions[0].kind == "exact" and conditions[0].column is not None:
        frequency_levels = {levels[0]: conditions[0].column}
    m_prior = tuple([0.9 / (len(levels) - 1)] * (len(levels) - 1) + [0.1])
    built = FieldComparison(
        name=name,
        levels=tuple(levels),
        m_prior=m_prior,
        conditions=tuple(conditions),
        available_columns=available,
        frequency_levels=frequency_levels,
    )
    return _with_prior_and_caps(built, spec, path)


def _code_column(column: str) -> str:
    """The integer column that says whether a text column is present."""
    for name, text in TEXT_COLUMNS.items():
        if text == column:
            return FIELDS[name]
    return column


def _condition(item: object, path: str, derived: dict[str, DerivedKey]) -> Condition:
    spec = _mapping(item, path)
    if len(set(spec) - {"min", "max"}) != 1:
        raise MatchSettingsError(
            f"{path}: one test per condition (exact, missing, jaro_winkler, levenshtein, all, any), found {sorted(spec)}"
        )
    if "all" in spec or "any" in spec:
        kind = "all" if "all" in spec else "any"
        _known_keys(spec, (kind,), path)
        parts = _list(spec[kind], f"{path}.{kind}")
        if len(parts) < 2:
            raise MatchSettingsError(f"{path}.{kind}: list at least two conditions")
        return Condition(
            kind, parts=tuple(_condition(part, f"{path}.{kind}[{k}]", derived) for k, part in enumerate(parts))
        )
    for kind in ("exact", "missing"):
        if kind in spec:
            _known_keys(spec, (kind,), path)
            if isinstance(spec[kind], Mapping):  # a transformed field, as in blocking keys
                return Condition(kind, column=_key_field(spec[kind], f"{path}.{kind}", derived))
            return Condition(kind, column=_field(spec[kind], f"{path}.{kind}"))
    for kind, bound, limits in (("jaro_winkler", "min", (0.0, 1.0)), ("levenshtein", "max", (0, 100))):
        if kind in spec:
            _known_keys(spec, (kind, bound), path)
            field_name = _text(spec[kind], f"{path}.{kind}")
            if field_name not in TEXT_COLUMNS:
                raise MatchSettingsError(
                    f"{path}.{kind}: {field_name!r} is not a text field, one of {list(TEXT_COLUMNS)}"
                )
            threshold = _number(
                _required(spec, bound, path), f"{path}.{bound}", float, minimum=limits[0], maximum=limits[1]
            )
            return Condition(kind, column=TEXT_COLUMNS[field_name], threshold=threshold)
    if "crossed_jaro_winkler" in spec:
        _known_keys(spec, ("crossed_jaro_winkler", "min"), path)
        pair = _text_list(spec["crossed_jaro_winkler"], f"{path}.crossed_jaro_winkler")
        if len(pair) != 2 or any(name not in TEXT_COLUMNS for name in pair):
            raise MatchSettingsError(f"{path}.crossed_jaro_winkler: give two text fields of {list(TEXT_COLUMNS)}")
        threshold = _number(_required(spec, "min", path), f"{path}.min", float, minimum=0.0, maximum=1.0)
        return Condition(
            "crossed_jaro_winkler",
            column=TEXT_COLUMNS[pair[0]],
            other_column=TEXT_COLUMNS[pair[1]],
            threshold=threshold,
        )
    raise MatchSettingsError(
        f"{path}: unknown test {sorted(spec)}; use exact, missing, jaro_winkler, crossed_jaro_winkler, levenshtein, "
        "all or any"
    )


def _with_prior_and_caps(built: _C, spec: Mapping[str, Any], path: str) -> _C:
    from dataclasses import replace

    changes: dict[str, Any] = {}
    if "m_prior" in spec:
        prior = [
            _number(value, f"{path}.m_prior[{k}]", float, minimum=0)
            for k, value in enumerate(_list(spec["m_prior"], f"{path}.m_prior"))
        ]
        if len(prior) != len(built.levels) or sum(prior) <= 0:
            raise MatchSettingsError(
                f"{path}.m_prior: give one positive starting m per level ({len(built.levels)}), found {len(prior)}"
            )
        changes["m_prior"] = tuple(prior)
    if "max_weight" in spec:
        caps = _mapping(spec["max_weight"], f"{path}.max_weight")
        for level in caps:
            if level not in built.levels:
                raise MatchSettingsError(
                    f"{path}.max_weight.{level}: not a level of this comparison (its levels: {list(built.levels)})"
                )
        changes["max_weight"] = {
            level: _number(value, f"{path}.max_weight.{level}", float) for level, value in caps.items()
        }
    return replace(built, **changes) if changes else built


def _nik_guard(item: object, values: dict[str, Any]) -> NikConflictGuard:
    path = "clustering.nik_conflict"
    spec = _mapping(item, path)
    _known_keys(
        spec,
        (
            "comparison",
            "override_weight",
            "override_requires",
            "registered_sources",
            "double_registration_requires",
            "siblings_apart",
        ),
        path,
    )
    if "siblings_apart" in spec:
        values["nik_siblings"] = _nik_siblings(spec["siblings_apart"], f"{path}.siblings_apart")
    if "registered_sources" in spec:
        values["nik_register_sources"] = tuple(_text_list(spec["registered_sources"], f"{path}.registered_sources"))
    if "double_registration_requires" in spec:
        values["double_registration_requires"] = _level_groups(
            spec["double_registration_requires"], f"{path}.double_registration_requires"
        )
    if "override_weight" in spec:
        values["nik_conflict_override_weight"] = _number(spec["override_weight"], f"{path}.override_weight", float)
    groups = _level_groups(_required(spec, "override_requires", path), f"{path}.override_requires")
    comparison = _text(spec.get("comparison", "nik"), f"{path}.comparison")
    return NikConflictGuard(comparison=comparison, requires=groups)


def _nik_siblings(item: object, path: str) -> NikSiblings:
    spec = _mapping(item, path)
    _known_keys(spec, ("serial_digits", "max_serial_gap", "unless", "tie_margin", "fit_by"), path)
    values: dict[str, Any] = {}
    if "serial_digits" in spec:
        values["serial_digits"] = _number(spec["serial_digits"], f"{path}.serial_digits", int, minimum=1, maximum=15)
    if "max_serial_gap" in spec:
        values["max_serial_gap"] = _number(spec["max_serial_gap"], f"{path}.max_serial_gap", int, minimum=1)
    if "unless" in spec:
        values["unless"] = _level_groups(spec["unless"], f"{path}.unless")
    if "tie_margin" in spec:
        values["tie_margin"] = _number(spec["tie_margin"], f"{path}.tie_margin", float, minimum=0)
    if "fit_by" in spec:
        values["fit_by"] = tuple(_text_list(spec["fit_by"], f"{path}.fit_by"))
    return NikSiblings(**values)


def _sibling_names(item: object, path: str) -> SiblingNames:
    spec = _mapping(item, path)
    _known_keys(spec, ("comparison", "levels", "min_first_word_edits", "unless"), path)
    values: dict[str, Any] = {}
    if "comparison" in spec:
        values["comparison"] = _text(spec["comparison"], f"{path}.comparison")
    if "levels" in spec:
        values["levels"] = tuple(_text_list(spec["levels"], f"{path}.levels"))
    if "min_first_word_edits" in spec:
        values["min_first_word_edits"] = _number(
            spec["min_first_word_edits"], f"{path}.min_first_word_edits", int, minimum=1
        )
    if "unless" in spec:
        values["unless"] = _level_groups(spec["unless"], f"{path}.unless")
    return SiblingNames(**values)


def _level_groups(item: object, path: str) -> tuple[tuple[LevelsOf | tuple[LevelsOf, ...], ...], ...]:
    """A list of groups, each a list of alternatives: a ``{comparison, levels}`` condition or ``{all: [...]}``
    of such conditions (levels are checked against the comparisons when the settings are built)."""
    groups = []
    for g, group in enumerate(_list(item, path)):
        where = f"{path}[{g}]"
        conditions: list[LevelsOf | tuple[LevelsOf, ...]] = []
        for c, condition in enumerate(_list(group, where)):
            at = f"{where}[{c}]"
            condition = _mapping(condition, at)
            if "all" in condition:
                _known_keys(condition, ("all",), at)
                parts = _list(condition["all"], f"{at}.all")
                if len(parts) < 2:
                    raise MatchSettingsError(f"{at}.all: list at least two conditions")
                conditions.append(tuple(_levels_of(part, f"{at}.all[{k}]") for k, part in enumerate(parts)))
            else:
                conditions.append(_levels_of(condition, at))
        if not conditions:
            raise MatchSettingsError(f"{where}: list at least one condition")
        groups.append(tuple(conditions))
    return tuple(groups)


def _levels_of(item: object, path: str) -> LevelsOf:
    condition = _mapping(item, path)
    _known_keys(condition, ("comparison", "levels"), path)
    return LevelsOf(
        comparison=_text(_required(condition, "comparison", path), f"{path}.comparison"),
        levels=tuple(_text_list(_required(condition, "levels", path), f"{path}.levels")),
    )


def _synonyms(item: object) -> dict[str, dict[str, str]]:
    spec = _mapping(item, "synonyms")
    allowed = ("name", *GENERIC_FIELDS)
    out: dict[str, dict[str, str]] = {}
    for field_name, table in spec.items():
        if field_name not in allowed:
            raise MatchSettingsError(f"synonyms.{field_name}: synonyms apply to {list(allowed)}")
        table = _mapping(table, f"synonyms.{field_name}")
        out[field_name] = {}
        for word, value in table.items():
            word_text = _text(word, f"synonyms.{field_name}")
            out[field_name][word_text.upper()] = _text(value, f"synonyms.{field_name}.{word_text}").upper()
    return out


# --- small typed readers -------------------------------------------------------------------------------


def _mapping(value: object, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise MatchSettingsError(f"{path}: expected a mapping, found {type(value).__name__}")
    return value


def _list(value: object, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise MatchSettingsError(f"{path}: expected a list, found {type(value).__name__}")
    return value


def _text(value: object, path: str) -> str:
    if not isinstance(value, str) or not value:
        raise MatchSettingsError(f"{path}: expected a non-empty text, found {value!r}")
    return value


def _text_list(value: object, path: str) -> list[str]:
    return [_text(item, f"{path}[{k}]") for k, item in enumerate(_list(value, path))]


def _field(value: object, path: str) -> str:
    name = _text(value, path)
    if name not in FIELDS:
        raise MatchSettingsError(f"{path}: unknown field {name!r}; fields: {sorted(FIELDS)}")
    return FIELDS[name]


def _number(value: object, path: str, kind: type[_N], minimum: float | None = None, maximum: float | None = None) -> _N:
    if isinstance(value, bool) or not isinstance(value, int | float) or (kind is int and not isinstance(value, int)):
        raise MatchSettingsError(f"{path}: expected {'an integer' if kind is int else 'a number'}, found {value!r}")
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise MatchSettingsError(f"{path}: {value!r} is outside [{minimum}, {maximum}]")
    return kind(value)


def _required(spec: Mapping[str, Any], key: str, path: str) -> object:
    if key not in spec:
        raise MatchSettingsError(f"{path}: the key {key!r} is required")
    return spec[key]


def _known_keys(spec: Mapping[str, Any], allowed: tuple[str, ...], path: str) -> None:
    unknown = sorted(str(key) for key in spec if key not in allowed)
    if unknown:
        raise MatchSettingsError(f"{path}: unknown key(s) {unknown}; allowed: {list(allowed)}")
