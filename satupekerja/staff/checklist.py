"""Check a community's list against the registry: is each person covered, lapsed, uncovered, unknown or ambiguous?

Staff bring a list (xlsx or csv) with whatever headers the community used. Columns are found by synonyms
(``COLUMN_SYNONYMS``: name, phone, NIK, birth date, and kelurahan/kecamatan when present) unless named explicitly; the values go through the same normalisers as the sources
(``matching.normalize``) and the list is matched with the same engine and model as the registry
(``matching.match_query``). A row is

- ``tidak ditemukan``: no registry record reaches the review threshold;
- ``ambigu``: the best match is only in the review band, or records of two different workers reach the match
  threshold (a shared phone, a namesake): a person must look;
- otherwise the matched worker's cover: ``terdaftar & aktif``, ``terdaftar tetapi menunggak (lapsed)``
  (any inactive or lapsed BPJS Ketenagakerjaan membership) or ``belum terlindungi (uncovered)`` (never registered).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from data_contracts.regions import load_region_reference
from data_contracts.schema import conform_to_person_schema
from matching import (
    FellegiSunterModel,
    MatchSettings,
    ModelMismatchError,
    link_records,
    match_query,
    model_from_dict,
    settings_fingerprint,
)
from matching.normalize import RESOLVED_COLUMNS, RegionResolver, clean_name, normalize_phone, parse_date, parse_nik
from satupekerja.registry.coverage import ACTIVE, LAPSED, NEVER_REGISTERED
from satupekerja.staff.safe_output import formula_safe, owner_only_file

STATUS_ACTIVE = "terdaftar & aktif"
STATUS_LAPSED = "terdaftar tetapi menunggak (lapsed)"
STATUS_UNCOVERED = "belum terlindungi (uncovered)"
STATUS_NOT_FOUND = "tidak ditemukan"
STATUS_AMBIGUOUS = "ambigu"
STATUS_BY_TK = {ACTIVE: STATUS_ACTIVE, LAPSED: STATUS_LAPSED, NEVER_REGISTERED: STATUS_UNCOVERED}

#: Columns added to the staff's list, in Bahasa Indonesia.
RESULT_COLUMNS = ("Status BPJS TK", "ID Pekerja", "Keyakinan Kecocokan")

QUERY_SOURCE = "check_list"

#: Header synonyms per field, compared after ``header_key`` (lower case, punctuation as spaces).
COLUMN_SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": (
        "nama",
        "name",
        "nama lengkap",
        "full name",
        "nama driver",
        "nama anggota",
        "nama kurir",
        "nama pedagang",
        "nama peserta",
        "nama pekerja",
    ),
    "phone": (
        "no hp",
        "hp",
        "nomor hp",
        "no handphone",
        "handphone",
        "no wa",
        "wa",
        "nomor wa",
        "whatsapp",
        "no whatsapp",
        "telepon",
        "no telepon",
        "no telp",
        "telp",
        "phone",
        "no tlp",
        "kontak",
    ),
    "nik": ("nik", "no nik", "nomor nik", "no ktp", "ktp", "nomor ktp", "nomor induk kependudukan"),
    "birth_date": (
        "tgl lahir",
        "tanggal lahir",
        "tgl lhr",
        "tanggal lhr",
        "lahir",
        "birth date",
        "date of birth",
        "dob",
    ),
    "kelurahan": ("kelurahan", "kel", "desa", "domisili", "kelurahan domisili"),
    "kecamatan": ("kecamatan", "kec"),
}
FIELDS = tuple(COLUMN_SYNONYMS)


class ChecklistError(ValueError):
    """A problem with the list the user brought (file, sheet or columns); the message names file and column."""


@dataclass(frozen=True)
class CheckedList:
    """The list as read (``rows``), with the three result columns appended, and the columns used per field."""

    rows: pd.DataFrame
    columns: dict[str, str]


def header_key(header: object) -> str:
    """``No. HP / WA`` → ``no hp wa``: lower case, punctuation and repeated spaces folded."""
    return re.sub(r"[^0-9a-z]+", " ", str(header).lower()).strip()


def read_list(path: Path) -> pd.DataFrame:
    """The list as text: the first sheet of an xlsx, or a csv (delimiter sniffed; UTF-8, else Windows-1252)."""
    if not path.is_file():
        raise ChecklistError(f"{path}: file not found")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        try:
            frame = pd.read_excel(path, sheet_name=0, dtype="str", engine="openpyxl")
        except Exception as error:  # not a zip, a damaged part: a one-line message naming the file
            raise ChecklistError(
                f"{path}: file rusak, bukan workbook Excel yang dapat dibaca / not a readable Excel "
                f"workbook ({type(error).__name__})"
            ) from None
    elif suffix == ".csv":
        try:
            frame = pd.read_csv(path, dtype="str", sep=None, engine="python", encoding="utf-8-sig")
        except UnicodeDecodeError:
            frame = pd.read_csv(path, dtype="str", sep=None, engine="python", encoding="cp1252")
    else:
        raise ChecklistError(f"{path}: unsupported file type {path.suffix!r}; use .xlsx or .csv")
    if frame.empty:
        raise ChecklistError(f"{path}: the list has no rows")
    frame.columns = [str(column).strip() for column in frame.columns]
    return frame.dropna(how="all")


def detect_columns(columns: list[str], chosen: dict[str, str | None], file_name: str) -> dict[str, str]:
    """Field → column of the list: the column named in ``chosen``, else the first synonym found.

    Needs at least a name or a NIK column. Raises :class:`ChecklistError` naming the file and the columns.
    """
    by_key = {header_key(column): column for column in reversed(columns)}
    found: dict[str, str] = {}
    for field in FIELDS:
        wanted = chosen.get(field)
        if wanted is not None:
            if wanted not in columns and header_key(wanted) not in by_key:
                raise ChecklistError(f"{file_name}: column {wanted!r} not found; the list has columns {columns}")
            found[field] = wanted if wanted in columns else by_key[header_key(wanted)]
            continue
        match = next((by_key[synonym] for synonym in COLUMN_SYNONYMS[field] if synonym in by_key), None)
        if match is not None:
            found[field] = match
    if "name" not in found and "nik" not in found:
        raise ChecklistError(
            f"{file_name}: no name or NIK column found (looked for {', '.join(COLUMN_SYNONYMS['name'][:3])}, nik…); "
            f"the list has columns {columns}; name one with --name-col or --nik-col"
        )
    return found


def to_person_records(
    rows: pd.DataFrame, columns: dict[str, str], file_name: str, snapshot_date: pd.Timestamp
) -> pd.DataFrame:
    """The list in the person schema, through the sources' normalisers. Row numbers are Excel/CSV rows (header = 1)."""
    source_row = pd.Series(rows.index.to_numpy() + 2, dtype="int64")
    values = {field: rows[column].reset_index(drop=True).astype("str") for field, column in columns.items()}
    frame = pd.DataFrame(
        {
            "source": QUERY_SOURCE,
            "record_id": QUERY_SOURCE + ":" + source_row.astype("str"),
            "source_file": file_name,
            "source_row": source_row,
        }
    )
    if "name" in values:
        frame["name"] = clean_name(values["name"])
    if "phone" in values:
        frame["phone"] = normalize_phone(values["phone"])
    if "birth_date" in values:
        frame["birth_date"] = parse_date(values["birth_date"])
    if "kelurahan" in values:
        resolved = RegionResolver(load_region_reference()).resolve(values["kelurahan"], values.get("kecamatan"))
        for column in RESOLVED_COLUMNS:
            frame[column] = resolved[column].to_numpy()
    if "nik" in values:
        parsed = parse_nik(values["nik"], snapshot_date.date())
        for column in parsed.columns:
            frame[column] = parsed[column].to_numpy()
    return conform_to_person_schema(frame)


def check_records(
    query_records: pd.DataFrame,
    registry_records: pd.DataFrame,
    worker_links: pd.DataFrame,
    unified: pd.DataFrame,
    model: FellegiSunterModel,
    settings: MatchSettings,
) -> pd.DataFrame:
    """Per query record (in order): ``status`` (Indonesian), ``worker_id`` and ``match_probability``."""
    result = match_query(query_records, registry_records, model, settings)
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
    """The registry a list is checked against: source records, their worker ids, the unified workers, the model."""

    records: pd.DataFrame
    worker_links: pd.DataFrame
    unified: pd.DataFrame
    model: FellegiSunterModel
    settings: MatchSettings


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


def check_list(
    rows: pd.DataFrame,
    columns: dict[str, str],
    file_name: str,
    snapshot_date: pd.Timestamp,
    registry: RegistryForChecks,
) -> CheckedList:
    """``rows`` of the staff's list with the result columns appended."""
    query = to_person_records(rows, columns, file_name, snapshot_date)
    checked = check_records(
        query, registry.records, registry.worker_links, registry.unified, registry.model, registry.settings
    )
    out = rows.reset_index(drop=True).copy()
    out[RESULT_COLUMNS[0]] = checked["status"]
    out[RESULT_COLUMNS[1]] = checked["worker_id"]
    out[RESULT_COLUMNS[2]] = checked["match_probability"].round(3)
    return CheckedList(rows=out, columns=columns)


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
