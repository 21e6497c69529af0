"""The procedure catalog, public: anyone may list, search and read procedures without a token."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from ninja import Query, Router

from motcua.catalog.models import Field, Procedure
from motcua.core.errors import NotFound
from motcua.core.money import format_vnd
from motcua.core.text import fold
from motcua.units.receiving import receiving_on

from .schemas import ErrorOut, FieldOut, ProcedureDetailOut, ProcedurePage
from .values import page_size, page_start

router = Router(tags=["catalog"])


def _fee_text(proc: Procedure) -> str:
    if not proc.fee_vnd and not proc.fee_online_vnd:
        return "Không thu phí, lệ phí"
    text = format_vnd(proc.fee_vnd)
    if proc.fee_online_vnd is not None and proc.fee_online_vnd != proc.fee_vnd:
        text += f" (nộp trực tuyến: {format_vnd(proc.fee_online_vnd)})"
    return text


def _out(proc: Procedure) -> dict:
    return {
        "code": proc.code, "name": proc.name, "field": {"code": proc.field.code, "name": proc.field.name},
        "level": proc.level, "online_level": proc.online_level, "online_level_label": proc.get_online_level_display(),
        "processing_days": float(proc.processing_days), "fee_vnd": proc.fee_vnd, "fee_online_vnd": proc.fee_online_vnd,
        "fee_text": _fee_text(proc),
    }


@router.get("/fields", response=list[FieldOut], summary="Danh sách lĩnh vực")
def list_fields(request):
    return [{"code": f.code, "name": f.name} for f in Field.objects.order_by("name")]


@router.get("/procedures", response={200: ProcedurePage, 422: ErrorOut},
            summary="Tra cứu thủ tục hành chính (không dấu cũng được)")
def list_procedures(request, q: str | None = Query(None, max_length=200, description="Từ khóa hoặc mã thủ tục"),
                    field: str | None = Query(None, max_length=32), level: str | None = Query(None, max_length=16),
                    online_level: str | None = Query(None, max_length=16),
                    agency: str | None = Query(None, max_length=32, description="Mã cơ quan tiếp nhận"),
                    limit: page_size(100) = 20, offset: page_start(1_000_000) = 0):
    # PostgreSQL cannot compare text with NUL in it; such characters mean nothing in a search anyway.
    q, field, level, online_level, agency = (v.replace("\x00", "") if v else v
                                             for v in (q, field, level, online_level, agency))
    qs = Procedure.objects.filter(is_active=True).select_related("field")
    if q and q.strip():
        words = fold(q).split()
        cond = Q(code__iexact=q.strip())
        name_cond = Q()
        for word in words[:10]:
            name_cond &= Q(name_folded__contains=word)
        qs = qs.filter(cond | name_cond)
    if field:
        qs = qs.filter(field__code=field)
    if level:
        qs = qs.filter(level=level)
    if online_level:
        qs = qs.filter(online_level=online_level)
    if agency:
        qs = qs.filter(agencies__code=agency)
    qs = qs.order_by("code")
    return {"count": qs.count(), "limit": limit, "offset": offset, "items": [_out(p) for p in qs[offset:offset + limit]]}


@router.get("/procedures/{code}", response={200: ProcedureDetailOut, 404: ErrorOut}, summary="Chi tiết thủ tục")
def get_procedure(request, code: str):
    proc = None
    if "\x00" not in code:
        proc = Procedure.objects.select_related("field").filter(code=code, is_active=True).first()
    if proc is None:
        raise NotFound("procedure_not_found", f"Không tìm thấy thủ tục mã “{code[:64]}”.")
    data = _out(proc)
    data.update(
        competent_authority=proc.competent_authority, result_type=proc.result_type, result_name=proc.result_name,
        target=proc.target, description=proc.description, requirements=proc.requirements,
        legal_basis=proc.legal_basis, fee_note=proc.fee_note, form_schema=proc.form_schema or [],
        components=[{"order": c.order, "name": c.name, "originals": c.originals, "copies": c.copies,
                     "is_required": c.is_required, "note": c.note} for c in proc.components.all()],
        steps=[{"order": s.order, "name": s.name, "role": s.role, "duration_days": float(s.duration_days)}
               for s in proc.steps.all()],
        agencies=[{"code": a.code, "name": a.name}
                  for a in proc.agencies.filter(receiving_on(timezone.localdate()))],  # units.receiving
    )
    return data
