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
- ``public_index(result)`` — a Decision 766 index (``decision766.evaluate``) as a visitor reads it: where its ratings
  are withheld, so is sub-indicator 5.4, whose numerator subtracts the dissatisfied ratings from figures the
  statistics publish, and so are the sums 5.4 enters (its group's and the index's), from which it could be recovered
  by subtracting the other, published points. The official index in the reports is not touched.
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


# Decision 766 sub-indicators whose figures subtract the dissatisfied ratings (5.4: resolved − late − dissatisfied)
RATING_FORMULAS = ("dossier_satisfaction",)
INDEX_NOTE = (f"«{WITHHELD}»: dưới {MIN_PUBLIC_RATINGS} lượt đánh giá trong kỳ, chỉ số 5.4 (tính từ số đánh giá không "
              "hài lòng), điểm nhóm của nó và tổng điểm không được công bố để không lộ đánh giá của từng người "
              "(Nghị định 13/2023/NĐ-CP về bảo vệ dữ liệu cá nhân). Cán bộ đăng nhập xem đủ.")


def public_index(result: dict) -> dict:
    if not 0 < result.get("ratings", 0) < MIN_PUBLIC_RATINGS:
        return result
    hidden = {"numerator": None, "rate": None, "score": None, "lost": None, "lost_text": "", "status": "withheld",
              "display": WITHHELD}
    groups = []
    for g in result["groups"]:
        items = [{**i, **hidden} if i["formula"] in RATING_FORMULAS else i for i in g["indicators"]]
        withheld_here = any(i["status"] == "withheld" for i in items)
        groups.append({**g, "indicators": items, **({"score": None, "withheld": True} if withheld_here else {})})
    codes = [i["code"] for g in groups for i in g["indicators"] if i["status"] == "withheld"]
    return {**result, "groups": groups, "score": None, "score_100": None,
            "withheld": {"indicators": codes, "note": INDEX_NOTE}}
