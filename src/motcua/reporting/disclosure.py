"""What the public statistics (the Portal's /thong-ke/ pages, GET /api/v1/reporting/indicators without an officer's
sign-in) tell of citizens' satisfaction ratings: nothing of a group too small to hide one person.

A commune with one rating in a month showing «Hài lòng 0 %» tells its neighbours what that person answered, as would
a procedure with two. Under ``MIN_PUBLIC_RATINGS`` ratings a group's satisfied and dissatisfied counts and its
satisfaction rate are withheld and read «Chưa đủ số lượng để công bố»; the number of ratings itself stays (it says
nothing of what anyone answered). Officers see every figure, and the official Decision 766 index and report files are
not touched: this is only what anonymous visitors read.

A period chosen day by day is a second way to one person's answer: two periods a day apart, each with plenty of
ratings, differ by that day's ratings. So a visitor reads satisfaction figures of calendar periods only — a month, a
quarter, a year — and of a period chosen otherwise none at all (``calendar_period``).

- ``reason(ind, start, end)`` — why the satisfaction figures of an ``indicators.Indicators`` cell of [start, end] are
  withheld from a visitor (the note to show), or "" (``start`` None: a calendar month); ``withheld`` the same as a flag.
- ``public_summary_table(ind, start, end)`` — ``texts.summary_table`` as a visitor reads it.
- ``public_rate(ind, rate_text)`` — a month's formatted satisfaction rate, or the withheld note.
- ``public_row(ind, row, start, end)`` — an API row (``values``, ``rates``, ``formatted``) with the figures withheld
  set to None / the note, and ``withheld`` naming them.
- ``public_index(result)`` — a Decision 766 index (``decision766.evaluate``) as a visitor reads it: where its ratings
  are withheld, so is sub-indicator 5.4, whose numerator subtracts the dissatisfied ratings from figures the
  statistics publish, and so are the sums 5.4 enters (its group's and the index's), from which it could be recovered
  by subtracting the other, published points. The official index in the reports is not touched.
"""

from __future__ import annotations

import datetime as dt

from .texts import summary_table

# Decree 13/2023/ND-CP art. 2(1), 3: a figure from which one person's answer can be told is their personal data, and
# nothing here has their consent to publish it. Five is the smallest group published: fewer, and a neighbour who knows
# who had a dossier returned in that commune that month can tell who answered what.
MIN_PUBLIC_RATINGS = 5
WITHHELD = "Chưa đủ số lượng để công bố"
NOTE = (f"«{WITHHELD}»: dưới {MIN_PUBLIC_RATINGS} lượt đánh giá, số và tỷ lệ hài lòng không được công bố để không "
        "lộ đánh giá của từng người (Nghị định 13/2023/NĐ-CP về bảo vệ dữ liệu cá nhân).")
RANGE_NOTE = (f"«{WITHHELD}»: số và tỷ lệ hài lòng chỉ công bố theo tháng, quý hoặc năm; với khoảng thời gian chọn "
              "theo ngày, so hai khoảng lệch nhau một ngày sẽ lộ đánh giá của từng người (Nghị định 13/2023/NĐ-CP về "
              "bảo vệ dữ liệu cá nhân).")
RATING_METRICS = ("rated_satisfied", "rated_dissatisfied")
RATING_RATES = ("satisfaction_rate",)


def calendar_period(start: dt.date, end: dt.date) -> bool:
    """[start, end] is a month, a quarter or a year of the calendar (what the period menus offer)."""
    if start.day != 1 or (end + dt.timedelta(days=1)).day != 1:
        return False
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    return months == 1 or (months == 3 and start.month % 3 == 1) or (months == 12 and start.month == 1)


def reason(ind, start: dt.date | None = None, end: dt.date | None = None) -> str:
    if not ind["rated"]:
        return ""
    if start is not None and not calendar_period(start, end):
        return RANGE_NOTE
    return NOTE if ind["rated"] < MIN_PUBLIC_RATINGS else ""


def withheld(ind, start: dt.date | None = None, end: dt.date | None = None) -> bool:
    return bool(reason(ind, start, end))


def public_rate(ind, rate_text: str) -> str:
    return WITHHELD if withheld(ind) else rate_text


def public_summary_table(ind, start: dt.date | None = None, end: dt.date | None = None) -> list[tuple[str, str, str, str]]:
    rows = summary_table(ind)
    if not withheld(ind, start, end):
        return rows
    return [(metric, label, WITHHELD, WITHHELD if rate else rate) if metric in RATING_METRICS
            else (metric, label, value, rate) for metric, label, value, rate in rows]


def public_row(ind, row: dict, start: dt.date | None = None, end: dt.date | None = None) -> dict:
    if not (note := reason(ind, start, end)):
        return row
    values = {**row["values"], **{m: None for m in RATING_METRICS if m in row["values"]}}
    rates = {**row["rates"], **{r: None for r in RATING_RATES}}
    formatted = {metric: {**cell, "value": WITHHELD, "rate": WITHHELD if cell["rate"] else cell["rate"]}
                 if metric in RATING_METRICS else cell for metric, cell in row["formatted"].items()}
    return {**row, "values": values, "rates": rates, "formatted": formatted,
            "withheld": {"fields": [*RATING_METRICS, *RATING_RATES], "note": note}}


# Decision 766 sub-indicators whose figures subtract the dissatisfied ratings (5.4: resolved − late − dissatisfied)
RATING_FORMULAS = ("dossier_satisfaction",)
INDEX_ALSO = ("Vì vậy chỉ số 5.4 (tính từ số đánh giá không hài lòng), điểm nhóm của nó và tổng điểm cũng không được "
              "công bố; cán bộ đăng nhập xem đủ.")


def public_index(result: dict) -> dict:
    start, end = dt.date.fromisoformat(result["start"]), dt.date.fromisoformat(result["end"])
    if not (note := reason({"rated": result.get("ratings", 0)}, start, end)):
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
            "withheld": {"indicators": codes, "note": f"{note} {INDEX_ALSO}"}}
