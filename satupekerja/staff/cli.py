"""``satupekerja``: the command line for outreach staff and analysts.

Reads the latest snapshot published in the warehouse (``make run`` publishes one). Every command that shows
or writes personal data is recorded in the audit log. Mistakes in arguments or files end with a one-line
message and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from functools import wraps
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from data_contracts.contract import load_contracts
from data_contracts.matching_settings import load_matching_settings
from data_contracts.regions import load_region_reference
from data_contracts.roles import RoleBook
from matching import settings_fingerprint
from satupekerja.privacy.audit import INTENT, AuditError, AuditLog, pseudonymise_filter_value
from satupekerja.privacy.pseudonyms import PrivacyConfigError, PseudonymisationKey, load_pseudonymisation_key
from satupekerja.publishing import tables
from satupekerja.publishing.retention import apply_retention
from satupekerja.publishing.warehouse import (
    ANALYTICS,
    RESTRICTED,
    SnapshotNotFoundError,
    Warehouse,
    WarehouseError,
    published_matching_features,
    published_matching_model,
)
from satupekerja.registry import lookup
from satupekerja.registry.coverage import shown_once
from satupekerja.registry.unify import GOLDEN_FIELDS
from satupekerja.settings import Settings, SettingsError
from satupekerja.staff import checklist, exports, report
from satupekerja.staff.safe_output import OWNER_ONLY_DIR, owner_only_file, private_folder

UNIFIED, UNCOVERED, COVERAGE = tables.UNIFIED_WORKERS, tables.UNCOVERED_INFORMAL_WORKERS, tables.COVERAGE_BY_AREA
LINKS, PERSON_RECORDS, SCORED_PAIRS, HISTORY = (
    tables.WORKER_LINKS,
    tables.PERSON_RECORDS,
    tables.SCORED_PAIRS,
    tables.WORKER_ID_HISTORY,
)

app = typer.Typer(
    help="Satu Pekerja: outreach lists, list checks, person look-ups and coverage reports for BPJS Ketenagakerjaan Depok.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
export_app = typer.Typer(help="Lists for outreach staff (Excel or CSV, in Bahasa Indonesia).", no_args_is_help=True)
app.add_typer(export_app, name="export")

console = Console()
errors = Console(stderr=True)


class _CommandSettings:
    """The settings of the running command: read from the environment once, when the command starts."""

    current: Settings | None = None


@app.callback()
def _read_settings(ctx: typer.Context) -> None:
    # The command line is an edge: the one place it reads the environment (no docstring: it would be the help).
    # The settings also ride on the command's context (``ctx.obj``): sub-apps defined elsewhere (``akun``) take
    # them from there instead of importing this module.
    try:
        _CommandSettings.current = Settings.from_env()
    except SettingsError as error:
        errors.print(f"[bold red]Error:[/] {error}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    ctx.obj = _CommandSettings.current


def current_settings() -> Settings:
    """The settings of this command (read from the environment when called outside a command)."""
    if _CommandSettings.current is None:
        _CommandSettings.current = Settings.from_env()
    return _CommandSettings.current


def _key() -> PseudonymisationKey:
    settings = current_settings()
    return load_pseudonymisation_key(settings.mode, settings.hmac_key)


def _audit_log() -> AuditLog:
    return AuditLog.from_settings(current_settings())


class UserError(Exception):
    """Something the user can fix (argument, file, missing publication): printed as one message, exit code 1."""


class ExportFormat(StrEnum):
    xlsx = "xlsx"
    csv = "csv"


def user_errors(command: Callable) -> Callable:
    """Turn the errors a user can act on into a red message and exit code 1 (no traceback)."""

    @wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except (UserError, checklist.ChecklistError, lookup.WorkerNotFoundError, SnapshotNotFoundError) as error:
            message = error.args[0] if error.args else str(error)
            errors.print(f"[bold red]Error:[/] {message}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
        except (WarehouseError, PrivacyConfigError, PermissionError, AuditError) as error:
            errors.print(f"[bold red]Error:[/] {error}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None

    return wrapper


# ------------------------------------------------------------------------------------------ shared helpers


def open_warehouse() -> tuple[Warehouse, dt.date]:
    """The warehouse and its latest published snapshot; a clear message when nothing is published yet."""
    warehouse = Warehouse(current_settings().warehouse_dir)
    latest = warehouse.latest_snapshot()
    if latest is None:
        raise UserError(f"no snapshot is published in {warehouse.root} yet: run `make run` first")
    return warehouse, latest


def read_table(warehouse: Warehouse, table: str, snapshot: dt.date, tier: str) -> pd.DataFrame:
    try:
        return warehouse.read(table, snapshot, tier)
    except SnapshotNotFoundError as error:
        raise UserError(
            f"{error}; this command needs it: publish it with the nightly run (`make run` locally)"
        ) from None


def read_optional(warehouse: Warehouse, table: str, snapshot: dt.date, tier: str) -> pd.DataFrame | None:
    try:
        return warehouse.read(table, snapshot, tier)
    except SnapshotNotFoundError:
        return None


@contextmanager
def steps(total: int) -> Iterator[Callable[[str], None]]:
    """A progress bar over ``total`` named steps (on stderr, gone when done); yields ``advance(description)``."""
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=errors,
        transient=True,
    ) as progress:
        task = progress.add_task("", total=total)
        first = True

        def advance(description: str) -> None:
            nonlocal first
            if not first:
                progress.advance(task)
            first = False
            progress.update(task, description=description)

        yield advance
        progress.update(task, completed=total)


def resolve_name(value: str, names: list[str], option: str, what: str) -> str:
    """The reference spelling of ``value`` (case-insensitive); a bad name suggests the closest ones."""
    by_folded = {name.casefold(): name for name in names}
    if value.strip().casefold() in by_folded:
        return by_folded[value.strip().casefold()]
    suggestions = closest_names(value, names)
    hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else f" Known: {', '.join(sorted(names))}."
    raise typer.BadParameter(f"unknown {what} {value!r}.{hint}", param_hint=option)


def closest_names(name: str, candidates: list[str], limit: int = 3) -> list[str]:
    """The candidates closest in spelling to ``name`` (case-insensitive), best first."""
    by_folded = {candidate.casefold(): candidate for candidate in candidates}
    matches = difflib.get_close_matches(name.casefold(), list(by_folded), n=limit, cutoff=0.5)
    return [by_folded[match] for match in matches]


def export_dir() -> Path:
    """``$SATUPEKERJA_EXPORT_DIR`` or ``exports/`` (``Settings.export_dir``): owner-only (``0700``), like the
    warehouse's restricted tier."""
    folder = current_settings().export_dir
    private_folder(folder)
    if folder.stat().st_uid == os.getuid():
        folder.chmod(OWNER_ONLY_DIR)
    return folder


def slug(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", text.lower()).strip("_")


# ------------------------------------------------------------------------------------------ export uncovered


@export_app.command("uncovered")
@user_errors
def export_uncovered(
    kecamatan: Annotated[str, typer.Option(help="Kecamatan (e.g. Sawangan); staff get their own area only.")],
    kelurahan: Annotated[
        list[str] | None, typer.Option(help="Only these kelurahan of the kecamatan (repeatable).")
    ] = None,
    sector: Annotated[str | None, typer.Option(help="Only one sector, e.g. ojol, kurir, pedagang_pasar, umkm.")] = None,
    format: Annotated[
        ExportFormat, typer.Option("--format", help="xlsx (one sheet per kelurahan) or csv.")
    ] = ExportFormat.xlsx,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Output file. Default: $SATUPEKERJA_EXPORT_DIR (exports/)/belum_terlindungi_<kecamatan>_<date>.<format>."
        ),
    ] = None,
    requested_by: Annotated[
        str | None, typer.Option(help="Staff name or id for the audit log (default: OS user).")
    ] = None,
) -> None:
    """The uncovered informal workers of a kecamatan, first to contact first, for outreach staff."""
    if out is not None and out.suffix.lower() != f".{format.value}":
        raise UserError(f"--out {out}: the file name must end in .{format.value} for --format {format.value}")
    regions = load_region_reference()
    kecamatan_name = resolve_name(kecamatan, sorted(regions["kecamatan"].unique()), "--kecamatan", "kecamatan")
    in_kecamatan = regions[regions["kecamatan"].eq(kecamatan_name)]
    kelurahan_names = [
        resolve_name(name, sorted(in_kecamatan["kelurahan"]), "--kelurahan", f"kelurahan of {kecamatan_name}")
        for name in kelurahan or []
    ]
    with steps(3) as advance:
        advance("Reading the latest snapshot")
        warehouse, snapshot = open_warehouse()
        # A review group is shown once (its representative's row) before the area is chosen, as the web list does.
        uncovered = shown_once(read_table(warehouse, UNCOVERED, snapshot, RESTRICTED))
        advance("Selecting the area")
        selected = uncovered[uncovered["kecamatan_code"].eq(in_kecamatan["kode_kecamatan"].iloc[0]).fillna(False)]
        if kelurahan_names:
            codes = in_kecamatan.loc[in_kecamatan["kelurahan"].isin(kelurahan_names), "kode_wilayah"]
            selected = selected[selected["kelurahan_code"].isin(codes)]
        if sector is not None:
            known = sorted(uncovered["sector"].dropna().unique())
            sector = resolve_name(sector, known, "--sector", "sector") if known else sector
            selected = selected[selected["sector"].eq(sector).fillna(False)]
        advance("Writing the list")
        table = exports.staff_table(selected, regions)
        path = out or export_dir() / f"belum_terlindungi_{slug(kecamatan_name)}_{snapshot.isoformat()}.{format.value}"
        filters = {
            "kecamatan": kecamatan_name,
            "kelurahan": kelurahan_names,
            "sector": sector,
            "format": format.value,
            "snapshot_date": snapshot.isoformat(),
        }
        audit = _audit_log()
        audit_entry: dict[str, Any] = {
            "requested_by": requested_by,
            "command": "satupekerja export uncovered",
            "filters": filters,
            "row_count": len(table),
        }
        # Audit first: the intent is in the log before a byte is written; no log entry, no file.
        audit.record("export_uncovered", **audit_entry, output_file=path, phase=INTENT)
        if format is ExportFormat.xlsx:
            exports.write_xlsx(table, path, _export_info(snapshot, kecamatan_name, kelurahan_names, sector, len(table)))
        else:
            exports.write_csv(table, path)
    _record_done(audit, "export_uncovered", audit_entry, path)
    console.print(f"{len(table):,} people written to [bold]{path}[/] (snapshot {snapshot}).", highlight=False)


def _record_done(audit: AuditLog, action: str, entry: dict, path: Path, subjects: list[str] | tuple = ()) -> None:
    """The ``done`` entry with the file's SHA-256; if even that cannot be written, the file is removed."""
    try:
        audit.record(action, **entry, output_file=path, subjects=subjects)
    except AuditError:
        path.unlink(missing_ok=True)
        raise


def _export_info(
    snapshot: dt.date, kecamatan: str, kelurahan: list[str], sector: str | None, rows: int
) -> list[tuple[str, str]]:
    return [
        ("Daftar", "Pekerja informal belum terlindungi BPJS Ketenagakerjaan"),
        ("Snapshot data", snapshot.isoformat()),
        ("Kecamatan", kecamatan),
        ("Kelurahan", ", ".join(kelurahan) or "semua"),
        ("Sektor", sector or "semua"),
        ("Jumlah orang", str(rows)),
        (
            "Urutan",
            "Prioritas 1 dihubungi lebih dulu: rentan (PBI), baru berhenti, belum pernah terdaftar, sektor berisiko.",
        ),
        (
            "RAHASIA",
            "Berisi data pribadi (UU 27/2022). Hanya untuk penjangkauan; jangan disebarkan; hapus setelah dipakai.",
        ),
    ]


# ------------------------------------------------------------------------------------------ check-list


@app.command("check-list")
@user_errors
def check_list(
    file: Annotated[Path, typer.Argument(help="The community's list: .xlsx (first sheet) or .csv.")],
    name_col: Annotated[
        str | None, typer.Option(help="Column holding names (default: detected: nama, nama lengkap…).")
    ] = None,
    phone_col: Annotated[
        str | None, typer.Option(help="Column holding phone/WhatsApp numbers (default: detected).")
    ] = None,
    nik_col: Annotated[str | None, typer.Option(help="Column holding NIKs (default: detected: nik, no ktp…).")] = None,
    birth_col: Annotated[
        str | None, typer.Option(help="Column holding birth dates (default: detected: tgl lahir…).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Output .xlsx or .csv. Default: <list>_hasil_cek.<xlsx|csv> next to the list.")
    ] = None,
    requested_by: Annotated[
        str | None, typer.Option(help="Staff name or id for the audit log (default: OS user).")
    ] = None,
) -> None:
    """Mark every person of a list as covered, lapsed, uncovered, not found or ambiguous."""
    chosen = {"name": name_col, "phone": phone_col, "nik": nik_col, "birth_date": birth_col}
    path = out or checklist.default_output_path(file)
    warehouse, snapshot = open_warehouse()
    listed = checklist.read_list(file, pd.Timestamp(snapshot), chosen=chosen)
    columns = listed.columns
    console.print(
        f"Judul kolom di baris {listed.header_row}; kolom dipakai / columns used: "
        + ", ".join(f"{field} = {column!r}" for field, column in columns.items()),
        highlight=False,
    )
    rows = listed.rows
    with steps(4) as advance:
        advance("Reading the registry")
        links = read_table(warehouse, LINKS, snapshot, RESTRICTED)
        unified = read_table(warehouse, UNIFIED, snapshot, RESTRICTED)
        advance("Reading the matching model and the registry's matching features")
        settings = load_matching_settings(current_settings().matching_settings)
        registry, notes = checklist.prepare_registry(
            settings,
            published_matching_model(warehouse, snapshot),
            published_matching_features(warehouse, snapshot, settings_fingerprint(settings)),
            lambda: read_table(warehouse, PERSON_RECORDS, snapshot, RESTRICTED),
            links,
            unified,
        )
        for note in notes:
            console.print(f"[yellow]{note}[/]", highlight=False)
        advance(f"Matching {len(rows):,} rows")
        checked = checklist.check_list(listed, registry)
        advance("Writing the result")
        subjects = _checked_subjects(checked.rows, columns, snapshot)
        audit = _audit_log()
        audit_entry: dict[str, Any] = {
            "requested_by": requested_by,
            "command": "satupekerja check-list",
            "row_count": len(checked.rows),
            "filters": {
                "list_file": _loggable_file_name(file),
                "columns": columns,
                "snapshot_date": snapshot.isoformat(),
            },
        }
        audit.record("check_list", **audit_entry, output_file=path, phase=INTENT, subjects=subjects)
        checklist.write_checked(checked.rows, path)
    _record_done(audit, "check_list", audit_entry, path, subjects)
    counts = checked.rows[checklist.RESULT_COLUMNS[0]].value_counts()
    summary = Table(title=f"{file.name}: {len(checked.rows):,} rows checked against snapshot {snapshot}")
    summary.add_column("Status")
    summary.add_column("Rows", justify="right")
    for status, count in counts.items():
        summary.add_row(str(status), f"{count:,}")
    console.print(summary)
    not_checked = int(counts.get(checklist.STATUS_NOT_CHECKED, 0))
    if not_checked:
        console.print(
            f"{not_checked:,} baris tidak diperiksa, alasannya di kolom {checklist.RESULT_COLUMNS[3]!r} / "
            f"{not_checked:,} rows not checked, the reason is in column {checklist.RESULT_COLUMNS[3]!r}",
            highlight=False,
        )
    console.print(f"Result written to [bold]{path}[/]", highlight=False)


def _checked_subjects(rows: pd.DataFrame, columns: dict[str, str], snapshot: dt.date) -> list[str]:
    """Who a check-list looked up, as pseudonyms: ``nik:<HMAC>`` of every NIK on the list, ``worker:<id>`` of
    every worker it matched (worker ids carry no personal data)."""
    key = _key()
    subjects: list[str] = []
    if "nik" in columns:
        from matching.normalize import parse_nik

        niks = parse_nik(rows[columns["nik"]].astype("str"), snapshot)["nik"].dropna().drop_duplicates()
        from satupekerja.privacy.pseudonyms import hmac_pseudonym

        subjects += ["nik:" + value for value in hmac_pseudonym(niks.astype("str"), key)]
    matched = rows[checklist.RESULT_COLUMNS[1]].dropna().astype("str").unique()
    return subjects + ["worker:" + worker for worker in matched]


def _loggable_file_name(path: Path) -> str:
    """The list's file name, unless it looks like a NIK or phone number (then its pseudonym)."""
    from satupekerja.privacy.audit import _holds_raw_identifier

    if _holds_raw_identifier(path.name):
        return "pseudonym:" + pseudonymise_filter_value(path.name, _key())
    return path.name


# ------------------------------------------------------------------------------------------ show


@app.command("show")
@user_errors
def show(
    worker_id: Annotated[str | None, typer.Argument(help="Worker id, e.g. W26110100A4K7.")] = None,
    nik: Annotated[str | None, typer.Option(help="Look the person up by NIK instead of worker id.")] = None,
    requested_by: Annotated[
        str | None, typer.Option(help="Staff name or id for the audit log (default: OS user).")
    ] = None,
) -> None:
    """Everything linked to one person, source by source, and why the records were linked (audit-logged)."""
    if (worker_id is None) == (nik is None):
        raise typer.BadParameter("give either a WORKER_ID or --nik, not both", param_hint="WORKER_ID / --nik")
    if worker_id is not None and re.fullmatch(r"[\d .\-]{11,}", worker_id.strip()):
        raise UserError(
            "ini tampak seperti NIK, bukan ID pekerja (W…): gunakan --nik / this looks like a NIK, not a "
            "worker id (W…): use --nik"
        )
    warehouse, snapshot = open_warehouse()
    nik_value = None
    if nik is not None:
        nik_value = lookup.normalised_nik(nik, pd.Timestamp(snapshot))
        if nik_value is None:
            raise typer.BadParameter("NIK terdiri dari 16 angka / a NIK has 16 digits", param_hint="--nik")
    if worker_id is not None:
        filters = {"worker_id": worker_id, "snapshot_date": snapshot.isoformat()}
    else:
        assert nik_value is not None  # --nik given (checked above)
        filters = {
            "nik_hmac": pseudonymise_filter_value(nik_value, _key()),
            "snapshot_date": snapshot.isoformat(),
        }
    # Audit first: the look-up is in the log before anything is read or shown; no log entry, no look-up.
    audit = _audit_log()
    audit.record(
        "show",
        requested_by=requested_by,
        command="satupekerja show",
        filters=filters,
        row_count=0,
        output_file=None,
        phase=INTENT,
    )
    unified = read_table(warehouse, UNIFIED, snapshot, RESTRICTED)
    links = read_table(warehouse, LINKS, snapshot, RESTRICTED)
    records = read_optional(warehouse, PERSON_RECORDS, snapshot, RESTRICTED)
    history = read_optional(warehouse, HISTORY, snapshot, ANALYTICS)
    if history is not None and "snapshot_date" not in history.columns and "event_date" in history.columns:
        history = history.rename(columns={"event_date": "snapshot_date"})  # the warehouse's name for the event's night
    try:
        found, asked_for = lookup.find_worker_id(
            unified,
            worker_id=worker_id,
            nik=nik_value,
            person_records=records,
            worker_links=links,
            history=history,
        )
    except lookup.WorkerNotFoundError:
        audit.record(
            "show",
            requested_by=requested_by,
            command="satupekerja show",
            filters=filters,
            row_count=0,
            output_file=None,
        )
        raise UserError(
            f"tidak ditemukan / not found: {'worker id' if worker_id else 'NIK'} (snapshot {snapshot})"
        ) from None
    scored = read_optional(warehouse, SCORED_PAIRS, snapshot, RESTRICTED)
    if scored is None and records is not None:
        own_ids = links.loc[links["worker_id"] == found, "record_id"].tolist()
        settings = load_matching_settings(current_settings().matching_settings)
        scored = checklist.pairs_scored_with_published_model(warehouse, snapshot, records, own_ids, settings)
    roles = RoleBook.from_contracts(load_contracts(current_settings().contracts_dir))
    profile = lookup.worker_profile(found, unified, links, roles, records, scored, asked_for)
    audit.record(
        "show",
        requested_by=requested_by,
        command="satupekerja show",
        filters={**filters, "worker_id_shown": found},
        row_count=int(profile.worker["record_count"]),
        output_file=None,
    )
    _print_profile(profile, snapshot)


COVERAGE_FIELDS = (
    "employment_type",
    "employment_evidence",
    "bpjs_tk_status",
    "tk_segment",
    "tk_status",
    "tk_programs",
    "tk_last_paid_month",
    "months_in_arrears",
    "jkn_segment",
    "jkn_status",
    "uncovered_informal",
    "uncovered_reason",
    "vulnerable",
    "vulnerable_reason",
    "outreach_priority",
)


def _print_profile(profile: lookup.WorkerProfile, snapshot: dt.date) -> None:
    worker = profile.worker
    if profile.asked_for:
        console.print(f"[yellow]{profile.asked_for} was merged into {worker['worker_id']}.[/]", highlight=False)
    golden = Table(title=f"Worker {worker['worker_id']} (snapshot {snapshot}): golden record")
    for column in ("field", "value", "from source"):
        golden.add_column(column)
    for field in GOLDEN_FIELDS:
        golden.add_row(field, _text(worker.get(field)), _text(worker.get(f"{field}_source")))
    console.print(golden)
    cover = Table(title="Work and BPJS Ketenagakerjaan cover")
    cover.add_column("field")
    cover.add_column("value")
    for field in COVERAGE_FIELDS:
        cover.add_row(field, _text(worker.get(field)))
    console.print(cover)
    console.print(
        f"Linked records: {int(worker['record_count'])} from {worker['sources']}; "
        f"match confidence (weakest link) {_text(worker['match_confidence'])}",
        highlight=False,
    )
    for source, records in profile.records.groupby("source", sort=False) if len(profile.records) else []:
        table = Table(title=f"Source: {source}")
        table.add_column("field")
        for record_id in records["record_id"]:
            table.add_column(str(record_id))
        for field in lookup.RECORD_FIELDS:
            if records[field].notna().any():
                table.add_row(field, *(_text(value) for value in records[field]))
        console.print(table)
    if not len(profile.records):
        console.print("[dim]Source records are not published in this snapshot (table person_records).[/]")
    _print_link_evidence(profile)


def _print_link_evidence(profile: lookup.WorkerProfile) -> None:
    links = Table(title="Why these records are one person: links")
    extra = [column for column in profile.links.columns if column not in ("worker_id",)]
    for column in extra:
        links.add_column(column)
    for _, row in profile.links.iterrows():
        links.add_row(*(_text(row[column]) for column in extra))
    console.print(links)
    if len(profile.pairs):
        pairs = Table(title="Scored pairs between these records (match weight in bits, per comparison)")
        shown = ["record_id_l", "record_id_r", "match_probability", "match_weight"] + [
            c for c in profile.pairs.columns if c.startswith("level_")
        ]
        for column in shown:
            pairs.add_column(column.removeprefix("level_"))
        for _, row in profile.pairs.iterrows():
            pairs.add_row(*(_text(row[column]) for column in shown))
        console.print(pairs)


def _text(value: object) -> str:
    if isinstance(value, list | tuple | np.ndarray):
        return ", ".join(map(str, value))
    if value is None or (not hasattr(value, "__len__") and pd.isna(value)):
        return "–"
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


# ------------------------------------------------------------------------------------------ report


@app.command("report")
@user_errors
def coverage_report(
    out: Annotated[
        Path | None,
        typer.Option(help="Output .html. Default: $SATUPEKERJA_EXPORT_DIR (exports/)/laporan_cakupan_<date>.html."),
    ] = None,
) -> None:
    """A one-page HTML coverage report (aggregates only, no personal data), charts included."""
    with steps(3) as advance:
        advance("Reading the published snapshots")
        warehouse, snapshot = open_warehouse()
        coverage = {day: read_optional(warehouse, COVERAGE, day, ANALYTICS) for day in warehouse.snapshots()}
        coverage = {day: frame for day, frame in coverage.items() if frame is not None}
        if snapshot not in coverage:
            raise UserError(
                f"table {COVERAGE!r} is not published for snapshot {snapshot}; publish it with the nightly run (`make run` locally)"
            )
        uncovered = read_table(warehouse, UNCOVERED, snapshot, ANALYTICS)
        advance("Drawing the report")
        inputs = report.ReportInputs(
            snapshot_date=snapshot,
            coverage=coverage[snapshot],
            by_sector=report.uncovered_by_sector(uncovered),
            trend=report.city_trend(coverage),
            pseudonyms_reversible=_pseudonyms_reversible(warehouse),
        )
        html = report.render_report(inputs)
        advance("Writing")
        path = out or export_dir() / f"laporan_cakupan_{snapshot.isoformat()}.html"
        owner_only_file(path)
        path.write_text(html, encoding="utf-8")
    console.print(
        f"Report written to [bold]{path}[/] (snapshot {snapshot}, {len(coverage)} snapshot(s) in the trend).",
        highlight=False,
    )


def _pseudonyms_reversible(warehouse: Warehouse) -> bool:
    """True when the published analytics tier was made with the demo key (or its key was not recorded)."""
    recorded = warehouse.pseudonym_key()
    return True if recorded is None else bool(recorded.get("demo"))


# ------------------------------------------------------------------------------------------ retention


@app.command("retention")
@user_errors
def retention(
    keep_days: Annotated[
        int | None, typer.Option(min=1, help="Keep this many days. Default: $SATUPEKERJA_RETENTION_DAYS, else 400.")
    ] = None,
    today: Annotated[
        dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Reference date (default: today).")
    ] = None,
) -> None:
    """Delete snapshots, staged leftovers and exports older than the retention period, from both tiers (audited)."""
    days = keep_days if keep_days is not None else current_settings().retention_days
    removed = apply_retention(
        Warehouse(current_settings().warehouse_dir),
        days,
        (today or dt.datetime.now()).date(),
        _audit_log(),
        exports_dir=export_dir(),
    )
    listed = ", ".join(day.isoformat() for day in removed) or "none"
    console.print(f"Retention {days} days: removed {len(removed)} snapshot(s): {listed}.", highlight=False)


# ------------------------------------------------------------------------------------------ review

review_app = typer.Typer(
    help=(
        "Meja review: pasangan catatan yang diragukan mesin pencocokan; putuskan orang yang sama / orang berbeda. "
        "Keputusan berlaku mulai malam berikutnya. / Review the uncertain record pairs."
    ),
    no_args_is_help=True,
)
app.add_typer(review_app, name="review")

REVIEW_QUEUE = "match_review_queue"
DECISION_WORDS = {"sama": "same", "beda": "different", "lewati": "skip", "same": "same", "different": "different"}
DECISION_WORDS["skip"] = "skip"

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help=(
            "Basis data register keputusan (URL SQLAlchemy; sama dengan aplikasi web). Bawaan: basis data aplikasi "
            "web (SATUPEKERJA_WEB_DB, else .web/satupekerja_web.sqlite)."
        ),
    ),
]
ReviewerOption = Annotated[
    str | None,
    typer.Option("--requested-by", help="Nama atau NIP petugas untuk register dan log audit (bawaan: user OS)."),
]


def _review_queue(warehouse: Warehouse, snapshot: dt.date) -> pd.DataFrame:
    try:
        return warehouse.read(REVIEW_QUEUE, snapshot, RESTRICTED)
    except SnapshotNotFoundError:
        raise UserError(
            f"antrean review belum diterbitkan untuk snapshot {snapshot} / the review queue is not published for "
            "this snapshot: jalankan malam berikutnya (`make run`)"
        ) from None


def _area_codes(kecamatan: str | None, kelurahan: list[str] | None) -> tuple[list[str], list[str], dict]:
    """Kecamatan/kelurahan names (or codes) → codes, and the filters for the audit log."""
    regions = load_region_reference()
    kecamatan_codes: list[str] = []
    kelurahan_codes: list[str] = []
    scope = regions
    if kecamatan:
        name = resolve_name(kecamatan, sorted(regions["kecamatan"].unique()), "--kecamatan", "kecamatan")
        scope = regions[regions["kecamatan"].eq(name)]
        kecamatan_codes = [scope["kode_kecamatan"].iloc[0]]
    for value in kelurahan or []:
        name = resolve_name(value, sorted(scope["kelurahan"]), "--kelurahan", "kelurahan")
        kelurahan_codes += list(scope.loc[scope["kelurahan"].eq(name), "kode_wilayah"])
    if kelurahan_codes:
        kecamatan_codes = []  # kelurahan narrow the kecamatan down
    return kecamatan_codes, kelurahan_codes, {"kecamatan": kecamatan_codes, "kelurahan": kelurahan_codes}


def _register_url(db: str | None) -> str | None:
    """The decision register's database: ``--db``, else the web application's (``Settings.web_db_url``, else its
    default file)."""
    return db or current_settings().web_db_url


def _reviewer(requested_by: str | None) -> str:
    from satupekerja.privacy.audit import _os_user

    return f"cli:{requested_by or _os_user()}"


@review_app.command("daftar")
@user_errors
def review_daftar(
    kecamatan: Annotated[str | None, typer.Option(help="Kecamatan (mis. Sawangan).")] = None,
    kelurahan: Annotated[list[str] | None, typer.Option(help="Kelurahan (boleh berulang).")] = None,
    semua: Annotated[bool, typer.Option("--semua", help="Juga pasangan yang sudah diputuskan.")] = False,
    batas: Annotated[int, typer.Option("--batas", min=1, help="Paling banyak sekian baris.")] = 50,
    db: DbOption = None,
    requested_by: ReviewerOption = None,
) -> None:
    """Daftar pasangan terbuka di wilayah, yang paling mungkin sama lebih dulu (diaudit)."""
    from satupekerja.staff import review

    kecamatan_codes, kelurahan_codes, area = _area_codes(kecamatan, kelurahan)
    warehouse, snapshot = open_warehouse()
    queue = review.in_area(_review_queue(warehouse, snapshot), kecamatan_codes, kelurahan_codes)
    register = review.load_register(_register_url(db))
    shown = queue if semua else review.open_pairs(queue, register)
    _audit_log().record(
        "review_daftar",
        requested_by=_reviewer(requested_by),
        command="satupekerja review daftar",
        filters={**area, "semua": semua, "snapshot_date": snapshot.isoformat()},
        row_count=min(len(shown), batas),
        output_file=None,
    )
    table = Table(
        title=f"Pasangan {'semua' if semua else 'terbuka'}: {len(shown):,} (snapshot {snapshot})".replace(",", ".")
    )
    table.add_column("ID pasangan", no_wrap=True, min_width=13)
    for column in ("Alasan", "Peluang", "Bobot (bit)", "Nama kiri", "Nama kanan", "Kelurahan"):
        table.add_column(column)
    regions = load_region_reference().set_index("kode_wilayah")["kelurahan"]
    for pair in shown.head(batas).to_dict("records"):
        table.add_row(
            pair["pair_id"],
            review.REASON_LABELS.get(pair["reason"], pair["reason"]),
            f"{pair['match_probability']:.2f}",
            f"{pair['match_weight']:+.1f}",
            _text(pair.get("name_l")),
            _text(pair.get("name_r")),
            _text(regions.get(pair.get("kelurahan_code"), pair.get("kelurahan_code"))),
        )
    console.print(table)
    if len(shown) > batas:
        console.print(f"[dim]{len(shown) - batas} pasangan lagi: pakai --batas atau saring per kelurahan.[/]")
    console.print("Lihat satu pasangan: [bold]satupekerja review lihat <ID pasangan>[/]", highlight=False)


def _find_pair(queue: pd.DataFrame, pair_id: str) -> dict:
    found = queue[queue["pair_id"].eq(pair_id.strip().upper())]
    if found.empty:
        raise UserError(f"pasangan {pair_id} tidak ada di antrean review snapshot ini / pair not in tonight's queue")
    return found.iloc[0].to_dict()


@review_app.command("lihat")
@user_errors
def review_lihat(
    pair_id: Annotated[str, typer.Argument(help="ID pasangan, mis. P1A2B3C4D5E6.")],
    db: DbOption = None,
    requested_by: ReviewerOption = None,
) -> None:
    """Dua catatan berdampingan, tingkat dan bobot tiap perbandingan (diaudit)."""
    from satupekerja.staff import review

    warehouse, snapshot = open_warehouse()
    filters = {"pair_id": pair_id.strip().upper(), "snapshot_date": snapshot.isoformat()}
    who = review.ReviewerContext(_reviewer(requested_by), "satupekerja review lihat", _audit_log())
    who.record("review_lihat", filters, row_count=0, phase=INTENT)
    pair = _find_pair(_review_queue(warehouse, snapshot), pair_id)
    who.record("review_lihat", filters, row_count=2)
    _print_pair(pair, snapshot)
    earlier = review.latest_decisions(review.load_register(_register_url(db)))
    if not earlier.empty:
        low, high = sorted((pair["record_hash_l"], pair["record_hash_r"]))
        mine = earlier[earlier["record_hash_low"].eq(low) & earlier["record_hash_high"].eq(high)]
        for row in mine.to_dict("records"):
            console.print(
                f"[yellow]Sudah diputuskan: {review.DECISION_LABELS[row['decision']]} oleh {row['reviewer']} "
                f"({row['decided_at']:%Y-%m-%d %H:%M} UTC).[/]",
                highlight=False,
            )
    console.print(
        f'Putuskan: [bold]satupekerja review putuskan {pair["pair_id"]} --keputusan sama|beda|lewati --alasan "..."[/]',
        highlight=False,
    )


def _print_pair(pair: dict, snapshot: dt.date) -> None:
    from satupekerja.staff import review

    regions = load_region_reference()
    names = {**dict(zip(regions["kode_wilayah"], regions["kelurahan"], strict=True))}
    names.update(dict(zip(regions["kode_kecamatan"], regions["kecamatan"], strict=False)))
    console.print(
        f"Pasangan [bold]{pair['pair_id']}[/] (snapshot {snapshot}): "
        f"{review.REASON_LABELS.get(pair['reason'], pair['reason'])}; peluang {pair['match_probability']:.3f}, "
        f"bobot total {pair['match_weight']:+.2f} bit",
        highlight=False,
    )
    sides = Table(title="Dua catatan berdampingan")
    for column in (
        "Kolom",
        f"Kiri ({pair['record_id_l'].split(':')[0]})",
        f"Kanan ({pair['record_id_r'].split(':')[0]})",
        "Sama?",
    ):
        sides.add_column(column)
    sides.add_row("ID pekerja malam ini", pair["worker_id_l"], pair["worker_id_r"], "")
    for field, label, left, right, agree in review.side_by_side(pair):
        if field in ("kelurahan_code", "kecamatan_code"):
            left, right = names.get(left, left), names.get(right, right)
        sides.add_row(label, _text(left), _text(right), review.agreement_text(agree))
    console.print(sides)
    evidence = Table(title="Bukti per perbandingan (bobot dalam bit; positif = mendukung orang yang sama)")
    for column in ("Perbandingan", "Tingkat", "Bobot"):
        evidence.add_column(column)
    for comparison in review.comparisons(pair):
        weight = comparison.get("weight")
        evidence.add_row(
            comparison["comparison"],
            comparison["level"] or review.NO_DATA,
            _text(None) if weight is None else f"{weight:+.2f}",
        )
    console.print(evidence)


@review_app.command("putuskan")
@user_errors
def review_putuskan(
    pair_id: Annotated[str | None, typer.Argument(help="ID pasangan dari antrean, mis. P1A2B3C4D5E6.")] = None,
    keputusan: Annotated[
        str, typer.Option("--keputusan", help="sama (orang yang sama), beda (orang berbeda) atau lewati.")
    ] = "",
    alasan: Annotated[str, typer.Option("--alasan", help="Alasan keputusan (wajib untuk sama/beda).")] = "",
    kiri: Annotated[
        str | None,
        typer.Option("--kiri", help="Tanpa ID pasangan: ID catatan pertama (dari `show`), mis. untuk memisah."),
    ] = None,
    kanan: Annotated[str | None, typer.Option("--kanan", help="Tanpa ID pasangan: ID catatan kedua.")] = None,
    db: DbOption = None,
    requested_by: ReviewerOption = None,
) -> None:
    """Catat keputusan untuk satu pasangan (diaudit; berlaku mulai malam berikutnya).

    Sebuah pasangan dari antrean (ID pasangan), atau dua catatan mana pun dari snapshot terakhir (--kiri, --kanan),
    misalnya dua catatan satu pekerja yang ternyata dua orang berbeda."""
    from sqlalchemy.orm import Session

    from satupekerja.staff import review
    from satupekerja.web.models import make_engine

    decision = DECISION_WORDS.get(keputusan.strip().lower())
    if decision is None:
        raise typer.BadParameter("pilih sama, beda atau lewati", param_hint="--keputusan")
    if (pair_id is None) == (kiri is None or kanan is None):
        raise typer.BadParameter("beri ID pasangan, atau --kiri dan --kanan", param_hint="PAIR_ID / --kiri --kanan")
    warehouse, snapshot = open_warehouse()
    if pair_id is not None:
        pair = _find_pair(_review_queue(warehouse, snapshot), pair_id)
    else:
        records = read_table(warehouse, PERSON_RECORDS, snapshot, RESTRICTED)
        assert kiri is not None and kanan is not None  # checked above
        try:
            pair = review.pair_of_records(kiri, kanan, records, _key())
        except review.ReviewError as error:
            raise UserError(str(error)) from None
    audit = _audit_log()
    who = review.ReviewerContext(_reviewer(requested_by), "satupekerja review putuskan", audit)
    engine = make_engine(_register_url(db))
    try:
        with Session(engine, expire_on_commit=False) as session:
            row = review.record_decision(session, who, pair, decision, alasan, snapshot, _key().fingerprint, audit.key)
    except review.ReviewError as error:
        raise UserError(str(error)) from None
    finally:
        engine.dispose()
    if row is None:
        console.print(
            f"Pasangan {pair['pair_id']} dilewati (tidak ada yang dicatat selain log audit).", highlight=False
        )
        return
    console.print(
        f"Keputusan tercatat / decision recorded: [bold]{review.DECISION_LABELS[decision]}[/] untuk pasangan "
        f"{pair['pair_id']} (nomor {row.id}); berlaku mulai malam berikutnya.",
        highlight=False,
    )


# ------------------------------------------------------------------------------------------ web accounts and nights

from satupekerja.web.accounts_cli import akun_app  # noqa: E402

app.add_typer(akun_app, name="akun")
