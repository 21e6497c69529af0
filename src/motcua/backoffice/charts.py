"""Server-side inline SVG charts (no JavaScript chart library)."""

from __future__ import annotations

from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe


def _f(value: float) -> str:
    return f"{value:.1f}"


def daily_bars(days, series, width=720, height=220) -> str:
    """Grouped bars, one group per day. series: [(label, values, colour)]. Returns <svg> markup."""
    left, right, top, bottom = 34, 8, 24, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([1, *[v for _, values, _ in series for v in values]])
    step = next(s for s in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10**4, 10**5, 10**6)
                if peak / s <= 5 or s == 10**6)
    top_value = ((peak + step - 1) // step) * step
    n = len(days)
    group_w = plot_w / max(n, 1)
    bar_w = max(1.0, (group_w - 2) / max(len(series), 1))
    parts = [format_html('<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="chart-t chart-d" '
                         'xmlns="http://www.w3.org/2000/svg">', width, height),
             '<title id="chart-t">Hồ sơ tiếp nhận và trả kết quả 30 ngày gần nhất</title>']
    desc = "; ".join(f"{label}: tổng {sum(values)}" for label, values, _ in series)
    parts.append(format_html('<desc id="chart-d">{}</desc>', desc))
    for tick in range(0, top_value + 1, step):
        y = top + plot_h - plot_h * tick / top_value
        parts.append(format_html('<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#ddd"/>', left, width - right, _f(y), _f(y)))
        parts.append(format_html('<text x="{}" y="{}" font-size="10" text-anchor="end" fill="#555">{}</text>',
                                 left - 4, _f(y + 3), tick))
    for i, day in enumerate(days):
        x0 = left + i * group_w + 1
        for j, (label, values, colour) in enumerate(series):
            v = values[i]
            if not v:
                continue
            h = plot_h * v / top_value
            parts.append(format_html('<rect x="{}" y="{}" width="{}" height="{}" fill="{}">'
                                     '<title>{} {}: {}</title></rect>', _f(x0 + j * bar_w), _f(top + plot_h - h), _f(bar_w), _f(h),
                                     colour, escape(label), day.strftime("%d/%m"), v))
        if i % 5 == 0 or i == n - 1:
            parts.append(format_html('<text x="{}" y="{}" font-size="10" text-anchor="middle" fill="#555">{}</text>',
                                     _f(x0 + group_w / 2), height - bottom + 14, day.strftime("%d/%m")))
    lx = left
    for label, _, colour in series:
        parts.append(format_html('<rect x="{}" y="6" width="10" height="10" fill="{}"/>'
                                 '<text x="{}" y="15" font-size="11" fill="#222">{}</text>', lx, colour, lx + 14, label))
        lx += 14 + 8 * len(label) + 16
    parts.append("</svg>")
    return mark_safe("".join(str(p) for p in parts))
