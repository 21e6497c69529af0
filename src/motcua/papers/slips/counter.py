"""The slips the one-stop counter issues to the applicant: the receipt with its return date (Mẫu 01), the request to
supplement the dossier (Mẫu 02) and the refusal to receive it (Mẫu 03)."""

from __future__ import annotations

from motcua.core.errors import ValidationFailed
from motcua.core.money import format_vnd
from motcua.dossiers.lifecycle import receiving_agency_at
from motcua.payments.models import Payment

from ..decree30 import Decree30Document, Run, Signer
from .forms import RECEIPT, REFUSAL, SUPPLEMENT
from .layout import (
    addressee,
    applicant_fields,
    count_text,
    days_text,
    issue_day,
    officer_name,
    slip_document,
    time_date,
)


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


def build_receipt(dossier, slip, data) -> Decree30Document:
    if not dossier.received_at:
        raise ValidationFailed("slip_not_available", "Hồ sơ chưa được tiếp nhận nên chưa có giấy tiếp nhận.")
    day = issue_day(slip, dossier.received_at)
    agency = receiving_agency_at(dossier, day)  # the committee that issued it, were the units merged since
    doc = slip_document(RECEIPT, dossier, agency=agency, counter=True, day=day)
    doc.paragraph([Run("Mã hồ sơ: "), Run(dossier.code or "", bold=True)], align="center", indent=False)
    unit = agency.name if agency.kind == "service_center" else f"Bộ phận Một cửa — {agency.name}"
    doc.paragraph(f"{unit} đã tiếp nhận hồ sơ của:", indent=False, align="left")
    applicant_fields(doc, dossier)
    doc.field("Nội dung yêu cầu giải quyết", dossier.procedure.name)
    doc.paragraph("1. Thành phần hồ sơ nộp gồm:", align="left", indent=False)
    rows = [[i, name, count_text(o), count_text(c)] for i, (name, o, c) in enumerate(_components(dossier, data), start=1)]
    doc.table(["STT", "Tên giấy tờ", "Bản chính", "Bản sao"], rows, widths=[1, 7, 2, 2],
              align=["center", "left", "center", "center"])
    doc.paragraph(f"2. Số lượng hồ sơ: {count_text(int(data.get('sets', 1)))} bộ.", align="left", indent=False)
    doc.paragraph(f"3. Thời gian giải quyết hồ sơ theo quy định: {days_text(dossier.procedure.processing_days)} "
                  "ngày làm việc.", align="left", indent=False)
    doc.paragraph(f"4. Thời gian nhận hồ sơ: {time_date(dossier.received_at)}.", align="left", indent=False)
    doc.paragraph([Run("5. Thời gian trả kết quả giải quyết hồ sơ: "), Run(time_date(dossier.due_at), bold=True),
                   Run(".")], align="left", indent=False)
    doc.paragraph(f"6. Nơi nhận kết quả: {_collect_place(dossier, agency)}.", align="left", indent=False)
    doc.paragraph(f"7. Phí, lệ phí: {_fee_text(dossier)}.", align="left", indent=False)
    book = data.get("book_volume"), data.get("book_entry")
    doc.paragraph(f"Vào Sổ theo dõi hồ sơ, Quyển số: {book[0] or '……'}, Số thứ tự: {book[1] or '……'}.",
                  italic=True, align="left", indent=False)
    if agency.phone:
        doc.paragraph(f"Điện thoại liên hệ: {agency.phone}.", italic=True, align="left", indent=False)
    doc.signatures([Signer("NGƯỜI NỘP HỒ SƠ", dossier.applicant_name, note="(Ký và ghi rõ họ tên)", space_mm=12),
                    Signer("NGƯỜI TIẾP NHẬN HỒ SƠ", officer_name(slip.issued_by if slip else None),
                           note="(Ký và ghi rõ họ tên)", space_mm=12)])
    return doc


def _supplement_items(items) -> list[list]:
    rows = []
    for i, item in enumerate(items, start=1):
        if isinstance(item, dict):
            rows.append([i, item.get("name", ""), count_text(int(item.get("originals", 0) or 0)),
                         count_text(int(item.get("copies", 0) or 0)), item.get("note", "")])
        else:
            rows.append([i, str(item), "", "", ""])
    return rows


def build_supplement(dossier, slip, data) -> Decree30Document:
    request = dossier.supplement_requests.order_by("-requested_at", "-id").first()
    items = data.get("items") or (request.items if request else [])
    reason = data.get("reason") or (request.reason if request else "")
    if not items:
        raise ValidationFailed("slip_not_available", "Hồ sơ chưa có yêu cầu bổ sung, hoàn thiện.")
    when = issue_day(slip, request.requested_at if request else None)
    # Reference number "{dossier code}/HDHS" as printed by deployed Mẫu 02 (LEGAL.md §2.2 [C6]).
    agency = receiving_agency_at(dossier, when)
    doc = slip_document(SUPPLEMENT, dossier, agency=agency, counter=True, day=when,
               number=f"{dossier.code}/HDHS" if dossier.code else "")
    addressee(doc, dossier)
    doc.paragraph(f"Sau khi xem xét thành phần hồ sơ, {agency.name} đề nghị Ông/Bà bổ sung, hoàn thiện "
                  "hồ sơ gồm những nội dung sau:")
    doc.table(["STT", "Giấy tờ cần bổ sung, hoàn thiện", "Bản chính", "Bản sao", "Ghi chú"],
              _supplement_items(items), widths=[1, 6, 2, 2, 3], align=["center", "left", "center", "center", "left"])
    doc.paragraph([Run("Lý do: ", bold=True), Run(reason)])
    contact = f" (điện thoại {agency.phone})" if agency.phone else ""
    doc.paragraph(f"Mọi vướng mắc, đề nghị Ông/Bà liên hệ Bộ phận Một cửa{contact} để được hướng dẫn.")
    officer = slip.issued_by if slip else (request.requested_by if request else None)
    doc.signatures([Signer("", ""), Signer("NGƯỜI HƯỚNG DẪN", officer_name(officer), note="(Ký và ghi rõ họ tên)",
                                           space_mm=12)])
    return doc


def build_refusal(dossier, slip, data) -> Decree30Document:
    reasons = data.get("reasons") or [r.strip(" -•\t") for r in (dossier.refusal_reason or "").splitlines()
                                      if r.strip(" -•\t")]
    if not reasons:
        raise ValidationFailed("slip_not_available", "Hồ sơ chưa có lý do từ chối tiếp nhận.")
    doc = slip_document(REFUSAL, dossier, agency=dossier.agency, counter=True, day=issue_day(slip, dossier.closed_at))
    addressee(doc, dossier)
    doc.paragraph(f"Sau khi xem xét, {dossier.agency.name} không tiếp nhận, giải quyết hồ sơ của Ông/Bà "
                  "với lý do cụ thể như sau:")
    doc.numbered(reasons)
    doc.paragraph("Xin thông báo để Ông/Bà được biết và thực hiện.")
    doc.signatures([Signer("NGƯỜI NỘP HỒ SƠ", dossier.applicant_name, note="(Ký và ghi rõ họ tên)", space_mm=12),
                    Signer("NGƯỜI TIẾP NHẬN HỒ SƠ", officer_name(slip.issued_by if slip else None),
                           note="(Ký và ghi rõ họ tên)", space_mm=12)])
    return doc
