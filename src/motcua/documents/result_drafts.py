"""Results drafted from the procedure's template: the Word template (ResultTemplate) is filled with the dossier's
data (docxtpl), converted to PDF (convert.py) and attached as the draft; the leader reviews it and signs it
(results.issue_signed_result, PAdES) when signing the result. A result made elsewhere can still be uploaded."""

from __future__ import annotations

import datetime as dt
import io

from django.db import transaction
from django.utils import timezone
from jinja2.exceptions import SecurityError

from motcua.accounts.models import Role
from motcua.accounts.permissions import has_role
from motcua.audit.services import record as audit_record
from motcua.core.answers import field_kinds, shown_answer
from motcua.core.calendar import TZ
from motcua.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from motcua.core.money import format_number
from motcua.dossiers.models import Status

from . import render_budget, render_process, validation
from .attachments import save_bytes
from .convert import docx_to_pdf
from .models import Attachment, AttachmentKind, ResultTemplate
from .render_budget import BoundedRender, TooLong, TooMuch, TooSlow
from .template_bounds import MAX_MERGED, TooLarge

DRAFT_ROLES = (Role.SPECIALIST, Role.DEPARTMENT_HEAD, Role.LEADER)
TEMPLATE_ROLES = (Role.LEADER, Role.UNIT_ADMIN, Role.PROVINCIAL_ADMIN)
DRAFT_STATUSES = (Status.PROCESSING, Status.APPROVED)

# The merge fields a template may use, with what they hold (shown on the template page).
FIELDS = {
    "dossier_code": "Mã hồ sơ", "procedure_name": "Tên thủ tục", "result_name": "Tên kết quả",
    "agency_name": "Cơ quan giải quyết", "applicant_name": "Họ tên người nộp",
    "applicant_id_number": "Số định danh cá nhân", "applicant_address": "Địa chỉ người nộp",
    "applicant_phone": "Số điện thoại", "received_date": "Ngày tiếp nhận (dd/mm/yyyy)",
    "due_date": "Hẹn trả kết quả (dd/mm/yyyy)", "today": "Ngày lập (dd/mm/yyyy)",
    "result_summary": "Nội dung kết quả (khi đã phê duyệt)", "form": "Tờ khai: form.<tên trường>",
}


def _date(value) -> str:
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        value = value.astimezone(TZ).date()
    return value.strftime("%d/%m/%Y")


def template_context(dossier) -> dict:
    """The dossier's data for the template; dates dd/mm/yyyy, the e-form's answers as people read them."""
    kinds = field_kinds(dossier.procedure.form_schema)
    form = {key: shown_answer(value, kinds.get(key)) for key, value in (dossier.form_data or {}).items()}
    agency = dossier.current_agency or dossier.agency
    return {
        "dossier_code": dossier.code or "", "procedure_name": dossier.procedure.name,
        "result_name": dossier.procedure.result_name or "Kết quả giải quyết", "agency_name": agency.name,
        "applicant_name": dossier.applicant_name, "applicant_id_number": dossier.applicant_id_number,
        "applicant_address": dossier.applicant_address, "applicant_phone": dossier.applicant_phone,
        "received_date": _date(dossier.received_at), "due_date": _date(dossier.due_at),
        "today": _date(timezone.now()), "result_summary": dossier.result_summary or "", "form": form,
    }


def _seconds() -> str:
    return f"{render_budget.RENDER_SECONDS:g}".replace(".", ",")


# Why a merge field is unsafe, by what stopped it (the first class of the exception's own that is listed).
_UNSAFE = {
    TooSlow: lambda: f"Mẫu kết quả mất quá {_seconds()} giây để điền dữ liệu (vòng lặp quá nhiều lần)",
    TooLong: lambda: (f"Mẫu kết quả điền ra văn bản quá dài (quá {format_number(render_budget.MAX_OUTPUT, 0)} ký tự "
                      "ngoài nội dung của mẫu)"),
    TooMuch: lambda: (f"Mẫu kết quả tạo quá nhiều dữ liệu khi điền (tổng cộng quá "
                      f"{format_number(render_budget.MAX_BUILT, 0)} ký tự)"),
    TooLarge: lambda: f"Mẫu có trường trộn tạo giá trị quá lớn (quá {format_number(MAX_MERGED, 0)} ký tự)",
    MemoryError: lambda: "Mẫu kết quả cần quá nhiều bộ nhớ khi điền dữ liệu",
    SecurityError: lambda: "Mẫu có trường trộn truy cập thành phần nội bộ của hệ thống",
}


def _unsafe(exc: BaseException) -> ValidationFailed:
    reason = next(_UNSAFE[cls] for cls in type(exc).__mro__ if cls in _UNSAFE)
    return ValidationFailed("template_unsafe", f"{reason()}; chỉ dùng các trường trộn được liệt kê.")


def _render(docx: bytes, context: dict) -> bytes:
    """The template filled with context (plain data), in a child process under the system's limits
    (render_process); what the in-process bounds refuse comes back with their own message."""
    import docxtpl  # noqa: F401  imported here, once, not in each child
    import jinja2  # noqa: F401

    try:
        return render_process.run(_render_here, docx, context)
    except (TooSlow, MemoryError) as exc:  # the child ended at its deadline or past its memory
        raise _unsafe(exc) from exc


def _render_here(docx: bytes, context: dict) -> bytes:
    from docxtpl import DocxTemplate
    from jinja2 import TemplateError

    try:
        tpl = DocxTemplate(io.BytesIO(docx))
        # sandboxed: in a plain Environment «{{ cycler.__init__.__globals__.os.popen(…) }}» in an uploaded template
        # ran a command on the server; bounded: «{{ 'a' * 10**9 }}», «{{ x|center(10**9) }}» held its memory, loops
        # inside loops held its CPU for hours or wrote gigabytes, many values each under the bound added up to gigabytes
        tpl.render(context, jinja_env=BoundedRender(autoescape=True))
    except tuple(_UNSAFE) as exc:
        raise _unsafe(exc) from exc
    except TemplateError as exc:
        raise ValidationFailed("template_syntax", f"Mẫu có trường trộn sai cú pháp: {exc}") from exc
    except Exception as exc:  # a Word file docxtpl cannot read (docx parts missing or broken)
        raise ValidationFailed("template_broken", "Không đọc được tệp mẫu Word.") from exc
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()


def set_result_template(procedure, upload, *, by) -> ResultTemplate:
    """Check the uploaded Word template (hostile content, type, merge-field syntax), then keep it for the procedure;
    on refusal nothing is stored."""
    if not may_set_template(by, procedure):
        raise PermissionDenied("forbidden", "Chỉ lãnh đạo, quản trị đơn vị giải quyết thủ tục được đặt mẫu kết quả.")
    name = (getattr(upload, "name", "") or "mau-ket-qua.docx").rsplit("/", 1)[-1][:255]
    return store_result_template(procedure, validation.read_limited(upload), name=name, by=by)


def store_result_template(procedure, data: bytes, *, name: str, by=None) -> ResultTemplate:
    """Checks and storage of set_result_template, without the role check (the demo set-up calls it)."""
    inspection = validation.inspect(data)  # macros, embedded objects, external references, zip bombs
    if inspection.content_type != validation.DOCX:
        raise ValidationFailed("template_not_docx", "Mẫu kết quả phải là tệp Word (.docx).", status=415)
    _render(data, template_context_sample(procedure))
    with transaction.atomic():
        att = save_bytes(data, inspection=inspection, original_name=name, owner=None, dossier=None, component=None,
                         kind=AttachmentKind.TEMPLATE, uploaded_by=by)
        tpl, _ = ResultTemplate.objects.update_or_create(procedure=procedure,
                                                         defaults={"file": att, "uploaded_by": by})
        audit_record(by, "document.result_template", "procedure", procedure.pk, {"attachment": att.pk})
    return tpl


def template_context_sample(procedure) -> dict:
    """A context with every field, to try a template before keeping it."""
    sample = {key: "…" for key in FIELDS}
    sample["form"] = {f.get("name"): "…" for f in procedure.form_schema or [] if isinstance(f, dict)}
    return sample


def may_set_template(user, procedure) -> bool:
    """A leader or administrator of an agency that settles the procedure (of any agency, when none is listed)."""
    return any(has_role(user, TEMPLATE_ROLES, agency) for agency in list(procedure.agencies.all()) or [None])


def may_draft(user, dossier) -> bool:
    return dossier.status in DRAFT_STATUSES and has_role(user, DRAFT_ROLES, dossier.current_agency or dossier.agency)


def draft_result(dossier, *, by) -> Attachment:
    """Fill the procedure's template with the dossier's data and attach the PDF as the draft result."""
    if dossier.status not in DRAFT_STATUSES:
        raise InvalidTransition("draft_not_allowed", "Chỉ lập dự thảo kết quả khi hồ sơ đang giải quyết hoặc đã "
                                                     "phê duyệt, chưa ký.")
    if not may_draft(by, dossier):
        raise PermissionDenied("forbidden", "Bạn không được lập dự thảo kết quả của hồ sơ này.")
    tpl = ResultTemplate.objects.filter(procedure=dossier.procedure).select_related("file").first()
    if tpl is None:
        raise NotFound("result_template_missing", "Thủ tục chưa có mẫu kết quả; tải lên kết quả làm ở nơi khác.")
    pdf = docx_to_pdf(_render(tpl.file.read(), template_context(dossier)))
    inspection = validation.inspect(pdf)
    with transaction.atomic():
        att = save_bytes(pdf, inspection=inspection, original_name=f"{dossier.code or dossier.pk}-du-thao-ket-qua.pdf",
                         owner=None, dossier=dossier, component=None, kind=AttachmentKind.RESULT_DRAFT, uploaded_by=by)
        audit_record(by, "document.result_draft", "dossier", dossier.pk, {"attachment": att.pk, "template": tpl.pk})
    return att


def latest_draft(dossier) -> Attachment | None:
    return Attachment.objects.filter(dossier=dossier, kind=AttachmentKind.RESULT_DRAFT).order_by("-id").first()
