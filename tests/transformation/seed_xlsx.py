"""Build .xlsx files of the seeds' appendices from the transcription in data/seed_appendices.json.

The workbooks look like what an office types from the printed appendix: title lines, heading rows
(merged "Kinh phí và nguồn vốn" over "Kinh phí | Nguồn vốn"), group rows, and either numbers in
the amount column (with the decimals the seed prints, e.g. 92,460 → 92.46 shown as 92,460) or the
amounts as text the way they are written ("2.600"). Run as a script to write the files:

    .venv/bin/python -m tests.transformation.seed_xlsx OUT_DIR
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "seed_appendices.json"


def tables() -> dict:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def _number(text: str):
    """'6.992,46' → (6992.46, '#,##0.00'); '92,460' → (92.46, '#,##0.000'); '2024' → (2024, '0')."""
    whole, _, frac = text.partition(",")
    value = float(whole.replace(".", "") + ("." + frac if frac else ""))
    return (value if frac else int(value)), "#,##0" + ("." + "0" * len(frac) if frac else "")


def build(name: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    table = tables()[name]
    wb = Workbook()
    ws = wb.active
    ws.title = "Phụ lục"
    for line in table["title"]:
        ws.append([line])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
    first_header = ws.max_row + 1
    amount_col = next((i for row in table["header"] for i, h in enumerate(row) if h.strip().lower() == "kinh phí"),
                      None)
    time_cols = [i for i, h in enumerate(table["header"][0]) if h.startswith(("Thời gian", "Kết quả, tiến độ"))]
    for row in table["header"]:
        ws.append([h or None for h in row])
    for ref in table.get("merge_header", []):
        a, b = ref.split(":")
        ws.merge_cells(f"{a[0]}{first_header}:{b[0]}{first_header}")
    for row in table["rows"]:
        cells = [v if v != "" else None for v in row]
        is_heading = row in table["header"]
        if table["amounts"] == "number" and not is_heading:
            formats = {}
            if amount_col is not None and cells[amount_col]:
                cells[amount_col], formats[amount_col] = _number(cells[amount_col])
            for c in time_cols:
                if cells[c] and cells[c].isdigit():
                    cells[c], formats[c] = int(cells[c]), "0"
            ws.append(cells)
            for c, fmt in formats.items():
                ws.cell(row=ws.max_row, column=c + 1).number_format = fmt
        else:
            ws.append(cells)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    out.mkdir(parents=True, exist_ok=True)
    for name in tables():
        (out / f"{name}.xlsx").write_bytes(build(name))
        print(out / f"{name}.xlsx")
