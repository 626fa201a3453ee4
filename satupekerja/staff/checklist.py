"""Check a community's list against the registry: is each person covered, lapsed, uncovered, unknown or ambiguous?

Staff bring a list (xlsx or csv) with whatever headers the community used, often under a title block and above
totals and signatures. The list is read like any source, through the contract reader and the standardiser, with
the ad-hoc list contract ``data_contracts/lists/daftar_komunitas.yaml`` (columns found by aliases and header words,
header row found among the top rows, footers quarantined, ``;`` or ``,``), or with a column named explicitly by
the user. This module keeps only the checking: the list's records are matched with the same engine and model as
the registry (``matching.match_query``), against the registry's matching features published with the model
(``matching_features``: only the list's own features are computed), and every row of the list comes back in
order, marked:

- ``tidak ditemukan``: no registry record reaches the review threshold;
- ``ambigu``: the best match is only in the review band, or records of two different workers reach the match
  threshold (a shared phone, a namesake): a person must look;
- the matched worker's cover: ``terdaftar & aktif``, ``terdaftar tetapi menunggak (lapsed)`` (any inactive or
  lapsed BPJS Ketenagakerjaan membership) or ``belum terlindungi (uncovered)`` (never registered);
- ``tidak diperiksa``: a row the reader quarantined (a footer, a ragged line) or with neither name nor NIK; the
  ``Keterangan`` column says why, naming the row and column (never a value).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from data_contracts.contract import PACKAGE_DIR, Contract, load_contract
from data_contracts.reader import SOURCE_ROW, SourceReadError, frame_columns, looks_like_data, read_file
from data_contracts.regions import load_region_reference
from data_contracts.standardise import standardise
from data_contracts.validation import validate_source
from matching import (
    FellegiSunterModel,
    MatchSettings,
    ModelMismatchError,
    link_records,
    match_query,
    model_from_dict,
    score_record_pairs,
    settings_fingerprint,
)
from matching.link import matching_features
from matching.normalize import RegionResolver
from satupekerja.publishing.warehouse import (
    FEATURES_NOT_PUBLISHED,
    FEATURES_OTHER_SETTINGS,
    PublishedFeatures,
    Warehouse,
    published_matching_features,
    published_matching_model,
)
from satupekerja.registry.coverage import ACTIVE, LAPSED, NEVER_REGISTERED
from satupekerja.staff.safe_output import formula_safe, owner_only_file

STATUS_ACTIVE = "terdaftar & aktif"
STATUS_LAPSED = "terdaftar tetapi menunggak (lapsed)"
STATUS_UNCOVERED = "belum terlindungi (uncovered)"
STATUS_NOT_FOUND = "tidak ditemukan"
STATUS_AMBIGUOUS = "ambigu"
STATUS_NOT_CHECKED = "tidak diperiksa"
STATUS_BY_TK = {ACTIVE: STATUS_ACTIVE, LAPSED: STATUS_LAPSED, NEVER_REGISTERED: STATUS_UNCOVERED}

#: Columns added to the staff's list, in Bahasa Indonesia.
RESULT_COLUMNS = ("Status BPJS TK", "ID Pekerja", "Keyakinan Kecocokan", "Keterangan")

#: The contract every ad-hoc list is read with (not a nightly source: outside the folder of source contracts).
LIST_CONTRACT_PATH = PACKAGE_DIR / "lists" / "daftar_komunitas.yaml"
LIST_SUFFIXES = (".xlsx", ".xlsm", ".csv")
#: Person-schema fields a list's columns feed, in the order they are reported; a row needs a name or a NIK.
FIELDS = ("name", "alias", "phone", "nik", "birth_date", "kelurahan", "kecamatan", "region")
KEY_FIELDS = ("name", "nik")
NO_NAME_OR_NIK = "tidak ada nama atau NIK, tidak diperiksa / no name or NIK, not checked"


#: The standardiser's rules in Bahasa Indonesia, ahead of its (English) reason in the ``Keterangan`` column.
RULE_LABELS = {
    "name": "bukan nama",
    "phone": "bukan nomor HP",
    "date": "tanggal tidak terbaca atau mustahil",
    "nik": "NIK tidak sah",
    "not_null": "kosong",
    "min": "di luar batas",
    "max": "di luar batas",
    "ragged_row": "jumlah kolom tidak sesuai judul kolom",
    "stray_quote": "tanda kutip nyasar",
    "region_level": "nama wilayah dibaca sebagai kecamatan",
}


class ChecklistError(ValueError):
    """A problem with the list the user brought (file, sheet or columns); the message names file and column."""


@dataclass(frozen=True)
class ListRead:
    """A list as the reader and standardiser found it.

    ``rows``: every data row of the list (title rows and the header excluded), cells as written, under the
    list's own headers, in file order. ``source_rows``: each row's number in the file (Excel row, CSV line).
    ``records``: the person-schema record of each row (all-NA for rows not checkable), index aligned with
    ``rows``. ``checkable``: rows that are checked. ``notes``: per row, what the reader or standardiser said
    (the ``Keterangan``). ``columns``: field → the list's header used for it. ``header_row``: the header's row.
    """

    file_name: str
    rows: pd.DataFrame
    source_rows: pd.Series
    records: pd.DataFrame
    checkable: pd.Series
    notes: pd.Series
    columns: dict[str, str]
    header_row: int
    accounting: dict[str, int]


@dataclass(frozen=True)
class CheckedList:
    """The list as read (``rows``), with the result columns appended, and the columns used per field."""

    rows: pd.DataFrame
    columns: dict[str, str]
    header_row: int = 1
    source_rows: pd.Series | None = None


def load_list_contract(path: Path = LIST_CONTRACT_PATH) -> Contract:
    """The ad-hoc list contract (``data_contracts/lists/daftar_komunitas.yaml`` unless another is given)."""
    return load_contract(path)


def with_chosen_columns(contract: Contract, chosen: dict[str, str | None]) -> Contract:
    """``contract`` with the list's header named by the user (``--nik-col "No KTP"``) as the column of a field:
    the column feeding the field takes that header as its name (so it wins over any alias) and no aliases."""
    renamed: dict[str, str] = {}
    for field, header in chosen.items():
        if header is None:
            continue
        mapping = next((m for m in contract.mapping if m.target == field and m.columns), None)
        if mapping is None:
            raise ChecklistError(f"kolom untuk {field!r} tidak dapat dipilih / no column can be chosen for {field!r}")
        renamed[mapping.columns[0]] = header.strip()
    if not renamed:
        return contract
    columns = tuple(
        dataclasses.replace(rule, name=renamed[rule.name], aliases=(), header_words=())
        if rule.name in renamed
        else rule
        for rule in contract.columns
    )
    mappings = tuple(
        dataclasses.replace(m, columns=tuple(renamed.get(column, column) for column in m.columns))
        for m in contract.mapping
    )
    return dataclasses.replace(contract, columns=columns, mapping=mappings)


def read_list(
    path: Path,
    snapshot_date: pd.Timestamp,
    *,
    display_name: str | None = None,
    chosen: dict[str, str | None] | None = None,
    contract: Contract | None = None,
) -> ListRead:
    """Read one list file with the list contract (or ``contract``), validate and standardise it.

    ``display_name`` is the name shown in messages (an upload's own name); ``chosen`` maps fields (``name``,
    ``phone``, ``nik``, ``birth_date``) to headers the user named. Raises :class:`ChecklistError`, in Bahasa
    Indonesia first, naming the file (and the column), never a value of the list.
    """
    path = Path(path)
    name = display_name or path.name
    suffix = Path(name).suffix.lower()
    if suffix not in LIST_SUFFIXES:
        raise ChecklistError(
            f"{name}: jenis berkas {suffix or '(tanpa akhiran)'} tidak didukung; pakai .xlsx atau .csv / "
            f"unsupported file type {suffix or '(none)'}; use .xlsx or .csv"
        )
    if not path.is_file():
        raise ChecklistError(f"{name}: berkas tidak ditemukan / file not found")
    chosen = {field: header for field, header in (chosen or {}).items() if header is not None}
    contract = with_chosen_columns(contract or load_list_contract(), chosen)
    try:
        raw = read_file(contract, path, name)
    except SourceReadError as error:
        detail = str(error).removeprefix(f"source {contract.source}: ")
        raise ChecklistError(f"{name}: berkas tidak dapat dibaca / cannot be read ({detail})") from None
    header = raw.headers.get(name)
    if raw.file_problems or not header:
        raise ChecklistError(_file_problem(name, raw.file_problems, contract, chosen))
    positions = frame_columns(contract, header)
    labels = _labels(header)
    columns = {
        m.target: labels[positions.index(m.columns[0])]
        for m in contract.mapping
        if m.target in FIELDS and m.columns and m.columns[0] in positions
    }
    for field, wanted in chosen.items():
        if field not in columns:
            raise ChecklistError(
                f"{name}: kolom {wanted!r} tidak ditemukan / column {wanted!r} not found; "
                f"kolom daftar / the list has columns {_shown(header)}"
            )
    if not any(field in columns for field in KEY_FIELDS):
        raise ChecklistError(_no_key_columns(name, contract, header))
    columns = {field: columns[field] for field in FIELDS if field in columns}
    snapshot = pd.Timestamp(snapshot_date).date()
    report = validate_source(contract, raw, snapshot)
    if not report.passed:
        raise ChecklistError("; ".join(report.file_errors))
    result = standardise(contract, raw, report, snapshot, RegionResolver(load_region_reference()))
    rows = pd.DataFrame({label: raw.frame[column].to_numpy() for label, column in zip(labels, positions, strict=True)})
    source_rows = raw.frame[SOURCE_ROW].reset_index(drop=True)
    records = result.records.set_index("source_row", drop=False).reindex(source_rows.to_numpy())
    records = records.reset_index(drop=True)
    has_key = records[[field for field in KEY_FIELDS]].notna().any(axis=1)
    quarantined = source_rows.isin(result.quarantine["source_row"])
    notes = _notes(result.issues, positions, labels, len(rows))
    notes = notes.mask(~quarantined & ~has_key, notes.where(notes.eq(""), notes + "; ") + NO_NAME_OR_NIK)
    return ListRead(
        file_name=name,
        rows=rows,
        source_rows=source_rows,
        records=records,
        checkable=(~quarantined & has_key).reset_index(drop=True),
        notes=notes,
        columns=columns,
        header_row=raw.lines[name].lines_header,  # the lines up to and including the header
        accounting=result.accounting,
    )


def _labels(header: list[str]) -> list[str]:
    """The list's headers as column labels of the marked list: as written, blank ones ``(kolom N)``, a repeated
    one with `` (2)``."""
    seen: dict[str, int] = {}
    labels = []
    for position, text in enumerate(header, start=1):
        text = text or f"(kolom {position})"
        seen[text] = seen.get(text, 0) + 1
        labels.append(text if seen[text] == 1 else f"{text} ({seen[text]})")
    return labels


def _shown(header: list[str]) -> list[str]:
    """Headers safe to show in a message: those that could be a value (digits, long text) as ``(kolom N)``."""
    return [text if text and not looks_like_data(text) else f"(kolom {n})" for n, text in enumerate(header, 1)]


def _no_key_columns(name: str, contract: Contract, header: list[str] | None) -> str:
    looked_for = [m.columns[0] for m in contract.mapping if m.target in KEY_FIELDS and m.columns]
    aliases = [alias for rule in contract.columns if rule.name in looked_for for alias in rule.aliases[:2]]
    found = f"; kolom daftar / the list has columns {_shown(header)}" if header else ""
    rows = contract.read.header_search_rows or contract.read.header_row
    return (
        f"{name}: tidak menemukan kolom nama atau NIK di {rows} baris teratas (dicari: "
        f"{', '.join([*looked_for, *aliases])}…) / no name or NIK column found{found}; sebutkan kolomnya / name "
        "one with --name-col or --nik-col"
    )


def _file_problem(name: str, problems: list[str], contract: Contract, chosen: dict[str, str | None]) -> str:
    if any("judul kolom tidak ditemukan" in problem for problem in problems):
        if chosen:
            wanted = ", ".join(repr(header) for header in chosen.values())
            return f"{name}: kolom {wanted} tidak ditemukan / column {wanted} not found"
        return _no_key_columns(name, contract, None)
    detail = "; ".join(problem.removeprefix("file ") for problem in problems) or "no rows"
    return f"{name}: daftar tidak dapat dibaca / the list cannot be read: {detail}"


def _notes(issues: pd.DataFrame, positions: list[str], labels: list[str], count: int) -> pd.Series:
    """Per row, the issues found (``kolom <header>: <reason>``), quarantine reasons first."""
    label_of = dict(zip(positions, labels, strict=True))
    notes = pd.Series("", index=range(count), dtype="object")
    if not len(issues):
        return notes
    ordered = issues.assign(first=issues["severity"].ne("quarantine")).sort_values(["row", "first"], kind="stable")
    texts = ordered.apply(
        lambda issue: (
            (f"kolom {label_of.get(issue['column'], issue['column'])}: " if issue["column"] else "")
            + (f"{RULE_LABELS[issue['rule']]} / " if issue["rule"] in RULE_LABELS else "")
            + str(issue["reason"])
        ),
        axis=1,
    )
    joined = texts.groupby(ordered["row"]).agg(lambda parts: "; ".join(dict.fromkeys(parts)))
    notes.loc[joined.index] = joined.to_numpy()
    return notes


def check_records(
    query_records: pd.DataFrame,
    registry_records: pd.DataFrame | None,
    worker_links: pd.DataFrame,
    unified: pd.DataFrame,
    model: FellegiSunterModel,
    settings: MatchSettings,
    registry_features: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per query record (in order): ``status`` (Indonesian), ``worker_id`` and ``match_probability``.

    ``registry_features``: the registry's published matching features (made under ``settings``); without them
    they are computed from ``registry_records``."""
    result = match_query(query_records, registry_records, model, settings, registry_features=registry_features)
    worker_of = pd.Series(worker_links["worker_id"].to_numpy(), index=worker_links["record_id"].to_numpy())
    matches = result.matches.set_index("query_record_id").reindex(query_records["record_id"])
    worker = matches["registry_record_id"].map(worker_of)
    sure = result.pairs[result.pairs["match_probability"] >= settings.match_threshold]
    workers_per_query = (
        sure.assign(worker_id=sure["registry_record_id"].map(worker_of))
        .groupby("query_record_id")["worker_id"]
        .nunique()
    )
    contested = workers_per_query.reindex(matches.index).fillna(0).gt(1)
    tk_status = worker.map(pd.Series(unified["bpjs_tk_status"].to_numpy(), index=unified["worker_id"].to_numpy()))
    status = tk_status.map(STATUS_BY_TK).where(matches["status"].eq("match"))
    status = status.mask(matches["status"].eq("review") | contested, STATUS_AMBIGUOUS).fillna(STATUS_NOT_FOUND)
    found = ~status.eq(STATUS_NOT_FOUND)
    return pd.DataFrame(
        {
            "status": status.astype("str").to_numpy(),
            "worker_id": worker.where(found).astype("str").to_numpy(),
            "match_probability": matches["match_probability"].where(found).astype("float64").to_numpy(),
        }
    )


@dataclass(frozen=True)
class RegistryForChecks:
    """The registry a list is checked against: source records, their worker ids, the unified workers, the model,
    and the registry's matching features (``features``: published with the model under the same settings; then
    ``records`` may be ``None``: nothing is computed from them)."""

    records: pd.DataFrame | None
    worker_links: pd.DataFrame
    unified: pd.DataFrame
    model: FellegiSunterModel
    settings: MatchSettings
    features: pd.DataFrame | None = None


MODEL_RETRAINED = (
    "Model pencocokan tidak diterbitkan untuk snapshot ini (atau pengaturan berbeda): model dilatih ulang / "
    "no published model for these settings: retrained."
)
#: Why the registry's features are computed again (slower) instead of read: never mixed with other settings.
FEATURES_RECOMPUTED = {
    FEATURES_NOT_PUBLISHED: (
        "Fitur pencocokan registri tidak diterbitkan untuk snapshot ini: dihitung ulang dari catatan (lebih lambat) "
        "/ no matching features published with this snapshot: the registry's features are computed again (slower)."
    ),
    FEATURES_OTHER_SETTINGS: (
        "Fitur pencocokan registri yang diterbitkan dibuat dengan pengaturan pencocokan lain: tidak dipakai, "
        "dihitung ulang dari catatan (lebih lambat) / the published matching features were made under other "
        "matching settings: not used; the registry's features are computed again (slower)."
    ),
}


def registry_features(
    warehouse: Warehouse, snapshot_date: date, settings: MatchSettings, read_records: Callable[[], pd.DataFrame]
) -> tuple[pd.DataFrame, str | None]:
    """The registry's matching features for list checks under ``settings``: those published with the snapshot,
    else computed from the person records (``read_records``), never features of other settings; and the note
    (Indonesian first) to show when they were computed, else ``None``."""
    published = published_matching_features(warehouse, snapshot_date, settings_fingerprint(settings))
    if published.frame is not None:
        return published.frame, None
    records = read_records().sort_values("record_id", kind="stable")
    return matching_features(records, settings), FEATURES_RECOMPUTED[published.problem or FEATURES_NOT_PUBLISHED]


def prepare_registry(
    settings: MatchSettings,
    published_model: dict | None,
    published_features: PublishedFeatures,
    read_records: Callable[[], pd.DataFrame],
    worker_links: pd.DataFrame,
    unified: pd.DataFrame,
) -> tuple[RegistryForChecks, list[str]]:
    """The registry to check lists against, and what the user should be told (Indonesian first).

    With the model and the features published under the settings in force, nothing is computed and the person
    records are not read (``read_records`` is not called). Features made under other settings are never mixed
    with these settings' model: the registry's features are then computed from the records (and the model
    estimated again when it is not published for these settings either)."""
    notes = []
    records = None
    features = published_features.frame
    if features is None:
        notes.append(FEATURES_RECOMPUTED[published_features.problem or FEATURES_NOT_PUBLISHED])
    model = None
    if published_model is not None:
        try:
            model = model_from_dict(published_model, settings.comparisons, settings_fingerprint(settings))
        except ModelMismatchError:
            model = None
    if model is None or features is None:
        records = read_records()
    if model is None:
        notes.append(MODEL_RETRAINED)
        model = link_records(records, settings).model
    return RegistryForChecks(records, worker_links, unified, model, settings, features), notes


def registry_model(
    registry_records: pd.DataFrame, settings: MatchSettings, published: dict | None = None
) -> tuple[FellegiSunterModel, bool]:
    """The Fellegi–Sunter model to score a list with, and whether it is the published one.

    The night publishes its model with the snapshot (``matching_model``): when it was trained under the
    settings in force it is used as is. Otherwise (a snapshot published before models were, or other
    settings) the model is estimated again on the registry as the nightly run does (same settings and seed).
    """
    if published is not None:
        try:
            return model_from_dict(published, settings.comparisons, settings_fingerprint(settings)), True
        except ModelMismatchError:
            pass
    return link_records(registry_records, settings).model, False


def check_list(listed: ListRead, registry: RegistryForChecks) -> CheckedList:
    """Every row of the list, in order, with the result columns appended (``tidak diperiksa`` and the reason for
    rows that could not be checked)."""
    checkable = listed.checkable.to_numpy()
    status = pd.Series(STATUS_NOT_CHECKED, index=listed.rows.index, dtype="object")
    worker = pd.Series(None, index=listed.rows.index, dtype="object")
    probability = pd.Series(float("nan"), index=listed.rows.index, dtype="float64")
    if checkable.any():
        query = listed.records[checkable]
        checked = check_records(
            query,
            registry.records,
            registry.worker_links,
            registry.unified,
            registry.model,
            registry.settings,
            registry.features,
        )
        status[checkable] = checked["status"].to_numpy()
        worker[checkable] = checked["worker_id"].where(checked["worker_id"].ne("nan")).to_numpy()
        probability[checkable] = checked["match_probability"].to_numpy()
    out = listed.rows.copy()
    out[RESULT_COLUMNS[0]] = status
    out[RESULT_COLUMNS[1]] = worker.where(worker.notna(), None)
    out[RESULT_COLUMNS[2]] = probability.round(3)
    out[RESULT_COLUMNS[3]] = listed.notes.to_numpy()
    return CheckedList(rows=out, columns=listed.columns, header_row=listed.header_row, source_rows=listed.source_rows)


def default_output_path(list_path: Path) -> Path:
    """``<list>_hasil_cek.<same suffix>`` next to the list."""
    suffix = ".csv" if list_path.suffix.lower() == ".csv" else ".xlsx"
    return list_path.with_name(f"{list_path.stem}_hasil_cek{suffix}")


def write_checked(checked: pd.DataFrame, path: Path) -> Path:
    """xlsx (header frozen and bold, widths fitted) or csv (UTF-8 with BOM), by the suffix of ``path``."""
    if path.suffix.lower() not in (".csv", ".xlsx"):
        raise ChecklistError(f"{path}: output must be .xlsx or .csv")
    owner_only_file(path)
    checked = formula_safe(checked)
    if path.suffix.lower() == ".csv":
        checked.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n")
        return path
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        checked.to_excel(writer, index=False, sheet_name="Hasil Cek")
        sheet = writer.sheets["Hasil Cek"]
        for cells in sheet.iter_rows(min_row=2):
            for cell in cells:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text, never a formula
        sheet.freeze_panes = "A2"
        for position, column in enumerate(checked.columns, start=1):
            longest = checked[column].astype("str").str.len().max()
            width = max(len(str(column)), 0 if pd.isna(longest) else int(longest)) + 2
            sheet.column_dimensions[sheet.cell(row=1, column=position).column_letter].width = min(max(width, 8), 50)
    return path


def pairs_scored_with_published_model(
    warehouse: Warehouse, snapshot: date, records: pd.DataFrame, record_ids: list[str], settings: MatchSettings
) -> pd.DataFrame | None:
    """The pairs between one worker's records (``record_ids``), scored with the model published with the
    snapshot (no retraining) over their published matching features (only their rows are read; computed from
    ``records`` when the snapshot has none for ``settings``); None when no model for these settings is published
    or the worker has a single record. What ``satupekerja show`` and the web person page show as the weights."""
    document = published_matching_model(warehouse, snapshot)
    if document is None or len(record_ids) < 2:
        return None
    settings_hash = settings_fingerprint(settings)
    try:
        model = model_from_dict(document, settings.comparisons, settings_hash)
    except ModelMismatchError:
        return None
    published = published_matching_features(warehouse, snapshot, settings_hash, record_ids=record_ids)
    if published.frame is not None and len(published.frame) == len(record_ids):
        return score_record_pairs(None, model, settings, features=published.frame)
    own = records[records["record_id"].isin(record_ids)]
    return score_record_pairs(own, model, settings) if len(own) > 1 else None
