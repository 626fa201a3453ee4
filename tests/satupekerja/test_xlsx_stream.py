"""The streaming xlsx writer: what openpyxl reads back is what was written, text is never a formula."""

from __future__ import annotations

import pandas as pd
from openpyxl import load_workbook

from satupekerja.staff.xlsx_stream import Sheet, column_letter, write_workbook


def test_values_styles_and_sheets_read_back(tmp_path):
    rows = pd.DataFrame(
        {
            "Nama": ["=1+1", "A & B <c>", "bel\x07l", None],
            "Jumlah": pd.array([1, None, 3, 4], dtype="Int64"),
            "Skor": [0.5, float("nan"), 2.25, 1e-3],
            "Ya": [True, False, True, False],
        }
    )
    info = pd.DataFrame({"label": ["Daftar", "RAHASIA"], "value": ["uji", "data pribadi"]})
    path = write_workbook(
        tmp_path / "t.xlsx",
        [
            Sheet("Pancoran Mas", rows, {"Nama": 20, "Jumlah": 9}),
            Sheet("Keterangan", info, {"label": 28}, header=False),
        ],
    )
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["Pancoran Mas", "Keterangan"]
    sheet = workbook["Pancoran Mas"]
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold and sheet["A1"].fill.fgColor.rgb == "FF1F6E43"
    assert sheet.column_dimensions["A"].width == 20 and sheet.column_dimensions["B"].width == 9
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("Nama", "Jumlah", "Skor", "Ya")
    assert values[1:] == [("=1+1", 1, 0.5, True), ("A & B <c>", None, None, False), ("bell", 3, 2.25, True),
                          (None, 4, 0.001, False)]  # fmt: skip
    assert sheet["A2"].data_type == "s"  # text, never a formula
    notes = workbook["Keterangan"]
    assert notes["A1"].value == "Daftar" and notes["A1"].font.bold and not notes["B1"].font.bold
    assert notes.freeze_panes is None and notes["B2"].value == "data pribadi"


def test_column_letters():
    assert [column_letter(n) for n in (1, 26, 27, 52, 703)] == ["A", "Z", "AA", "AZ", "AAA"]
