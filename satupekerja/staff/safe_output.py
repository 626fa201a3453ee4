"""Files the project writes for people: formula-safe cells and owner-only permissions.

**Formula injection** (OWASP "CSV Injection"): a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is run as a formula by Excel, LibreOffice and Google Sheets when a CSV or workbook is opened
(``=HYPERLINK("http://…","KARYAWAN SWASTA")``, ``+cmd|' /C calc'!A0``, ``@SUM(…)``). Every text cell written
to a CSV or xlsx goes through :func:`formula_safe`, which prefixes such cells with a single quote ``'`` (the
value stays readable; the sheet shows it as text). Workbook cells are moreover written as text cells, never
formulas (:func:`text_cell_values`).

**Permissions**: exports and check-list results hold names, phones and addresses. They are created ``0600``
before a byte is written, and the folders this module creates (and the export folder) are ``0700``, as the
restricted tier of the warehouse already is.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_START = r"^[=+\-@\t\r]"
OWNER_ONLY_FILE = 0o600
OWNER_ONLY_DIR = 0o700


def formula_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` where every text cell starting like a formula is prefixed with ``'`` (vectorised per
    column; numbers, dates and missing values are left alone, the column names too unless they are unsafe)."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
            # Every cell is tested (missing ones are not text), so the mask is boolean even for an all-missing column.
            text = values.where(values.map(lambda v: isinstance(v, str)).astype(bool))
            unsafe = text.str.match(_FORMULA_START).eq(True)
            if unsafe.any():
                out[column] = values.astype(object).mask(unsafe, "'" + text.astype(object))
    out.columns = [safe_text(column) if isinstance(column, str) else column for column in out.columns]
    return out


def safe_text(value: str) -> str:
    """One text value made formula-safe."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def private_folder(folder: Path) -> Path:
    """Create ``folder`` (and missing parents) ``0700``; an existing folder is left as its owner set it."""
    missing = [parent for parent in (folder, *folder.parents) if not parent.exists()]
    for parent in reversed(missing):
        parent.mkdir(mode=OWNER_ONLY_DIR, exist_ok=True)
        parent.chmod(OWNER_ONLY_DIR)
    return folder


def owner_only_file(path: Path) -> Path:
    """Create (or truncate) ``path`` with mode ``0600`` before anything is written to it."""
    private_folder(path.parent)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, OWNER_ONLY_FILE)
    try:
        os.fchmod(descriptor, OWNER_ONLY_FILE)
    finally:
        os.close(descriptor)
    return path
