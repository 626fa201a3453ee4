"""Metadata builders shared by the assets: counts, rates and markdown tables, never personal values."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import dagster as dg
import pandas as pd

# Metadata labels read back by name (by the run summary, :mod:`pipelines.summary`, the sensors and tests):
# the assets write them and the readers look them up through these constants, never through their text.
ROW_COUNT = "dagster/row_count"
COLUMN_SCHEMA = "dagster/column_schema"
STORED_URI = "dagster/uri"


#: An asset's metadata as the assets build it: Dagster metadata values, and the table schema (a subset of what
#: ``dg.MaterializeResult(metadata=...)`` accepts, so the builders' results pass straight to Dagster).
Metadata = dict[str, dg.MetadataValue | dg.TableSchema]


def metadata_label(field_name: str) -> str:
    """The label of a snake_case count field in the metadata (``rows_read`` → ``rows read``)."""
    return field_name.replace("_", " ")


# Per source (raw_<source>, standard_<source>, quarantine_<source>): the standardiser's row accounting and the
# reader's line accounting (``data_contracts.reader.LineAccount``), written by label.
ROWS_READ = metadata_label("rows_read")
ROWS_STANDARDISED = metadata_label("rows_standardised")
ROWS_QUARANTINED = metadata_label("rows_quarantined")
LINES_PHYSICAL = metadata_label("lines_physical")
LINES_HEADER = metadata_label("lines_header")
LINES_BLANK = metadata_label("lines_blank")
LINES_CONTINUATION = metadata_label("lines_continuation")
LINES_FILE_ERROR = metadata_label("lines_file_error")
NIK_VALIDITY_RATE = "nik validity rate"
REGION_RESOLUTION_RATE = "region resolution rate"
TOP_REASONS = "top reasons"
SKIPPED = "skipped"
# Check results: the problems a failed check states.
CHECK_ERRORS = "errors"
CHECK_MESSAGE = "message"
# Matching and registry.
WORKERS = "workers"
WORKERS_IN_SEVERAL_SOURCES = "workers with records in several sources"
COVERAGE_COMPUTED = "coverage computed"
VULNERABLE = "vulnerable"
# Publication.
PUBLISHED = "published"
PSEUDONYMS_REVERSIBLE = "pseudonyms reversible"
WAREHOUSE = "warehouse"
DUCKDB = "duckdb"


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> dg.MarkdownMetadataValue:
    """A small markdown table for the asset catalogue (pipes in cells are escaped)."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_cell(value) for value in row) + " |" for row in rows]
    return dg.MetadataValue.md("\n".join(lines))


def counts_table(label: str, counts: Mapping[str, int]) -> dg.MarkdownMetadataValue:
    """``label | rows`` table of counts, in the mapping's order."""
    return markdown_table([label, "rows"], counts.items())


def share(numerator: int, denominator: int) -> float:
    """``numerator / denominator`` rounded for display; 0.0 for an empty denominator."""
    return round(numerator / denominator, 4) if denominator else 0.0


def value_counts(values: pd.Series) -> dg.JsonMetadataValue:
    """``{value: count}`` of a categorical column (codes and categories only, never personal values)."""
    return dg.MetadataValue.json({str(value): int(count) for value, count in values.value_counts().items()})


def table_metadata(frame: pd.DataFrame) -> Metadata:
    """Dagster's standard table metadata: row count and column schema (names and dtypes only)."""
    columns = [(str(name), str(dtype)) for name, dtype in frame.dtypes.items()]
    return {ROW_COUNT: dg.MetadataValue.int(len(frame)), COLUMN_SCHEMA: _column_schema(columns)}


def _column_schema(columns: list[tuple[str, str]]) -> dg.TableSchema:
    """The schema built where only names and dtypes are in scope: Dagster compiles a record's constructor on its
    first call and keeps the caller's local variables for good (``dagster_shared.record``'s ``JitCheckedNew``),
    so building it in :func:`table_metadata` kept the night's first table resident until the process ended
    (the first standardised source: about 90 MB at 200,000 people, 450 MB at a million)."""
    return dg.TableSchema(columns=[dg.TableColumn(name=name, type=dtype) for name, dtype in columns])


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value).replace("|", "\\|")
