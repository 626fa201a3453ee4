"""Validation of a read source against its contract: whole-file rules here, row rules through Great Expectations.

Whole-file rules (missing or renamed columns, plus what the reader found: empty files, wrong delimiter, bytes not
in the declared encoding) become :attr:`ValidationReport.file_errors`; the pipeline blocks on them. Row rules are
one GX expectation suite built from the contract (not-null, regex, value sets, ranges, uniqueness) and run on a
frame indexed by the reader's stable row id, so GX's failing index labels are our row ids. Values never leave
this module in a message: issues carry the row id, column, rule and a reason written from the contract.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from data_contracts.contract import ColumnRule, Contract
from data_contracts.reader import (
    ROW_PROBLEM_COLUMNS,
    RawSource,
    canonical_headers,
    looks_like_data,
    missing_columns_problem,
)
from data_contracts.rule_checks import RowCheck, check_engine

ISSUE_COLUMNS = ["row", "column", "rule", "reason", "severity"]
EXPECTATION_COLUMNS = ["expectation", "column", "success", "unexpected_count"]
_INTEGER = r"^[+-]?\d+$"
#: Prefix of the validation frame's columns holding a range rule's values as numbers or dates.
_RANGE_HELPER = "__range__"


@dataclass
class ValidationReport:
    """The outcome of validating one source.

    ``file_errors``: whole-file failures (block the pipeline). ``warnings``: tolerated oddities (extra columns).
    ``row_issues``: one row per (row id, column, rule) failure with ``severity`` ``quarantine`` or ``flag``.
    ``expectations``: every GX expectation with its success and unexpected count (never values).
    """

    source: str
    file_errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    row_issues: pd.DataFrame = field(default_factory=lambda: empty_issues())
    expectations: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=EXPECTATION_COLUMNS))
    known_columns: tuple[str, ...] = ()
    #: What validating computed that standardising the same read needs again (the validation frame, the range
    #: rules' parsed dates); :func:`data_contracts.standardise.standardise` takes it and releases it.
    checked: CheckedValues | None = field(default=None, repr=False, compare=False)

    @property
    def passed(self) -> bool:
        return not self.file_errors


@dataclass(frozen=True)
class CheckedValues:
    """The validation frame of ``raw`` (the :class:`RawSource` frame it was made from, compared by identity) and
    parsed values by ``(kind, column)`` (``kind`` ``date`` or ``month``, as the standardiser's parse checks)."""

    raw: pd.DataFrame
    text: pd.DataFrame
    parsed: dict[tuple[str, str], pd.Series]

    def text_of(self, raw: pd.DataFrame) -> pd.DataFrame | None:
        """The validation frame when ``raw`` is the frame it was made from, else None."""
        return self.text if raw is self.raw else None


@dataclass(frozen=True)
class _Rule:
    """One row rule: what it checks (GX's meaning, :class:`RowCheck`), and how a failure is reported."""

    check: RowCheck
    column: str
    rule: str
    reason: str
    severity: str
    keep_first: bool = False


def empty_issues() -> pd.DataFrame:
    return pd.DataFrame({"row": pd.Series(dtype="int64"), **{c: pd.Series(dtype="str") for c in ISSUE_COLUMNS[1:]}})


def validate_source(
    contract: Contract, raw: RawSource, snapshot_date: date | None = None, *, engine: str = "pandas"
) -> ValidationReport:
    """Check ``raw`` against ``contract``: whole-file rules, then the contract's row rules.

    ``snapshot_date`` is the day the feed describes: a date bound ``today`` means that day (default: the clock's
    today, for checking a file by hand). The row rules have the meaning of the GX expectations they name;
    ``engine="pandas"`` (default) checks them vectorised, one pass over each rule's column, ``engine="gx"`` runs
    them as a GX suite (same issues, several times slower on large sources: GX copies the frame for every
    expectation)."""
    file_errors, warnings = _header_checks(contract, raw)
    reader_issues = raw.row_problems.reindex(columns=ROW_PROBLEM_COLUMNS).assign(severity="quarantine")
    frame = validation_frame(contract, raw.frame)
    rules = _rules(contract, frame, snapshot_date)
    row_issues, expectations = (
        _run_suite(contract.source, frame, rules, check_engine(engine))
        if len(frame) and rules
        else (empty_issues(), pd.DataFrame(columns=EXPECTATION_COLUMNS))
    )
    issues = pd.concat([_or_empty(reader_issues), row_issues], ignore_index=True)
    helpers = [column for column in frame.columns if column.startswith(_RANGE_HELPER)]
    parsed = {
        (rule.type, rule.name): frame[_RANGE_HELPER + rule.name].rename(rule.name)
        for rule in contract.columns
        if rule.type in ("date", "month") and _RANGE_HELPER + rule.name in frame.columns
    }
    return ValidationReport(
        source=contract.source,
        file_errors=[*raw.file_problems, *file_errors],
        warnings=warnings,
        row_issues=issues.astype({"row": "int64"}).sort_values(["row", "column"], kind="stable", ignore_index=True),
        expectations=expectations,
        known_columns=contract.column_names,
        checked=CheckedValues(raw.frame, frame.drop(columns=helpers), parsed),
    )


def _or_empty(issues: pd.DataFrame) -> pd.DataFrame:
    return issues if len(issues) else empty_issues()


# -- whole-file rules ---------------------------------------------------------------------------------------


def _header_checks(contract: Contract, raw: RawSource) -> tuple[list[str], list[str]]:
    """Whole-file column rules. Required columns missing from a file are found by the reader (the file is
    refused there, or dropped from an optional multi-file source); here: a safety net for files the reader
    passed, and warnings for unexpected columns (named only when they look like header text, never data)."""
    known = set(contract.column_names)
    errors, warnings = [], list(raw.dropped_files)
    for name, header in raw.headers.items():
        problem = missing_columns_problem(contract, name, header)
        if problem is not None:
            errors.append(problem)
            continue
        canonical = canonical_headers(contract, header)
        unexpected = [
            (position, orig)
            for position, (orig, column) in enumerate(zip(header, canonical, strict=True), start=1)
            if column not in known
        ]
        if unexpected:
            shown = [
                orig if orig and not looks_like_data(orig) else f"(column {position})" for position, orig in unexpected
            ]
            warnings.append(f"file {name}: unexpected column(s) {shown} kept but not validated")
    return errors, warnings


# -- the validation frame -----------------------------------------------------------------------------------


def validation_frame(contract: Contract, frame: pd.DataFrame) -> pd.DataFrame:
    """The contract's columns as trimmed text (empty → NA), allowed-value columns canonicalised, same index."""
    columns = {
        rule.name: canonical_values(rule, frame[rule.name]) for rule in contract.columns if rule.name in frame.columns
    }
    return pd.DataFrame(columns, index=frame.index)


def trimmed(values: pd.Series) -> pd.Series:
    """Values without surrounding whitespace; empty → NA. (Inner whitespace is the normalisers' business.)"""
    text = values.astype("str").str.strip()
    return text.mask(text == "")


def canonical_values(rule: ColumnRule, values: pd.Series) -> pd.Series:
    """Trimmed values; for columns with ``allowed`` values, synonyms and (unless case-sensitive) case and
    spacing variants are replaced by the allowed spelling, looked up once per distinct value. Unknown values
    stay as they are, so the value-set rule catches them."""
    text = trimmed(values)
    if not rule.allowed:
        return text
    fold: Callable[[str], str] = (
        (lambda v: " ".join(v.split())) if rule.case_sensitive else (lambda v: " ".join(v.split()).casefold())
    )
    lookup = {fold(value): value for value in rule.allowed}
    lookup.update({fold(variant): target for variant, target in rule.synonyms})
    canonical = {value: lookup.get(fold(value), value) for value in text.dropna().unique()}
    return text.map(canonical).astype("str")


def _typed(rule: ColumnRule, values: pd.Series) -> pd.Series:
    """Values as numbers or dates for range rules (unparseable → NA; the parse rules report those)."""
    if rule.type == "integer":
        return pd.to_numeric(values, errors="coerce")
    if rule.formats:
        from data_contracts.date_formats import parse_with_formats

        return parse_with_formats(values, rule.formats, rule.type)
    from matching.normalize import parse_date, parse_month

    return (parse_month if rule.type == "month" else parse_date)(values)


# -- row rules ----------------------------------------------------------------------------------------------


def _rules(contract: Contract, frame: pd.DataFrame, snapshot_date: date | None = None) -> list[_Rule]:
    rules: list[_Rule] = []
    for column in contract.columns:
        if column.name in frame.columns:
            rules.extend(_column_rules(contract, column, frame, snapshot_date))
    rules.extend(_key_rules(contract, frame))
    return rules


def _column_rules(
    contract: Contract, column: ColumnRule, frame: pd.DataFrame, snapshot_date: date | None = None
) -> list[_Rule]:
    name, severity = column.name, column.on_fail
    rules = []
    if column.not_null or name in contract.record_key:
        rules.append(
            _Rule(
                RowCheck("not_null", (name,)),
                name,
                "not_null",
                "empty value in a column that must be filled",
                "quarantine" if name in contract.record_key else severity,
            )
        )
    if column.type == "integer":
        rules.append(
            _Rule(RowCheck("pattern", (name,), pattern=_INTEGER), name, "integer", "not a whole number", severity)
        )
    if column.pattern:
        rules.append(
            _Rule(
                RowCheck("pattern", (name,), pattern=column.pattern),
                name,
                "pattern",
                f"does not match the pattern {column.pattern}",
                severity,
            )
        )
    if column.allowed:
        rules.append(
            _Rule(
                RowCheck("allowed", (name,), allowed=tuple(column.allowed)),
                name,
                "allowed",
                f"not one of the allowed values {list(column.allowed)}",
                severity,
            )
        )
    if column.min is not None or column.max is not None:
        rules.append(_range_rule(column, frame, snapshot_date))
    if column.unique and contract.record_key != (name,):
        rules.append(
            _Rule(
                RowCheck("unique", (name,)),
                name,
                "unique",
                "duplicate value (the first occurrence is kept)",
                severity,
                keep_first=True,
            )
        )
    return rules


def _range_rule(column: ColumnRule, frame: pd.DataFrame, snapshot_date: date | None = None) -> _Rule:
    helper = _RANGE_HELPER + column.name
    frame[helper] = _typed(column, frame[column.name])
    low, high = column.bound("min", snapshot_date), column.bound("max", snapshot_date)
    if column.type in ("date", "month"):
        low, high = (pd.Timestamp(b) if b is not None else None for b in (low, high))
    reason = f"outside the allowed range {_shown(low)} to {_shown(high)}"
    return _Rule(RowCheck("range", (helper,), low=low, high=high), column.name, "range", reason, column.on_fail)


def _shown(bound: object) -> str:
    if bound is None:
        return "(open)"
    return bound.date().isoformat() if isinstance(bound, pd.Timestamp) else str(bound)


def _key_rules(contract: Contract, frame: pd.DataFrame) -> list[_Rule]:
    key = [column for column in contract.record_key if column in frame.columns]
    if not key or len(key) != len(contract.record_key):
        return []
    reason = "duplicate record key (the first occurrence is kept)"
    return [
        _Rule(RowCheck("unique", tuple(key)), "|".join(key), "duplicate_key", reason, "quarantine", keep_first=True)
    ]


def _run_suite(source: str, frame: pd.DataFrame, rules: list[_Rule], engine: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run the rules on ``frame``; return row issues and the per-expectation summary."""
    if engine == "gx":
        outcomes = []
        for _position, result in sorted(
            validate_with_gx(source, frame, [rule.check.expectation() for rule in rules]), key=lambda pair: pair[0]
        ):
            labels = pd.Index(result.result.get("unexpected_index_list") or [], dtype="int64")
            outcomes.append((bool(result.success), int(result.result.get("unexpected_count") or 0), labels))
    else:
        outcomes = []
        for rule in rules:
            failing = rule.check.failing(frame)
            outcomes.append((not failing.any(), int(failing.sum()), pd.Index(frame.index[failing], dtype="int64")))
    issues, summary = [], []
    for rule, (success, unexpected, labels) in zip(rules, outcomes, strict=True):
        summary.append((rule.check.gx_type, rule.column, success, unexpected))
        labels = labels.sort_values()
        if rule.keep_first and len(labels):
            labels = labels[_later_duplicates(frame, rule, labels)]
        issues.append(
            pd.DataFrame(
                {
                    "row": labels,
                    "column": rule.column,
                    "rule": rule.rule,
                    "reason": rule.reason,
                    "severity": rule.severity,
                }
            )
        )
    row_issues = pd.concat(issues, ignore_index=True) if issues else empty_issues()
    expectations = pd.DataFrame(summary, columns=EXPECTATION_COLUMNS)
    return row_issues.astype({"row": "int64"}), expectations


def _later_duplicates(frame: pd.DataFrame, rule: _Rule, labels: pd.Index) -> Any:
    """Mask over ``labels``: True for every occurrence of a duplicated value after its first."""
    columns = rule.column.split("|")
    later = frame.loc[labels, columns].duplicated(keep="first")
    return later.to_numpy()


def validate_with_gx(source: str, frame: pd.DataFrame, expectations: list[Any]) -> list[tuple[int, Any]]:
    """Validate ``frame`` with an ephemeral GX context; returns (rule position, result) pairs.

    Each expectation carries its position in ``meta`` because GX does not keep the suite's order in results.
    """
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    # Analytics off through the context's own configuration (GX's ``analytics_enabled``: either it or the
    # ``GX_ANALYTICS_ENABLED`` variable set to false turns them off), so nothing here edits the process environment.
    config = DataContextConfig(
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
        store_backend_defaults=InMemoryStoreBackendDefaults(),
    )
    context = gx.get_context(mode="ephemeral", project_config=config)
    batch = (
        context.data_sources.add_pandas(f"{source}_source")
        .add_dataframe_asset(f"{source}_frame")
        .add_batch_definition_whole_dataframe(f"{source}_batch")
        .get_batch(batch_parameters={"dataframe": frame})
    )
    suite = gx.ExpectationSuite(name=f"{source}_contract")
    for position, expectation in enumerate(expectations):
        expectation.meta = {"rule": position}
        suite.add_expectation(expectation)
    outcome = batch.validate(suite, result_format="COMPLETE")
    failed = [r.expectation_config.type for r in outcome.results if (r.exception_info or {}).get("raised_exception")]
    if failed:
        raise RuntimeError(f"source {source}: Great Expectations could not evaluate {failed}")
    return [(int(r.expectation_config.meta["rule"]), r) for r in outcome.results]
