"""Demo result templates (.docx with docxtpl merge fields), written with python-docx at demo set-up: no binary
files in the repository. Each is the layout of an administrative paper (Decree 30/2020: national title,
motto, agency, number, place and date, title, body, signer)."""

from __future__ import annotations

import io

from motcua.catalog.models import Procedure
from motcua.documents.models import ResultTemplate
from motcua.documents.result_drafts import store_result_template

# procedure code → (paper title, body paragraphs with merge fields)
DEMO_TEMPLATES = {
    "1.004873": ("GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN", [
        "{{ agency_name }} xác nhận:",
        "Họ, chữ đệm, tên: {{ applicant_name }}",
        "Số định danh cá nhân: {{ applicant_id_number }}",
        "Nơi cư trú: {{ applicant_address }}",
        "{% if result_summary %}{{ result_summary }}{% else %}Tình trạng hôn nhân: chưa đăng ký kết hôn với ai.{% endif %}",
        "Giấy này có giá trị sử dụng trong thời hạn 06 tháng kể từ ngày cấp.",
    ]),
    "1.004194": ("GIẤY XÁC NHẬN THÔNG TIN VỀ CƯ TRÚ", [
        "{{ agency_name }} xác nhận ông/bà {{ applicant_name }}, số định danh cá nhân {{ applicant_id_number }},",
        "hiện cư trú tại: {{ applicant_address }}.",
        "{{ result_summary }}",
    ]),
    "1.001193": ("GIẤY KHAI SINH", [
        "Người đi khai sinh: {{ applicant_name }} — số định danh cá nhân {{ applicant_id_number }}",
        "Họ, chữ đệm, tên người được khai sinh: {{ form.child_name }}",
        "Ngày, tháng, năm sinh: {{ form.birth_date }}",
        "Nơi đăng ký: {{ agency_name }}",
    ]),
}


def template_docx(title: str, body: list[str]) -> bytes:
    """A one-page Word template: header block, title, body, date line and signer."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    document = docx.Document()
    style = document.styles["Normal"]
    style.font.name = "Liberation Serif"
    style.font.size = Pt(13)

    def line(text, *, bold=False, center=False, italic=False):
        par = document.add_paragraph()
        run = par.add_run(text)
        run.bold, run.italic = bold, italic
        if center:
            par.alignment = WD_ALIGN_PARAGRAPH.CENTER
        return par

    line("{{ agency_name|upper }}", bold=True)
    line("Số: {{ dossier_code }}")
    line("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, center=True)
    line("Độc lập - Tự do - Hạnh phúc", bold=True, center=True)
    line("Ngày {{ today }}", italic=True, center=True)
    line(title, bold=True, center=True)
    for text in body:
        line(text)
    line("Thủ tục: {{ procedure_name }} — hồ sơ {{ dossier_code }}, tiếp nhận ngày {{ received_date }}.", italic=True)
    line("NGƯỜI KÝ", bold=True, center=True)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def ensure_result_templates() -> int:
    """Give the demo procedures above their result template (idempotent); returns how many were added."""
    added = 0
    for code, (title, body) in DEMO_TEMPLATES.items():
        procedure = Procedure.objects.filter(code=code).first()
        if procedure is None or ResultTemplate.objects.filter(procedure=procedure).exists():
            continue
        store_result_template(procedure, template_docx(title, body), name=f"mau-ket-qua-{code}.docx")
        added += 1
    return added
