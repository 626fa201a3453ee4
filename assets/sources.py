"""Per-source assets, generated from the data contracts: a new contract file is a new set of assets.

Each source is one multi-asset step that reads the inbox once and emits three assets:

- ``raw_<source>``: the read itself (files, rows, columns, the validation summary). Its rows are not stored:
  they are the agency's personal data in raw form, the inbox is their system of record, and the step that
  validates them is the step that standardises them, so nothing reads them back. The blocking check
  ``contract_file_rules`` hangs on this asset.
- ``quarantine_<source>``: rows that break row rules, with source, row, column and reason (stored).
- ``standard_<source>``: one row per accepted record in the common person schema (stored). Its metadata
  carries the row accounting (rows read = standardised + quarantined; the standardiser enforces it).

When a whole-file rule fails (unreachable source, empty or undecodable file, missing required column) the step
records the failed check. For a required source (the default) the check fails with ERROR severity, no quarantine
or standard records are emitted, and the blocking check fails the step: nothing downstream runs on a partial set
of sources. A source whose contract says ``required: false`` fails the check with WARN severity and contributes
empty tables, so one bad optional list does not stop the night.
"""

import datetime as dt
import functools
import hashlib
from collections.abc import Iterator
from typing import TypedDict

import dagster as dg
import pandas as pd
from dagster import AssetExecutionContext

import data_contracts
from assets.check_names import CONTRACT_FILE_RULES
from assets.groups import source_system
from assets.keys import (
    ingest_step_name,
    quarantine_key,
    quarantine_name,
    raw_key,
    raw_name,
    standard_key,
    standard_name,
)
from assets.metadata import (
    CHECK_ERRORS,
    NIK_VALIDITY_RATE,
    REGION_RESOLUTION_RATE,
    ROW_COUNT,
    ROWS_READ,
    SKIPPED,
    TOP_REASONS,
    Metadata,
    markdown_table,
    metadata_label,
    share,
    table_metadata,
)
from assets.partitions import snapshot_date, snapshot_partitions
from assets.resources import SourceInbox
from data_contracts.reader import LINEAGE_COLUMNS
from data_contracts.validation import empty_issues
from matching.normalize import RegionResolver

TOP_QUARANTINE_REASONS = 5
# The standardiser's row accounting: rows_read == rows_standardised + rows_quarantined.
ACCOUNTING_KEYS = ("rows_read", "rows_standardised", "rows_quarantined")

IngestEvent = dg.MaterializeResult | dg.AssetCheckResult
# Contract read format → the kind tags the UI shows on raw_<source> ("auto" reads Excel and CSV files).
SOURCE_FORMAT_KINDS = {"csv": ("csv",), "excel": ("excel",), "sql": ("sql",), "auto": ("csv", "excel")}


class _OutOptions(TypedDict):
    """What the three outputs of a source's step share (typed, so the ``**`` below is checked)."""

    group_name: str
    metadata: dict[str, dg.MetadataValue]
    code_version: str | None
    is_required: bool


def build_source_assets(contract: data_contracts.Contract) -> dg.AssetsDefinition:
    """The read → validate → standardise step of one source, as three assets and a blocking check."""
    source = contract.source
    common: _OutOptions = {
        "group_name": source_system(contract),
        "metadata": {"data owner": dg.MetadataValue.text(contract.owner)},
        "code_version": contract_version(contract),
        "is_required": False,
    }

    @dg.multi_asset(
        name=ingest_step_name(source),
        outs={
            raw_name(source): dg.AssetOut(
                key=raw_key(source),
                description=f"{contract.title}: the source as read from the inbox (not stored).",
                dagster_type=dg.Nothing,
                kinds={"pandas", *SOURCE_FORMAT_KINDS.get(contract.read.format, ())},
                **common,
            ),
            quarantine_name(source): dg.AssetOut(
                key=quarantine_key(source),
                description=f"{contract.title}: rows that break the contract's row rules, with reasons.",
                kinds={"pandas", "parquet"},
                **common,
            ),
            standard_name(source): dg.AssetOut(
                key=standard_key(source),
                description=f"{contract.title}: accepted records in the common person schema.",
                kinds={"pandas", "parquet"},
                **common,
            ),
        },
        internal_asset_deps={
            quarantine_name(source): {raw_key(source)},
            standard_name(source): {raw_key(source)},
        },
        check_specs=[
            dg.AssetCheckSpec(
                CONTRACT_FILE_RULES,
                asset=raw_key(source),
                blocking=True,
                description=(
                    "The source is reachable and decodable, no file is empty, every required column is present."
                ),
            ),
        ],
        partitions_def=snapshot_partitions,
        can_subset=False,
    )
    def ingest(context: AssetExecutionContext, source_inbox: SourceInbox) -> Iterator[IngestEvent]:
        yield from _ingest(contract, snapshot_date(context.partition_key), source_inbox, context.retry_number)

    return ingest


def contract_version(contract: data_contracts.Contract) -> str | None:
    """A short hash of the contract file: the UI flags a source's assets as changed when its contract changes.

    None for a contract built in code rather than loaded from a file.
    """
    if contract.path is None:
        return None
    return hashlib.sha256(contract.path.read_bytes()).hexdigest()[:12]


@functools.cache
def region_resolver() -> RegionResolver:
    """The Depok region resolver, built once per process from the reference shipped with the contracts."""
    return RegionResolver(data_contracts.load_region_reference())


def _ingest(
    contract: data_contracts.Contract, snapshot: dt.date, inbox: SourceInbox, retry_number: int
) -> Iterator[IngestEvent]:
    source = contract.source
    try:
        raw = data_contracts.read_source(
            contract,
            inbox.inbox_dir(),
            path_override=inbox.path_override(source),
            url_override=inbox.url_override(source),
        )
    except data_contracts.SourceReadError as error:
        if error.transient and retry_number < inbox.read_retries:
            # A dropped database connection or a network share hiccup: try the read again before failing the night.
            raise dg.RetryRequested(max_retries=inbox.read_retries, seconds_to_wait=inbox.read_retry_seconds) from error
        yield from _rejected(contract, [str(error)])
        return
    report = data_contracts.validate_source(contract, raw, snapshot)
    yield dg.MaterializeResult(asset_key=raw_key(source), metadata=_raw_metadata(raw, report))
    if not report.passed:
        yield from _rejected(contract, [str(error) for error in report.file_errors])
        return
    # An optional multi-file source read on with some files dropped: the check warns, naming each file.
    yield _file_rules_result(contract, list(raw.dropped_files))
    result = data_contracts.standardise(contract, raw, report, snapshot, region_resolver())
    yield dg.MaterializeResult(
        asset_key=quarantine_key(source),
        value=result.quarantine,
        metadata=_quarantine_metadata(result.quarantine, result.issues),
    )
    yield dg.MaterializeResult(
        asset_key=standard_key(source),
        value=result.records,
        metadata=_standard_metadata(result.records, result.accounting, flagged_rows(result.issues)),
    )


def _rejected(contract: data_contracts.Contract, file_errors: list[str]) -> Iterator[IngestEvent]:
    """A source whose files broke whole-file rules.

    Required source: only the failed check; the ERROR-severity blocking check then fails the step and nothing
    downstream runs. Optional source (``required: false`` in its contract): the check fails with WARN severity
    and the source contributes no rows tonight (empty quarantine and standard tables), so the night goes on.
    """
    yield _file_rules_result(contract, file_errors)
    if contract.required:
        return
    skipped = {SKIPPED: dg.MetadataValue.text("optional source rejected by its file rules: no rows tonight")}
    yield dg.MaterializeResult(
        asset_key=quarantine_key(contract.source),
        value=empty_quarantine(),
        metadata={**_quarantine_metadata(empty_quarantine(), empty_issues()), **skipped},
    )
    empty_records = data_contracts.empty_person_frame()
    no_rows = dict.fromkeys(ACCOUNTING_KEYS, 0)
    yield dg.MaterializeResult(
        asset_key=standard_key(contract.source),
        value=empty_records,
        metadata={**_standard_metadata(empty_records, no_rows, flagged=0), **skipped},
    )


def empty_quarantine() -> pd.DataFrame:
    """A quarantine table with no rows, in the standardiser's quarantine columns."""
    return pd.DataFrame(
        {
            column: pd.Series(dtype="int64" if column == "source_row" else "str")
            for column in data_contracts.QUARANTINE_COLUMNS
        }
    )


def flagged_rows(issues: pd.DataFrame) -> int:
    """Rows kept but flagged by an ``on_fail: flag`` rule."""
    return int(issues.loc[issues["severity"] == "flag", "row"].nunique())


def _file_rules_result(contract: data_contracts.Contract, file_errors: list[str]) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        asset_key=raw_key(contract.source),
        check_name=CONTRACT_FILE_RULES,
        passed=not file_errors,
        severity=dg.AssetCheckSeverity.ERROR if contract.required else dg.AssetCheckSeverity.WARN,
        metadata={
            "file errors": dg.MetadataValue.int(len(file_errors)),
            CHECK_ERRORS: dg.MetadataValue.json(file_errors),
            "source required": dg.MetadataValue.bool(contract.required),
        },
    )


def _raw_metadata(raw: data_contracts.RawSource, report: data_contracts.ValidationReport) -> Metadata:
    severities = report.row_issues["severity"].value_counts()
    known = set(report.known_columns)
    return {
        ROW_COUNT: dg.MetadataValue.int(len(raw.frame)),
        "files": dg.MetadataValue.json(list(raw.files)),
        ROWS_READ: dg.MetadataValue.int(len(raw.frame)),
        # Contract columns only: a file whose header line is missing has data values as column names.
        "columns": dg.MetadataValue.json([c for c in raw.frame.columns if c in known]),
        "other columns": dg.MetadataValue.int(
            sum(c not in known and c not in LINEAGE_COLUMNS for c in raw.frame.columns)
        ),
        **{metadata_label(name): dg.MetadataValue.int(count) for name, count in raw.line_totals().items()},
        "files dropped": dg.MetadataValue.json(list(raw.dropped_files)),
        "file errors": dg.MetadataValue.int(len(report.file_errors)),
        "warnings": dg.MetadataValue.json(list(report.warnings)),
        "row issues (quarantine)": dg.MetadataValue.int(int(severities.get("quarantine", 0))),
        "row issues (flag)": dg.MetadataValue.int(int(severities.get("flag", 0))),
        "expectations": _expectations_table(report.expectations),
    }


def _expectations_table(expectations: pd.DataFrame) -> dg.MarkdownMetadataValue:
    """One line per GX expectation: name, column, success, unexpected count (GX's values are never copied)."""
    return markdown_table(
        ["expectation", "column", "success", "unexpected rows"],
        expectations[["expectation", "column", "success", "unexpected_count"]].itertuples(index=False),
    )


def _quarantine_metadata(quarantine: pd.DataFrame, issues: pd.DataFrame) -> Metadata:
    """Counts only: the quarantine itself holds raw values, the metadata never does.

    ``top reasons`` counts quarantined rows per ``<column>: <reason>`` (a row breaking two rules counts twice).
    """
    quarantining = issues.loc[issues["severity"] == "quarantine"]
    rows_per_reason = (
        quarantining.groupby(["column", "reason"])["row"].nunique().sort_values(ascending=False, kind="stable")
    )
    return {
        ROW_COUNT: dg.MetadataValue.int(len(quarantine)),
        TOP_REASONS: dg.MetadataValue.json(
            {
                (f"{column}: {reason}" if column else reason): int(rows)
                for (column, reason), rows in rows_per_reason.head(TOP_QUARANTINE_REASONS).items()
            }
        ),
    }


def _standard_metadata(records: pd.DataFrame, accounting: dict[str, int], flagged: int) -> Metadata:
    rows = len(records)
    return {
        **table_metadata(records),
        **{metadata_label(name): dg.MetadataValue.int(int(count)) for name, count in accounting.items()},
        "rows flagged": dg.MetadataValue.int(flagged),
        NIK_VALIDITY_RATE: dg.MetadataValue.float(share(int(records["nik_valid"].sum()), rows)),
        REGION_RESOLUTION_RATE: dg.MetadataValue.float(share(int(records["kelurahan_code"].notna().sum()), rows)),
    }
