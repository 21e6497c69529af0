"""Horizontal bars (inline SVG, no script) for amounts in đồng shown in triệu đồng."""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import mark_safe

from motcua.transformation.money import format_million

COLOURS = ["#0b4f9c", "#1b7a3a", "#a4161a", "#9a6200", "#5b3d8a", "#0f7c80", "#6b6b6b"]


def bars(title: str, items: list[tuple[str, int]], width: int = 640) -> str:
    if not items:
        return ""
    label_w, row_h, top = 230, 26, 28
    peak = max(v for _, v in items) or 1
    plot = width - label_w - 90
    height = top + row_h * len(items) + 6
    parts = [format_html('<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}" '
                         'xmlns="http://www.w3.org/2000/svg">', width, height, title),
             format_html('<text x="4" y="18" font-size="13" font-weight="600" fill="#222">{}</text>', title)]
    for i, (label, value) in enumerate(items):
        y = top + i * row_h
        w = max(1.0, plot * value / peak)
        short = label if len(label) <= 34 else label[:33] + "…"
        parts.append(format_html('<text x="4" y="{}" font-size="11" fill="#333">{}<title>{}</title></text>',
                                 y + 16, short, label))
        parts.append(format_html('<rect x="{}" y="{}" width="{}" height="18" fill="{}"></rect>',
                                 label_w, y + 3, f"{w:.1f}", COLOURS[i % len(COLOURS)]))
        parts.append(format_html('<text x="{}" y="{}" font-size="11" fill="#222">{}</text>',
                                 f"{label_w + w + 4:.1f}", y + 16, format_million(value)))
    parts.append("</svg>")
    return mark_safe("".join(str(p) for p in parts))
