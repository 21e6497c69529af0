"""Three communes merge into «Xã Hợp Nhất» (fixture `merger`, conftest.py); the new commune downloads the results
appendix of its plan — which lists the tasks it received, «(nhận từ … theo sắp xếp đơn vị hành chính)» — types the
results and imports it back: the received tasks are recognised and their results updated, they do not come back as
tasks of its own plan (a second row for the same work, counted twice)."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from openpyxl import load_workbook

from motcua.accounts.permissions import forget_roles
from motcua.audit.models import AuditEntry
from motcua.core.errors import ValidationFailed
from motcua.papers.transformation.render import plan_paper
from motcua.transformation.models import Plan, Task
from motcua.transformation.services import budget, plans, rollup
from motcua.transformation.services.merger import counted_tasks
from motcua.transformation.xlsx.importer import import_plan
from motcua.units.models import Agency
from motcua.units.reorganization import apply

pytestmark = pytest.mark.django_db


def _typed(data: bytes, results: dict[str, str]) -> bytes:
    """The appendix with a result typed for the rows whose task starts with a key of `results`."""
    wb = load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    head = next(r for r in ws.iter_rows() if any(c.value == "Kết quả thực hiện" for c in r))
    col = next(c.column for c in head if c.value == "Kết quả thực hiện")
    content = next(c.column for c in head if c.value in ("Nhiệm vụ cụ thể", "Nội dung/Nhiệm vụ/Dự án"))
    for row in ws.iter_rows(min_row=head[0].row + 1):
        text = str(row[content - 1].value or "")
        for start, result in results.items():
            if text.startswith(start):
                ws.cell(row=row[0].row, column=col, value=result)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def merged(merger):
    """A's «led» (120 million) and B's «led_b» (200) have money; after the merger the new commune (A's leader now
    leads it) writes its plan of the year with one task (50)."""
    m = merger
    a, b, year = m["a"], m["b"], m["rnd"].year
    la = m["leaders"][a.code]
    budget.add_budget_line(la, m["tasks"]["led"], planned="120", sources="NSX")
    budget.add_budget_line(m["leaders"][b.code], m["tasks"]["led_b"], planned="200", sources="NSX")
    apply(m["plan"], m["admin"])
    new = Agency.objects.get(admin_unit__code="99001")
    forget_roles(la)
    own = plans.create_plan(la, agency=new, year=year)
    portal = plans.add_task(la, own, section=plans.add_section(la, own, title="Chính quyền số", numeral="I"),
                            content="Cổng thông tin điện tử xã", lead_agencies=[new])
    budget.add_budget_line(la, portal, planned="50", sources="NSX")
    return dict(m, new=new, own=own, la=la, year=year)


def _figures(m):
    row = next(r for r in rollup.rollup_year(Plan.objects.filter(year=m["year"]), m["year"]).rows
               if r.agency == m["new"])
    return row.tasks, row.planned_vnd


def test_reimporting_the_results_appendix_updates_the_received_tasks_not_the_plan(merged, signed_in):
    m = merged
    new, own, la = m["new"], m["own"], m["la"]
    before = _figures(m)
    assert before == (4, 370_000_000)
    data = _typed(plan_paper("task_results", own, "xlsx"),
                  {"Cổng thông tin": "Đã vận hành", "Số hóa hồ sơ một cửa": "Đã số hóa 80% hồ sơ"})

    preview = import_plan(la, data, agency=new, year=m["year"], replace=True, dry_run=True)
    assert preview.tasks == 1 and [t.content for t in preview.parsed.received] == [
        "Số hóa hồ sơ một cửa", "Tập huấn kỹ năng số", "Camera an ninh"]
    # The officer's preview says what happens to them, row by row; confirming imports.
    c = signed_in(la)
    r = c.post("/can-bo/chuyen-doi-so/nhap/", {"agency": new.pk, "year": m["year"], "kind": "plan", "replace": "on",
                                               "file": SimpleUploadedFile("ket-qua.xlsx", data)})
    html = r.content.decode()
    assert r.status_code == 200 and "<strong>1</strong> nhiệm vụ" in html
    assert ("3 nhiệm vụ nhận chuyển giao khi sắp xếp đơn vị hành chính không thêm vào kế hoạch (đã có, tính một "
            "lần); sẽ cập nhật kết quả đã ghi.") in html
    assert "Tệp không có cột kinh phí: giữ kinh phí đã ghi của 1 nhiệm vụ có trong tệp." in html
    assert f"Camera an ninh <span class=\"hint\">(nhận chuyển giao từ {m['b'].name}: chỉ cập nhật kết quả)" in html
    token = re.search(r'name="token" value="(\w+)"', html).group(1)
    assert c.post("/can-bo/chuyen-doi-so/nhap/", {"buoc": "xac-nhan", "token": token}).status_code == 302
    mine = Plan.objects.get(pk=own.pk)
    assert [t.content for t in mine.tasks.all()] == ["Cổng thông tin điện tử xã"]  # no received task as its own
    assert mine.tasks.get().result == "Đã vận hành"
    assert [s.title.endswith("Chính quyền số") for s in mine.sections.all()] == [True]  # not the received group
    led = Task.objects.get(pk=m["tasks"]["led"].pk)
    assert (led.plan_id, led.result, led.handed_over_to) == (m["plan_a"].pk, "Đã số hóa 80% hồ sơ", new)
    assert Task.objects.get(pk=m["tasks"]["led_b"].pk).result == ""  # untouched
    assert AuditEntry.objects.filter(action="dx.plan_imported").latest("pk").data["received_results"] == [led.pk]
    # Counted once, as before: the roll-up row, the plan's counted tasks.
    assert counted_tasks(mine).count() == 4 and _figures(m)[0] == 4
    assert [line.planned_vnd for line in led.budget_lines.all()] == [120_000_000]  # the old plan's money stays
    # The results appendix has no money column: the plan's own task keeps its money (it was deleted with the task).
    assert [line.planned_vnd for line in mine.tasks.get().budget_lines.all()] == [50_000_000]
    assert _figures(m) == before


def test_reimporting_the_money_appendix_keeps_the_received_money_out_of_the_plan(merged, tmp_path):
    m = merged
    path = tmp_path / "kinh-phi.xlsx"  # its total (370) counts the received tasks' money
    path.write_bytes(plan_paper("spending", m["own"], "xlsx"))
    out = io.StringIO()
    call_command("import_plan", str(path), unit="99001", year=m["year"], replace=True, stdout=out)
    assert f"năm {m['year']}: 1 nhóm, 1 nhiệm vụ, tổng kinh phí 50 triệu đồng." in out.getvalue()
    assert ("3 nhiệm vụ nhận chuyển giao khi sắp xếp đơn vị hành chính không thêm vào kế hoạch (đã có, tính một "
            "lần); đã cập nhật kết quả 0 nhiệm vụ.") in out.getvalue()
    assert Plan.objects.get(pk=m["own"].pk).tasks.count() == 1
    assert _figures(m) == (4, 370_000_000)


def test_a_received_row_the_commune_did_not_receive_is_refused_and_nothing_is_written(merged):
    m = merged
    data = plan_paper("task_results", m["own"], "xlsx")
    wb = load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("Camera an ninh"):
                cell.value = cell.value.replace("Camera an ninh", "Camera giao thông")
    out = io.BytesIO()
    wb.save(out)
    audits = AuditEntry.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        import_plan(m["la"], out.getvalue(), agency=m["new"], year=m["year"], replace=True)
    assert exc.value.code == "plan_import_invalid"
    [err] = exc.value.details["errors"]
    assert err["message"] == (f"Nhiệm vụ «Camera giao thông» ghi nhận chuyển giao từ {m['b'].name} nhưng "
                              f"{m['new'].name} không nhận chuyển giao nhiệm vụ này từ đơn vị khác "
                              f"(năm {m['year']}); sửa lại cho đúng nội dung nhiệm vụ hoặc bỏ dòng này.")
    assert Plan.objects.get(pk=m["own"].pk).tasks.count() == 1 and AuditEntry.objects.count() == audits
