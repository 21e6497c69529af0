"""Build each one-stop slip from the dossier's data and render it as PDF or .docx.

Fields follow LEGAL.md §2.2 (deployed templates of Circular 01/2018 forms). Slips are printed on
A5 (Circular 01/2018 art. 3 — forms on A5, the tracking book on A4). The slips themselves: counter.py (Mẫu 01–03),
apology.py (Mẫu 04), control_sheet.py (Mẫu 05); what they share: layout.py.
"""

from __future__ import annotations

from motcua.core.errors import NotFound, ValidationFailed

from ..decree30 import Decree30Document
from .apology import build_apology
from .control_sheet import build_control_sheet
from .counter import build_receipt, build_refusal, build_supplement
from .forms import APOLOGY, CONTROL_SHEET, KINDS, RECEIPT, REFUSAL, SUPPLEMENT, form_for

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


_BUILDERS = {RECEIPT: build_receipt, SUPPLEMENT: build_supplement, REFUSAL: build_refusal, APOLOGY: build_apology,
             CONTROL_SHEET: build_control_sheet}


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
