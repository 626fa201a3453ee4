"""Contracts of the published registry tables, and the validator that refuses a table breaking its own contract.

One YAML file per published table in ``data_contracts/outputs/`` (format: ``docs/contracts.md``, section
*Contracts of the published outputs*). A contract describes the restricted-tier table as the registry assets
produce it: every column with its ``type`` and row rules (``not_null``, ``unique``, ``pattern``, ``allowed``,
``min``/``max``), plus table rules (``unique_key``, ``min_rows``). Contracts are strict: a column the contract
does not declare is a problem, so a new published column is a reviewed change.

Column presence and dtypes are checked in pandas. Row and table rules have the meaning of Great Expectations'
expectations (not null, regex, value set, range, unique, compound unique, row count) and run vectorised in
pandas, each about one pass over its column: at a million rows a GX suite costs a filtered copy of the table per
rule, which made this check the slowest part of publication. The same rules still run as a GX suite with
``engine="gx"``, and the tests hold the two to the same problems. Problems name the table, the column, the rule
and the number of failing rows, never a value: the restricted tables hold personal data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from data_contracts.contract import PACKAGE_DIR, ContractError, ContractParser, read_contract_document
from data_contracts.rule_checks import RowCheck, check_engine
from data_contracts.validation import validate_with_gx

OUTPUT_CONTRACTS_DIR = PACKAGE_DIR / "outputs"
OUTPUT_COLUMN_TYPES = ("string", "integer", "float", "boolean", "date", "list")
_RANGED_TYPES = ("integer", "float", "date")
_COLUMN_KEYS = {"type", "not_null", "unique", "pattern", "allowed", "min", "max", "description"}
_TOP_KEYS = {"table", "description", "unique_key", "min_rows", "columns"}


@dataclass(frozen=True)
class OutputColumn:
    """One column of a published table and the rules its values must follow."""

    name: str
    type: str
    not_null: bool = False
    unique: bool = False
    pattern: str | None = None
    allowed: tuple[Any, ...] = ()
    min: float | date | None = None
    max: float | date | None = None
    description: str = ""


@dataclass(frozen=True)
class OutputContract:
    """A parsed output contract. ``columns`` keep the YAML order; ``unique_key`` may be empty."""

    table: str
    description: str
    columns: tuple[OutputColumn, ...]
    unique_key: tuple[str, ...] = ()
    min_rows: int = 0
    path: Path | None = field(default=None, compare=False)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)


@dataclass
class OutputValidation:
    """The outcome of validating one table: ``passed`` when ``problems`` is empty. Messages hold no values."""

    table: str
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems


# -- loading ------------------------------------------------------------------------------------------------


def load_output_contracts(directory: Path | None = None) -> dict[str, OutputContract]:
    """Every ``*.yaml`` output contract in ``directory`` (default ``data_contracts/outputs/``), keyed by table."""
    folder = Path(directory) if directory is not None else OUTPUT_CONTRACTS_DIR
    if not folder.is_dir():
        raise ContractError(f"output contracts folder {folder} does not exist")
    contracts: dict[str, OutputContract] = {}
    for path in sorted(folder.glob("*.yaml")):
        contract = load_output_contract(path)
        if contract.table in contracts:
            raise ContractError(
                f"{path.name}: table {contract.table!r} is already defined in {contracts[contract.table].path.name}"  # type: ignore[union-attr]  # loaded from a file
            )
        contracts[contract.table] = contract
    return dict(sorted(contracts.items()))


def load_output_contract(path: Path | str) -> OutputContract:
    """Parse and check one output contract file. Raises :class:`ContractError` naming the file and the key."""
    path = Path(path)
    return _OutputContractParser(path).parse(read_contract_document(path))


class _OutputContractParser(ContractParser):
    """The source contract parser's value checks, applied to the output contract format."""

    def parse(self, document: Any) -> OutputContract:  # type: ignore[override]  # another document, same checks
        top = self.mapping(document, "(top level)")
        self.known_keys(top, "(top level)", _TOP_KEYS)
        columns = self.output_columns(top.get("columns"))
        names = {column.name for column in columns}
        unique_key = self.names(top.get("unique_key"), "unique_key")
        for column in unique_key:
            if column not in names:
                raise self.fail("unique_key", f"column {column!r} is not declared under columns")
        min_rows = top.get("min_rows", 0)
        if isinstance(min_rows, bool) or not isinstance(min_rows, int) or min_rows < 0:
            raise self.fail("min_rows", "must be a whole number >= 0")
        return OutputContract(
            table=self.text(top, "table", required=True),
            description=self.text(top, "description") or "",
            columns=columns,
            unique_key=unique_key,
            min_rows=min_rows,
            path=self.path,
        )

    def output_columns(self, value: Any) -> tuple[OutputColumn, ...]:
        block = self.mapping(value, "columns")
        if not block:
            raise self.fail("columns", "declare at least one column")
        return tuple(self.output_column(self.scalar(name, "columns"), spec) for name, spec in block.items())

    def output_column(self, name: str, spec: Any) -> OutputColumn:
        key = f"columns.{name}"
        spec = self.mapping(spec, key)
        self.known_keys(spec, key, _COLUMN_KEYS)
        where = f"{key}."
        column_type = self.choice(spec, "type", OUTPUT_COLUMN_TYPES, default=None, where=where)
        allowed = spec.get("allowed") or []
        if not isinstance(allowed, list):
            raise self.fail(f"{where}allowed", "must be a list of values")
        if spec.get("pattern") is not None and column_type != "string":
            raise self.fail(f"{where}pattern", "applies to string columns only")
        return OutputColumn(
            name=name,
            type=column_type,
            not_null=self.boolean(spec, "not_null", default=False, where=where),
            unique=self.boolean(spec, "unique", default=False, where=where),
            pattern=self.regex(spec.get("pattern"), f"{where}pattern"),
            allowed=tuple(self.scalar(value, f"{where}allowed") for value in allowed),
            min=self.output_bound(spec.get("min"), column_type, f"{where}min"),
            max=self.output_bound(spec.get("max"), column_type, f"{where}max"),
            description=self.text(spec, "description", where=where) or "",
        )

    def output_bound(self, value: Any, column_type: str, key: str) -> float | date | None:
        if value is None:
            return None
        if column_type not in _RANGED_TYPES:
            raise self.fail(key, f"min/max apply to {', '.join(_RANGED_TYPES)} columns only")
        if column_type == "date":
            try:
                return value if isinstance(value, date) else date.fromisoformat(str(value))
            except ValueError as error:
                raise self.fail(key, "must be an ISO date (YYYY-MM-DD)") from error
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(key, "must be a number")
        return value


# -- validation ---------------------------------------------------------------------------------------------


def validate_outputs(
    tables: Mapping[str, pd.DataFrame], contracts: Mapping[str, OutputContract] | None = None, *, engine: str = "pandas"
) -> dict[str, OutputValidation]:
    """Validate every table of ``tables`` that has a contract (default: the packaged output contracts), one
    table at a time."""
    contracts = load_output_contracts() if contracts is None else contracts
    # Looked up one at a time and only when contracted: ``tables`` may read each table when looked up.
    return {name: validate_output(contracts[name], tables[name], engine=engine) for name in tables if name in contracts}


def validate_output(contract: OutputContract, frame: pd.DataFrame, *, engine: str = "pandas") -> OutputValidation:
    """Check ``frame`` against ``contract``: columns and dtypes, then the row and table rules.

    Row rules run only on columns that are present with the declared type, so one wrong column is reported
    once (as a type problem) instead of as a cascade of row failures. They have the meaning of Great
    Expectations' expectations (:class:`_OutputRule`); ``engine="pandas"`` (default) checks them vectorised,
    about one pass over each checked column, ``engine="gx"`` runs them as a GX suite (same problems, far slower).
    """
    present = [column for column in contract.columns if column.name in frame.columns]
    mistyped = [column for column in present if not _TYPE_CHECKS[column.type](frame[column.name])]
    problems = _column_problems(contract, frame, mistyped)
    rules = _row_rules(contract, {column.name for column in present} - {column.name for column in mistyped})
    if rules:
        problems.extend(_run_rules(contract, frame, rules, engine))
    return OutputValidation(table=contract.table, problems=problems)


def _column_problems(contract: OutputContract, frame: pd.DataFrame, mistyped: list[OutputColumn]) -> list[str]:
    table, declared = contract.table, set(contract.column_names)
    problems = [
        f"{table}: column {name!r}: rule present failed (column missing)"
        for name in contract.column_names
        if name not in frame.columns
    ]
    extra = [str(name) for name in frame.columns if name not in declared]
    if extra:
        problems.append(f"{table}: column(s) {extra}: rule strict failed (not declared in the contract)")
    problems.extend(
        f"{table}: column {column.name!r}: rule type failed (expected {column.type}, found dtype {frame[column.name].dtype})"
        for column in mistyped
    )
    return problems


def _is_string(values: pd.Series) -> bool:
    """Text dtype, or an object column holding only text (an all-missing column has no type to contradict)."""
    if values.dtype == object:
        return pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty")
    return pd.api.types.is_string_dtype(values)


def _is_list(values: pd.Series) -> bool:
    """Lists per row: Python lists or NumPy arrays (how Parquet ``list<string>`` reads back), or an Arrow list."""
    if isinstance(values.dtype, pd.ArrowDtype):
        import pyarrow as pa

        return pa.types.is_list(values.dtype.pyarrow_dtype) or pa.types.is_large_list(values.dtype.pyarrow_dtype)
    if values.dtype != object:
        return False
    present = values.dropna()
    return bool(present.map(lambda value: isinstance(value, (list, tuple)) or getattr(value, "ndim", 0) == 1).all())


_TYPE_CHECKS: dict[str, Callable[[pd.Series], bool]] = {
    "string": _is_string,
    "integer": lambda values: pd.api.types.is_integer_dtype(values) and not pd.api.types.is_bool_dtype(values),
    "float": pd.api.types.is_float_dtype,
    "boolean": pd.api.types.is_bool_dtype,
    "date": pd.api.types.is_datetime64_dtype,
    "list": _is_list,
}


@dataclass(frozen=True)
class _OutputRule:
    """One rule of a contract and the name its failure is reported under: a row rule (``check``, see
    :class:`data_contracts.rule_checks.RowCheck`) or the table rule ``min_rows`` (``check`` is None)."""

    check: RowCheck | None
    rule: str
    min_rows: int = 0

    @property
    def columns(self) -> tuple[str, ...]:
        return self.check.columns if self.check is not None else ()

    def expectation(self) -> Any:
        """The GX Core expectation this rule stands for."""
        if self.check is not None:
            return self.check.expectation()
        import great_expectations as gx

        return gx.expectations.ExpectTableRowCountToBeBetween(min_value=self.min_rows)

    def outcome(self, frame: pd.DataFrame) -> tuple[bool, int]:
        """(passed, rows breaking the rule), or for ``min_rows`` (passed, the table's row count)."""
        if self.check is None:
            return len(frame) >= self.min_rows, len(frame)
        failing = int(self.check.failing(frame).sum())
        return failing == 0, failing


def _row_rules(contract: OutputContract, checkable: set[str]) -> list[_OutputRule]:
    rules = [rule for column in contract.columns if column.name in checkable for rule in _column_rules(column)]
    return rules + _table_rules(contract, checkable)


def _column_rules(column: OutputColumn) -> list[_OutputRule]:
    name, rules = (column.name,), []
    if column.not_null:
        rules.append(_OutputRule(RowCheck("not_null", name), "not_null"))
    if column.pattern:
        rules.append(_OutputRule(RowCheck("pattern", name, pattern=column.pattern), f"pattern {column.pattern}"))
    if column.allowed:
        rules.append(_OutputRule(RowCheck("allowed", name, allowed=column.allowed), f"allowed {list(column.allowed)}"))
    if column.min is not None or column.max is not None:
        check = RowCheck("range", name, low=_gx_bound(column, column.min), high=_gx_bound(column, column.max))
        rules.append(_OutputRule(check, f"range {_shown(column.min)} to {_shown(column.max)}"))
    if column.unique:
        rules.append(_OutputRule(RowCheck("unique", name), "unique"))
    return rules


def _gx_bound(column: OutputColumn, bound: float | date | None) -> float | pd.Timestamp | None:
    return pd.Timestamp(bound) if column.type == "date" and bound is not None else bound


def _shown(bound: float | date | None) -> str:
    return "(open)" if bound is None else str(bound)


def _table_rules(contract: OutputContract, checkable: set[str]) -> list[_OutputRule]:
    rules = []
    if contract.min_rows:
        rules.append(_OutputRule(None, f"min_rows {contract.min_rows}", min_rows=contract.min_rows))
    key = contract.unique_key
    if key and set(key) <= checkable:
        rules.append(_OutputRule(RowCheck("unique", key), "unique_key"))
    return rules


def _run_rules(contract: OutputContract, frame: pd.DataFrame, rules: list[_OutputRule], engine: str) -> list[str]:
    """Run the rules; one message per failed rule, with the failing row count (or the row total).

    ``engine="pandas"``: each rule is one vectorised check on its column(s) of ``frame`` (no copy of the
    table). ``engine="gx"``: the rules run as one GX suite on the columns some rule reads (GX filters the frame
    for every metric, so it costs a copy of the table per rule: the reference the pandas checks are tested
    against, too slow for millions of rows).
    """
    if check_engine(engine) == "gx":
        used = {column for rule in rules for column in rule.columns}
        checked = frame[[column for column in frame.columns if column in used]].reset_index(drop=True)
        results = validate_with_gx(contract.table, checked, [rule.expectation() for rule in rules])
        outcomes = {
            position: (
                bool(result.success),
                int(result.result.get("unexpected_count") or 0)
                if rules[position].columns
                else int(result.result["observed_value"]),
            )
            for position, result in results
        }
    else:
        outcomes = {position: rule.outcome(frame) for position, rule in enumerate(rules)}
    problems = []
    for position, (success, count) in sorted(outcomes.items()):
        if success:
            continue
        rule = rules[position]
        if rule.columns:
            problems.append(
                f"{contract.table}: column {'|'.join(rule.columns)!r}: rule {rule.rule} failed for {count} row(s)"
            )
        else:
            problems.append(f"{contract.table}: rule {rule.rule} failed (the table has {count} rows)")
    return problems
