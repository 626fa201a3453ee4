"""Staff exports: the outreach list of uncovered informal workers, in Bahasa Indonesia, as xlsx or csv.

The workbook has one sheet per kelurahan (people first to contact on top), a styled and frozen header, column
widths fitted to the content, and a ``Keterangan`` sheet saying what the list is, as of when, and that it holds
personal data. NIKs are masked to their last four digits; phones are written the way staff dial them (``08…``).
Every cell is formula-safe and written as text, and files are created owner-only (:mod:`satupekerja.staff.safe_output`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from satupekerja.privacy.pseudonyms import mask_nik
from satupekerja.registry.coverage import LAPSED_ARREARS, NEVER_REGISTERED, NONAKTIF, shown_once
from satupekerja.staff import xlsx_stream
from satupekerja.staff.safe_output import formula_safe, owner_only_file, safe_text

NO_KELURAHAN_SHEET = "Tanpa Kelurahan"
INFO_SHEET = "Keterangan"
MAX_SHEET_NAME = 31
_MIN_WIDTH, _MAX_WIDTH = 8, 60

#: Staff-facing columns, in order (Bahasa Indonesia).
HEADERS: tuple[str, ...] = (
    "Prioritas",
    "ID Pekerja",
    "NIK",
    "Nama",
    "Nama Panggilan",
    "No. HP",
    "Alamat",
    "RT/RW",
    "Kelurahan",
    "Kecamatan",
    "Sektor",
    "Status BPJS TK",
    "Bulan Menunggak",
    "Rentan",
    "Alasan",
)

SECTOR_LABELS = {
    "ojol": "Ojek online",
    "kurir": "Kurir",
    "pedagang_pasar": "Pedagang pasar",
    "pedagang_keliling": "Pedagang keliling",
    "umkm": "Pelaku UMKM",
    "buruh_harian": "Buruh harian",
    "art": "Asisten rumah tangga",
    "asisten_rumah_tangga": "Asisten rumah tangga",
    "tukang": "Tukang",
    "sopir": "Sopir",
    "freelancer": "Pekerja lepas (freelancer)",
    "pedagang": "Pedagang",
    "wiraswasta": "Wiraswasta",
    "pertanian": "Petani, peternak atau nelayan",
    "lainnya": "Lainnya",
}

STATUS_LABELS = {
    NEVER_REGISTERED: "Belum terdaftar",
    LAPSED_ARREARS: "Menunggak (kepesertaan berakhir)",
    NONAKTIF: "Nonaktif",
}

REASON_NEVER_REGISTERED = "belum pernah terdaftar BPJS Ketenagakerjaan"
REASON_LAPSED = "kepesertaan BPU berakhir karena menunggak iuran"
REASON_NONAKTIF = "kepesertaan BPJS Ketenagakerjaan berstatus nonaktif"
#: The note on a review group's row (the group is shown once): ``{n}`` = the other listed workers of the group.
REVIEW_GROUP_NOTE = "kemungkinan orang yang sama dengan {n} pekerja lain di daftar, menunggu review"

VULNERABLE_TEXT = {
    "pbi_apbn": "peserta JKN PBI (iuran dibayar APBN)",
    "pbi_apbd": "peserta JKN PBI (iuran dibayar APBD)",
    "jkn_pbpu_nonaktif": "JKN mandiri (PBPU) nonaktif",
}


def staff_table(uncovered: pd.DataFrame, regions: pd.DataFrame) -> pd.DataFrame:
    """The outreach list with Indonesian headers and staff-readable values, sorted by priority.

    ``uncovered`` is the ``uncovered_informal_workers`` table (restricted tier); ``regions`` the reference
    ``wilayah_depok.csv`` (names for the codes). A review group (``review_group``: workers joined by an open
    double-registration review pair, probably one person) is shown once, on its representative's row, with
    :data:`REVIEW_GROUP_NOTE` in ``Alasan``.
    """
    ordered = (
        shown_once(uncovered).sort_values(["outreach_priority", "worker_id"], na_position="last").reset_index(drop=True)
    )
    kelurahan_names = dict(zip(regions["kode_wilayah"], regions["kelurahan"], strict=True))
    kecamatan_names = dict(zip(regions["kode_kecamatan"], regions["kecamatan"], strict=False))
    out = pd.DataFrame(
        {
            "Prioritas": ordered["outreach_priority"].astype("Int64"),
            "ID Pekerja": ordered["worker_id"],
            "NIK": mask_nik(ordered["nik"]),
            "Nama": ordered["name"],
            "Nama Panggilan": ordered["alias"],
            "No. HP": local_phone(ordered["phone"]),
            "Alamat": ordered["address"],
            "RT/RW": rt_rw(ordered["rt"], ordered["rw"]),
            "Kelurahan": ordered["kelurahan_code"].map(kelurahan_names).astype("str"),
            "Kecamatan": ordered["kecamatan_code"].map(kecamatan_names).astype("str"),
            "Sektor": sector_label(ordered["sector"], ordered["occupation"]),
            "Status BPJS TK": ordered["uncovered_reason"].map(STATUS_LABELS).astype("str"),
            "Bulan Menunggak": ordered["months_in_arrears"].astype("Int64"),
            "Rentan": np.where(ordered["vulnerable"].fillna(False).astype("bool"), "Ya", "Tidak"),
            "Alasan": reasons(ordered) + review_group_note(ordered),
        }
    )
    return out.astype({"Rentan": "str"})[list(HEADERS)]


def sector_label(sector: pd.Series, occupation: pd.Series) -> pd.Series:
    """The trade in Indonesian (``ojol`` → ``Ojek online``); the stated occupation where no trade is known."""
    spelled_out = sector.str.replace("_", " ").str.capitalize()
    return sector.map(SECTOR_LABELS).fillna(spelled_out).fillna(occupation.str.capitalize()).astype("str")


def reasons(uncovered: pd.DataFrame) -> pd.Series:
    """Why each person is on the list, in Indonesian: informal work, cover status, and vulnerability."""
    sector = uncovered["sector"].map(SECTOR_LABELS).fillna(uncovered["sector"].str.replace("_", " ")).str.lower()
    work = ("Pekerja informal (" + sector + ")").fillna("Pekerja informal")
    reason = uncovered["uncovered_reason"]
    status = reason.map({NEVER_REGISTERED: REASON_NEVER_REGISTERED, NONAKTIF: REASON_NONAKTIF}).astype("str")
    months = uncovered["months_in_arrears"].astype("Int64").astype("str")
    lapsed = (REASON_LAPSED + " " + months + " bulan").fillna(REASON_LAPSED)
    status = status.mask(reason.eq(LAPSED_ARREARS), lapsed)
    vulnerable = vulnerable_text(uncovered["vulnerable_reason"])
    return (work + ("; " + status).fillna("") + ("; rentan: " + vulnerable).fillna("")).astype("str")


def review_group_note(uncovered: pd.DataFrame) -> pd.Series:
    """``; kemungkinan orang yang sama dengan 1 pekerja lain di daftar, menunggu review`` on a review group's row,
    empty elsewhere (and on a list without the ``review_group_size`` column)."""
    if "review_group_size" not in uncovered.columns:
        return pd.Series("", index=uncovered.index, dtype="str")
    others = uncovered["review_group_size"].astype("Int64") - 1
    grouped = others.notna().to_numpy()
    text = np.full(len(others), "", dtype=object)
    text[grouped] = ["; " + REVIEW_GROUP_NOTE.format(n=n) for n in others[grouped]]  # a group's row: few
    return pd.Series(text, index=uncovered.index, dtype="str")


def vulnerable_text(codes: pd.Series) -> pd.Series:
    """``pbi_apbn,jkn_pbpu_nonaktif`` → Indonesian phrases joined by ``, ``; NA stays NA (done per distinct value)."""
    distinct = codes.dropna().unique()
    lookup = {code: ", ".join(VULNERABLE_TEXT.get(part, part) for part in code.split(",")) for code in distinct}
    return codes.map(lookup).astype("str")


def local_phone(phone: pd.Series) -> pd.Series:
    """``62812…`` → ``0812…`` (how staff dial); other values unchanged."""
    return phone.str.replace(r"^62", "0", regex=True).astype("str")


def rt_rw(rt: pd.Series, rw: pd.Series) -> pd.Series:
    """``002/005`` as written on Indonesian addresses; the missing half shown as ``-``."""
    both = rt.notna() | rw.notna()
    text = rt.str.zfill(3).fillna("-") + "/" + rw.str.zfill(3).fillna("-")
    return text.where(both).astype("str")


def sheet_names(table: pd.DataFrame) -> pd.Series:
    """The sheet of each row: its kelurahan, with the kecamatan added when two kecamatan share a name (Curug)."""
    kelurahan = table["Kelurahan"].fillna(NO_KELURAHAN_SHEET)
    kecamatan_per_name = table.groupby(kelurahan, dropna=False)["Kecamatan"].transform("nunique")
    qualified = kelurahan + " (" + table["Kecamatan"].fillna("-") + ")"
    names = qualified.where(kecamatan_per_name > 1, kelurahan)
    return names.str.slice(0, MAX_SHEET_NAME).str.replace(r"[\[\]:*?/\\]", "-", regex=True)


def write_xlsx(table: pd.DataFrame, path: Path, info: Iterable[tuple[str, str]]) -> Path:
    """One sheet per kelurahan (alphabetical), rows in priority order, then the ``Keterangan`` sheet (written by
    :mod:`satupekerja.staff.xlsx_stream`: every text cell an inline string, never a formula)."""
    table = formula_safe(table)
    sheets = sheet_names(table)
    widths = _column_widths(table)
    pages = [xlsx_stream.Sheet(name, table[sheets == name], widths) for name in sorted(sheets.unique())]
    notes = pd.DataFrame(
        {"label": [label for label, _value in info], "value": [safe_text(str(value)) for _label, value in info]}
    )
    pages.append(xlsx_stream.Sheet(INFO_SHEET, notes, {"label": 28, "value": 90}, header=False))
    owner_only_file(path)
    return xlsx_stream.write_workbook(path, pages)


def write_csv(table: pd.DataFrame, path: Path) -> Path:
    """The same columns as the workbook, UTF-8 with a byte-order mark so Excel reads the accents right."""
    owner_only_file(path)
    # CRLF line ends (what Excel writes): a value holding a lone CR or LF is then quoted, never split.
    formula_safe(table).to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    return path


def _column_widths(table: pd.DataFrame) -> dict[str, float]:
    """Width of each column: its longest value or header plus a margin, within sensible bounds."""
    widths = {}
    for column in table.columns:
        longest = table[column].astype("str").str.len().max()
        width = max(len(column), 0 if pd.isna(longest) else int(longest)) + 2
        widths[column] = float(min(max(width, _MIN_WIDTH), _MAX_WIDTH))
    return widths
