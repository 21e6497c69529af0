"""What the public statistics (the Portal's /thong-ke/ pages, GET /api/v1/reporting/indicators without an officer's
sign-in) tell of citizens' satisfaction ratings: nothing of a group too small to hide one person.

A commune with one rating in a month showing «Hài lòng 0 %» tells its neighbours what that person answered, as would
a procedure with two. Under ``MIN_PUBLIC_RATINGS`` ratings a group's satisfied and dissatisfied counts and its
satisfaction rate are withheld and read «Chưa đủ số lượng để công bố»; the number of ratings itself stays (it says
nothing of what anyone answered). Officers see every figure, and the official Decision 766 index and report files are
not touched: this is only what anonymous visitors read.

- ``withheld(ind)`` — whether the satisfaction figures of an ``indicators.Indicators`` cell are withheld.
- ``public_summary_table(ind)`` — ``texts.summary_table`` as a visitor reads it.
- ``public_rate(ind, rate_text)`` — a cell's formatted satisfaction rate, or the withheld note.
- ``public_row(ind, row)`` — an API row (``values``, ``rates``, ``formatted``) with the figures withheld set to
  None / the note, and ``withheld`` naming them.
"""

from __future__ import annotations

from .texts import summary_table

# Decree 13/2023/ND-CP art. 2(1), 3: a figure from which one person's answer can be told is their personal data, and
# nothing here has their consent to publish it. Five is the smallest group published: fewer, and a neighbour who knows
# who had a dossier returned in that commune that month can tell who answered what.
MIN_PUBLIC_RATINGS = 5
WITHHELD = "Chưa đủ số lượng để công bố"
NOTE = (f"«{WITHHELD}»: dưới {MIN_PUBLIC_RATINGS} lượt đánh giá, số và tỷ lệ hài lòng không được công bố để không "
        "lộ đánh giá của từng người (Nghị định 13/2023/NĐ-CP về bảo vệ dữ liệu cá nhân).")
RATING_METRICS = ("rated_satisfied", "rated_dissatisfied")
RATING_RATES = ("satisfaction_rate",)


def withheld(ind) -> bool:
    return 0 < ind["rated"] < MIN_PUBLIC_RATINGS


def public_rate(ind, rate_text: str) -> str:
    return WITHHELD if withheld(ind) else rate_text


def public_summary_table(ind) -> list[tuple[str, str, str, str]]:
    rows = summary_table(ind)
    if not withheld(ind):
        return rows
    return [(metric, label, WITHHELD, WITHHELD if rate else rate) if metric in RATING_METRICS
            else (metric, label, value, rate) for metric, label, value, rate in rows]


def public_row(ind, row: dict) -> dict:
    if not withheld(ind):
        return row
    values = {**row["values"], **{m: None for m in RATING_METRICS if m in row["values"]}}
    rates = {**row["rates"], **{r: None for r in RATING_RATES}}
    formatted = {metric: {**cell, "value": WITHHELD, "rate": WITHHELD if cell["rate"] else cell["rate"]}
                 if metric in RATING_METRICS else cell for metric, cell in row["formatted"].items()}
    return {**row, "values": values, "rates": rates, "formatted": formatted,
            "withheld": {"fields": [*RATING_METRICS, *RATING_RATES], "note": NOTE}}
