"""Reading a community list as people bring it: title rows above the header, footer rows below, ``;`` or ``,``.

The header is the first of the top rows in which :func:`satupekerja.staff.checklist.detect_columns` finds a name or
NIK column; rows above it are dropped, and so are rows at the end without a name and a NIK (totals, "Mengetahui",
signatures). The columns found then go through the same engine as ``satupekerja check-list``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from satupekerja.staff.checklist import ChecklistError, detect_columns, header_key

HEADER_SEARCH_ROWS = 15
ALLOWED_SUFFIXES = (".xlsx", ".csv")


def read_messy_list(path: Path, display_name: str) -> tuple[pd.DataFrame, dict[str, str], int]:
    """``(rows, columns, header_row)``: the list's data rows (text), the columns used per field, and the
    1-based row number of the header in the file. Raises :class:`ChecklistError` naming the file."""
    suffix = Path(display_name).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise ChecklistError(
            f"{display_name}: jenis berkas {suffix or '(tanpa akhiran)'} tidak didukung; pakai .xlsx atau .csv"
        )
    raw = _read_raw(path, suffix, display_name)
    raw = raw.dropna(how="all").dropna(axis=1, how="all")
    if raw.empty:
        raise ChecklistError(f"{display_name}: daftar tidak berisi baris")
    for position in range(min(HEADER_SEARCH_ROWS, len(raw))):
        header = [
            str(value).strip() if pd.notna(value) else f"kolom_{index + 1}"
            for index, value in enumerate(raw.iloc[position])
        ]
        try:
            columns = detect_columns(header, {}, display_name)
        except ChecklistError:
            continue
        columns = {**_loose_columns(header, columns), **columns}
        body = raw.iloc[position + 1 :].copy()
        body.columns = _unique(header)
        columns = {field: _unique(header)[header.index(column)] for field, column in columns.items()}
        key_columns = [columns[field] for field in ("name", "nik") if field in columns]
        has_key = body[key_columns].notna().any(axis=1)
        if not has_key.any():
            raise ChecklistError(
                f"{display_name}: tidak ada baris berisi nama atau NIK di bawah judul kolom (baris {int(raw.index[position]) + 1})"
            )
        last = has_key[has_key].index[-1]
        body = body.loc[:last]
        body = body[body.notna().any(axis=1)]
        return body, columns, int(raw.index[position]) + 1
    raise ChecklistError(
        f"{display_name}: tidak menemukan kolom nama atau NIK di {HEADER_SEARCH_ROWS} baris teratas "
        "(dicari: nama, nama lengkap, nik, no ktp…)"
    )


def _read_raw(path: Path, suffix: str, display_name: str) -> pd.DataFrame:
    """Every cell as text, no header; the index is the 0-based row of the file."""
    if suffix == ".xlsx":
        try:
            frame = pd.read_excel(path, sheet_name=0, header=None, dtype="str", engine="openpyxl")
        except Exception as error:  # openpyxl raises many kinds for a broken workbook
            raise ChecklistError(f"{display_name}: berkas Excel tidak bisa dibaca ({type(error).__name__})") from None
        return frame
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    lines = text.splitlines()
    sample = "\n".join(lines[:50])
    delimiter = max((";", ",", "\t", "|"), key=lambda candidate: sum(line.count(candidate) for line in lines[:50]))
    if not sample.strip():
        raise ChecklistError(f"{display_name}: daftar tidak berisi baris")
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    width = max(len(row) for row in rows)
    frame = pd.DataFrame([row + [""] * (width - len(row)) for row in rows], dtype="str")
    return frame.replace(r"^\s*$", pd.NA, regex=True)


#: Words that mark a column when the whole header is not a known synonym (``No. HP / WA``, ``Tgl. Lahir (dd/mm)``).
LOOSE_WORDS = {
    "phone": {"hp", "wa", "whatsapp", "telp", "telepon", "handphone", "ponsel"},
    "nik": {"nik", "ktp"},
    "birth_date": {"lahir", "lhr"},
}


def _loose_columns(header: list[str], found: dict[str, str]) -> dict[str, str]:
    """Fields not found by synonym, found by one telling word in a header (first such column wins)."""
    taken = set(found.values())
    out = {}
    for field, words in LOOSE_WORDS.items():
        if field in found:
            continue
        for column in header:
            if column not in taken and words & set(header_key(column).split()):
                out[field] = column
                taken.add(column)
                break
    return out


def _unique(header: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in header:
        count = seen.get(name, 0)
        seen[name] = count + 1
        out.append(name if count == 0 else f"{name} ({count + 1})")
    return out
