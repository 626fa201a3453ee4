"""Reading a community list uploaded on the "Cek daftar" page: the same ingestion path as ``satupekerja check-list``.

The upload is stored under a random name; the list is read with its own name (``display_name``) through
:func:`satupekerja.staff.checklist.read_list`, i.e. the contract reader with the ad-hoc list contract: title rows
above the header, footer rows below it, odd headers, ``;`` or ``,``, xlsx or csv.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from satupekerja.staff.checklist import ListRead, read_list

ALLOWED_SUFFIXES = (".xlsx", ".csv")


def read_uploaded_list(path: Path, display_name: str, snapshot_date: pd.Timestamp) -> ListRead:
    """The uploaded list, read as ``display_name``. Raises :class:`satupekerja.staff.checklist.ChecklistError`
    naming the file (Bahasa Indonesia first)."""
    return read_list(path, snapshot_date, display_name=display_name)
