"""Administrative documents in the Decree 30/2020/NĐ-CP layout, as .docx (python-docx) and PDF (fpdf2).

One builder, two renderers, so a report and its PDF copy never disagree::

    doc = Decree30Document(
        parent_agency="UBND TỈNH QUẢNG NGÃI", agency="SỞ KHOA HỌC VÀ CÔNG NGHỆ",
        number="45/BC-SKHCN", place="Quảng Ngãi", date=dt.date(2026, 3, 5),
        title="BÁO CÁO", summary="Kết quả giải quyết thủ tục hành chính quý I năm 2026",
    )
    doc.paragraph("Thực hiện ...").table(["STT", "Chỉ tiêu", "Số hồ sơ"], rows)
    doc.section(landscape=True).table(wide_headers, wide_rows).section(landscape=False)  # wide tables
    doc.signer("GIÁM ĐỐC", "Nguyễn Văn A", on_behalf="KT. GIÁM ĐỐC")
    doc.recipients(["UBND tỉnh (b/c)", "Lưu: VT"])
    docx_bytes, pdf_bytes = doc.to_docx(), doc.to_pdf()

The layout rules and their legal sources are in ``layout.py``.
"""

from .document import Decree30Document
from .layout import Image, Paragraph, Run, Section, Signatures, Signer, Table, place_and_date, vn_long_date

__all__ = ["Decree30Document", "Image", "Paragraph", "Run", "Section", "Signatures", "Signer", "Table",
           "place_and_date", "vn_long_date"]
