"""The standardiser: a validated source onto the common person schema, with quarantine and row accounting.

Every row read ends up in exactly one of two places: ``records`` (the person schema) or ``quarantine`` (with the
columns, rules and reasons it broke and its raw values as JSON). Rows break a rule either in the validation
report (GX rules, ragged lines) or in the parse checks done here (impossible dates, numbers where a name should be,
unreadable phones or sex codes, malformed NIKs). A rule's column decides with ``on_fail`` whether the row is
quarantined or kept and flagged. ``rows_read == rows_standardised + rows_quarantined`` is checked on every call,
and so is the reader's line accounting (every physical line of every file: header, blank, continuation of a
multi-line field, inside a file refused or dropped, or a row read); both are returned in ``accounting``.

Field transforms follow the target field (``birth_date`` is parsed as a date, ``name`` cleaned as a name...), using
the shared normalisers in :mod:`matching.normalize` so every source is cleaned the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from data_contracts.contract import ColumnRule, Contract, FieldMapping
from data_contracts.date_formats import parse_with_formats
from data_contracts.reader import LINEAGE_COLUMNS, SOURCE_FILE, SOURCE_ROW, RawSource
from data_contracts.region_text import area_codes, find_in_text, named_level
from data_contracts.schema import conform_to_person_schema
from data_contracts.validation import ISSUE_COLUMNS, ValidationReport, empty_issues, validation_frame

if TYPE_CHECKING:
    from matching.normalize import RegionResolver

QUARANTINE_COLUMNS = ["source", "record_id", "source_file", "source_row", "columns", "rules", "reason", "raw_values"]

UPPER_TEXT = ("birth_place", "occupation", "business_name", "jkn_segment", "jkn_status", "tk_segment", "tk_status")
# Generic person fields of registers of other shapes: upper case, single spaces.
PLAIN_UPPER_TEXT = ("street", "house_number", "locality", "province")
AMBIGUOUS_REGION = "names both a kecamatan and a kelurahan: read as the kecamatan"
UNKNOWN_AREA = "names no kecamatan or kelurahan of the Kemendagri reference"
CODE_TEXT = ("sector", "registration_type")


@dataclass
class StandardResult:
    """``records``: person-schema rows; ``quarantine``: rejected rows with reasons; ``accounting``: row counts;
    ``issues``: every row issue (GX rules, reader and parse checks, flags included) by row id."""

    records: pd.DataFrame
    quarantine: pd.DataFrame
    accounting: dict[str, int]
    issues: pd.DataFrame = field(default_factory=empty_issues)


class _Parsed:
    """Memoised normaliser results per column, so a parse check and a mapping share one parse."""

    def __init__(
        self,
        text: pd.DataFrame,
        snapshot_date: date,
        formats: dict[str, tuple[str, ...]] | None = None,
        known: dict[tuple[str, str], pd.Series] | None = None,
    ) -> None:
        self.text = text
        self.snapshot_date = snapshot_date
        self.formats = formats or {}
        self._cache: dict[tuple[str, str], Any] = dict(known or {})  # parsed already (by validation)

    def column(self, name: str) -> pd.Series:
        if name in self.text.columns:
            return self.text[name]
        return pd.Series(pd.NA, index=self.text.index, dtype="str")

    def get(self, kind: str, name: str) -> Any:  # the normaliser's Series or DataFrame
        key = (kind, name)
        if key not in self._cache:
            formats = self.formats.get(name) if kind in ("date", "month") else None
            self._cache[key] = (
                parse_with_formats(self.column(name), formats, kind)
                if formats
                else _parse(kind, self.column(name), self.snapshot_date)
            )
        return self._cache[key]


_NORMALISERS = {
    "date": "parse_date",
    "month": "parse_month",
    "phone": "normalize_phone",
    "sex": "normalize_sex",
    "rt": "normalize_rt",
    "rt_rw": "parse_rt_rw",
    "nik": "parse_nik",
    "name": "clean_name",
    "address": "clean_address",
}


def _parse(kind: str, values: pd.Series, snapshot_date: date) -> Any:
    """The shared normaliser for ``kind`` on ``values``. ``matching.normalize`` is imported here, not at module
    level, because importing it loads the whole matching engine."""
    from matching import normalize

    function = getattr(normalize, _NORMALISERS[kind])
    return function(values, snapshot_date) if kind == "nik" else function(values)


def standardise(
    contract: Contract, raw: RawSource, report: ValidationReport, snapshot_date: date, regions: RegionResolver
) -> StandardResult:
    """Map ``raw`` onto the person schema; quarantine rows breaking a ``quarantine`` rule.

    ``regions`` is a :class:`matching.normalize.RegionResolver`. Raises ``ValueError`` when ``report`` has file
    errors: a source that failed whole-file rules must be fixed, not half-loaded.
    """
    if not report.passed:
        raise ValueError(
            f"source {contract.source}: validation failed with {len(report.file_errors)} file "
            "error(s); fix the source before standardising"
        )
    # What validating the same read computed is reused (the validation frame, the range rules' parsed dates).
    checked, report.checked = report.checked, None
    text = checked.text_of(raw.frame) if checked is not None else None
    text = text if text is not None else validation_frame(contract, raw.frame)
    formats = {rule.name: rule.formats for rule in contract.columns if rule.formats}
    parsed = _Parsed(
        text, snapshot_date, formats, checked.parsed if checked is not None and checked.raw is raw.frame else None
    )
    issues = pd.concat(
        [frame for frame in (report.row_issues, _parse_issues(contract, parsed)) if len(frame)] or [empty_issues()],
        ignore_index=True,
    )
    quarantined = pd.Index(issues.loc[issues["severity"] == "quarantine", "row"].unique(), dtype="int64")
    record_ids = _record_ids(contract, raw.frame, text)
    keep = raw.frame.index.difference(quarantined)
    all_records, notes = _records(contract, raw.frame, parsed, record_ids, regions)
    records = all_records if len(keep) == len(all_records) else all_records.loc[keep]  # no copy when none quarantined
    if len(notes):
        issues = pd.concat([issues, notes], ignore_index=True)
    quarantine = _quarantine(contract, raw.frame, record_ids, issues, quarantined)
    accounting = {"rows_read": len(raw.frame), "rows_standardised": len(records), "rows_quarantined": len(quarantine)}
    if accounting["rows_read"] != accounting["rows_standardised"] + accounting["rows_quarantined"]:
        raise RuntimeError(f"source {contract.source}: row accounting does not balance: {accounting}")
    accounting.update(line_accounting(contract.source, raw))
    return StandardResult(
        records.reset_index(drop=True),
        quarantine,
        accounting,
        issues.sort_values(["row", "column"], kind="stable", ignore_index=True),
    )


def line_accounting(source: str, raw: RawSource) -> dict[str, int]:
    """The physical lines (sheet rows, fetched rows) of every file read, by what became of them; raises when
    they do not add up to the rows read (``lines_physical == lines_header + lines_blank + lines_continuation +
    lines_file_error + rows_read``), so a line can never disappear between the file and the quarantine."""
    totals = raw.line_totals()
    accounted = sum(totals[key] for key in ("lines_header", "lines_blank", "lines_continuation", "lines_file_error"))
    if totals["rows_read"] != len(raw.frame) or totals["lines_physical"] != accounted + len(raw.frame):
        raise RuntimeError(f"source {source}: line accounting does not balance: {totals}, {len(raw.frame)} rows")
    return {key: value for key, value in totals.items() if key != "rows_read"}


# -- parse checks -------------------------------------------------------------------------------------------


def _parse_issues(contract: Contract, parsed: _Parsed) -> pd.DataFrame:
    frames = []
    for rule in contract.columns:
        if rule.name in parsed.text.columns:
            failed, reasons = _parse_failures(rule, parsed)
            if failed.any():
                frames.append(
                    pd.DataFrame(
                        {
                            "row": failed.index[failed],
                            "column": rule.name,
                            "rule": rule.type,
                            "reason": reasons[failed] if isinstance(reasons, pd.Series) else reasons,
                            "severity": rule.on_fail,
                        }
                    )
                )
    return pd.concat(frames, ignore_index=True)[ISSUE_COLUMNS] if frames else empty_issues()


def _parse_failures(rule: ColumnRule, parsed: _Parsed) -> tuple[pd.Series, pd.Series | str]:
    """Rows whose filled value the column type's parser rejects, and why."""
    values = parsed.column(rule.name)
    filled = values.notna()
    if rule.type == "name":
        has_letter = values.str.contains(r"[^\W\d_]", regex=True).fillna(False)
        return filled & ~has_letter, "a number or symbols where a name is expected"
    if rule.type == "nik":
        issue = parsed.get("nik", rule.name)["nik_issue"]
        failed = filled & issue.notna() & (issue != "missing")
        return failed, "NIK " + issue.fillna("").str.replace("_", " ")
    if rule.type == "rt_rw":
        split = parsed.get("rt_rw", rule.name)
        return filled & split["rt"].isna() & split["rw"].isna(), "not an RT/RW"
    if rule.type in ("date", "month", "phone", "sex", "rt"):
        return filled & parsed.get(rule.type, rule.name).isna(), _PARSE_REASONS[rule.type]
    return pd.Series(False, index=values.index), ""


_PARSE_REASONS = {
    "date": "not a valid date (impossible or unreadable)",
    "month": "not a valid month",
    "phone": "not a phone number",
    "sex": "not a recognised sex code",
    "rt": "not an RT/RW number",
}


# -- record ids and quarantine ------------------------------------------------------------------------------


def _record_ids(contract: Contract, raw: pd.DataFrame, text: pd.DataFrame) -> pd.Series:
    """``<source>:<key>`` with multi-column keys joined by ``|``; keyless sources use ``<file stem>:<row>``."""
    if contract.record_key:
        parts = [
            text[c] if c in text.columns else pd.Series(pd.NA, index=raw.index, dtype="str")
            for c in contract.record_key
        ]
        key = parts[0]
        for part in parts[1:]:
            key = key + "|" + part
    else:
        stems = raw[SOURCE_FILE].map(lambda name: Path(name).stem)
        key = stems + ":" + raw[SOURCE_ROW].astype("str")
    return (contract.source + ":" + key).astype("str")


def _quarantine(
    contract: Contract, raw: pd.DataFrame, record_ids: pd.Series, issues: pd.DataFrame, rows: pd.Index
) -> pd.DataFrame:
    if not len(rows):
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "source_row" else "str") for c in QUARANTINE_COLUMNS})
    failing = issues[issues["severity"] == "quarantine"]
    grouped = failing.groupby("row", sort=True).agg(
        columns=("column", _joined), rules=("rule", _joined), reason=("reason", lambda r: "; ".join(dict.fromkeys(r)))
    )
    grouped = grouped.loc[rows.sort_values()]
    values = raw.loc[grouped.index, [c for c in raw.columns if c not in LINEAGE_COLUMNS]]
    # JSON escapes line breaks inside values, so each record is exactly one line.
    raw_json = values.to_json(orient="records", lines=True, force_ascii=False).rstrip("\n").split("\n")
    return (
        pd.DataFrame(
            {
                "source": contract.source,
                "record_id": record_ids.loc[grouped.index],
                "source_file": raw.loc[grouped.index, SOURCE_FILE],
                "source_row": raw.loc[grouped.index, SOURCE_ROW].astype("int64"),
                "columns": grouped["columns"],
                "rules": grouped["rules"],
                "reason": grouped["reason"],
                "raw_values": pd.Series(raw_json, index=grouped.index, dtype="str"),
            }
        )
        .reset_index(drop=True)
        .astype({c: "str" for c in QUARANTINE_COLUMNS if c != "source_row"})
    )


def _joined(values: pd.Series) -> str:
    return ",".join(dict.fromkeys(v for v in values if v))


# -- mapping onto the person schema -------------------------------------------------------------------------

# Target fields cleaned by a shared normaliser (the others are text transforms in ``_Mapper.field``).
_TARGET_NORMALISER = {
    "name": "name",
    "alias": "name",
    "birth_date": "date",
    "registered_date": "date",
    "tk_last_paid_month": "month",
    "sex": "sex",
    "phone": "phone",
}
# Targets assembled from several mappings (NIK fields, region codes, RT/RW): not mapped one by one.
_COMPOSITE_TARGETS = frozenset({"nik", "kelurahan", "kecamatan", "region", "rt", "rw", "rt_rw"})
_NIK_FIELDS = ("nik", "nik_valid", "nik_issue", "nik_birth_date", "nik_sex", "nik_region")
_REGION_FIELDS = ("kelurahan_code", "kecamatan_code", "region_match_score")


def _records(
    contract: Contract, raw: pd.DataFrame, parsed: _Parsed, record_ids: pd.Series, regions: RegionResolver
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Person-schema rows for every raw row, and the notes (flag issues) mapping made: ambiguous region names,
    list areas missing from the reference."""
    mapper = _Mapper(contract, raw, parsed, regions)
    out: dict[str, pd.Series] = {
        "source": pd.Series(contract.source, index=raw.index, dtype="str"),
        "record_id": record_ids,
        "source_file": raw[SOURCE_FILE],
        "source_row": raw[SOURCE_ROW].astype("int64"),
        **mapper.nik_fields(),
        **mapper.region_fields(regions),
        **mapper.rt_rw_fields(),
    }
    for mapping in contract.mapping:
        if mapping.target not in _COMPOSITE_TARGETS:
            out[mapping.target] = mapper.field(mapping)
    if contract.roles.sector is not None:  # the trade the source implies, where its records name none
        implied = pd.Series(contract.roles.sector, index=raw.index, dtype="str")
        out["sector"] = out["sector"].fillna(implied) if "sector" in out else implied
    notes = pd.concat(mapper.notes, ignore_index=True)[ISSUE_COLUMNS] if mapper.notes else empty_issues()
    return conform_to_person_schema(pd.DataFrame(out, index=raw.index)), notes


class _Mapper:
    """Evaluates a contract's mappings on one source: input values, then the target field's cleaning."""

    def __init__(
        self, contract: Contract, raw: pd.DataFrame, parsed: _Parsed, regions: RegionResolver | None = None
    ) -> None:
        self.contract = contract
        self.raw = raw
        self.parsed = parsed
        self.regions = regions
        self.by_target = {mapping.target: mapping for mapping in contract.mapping}
        self.notes: list[pd.DataFrame] = []

    def note(self, rows: pd.Series, mapping: FieldMapping, rule: str, reason: str) -> None:
        """A flag issue (the row is kept) on the rows selected by ``rows``, under the mapping's first column."""
        if rows.any():
            column = mapping.columns[0] if mapping.columns else mapping.target
            self.notes.append(
                pd.DataFrame(
                    {
                        "row": rows.index[rows.to_numpy()],
                        "column": column,
                        "rule": rule,
                        "reason": reason,
                        "severity": "flag",
                    }
                )
            )

    def empty(self) -> pd.Series:
        return pd.Series(pd.NA, index=self.raw.index, dtype="str")

    def values(self, mapping: FieldMapping) -> pd.Series:
        """The mapping's input: first filled of its columns, a constant, or derived from the file/sheet name;
        then its pattern (first group) and value map (keys matched ignoring case and spacing; others pass)."""
        index = self.raw.index
        if mapping.columns and mapping.join is not None:
            values = _joined_columns([self.parsed.column(column) for column in mapping.columns], mapping.join)
        elif mapping.columns:
            values = self.parsed.column(mapping.columns[0])
            for column in mapping.columns[1:]:
                values = values.fillna(self.parsed.column(column))
        elif mapping.constant is not None:
            values = pd.Series(mapping.constant, index=index, dtype="str")
        elif mapping.derived_from == "file_name":
            values = self.raw[SOURCE_FILE].map(lambda name: Path(name).stem).astype("str")
        else:
            values = pd.Series(self.contract.read.sheet, index=index, dtype="str")
        if mapping.pattern:
            pattern = mapping.pattern if re.compile(mapping.pattern).groups else f"({mapping.pattern})"
            values = values.str.extract(pattern, expand=True)[0].astype("str")
        if mapping.value_map:
            lookup = {_fold(key): value for key, value in mapping.value_map}
            # Folded and looked up once per distinct value, not once per row.
            distinct = values.dropna().unique()
            mapped = {value: lookup.get(_fold(value), value) for value in distinct}
            values = values.map(mapped, na_action="ignore").astype("str")
        return values

    def normalised(self, mapping: FieldMapping, kind: str) -> Any:
        """``kind``'s normaliser on the mapping's input; a plain single-column mapping reuses the parse check's."""
        if len(mapping.columns) == 1 and not mapping.value_map and not mapping.pattern:
            return self.parsed.get(kind, mapping.columns[0])
        formats = self.parsed.formats.get(mapping.columns[0]) if mapping.columns and kind in ("date", "month") else None
        if formats:
            return parse_with_formats(self.values(mapping), formats, kind)
        return _parse(kind, self.values(mapping), self.parsed.snapshot_date)

    def field(self, mapping: FieldMapping) -> pd.Series:
        target = mapping.target
        if target in _TARGET_NORMALISER:
            return self.normalised(mapping, _TARGET_NORMALISER[target])
        if target == "address":
            return self.normalised(mapping, "address")["address"]
        values = self.values(mapping)
        if target == "area_code":
            return self.area_code(mapping, values)
        if target in UPPER_TEXT:
            return values.str.upper()
        if target in PLAIN_UPPER_TEXT:
            cleaned = values.str.upper().str.replace(r"\s+", " ", regex=True).str.strip()
            return cleaned.mask(cleaned.eq(""))
        if target in ("postcode", "other_id"):
            cleaned = values.str.replace(r"\s+", "", regex=True).str.upper()
            return cleaned.mask(cleaned.eq(""))
        if target in CODE_TEXT:
            return values.str.lower().str.replace(r"[^0-9a-z]+", "_", regex=True).str.strip("_")
        if target == "kk":
            digits = values.str.replace(r"[\s.\-]", "", regex=True)
            return digits.where(digits.str.fullmatch(r"\d{16}").fillna(False))
        if target == "tk_programs":
            return _code_list(values)
        return values

    def nik_fields(self) -> dict[str, pd.Series]:
        mapping = self.by_target.get("nik")
        nik = (
            self.normalised(mapping, "nik")
            if mapping is not None
            else _parse("nik", self.empty(), self.parsed.snapshot_date)
        )
        return {column: nik[column] for column in _NIK_FIELDS}

    def area_code(self, mapping: FieldMapping, values: pd.Series) -> pd.Series:
        """A list's area (file name, constant or column) as a reference code, read at the level it names."""
        assert self.regions is not None, "area codes need the region reference"
        found = area_codes(values, self.regions)
        self.note(found["ambiguous"], mapping, "area_code", AMBIGUOUS_REGION)
        self.note(values.notna() & found["area_code"].isna(), mapping, "area_code", UNKNOWN_AREA)
        return found["area_code"]

    def region_names(self) -> tuple[pd.Series, pd.Series]:
        """Kelurahan and kecamatan names to resolve: stated columns first, then names found inside text
        (``find_in_text``), then a ``region`` value read at the level it names."""
        kelurahan, kecamatan = self.empty(), self.empty()
        for target in ("kelurahan", "kecamatan"):
            mapping = self.by_target.get(target)
            if mapping is not None and not mapping.find_in_text:
                if target == "kelurahan":
                    kelurahan = self.values(mapping)
                else:
                    kecamatan = self.values(mapping)
        for target in ("kelurahan", "kecamatan", "region"):
            mapping = self.by_target.get(target)
            if mapping is None:
                continue
            values = self.values(mapping)
            if mapping.find_in_text:
                found = find_in_text(values)
                if target != "kecamatan":
                    kelurahan = kelurahan.fillna(found["kelurahan"])
                kecamatan = kecamatan.fillna(found["kecamatan"])
            elif target == "region":
                level = named_level(values)
                open_rows = kelurahan.isna() & kecamatan.isna()
                self.note(level["ambiguous"] & open_rows, mapping, "region_level", AMBIGUOUS_REGION)
                kelurahan = kelurahan.where(~open_rows, level["kelurahan"])
                kecamatan = kecamatan.where(~open_rows, kecamatan.fillna(level["kecamatan"]))
        return kelurahan, kecamatan

    def region_fields(self, regions: RegionResolver) -> dict[str, pd.Series]:
        kelurahan, kecamatan = self.region_names()
        resolved = regions.resolve(kelurahan, kecamatan)
        return {column: resolved[column] for column in _REGION_FIELDS}

    def rt_rw_fields(self) -> dict[str, pd.Series]:
        """RT/RW by precedence: explicit ``rt``/``rw`` columns, then a combined ``rt_rw`` column, then the RT/RW
        found in the address."""
        sources: list[dict[str, pd.Series] | pd.DataFrame] = []
        if "rt" in self.by_target or "rw" in self.by_target:
            sources.append(
                {
                    part: self.normalised(self.by_target[part], "rt") if part in self.by_target else self.empty()
                    for part in ("rt", "rw")
                }
            )
        for target, kind in (("rt_rw", "rt_rw"), ("address", "address")):
            if target in self.by_target:
                sources.append(self.normalised(self.by_target[target], kind))
        result = {"rt": self.empty(), "rw": self.empty()}
        for found in sources:
            for part in ("rt", "rw"):
                result[part] = result[part].fillna(found[part])
        return result


def _joined_columns(parts: list[pd.Series], separator: str) -> pd.Series:
    """The filled parts of each row joined by ``separator`` (empty parts skipped; NA when every part is)."""
    out = pd.Series(pd.NA, index=parts[0].index, dtype="str")
    for part in parts:
        part = part.str.strip().mask(lambda v: v.eq(""))
        out = (out + separator + part).fillna(out).fillna(part)
    return out


def _fold(value: str) -> str:
    return " ".join(str(value).split()).casefold()


def _code_list(values: pd.Series) -> pd.Series:
    """``"JKK, JKM, JHT"`` → ``"JHT,JKK,JKM"`` (computed once per distinct value)."""
    distinct = values.dropna().unique()
    lookup = {v: ",".join(sorted({p for p in re.split(r"[\s,;/+&]+", v.upper()) if p})) for v in distinct}
    return values.map(lookup, na_action="ignore").astype("str")
