"""Statistics over HTTP: indicators, the Decision 766 index, drill-down lists and report files.

Indicators and the 766 index are public (the transparency the portal publishes); the dossier lists
behind a number and the report files are for officers of the unit (province-wide roles: all).
"""

from __future__ import annotations

from django.http import HttpResponse
from ninja import Query, Router, Schema

from motcua.accounts.permissions import is_officer
from motcua.core.downloads import attachment_header
from motcua.core.errors import NotFound, ValidationFailed
from motcua.papers import statistics
from motcua.reporting import decision766, disclosure, indicators, texts
from motcua.reporting.access import check_scope
from motcua.reporting.scopes import parse_scope
from motcua.units import lifetime

from .auth import api_auth, optional_auth
from .openapi import told

router = Router(tags=["reporting"])
# What every statistics operation refuses (reporting.periods, reporting.scopes; docs/operations.md's error table)
REFUSED = {"404": "`unit_not_found`: phạm vi (scope) nêu một cơ quan hoặc đơn vị hành chính không có.",
           "422": "`invalid_period`, `invalid_date` (kỳ báo cáo), `invalid_scope` (phạm vi viết sai), `invalid_group`, "
                  "`invalid_metric`, `invalid_filter`."}


class PeriodQuery(Schema):
    period: str | None = None  # 2025, 2025-Q4, 2025-11
    start: str | None = None  # yyyy-mm-dd or dd/mm/yyyy
    end: str | None = None
    scope: str | None = None  # agency code, "province", "level:province|commune", "unit:<admin unit code>",
    # "lineage:<agency code>" (the agency with the units merged into it); checked by reporting.scopes.parse_scope


class IndicatorQuery(PeriodQuery):
    group_by: str | None = None  # agency, procedure, field, channel, online_level, admin_level, admin_unit


def _period(q: PeriodQuery):
    if not (q.period or (q.start and q.end)):
        raise ValidationFailed("invalid_period", "Cần tham số period (2025, 2025-Q4, 2025-11) hoặc start và end.")
    return indicators.parse_period(q.period, q.start, q.end)


def _scope(q: PeriodQuery):
    return parse_scope(q.scope)  # 404 unit_not_found / 422 invalid_scope for a unit that does not exist


@router.get("/indicators", auth=optional_auth, openapi_extra=told(**REFUSED),
            summary="Chỉ tiêu thống kê theo đơn vị, kỳ và nhóm",
            description=f"Không đăng nhập bằng tài khoản cán bộ: nhóm có dưới {disclosure.MIN_PUBLIC_RATINGS} lượt đánh "
                        "giá, và mọi nhóm của một kỳ không phải tháng, quý hoặc năm, không công bố số, tỷ lệ hài lòng "
                        "(`rated_satisfied`, `rated_dissatisfied`, `satisfaction_rate` là null, `formatted` ghi «Chưa "
                        "đủ số lượng để công bố», `withheld` nêu các trường đó và lý do): Nghị định 13/2023/NĐ-CP.")
def get_indicators(request, q: Query[IndicatorQuery]):
    start, end = _period(q)
    scope = _scope(q)
    officer = is_officer(request.auth)  # a visitor reads no satisfaction figure of a handful of ratings
    grouped = indicators.compute(start, end, scope, q.group_by)
    # A unit a reorganization created or closed: which part of the period it existed in, as the 766 index says it
    # (counted_from, counted_until, absent; motcua.units.lifetime), for the scope and for each agency's row.
    per_agency = lifetime.by_code(k[0] for k in grouped) if q.group_by == "agency" else {}
    rows = []
    for key, ind in sorted(grouped.items()):
        formatted = {metric: {"label": label, "value": value, "rate": rate}
                     for metric, label, value, rate in indicators.summary_table(ind)}
        life = per_agency.get(key[0]) if key else None
        existence = _existence(life.cover(start, end)) if life else {}
        row = {"group": key[0] if key else None, **ind.as_dict(), "formatted": formatted, **existence}
        rows.append(row if officer else disclosure.public_row(ind, row, start, end))
    return {"start": start.isoformat(), "end": end.isoformat(), "scope": scope or "province",
            "group_by": q.group_by, **_existence(indicators.coverage(start, end, scope)), "rows": rows}


def _existence(cover) -> dict:
    return {**cover.as_dict(), "note": texts.existence_note(cover)}


@router.get("/index766", auth=optional_auth, openapi_extra=told(**REFUSED),
            summary="Chỉ số phục vụ người dân, doanh nghiệp (QĐ 766/QĐ-TTg)",
            description=f"Không đăng nhập bằng tài khoản cán bộ: kỳ có dưới {disclosure.MIN_PUBLIC_RATINGS} lượt đánh "
                        "giá, hoặc kỳ không phải tháng, quý, năm, không công bố chỉ số 5.4 (tính từ số đánh giá không "
                        "hài lòng), điểm nhóm 5 và tổng điểm "
                        "(`score`, `score_100`, điểm nhóm và các số của 5.4 là null, `withheld` nêu chỉ số và lý do): "
                        "Nghị định 13/2023/NĐ-CP.")
def get_index766(request, q: Query[PeriodQuery]):
    start, end = _period(q)
    result = decision766.evaluate(start, end, _scope(q))
    return result if is_officer(request.auth) else disclosure.public_index(result)


class DrillQuery(IndicatorQuery):
    metric: str
    procedure: str | None = None
    field: str | None = None
    channel: str | None = None
    online_level: str | None = None


@router.get("/drilldown", auth=api_auth, openapi_extra=told(**REFUSED), summary="Danh sách hồ sơ sau một con số")
def get_drilldown(request, q: Query[DrillQuery]):
    start, end = _period(q)
    scope = _scope(q)
    check_scope(request.auth if hasattr(request.auth, "pk") else request.user, scope)
    filters = {k: getattr(q, k) for k in ("procedure", "field", "channel", "online_level") if getattr(q, k)}
    ids = indicators.drill_down(q.metric, start, end, scope, filters)
    return {"metric": q.metric, "count": len(ids), "dossier_ids": ids}


@router.get("/costly766", auth=api_auth, openapi_extra=told(**REFUSED), summary="Hồ sơ làm giảm điểm chỉ số 766")
def get_costly(request, q: Query[PeriodQuery]):
    start, end = _period(q)
    scope = _scope(q)
    check_scope(request.auth if hasattr(request.auth, "pk") else request.user, scope)
    return {"reasons": decision766.LOSS_REASONS, "dossiers": decision766.costly_dossiers(start, end, scope)}


CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@router.get("/report.{kind}", auth=api_auth, openapi_extra=told(**{
    **REFUSED, "404": f"`report_kind`: chỉ có .docx hoặc .xlsx; {REFUSED['404']}"}),
            summary="Tải báo cáo .docx (Nghị định 30/2020) hoặc .xlsx")
def get_report(request, kind: str, q: Query[PeriodQuery]):
    if kind not in CONTENT_TYPES:
        raise NotFound("report_kind", "Chỉ có báo cáo .docx hoặc .xlsx.")
    start, end = _period(q)
    scope = _scope(q)
    check_scope(request.auth if hasattr(request.auth, "pk") else request.user,
                 statistics.scope_arg(scope))
    data = statistics.build_docx(scope, start, end) if kind == "docx" else statistics.build_xlsx(scope, start, end)
    resp = HttpResponse(data, content_type=CONTENT_TYPES[kind])
    resp["Content-Disposition"] = attachment_header(statistics.file_name(scope, start, end, kind))
    return resp
