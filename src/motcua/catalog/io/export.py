"""Export the catalog as the JSON document or as XLSX."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

from motcua.core.errors import ValidationFailed
from motcua.core.spreadsheet import save_workbook
from motcua.units.models import Agency
from motcua.units.receiving import receiving_on

from ..models import (
    Field,
    Procedure,
)
from .format import DATE_KEYS, FORMAT, SHEETS, VERSION

DATE_KEY_NAMES = {key for key, _ in DATE_KEYS}


def _agency_refs(proc: Procedure, kind_sets: dict[str, set[str]]) -> list[str]:
    codes = {a.code: a.kind for a in proc.agencies.all()}
    refs = []
    for kind, all_codes in sorted(kind_sets.items()):
        if len(all_codes) > 1 and all_codes <= codes.keys():
            refs.append(f"kind:{kind}")
            for code in all_codes:
                codes.pop(code)
    return refs + sorted(codes)


def _num(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def _day(value) -> str | None:
    return value.isoformat() if value else None


def catalog_to_dict(procedures=None) -> dict:
    procedures = procedures if procedures is not None else Procedure.objects.all()
    procedures = procedures.select_related("field").prefetch_related("components", "steps__agency", "agencies")
    kind_sets = defaultdict(set)
    for code, kind in Agency.objects.filter(receiving_on(timezone.localdate())).values_list("code", "kind"):
        kind_sets[kind].add(code)
    procs, field_codes = [], set()
    for p in procedures.order_by("code"):
        field_codes.add(p.field.code)
        procs.append({
            "code": p.code, "name": p.name, "field": p.field.code, "level": p.level, "agency_kind": p.agency_kind,
            "competent_authority": p.competent_authority, "processing_days": _num(p.processing_days),
            "fee_vnd": p.fee_vnd, "fee_online_vnd": p.fee_online_vnd,
            "fee_online_basis": p.fee_online_basis, "fee_note": p.fee_note,
            "online_level": p.online_level, "result_type": p.result_type, "result_name": p.result_name,
            "target": p.target, "description": p.description, "requirements": p.requirements,
            "legal_basis": p.legal_basis, "form_schema": p.form_schema, "is_sample": p.is_sample,
            "is_active": p.is_active, "announcing_decision": p.announcing_decision,
            "announced_on": _day(p.announced_on), "legal_effective_on": _day(p.legal_effective_on),
            "national_published_on": _day(p.national_published_on), "online_payment": p.online_payment,
            "certified_copy": p.certified_copy, "agencies": _agency_refs(p, kind_sets),
            "components": [{"order": c.order, "name": c.name, "originals": c.originals, "copies": c.copies,
                            "is_required": c.is_required, "note": c.note} for c in p.components.all()],
            "steps": [{"order": s.order, "name": s.name, "role": s.role, "duration_days": _num(s.duration_days),
                       "agency_kind": s.agency_kind, "agency": s.agency.code if s.agency else ""}
                      for s in p.steps.all()],
        })
    fields = [{"code": f.code, "name": f.name} for f in Field.objects.filter(code__in=field_codes).order_by("code")]
    return {"format": FORMAT, "version": VERSION, "fields": fields, "procedures": procs}


def _cell(value, key=""):
    if key in DATE_KEY_NAMES and value:
        return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, list):
        return ", ".join(value)
    return value


def write_xlsx(data: dict, path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    rows = {
        "Lĩnh vực": data["fields"],
        "Thủ tục": [{**p, "form_schema": json.dumps(p["form_schema"], ensure_ascii=False) if p["form_schema"]
                     else ""} for p in data["procedures"]],
        "Thành phần hồ sơ": [{**c, "procedure": p["code"]} for p in data["procedures"] for c in p["components"]],
        "Quy trình": [{**s, "procedure": p["code"]} for p in data["procedures"] for s in p["steps"]],
    }
    for title, columns in SHEETS:
        ws = wb.create_sheet(title)
        ws.append([label for _, label in columns])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows[title]:
            ws.append([_cell(row.get(key), key) for key, _ in columns])
        ws.freeze_panes = "A2"
        for i, (key, _) in enumerate(columns, start=1):
            ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = 40 if key == "name" else 16
    save_workbook(wb, path)


def export_catalog(path, procedures=None) -> int:
    """Write the catalog to `path` (.json or .xlsx); returns the number of procedures written."""
    path = Path(path)
    data = catalog_to_dict(procedures)
    suffix = path.suffix.lower()
    if suffix == ".json":
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    elif suffix == ".xlsx":
        write_xlsx(data, path)
    else:
        raise ValidationFailed("catalog_format", f"Định dạng tệp {suffix or '(không có)'} không hỗ trợ: dùng .json "
                                                 "hoặc .xlsx.")
    return len(data["procedures"])
