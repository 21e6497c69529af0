"""Server-side inline SVG charts (no JavaScript chart library): light on slow links, readable without scripts.

``grouped_bars`` (vertical bars per period: the back-office dashboard's days, the statistics' months) and
``ranked_bars`` (horizontal bars with their labels: units ranked, the five groups of the Decision 766 index).
Every chart has a <title> and a <desc> summing up its figures for screen readers. Each is drawn twice, for a wide
screen and for a 360 px phone (``PHONE_W``), and the style sheet shows the one that fits.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import mark_safe

from motcua.core.money import format_number

_ids = itertools.count(1)


def _f(value: float) -> str:
    return f"{value:.1f}"


def _nice_top(peak: float) -> tuple[int, int]:
    step = next(s for s in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10**4, 10**5, 10**6)
                if peak / s <= 5 or s == 10**6)
    return ((int(peak) + step - 1) // step) * step or step, step


# A chart is drawn twice, for a wide screen and for a phone (``PHONE_W`` user units: a 360 px screen less the page's
# margins, so its text shows at about the size it is written); the style sheet shows one of the two (svg.chart.wide,
# svg.chart.phone) and hides the other from screen readers too. The tables beside the charts keep every figure.
PHONE_W = 300


def _open(width: int, height: int, title: str, desc: str, fit: str) -> list:
    n = next(_ids)
    return [format_html('<svg class="chart {}" viewBox="0 0 {} {}" role="img" aria-labelledby="chart-t{} chart-d{}" '
                        'xmlns="http://www.w3.org/2000/svg">', fit, width, height, n, n),
            format_html('<title id="chart-t{}">{}</title><desc id="chart-d{}">{}</desc>', n, title, n, desc)]


def grouped_bars(labels: list[str], series, *, title: str, label_every: int = 1, width: int = 720,
                 height: int = 220) -> str:
    """Grouped bars, one group per label. series: [(name, values, colour)]. Returns <svg> markup (wide, phone)."""
    return mark_safe(_grouped_bars(labels, series, title, label_every, width, height, "wide")
                     + _grouped_bars(labels, series, title, 1, PHONE_W, height, "phone"))


def _grouped_bars(labels, series, title, label_every, width, height, fit) -> str:
    left, right, top, bottom = 40, 8, 24, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value, step = _nice_top(max([1, *[v for _, values, _ in series for v in values]]))
    n = len(labels)
    group_w = plot_w / max(n, 1)
    bar_w = max(1.0, (group_w - 2) / max(len(series), 1))
    label_w = 5.5 * max([len(label) for label in labels] or [0]) + 4  # a label's width at font size 10, and a gap
    label_every = max(label_every, math.ceil(label_w / group_w))  # every label on its own: none overlap
    desc = "; ".join(f"{name}: tổng {format_number(sum(values), 0)}" for name, values, _ in series)
    parts = _open(width, height, title, desc, fit)
    for tick in range(0, top_value + 1, step):
        y = top + plot_h - plot_h * tick / top_value
        parts.append(format_html('<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#ddd"/>', left, width - right, _f(y), _f(y)))
        parts.append(format_html('<text x="{}" y="{}" font-size="10" text-anchor="end" fill="#555">{}</text>',
                                 left - 4, _f(y + 3), format_number(tick, 0)))
    for i, label in enumerate(labels):
        x0 = left + i * group_w + 1
        for j, (name, values, colour) in enumerate(series):
            v = values[i]
            if not v:
                continue
            h = plot_h * v / top_value
            parts.append(format_html('<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{} {}: {}</title></rect>',
                                     _f(x0 + j * bar_w), _f(top + plot_h - h), _f(bar_w), _f(h), colour, name, label,
                                     format_number(v, 0)))
        if (i % label_every == 0 and (n - 1 - i) * group_w >= label_w) or i == n - 1:  # the last one always
            parts.append(format_html('<text x="{}" y="{}" font-size="10" text-anchor="middle" fill="#555">{}</text>',
                                     _f(x0 + group_w / 2), height - bottom + 14, label))
    lx = left
    for name, _, colour in series:
        parts.append(format_html('<rect x="{}" y="6" width="10" height="10" fill="{}"/>'
                                 '<text x="{}" y="15" font-size="11" fill="#222">{}</text>', lx, colour, lx + 14, name))
        lx += 14 + 7 * len(name) + 16
    parts.append("</svg>")
    return "".join(str(p) for p in parts)


def daily_bars(days, series, width=720, height=220) -> str:
    """The dashboard's 30 days of receipts and returns."""
    return grouped_bars([d.strftime("%d/%m") for d in days], series, label_every=5, width=width, height=height,
                        title="Hồ sơ tiếp nhận và trả kết quả 30 ngày gần nhất")


@dataclass(frozen=True)
class _Rows:
    """Where a ranked chart's row puts its label, its bar and the text after it (``y`` of each from the row's top)."""

    width: int
    row_h: int
    font: int
    label_x: int
    label_y: int
    anchor: str
    label_chars: int
    bar_x: int
    bar_y: int
    bar_h: int
    text_w: int  # room kept after the bar for its text
    text_y: int


def ranked_bars(rows, *, title: str, maximum: float | None = None, colour: str = "#0b4f9c", width: int = 720,
                label_w: int = 260) -> str:
    """Horizontal bars, one row each: rows = [(label, value, text shown after the bar)], in the order given.
    ``maximum``: the full length (a score's maximum, 100 for rates); default the largest value. Wide: the label
    before the bar; on a phone, above it."""
    wide = _Rows(width, 22, 11, label_w - 6, 15, "end", 40, label_w, 4, 14, 110, 15)
    phone = _Rows(PHONE_W, 36, 12, 2, 13, "start", 44, 2, 18, 12, 72, 29)
    return mark_safe(_ranked_bars(rows, title, maximum, colour, wide, "wide")
                     + _ranked_bars(rows, title, maximum, colour, phone, "phone"))


def _ranked_bars(rows, title, maximum, colour, at: _Rows, fit) -> str:
    top = 6
    height = top * 2 + at.row_h * max(len(rows), 1)
    full = maximum or max([1, *[v for _, v, _ in rows]])
    bar_max = at.width - at.bar_x - at.text_w
    desc = "; ".join(f"{label}: {text}" for label, _, text in rows)
    parts = _open(at.width, height, title, desc, fit)
    for i, (label, value, text) in enumerate(rows):
        y = top + i * at.row_h
        short = label if len(label) <= at.label_chars else label[:at.label_chars - 2] + "…"
        parts.append(format_html('<text x="{}" y="{}" font-size="{}" text-anchor="{}" fill="#222">{}<title>{}</title>'
                                 '</text>', at.label_x, y + at.label_y, at.font, at.anchor, short, label))
        if maximum:
            parts.append(format_html('<rect x="{}" y="{}" width="{}" height="{}" fill="#ece9e2"/>', at.bar_x,
                                     y + at.bar_y, bar_max, at.bar_h))
        w = bar_max * min(max(value, 0) / full, 1)
        parts.append(format_html('<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}</title></rect>',
                                 at.bar_x, y + at.bar_y, _f(w), at.bar_h, colour, label, text))
        parts.append(format_html('<text x="{}" y="{}" font-size="{}" fill="#222">{}</text>', at.bar_x + bar_max + 6,
                                 y + at.text_y, at.font, text))
    parts.append("</svg>")
    return "".join(str(p) for p in parts)
