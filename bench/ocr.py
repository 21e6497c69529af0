#!/usr/bin/env python
"""OCR of scanned Vietnamese administrative pages: raw Tesseract vs our pipeline, same pages, same run.

Generates a held-out set of synthetic pages from a seed (Liberation / DejaVu fonts, a citizen's
key fields and form sentences, then skew, blur, uneven lighting, grain and dust, see
motcua.demo.synthetic); the ground-truth text is known. Both pipelines OCR every page with
Tesseract `vie` (LSTM, --psm 4) on W worker processes (OMP_THREAD_LIMIT=1 each):

  raw   Tesseract on the scan as it is
  ours  flatten lighting → median denoise → deskew → Otsu binarize → speck removal → Tesseract

and the script prints throughput (pages/min by the wall clock of this run, and the capacity of
W free cores from the CPU seconds each page took, tesseract subprocess included — the machine the
benchmark runs on may be shared), character error rate (CER = Levenshtein distance ÷
reference characters, whitespace-normalized, pooled over all pages, plus the median page) and how
often the key fields (ID number, full name, date of birth) come out exactly.

    .venv/bin/python bench/ocr.py --pages 60 --workers 2 --seed 20251123

Page generation is not timed. See bench/ocr.md for the figures of a run.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")

import django  # noqa: E402

django.setup()  # the OCR language and options are settings

from django.conf import settings  # noqa: E402

from motcua.demo import synthetic  # noqa: E402
from motcua.documents import ocr  # noqa: E402

KEY_FIELDS = ("id_number", "full_name", "date_of_birth")
WORKERS = 2


def _make(seed: int) -> tuple[bytes, str, dict]:
    page = synthetic.administrative_page(seed)
    buf = io.BytesIO()
    page.image.save(buf, "PNG")
    return buf.getvalue(), page.text, page.fields


def _cpu_seconds() -> float:
    """CPU time of this process plus its finished children (the tesseract subprocesses)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _ocr(args: tuple[bytes, bool]) -> tuple[str, float]:
    from PIL import Image

    png, clean = args
    image = Image.open(io.BytesIO(png))
    image.load()
    start = _cpu_seconds()
    text = ocr.ocr_image(image, clean=clean).text
    return text, _cpu_seconds() - start


def run(pool: ProcessPoolExecutor, pages: list, clean: bool) -> dict:
    start = time.perf_counter()
    results = list(pool.map(_ocr, [(png, clean) for png, _, _ in pages]))
    wall = time.perf_counter() - start
    distances, ref_chars, per_page, fields_ok, fields_total = 0, 0, [], 0, 0
    for (_, truth, fields), (text, _) in zip(pages, results, strict=True):
        cer = ocr.character_error_rate(truth, text)
        per_page.append(cer)
        n = len(" ".join(truth.split()))
        distances += cer * n
        ref_chars += n
        found = ocr.extract_fields(text)
        for key in KEY_FIELDS:
            fields_total += 1
            fields_ok += found.get(key, {}).get("value") == fields[key]
    cpu = statistics.mean(t for _, t in results)
    return {"pages_per_min": len(pages) / wall * 60, "wall_s": wall, "cpu_s_per_page": cpu,
            "capacity_per_min": WORKERS * 60 / cpu,
            "cer": distances / ref_chars, "cer_median": statistics.median(per_page),
            "cer_worst": max(per_page), "fields": fields_ok / fields_total}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=20251123, help="first page seed (held out from the tests)")
    args = parser.parse_args()
    global WORKERS
    WORKERS = args.workers
    if not ocr.ocr_available():
        sys.exit("tesseract-ocr with the 'vie' model is not installed (scripts/system-packages.sh)")

    t0 = time.perf_counter()
    pages = [_make(args.seed + i) for i in range(args.pages)]
    gen_s = time.perf_counter() - t0
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        list(pool.map(_ocr, [(pages[0][0], False)] * args.workers))  # warm the workers (imports)
        raw = run(pool, pages, clean=False)
        ours = run(pool, pages, clean=True)

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"OCR benchmark: {args.pages} synthetic pages (seed {args.seed}), {args.workers} worker processes, "
          f"tesseract {ocr.pytesseract.get_tesseract_version()} lang={settings.MOTCUA_OCR_LANG}, generation {gen_s:.1f} s untimed, "
          f"load average at end {load:.1f} on {os.cpu_count()} CPUs")
    rows = [("pages / min, wall clock in this run", "pages_per_min", "{:.1f}"), ("wall time (s)", "wall_s", "{:.1f}"),
            ("CPU seconds per page", "cpu_s_per_page", "{:.2f}"),
            (f"pages / min if {args.workers} cores were free", "capacity_per_min", "{:.1f}"),
            ("CER, pooled", "cer", "{:.2%}"), ("CER, median page", "cer_median", "{:.2%}"),
            ("CER, worst page", "cer_worst", "{:.2%}"),
            ("key fields exact (ID, name, date of birth)", "fields", "{:.1%}")]
    print(f"{'':44} {'raw Tesseract':>15} {'ours':>12}")
    for label, key, fmt in rows:
        print(f"{label:44} {fmt.format(raw[key]):>15} {fmt.format(ours[key]):>12}")
    reduction = 1 - ours["cer"] / raw["cer"] if raw["cer"] else 0.0
    print(f"CER reduction vs raw: {reduction:.1%}")
    print("targets: >= 20 pages/min, CER <= 2 %, >= 30 % lower CER than raw -> "
          f"{'met' if ours['pages_per_min'] >= 20 else 'NOT met'} / "
          f"{'met' if ours['cer'] <= 0.02 else 'NOT met'} / {'met' if reduction >= 0.30 else 'NOT met'}")


if __name__ == "__main__":
    main()
