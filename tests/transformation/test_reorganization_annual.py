"""Three communes merge into «Xã Hợp Nhất» (fixture `merger`, conftest.py): the annual report (.docx, .xlsx, the
back-office page «báo cáo năm») and the plan's appendices count the tasks a merger handed over as the roll-up and
the round answer do — for the new commune, marked as received (also when it has no plan of the year: as its roll-up
row «Chưa có kế hoạch»), and no longer for the old one — while an old commune's report of a year before the merger
stays as it was."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from motcua.accounts.permissions import forget_roles
from motcua.papers.transformation import annual
from motcua.papers.transformation.render import plan_paper
from motcua.transformation.models import Plan
from motcua.transformation.services import budget, plans, rollup
from motcua.units.models import Agency
from motcua.units.reorganization import apply
from tests.vietnamese import docx_text

pytestmark = pytest.mark.django_db

BASE = "/can-bo/chuyen-doi-so"


def _xlsx_text(data: bytes, sheet: str) -> str:
    ws = load_workbook(io.BytesIO(data))[sheet]
    return "\n".join(str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None)


def _received(task, unit) -> str:
    return f"{task.content} (nhận từ {unit.name} theo sắp xếp đơn vị hành chính)"


def _merged(m) -> Agency:
    """A's tasks «led» (120 million) and «done» (30), B's «led_b» (200) get money, then the communes merge: the
    new commune."""
    a, b = m["a"], m["b"]
    la, lb = m["leaders"][a.code], m["leaders"][b.code]
    budget.add_budget_line(la, m["tasks"]["led"], planned="120", sources="NSX")
    budget.add_budget_line(la, m["tasks"]["done"], planned="30", sources="NSX")
    budget.add_budget_line(lb, m["tasks"]["led_b"], planned="200", sources="NSX")
    apply(m["plan"], m["admin"])
    return Agency.objects.get(admin_unit__code="99001")


def test_the_annual_report_counts_the_tasks_a_merger_handed_over_for_the_new_commune_only(merger, signed_in):
    m = merger
    a, b, year = m["a"], m["b"], m["rnd"].year
    la = m["leaders"][a.code]
    led, led_b = m["tasks"]["led"], m["tasks"]["led_b"]
    new = _merged(m)
    forget_roles(la)
    own = plans.create_plan(la, agency=new, year=year)
    portal = plans.add_task(la, own, section=plans.add_section(la, own, title="Chính quyền số"),
                            content="Cổng thông tin điện tử xã", lead_agencies=[new])
    budget.add_budget_line(la, portal, planned="50", sources="NSX")

    # The new commune's report: its task and the three it received (A's two left to do, B's), marked, with money.
    text = docx_text(annual.build_docx(new, year))
    assert "4 nhiệm vụ (gồm 3 nhiệm vụ nhận chuyển giao khi sắp xếp đơn vị hành chính); hoàn thành 0" in text
    for task, unit in ((led, a), (m["tasks"]["owned"], a), (led_b, b)):
        assert _received(task, unit) in text
    assert "Lắp wifi nhà văn hóa" not in text  # done before the merger: A's
    assert "Tổng kinh phí: 370 triệu đồng" in text
    book = annual.build_xlsx(new, year)
    assert _received(led_b, b) in _xlsx_text(book, "Phụ lục I")  # the tasks' results
    assert _received(led, a) in _xlsx_text(book, "Phụ lục II") and "370" in _xlsx_text(book, "Phụ lục II")
    html = signed_in(la).get(f"{BASE}/bao-cao-nam/{new.code}/{year}/").content.decode()
    assert "4 nhiệm vụ (gồm 3 nhiệm vụ nhận chuyển giao khi sắp xếp đơn vị hành chính)" in html

    # A's report of the year counts only what it finished; B's none.
    text = docx_text(annual.build_docx(a, year))
    assert "1 nhiệm vụ; hoàn thành 1" in text and "Số hóa hồ sơ một cửa" not in text
    assert "Tổng kinh phí: 30 triệu đồng" in text
    assert "0 nhiệm vụ" in docx_text(annual.build_docx(b, year)) and "Camera an ninh" not in docx_text(
        annual.build_docx(b, year))

    # The plan's results appendix counts as the report does; the appendices of the plan as written do not change.
    assert _received(led, a) in _xlsx_text(plan_paper("task_results", own, "xlsx"), "Phụ lục")
    assert "Số hóa hồ sơ một cửa" not in _xlsx_text(plan_paper("task_results", m["plan_a"], "xlsx"), "Phụ lục")
    as_written = _xlsx_text(plan_paper("plan_budget", own, "xlsx"), "Phụ lục")
    assert "Cổng thông tin điện tử xã" in as_written and "Số hóa hồ sơ một cửa" not in as_written
    assert "Số hóa hồ sơ một cửa" in _xlsx_text(plan_paper("budget_list", m["plan_a"], "xlsx"), "Phụ lục")


def test_an_old_communes_report_of_a_year_before_the_merger_stays_as_it_was(merger):
    m = merger
    a, admin, last = m["a"], m["admin"], m["rnd"].year - 1
    la = m["leaders"][a.code]
    old = plans.create_plan(la, agency=a, year=last)
    late = plans.add_task(la, old, section=plans.add_section(la, old, title="Hạ tầng số"),
                          content="Phần mềm quản lý văn bản", lead_agencies=[a], deadline=dt.date(last, 12, 31))
    budget.add_budget_line(la, late, planned="80", sources="NSX")
    before = docx_text(annual.build_docx(a, last))
    assert "Phần mềm quản lý văn bản" in before and "Tổng kinh phí: 80 triệu đồng" in before

    apply(m["plan"], admin)
    late.refresh_from_db()
    assert late.handed_over_on == timezone.localdate()  # the new commune carries it from now on ...
    assert docx_text(annual.build_docx(a, last)) == before  # ... A's report of last year is the same
    rows = {r.agency.code: r for r in rollup.rollup_year(Plan.objects.filter(year=last), last).rows}
    assert (rows[a.code].tasks, rows[a.code].planned_vnd) == (1, 80_000_000)


def test_a_new_commune_without_a_plan_of_the_year_reports_the_tasks_it_received_as_its_rollup_row(merger, signed_in):
    m = merger
    a, b, year = m["a"], m["b"], m["rnd"].year
    la = m["leaders"][a.code]
    led, owned, led_b = m["tasks"]["led"], m["tasks"]["owned"], m["tasks"]["led_b"]
    new = _merged(m)
    assert not Plan.objects.filter(agency=new, year=year).exists()  # the new commune has no plan of its own
    row = next(r for r in rollup.rollup_year(Plan.objects.filter(year=year), year).rows if r.agency == new)
    assert (row.plan, row.tasks, row.done, row.planned_vnd) == (None, 3, 0, 320_000_000)

    # Its report counts the three tasks it received, marked where they come from, with their money.
    text = docx_text(annual.build_docx(new, year))
    assert (f"Chưa có kế hoạch chuyển đổi số năm {year}; 3 nhiệm vụ nhận chuyển giao khi sắp xếp đơn vị hành chính; "
            "hoàn thành 0") in text
    for task, unit in ((led, a), (owned, a), (led_b, b)):
        assert _received(task, unit) in text
    assert "Lắp wifi nhà văn hóa" not in text  # done before the merger: A's
    assert "Tổng kinh phí: 320 triệu đồng" in text
    book = annual.build_xlsx(new, year)
    results = _xlsx_text(book, "Phụ lục I")
    assert all(_received(task, unit) in results for task, unit in ((led, a), (owned, a), (led_b, b)))
    spending = _xlsx_text(book, "Phụ lục II")
    assert _received(led_b, b) in spending and "320" in spending

    # A commune leader opening «báo cáo năm» on a phone sees them.
    forget_roles(la)
    page = signed_in(la).get(f"{BASE}/bao-cao-nam/{new.code}/{year}/", HTTP_USER_AGENT=(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"))
    html = page.content.decode()
    assert page.status_code == 200
    assert f"Chưa có kế hoạch chuyển đổi số năm {year}; 3 nhiệm vụ nhận chuyển giao" in html
    assert "Tổng kinh phí: 320 triệu đồng" in html
