"""Handovers recorded before they kept their reason: migration 0013 reads it from the ``dx.task_lead_merged`` audit
entry that recorded each, so the DX plan page says what happened — a successor recorded in the admin, or a plan's
resolution — rather than «(sắp xếp đơn vị hành chính)» for every one."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from motcua.audit.services import record
from tests.factories import AgencyFactory

BEFORE = [("transformation", "0012_handover_reason")]
BY_ADMIN = "Sở Cũ ngừng hoạt động, Sở Mới là cơ quan kế thừa"
BY_PLAN = "Sắp xếp đơn vị hành chính theo Nghị quyết số 1677/NQ-UBTVQH15"


@pytest.mark.django_db(transaction=True)
def test_handovers_recorded_before_keep_the_reason_their_audit_entry_gives():
    old, new, other, merged = (AgencyFactory(code=f"H55.82{i}") for i in range(4))
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Plan, Section, Task, Handover = (apps.get_model("transformation", m)
                                     for m in ("Plan", "PlanSection", "Task", "TaskHandover"))
    plan = Plan.objects.create(agency_id=old.pk, year=2026, first_year=2026, title="Kế hoạch 2026", status="approved")
    section = Section.objects.create(plan=plan, order=1, title="Chính quyền số")
    day = dt.date(2026, 11, 30)

    def handed_over(order, to, reason):
        task = Task.objects.create(plan=plan, section=section, order=order, content=f"Nhiệm vụ {order}")
        Handover.objects.create(task=task, from_agency_id=old.pk, to_agency_id=to.pk, on=day)
        if reason is not None:
            record("he-thong", "dx.task_lead_merged", "dx_task", task.pk,
                   {"plan": plan.pk, "number": str(order), "from": [old.code], "to": to.code, "on": day.isoformat(),
                    "reason": reason})
        return task

    by_admin, by_plan = handed_over(1, new, BY_ADMIN), handed_over(2, merged, BY_PLAN)
    unknown = handed_over(3, other, None)  # no entry says why: a merger's plan, as the page said before
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from motcua.transformation.models import TaskHandover

    reasons = {h.task_id: h.why for h in TaskHandover.objects.filter(task__plan_id=plan.pk)}
    assert reasons == {by_admin.pk: BY_ADMIN, by_plan.pk: BY_PLAN, unknown.pk: "sắp xếp đơn vị hành chính"}
