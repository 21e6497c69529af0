"""Build each one-stop slip from the dossier's data and render it as PDF or .docx.

Fields follow LEGAL.md §2.2 (deployed templates of Circular 01/2018 forms). Slips are printed on
A5 (Circular 01/2018 art. 3 — forms on A5, the tracking book on A4).
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.utils import timezone

from motcua.core.errors import NotFound, ValidationFailed
from motcua.core.money import format_number, format_vnd
from motcua.dossiers.lifecycle import receiving_agency_at, step_timeliness, timeliness
from motcua.payments.models import Payment
from motcua.units.models import Agency

from ..decree30 import Decree30Document, Run, Signer
from .forms import APOLOGY, CONTROL_SHEET, KINDS, RECEIPT, REFUSAL, SUPPLEMENT, form_for

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
COUNTER_NAME = "BỘ PHẬN MỘT CỬA"
PAGE = "A5"  # Circular 01/2018 art. 3: one-stop forms are printed on A5
_PLACE_PREFIXES = ("Thành phố ", "Tỉnh ", "Phường ", "Xã ", "Đặc khu ", "Thị trấn ")
# Head of the agency who signs the apology (Decree 61/2018 as summarised in LEGAL.md §1.4 [B/?]):
_HEAD_TITLE = {
    "provincial_committee": "CHỦ TỊCH",
    "commune_committee": "CHỦ TỊCH",
    "provincial_department": "GIÁM ĐỐC",
    "service_center": "GIÁM ĐỐC",
    "vertical": "THỦ TRƯỞNG CƠ QUAN",
}
OUTCOME_EARLY, OUTCOME_ON_TIME, OUTCOME_LATE = "Trước hạn", "Đúng hạn", "Quá hạn"


# --- small formatting helpers ------------------------------------------------------------------------
def _local(moment: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(moment) if moment else None


def _time_date(moment: dt.datetime | None) -> str:
    """'08 giờ 30 phút, ngày 05/03/2026'."""
    m = _local(moment)
    return f"{m:%H} giờ {m:%M} phút, ngày {m:%d/%m/%Y}" if m else ""


def _date(moment) -> str:
    if not moment:
        return ""
    m = _local(moment) if isinstance(moment, dt.datetime) else moment
    return f"{m:%d/%m/%Y}"


def _count(n: int) -> str:
    return f"{n:02d}" if n else "0"


def _days(value) -> str:
    value = Decimal(value or 0)
    return format_number(value, 0 if value == value.to_integral_value() else 1)


def _place(agency) -> str:
    name = agency.admin_unit.name if agency and agency.admin_unit_id else ""
    for prefix in _PLACE_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def _issuer(agency, *, counter: bool) -> tuple[str, str]:
    """(parent agency line, issuing agency line) for the header."""
    if agency.kind == "service_center" or not counter:
        parent = agency.parent.name if agency.parent_id else ""
        return parent, agency.name
    return agency.name, COUNTER_NAME


def _qr_png(text: str) -> bytes:
    # Circular 01/2018 art. 19(2): a barcode / QR code may accompany the dossier code.
    import segno

    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="png", scale=6, border=2)
    return out.getvalue()


def _issue_day(slip, fallback=None) -> dt.datetime:
    return _local(slip.issued_at if slip else None) or _local(fallback) or timezone.localtime()


def _doc(kind: str, dossier, *, agency, counter: bool, day, number: str = "", landscape: bool = False):
    form = form_for(kind, dossier.rule_version)
    parent, issuing = _issuer(agency, counter=counter)
    doc = Decree30Document(agency=issuing, parent_agency=parent, number=number, place=_place(agency), date=day,
                           title=form.title, caption=form.caption, page=PAGE, landscape=landscape)
    if dossier.code:
        doc.corner_image(_qr_png(dossier.code), width_mm=16)
    return doc


def _officer_name(user) -> str:
    return (user.full_name or user.get_username()) if user else ""


_OUTCOME_LABELS = {"early": OUTCOME_EARLY, "on_time": OUTCOME_ON_TIME, "late": OUTCOME_LATE,
                   "in_progress_on_time": "Đang xử lý, trong hạn", "in_progress_late": "Đang xử lý, quá hạn"}


def step_outcome(step_run) -> str:
    """Outcome of a step for the control sheet (trước hạn / đúng hạn / quá hạn); the grading rule
    lives in the lifecycle (motcua.dossiers.lifecycle.step_timeliness)."""
    return _OUTCOME_LABELS.get(step_timeliness(step_run) or "", "")


# --- the five slips ----------------------------------------------------------------------------------
def _applicant_fields(doc: Decree30Document, dossier, *, email: bool = False):
    doc.field("Ông/Bà", dossier.applicant_name, bold_value=True)
    doc.field("Số định danh cá nhân/CCCD", dossier.applicant_id_number)
    doc.field("Số điện thoại", dossier.applicant_phone)
    if email:
        doc.field("Thư điện tử", dossier.applicant_email)
    doc.field("Địa chỉ", dossier.applicant_address)


def _components(dossier, data: dict) -> list[tuple[str, int, int]]:
    if data.get("components"):
        return [(c["name"], int(c.get("originals", 1)), int(c.get("copies", 0))) for c in data["components"]]
    return [(c.name, c.originals, c.copies) for c in dossier.procedure.components.all()]


def _paid_online(dossier) -> bool:
    if dossier.fee_paid_online:
        return True
    # A payment confirmed by the gateway before the dossier flag was set.
    return Payment.objects.filter(dossier=dossier, status=Payment.PAID).exists()


def _fee_text(dossier) -> str:
    if not dossier.fee_vnd:
        return "Không thu phí, lệ phí"
    if _paid_online(dossier):
        return f"{format_vnd(dossier.fee_vnd)} — đã thanh toán trực tuyến"
    return f"{format_vnd(dossier.fee_vnd)} — chưa thanh toán"


def _collect_place(dossier, agency) -> str:
    where = {"counter": f"Bộ phận Một cửa — {agency.name}" + (f", {agency.address}" if agency.address else ""),
             "post": f"Qua dịch vụ bưu chính công ích, gửi đến: {dossier.applicant_address}",
             "online": "Trực tuyến, trên Cổng Dịch vụ công và kho dữ liệu điện tử của tổ chức, cá nhân"}
    return where.get(dossier.return_method, dossier.get_return_method_display())


def _receipt(dossier, slip, data) -> Decree30Document:
    if not dossier.received_at:
        raise ValidationFailed("slip_not_available", "Hồ sơ chưa được tiếp nhận nên chưa có giấy tiếp nhận.")
    day = _issue_day(slip, dossier.received_at)
    agency = receiving_agency_at(dossier, day)  # the committee that issued it, were the units merged since
    doc = _doc(RECEIPT, dossier, agency=agency, counter=True, day=day)
    doc.paragraph([Run("Mã hồ sơ: "), Run(dossier.code or "", bold=True)], align="center", indent=False)
    unit = agency.name if agency.kind == "service_center" else f"Bộ phận Một cửa — {agency.name}"
    doc.paragraph(f"{unit} đã tiếp nhận hồ sơ của:", indent=False, align="left")
    _applicant_fields(doc, dossier)
    doc.field("Nội dung yêu cầu giải quyết", dossier.procedure.name)
    doc.paragraph("1. Thành phần hồ sơ nộp gồm:", align="left", indent=False)
    rows = [[i, name, _count(o), _count(c)] for i, (name, o, c) in enumerate(_components(dossier, data), start=1)]
    doc.table(["STT", "Tên giấy tờ", "Bản chính", "Bản sao"], rows, widths=[1, 7, 2, 2],
              align=["center", "left", "center", "center"])
    doc.paragraph(f"2. Số lượng hồ sơ: {_count(int(data.get('sets', 1)))} bộ.", align="left", indent=False)
    doc.paragraph(f"3. Thời gian giải quyết hồ sơ theo quy định: {_days(dossier.procedure.processing_days)} "
                  "ngày làm việc.", align="left", indent=False)
    doc.paragraph(f"4. Thời gian nhận hồ sơ: {_time_date(dossier.received_at)}.", align="left", indent=False)
    doc.paragraph([Run("5. Thời gian trả kết quả giải quyết hồ sơ: "), Run(_time_date(dossier.due_at), bold=True),
                   Run(".")], align="left", indent=False)
    doc.paragraph(f"6. Nơi nhận kết quả: {_collect_place(dossier, agency)}.", align="left", indent=False)
    doc.paragraph(f"7. Phí, lệ phí: {_fee_text(dossier)}.", align="left", indent=False)
    book = data.get("book_volume"), data.get("book_entry")
    doc.paragraph(f"Vào Sổ theo dõi hồ sơ, Quyển số: {book[0] or '……'}, Số thứ tự: {book[1] or '……'}.",
                  italic=True, align="left", indent=False)
    if agency.phone:
        doc.paragraph(f"Điện thoại liên hệ: {agency.phone}.", italic=True, align="left", indent=False)
    doc.signatures([Signer("NGƯỜI NỘP HỒ SƠ", dossier.applicant_name, note="(Ký và ghi rõ họ tên)", space_mm=12),
                    Signer("NGƯỜI TIẾP NHẬN HỒ SƠ", _officer_name(slip.issued_by if slip else None),
                           note="(Ký và ghi rõ họ tên)", space_mm=12)])
    return doc


def _addressee(doc: Decree30Document, dossier):
    doc.paragraph([Run("Kính gửi: "), Run(dossier.applicant_name, bold=True)], align="center", indent=False)
    doc.field("Địa chỉ", dossier.applicant_address)
    doc.field("Số điện thoại", dossier.applicant_phone)
    doc.field("Thư điện tử", dossier.applicant_email)
    doc.field("Nội dung yêu cầu giải quyết", dossier.procedure.name)
    if dossier.code:
        doc.field("Mã hồ sơ", dossier.code)


def _supplement_items(items) -> list[list]:
    rows = []
    for i, item in enumerate(items, start=1):
        if isinstance(item, dict):
            rows.append([i, item.get("name", ""), _count(int(item.get("originals", 0) or 0)),
                         _count(int(item.get("copies", 0) or 0)), item.get("note", "")])
        else:
            rows.append([i, str(item), "", "", ""])
    return rows


def _supplement(dossier, slip, data) -> Decree30Document:
    request = dossier.supplement_requests.order_by("-requested_at", "-id").first()
    items = data.get("items") or (request.items if request else [])
    reason = data.get("reason") or (request.reason if request else "")
    if not items:
        raise ValidationFailed("slip_not_available", "Hồ sơ chưa có yêu cầu bổ sung, hoàn thiện.")
    when = _issue_day(slip, request.requested_at if request else None)
    # Reference number "{dossier code}/HDHS" as printed by deployed Mẫu 02 (LEGAL.md §2.2 [C6]).
    agency = receiving_agency_at(dossier, when)
    doc = _doc(SUPPLEMENT, dossier, agency=agency, counter=True, day=when,
               number=f"{dossier.code}/HDHS" if dossier.code else "")
    _addressee(doc, dossier)
    doc.paragraph(f"Sau khi xem xét thành phần hồ sơ, {agency.name} đề nghị Ông/Bà bổ sung, hoàn thiện "
                  "hồ sơ gồm những nội dung sau:")
    doc.table(["STT", "Giấy tờ cần bổ sung, hoàn thiện", "Bản chính", "Bản sao", "Ghi chú"],
              _supplement_items(items), widths=[1, 6, 2, 2, 3], align=["center", "left", "center", "center", "left"])
    doc.paragraph([Run("Lý do: ", bold=True), Run(reason)])
    contact = f" (điện thoại {agency.phone})" if agency.phone else ""
    doc.paragraph(f"Mọi vướng mắc, đề nghị Ông/Bà liên hệ Bộ phận Một cửa{contact} để được hướng dẫn.")
    officer = slip.issued_by if slip else (request.requested_by if request else None)
    doc.signatures([Signer("", ""), Signer("NGƯỜI HƯỚNG DẪN", _officer_name(officer), note="(Ký và ghi rõ họ tên)",
                                           space_mm=12)])
    return doc


def _refusal(dossier, slip, data) -> Decree30Document:
    reasons = data.get("reasons") or [r.strip(" -•\t") for r in (dossier.refusal_reason or "").splitlines()
                                      if r.strip(" -•\t")]
    if not reasons:
        raise ValidationFailed("slip_not_available", "Hồ sơ chưa có lý do từ chối tiếp nhận.")
    doc = _doc(REFUSAL, dossier, agency=dossier.agency, counter=True, day=_issue_day(slip, dossier.closed_at))
    _addressee(doc, dossier)
    doc.paragraph(f"Sau khi xem xét, {dossier.agency.name} không tiếp nhận, giải quyết hồ sơ của Ông/Bà "
                  "với lý do cụ thể như sau:")
    doc.numbered(reasons)
    doc.paragraph("Xin thông báo để Ông/Bà được biết và thực hiện.")
    doc.signatures([Signer("NGƯỜI NỘP HỒ SƠ", dossier.applicant_name, note="(Ký và ghi rõ họ tên)", space_mm=12),
                    Signer("NGƯỜI TIẾP NHẬN HỒ SƠ", _officer_name(slip.issued_by if slip else None),
                           note="(Ký và ghi rõ họ tên)", space_mm=12)])
    return doc


def _late_agency(dossier, data):
    if data.get("agency_code"):
        found = Agency.objects.filter(code=data["agency_code"]).first()
        if found:
            return found
    return dossier.current_agency or dossier.agency


def _apology(dossier, slip, data) -> Decree30Document:
    if not dossier.due_at:
        raise ValidationFailed("slip_not_available", "Hồ sơ chưa có ngày hẹn trả kết quả.")
    agency = _late_agency(dossier, data)
    event = dossier.events.filter(action="issue_apology").order_by("-at", "-id").first()
    reason = data.get("reason") or (event.note if event else "")
    original_due = data.get("previous_due_at") or dossier.original_due_at
    if isinstance(original_due, str):
        original_due = dt.datetime.fromisoformat(original_due)
    new_due = data.get("new_due_at") or dossier.due_at
    if isinstance(new_due, str):
        new_due = dt.datetime.fromisoformat(new_due)
    # Reference number ".../PXL" as printed by deployed Mẫu 04 (LEGAL.md §2.2 [C8]).
    doc = _doc(APOLOGY, dossier, agency=agency, counter=False, day=_issue_day(slip, event.at if event else None),
               number=f"{data.get('number') or '     '}/PXL")
    doc.paragraph([Run("Kính gửi: "), Run(dossier.applicant_name, bold=True)], align="center", indent=False)
    doc.field("Địa chỉ", dossier.applicant_address)
    doc.field("Số điện thoại", dossier.applicant_phone)
    receiver = receiving_agency_at(dossier, dossier.received_at)
    doc.paragraph(f"Ngày {_date(dossier.received_at)}, {receiver.name} tiếp nhận hồ sơ của Ông/Bà đề nghị "
                  f"giải quyết thủ tục “{dossier.procedure.name}”, mã hồ sơ {dossier.code}. Thời hạn trả kết quả "
                  f"theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả là {_time_date(original_due)}.")
    doc.paragraph(f"Tuy nhiên đến nay, {agency.name} chưa giải quyết xong hồ sơ của Ông/Bà"
                  + (f". Lý do: {reason.rstrip('.')}." if reason else "."))
    doc.paragraph(f"Sự chậm trễ này đã gây phiền hà, tốn kém chi phí, công sức của Ông/Bà. {agency.name} xin lỗi "
                  "Ông/Bà và hẹn trả kết quả giải quyết hồ sơ vào:")
    doc.paragraph(_time_date(new_due) + ".", bold=True, align="center", indent=False)
    doc.paragraph("Rất mong nhận được sự thông cảm của Ông/Bà.")
    head = data.get("signer_title") or _HEAD_TITLE.get(agency.kind, "THỦ TRƯỞNG CƠ QUAN")
    name = data.get("signer_name") or _officer_name(slip.issued_by if slip else None)
    doc.signer(head, name, on_behalf=data.get("on_behalf", ""))
    counter = receiving_agency_at(dossier, event.at if event else None)
    doc.recipients(["Như trên", f"Bộ phận Một cửa — {counter.name}", "Lưu: VT"])
    return doc


def _handover_rows(dossier) -> list[list]:
    """One row per hand-over (DossierEvent written by the lifecycle) with the outcome of the step
    handed over (Circular 01/2018 Mẫu 05; LEGAL.md §2.2 [C9])."""
    def counter(moment) -> str:  # the one-stop counter of the receiving agency then (units may merge meanwhile)
        return f"Bộ phận Một cửa — {receiving_agency_at(dossier, moment).name}"

    steps = {s.order: s for s in dossier.procedure.steps.select_related("agency")}
    runs = list(dossier.step_runs.select_related("step").all())
    events = dossier.events.select_related("agency", "to_agency", "step", "actor").order_by("at", "id")

    def where(step, agency) -> str:
        name = step.name if step else ""
        if agency is not None and agency.pk != dossier.agency_id:
            return f"{name} — {agency.name}" if name else agency.name
        return name or dossier.agency.name

    def run_of(event):
        for run in runs:
            if run.finished_at and run.step_id == event.step_id and abs((run.finished_at - event.at).total_seconds()) < 1:
                return run
        return None

    rows = []
    for e in events:
        actor = f" ({_officer_name(e.actor)})" if e.actor_id else ""
        outcome = ""
        if e.action in ("receive", "receive_at_counter"):
            giver, receiver = dossier.applicant_name, counter(e.at) + actor
        elif e.action == "start_processing":
            giver, receiver = counter(e.at) + actor, where(e.step, e.to_agency)
        elif e.action == "complete_step":
            nxt = steps.get((e.data or {}).get("next_step"))
            giver = where(e.step, e.agency if e.to_agency_id else None) + actor
            receiver = where(nxt, e.to_agency) if nxt else "Lãnh đạo phê duyệt kết quả"
            outcome = step_outcome(run_of(e)) if run_of(e) else ""
        elif e.action in ("hand_over", "return_from_agency", "transfer_agency"):  # transfer: a merger of units
            giver = (e.agency.name if e.agency_id else "") + actor
            receiver = e.to_agency.name if e.to_agency_id else ""
        elif e.action in ("approve", "reject"):
            giver = (e.step.name if e.step_id else "Lãnh đạo") + actor
            receiver = "Ký, ban hành kết quả" if e.action == "approve" else "Trả lời không giải quyết"
            outcome = step_outcome(run_of(e)) if e.step_id and run_of(e) else ""
        elif e.action == "sign_result":
            giver, receiver = "Lãnh đạo" + actor, counter(e.at)
        elif e.action == "return_result":
            giver, receiver = counter(e.at) + actor, dossier.applicant_name
            outcome = _OUTCOME_LABELS.get(timeliness(dossier) or "", "")
        else:
            continue
        rows.append([len(rows) + 1, f"Giao: {giver}\nNhận: {receiver}", _time_date(e.at), outcome, e.note])
    return rows


def _control_sheet(dossier, slip, data) -> Decree30Document:
    if not dossier.received_at:
        raise ValidationFailed("slip_not_available", "Hồ sơ chưa được tiếp nhận nên chưa có phiếu kiểm soát.")
    day = _issue_day(slip, dossier.received_at)
    doc = _doc(CONTROL_SHEET, dossier, agency=receiving_agency_at(dossier, day), counter=True, day=day, landscape=True)
    doc.paragraph([Run("Mã hồ sơ: "), Run(dossier.code or "", bold=True)], align="center", indent=False)
    doc.field("Tên người nộp", dossier.applicant_name, bold_value=True)
    doc.field("Thủ tục", dossier.procedure.name)
    doc.field("Thời gian nhận hồ sơ", _time_date(dossier.received_at))
    doc.field("Thời gian hẹn trả kết quả", _time_date(dossier.due_at))
    doc.table(["STT", "Tên cơ quan, bộ phận giao, nhận hồ sơ", "Thời gian giao, nhận hồ sơ",
               "Kết quả giải quyết (trước hạn/đúng hạn/quá hạn)", "Ghi chú"], _handover_rows(dossier),
              widths=[1, 8, 4, 3, 3], align=["center", "left", "center", "center", "left"], size=9)
    return doc


_BUILDERS = {RECEIPT: _receipt, SUPPLEMENT: _supplement, REFUSAL: _refusal, APOLOGY: _apology,
             CONTROL_SHEET: _control_sheet}


def build(slip_kind: str, dossier, *, slip=None, data: dict | None = None) -> Decree30Document:
    if slip_kind not in KINDS:
        raise NotFound("slip_kind_unknown", f"Không có loại phiếu “{slip_kind}”.")
    merged = {**(slip.data if slip else {}), **(data or {})}
    return _BUILDERS[slip_kind](dossier, slip, merged)


def render(slip_kind: str, dossier, *, fmt: str = "pdf", slip=None, data: dict | None = None) -> bytes:
    """The slip of `slip_kind` for `dossier` as PDF or .docx bytes.

    `slip` (a dossiers.Slip) supplies the issue time, the issuing officer and extra data (components
    handed in, tracking-book entry, apology number/signer); `data` overrides it.
    """
    if fmt not in CONTENT_TYPES:
        raise ValidationFailed("slip_format_unknown", "Định dạng phiếu phải là pdf hoặc docx.")
    doc = build(slip_kind, dossier, slip=slip, data=data)
    return doc.to_pdf() if fmt == "pdf" else doc.to_docx()


def render_slip(slip, *, fmt: str = "pdf") -> bytes:
    return render(slip.kind, slip.dossier, fmt=fmt, slip=slip)


def filename(slip_kind: str, dossier, fmt: str = "pdf") -> str:
    """The slip's file name, as a person reads it: the form's title in the dossier's circular, then the code —
    'Giấy tiếp nhận hồ sơ và hẹn trả kết quả H51.01-260302-0001.pdf' (diacritics kept: send it with
    django.utils.http.content_disposition_header, which encodes it for the header)."""
    code = (dossier.code or f"nhap-{dossier.pk}").replace("/", "-")
    return f"{form_for(slip_kind, dossier.rule_version).title.capitalize()} {code}.{fmt}"
