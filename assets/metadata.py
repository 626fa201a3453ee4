"""Metadata builders shared by the assets: counts, rates and markdown tables, never personal values."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import dagster as dg
import pandas as pd


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


def table_metadata(frame: pd.DataFrame) -> dict[str, object]:
    """Dagster's standard table metadata: row count and column schema (names and dtypes only)."""
    schema = dg.TableSchema(
        columns=[dg.TableColumn(name=str(name), type=str(dtype)) for name, dtype in frame.dtypes.items()]
    )
    return {"dagster/row_count": dg.MetadataValue.int(len(frame)), "dagster/column_schema": schema}


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value).replace("|", "\\|")
