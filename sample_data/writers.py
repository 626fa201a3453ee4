"""Writers: each source in its agency's real format, plus the ground truth and the manifest."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import sqlalchemy as sa
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

#: Where each source lands, relative to the output folder (the pipeline's ``SATUPEKERJA_DATA_DIR``).
SOURCE_PATHS = {
    "dukcapil": "dukcapil/dukcapil.sqlite",
    "bpjs_kesehatan": "bpjs_kesehatan/peserta_jkn_depok.csv",
    "disnaker_pencari_kerja": "disnaker/registrasi_disnaker.xlsx",
    "disnaker_pelatihan": "disnaker/registrasi_disnaker.xlsx",
    "disnaker_pekerja_informal": "disnaker/registrasi_disnaker.xlsx",
    "umkm": "umkm/data_umkm_depok.csv",
    "pedagang_pasar": "pasar/pedagang_pasar.csv",
    "komunitas": "komunitas",
    "bpjs_ketenagakerjaan": "bpjs_ketenagakerjaan/kepesertaan_bpjstk.csv",
}
DUKCAPIL_TABLE = "biodata_wni"
DISNAKER_SHEETS = {
    "disnaker_pencari_kerja": "Pencari Kerja",
    "disnaker_pelatihan": "Pelatihan",
    "disnaker_pekerja_informal": "Pekerja Informal",
}
DISNAKER_TITLES = {
    "disnaker_pencari_kerja": "DATA PENCARI KERJA (AK/1)",
    "disnaker_pelatihan": "DATA PESERTA PELATIHAN BERBASIS KOMPETENSI",
    "disnaker_pekerja_informal": "DATA REGISTRASI PEKERJA INFORMAL",
}
CSV_FORMATS = {  # source -> (separator, encoding, line terminator)
    "bpjs_kesehatan": (";", "utf-8", "\n"),
    "umkm": (",", "cp1252", "\r\n"),
    "pedagang_pasar": (",", "utf-8", "\n"),
    "bpjs_ketenagakerjaan": (",", "utf-8", "\n"),
}
EXCEL_DATE_FORMAT = "DD/MM/YYYY"


def write_dukcapil(table: pd.DataFrame, path: Path) -> None:
    """The population register as an SQL table (SQLite here; the contract reads any SQLAlchemy URL)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    metadata = sa.MetaData()
    columns: list[sa.Column[Any]] = [sa.Column("ID_PENDUDUK", sa.Integer, primary_key=True)]
    for name in table.columns[1:]:
        if name == "TGL_LHR":
            columns.append(sa.Column(name, sa.Date))
        elif name in ("NO_RT", "NO_RW"):
            columns.append(sa.Column(name, sa.Integer))
        else:
            columns.append(sa.Column(name, sa.String(120)))
    biodata = sa.Table(DUKCAPIL_TABLE, metadata, *columns)
    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        metadata.create_all(engine)
        records = table.astype(object).where(table.notna(), None)
        records["TGL_LHR"] = [None if pd.isna(d) else d.date() for d in table["TGL_LHR"]]
        with engine.begin() as connection:
            connection.execute(biodata.insert(), records.to_dict("records"))
    finally:
        engine.dispose()


def write_csv(table: pd.DataFrame, path: Path, separator: str, encoding: str, line_terminator: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path, sep=separator, encoding=encoding, index=False, lineterminator=line_terminator)


def _cell_value(value):
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.integer):
        return int(value)
    return value


def _append_rows(sheet, table: pd.DataFrame) -> None:
    for row in table.itertuples(index=False, name=None):
        cells = []
        for value in row:
            value = _cell_value(value)
            if isinstance(value, dt.datetime):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = EXCEL_DATE_FORMAT
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)


def _save_reproducibly(workbook: Workbook, path: Path, as_of: dt.date) -> None:
    """Save with the as-of date as document and zip-entry timestamps, so equal data gives equal bytes.

    openpyxl stamps ``dcterms:modified`` with the clock on save, so the core properties are rewritten afterwards.
    """
    stamp = dt.datetime.combine(as_of, dt.time())
    workbook.properties.created = stamp
    workbook.save(path)
    with zipfile.ZipFile(path) as archive:
        entries = [(info.filename, archive.read(info)) for info in archive.infolist()]
    modified = f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp:%Y-%m-%dT%H:%M:%S}Z</dcterms:modified>'
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, payload in entries:
            if name == "docProps/core.xml":
                payload = re.sub(rb"<dcterms:modified[^>]*>[^<]*</dcterms:modified>", modified.encode(), payload)
            info = zipfile.ZipInfo(name, date_time=stamp.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, payload)


def write_disnaker(tables: dict[str, pd.DataFrame], path: Path, as_of: dt.date) -> None:
    """One workbook, one sheet per Disnaker service, three title rows above the header on row 4."""
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = Workbook(write_only=True)
    for source, sheet_name in DISNAKER_SHEETS.items():
        sheet = workbook.create_sheet(sheet_name)
        sheet.append(["DINAS TENAGA KERJA KOTA DEPOK"])
        sheet.append([DISNAKER_TITLES[source]])
        sheet.append([f"Keadaan per {as_of:%d-%m-%Y}"])
        sheet.append(list(tables[source].columns))
        _append_rows(sheet, tables[source])
    _save_reproducibly(workbook, path, as_of)


def write_komunitas(tables: dict[str, pd.DataFrame], folder: Path, as_of: dt.date) -> None:
    """Each community list as its own .xlsx (header on row 1) or UTF-8 .csv (header on line 1)."""
    folder.mkdir(parents=True, exist_ok=True)
    for file_name, table in tables.items():
        path = folder / file_name
        if path.suffix == ".csv":
            write_csv(table, path, ",", "utf-8", "\n")
            continue
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Anggota")
        sheet.append(list(table.columns))
        _append_rows(sheet, table)
        _save_reproducibly(workbook, path, as_of)


def write_parquet(frame: pd.DataFrame, path: Path, date_columns: tuple[str, ...] = ()) -> None:
    """Parquet with date columns stored as ``date32``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    for name in date_columns:
        i = table.schema.get_field_index(name)
        table = table.set_column(i, pa.field(name, pa.date32()), table.column(name).cast(pa.date32()))
    pq.write_table(table, path)


def write_manifest(manifest: dict, path: Path) -> None:
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
