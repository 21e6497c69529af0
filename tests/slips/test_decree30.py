"""The Decree 30/2020 document builder used by slips and reports (A4, Times New Roman, margins)."""

import datetime as dt
import io
import zipfile

from pypdf import PdfReader

from motcua.papers.decree30 import Decree30Document, place_and_date, vn_long_date


def report() -> Decree30Document:
    doc = Decree30Document(parent_agency="Ủy ban nhân dân tỉnh Quảng Ngãi", agency="Sở Khoa học và Công nghệ",
                           number="45/BC-SKHCN", place="Quảng Ngãi", date=dt.date(2026, 1, 9), title="Báo cáo",
                           summary="Kết quả giải quyết thủ tục hành chính năm 2025")
    doc.paragraph("Thực hiện chỉ đạo của Ủy ban nhân dân tỉnh, Sở báo cáo kết quả như sau:")
    doc.heading("I. KẾT QUẢ")
    doc.table(["STT", "Chỉ tiêu", "Số hồ sơ"], [[1, "Tiếp nhận", "103.331"], [2, "Đã giải quyết", "103.095"]],
              widths=[1, 6, 2], align=["center", "left", "right"])
    for i in range(30):
        doc.paragraph(f"Nội dung đoạn {i + 1}: đánh giá kết quả, tồn tại, hạn chế và kiến nghị, đề xuất.")
    doc.signer("Phó Giám đốc", "Nguyễn Thị Hồng Nhung", on_behalf="KT. Giám đốc")
    doc.recipients(["UBND tỉnh (b/c)", "Văn phòng UBND tỉnh", "Lưu: VT, VP"])
    return doc


def test_dates_follow_decree_30():
    assert vn_long_date(dt.date(2026, 3, 5)) == "ngày 05 tháng 3 năm 2026"
    assert vn_long_date(dt.date(2026, 2, 15)) == "ngày 15 tháng 02 năm 2026"
    assert vn_long_date(dt.date(2026, 12, 1)) == "ngày 01 tháng 12 năm 2026"
    assert place_and_date("Quảng Ngãi", dt.date(2026, 1, 9)) == "Quảng Ngãi, ngày 09 tháng 01 năm 2026"


def test_pdf_report_is_a4_with_header_and_page_numbers_from_page_two():
    data = report().to_pdf()
    reader = PdfReader(io.BytesIO(data))
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)
    assert len(reader.pages) >= 2
    first = " ".join(reader.pages[0].extract_text().split())
    for text in ("ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI", "SỞ KHOA HỌC VÀ CÔNG NGHỆ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                 "Độc lập - Tự do - Hạnh phúc", "Số: 45/BC-SKHCN", "Quảng Ngãi, ngày 09 tháng 01 năm 2026",
                 "BÁO CÁO", "Kết quả giải quyết thủ tục hành chính năm 2025", "103.331"):
        assert text in first, text
    assert not first.startswith("1 ")
    second = reader.pages[1].extract_text().split()
    assert second[0] == "2"  # centred page number at the top of page 2
    last = " ".join(reader.pages[-1].extract_text().split())
    assert "Nơi nhận:" in last and "- UBND tỉnh (b/c);" in last and "- Lưu: VT, VP." in last
    assert "KT. GIÁM ĐỐC" in last and "PHÓ GIÁM ĐỐC" in last and "Nguyễn Thị Hồng Nhung" in last
    fonts = {str(f) for page in reader.pages for f in page["/Resources"]["/Font"].values()}
    assert fonts  # fonts are embedded subsets of the vendored Liberation Serif
    assert b"LiberationSerif" in data


def test_docx_report_has_a4_margins_and_times_new_roman():
    data = report().to_docx()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read("word/document.xml").decode()
        styles = z.read("word/styles.xml").decode()
    assert 'w:w="11906"' in xml and 'w:h="16838"' in xml  # A4 in twips
    # top/bottom 20 mm, left 30 mm, right 15 mm
    assert 'w:top="1134"' in xml and 'w:bottom="1134"' in xml and 'w:left="1701"' in xml and 'w:right="850"' in xml
    assert 'w:ascii="Times New Roman"' in styles
    for text in ("SỞ KHOA HỌC VÀ CÔNG NGHỆ", "Quảng Ngãi, ngày 09 tháng 01 năm 2026", "Nơi nhận:", "103.095",
                 "KT. GIÁM ĐỐC"):
        assert text in xml, text
    assert 'w:titlePg' in xml  # no page number on the first page
