"""Server-side inline SVG charts (no JavaScript chart library): light on slow links, readable without scripts.

``grouped_bars`` (vertical bars per period: the back-office dashboard's days, the statistics' months) and
``ranked_bars`` (horizontal bars with their labels: units ranked, the five groups of the Decision 766 index).
Every chart has a <title> and a <desc> summing up its figures for screen readers.
"""

from __future__ import annotations

import itertools

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


def _open(width: int, height: int, title: str, desc: str) -> list:
    n = next(_ids)
    return [format_html('<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="chart-t{} chart-d{}" '
                        'xmlns="http://www.w3.org/2000/svg">', width, height, n, n),
            format_html('<title id="chart-t{}">{}</title><desc id="chart-d{}">{}</desc>', n, title, n, desc)]


def grouped_bars(labels: list[str], series, *, title: str, label_every: int = 1, width: int = 720,
                 height: int = 220) -> str:
    """Grouped bars, one group per label. series: [(name, values, colour)]. Returns <svg> markup."""
    left, right, top, bottom = 40, 8, 24, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value, step = _nice_top(max([1, *[v for _, values, _ in series for v in values]]))
    n = len(labels)
    group_w = plot_w / max(n, 1)
    bar_w = max(1.0, (group_w - 2) / max(len(series), 1))
    desc = "; ".join(f"{name}: tổng {format_number(sum(values), 0)}" for name, values, _ in series)
    parts = _open(width, height, title, desc)
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
        if i % label_every == 0 or i == n - 1:
            parts.append(format_html('<text x="{}" y="{}" font-size="10" text-anchor="middle" fill="#555">{}</text>',
                                     _f(x0 + group_w / 2), height - bottom + 14, label))
    lx = left
    for name, _, colour in series:
        parts.append(format_html('<rect x="{}" y="6" width="10" height="10" fill="{}"/>'
                                 '<text x="{}" y="15" font-size="11" fill="#222">{}</text>', lx, colour, lx + 14, name))
        lx += 14 + 7 * len(name) + 16
    parts.append("</svg>")
    return mark_safe("".join(str(p) for p in parts))


def daily_bars(days, series, width=720, height=220) -> str:
    """The dashboard's 30 days of receipts and returns."""
    return grouped_bars([d.strftime("%d/%m") for d in days], series, label_every=5, width=width, height=height,
                        title="Hồ sơ tiếp nhận và trả kết quả 30 ngày gần nhất")


def ranked_bars(rows, *, title: str, maximum: float | None = None, colour: str = "#0b4f9c", width: int = 720,
                label_w: int = 260) -> str:
    """Horizontal bars, one row each: rows = [(label, value, text shown after the bar)], in the order given.
    ``maximum``: the full length (a score's maximum, 100 for rates); default the largest value."""
    row_h, top = 22, 6
    height = top * 2 + row_h * max(len(rows), 1)
    full = maximum or max([1, *[v for _, v, _ in rows]])
    bar_max = width - label_w - 110
    desc = "; ".join(f"{label}: {text}" for label, _, text in rows)
    parts = _open(width, height, title, desc)
    for i, (label, value, text) in enumerate(rows):
        y = top + i * row_h
        short = label if len(label) <= 40 else label[:38] + "…"
        parts.append(format_html('<text x="{}" y="{}" font-size="11" text-anchor="end" fill="#222">{}<title>{}</title>'
                                 '</text>', label_w - 6, y + 15, short, label))
        if maximum:
            parts.append(format_html('<rect x="{}" y="{}" width="{}" height="14" fill="#ece9e2"/>', label_w, y + 4,
                                     bar_max))
        w = bar_max * min(max(value, 0) / full, 1)
        parts.append(format_html('<rect x="{}" y="{}" width="{}" height="14" fill="{}"><title>{}: {}</title></rect>',
                                 label_w, y + 4, _f(w), colour, label, text))
        parts.append(format_html('<text x="{}" y="{}" font-size="11" fill="#222">{}</text>', label_w + bar_max + 6,
                                 y + 15, text))
    parts.append("</svg>")
    return mark_safe("".join(str(p) for p in parts))
