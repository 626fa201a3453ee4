"""Server-rendered charts as inline SVG (no JavaScript, no external files): funnel, stacked bars, trend lines."""

from __future__ import annotations

from html import escape

from flask_babel import format_decimal

COVERED, UNCOVERED, LINE_COLOURS = "#1f6e43", "#c0392b", ("#1f4e79", "#e67e22", "#1f6e43", "#8e44ad")
ROW, LABEL_WIDTH, PLOT_WIDTH = 24, 190, 420


def _n(value: float) -> str:
    return format_decimal(value, "#,##0")


def _svg(width: int, height: int, title: str, content: str) -> str:
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' class='chart' viewBox='0 0 {width} {height}' width='100%' "
        f"role='img' aria-label='{escape(title)}'><title>{escape(title)}</title>{content}</svg>"
    )


def funnel(labels: list[str], values: list[int]) -> str:
    """One bar per stage, widest first, with the count and the share of the first stage."""
    top = max([*values, 1])
    parts = []
    for row, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = row * ROW + 4
        length = PLOT_WIDTH * value / top
        share = f" ({format_decimal(100 * value / values[0], '#,##0.0')}%)" if values[0] else ""
        parts.append(
            f"<text x='{LABEL_WIDTH - 6}' y='{y + 14}' text-anchor='end'>{escape(label)}</text>"
            f"<rect x='{LABEL_WIDTH}' y='{y}' width='{length:.1f}' height='{ROW - 6}' fill='#1f4e79'/>"
            f"<text x='{LABEL_WIDTH + length + 4:.1f}' y='{y + 14}'>{_n(value)}{share}</text>"
        )
    return _svg(LABEL_WIDTH + PLOT_WIDTH + 110, len(labels) * ROW + 8, "Corong penjangkauan", "".join(parts))


def stacked(labels: list[str], covered: list[float], uncovered: list[float]) -> str:
    """Covered (green) and uncovered (red) informal workers per area, with the coverage rate."""
    top = max([c + u for c, u in zip(covered, uncovered, strict=True)] + [1])
    parts = [
        f"<rect x='{LABEL_WIDTH}' y='2' width='10' height='10' fill='{COVERED}'/><text x='{LABEL_WIDTH + 14}' y='11'>terlindungi</text>"
        f"<rect x='{LABEL_WIDTH + 110}' y='2' width='10' height='10' fill='{UNCOVERED}'/><text x='{LABEL_WIDTH + 124}' y='11'>belum terlindungi</text>"
    ]
    for row, (label, yes, no) in enumerate(zip(labels, covered, uncovered, strict=True)):
        y = row * ROW + 20
        a, b = PLOT_WIDTH * yes / top, PLOT_WIDTH * no / top
        rate = "–" if yes + no == 0 else format_decimal(100 * yes / (yes + no), "#,##0.0") + "%"
        parts.append(
            f"<text x='{LABEL_WIDTH - 6}' y='{y + 14}' text-anchor='end'>{escape(label)}</text>"
            f"<rect x='{LABEL_WIDTH}' y='{y}' width='{a:.1f}' height='{ROW - 6}' fill='{COVERED}'/>"
            f"<rect x='{LABEL_WIDTH + a:.1f}' y='{y}' width='{b:.1f}' height='{ROW - 6}' fill='{UNCOVERED}'/>"
            f"<text x='{LABEL_WIDTH + a + b + 4:.1f}' y='{y + 14}'>{rate}</text>"
        )
    return _svg(LABEL_WIDTH + PLOT_WIDTH + 70, len(labels) * ROW + 28, "Cakupan pekerja informal", "".join(parts))


def lines(dates: list[str], series: dict[str, list[int]]) -> str:
    """Counts per night, one line per series, with a legend."""
    width, height, left, bottom, top_margin = LABEL_WIDTH + PLOT_WIDTH, 230, 50, 40, 30
    plot_height = height - bottom - top_margin
    top = max([v for values in series.values() for v in values] + [1])
    step = (width - left - 30) / max(len(dates) - 1, 1)
    parts = []
    for index, (name, values) in enumerate(series.items()):
        colour = LINE_COLOURS[index % len(LINE_COLOURS)]
        points = [(left + i * step, top_margin + plot_height * (1 - v / top)) for i, v in enumerate(values)]
        parts.append(
            f"<rect x='{left + index * 150}' y='4' width='10' height='10' fill='{colour}'/><text x='{left + index * 150 + 14}' y='13'>{escape(name)}</text>"
        )
        if len(points) > 1:
            parts.append(
                f"<polyline fill='none' stroke='{colour}' stroke-width='2' points='{' '.join(f'{x:.1f},{y:.1f}' for x, y in points)}'/>"
            )
        parts.extend(
            f"<circle cx='{x:.1f}' cy='{y:.1f}' r='3.5' fill='{colour}'><title>{escape(name)}: {_n(v)}</title></circle>"
            for (x, y), v in zip(points, values, strict=True)
        )
    for i, day in enumerate(dates):
        parts.append(
            f"<text x='{left + i * step:.1f}' y='{height - bottom + 18}' text-anchor='middle'>{escape(day)}</text>"
        )
    for level in (0, 0.5, 1):
        y = top_margin + plot_height * (1 - level)
        parts.append(
            f"<line x1='{left}' x2='{width - 20}' y1='{y:.1f}' y2='{y:.1f}' stroke='#ddd'/><text x='{left - 6}' y='{y + 4:.1f}' text-anchor='end'>{format_decimal(top * level, '#,##0.#')}</text>"
        )
    return _svg(width, height, "Tren penjangkauan per malam", "".join(parts))
