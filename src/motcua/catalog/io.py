"""Import and export the procedure catalog as JSON or XLSX.

One document holds fields, procedures, their components (thành phần hồ sơ), internal process steps
(quy trình nội bộ), fees, e-form schema and receiving agencies (by identity code). Import validates
everything first and reports every error with its place (sheet/row) in Vietnamese; then writes it
all in one transaction, or nothing.

JSON shape::

    {"format": "motcua-catalog", "version": 1,
     "fields": [{"code": "HT", "name": "Hộ tịch"}],
     "procedures": [{"code": "1.001193", "name": "...", "field": "HT", "level": "commune", ...,
                     "agencies": ["kind:commune_committee", "H51.01"],
                     "components": [{"name": "...", "originals": 1, "copies": 0, "is_required": true}],
                     "steps": [{"name": "...", "role": "specialist", "duration_days": "2",
                                "agency_kind": "", "agency": ""}]}]}

`agencies` items are agency codes or `kind:<agency kind>` (every active agency of that kind);
export writes `kind:` when a procedure is received by every active agency of a kind.

XLSX: sheets "Lĩnh vực", "Thủ tục", "Thành phần hồ sơ", "Quy trình"; first row = column titles
(Vietnamese titles or the JSON keys); lists are comma-separated, form_schema is JSON text.
"""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.db.models import ProtectedError

from motcua.accounts.models import Role
from motcua.core.errors import ValidationFailed
from motcua.units.models import Agency

from .models import ComponentRequirement, Field, OnlineLevel, Procedure, ProcedureLevel, ProcessStep, ResultType, Target

FORMAT = "motcua-catalog"
VERSION = 1
AGENCY_KINDS = dict(Agency.KINDS)
STEP_ROLES = {Role.COUNTER_OFFICER, Role.SPECIALIST, Role.DEPARTMENT_HEAD, Role.LEADER}
FORM_FIELD_TYPES = {"text", "textarea", "date", "number", "select", "checkbox", "email", "tel", "id_number"}

FIELD_COLUMNS = [("code", "Mã lĩnh vực"), ("name", "Tên lĩnh vực")]
PROCEDURE_COLUMNS = [
    ("code", "Mã thủ tục"), ("name", "Tên thủ tục"), ("field", "Mã lĩnh vực"), ("level", "Cấp thực hiện"),
    ("agency_kind", "Loại cơ quan có thẩm quyền"), ("competent_authority", "Cơ quan có thẩm quyền"),
    ("processing_days", "Thời hạn giải quyết (ngày làm việc)"), ("fee_vnd", "Phí, lệ phí (đồng)"),
    ("fee_online_vnd", "Phí, lệ phí nộp trực tuyến (đồng)"), ("fee_note", "Ghi chú phí"),
    ("online_level", "Mức độ trực tuyến"), ("result_type", "Loại kết quả"), ("result_name", "Tên kết quả"),
    ("target", "Đối tượng"), ("description", "Trình tự thực hiện"), ("requirements", "Yêu cầu, điều kiện"),
    ("legal_basis", "Căn cứ pháp lý"), ("form_schema", "Biểu mẫu điện tử (JSON)"), ("is_sample", "Dữ liệu mẫu"),
    ("is_active", "Đang áp dụng"), ("agencies", "Cơ quan tiếp nhận"),
]
COMPONENT_COLUMNS = [
    ("procedure", "Mã thủ tục"), ("order", "Thứ tự"), ("name", "Tên giấy tờ"), ("originals", "Số bản chính"),
    ("copies", "Số bản sao"), ("is_required", "Bắt buộc"), ("note", "Ghi chú"),
]
STEP_COLUMNS = [
    ("procedure", "Mã thủ tục"), ("order", "Thứ tự"), ("name", "Tên bước"), ("role", "Vai trò thực hiện"),
    ("duration_days", "Thời gian (ngày làm việc)"), ("agency_kind", "Loại cơ quan thực hiện"),
    ("agency", "Mã cơ quan thực hiện"),
]
SHEETS = [("Lĩnh vực", FIELD_COLUMNS), ("Thủ tục", PROCEDURE_COLUMNS), ("Thành phần hồ sơ", COMPONENT_COLUMNS),
          ("Quy trình", STEP_COLUMNS)]
TEXT_KEYS = ("competent_authority", "fee_note", "result_name", "description", "requirements", "legal_basis")


class CatalogInvalid(ValidationFailed):
    def __init__(self, errors: list[str]):
        super().__init__("catalog_invalid", f"Tệp danh mục thủ tục có {len(errors)} lỗi, chưa nhập gì.",
                         details={"errors": errors})
        self.errors = errors


# ---------------------------------------------------------------- export


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


def catalog_to_dict(procedures=None) -> dict:
    procedures = procedures if procedures is not None else Procedure.objects.all()
    procedures = procedures.select_related("field").prefetch_related("components", "steps__agency", "agencies")
    kind_sets = defaultdict(set)
    for code, kind in Agency.objects.filter(is_active=True).values_list("code", "kind"):
        kind_sets[kind].add(code)
    procs, field_codes = [], set()
    for p in procedures.order_by("code"):
        field_codes.add(p.field.code)
        procs.append({
            "code": p.code, "name": p.name, "field": p.field.code, "level": p.level, "agency_kind": p.agency_kind,
            "competent_authority": p.competent_authority, "processing_days": _num(p.processing_days),
            "fee_vnd": p.fee_vnd, "fee_online_vnd": p.fee_online_vnd, "fee_note": p.fee_note,
            "online_level": p.online_level, "result_type": p.result_type, "result_name": p.result_name,
            "target": p.target, "description": p.description, "requirements": p.requirements,
            "legal_basis": p.legal_basis, "form_schema": p.form_schema, "is_sample": p.is_sample,
            "is_active": p.is_active, "agencies": _agency_refs(p, kind_sets),
            "components": [{"order": c.order, "name": c.name, "originals": c.originals, "copies": c.copies,
                            "is_required": c.is_required, "note": c.note} for c in p.components.all()],
            "steps": [{"order": s.order, "name": s.name, "role": s.role, "duration_days": _num(s.duration_days),
                       "agency_kind": s.agency_kind, "agency": s.agency.code if s.agency else ""}
                      for s in p.steps.all()],
        })
    fields = [{"code": f.code, "name": f.name} for f in Field.objects.filter(code__in=field_codes).order_by("code")]
    return {"format": FORMAT, "version": VERSION, "fields": fields, "procedures": procs}


def _cell(value):
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
            ws.append([_cell(row.get(key)) for key, _ in columns])
        ws.freeze_panes = "A2"
        for i, (key, _) in enumerate(columns, start=1):
            ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = 40 if key == "name" else 16
    wb.save(path)


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


# ---------------------------------------------------------------- read


def _header_map(columns):
    mapping = {}
    for key, label in columns:
        mapping[key.lower()] = key
        mapping[label.lower()] = key
    return mapping


def read_xlsx(path) -> dict:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ValidationFailed("catalog_unreadable", f"Không đọc được tệp Excel: {exc}") from exc
    sheets = {}
    errors = []
    for title, columns in SHEETS:
        if title not in wb.sheetnames:
            errors.append(f"Thiếu trang tính \"{title}\".")
            continue
        rows = list(wb[title].iter_rows(values_only=True))
        if not rows:
            sheets[title] = []
            continue
        mapping = _header_map(columns)
        keys = [mapping.get(str(h).strip().lower()) if h is not None else None for h in rows[0]]
        out = []
        for n, values in enumerate(rows[1:], start=2):
            if all(v is None or str(v).strip() == "" for v in values):
                continue
            row = {k: v for k, v in zip(keys, values, strict=False) if k}
            row["_where"] = f"Trang \"{title}\", dòng {n}"
            out.append(row)
        sheets[title] = out
    wb.close()
    if errors:
        raise CatalogInvalid(errors)
    procs = []
    by_code = {}
    for row in sheets["Thủ tục"]:
        row = dict(row)
        schema = row.get("form_schema")
        if isinstance(schema, str) and schema.strip():
            try:
                row["form_schema"] = json.loads(schema)
            except json.JSONDecodeError:
                row["form_schema"] = _BadJSON(schema)
        else:
            row["form_schema"] = []
        agencies = row.get("agencies")
        row["agencies"] = [a.strip() for a in str(agencies).split(",") if a.strip()] if agencies else []
        row["components"], row["steps"] = [], []
        procs.append(row)
        by_code.setdefault(str(row.get("code") or "").strip(), row)
    for sheet, key in (("Thành phần hồ sơ", "components"), ("Quy trình", "steps")):
        for row in sheets[sheet]:
            owner = by_code.get(str(row.get("procedure") or "").strip())
            if owner is None:
                errors.append(f"{row['_where']}: không có thủ tục mã \"{row.get('procedure') or ''}\" "
                              "trong trang \"Thủ tục\".")
                continue
            owner[key].append(row)
    if errors:
        raise CatalogInvalid(errors)
    return {"format": FORMAT, "version": VERSION, "fields": sheets["Lĩnh vực"], "procedures": procs}


class _BadJSON(str):
    pass


def read_json(path) -> dict:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationFailed("catalog_unreadable", f"Không đọc được tệp JSON: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("procedures"), list):
        raise ValidationFailed("catalog_unreadable", "Tệp JSON không đúng cấu trúc danh mục thủ tục "
                                                     "(cần khóa \"procedures\" là một danh sách).")
    return data


def read_catalog(path) -> dict:
    path = Path(path)
    if not path.exists():
        raise ValidationFailed("catalog_missing", f"Không tìm thấy tệp {path}.", status=404)
    suffix = path.suffix.lower()
    if suffix == ".json":
        return read_json(path)
    if suffix == ".xlsx":
        return read_xlsx(path)
    raise ValidationFailed("catalog_format", f"Định dạng tệp {suffix or '(không có)'} không hỗ trợ: dùng .json "
                                             "hoặc .xlsx.")


# ---------------------------------------------------------------- validate + write


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
    if isinstance(value, float):
        value = repr(value)
    return Decimal(str(value).strip().replace(",", "."))


def _int(value, default=0) -> int:
    if value is None or value == "":
        return default
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(value)
        return int(value)
    text = str(value).strip().replace(".", "").replace(" ", "")
    return int(text)


class _Validator:
    def __init__(self, data: dict):
        self.data = data
        self.errors: list[str] = []
        self.agencies = {a.code: a for a in Agency.objects.all()}
        self.kind_agencies = defaultdict(list)
        for agency in self.agencies.values():
            if agency.is_active:
                self.kind_agencies[agency.kind].append(agency)

    def err(self, where, message):
        self.errors.append(f"{where}: {message}")

    def choice(self, where, label, value, choices, default=None):
        value = _text(value) or default
        if value not in choices:
            allowed = ", ".join(choices)
            self.err(where, f"{label} \"{value or ''}\" không hợp lệ (chọn một trong: {allowed}).")
        return value

    def validate(self) -> tuple[list[dict], list[dict]]:
        fields = []
        known_fields = set(Field.objects.values_list("code", flat=True))
        for i, row in enumerate(self.data.get("fields") or [], start=1):
            where = row.get("_where") or f"Lĩnh vực thứ {i}"
            code, name = _text(row.get("code")), _text(row.get("name"))
            if not code or not name:
                self.err(where, "cần có mã và tên lĩnh vực.")
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
        for key, label, default in (("is_sample", "Dữ liệu mẫu", False), ("is_active", "Đang áp dụng", True)):
            try:
                out[key] = _bool(row.get(key), default)
            except ValueError:
                self.err(where, f"{label} \"{_text(row.get(key))}\" phải là có/không.")
        out["form_schema"] = self.form_schema(where, row.get("form_schema"))
        out["agencies"] = self.agency_refs(where, row.get("agencies") or [])
        out["components"] = self.components(where, row.get("components") or [])
        out["steps"] = self.steps(where, row.get("steps") or [], out.get("processing_days"))
        return out

    def form_schema(self, where, schema):
        if isinstance(schema, _BadJSON):
            self.err(where, "biểu mẫu điện tử không phải JSON hợp lệ.")
            return []
        if schema in (None, ""):
            return []
        if not isinstance(schema, list):
            self.err(where, "biểu mẫu điện tử phải là danh sách trường.")
            return []
        names = set()
        for i, item in enumerate(schema, start=1):
            if not isinstance(item, dict) or not item.get("name") or not item.get("label"):
                self.err(where, f"trường thứ {i} của biểu mẫu cần có name và label.")
                continue
            if item.get("type", "text") not in FORM_FIELD_TYPES:
                self.err(where, f"trường \"{item['name']}\" có kiểu \"{item.get('type')}\" không hỗ trợ.")
            if item["name"] in names:
                self.err(where, f"trường \"{item['name']}\" bị trùng trong biểu mẫu.")
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
                agencies[self.agencies[ref].pk] = self.agencies[ref]
            else:
                self.err(where, f"không tìm thấy cơ quan có mã \"{ref}\".")
        return list(agencies.values())

    def components(self, where, rows):
        out, orders = [], set()
        for i, row in enumerate(rows, start=1):
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
            if item["order"] in orders:
                self.err(cwhere, f"thứ tự giấy tờ {item['order']} bị trùng.")
            orders.add(item["order"])
            out.append(item)
        return out

    def steps(self, where, rows, total):
        out, orders = [], set()
        for i, row in enumerate(rows, start=1):
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
            try:
                order = _int(row.get("order"), i)
                days = _decimal(row.get("duration_days"))
                if days < 0:
                    raise InvalidOperation
            except (InvalidOperation, ValueError, TypeError):
                self.err(swhere, "thứ tự và thời gian (ngày làm việc) phải là số không âm.")
                continue
            if order in orders:
                self.err(swhere, f"thứ tự bước {order} bị trùng.")
            orders.add(order)
            out.append({"order": order, "name": name, "role": role, "duration_days": days, "agency_kind": kind,
                        "agency": agency})
        if total is not None and out and sum(s["duration_days"] for s in out) > total:
            self.err(where, "tổng thời gian các bước vượt thời hạn giải quyết.")
        return out


def _write(fields, procs) -> dict:
    for f in fields:
        Field.objects.update_or_create(code=f["code"], defaults={"name": f["name"]})
    field_ids = dict(Field.objects.values_list("code", "id"))
    stats = {"created": 0, "updated": 0}
    errors = []
    for p in procs:
        data = {k: v for k, v in p.items() if k not in {"code", "field", "agencies", "components", "steps"}}
        data["field_id"] = field_ids[p["field"]]
        proc, created = Procedure.objects.update_or_create(code=p["code"], defaults=data)
        stats["created" if created else "updated"] += 1
        proc.agencies.set(p["agencies"])
        # Update in place by order: uploaded documents keep pointing at their component.
        components = {c.order: c for c in proc.components.all()}
        for c in p["components"]:
            comp = components.pop(c["order"], None) or ComponentRequirement(procedure=proc)
            for key, value in c.items():
                setattr(comp, key, value)
            comp.save()
        ComponentRequirement.objects.filter(pk__in=[c.pk for c in components.values()]).delete()
        existing = {s.order: s for s in proc.steps.all()}
        for s in p["steps"]:
            step = existing.pop(s["order"], None) or ProcessStep(procedure=proc, order=s["order"])
            for key, value in s.items():
                setattr(step, key, value)
            step.save()
        for step in existing.values():
            try:
                with transaction.atomic():
                    step.delete()
            except ProtectedError:
                errors.append(f"Thủ tục {p['code']}: không thể xóa bước {step.order} \"{step.name}\" vì đã có "
                              "hồ sơ đi qua bước này.")
    if errors:
        raise CatalogInvalid(errors)
    return stats


def import_catalog_data(data: dict) -> dict:
    """Validate then write `data` (the JSON shape); all or nothing. Returns counts."""
    fmt = data.get("format", FORMAT)
    if fmt != FORMAT or int(data.get("version", VERSION)) > VERSION:
        raise ValidationFailed("catalog_format", "Tệp không phải danh mục thủ tục của hệ thống hoặc phiên bản "
                                                 "mới hơn phiên bản được hỗ trợ.")
    validator = _Validator(data)
    fields, procs = validator.validate()
    if validator.errors:
        raise CatalogInvalid(validator.errors)
    with transaction.atomic():
        stats = _write(fields, procs)
    stats["fields"] = len(fields)
    return stats


def import_catalog(path) -> dict:
    """Import a .json or .xlsx catalog file; raises CatalogInvalid listing every error, writing nothing."""
    return import_catalog_data(read_catalog(path))
