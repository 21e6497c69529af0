"""Horizontal bars (inline SVG, no script) for amounts in đồng shown in triệu đồng: drawn for a wide screen, the label
before each bar, and for a phone, the label above it (motcua.web.charts.PHONE_W); the style sheet shows one."""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import mark_safe

from motcua.transformation.money import format_million
from motcua.web.charts import PHONE_W

COLOURS = ["#0b4f9c", "#1b7a3a", "#a4161a", "#9a6200", "#5b3d8a", "#0f7c80", "#6b6b6b"]


def bars(title: str, items: list[tuple[str, int]], width: int = 640) -> str:
    if not items:
        return ""
    return mark_safe(_bars(title, items, width, "wide") + _bars(title, items, PHONE_W, "phone"))


def _bars(title: str, items: list[tuple[str, int]], width: int, fit: str) -> str:
    wide = fit == "wide"
    # (where the bar starts, a row's height, the label's y, the bar's y and height, the amount's y, label's length)
    label_w, row_h, label_y, bar_y, bar_h, text_y, chars = (230, 26, 16, 3, 18, 16, 34) if wide else \
        (4, 40, 14, 19, 14, 31, 44)
    top = 28
    peak = max(v for _, v in items) or 1
    plot = width - label_w - 90
    height = top + row_h * len(items) + 6
    parts = [format_html('<svg class="chart {}" viewBox="0 0 {} {}" role="img" aria-label="{}" '
                         'xmlns="http://www.w3.org/2000/svg">', fit, width, height, title),
             format_html('<text x="4" y="18" font-size="13" font-weight="600" fill="#222">{}</text>', title)]
    for i, (label, value) in enumerate(items):
        y = top + i * row_h
        w = max(1.0, plot * value / peak)
        short = label if len(label) <= chars else label[:chars - 1] + "…"
        parts.append(format_html('<text x="4" y="{}" font-size="11" fill="#333">{}<title>{}</title></text>',
                                 y + label_y, short, label))
        parts.append(format_html('<rect x="{}" y="{}" width="{}" height="{}" fill="{}"></rect>',
                                 label_w, y + bar_y, f"{w:.1f}", bar_h, COLOURS[i % len(COLOURS)]))
        parts.append(format_html('<text x="{}" y="{}" font-size="11" fill="#222">{}</text>',
                                 f"{label_w + w + 4:.1f}", y + text_y, format_million(value)))
    parts.append("</svg>")
    return "".join(str(p) for p in parts)
