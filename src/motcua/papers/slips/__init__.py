"""Printable one-stop slips (Mẫu 01–05/06) as PDF or .docx, built on motcua.papers.decree30.

    from motcua.papers.slips import render, render_slip
    pdf = render("receipt", dossier)                 # bytes
    docx = render("apology", dossier, fmt="docx", slip=slip)
"""

from .control_sheet import step_outcome
from .forms import APOLOGY, CONTROL_SHEET, KINDS, RECEIPT, REFUSAL, SUPPLEMENT, form_for
from .render import CONTENT_TYPES, filename, render, render_slip

__all__ = ["APOLOGY", "CONTENT_TYPES", "CONTROL_SHEET", "KINDS", "RECEIPT", "REFUSAL", "SUPPLEMENT", "filename",
           "form_for", "render", "render_slip", "step_outcome"]
