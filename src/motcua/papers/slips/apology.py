"""The apology for a late result (Mẫu 04), signed by the head of the agency that is late."""

from __future__ import annotations

import datetime as dt

from motcua.core.errors import ValidationFailed
from motcua.dossiers.lifecycle import receiving_agency_at
from motcua.units.models import Agency

from ..decree30 import Decree30Document, Run
from .forms import APOLOGY
from .layout import date_text, issue_day, officer_name, slip_document, time_date

# Head of the agency who signs the apology (Decree 61/2018 as summarised in LEGAL.md §1.4 [B/?]):
_HEAD_TITLE = {
    "provincial_committee": "CHỦ TỊCH",
    "commune_committee": "CHỦ TỊCH",
    "provincial_department": "GIÁM ĐỐC",
    "service_center": "GIÁM ĐỐC",
    "vertical": "THỦ TRƯỞNG CƠ QUAN",
}


def _late_agency(dossier, data):
    if data.get("agency_code"):
        found = Agency.objects.filter(code=data["agency_code"]).first()
        if found:
            return found
    return dossier.current_agency or dossier.agency


def build_apology(dossier, slip, data) -> Decree30Document:
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
    doc = slip_document(APOLOGY, dossier, agency=agency, counter=False, day=issue_day(slip, event.at if event else None),
               number=f"{data.get('number') or '     '}/PXL")
    doc.paragraph([Run("Kính gửi: "), Run(dossier.applicant_name, bold=True)], align="center", indent=False)
    doc.field("Địa chỉ", dossier.applicant_address)
    doc.field("Số điện thoại", dossier.applicant_phone)
    receiver = receiving_agency_at(dossier, dossier.received_at)
    doc.paragraph(f"Ngày {date_text(dossier.received_at)}, {receiver.name} tiếp nhận hồ sơ của Ông/Bà đề nghị "
                  f"giải quyết thủ tục “{dossier.procedure.name}”, mã hồ sơ {dossier.code}. Thời hạn trả kết quả "
                  f"theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả là {time_date(original_due)}.")
    doc.paragraph(f"Tuy nhiên đến nay, {agency.name} chưa giải quyết xong hồ sơ của Ông/Bà"
                  + (f". Lý do: {reason.rstrip('.')}." if reason else "."))
    doc.paragraph(f"Sự chậm trễ này đã gây phiền hà, tốn kém chi phí, công sức của Ông/Bà. {agency.name} xin lỗi "
                  "Ông/Bà và hẹn trả kết quả giải quyết hồ sơ vào:")
    doc.paragraph(time_date(new_due) + ".", bold=True, align="center", indent=False)
    doc.paragraph("Rất mong nhận được sự thông cảm của Ông/Bà.")
    head = data.get("signer_title") or _HEAD_TITLE.get(agency.kind, "THỦ TRƯỞNG CƠ QUAN")
    name = data.get("signer_name") or officer_name(slip.issued_by if slip else None)
    doc.signer(head, name, on_behalf=data.get("on_behalf", ""))
    counter = receiving_agency_at(dossier, event.at if event else None)
    doc.recipients(["Như trên", f"Bộ phận Một cửa — {counter.name}", "Lưu: VT"])
    return doc
