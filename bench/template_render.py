#!/usr/bin/env python
"""Result templates: what bounding the render as a whole costs (documents.render_budget), same templates, same run.

Renders each demo result template (motcua.demo.result_templates, filled with a dossier-like context) with

  before  template_bounds.Bounded: Jinja's sandbox, each value bounded (no clock, no output count)
  after   render_budget.BoundedRender: the same plus the clock on every loop turn and macro call and the output
          counted as it is written

alternating the two, and prints the median milliseconds per render of each side by side. Also prints what the
render of a template with loops inside loops costs now (refused) — it ran for hours before.

    PYTHONPATH=src .venv/bin/python bench/template_render.py --rounds 200

No database: only docxtpl and Jinja run.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")

CONTEXT = {"dossier_code": "H01.22-251102-0001", "procedure_name": "Đăng ký khai sinh", "result_name": "Giấy khai sinh",
           "agency_name": "UBND xã Tân Phú", "applicant_name": "Trần Thị Mai", "applicant_id_number": "079190001234",
           "applicant_address": "12 Nguyễn Trãi, xã Tân Phú", "applicant_phone": "0909123456",
           "received_date": "02/11/2025", "due_date": "05/11/2025", "today": "04/11/2025",
           "result_summary": "Đã đăng ký.", "form": {"child_name": "Trần Gia Bảo", "birth_date": "01/10/2025"}}


def render(docx: bytes, env_class) -> tuple[float, bytes]:
    from docxtpl import DocxTemplate

    started = time.perf_counter()
    tpl = DocxTemplate(io.BytesIO(docx))
    tpl.render(CONTEXT, jinja_env=env_class(autoescape=True))
    elapsed = time.perf_counter() - started
    out = io.BytesIO()
    tpl.save(out)
    return elapsed, out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()

    import django

    django.setup()
    from motcua.core.errors import ValidationFailed
    from motcua.demo.result_templates import DEMO_TEMPLATES, template_docx
    from motcua.documents import result_drafts
    from motcua.documents.render_budget import BoundedRender
    from motcua.documents.template_bounds import Bounded

    print(f"{'template':<12} {'before ms':>10} {'after ms':>10} {'ratio':>6}  same output")
    for code, (title, body) in reversed(DEMO_TEMPLATES.items()):
        docx = template_docx(title, body)
        before, after = [], []
        for _ in range(5):  # warm-up: imports, regular expressions compiled on first use
            render(docx, Bounded), render(docx, BoundedRender)
        for _ in range(args.rounds):
            seconds, out_before = render(docx, Bounded)
            before.append(seconds)
            seconds, out_after = render(docx, BoundedRender)
            after.append(seconds)
        b, a = statistics.median(before) * 1000, statistics.median(after) * 1000
        print(f"{code:<12} {b:>10.2f} {a:>10.2f} {a / b:>6.2f}  {out_before == out_after}")

    nested = template_docx("GIẤY", ["{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}"])
    started = time.perf_counter()
    try:
        result_drafts._render(nested, CONTEXT)
        verdict = "rendered"
    except ValidationFailed as exc:
        verdict = exc.code
    print(f"loops inside loops (10^10 turns): {verdict} after {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
