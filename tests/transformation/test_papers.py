"""The seeds' appendices and the annual report as papers: the same rows, groups, subtotals, totals and
sources in the generated .docx and .xlsx, and the .xlsx read back by the real import."""

import io

import pytest
from django.test import override_settings
from docx import Document
from openpyxl import load_workbook

from motcua.papers.transformation import annual
from motcua.papers.transformation.render import plan_paper
from motcua.transformation.models import PaperJob, Plan
from motcua.transformation.money import decimals_of_format
from motcua.transformation.services import annual as annual_services
from motcua.transformation.services import budget, community, indicators, plans
from motcua.transformation.services.budget import plan_table
from motcua.transformation.xlsx.importer import import_plan

from .conftest import seed_file

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def _docx_rows(data: bytes, table: int = -1) -> list[list[str]]:
    doc = Document(io.BytesIO(data))
    rows = []
    for row in doc.tables[table].rows:
        cells = []
        for cell in row.cells:  # merged cells repeat: keep one
            if not cells or cell._tc is not cells[-1][1]:
                cells.append((cell.text, cell._tc))
        rows.append([t for t, _ in cells])
    return rows


def _docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    return "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])


def _xlsx_rows(data: bytes) -> list[list]:
    ws = load_workbook(io.BytesIO(data)).worksheets[-1]
    return [[(c.value, c.number_format) for c in row] for row in ws.iter_rows()]


def _shown(value, fmt) -> str:
    """A spreadsheet number as a Vietnamese reader sees it with its number format."""
    from decimal import Decimal

    from motcua.transformation.money import format_million

    return format_million(int(Decimal(repr(value)) * 1_000_000), decimals_of_format(fmt))


@pytest.fixture
def duc_pho(dx):
    return {"pl2": import_plan(dx.dp_admin, seed_file("seed004_pl2"), agency=dx.dp, year=2024).plan,
            "pl1": import_plan(dx.dp_admin, seed_file("seed004_pl1"), agency=dx.dp, year=2023, kind=Plan.REPORT,
                               first_year=2021).plan}


def test_seed004_plan_appendix_in_docx_and_xlsx(dx, duc_pho):
    plan = duc_pho["pl2"]
    rows = _docx_rows(plan_paper("plan_budget", plan, "docx", number="II"))
    assert rows[0][:4] == ["STT", "Nội dung nhiệm vụ", "Đơn vị chủ trì", "Diễn giải"]
    assert rows[0][4] == "Kinh phí và nguồn vốn" and rows[1][4:6] == ["Kinh phí", "Nguồn vốn"]
    groups = [(r[0], r[1], r[2]) for r in rows[2:] if r[0] in ("I", "II", "III", "IV", "V")]
    assert groups == [("I", "Nhóm phát triển chính quyền số", "4.420"),
                      ("II", "Nhóm phát triển kinh tế số, xã hội số", "250"),
                      ("III", "Đảm bảo an toàn, an ninh mạng", "750"), ("IV", "Nhóm chuyển đổi nhận thức", "150"),
                      ("V", "Đô thị thông minh", "8.000")]
    tasks = [r for r in rows[2:] if r[0].isdigit()]
    assert len(tasks) == 12 and tasks[2][4:] == ["2.000", "Ngân sách huyện/thị xã, ngân sách tỉnh", "2024"]
    assert rows[-1] == ["Tổng cộng:", "13.570", "CTX, NSH, NST", ""]
    text = _docx_text(plan_paper("plan_budget", plan, "docx"))
    assert "Tổng kinh phí dự kiến của kế hoạch năm 2024 là 13.570 triệu đồng." in text
    assert "CTX — Chi thường xuyên; NSH — Ngân sách huyện/thị xã; NST — Ngân sách tỉnh" in text
    doc = Document(io.BytesIO(plan_paper("plan_budget", plan, "docx")))
    assert doc.sections[0].page_width > doc.sections[0].page_height  # landscape for the wide table
    data = plan_paper("plan_budget", plan, "xlsx")
    cells = _xlsx_rows(data)
    total = next(r for r in cells if r[0][0] == "Tổng cộng:")
    assert _shown(*total[4]) == "13.570" and total[5][0] == "CTX, NSH, NST"
    assert load_workbook(io.BytesIO(data)).worksheets[-1].page_setup.orientation == "landscape"
    again = import_plan(dx.ct_admin, data, agency=dx.ct, year=2024).plan  # the .xlsx reads back the same
    assert [(s.section.numeral, s.section.title, len(s.rows), s.amount) for s in plan_table(again).sections] == [
        (s.section.numeral, s.section.title, len(s.rows), s.amount) for s in plan_table(plan).sections]
    assert plan_table(again).total == "13.570"


def test_seed004_spending_appendix_subtotals_and_total(dx, duc_pho):
    plan = duc_pho["pl1"]
    rows = _docx_rows(plan_paper("spending", plan, "docx", number="I"))
    assert rows[0] == ["TT", "Nội dung/Nhiệm vụ/Dự án", "Kết quả, tiến độ thực hiện", "Kinh phí", "Ghi chú"]
    assert ["", "Từ năm 2021-2022", "", "6.992,46", ""] in rows and ["", "Năm 2023", "", "1.970", ""] in rows
    ioc = next(r for r in rows if r[1].startswith("Trung tâm Điều hành Thông minh IOC"))
    assert ioc[2:4] == ["2022", "92,460"]
    assert rows[-1] == ["Tổng cộng", "8.962,46", ""]
    text = _docx_text(plan_paper("spending", plan, "docx"))
    assert ("Tổng kinh phí từ năm 2021 đến năm 2023: 8.962,46 triệu đồng; trong đó: năm 2021: 6.100 triệu đồng, "
            "năm 2022: 892,46 triệu đồng, năm 2023: 1.970 triệu đồng.") in text
    data = plan_paper("spending", plan, "xlsx")
    shown = {r[1][0]: _shown(*r[3]) for r in _xlsx_rows(data) if isinstance(r[3][0], (int, float))}
    assert shown["Từ năm 2021-2022"] == "6.992,46" and shown["Năm 2023"] == "1.970"
    assert shown["Trung tâm Điều hành Thông minh IOC cho thị xã Đức Phổ"] == "92,460"
    total = next(r for r in _xlsx_rows(data) if r[0][0] == "Tổng cộng")
    assert _shown(*total[3]) == "8.962,46"
    again = import_plan(dx.ct_admin, data, agency=dx.ct, year=2023, kind=Plan.REPORT, first_year=2021).plan
    assert [s.amount for s in plan_table(again).sections] == ["6.992,46", "1.970"]
    assert plan_table(again).total == "8.962,46"


def test_seed000_list_in_docx_and_xlsx(dx):
    plan = import_plan(dx.ct_admin, seed_file("seed000_list"), agency=dx.ct, year=2024).plan
    rows = _docx_rows(plan_paper("budget_list", plan, "docx"))
    assert rows[2] == ["(1)", "(2)", "(3)", "(4)", "(5)"]
    assert ["II", "Đảm bảo an toàn, an ninh mạng", "200", ""] in rows
    assert ["9", rows[rows.index(["II", "Đảm bảo an toàn, an ninh mạng", "200", ""]) + 1][1], "2024", "200",
            "CTX, NSH"] in rows
    assert rows[-1] == ["Tổng", "16.500", "CTX, NSH, NST"]
    data = plan_paper("budget_list", plan, "xlsx")
    total = next(r for r in _xlsx_rows(data) if r[0][0] == "Tổng")
    assert _shown(*total[3]) == "16.500" and total[4][0] == "CTX, NSH, NST"
    again = import_plan(dx.dp_admin, data, agency=dx.dp, year=2024).plan
    assert plan_table(again).total == "16.500" and plan_table(again).source_codes == "CTX, NSH, NST"


def test_seed003_task_results_appendix(dx):
    plan = import_plan(dx.admin, seed_file("seed003_pl04"), agency=dx.province, year=2025, kind=Plan.REPORT).plan
    plans.update_plan(dx.admin, plan, legal_basis="Kế hoạch số 02-KH/BCĐTW, ngày 19/6/2025 (địa phương)")
    data = plan_paper("task_results", plan, "docx", number="04")
    text = _docx_text(data)
    assert "PHỤ LỤC 04" in text
    assert "KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ THEO KẾ HOẠCH SỐ 02-KH/BCĐTW, NGÀY 19/6/2025 (ĐỊA PHƯƠNG)" in text
    rows = _docx_rows(data)
    assert rows[0] == ["STT", "Nhiệm vụ cụ thể", "Cơ quan chủ trì thực hiện", "Thời hạn hoàn thành",
                       "Kết quả thực hiện"]
    assert rows[1] == ["Nhóm I - Hoàn thiện thể chế và kiến trúc pháp lý: không có nhiệm vụ"]
    six = next(r for r in rows if r[0] == "6")
    assert six[2:4] == ["Các địa phương", "31/08/2025"] and six[4].startswith("- Ngày 28/7/2025")
    again = import_plan(dx.admin, plan_paper("task_results", plan, "xlsx"), agency=dx.dept, year=2025,
                        kind=Plan.REPORT).plan
    assert [len(s.rows) for s in plan_table(again).sections] == [0, 3, 3, 1, 2]


def test_annual_report_fills_every_known_figure(dx, duc_pho):
    report = duc_pho["pl1"]
    plan = plans.create_plan(dx.dp_admin, agency=dx.dp, year=2023, legal_basis="Kế hoạch số 1690/KH-STTTT")
    section = plans.add_section(dx.dp_admin, plan, title="Chính quyền số")
    task = plans.add_task(dx.dp_admin, plan, section=section, content="Số hóa hồ sơ tại Bộ phận một cửa", year=2023)
    budget.add_budget_line(dx.dp_admin, task, planned="300", sources="NSH")
    plans.update_task(dx.dp_admin, task, status="done", result="Đã số hóa 1.250 hồ sơ")
    target = indicators.add_target(dx.dp_admin, plan, measure="smartphone_share", value="80", comparator="gt")
    indicators.enter_value(dx.dp_admin, target, value="71,54")
    community.add_team(dx.dp_admin, dx.dp, members=15)
    annual_services.save_narrative(dx.dp_admin, dx.dp, 2023, "shortcomings", "Nhân lực chuyên trách còn thiếu.")
    data = annual.build_docx(dx.dp, 2023)
    text = _docx_text(data)
    for expected in ("BÁO CÁO", "Kết quả thực hiện chuyển đổi số năm 2023 và nhiệm vụ năm 2024",
                     "Căn cứ Kế hoạch số 1690/KH-STTTT", "1 nhiệm vụ; hoàn thành 1",
                     "Tỷ lệ người dùng điện thoại thông minh: 71,54 % (chỉ tiêu > 80 %, chưa đạt).",
                     "Có 1 Tổ công nghệ số cộng đồng với 15 thành viên", "Nhân lực chuyên trách còn thiếu.",
                     "Tổng kinh phí: 8.962,46 triệu đồng", "Kế hoạch chuyển đổi số năm 2024: 12 nhiệm vụ, tổng kinh phí "
                     "dự kiến 13.570 triệu đồng", "PHỤ LỤC I", "PHỤ LỤC II", "PHỤ LỤC III", "8.962,46", "13.570"):
        assert expected in text, expected
    doc = Document(io.BytesIO(data))
    first, last = doc.sections[0], doc.sections[-1]  # the report in portrait, its appendices in landscape
    assert first.page_width < first.page_height and last.page_width > last.page_height
    assert report.pk and "Đã số hóa 1.250 hồ sơ" in text
    book = load_workbook(io.BytesIO(annual.build_xlsx(dx.dp, 2023)))
    assert book.sheetnames[:3] == ["Báo cáo", "Chỉ tiêu", "Thủ tục hành chính"] and book.sheetnames[3:] == [
        "Phụ lục I", "Phụ lục II", "Phụ lục III"]


@override_settings(TASKS=IMMEDIATE)
def test_papers_are_built_in_the_background_and_downloaded(dx, duc_pho, signed_in,
                                                           django_capture_on_commit_callbacks):
    c = signed_in(dx.dp_admin)
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post("/can-bo/chuyen-doi-so/giay-to/", {"loai": "plan_budget", "dinh_dang": "xlsx",
                                                       "ke_hoach": duc_pho["pl2"].pk})
    job = PaperJob.objects.get()
    assert r.status_code == 302 and job.state == PaperJob.DONE and job.progress == 100
    assert c.get(f"/can-bo/chuyen-doi-so/giay-to/{job.pk}/tien-do/").json()["download"] is True
    got = c.get(f"/can-bo/chuyen-doi-so/giay-to/{job.pk}/tai-ve/")
    assert got.status_code == 200 and got["Content-Type"].startswith("application/vnd.openxmlformats")
    assert signed_in(dx.ct_admin).get(f"/can-bo/chuyen-doi-so/giay-to/{job.pk}/").status_code == 404
    c = signed_in(dx.dp_admin)
    r = c.post("/can-bo/chuyen-doi-so/giay-to/", {"loai": "annual", "dinh_dang": "pdf", "don_vi": "21439",
                                                   "nam": "2023"})
    assert r.status_code == 422 and "Chỉ tạo được tệp .docx hoặc .xlsx." in r.content.decode()
    r = c.post("/can-bo/chuyen-doi-so/bao-cao-nam/21439/2023/", {"muc": "proposals", "noi_dung": "Hỗ trợ kinh phí."},
               HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "Đã lưu." in r.content.decode()
    from django.test import Client

    from motcua.api.auth import issue_token

    api = Client(headers={"Authorization": f"Bearer {issue_token(dx.dp_admin, 'x')[1]}"})
    with django_capture_on_commit_callbacks(execute=True):
        r = api.post("/api/v1/transformation/annual-reports", {"unit": "21439", "year": 2023},
                     content_type="application/json")
    assert r.status_code == 202
    status = api.get(f"/api/v1/transformation/papers/{r.json()['id']}").json()
    assert status["state"] == "done"
    got = api.get(status["file"])
    assert got.status_code == 200 and "Hỗ trợ kinh phí." in _docx_text(b"".join(got.streaming_content))
