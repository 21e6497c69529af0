"""What every one-stop slip shares: its header (issuing agency, place, date, QR code of the dossier code) on A5, the
date and number formats it prints, and the applicant's block."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.utils import timezone

from motcua.core.money import format_number

from ..decree30 import Decree30Document, Run
from .forms import form_for

COUNTER_NAME = "BỘ PHẬN MỘT CỬA"
PAGE = "A5"  # Circular 01/2018 art. 3: one-stop forms are printed on A5
_PLACE_PREFIXES = ("Thành phố ", "Tỉnh ", "Phường ", "Xã ", "Đặc khu ", "Thị trấn ")


def local_time(moment: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(moment) if moment else None


def time_date(moment: dt.datetime | None) -> str:
    """'08 giờ 30 phút, ngày 05/03/2026'."""
    m = local_time(moment)
    return f"{m:%H} giờ {m:%M} phút, ngày {m:%d/%m/%Y}" if m else ""


def date_text(moment) -> str:
    if not moment:
        return ""
    m = local_time(moment) if isinstance(moment, dt.datetime) else moment
    return f"{m:%d/%m/%Y}"


def count_text(n: int) -> str:
    return f"{n:02d}" if n else "0"


def days_text(value) -> str:
    value = Decimal(value or 0)
    return format_number(value, 0 if value == value.to_integral_value() else 1)


def place_name(agency) -> str:
    name = agency.admin_unit.name if agency and agency.admin_unit_id else ""
    for prefix in _PLACE_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def issuer_lines(agency, *, counter: bool) -> tuple[str, str]:
    """(parent agency line, issuing agency line) for the header."""
    if agency.kind == "service_center" or not counter:
        parent = agency.parent.name if agency.parent_id else ""
        return parent, agency.name
    return agency.name, COUNTER_NAME


def qr_png(text: str) -> bytes:
    # Circular 01/2018 art. 19(2): a barcode / QR code may accompany the dossier code.
    import segno

    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="png", scale=6, border=2)
    return out.getvalue()


def issue_day(slip, fallback=None) -> dt.datetime:
    return local_time(slip.issued_at if slip else None) or local_time(fallback) or timezone.localtime()


def slip_document(kind: str, dossier, *, agency, counter: bool, day, number: str = "", landscape: bool = False):
    form = form_for(kind, dossier.rule_version)
    parent, issuing = issuer_lines(agency, counter=counter)
    doc = Decree30Document(agency=issuing, parent_agency=parent, number=number, place=place_name(agency), date=day,
                           title=form.title, caption=form.caption, page=PAGE, landscape=landscape)
    if dossier.code:
        doc.corner_image(qr_png(dossier.code), width_mm=16)
    return doc


def officer_name(user) -> str:
    return (user.full_name or user.get_username()) if user else ""


def applicant_fields(doc: Decree30Document, dossier, *, email: bool = False):
    doc.field("Ông/Bà", dossier.applicant_name, bold_value=True)
    doc.field("Số định danh cá nhân/CCCD", dossier.applicant_id_number)
    doc.field("Số điện thoại", dossier.applicant_phone)
    if email:
        doc.field("Thư điện tử", dossier.applicant_email)
    doc.field("Địa chỉ", dossier.applicant_address)


def addressee(doc: Decree30Document, dossier):
    doc.paragraph([Run("Kính gửi: "), Run(dossier.applicant_name, bold=True)], align="center", indent=False)
    doc.field("Địa chỉ", dossier.applicant_address)
    doc.field("Số điện thoại", dossier.applicant_phone)
    doc.field("Thư điện tử", dossier.applicant_email)
    doc.field("Nội dung yêu cầu giải quyết", dossier.procedure.name)
    if dossier.code:
        doc.field("Mã hồ sơ", dossier.code)
