"""Check a catalog document and turn it into rows to write; every error is reported with its place."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils import timezone

from motcua.core.digits import typed_whole
from motcua.core.fields import overlong
from motcua.core.money import format_number
from motcua.units.models import Agency
from motcua.units.receiving import handover_refusal, receiving_on, refusal
from motcua.units.reorganization import latest_successor

from ..models import (
    ComponentRequirement,
    Field,
    OnlineLevel,
    Procedure,
    ProcedureLevel,
    ProcessStep,
    ResultType,
    Target,
)
from .format import AGENCY_KINDS, BIND_KEYS, DATE_KEYS, FLAG_KEYS, FORM_FIELD_TYPES, STEP_ROLES, TEXT_KEYS
from .read import BadJSON


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _bool(value, default: bool):
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value)
    text = str(value).strip().lower()
    if text in {"1", "true", "có", "co", "x", "yes", "đúng"}:
        return True
    if text in {"0", "false", "không", "khong", "no", "sai"}:
        return False
    raise ValueError(text)


def _decimal(value) -> Decimal:
    """A number of days: 0–9 with one point or comma (Decimal() also reads "NaN", "Infinity", "1e400" and "５")."""
    if isinstance(value, float):
        value = repr(value)
    text = str(value).strip().replace(",", ".")
    if not re.fullmatch(r"[0-9]+\.?[0-9]*|\.[0-9]+", text):
        raise ValueError(text)
    return Decimal(text)


def _date(value) -> dt.date | None:
    """A date cell: a spreadsheet date, ISO yyyy-mm-dd or dd/mm/yyyy; empty = None."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            if text.isascii():  # strptime reads "٠١/٠١/٢٠٢٦" (core.digits: 0–9 only)
                return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    raise ValueError(text)


def _int(value, default=0) -> int:
    if value is None or value == "":
        return default
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(value)
        return int(value)
    # 0–9 only (core.digits): int() reads "１２", "١٢" and "1_000", and fails past 4,300 digits
    number = typed_whole(value if isinstance(value, int) else str(value).replace(".", "").replace(" ", ""))
    if number is None:
        raise ValueError(value)
    return number


def _has_nul(value) -> bool:
    """A NUL character anywhere in a value (PostgreSQL stores none, in text or in JSON)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class Validator:
    def __init__(self, data: dict):
        self.data = data
        self.errors: list[str] = []
        self.day = timezone.localdate()
        self.agencies = {a.code: a for a in Agency.objects.select_related("admin_unit")}
        self.kind_agencies = defaultdict(list)
        for agency in Agency.objects.filter(receiving_on(self.day)):  # units.receiving: the one rule
            self.kind_agencies[agency.kind].append(agency)

    def err(self, where, message):
        self.errors.append(f"{where}: {message}")

    def closed(self, where, label, agency, no):
        """An agency named by code that receives nothing (units.receiving): why, and, where a merger or the admin
        recorded one, the code of the agency that succeeded it, to write in its place (the file is not rewritten
        for the officer: the import writes all or nothing)."""
        taker = latest_successor(agency)
        instead = (f"; cơ quan kế thừa là {taker.name}, ghi mã \"{taker.code}\" thay cho mã \"{agency.code}\""
                   if taker is not None else "")
        self.err(where, f"{label} mã \"{agency.code}\" không nhận hồ sơ: {no.fact}{instead}.")

    def fits(self, where, model, values: dict) -> bool:
        """Each value fits its column of ``model``: a text within its length, a whole number up to the column's
        largest (PostgreSQL's, whatever the database: SQLite takes any), no NUL character. Said of the row, by the
        column's Vietnamese name, instead of the database refusing the whole import with a traceback."""
        ok = True
        for key, value in values.items():
            try:
                f = model._meta.get_field(key)
            except FieldDoesNotExist:  # a key that is no column (field, agencies …)
                continue
            label = str(f.verbose_name)
            if _has_nul(value):
                self.err(where, f"{label} chứa ký tự không hợp lệ (NUL).")
                ok = False
            elif isinstance(f, models.CharField) and (over := overlong(f, value)):
                self.err(where, f"{label} dài quá {format_number(over.limit)} ký tự ({format_number(over.length)} ký tự).")
                ok = False
            elif isinstance(f, models.IntegerField) and isinstance(value, int) and not isinstance(value, bool):
                high = BaseDatabaseOperations.integer_field_ranges[f.get_internal_type()][1]  # below 0: said above
                if value > high:
                    self.err(where, f"{label} {format_number(value)} vượt quá mức tối đa {format_number(high)}.")
                    ok = False
        return ok

    def listed(self, where, label, value) -> list:
        """The rows of a list key (fields, components, steps); a text or an object there is said, not iterated."""
        if value in (None, ""):
            return []
        if not isinstance(value, list):
            self.err(where, f"{label} phải là một danh sách.")
            return []
        return value

    def choice(self, where, label, value, choices, default=None):
        value = _text(value) or default
        if value not in choices:
            allowed = ", ".join(choices)
            self.err(where, f"{label} \"{value or ''}\" không hợp lệ (chọn một trong: {allowed}).")
        return value

    def validate(self) -> tuple[list[dict], list[dict]]:
        fields = []
        known_fields = set(Field.objects.values_list("code", flat=True))
        for i, row in enumerate(self.listed("Tệp", "Danh mục lĩnh vực (fields)", self.data.get("fields")), start=1):
            if not isinstance(row, dict):
                self.err(f"Lĩnh vực thứ {i}", "không phải một đối tượng.")
                continue
            where = row.get("_where") or f"Lĩnh vực thứ {i}"
            code, name = _text(row.get("code")), _text(row.get("name"))
            if not code or not name:
                self.err(where, "cần có mã và tên lĩnh vực.")
                continue
            if not self.fits(where, Field, {"code": code, "name": name}):
                continue
            fields.append({"code": code, "name": name})
            known_fields.add(code)
        procs, seen = [], set()
        for i, row in enumerate(self.data.get("procedures") or [], start=1):
            if not isinstance(row, dict):
                self.err(f"Thủ tục thứ {i}", "không phải một đối tượng.")
                continue
            proc = self.procedure(row, row.get("_where") or f"Thủ tục thứ {i}", known_fields)
            if proc is None:
                continue
            if proc["code"] in seen:
                self.err(row.get("_where") or f"Thủ tục thứ {i}", f"mã thủ tục {proc['code']} bị trùng trong tệp.")
            seen.add(proc["code"])
            procs.append(proc)
        if not procs and not self.errors:
            self.errors.append("Tệp không có thủ tục nào.")
        return fields, procs

    def procedure(self, row, where, known_fields):
        code, name = _text(row.get("code")), _text(row.get("name"))
        where = f"{where} ({code})" if code else where
        if not code:
            self.err(where, "thiếu mã thủ tục.")
        elif len(code) > 32:
            self.err(where, "mã thủ tục dài quá 32 ký tự.")
        if not name:
            self.err(where, "thiếu tên thủ tục.")
        field = _text(row.get("field"))
        if field not in known_fields:
            self.err(where, f"lĩnh vực mã \"{field}\" chưa có trong danh mục lĩnh vực.")
        out = {"code": code, "name": name, "field": field}
        out["level"] = self.choice(where, "Cấp thực hiện", row.get("level"), ProcedureLevel.values)
        out["agency_kind"] = self.choice(where, "Loại cơ quan có thẩm quyền", row.get("agency_kind"), AGENCY_KINDS)
        out["online_level"] = self.choice(where, "Mức độ trực tuyến", row.get("online_level"), OnlineLevel.values,
                                          OnlineLevel.NONE)
        out["result_type"] = self.choice(where, "Loại kết quả", row.get("result_type"), ResultType.values,
                                         ResultType.PAPER)
        out["target"] = self.choice(where, "Đối tượng", row.get("target"), Target.values, Target.CITIZEN)
        for key in TEXT_KEYS:
            out[key] = _text(row.get(key))
        try:
            out["processing_days"] = _decimal(row.get("processing_days"))
            if out["processing_days"] < 0 or out["processing_days"] >= 10000:
                raise InvalidOperation
        except (InvalidOperation, ValueError, TypeError):
            self.err(where, f"thời hạn giải quyết \"{_text(row.get('processing_days'))}\" không phải số ngày hợp lệ.")
            out["processing_days"] = None
        for key, label in (("fee_vnd", "Phí, lệ phí"), ("fee_online_vnd", "Phí nộp trực tuyến")):
            raw = row.get(key)
            if key == "fee_online_vnd" and (raw is None or raw == ""):
                out[key] = None
                continue
            try:
                out[key] = _int(raw)
                if out[key] < 0:
                    raise ValueError
            except (ValueError, TypeError):
                self.err(where, f"{label} \"{_text(raw)}\" phải là số đồng không âm.")
        online, base = out.get("fee_online_vnd"), out.get("fee_vnd")
        if isinstance(online, int) and isinstance(base, int) and online < base and not out["fee_online_basis"]:
            # catalog/fees.py: a reduced online fee is shown with the text that sets it
            self.err(where, "phí nộp trực tuyến thấp hơn phí, lệ phí nhưng chưa ghi căn cứ mức phí nộp trực tuyến.")
        for key, label in DATE_KEYS:
            try:
                out[key] = _date(row.get(key))
            except ValueError:
                self.err(where, f"{label} \"{_text(row.get(key))}\" không phải ngày hợp lệ (dd/mm/yyyy).")
        for key, label, default in FLAG_KEYS:
            try:
                out[key] = _bool(row.get(key), default)
            except ValueError:
                self.err(where, f"{label} \"{_text(row.get(key))}\" phải là có/không.")
        out["form_schema"] = self.form_schema(where, row.get("form_schema"))
        self.fits(where, Procedure, {k: v for k, v in out.items() if k != "code"})  # the code: its own message
        agencies = row.get("agencies") or []
        if not isinstance(agencies, (str, list)):
            self.err(where, "cơ quan tiếp nhận phải là danh sách mã cơ quan.")
            agencies = []
        out["agencies"] = self.agency_refs(where, agencies)
        out["components"] = self.components(where, self.listed(where, "Thành phần hồ sơ", row.get("components")))
        out["steps"] = self.steps(where, self.listed(where, "Quy trình", row.get("steps")), out.get("processing_days"))
        return out

    def form_schema(self, where, schema):
        if isinstance(schema, BadJSON):
            self.err(where, "biểu mẫu điện tử không phải JSON hợp lệ.")
            return []
        if schema in (None, ""):
            return []
        if not isinstance(schema, list):
            self.err(where, "biểu mẫu điện tử phải là danh sách trường.")
            return []
        names = set()
        for i, item in enumerate(schema, start=1):
            if not isinstance(item, dict) or not item.get("name") or not item.get("label") or not isinstance(
                    item["name"], str):
                self.err(where, f"trường thứ {i} của biểu mẫu cần có name và label.")
                continue
            if item.get("type", "text") not in FORM_FIELD_TYPES:
                self.err(where, f"trường \"{item['name']}\" có kiểu \"{item.get('type')}\" không hỗ trợ.")
            if item["name"] in names:
                self.err(where, f"trường \"{item['name']}\" bị trùng trong biểu mẫu.")
            if item.get("bind") not in (None, "", *BIND_KEYS):
                self.err(where, f"trường \"{item['name']}\" gắn với \"{item['bind']}\", không phải thông tin người "
                                "nộp đã biết (applicant.… hoặc person.…).")
            names.add(item["name"])
        return schema

    def agency_refs(self, where, refs):
        if isinstance(refs, str):
            refs = [r.strip() for r in refs.split(",") if r.strip()]
        agencies = {}
        for ref in refs:
            ref = _text(ref)
            if ref.startswith("kind:"):
                kind = ref[5:]
                if kind not in AGENCY_KINDS:
                    self.err(where, f"loại cơ quan \"{kind}\" không hợp lệ.")
                for agency in self.kind_agencies.get(kind, []):
                    agencies[agency.pk] = agency
            elif ref in self.agencies:
                agency = self.agencies[ref]
                if (no := refusal(agency, self.day)) is not None:  # a closed unit's agency receives nothing
                    self.closed(where, "cơ quan tiếp nhận", agency, no)
                    continue
                agencies[agency.pk] = agency
            else:
                self.err(where, f"không tìm thấy cơ quan có mã \"{ref}\".")
        return list(agencies.values())

    def components(self, where, rows):
        out, orders = [], set()
        for i, row in enumerate(rows, start=1):
            if not isinstance(row, dict):
                self.err(f"{where}, thành phần hồ sơ thứ {i}", "không phải một đối tượng.")
                continue
            cwhere = row.get("_where") or f"{where}, thành phần hồ sơ thứ {i}"
            name = _text(row.get("name"))
            if not name:
                self.err(cwhere, "thiếu tên giấy tờ.")
            try:
                item = {"order": _int(row.get("order"), i), "name": name, "originals": _int(row.get("originals"), 1),
                        "copies": _int(row.get("copies"), 0), "is_required": _bool(row.get("is_required"), True),
                        "note": _text(row.get("note"))}
                if item["originals"] < 0 or item["copies"] < 0:
                    raise ValueError
            except (ValueError, TypeError):
                self.err(cwhere, "số bản chính, số bản sao phải là số không âm; bắt buộc là có/không.")
                continue
            self.fits(cwhere, ComponentRequirement, item)
            if item["order"] in orders:
                self.err(cwhere, f"thứ tự giấy tờ {item['order']} bị trùng.")
            orders.add(item["order"])
            out.append(item)
        return out

    def steps(self, where, rows, total):
        out, orders = [], set()
        for i, row in enumerate(rows, start=1):
            if not isinstance(row, dict):
                self.err(f"{where}, bước thứ {i}", "không phải một đối tượng.")
                continue
            swhere = row.get("_where") or f"{where}, bước thứ {i}"
            name = _text(row.get("name"))
            if not name:
                self.err(swhere, "thiếu tên bước.")
            role = self.choice(swhere, "Vai trò thực hiện", row.get("role"), sorted(STEP_ROLES))
            kind = _text(row.get("agency_kind"))
            if kind and kind not in AGENCY_KINDS:
                self.err(swhere, f"loại cơ quan thực hiện \"{kind}\" không hợp lệ.")
            agency_code = _text(row.get("agency"))
            agency = self.agencies.get(agency_code) if agency_code else None
            if agency_code and agency is None:
                self.err(swhere, f"không tìm thấy cơ quan thực hiện mã \"{agency_code}\".")
            elif agency is not None and (no := handover_refusal(agency, self.day)) is not None:
                self.closed(swhere, "cơ quan thực hiện", agency, no)
            try:
                order = _int(row.get("order"), i)
                days = _decimal(row.get("duration_days"))
                if days < 0:
                    raise InvalidOperation
            except (InvalidOperation, ValueError, TypeError):
                self.err(swhere, "thứ tự và thời gian (ngày làm việc) phải là số không âm.")
                continue
            self.fits(swhere, ProcessStep, {"order": order, "name": name})
            if order in orders:
                self.err(swhere, f"thứ tự bước {order} bị trùng.")
            orders.add(order)
            out.append({"order": order, "name": name, "role": role, "duration_days": days, "agency_kind": kind,
                        "agency": agency})
        if total is not None and out and sum(s["duration_days"] for s in out) > total:
            self.err(where, "tổng thời gian các bước vượt thời hạn giải quyết.")
        return out
