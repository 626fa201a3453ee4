"""The coverage report: one self-contained HTML page (inline CSS, inline SVG charts, nothing fetched).

Aggregate figures only: coverage per kecamatan and kelurahan, uncovered informal workers by sector, and the
trend across published snapshots. Built from the analytics tier (``coverage_by_area``,
``uncovered_informal_workers``), never from names, NIKs or phones. In Bahasa Indonesia, for the office.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape

import pandas as pd

from satupekerja.registry.coverage import LAPSED_ARREARS, NEVER_REGISTERED, NONAKTIF
from satupekerja.staff.exports import SECTOR_LABELS

COUNTS = ("people", "workers", "informal", "covered", "uncovered")
SECTION_IDS = ("ringkasan", "kecamatan", "kelurahan", "sektor", "tren")

_COVERED_COLOUR, _UNCOVERED_COLOUR, _LINE_COLOUR = "#2e8b57", "#d9534f", "#1f5f8b"


@dataclass(frozen=True)
class ReportInputs:
    """Everything the report shows. ``trend``: one row per snapshot (``snapshot_date`` and the city counts)."""

    snapshot_date: dt.date
    coverage: pd.DataFrame
    by_sector: pd.DataFrame
    trend: pd.DataFrame
    pseudonyms_reversible: bool = False
    """The analytics tier was made with the public demo key: the report says so at the top."""


def uncovered_by_sector(uncovered: pd.DataFrame) -> pd.DataFrame:
    """Uncovered informal workers per sector: total, never registered, lapsed (arrears or nonaktif), vulnerable."""
    sector = uncovered["sector"].fillna("tidak diketahui")
    reason = uncovered["uncovered_reason"]
    counts = pd.DataFrame(
        {
            "sector": sector,
            "uncovered": 1,
            "never_registered": reason.eq(NEVER_REGISTERED).astype("int64"),
            "lapsed": reason.isin([LAPSED_ARREARS, NONAKTIF]).astype("int64"),
            "vulnerable": uncovered["vulnerable"].fillna(False).astype("int64"),
        }
    )
    return (
        counts.groupby("sector", as_index=False)
        .sum()
        .sort_values(["uncovered", "sector"], ascending=[False, True], ignore_index=True)
    )


def city_trend(coverage_by_snapshot: dict[dt.date, pd.DataFrame]) -> pd.DataFrame:
    """The city row (``level == "kota"``) of each snapshot's ``coverage_by_area``, oldest first."""
    rows = [
        frame.loc[frame["level"].eq("kota"), [*COUNTS, "coverage_rate"]].assign(snapshot_date=pd.Timestamp(snapshot))
        for snapshot, frame in sorted(coverage_by_snapshot.items())
    ]
    columns = ["snapshot_date", *COUNTS, "coverage_rate"]
    return pd.concat(rows, ignore_index=True)[columns] if rows else pd.DataFrame(columns=columns)


DEMO_KEY_BANNER = (
    "<p class='warning' style='border:2px solid #d9534f;padding:8px;font-weight:bold'>PERINGATAN: data ini "
    "dipseudonimkan dengan kunci demo yang diterbitkan bersama kode sumber, sehingga pseudonim (hash NIK) dapat "
    "dibalik oleh siapa pun. Jangan gunakan untuk data nyata; jalankan dengan SATUPEKERJA_MODE=production. "
    "/ WARNING: pseudonymised with the public demo key: pseudonyms are reversible.</p>"
)


def render_report(inputs: ReportInputs) -> str:
    """The whole HTML page as text."""
    coverage = inputs.coverage
    city = coverage[coverage["level"].eq("kota")].iloc[0]
    kecamatan = coverage[coverage["level"].eq("kecamatan")]
    kelurahan = coverage[coverage["level"].eq("kelurahan")]
    body = "\n".join(
        [
            f"<h1>Cakupan BPJS Ketenagakerjaan pekerja informal — Kota Depok</h1>"
            f"<p class='sub'>Snapshot {escape(inputs.snapshot_date.isoformat())}. Hanya angka agregat; tanpa data pribadi.</p>",
            DEMO_KEY_BANNER if inputs.pseudonyms_reversible else "",
            _summary_section(city),
            _kecamatan_section(kecamatan),
            _kelurahan_section(kelurahan),
            _sector_section(inputs.by_sector),
            _trend_section(inputs.trend),
            _definitions(),
        ]
    )
    return (
        "<!DOCTYPE html>\n<html lang='id'>\n<head>\n<meta charset='utf-8'>\n"
        f"<title>Laporan cakupan Satu Pekerja {escape(inputs.snapshot_date.isoformat())}</title>\n"
        f"<style>{_CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def _summary_section(city: pd.Series) -> str:
    figures = [
        ("Orang dalam registri", _number(city["people"])),
        ("Pekerja", _number(city["workers"])),
        ("Pekerja informal", _number(city["informal"])),
        ("Informal terlindungi", _number(city["covered"])),
        ("Informal belum terlindungi", _number(city["uncovered"])),
        ("Tingkat cakupan informal", _percent(city["coverage_rate"])),
    ]
    cards = "".join(
        f"<div class='card'><div class='value'>{value}</div><div class='label'>{escape(label)}</div></div>"
        for label, value in figures
    )
    return f"<section id='ringkasan'><h2>Ringkasan</h2><div class='cards'>{cards}</div></section>"


def _kecamatan_section(kecamatan: pd.DataFrame) -> str:
    chart = _stacked_bars(
        kecamatan["kecamatan"].tolist(),
        kecamatan["covered"].tolist(),
        kecamatan["uncovered"].tolist(),
        title="Pekerja informal per kecamatan: terlindungi dan belum terlindungi",
    )
    table = _table(kecamatan, ["kecamatan"], {"kecamatan": "Kecamatan"})
    return f"<section id='kecamatan'><h2>Cakupan per kecamatan</h2>{chart}{table}</section>"


def _kelurahan_section(kelurahan: pd.DataFrame) -> str:
    ordered = kelurahan.sort_values(["kecamatan", "kelurahan"])
    table = _table(ordered, ["kecamatan", "kelurahan"], {"kecamatan": "Kecamatan", "kelurahan": "Kelurahan"})
    return f"<section id='kelurahan'><h2>Cakupan per kelurahan</h2>{table}</section>"


def _sector_section(by_sector: pd.DataFrame) -> str:
    labels = by_sector["sector"].map(SECTOR_LABELS).fillna(by_sector["sector"]).tolist()
    chart = _bars(labels, by_sector["uncovered"].tolist(), title="Pekerja informal belum terlindungi per sektor")
    rows = "".join(
        f"<tr><td>{escape(label)}</td>{''.join(f'<td class=num>{_number(row[c])}</td>' for c in ('uncovered', 'never_registered', 'lapsed', 'vulnerable'))}</tr>"
        for label, (_, row) in zip(labels, by_sector.iterrows(), strict=True)
    )
    head = "<tr><th>Sektor</th><th>Belum terlindungi</th><th>Belum pernah terdaftar</th><th>Kepesertaan berakhir</th><th>Rentan</th></tr>"
    return f"<section id='sektor'><h2>Belum terlindungi per sektor</h2>{chart}<table>{head}{rows}</table></section>"


def _trend_section(trend: pd.DataFrame) -> str:
    dates = [pd.Timestamp(value).date().isoformat() for value in trend["snapshot_date"]]
    chart = _line_chart(
        dates, (trend["coverage_rate"].fillna(0) * 100).tolist(), title="Tingkat cakupan informal (%) per snapshot"
    )
    rows = "".join(
        f"<tr><td>{escape(day)}</td><td class=num>{_number(row['informal'])}</td><td class=num>{_number(row['covered'])}</td>"
        f"<td class=num>{_number(row['uncovered'])}</td><td class=num>{_percent(row['coverage_rate'])}</td></tr>"
        for day, (_, row) in zip(dates, trend.iterrows(), strict=True)
    )
    head = "<tr><th>Snapshot</th><th>Informal</th><th>Terlindungi</th><th>Belum terlindungi</th><th>Cakupan</th></tr>"
    return f"<section id='tren'><h2>Tren antar snapshot</h2>{chart}<table>{head}{rows}</table></section>"


def _definitions() -> str:
    return (
        "<section id='definisi'><h2>Definisi</h2><ul>"
        "<li><b>Pekerja informal</b>: bukti dari sumber mana pun (BPU, JKN PBPU, registrasi pekerja informal Disnaker, "
        "UMKM, pedagang pasar, daftar komunitas) dan tanpa hubungan kerja formal aktif.</li>"
        "<li><b>Terlindungi</b>: kepesertaan BPJS Ketenagakerjaan aktif pada tanggal snapshot; peserta BPU yang menunggak "
        "lebih dari 3 bulan dianggap berakhir.</li>"
        "<li><b>Tingkat cakupan</b> = terlindungi / pekerja informal.</li>"
        "<li><b>unresolved</b>: kelurahan atau kecamatan tidak dapat ditentukan dari alamat sumber.</li></ul></section>"
    )


def _table(frame: pd.DataFrame, keys: list[str], key_headers: dict[str, str]) -> str:
    headers = [key_headers[key] for key in keys] + [
        "Orang",
        "Pekerja",
        "Informal",
        "Terlindungi",
        "Belum terlindungi",
        "Cakupan",
    ]
    head = "<tr>" + "".join(f"<th>{escape(h)}</th>" for h in headers) + "</tr>"
    body = "".join(
        "<tr>"
        + "".join(f"<td>{escape(str(row[key]))}</td>" for key in keys)
        + "".join(f"<td class=num>{_number(row[c])}</td>" for c in COUNTS)
        + f"<td class=num>{_percent(row['coverage_rate'])}</td></tr>"
        for _, row in frame.iterrows()
    )
    return f"<table>{head}{body}</table>"


def _number(value: float) -> str:
    """Indonesian thousands separator: ``12.345``."""
    return f"{int(value):,}".replace(",", ".")


def _percent(rate: float) -> str:
    """``45,2%``; ``–`` when there is nobody to divide by."""
    return "–" if pd.isna(rate) else f"{rate * 100:.1f}%".replace(".", ",")


# ------------------------------------------------------------------------------------------ SVG charts

_ROW, _LABEL_WIDTH, _PLOT_WIDTH = 22, 170, 460


def _svg(width: int, height: int, title: str, content: str) -> str:
    return (
        f"<figure><svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' viewBox='0 0 {width} {height}' "
        f"role='img' aria-label='{escape(title)}'><title>{escape(title)}</title>{content}</svg>"
        f"<figcaption>{escape(title)}</figcaption></figure>"
    )


def _bars(labels: list[str], values: list[float], title: str) -> str:
    """Horizontal bars, one per label, with the value written after the bar."""
    top = max([*values, 1])
    parts = []
    for row, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = row * _ROW + 4
        length = _PLOT_WIDTH * value / top
        parts.append(
            f"<text x='{_LABEL_WIDTH - 6}' y='{y + 13}' text-anchor='end'>{escape(str(label))}</text>"
            f"<rect x='{_LABEL_WIDTH}' y='{y}' width='{length:.1f}' height='{_ROW - 6}' fill='{_UNCOVERED_COLOUR}'/>"
            f"<text x='{_LABEL_WIDTH + length + 4:.1f}' y='{y + 13}'>{_number(value)}</text>"
        )
    return _svg(_LABEL_WIDTH + _PLOT_WIDTH + 70, len(labels) * _ROW + 8, title, "".join(parts))


def _stacked_bars(labels: list[str], covered: list[float], uncovered: list[float], title: str) -> str:
    """Horizontal bars split into covered (green) and uncovered (red), with the coverage rate after the bar."""
    top = max([c + u for c, u in zip(covered, uncovered, strict=True)] + [1])
    parts = [
        f"<rect x='{_LABEL_WIDTH}' y='2' width='10' height='10' fill='{_COVERED_COLOUR}'/><text x='{_LABEL_WIDTH + 14}' y='11'>terlindungi</text>"
        f"<rect x='{_LABEL_WIDTH + 110}' y='2' width='10' height='10' fill='{_UNCOVERED_COLOUR}'/><text x='{_LABEL_WIDTH + 124}' y='11'>belum terlindungi</text>"
    ]
    for row, (label, yes, no) in enumerate(zip(labels, covered, uncovered, strict=True)):
        y = row * _ROW + 20
        yes_length, no_length = _PLOT_WIDTH * yes / top, _PLOT_WIDTH * no / top
        rate = yes / (yes + no) if yes + no else float("nan")
        parts.append(
            f"<text x='{_LABEL_WIDTH - 6}' y='{y + 13}' text-anchor='end'>{escape(str(label))}</text>"
            f"<rect x='{_LABEL_WIDTH}' y='{y}' width='{yes_length:.1f}' height='{_ROW - 6}' fill='{_COVERED_COLOUR}'/>"
            f"<rect x='{_LABEL_WIDTH + yes_length:.1f}' y='{y}' width='{no_length:.1f}' height='{_ROW - 6}' fill='{_UNCOVERED_COLOUR}'/>"
            f"<text x='{_LABEL_WIDTH + yes_length + no_length + 4:.1f}' y='{y + 13}'>{_percent(rate)}</text>"
        )
    return _svg(_LABEL_WIDTH + _PLOT_WIDTH + 70, len(labels) * _ROW + 28, title, "".join(parts))


def _line_chart(dates: list[str], values: list[float], title: str) -> str:
    """Values (0–100) over snapshots: a polyline with a dot and a label per snapshot."""
    width, height, left, bottom, top_margin = _LABEL_WIDTH + _PLOT_WIDTH, 220, 50, 40, 16
    plot_height = height - bottom - top_margin
    step = (width - left - 30) / max(len(dates) - 1, 1)
    points = [(left + index * step, top_margin + plot_height * (1 - value / 100)) for index, value in enumerate(values)]
    grid = "".join(
        f"<line x1='{left}' x2='{width - 20}' y1='{top_margin + plot_height * (1 - level / 100):.1f}' "
        f"y2='{top_margin + plot_height * (1 - level / 100):.1f}' stroke='#ddd'/>"
        f"<text x='{left - 6}' y='{top_margin + plot_height * (1 - level / 100) + 4:.1f}' text-anchor='end'>{level}%</text>"
        for level in (0, 25, 50, 75, 100)
    )
    line = (
        f"<polyline fill='none' stroke='{_LINE_COLOUR}' stroke-width='2' points='{' '.join(f'{x:.1f},{y:.1f}' for x, y in points)}'/>"
        if len(points) > 1
        else ""
    )
    dots = "".join(
        f"<circle cx='{x:.1f}' cy='{y:.1f}' r='4' fill='{_LINE_COLOUR}'/>"
        f"<text x='{x:.1f}' y='{height - bottom + 18}' text-anchor='middle'>{escape(day)}</text>"
        for (x, y), day in zip(points, dates, strict=True)
    )
    return _svg(width, height, title, grid + line + dots)


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:1000px;color:#222;padding:0 1rem}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.2rem;border-bottom:2px solid #1f6e43;padding-bottom:.2rem;margin-top:2rem}
.sub{color:#666;margin-top:0}.cards{display:flex;flex-wrap:wrap;gap:.8rem}
.card{border:1px solid #ddd;border-radius:6px;padding:.6rem 1rem;min-width:140px}
.card .value{font-size:1.4rem;font-weight:bold;color:#1f6e43}.card .label{font-size:.85rem;color:#555}
table{border-collapse:collapse;width:100%;font-size:.85rem;margin-top:.8rem}
th{background:#1f6e43;color:#fff;text-align:left;padding:.3rem .5rem}td{padding:.25rem .5rem;border-bottom:1px solid #eee}
td.num{text-align:right;font-variant-numeric:tabular-nums}figure{margin:1rem 0}figcaption{font-size:.8rem;color:#666}
svg text{font-size:11px;fill:#333}
"""
