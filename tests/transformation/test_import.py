"""The seeds' appendices typed into .xlsx and driven through the real import (command, service)."""

import io
import zipfile

import pytest
from django.core.management import CommandError, call_command

from motcua.core.errors import DomainError
from motcua.transformation.models import BudgetLine, Plan, Task
from motcua.transformation.services.budget import plan_table
from motcua.transformation.xlsx.importer import import_plan
from motcua.transformation.xlsx.writer import export_plan

from .conftest import seed_file

pytestmark = pytest.mark.django_db


def _import(tmp_path, name, *args, **opts):
    path = tmp_path / f"{name}.xlsx"
    path.write_bytes(seed_file(name))
    out = io.StringIO()
    call_command("import_plan", str(path), *args, stdout=out, **opts)
    return out.getvalue()


def _shape(table):
    return [(s.section.numeral, s.section.title, [(r.task.number, r.amount, r.source_codes) for r in s.rows],
             s.amount) for s in table.sections]


def test_seed004_plan_appendix_gives_its_rows_groups_and_total(dx, tmp_path):
    out = _import(tmp_path, "seed004_pl2", unit="21439", year=2024)
    assert "5 nhóm, 12 nhiệm vụ, tổng kinh phí 13.570 triệu đồng" in out
    plan = Plan.objects.get(agency=dx.dp, year=2024, kind=Plan.PLAN)
    table = plan_table(plan)
    assert [(s.section.numeral, s.section.title, len(s.rows), s.amount) for s in table.sections] == [
        ("I", "Nhóm phát triển chính quyền số", 6, "4.420"),
        ("II", "Nhóm phát triển kinh tế số, xã hội số", 2, "250"),
        ("III", "Đảm bảo an toàn, an ninh mạng", 1, "750"),
        ("IV", "Nhóm chuyển đổi nhận thức", 1, "150"),
        ("V", "Đô thị thông minh", 2, "8.000"),
    ]
    assert table.total == "13.570"
    assert [s.section.group.code for s in table.sections] == [
        "chinh-quyen-so", "kinh-te-xa-hoi-so", "an-toan-thong-tin", "nhan-thuc", "do-thi-thong-minh"]
    first, third = table.sections[0].rows[0], table.sections[0].rows[2]
    assert first.task.lead_text == "Phòng Văn hóa và Thông tin thị xã" and first.task.year == 2024
    assert first.source_codes == "CTX, NSH" and first.source_names == "Chi thường xuyên, ngân sách huyện/thị xã"
    assert third.amount == "2.000" and third.source_codes == "NSH, NST"
    assert table.source_codes == "CTX, NSH, NST"


def test_seed004_spending_appendix_gives_subtotals_and_total(dx, tmp_path):
    _import(tmp_path, "seed004_pl1", unit="21439", year=2023, kind="bao-cao", from_year=2021)
    plan = Plan.objects.get(agency=dx.dp, year=2023, kind=Plan.REPORT)
    assert plan.first_year == 2021
    table = plan_table(plan)
    assert [(s.section.title, s.amount) for s in table.sections] == [("Từ năm 2021-2022", "6.992,46"),
                                                                      ("Năm 2023", "1.970")]
    assert table.total == "8.962,46"
    ioc = table.sections[0].rows[1]
    assert ioc.amount == "92,460" and ioc.lines[0].year == 2022 and ioc.task.year == 2022
    assert ioc.task.note.startswith("(Chưa tính nguồn kinh phí do Tập đoàn Bưu chính Viễn thông")
    assert sorted({li.year for r in table.rows for li in r.lines}) == [2021, 2022, 2023]


def test_seed000_list_gives_16500_with_its_sources(dx, tmp_path):
    _import(tmp_path, "seed000_list", unit="21025", year=2024)
    table = plan_table(Plan.objects.get(agency=dx.ct, year=2024))
    assert _shape(table)[1] == ("II", "Đảm bảo an toàn, an ninh mạng", [("9", "200", "CTX, NSH")], "200")
    assert [r.task.number for r in table.rows] == ["1", "2", "3", "4", "5", "6", "9", "10", "11"]
    assert table.total == "16.500" and table.source_codes == "CTX, NSH, NST"


def test_seed003_task_results_keep_groups_deadlines_and_results(dx, tmp_path):
    _import(tmp_path, "seed003_pl04", unit="51", year=2025, kind="bao-cao")
    plan = Plan.objects.get(agency=dx.province, year=2025, kind=Plan.REPORT)
    table = plan_table(plan)
    assert [(s.section.group.code, len(s.rows)) for s in table.sections] == [
        ("kh02-nhom-1", 0), ("kh02-nhom-2", 3), ("kh02-nhom-3", 3), ("kh02-nhom-4", 1), ("kh02-nhom-5", 2)]
    assert table.sections[0].section.title == "Nhóm I - Hoàn thiện thể chế và kiến trúc pháp lý"
    six = table.rows[5].task
    assert six.number == "6" and f"{six.deadline:%d/%m/%Y}" == "31/08/2025" and six.lead_text == "Các địa phương"
    assert six.result.startswith("- Ngày 28/7/2025")
    assert not table.has_budget


def test_export_reads_back_to_the_same_plan(dx, tmp_path):
    _import(tmp_path, "seed004_pl1", unit="21439", year=2023, kind="bao-cao", from_year=2021)
    source = Plan.objects.get(agency=dx.dp, year=2023)
    out = tmp_path / "xuat.xlsx"
    call_command("export_plan", unit="21439", year=2023, kind="bao-cao", output=str(out), stdout=io.StringIO())
    assert out.read_bytes() == export_plan(source) or out.stat().st_size > 0
    again = import_plan(dx.admin, out.read_bytes(), agency=dx.ct, year=2023, kind=Plan.REPORT, first_year=2021).plan
    assert _shape(plan_table(again)) == _shape(plan_table(source))
    assert [(r.task.year, r.task.note) for r in plan_table(again).rows] == [
        (r.task.year, r.task.note) for r in plan_table(source).rows]


def _bad(rows, header=("STT", "Nội dung nhiệm vụ", "Kinh phí (triệu đồng)", "Nguồn vốn", "Thời gian thực hiện"),
         title=()):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for line in title:
        ws.append([line])
    ws.append(list(header))
    ws.append(["I", "Nhóm phát triển chính quyền số"])
    for row in rows:
        ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize("row, message", [
    (["1", "Mua máy quét", "-5", "NST", "2024"], "Kinh phí: Kinh phí không được âm."),
    (["1", "Mua máy quét", "năm trăm", "NST", "2024"], "không phải số triệu đồng"),
    (["1", "Mua máy quét", "500", "Quỹ ABC", "2024"], "Nguồn vốn không có trong danh mục: “Quỹ ABC”"),
    (["1", "Mua máy quét", "500", "NST", "31/12/2025"], "Thời hạn 31/12/2025 nằm ngoài năm của kế hoạch (2024)"),
    (["1", "Mua máy quét", "500", "NST", "giữa năm"], "Thời gian “giữa năm” không hiểu được"),
])
def test_bad_rows_are_named_and_nothing_is_stored(dx, row, message):
    good = ["2", "Tập huấn", "100", "NSH", "2024"]
    with pytest.raises(DomainError) as exc:
        import_plan(dx.dp_admin, _bad([good, row]), agency=dx.dp, year=2024)
    assert exc.value.status == 422 and exc.value.code == "plan_import_invalid"
    errors = exc.value.details["errors"]
    assert errors[0]["row"] == 4 and message in errors[0]["message"], errors
    assert not Plan.objects.exists() and not Task.objects.exists() and not BudgetLine.objects.exists()


def test_malformed_files_are_refused_in_vietnamese(dx, tmp_path):
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as zf:
        zf.writestr("[Content_Types].xml", "<x/>")
        zf.writestr("word/document.xml", "<x/>")
    for data, message in ((b"", "Tệp rỗng"), (b"not a spreadsheet", "không phải bảng tính .xlsx hợp lệ"),
                          (docx.getvalue(), "không phải bảng tính .xlsx hợp lệ"),
                          (b"PK\x03\x04" + b"\x00" * 40, "không phải bảng tính .xlsx hợp lệ")):
        with pytest.raises(DomainError) as exc:
            import_plan(dx.dp_admin, data, agency=dx.dp, year=2024)
        assert exc.value.status == 422 and message in exc.value.message
    path = tmp_path / "hong.xlsx"
    path.write_bytes(b"not a spreadsheet")
    with pytest.raises(CommandError, match="không phải bảng tính .xlsx hợp lệ"):
        call_command("import_plan", str(path), unit="21439", year=2024, stderr=io.StringIO())
    with pytest.raises(CommandError, match="Không tìm thấy đơn vị mã “99999”"):
        call_command("import_plan", str(path), unit="99999", year=2024)
    assert not Plan.objects.exists()


def test_no_header_no_task_or_amounts_not_in_millions(dx):
    with pytest.raises(DomainError, match="Không tìm thấy dòng tiêu đề"):
        import_plan(dx.dp_admin, _bad([], header=("A", "B")), agency=dx.dp, year=2024)
    with pytest.raises(DomainError, match=r"cả bảng: Bảng không có nhiệm vụ nào"):
        import_plan(dx.dp_admin, _bad([]), agency=dx.dp, year=2024)
    with pytest.raises(DomainError, match="Bảng phải ghi kinh phí bằng triệu đồng"):
        import_plan(dx.dp_admin, _bad([], title=["Đơn vị tính: đồng"]), agency=dx.dp, year=2024)
    assert not Plan.objects.exists()


def test_stated_totals_are_checked(dx):
    rows = [["1", "Mua máy quét", "500", "NST", "2024"], ["Tổng cộng", None, "600", "NST, NSH"]]
    with pytest.raises(DomainError) as exc:
        import_plan(dx.dp_admin, _bad(rows), agency=dx.dp, year=2024)
    messages = [e["message"] for e in exc.value.details["errors"]]
    assert "Dòng tổng ghi 600 triệu đồng nhưng cộng các dòng được 500 triệu đồng." in messages
    assert "Dòng tổng ghi nguồn vốn NSH, NST nhưng các dòng dùng NST." in messages


def test_reimport_needs_replace_and_an_unapproved_plan(dx):
    data = _bad([["1", "Mua máy quét", "500", "NST", "2024"]])
    plan = import_plan(dx.dp_admin, data, agency=dx.dp, year=2024).plan
    with pytest.raises(DomainError) as exc:
        import_plan(dx.dp_admin, data, agency=dx.dp, year=2024)
    assert exc.value.status == 409 and "thay thế" in exc.value.message
    assert import_plan(dx.dp_admin, data, agency=dx.dp, year=2024, replace=True).plan.pk == plan.pk
    assert plan.tasks.count() == 1
    with pytest.raises(DomainError) as exc:  # a task in another unit's plan
        import_plan(dx.ct_admin, data, agency=dx.dp, year=2024, replace=True)
    assert exc.value.status == 403 and exc.value.message == "Bạn chỉ được thay đổi dữ liệu chuyển đổi số của đơn vị mình."


def test_the_results_appendix_imported_back_keeps_the_plans_money(dx):
    """A unit downloads its results appendix (no money column), types results, imports it back «thay thế»: the tasks
    found again keep their money; a task left out of the file loses it, and the preview says both before anything
    is written. Before, every task's money went with the replaced tasks."""
    import openpyxl

    from motcua.papers.transformation.render import plan_paper

    import_plan(dx.dp_admin, seed_file("seed004_pl2"), agency=dx.dp, year=2024)
    plan = Plan.objects.get(agency=dx.dp, year=2024)
    money = {t.content: sorted(li.planned_vnd for li in t.budget_lines.all()) for t in plan.tasks.all()}
    total = sum(v for lines in money.values() for v in lines)
    assert total > 0
    wb = openpyxl.load_workbook(io.BytesIO(plan_paper("task_results", plan, "xlsx")))
    ws = wb.worksheets[0]
    head = next(r for r in ws.iter_rows() if any(c.value == "Kết quả thực hiện" for c in r))
    assert not any("inh phí" in str(c.value or "") for c in head)
    result_col = next(c.column for c in head if c.value == "Kết quả thực hiện")
    rows = [r for r in ws.iter_rows(min_row=head[0].row + 1) if r[0].value and str(r[0].value).strip().isdigit()]
    dropped = rows[-1]
    dropped_content = next(c.value for c in dropped[1:] if c.value)
    ws.delete_rows(dropped[0].row)
    ws.cell(row=rows[0][0].row, column=result_col, value="Đã hoàn thành")
    out = io.BytesIO()
    wb.save(out)

    preview = import_plan(dx.dp_admin, out.getvalue(), agency=dx.dp, year=2024, replace=True, dry_run=True)
    with_money = sum(1 for lines in money.values() if lines)
    assert (preview.money_kept, preview.money_dropped) == (with_money - (1 if money[dropped_content] else 0),
                                                          1 if money[dropped_content] else 0)
    assert preview.money_note.startswith("Tệp không có cột kinh phí: giữ kinh phí đã ghi của")
    import_plan(dx.dp_admin, out.getvalue(), agency=dx.dp, year=2024, replace=True)
    after = {t.content: sorted(li.planned_vnd for li in t.budget_lines.all()) for t in plan.tasks.all()}
    assert dropped_content not in after
    assert after == {k: v for k, v in money.items() if k != dropped_content}
    assert plan.tasks.filter(result="Đã hoàn thành").count() == 1
