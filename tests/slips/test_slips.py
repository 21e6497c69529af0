"""Slips render with correct Vietnamese text, paper size and legal numbering, in PDF and .docx."""

import io
import zipfile

import pytest
from pypdf import PdfReader

from motcua.core.errors import ValidationFailed
from motcua.dossiers.models import Slip
from motcua.papers.slips import render, render_slip

from .conftest import at

A5 = (148, 210)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def pdf_size_mm(data: bytes, page: int = 0) -> tuple[int, int]:
    box = PdfReader(io.BytesIO(data)).pages[page].mediabox
    return round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)


def docx_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("word/document.xml").decode("utf-8")


def squash(text: str) -> str:
    return " ".join(text.split())


def test_receipt_pdf_has_vietnamese_text_and_a5_page(receipt_slip):
    data = render_slip(receipt_slip)
    assert data.startswith(b"%PDF")
    assert pdf_size_mm(data) == A5
    text = squash(pdf_text(data))
    for expected in ("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "Nguyễn Thị Hồng Nhung", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                     "Độc lập - Tự do - Hạnh phúc", "UBND PHƯỜNG CẨM THÀNH", "BỘ PHẬN MỘT CỬA",
                     "Cẩm Thành, ngày 05 tháng 3 năm 2026", "H55.01.21025-260305-0007", "051190012345",
                     "Tờ khai đăng ký khai sinh", "Giấy chứng sinh", "3 ngày làm việc",
                     "08 giờ 30 phút, ngày 05/03/2026", "10 giờ 00 phút, ngày 10/03/2026",
                     "8.000 đ — chưa thanh toán", "Quyển số: 02, Số thứ tự: 157", "Trần Văn Bình",
                     "Mẫu số 01 — Thông tư số 03/2025/TT-VPCP"):
        assert expected in text, expected


def test_receipt_docx_contains_the_same_strings_and_is_a5(receipt_slip):
    data = render_slip(receipt_slip, fmt="docx")
    xml = docx_xml(data)
    for expected in ("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "Nguyễn Thị Hồng Nhung",
                     "Cẩm Thành, ngày 05 tháng 3 năm 2026", "Tờ khai đăng ký khai sinh", "Times New Roman"):
        assert expected in xml or expected in zipfile.ZipFile(io.BytesIO(data)).read("word/styles.xml").decode()
    # A5 = 148 × 210 mm = 8391 × 11906 twips
    assert 'w:w="8391"' in xml and 'w:h="11906"' in xml


def test_date_uses_leading_zero_for_january_and_february(dossier):
    dossier.received_at = at(5).replace(month=2)
    dossier.save()
    slip = Slip.objects.create(dossier=dossier, kind=Slip.RECEIPT, issued_at=dossier.received_at)
    assert "ngày 05 tháng 02 năm 2026" in squash(pdf_text(render_slip(slip)))


def test_legacy_dossiers_keep_circular_01_2018_numbering(processed):
    assert "Mẫu số 06 — Thông tư số 03/2025/TT-VPCP" in squash(pdf_text(render("control_sheet", processed)))
    processed.rule_version = "decree61_2018"
    processed.save()
    text = squash(pdf_text(render("control_sheet", processed)))
    assert "Mẫu số 05 — Thông tư số 01/2018/TT-VPCP ngày 23/11/2018" in text
    slip = processed.slips.get(kind=Slip.APOLOGY)
    apology = squash(pdf_text(render_slip(slip)))
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in apology


def test_paid_online_fee_and_return_by_post(dossier):
    dossier.fee_paid_online = True
    dossier.return_method = "post"
    dossier.save()
    text = squash(pdf_text(render("receipt", dossier)))
    assert "8.000 đ — đã thanh toán trực tuyến" in text
    assert "Qua dịch vụ bưu chính công ích" in text


def test_supplement_request_lists_items_and_reason(supplement):
    dossier = supplement.dossier
    for data in (render("supplement", dossier), render("supplement", dossier, fmt="docx")):
        text = squash(pdf_text(data)) if data.startswith(b"%PDF") else docx_xml(data)
        assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
        assert "Văn bản ủy quyền có chứng thực" in text
        assert "không có chữ ký của cơ sở y tế" in text
        assert "H55.01.21025-260305-0007/HDHS" in text


def test_refusal_lists_each_reason(dossier):
    dossier.refusal_reason = "Thủ tục không thuộc thẩm quyền của phường.\nNgười nộp không có giấy ủy quyền."
    dossier.save()
    text = squash(pdf_text(render("refusal", dossier)))
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text
    assert "1. Thủ tục không thuộc thẩm quyền của phường." in text
    assert "2. Người nộp không có giấy ủy quyền." in text


def test_apology_from_the_lifecycle_has_new_date_and_head_of_late_agency(processed):
    slip = processed.slips.get(kind=Slip.APOLOGY)
    text = squash(pdf_text(render_slip(slip, fmt="pdf")))
    assert "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT" in text
    assert "16 giờ 00 phút, ngày 13/03/2026" in text  # the new appointment
    assert "08 giờ 30 phút, ngày 10/03/2026" in text  # the original appointment (3 working days)
    assert "Cần xác minh thông tin nơi sinh" in text
    assert "CHỦ TỊCH" in text and "Phạm Quốc Khánh" in text
    assert "ngày 09 tháng 3 năm 2026" in text and "Nơi nhận:" in text
    xml = docx_xml(render_slip(slip, fmt="docx"))
    assert "Phạm Quốc Khánh" in xml and "16 giờ 00 phút, ngày 13/03/2026" in xml


def test_control_sheet_has_one_row_per_handover_with_outcomes(processed):
    data = render("control_sheet", processed)
    width, height = pdf_size_mm(data)
    assert {width, height} == set(A5)
    text = squash(pdf_text(data))
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text
    assert "Thụ lý, thẩm định" in text and "Phê duyệt" in text
    assert "15 giờ 00 phút, ngày 06/03/2026" in text
    # specialist finished early; the leader approved after the step deadline; the dossier was late
    assert text.index("Trước hạn") < text.index("Quá hạn")
    assert text.count("Quá hạn") == 2
    assert "Đúng hạn" not in text
    xml = docx_xml(render("control_sheet", processed, fmt="docx"))
    # header + receive, start, complete_step, approve, sign, return
    assert xml.count("<w:tr") - xml.count("<w:trPr") >= 7


def test_slip_unavailable_is_a_domain_error(dossier):
    with pytest.raises(ValidationFailed):
        render("supplement", dossier)
    dossier.received_at = None
    dossier.save()
    with pytest.raises(ValidationFailed):
        render("receipt", dossier)


def test_fee_confirmed_by_the_payment_gateway_shows_as_paid(dossier):
    from motcua.payments.models import Payment

    assert "8.000 đ — chưa thanh toán" in squash(pdf_text(render("receipt", dossier)))
    Payment.objects.create(dossier=dossier, amount_vnd=8000, merchant_ref="ABC123", status=Payment.PAID,
                           paid_at=at(5, 8, 0))
    assert "8.000 đ — đã thanh toán trực tuyến" in squash(pdf_text(render("receipt", dossier)))
