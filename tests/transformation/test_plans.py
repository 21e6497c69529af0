"""Plans, tasks and budget lines through the services: who may change what, and bad input refused whole."""

import datetime as dt

import pytest

from motcua.accounts.models import RoleAssignment
from motcua.accounts.permissions import forget_roles
from motcua.core.errors import DomainError
from motcua.transformation import permissions
from motcua.transformation.models import BudgetLine, Plan, Task
from motcua.transformation.services import budget, plans
from motcua.transformation.services.budget import plan_table
from tests.factories import officer

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(dx):
    p = plans.create_plan(dx.dp_admin, agency=dx.dp, year=2024, legal_basis="Kế hoạch số 26/KH-UBND ngày 30/01/2024")
    return p


def _section(dx, plan):
    return plans.add_section(dx.dp_admin, plan, title="Nhóm phát triển chính quyền số")


def test_a_commune_admin_builds_a_plan_with_tasks_and_sources(dx, plan):
    assert plan.title == "Kế hoạch chuyển đổi số năm 2024" and plan.status == Plan.DRAFT
    section = _section(dx, plan)
    assert section.numeral == "I"
    task = plans.add_task(dx.dp_admin, plan, section=section, content="Số hóa hồ sơ, kết quả giải quyết TTHC",
                          lead_text="Văn phòng HĐND và UBND", deadline=dt.date(2024, 12, 31), lead_agencies=[dx.dp])
    budget.add_budget_line(dx.dp_admin, task, planned="2.000", sources="Ngân sách tỉnh, ngân sách thị xã")
    budget.add_budget_line(dx.dp_admin, task, planned="92,460", sources=["CTX"])
    table = plan_table(plan)
    assert table.total == "2.092,46" and table.rows[0].source_codes == "CTX, NSH, NST"
    assert [li.year for li in table.rows[0].lines] == [2024, 2024]
    assert plans.task_state(task, dt.date(2025, 1, 1)) == ("overdue", "Quá hạn")
    assert plans.task_state(task, dt.date(2024, 6, 1)) == ("not_started", "Chưa thực hiện")
    plans.update_task(dx.dp_counter, task, status=Task.DONE, result="Đã số hóa 1.250 hồ sơ")  # an officer of the lead unit
    task.refresh_from_db()
    assert task.progress == 100 and plans.task_state(task, dt.date(2025, 1, 1))[0] == "done"


@pytest.mark.parametrize("kwargs, code, message", [
    ({"planned": "-5"}, "amount_negative", "Kinh phí: Kinh phí không được âm."),
    ({"planned": "abc"}, "amount_invalid", "không phải số triệu đồng"),
    ({"planned": "100", "sources": "CTX, Quỹ XYZ"}, "unknown_source", "Nguồn vốn không có trong danh mục: “Quỹ XYZ”"),
    ({"planned": "100", "year": 2025}, "deadline_outside_plan", "Năm thực hiện 2025 nằm ngoài năm của kế hoạch (2024)"),
    ({"planned": "100", "disbursed": "-1"}, "amount_negative", "Giải ngân: Kinh phí không được âm."),
])
def test_bad_budget_lines_are_refused_and_nothing_is_stored(dx, plan, kwargs, code, message):
    task = plans.add_task(dx.dp_admin, plan, section=_section(dx, plan), content="Tập huấn")
    with pytest.raises(DomainError) as exc:
        budget.add_budget_line(dx.dp_admin, task, **kwargs)
    assert exc.value.code == code and message in exc.value.message and exc.value.status == 422
    assert not BudgetLine.objects.exists()


def test_deadline_outside_the_plan_year_is_refused(dx, plan):
    section = _section(dx, plan)
    with pytest.raises(DomainError) as exc:
        plans.add_task(dx.dp_admin, plan, section=section, content="Tập huấn", deadline=dt.date(2025, 3, 31))
    assert exc.value.message == "Thời hạn 31/03/2025 nằm ngoài năm của kế hoạch (2024)." and exc.value.status == 422
    task = plans.add_task(dx.dp_admin, plan, section=section, content="Tập huấn", year=2024)
    with pytest.raises(DomainError, match="nằm ngoài năm của kế hoạch"):
        plans.update_task(dx.dp_admin, task, year=2023)
    assert Task.objects.get().year == 2024


def test_a_task_in_another_units_plan_is_refused(dx, plan):
    section = _section(dx, plan)
    other = plans.create_plan(dx.ct_admin, agency=dx.ct, year=2024)
    other_section = plans.add_section(dx.ct_admin, other, title="Nhóm I")
    with pytest.raises(DomainError) as exc:
        plans.add_task(dx.ct_admin, plan, section=section, content="Việc của phường khác")
    assert exc.value.status == 403 and exc.value.message == permissions.FORBIDDEN_OTHER_UNIT
    with pytest.raises(DomainError) as exc:
        plans.add_task(dx.dp_admin, plan, section=other_section, content="Nhóm của kế hoạch khác")
    assert exc.value.code == "section_other_plan" and exc.value.status == 422
    task = plans.add_task(dx.dp_admin, plan, section=section, content="Tập huấn")
    for call in (lambda: plans.update_task(dx.ct_admin, task, result="Sửa hộ"),
                 lambda: budget.add_budget_line(dx.ct_admin, task, planned="10"),
                 lambda: plans.delete_task(dx.auditor, task)):
        with pytest.raises(DomainError) as exc:
            call()
        assert exc.value.status == 403
    assert Task.objects.count() == 1 and not BudgetLine.objects.exists() and Task.objects.get().result == ""


def test_approval_locks_the_content_but_not_the_results(dx, plan):
    section = _section(dx, plan)
    task = plans.add_task(dx.dp_admin, plan, section=section, content="Tập huấn")
    line = budget.add_budget_line(dx.dp_admin, task, planned="100", sources="NSH")
    with pytest.raises(DomainError, match="Chỉ lãnh đạo"):
        plans.approve_plan(dx.dp_counter, plan)
    plans.approve_plan(dx.dp_leader, plan)
    plan.refresh_from_db()
    assert plan.status == Plan.APPROVED and plan.approved_by == dx.dp_leader and plan.approved_at
    with pytest.raises(DomainError) as exc:
        plans.add_task(dx.dp_admin, plan, section=section, content="Thêm việc")
    assert exc.value.status == 409 and exc.value.code == "plan_approved"
    with pytest.raises(DomainError):
        budget.update_budget_line(dx.dp_admin, line, planned="200")
    plans.update_task(dx.dp_admin, task, progress=40, status=Task.IN_PROGRESS, result="Đã tập huấn 2 lớp")
    budget.update_budget_line(dx.dp_admin, line, disbursed="80,5")
    line.refresh_from_db()
    assert line.disbursed_vnd == 80_500_000 and line.planned_vnd == 100_000_000
    plans.reopen_plan(dx.dp_leader, plan)
    plans.add_task(dx.dp_admin, plan, section=section, content="Thêm việc")


def test_one_plan_per_unit_year_and_parents_that_cover_the_year(dx, plan):
    with pytest.raises(DomainError) as exc:
        plans.create_plan(dx.dp_admin, agency=dx.dp, year=2024)
    assert exc.value.status == 409 and exc.value.message == "UBND phường Đức Phổ đã có kế hoạch năm 2024."
    province = plans.create_plan(dx.admin, agency=dx.province, year=2024)
    plans.update_plan(dx.dp_admin, plan, parent=province)
    with pytest.raises(DomainError, match="không bao trùm năm 2025"):
        plans.create_plan(dx.ct_admin, agency=dx.ct, year=2025, parent=province)
    with pytest.raises(DomainError, match="kế hoạch cấp dưới"):
        plans.update_plan(dx.admin, province, parent=plan)
    report = plans.create_plan(dx.dp_admin, agency=dx.dp, year=2023, kind=Plan.REPORT, first_year=2021)
    assert report.title == "Báo cáo kết quả thực hiện chuyển đổi số từ năm 2021 đến năm 2023"


def test_who_sees_which_plans(dx, plan):
    other = plans.create_plan(dx.ct_admin, agency=dx.ct, year=2024)
    province = plans.create_plan(dx.admin, agency=dx.province, year=2024)
    assert set(permissions.visible_plans(dx.dp_admin)) == {plan, province}
    assert set(permissions.visible_plans(dx.ct_admin)) == {other, province}
    assert set(permissions.visible_plans(dx.admin)) == set(permissions.visible_plans(dx.auditor)) == {
        plan, other, province}
    assert not permissions.can_edit_plan(dx.dp_admin, province)
    section = plans.add_section(dx.ct_admin, other, title="Nhóm I")
    plans.add_task(dx.ct_admin, other, section=section, content="Phối hợp", lead_agencies=[dx.dept])
    assert set(permissions.visible_plans(dx.dept_head)) == {other, province}  # a lead unit sees the plan it works for
    assert permissions.can_edit_plan(dx.dp_admin, plan) and not permissions.can_edit_plan(dx.auditor, plan)


def test_a_province_wide_officer_reads_every_plan_and_changes_none(dx, plan, signed_in):
    """An officer role held without an agency (province-wide) reads every unit's plan, like the auditor, and changes
    none: a plan is its unit's own, written by its officers and approved by its leader; the provincial admin is the
    one province-wide role that changes a unit's data. A unit role held beside it still works in its unit."""
    section = _section(dx, plan)
    task = plans.add_task(dx.dp_admin, plan, section=section, content="Số hóa hồ sơ", lead_agencies=[dx.dp])
    line = budget.add_budget_line(dx.dp_admin, task, planned="100", sources="NSH")
    ct_plan = plans.create_plan(dx.ct_admin, agency=dx.ct, year=2024)
    leader = officer("leader", None, username="ld.toantinh")
    editor = officer("specialist", None, username="cv.toantinh")
    assert set(permissions.visible_plans(leader)) == set(permissions.visible_plans(editor)) == {plan, ct_plan}
    for who in (leader, editor):
        for call in (lambda w=who: plans.add_task(w, plan, section=section, content="Việc của tỉnh"),
                     lambda w=who: plans.update_plan(w, plan, title="Sửa hộ"),
                     lambda w=who: plans.update_task(w, task, progress=50, result="Báo cáo hộ"),
                     lambda w=who: budget.update_budget_line(w, line, disbursed="50"),
                     lambda w=who: plans.approve_plan(w, plan),
                     lambda w=who: plans.create_plan(w, agency=dx.dp, year=2025)):
            with pytest.raises(DomainError) as exc:
                call()
            assert exc.value.status == 403
        assert not permissions.editable_agencies(who).exists()
    plan.refresh_from_db()
    task.refresh_from_db()
    line.refresh_from_db()
    assert (plan.status, task.progress, task.result, line.disbursed_vnd, Task.objects.count()) == (
        Plan.DRAFT, 0, "", None, 1)
    assert not Plan.objects.filter(year=2025).exists()
    for who in (leader, editor):  # the back office's plan page: read, no button to change or approve it
        page = signed_in(who).get(f"/can-bo/chuyen-doi-so/ke-hoach/{plan.pk}/")
        assert page.status_code == 200 and "Số hóa hồ sơ" in page.content.decode()
        assert "Thêm nhiệm vụ" not in page.content.decode() and "Phê duyệt kế hoạch" not in page.content.decode()
    # the same role held for the unit itself changes the unit's plan, and only that unit's
    RoleAssignment.objects.create(user=leader, role="leader", agency=dx.dp)
    forget_roles(leader)
    plans.approve_plan(leader, plan)
    assert Plan.objects.get(pk=plan.pk).status == Plan.APPROVED
    assert [a.code for a in permissions.editable_agencies(leader)] == [dx.dp.code]
    assert not permissions.can_edit_plan(leader, ct_plan)
