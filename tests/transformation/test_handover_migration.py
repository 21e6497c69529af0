"""Tasks a merger moved before the handover was recorded beside them: the merger had put the new commune among
their lead units, approved plan or not. Migration 0006 reads what it did from the audit trail: the task is handed
over to the new commune (so it counts for it in the roll-up) and the plan's lead units are back as written;
migration 0009 records the part of the lead that moved (TaskHandover)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from motcua.audit.services import record
from tests.factories import AgencyFactory

BEFORE = [("transformation", "0004_response_merged_into_successor")]


@pytest.mark.django_db(transaction=True)
def test_tasks_moved_before_the_handover_was_recorded_are_handed_over_and_keep_their_lead_units():
    old, dept, new = AgencyFactory(code="H55.801"), AgencyFactory(code="H55.802"), AgencyFactory(code="H55.803")
    old.successor = new  # the merger put the new commune in its place
    old.save(update_fields=["successor"])
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Plan, Section, Task = (apps.get_model("transformation", m) for m in ("Plan", "PlanSection", "Task"))
    plan = Plan.objects.create(agency_id=old.pk, year=2025, first_year=2025, title="Kế hoạch 2025", status="approved")
    section = Section.objects.create(plan=plan, order=1, title="Chính quyền số")

    def moved(order, leads_before, leads_after):
        task = Task.objects.create(plan=plan, section=section, order=order, content=f"Nhiệm vụ {order}")
        task.lead_agencies.set(leads_after)
        record("he-thong", "dx.task_lead_merged", "dx_task", task.pk,
               {"plan": plan.pk, "number": str(order), "from": [a.code for a in leads_before] or [old.code],
                "to": new.code, "reason": "Sắp xếp đơn vị hành chính theo Nghị quyết số 1677/NQ-UBTVQH15"})
        return task

    shared = moved(1, [old, dept], [dept.pk, new.pk])  # led by the commune and a department
    owned = moved(2, [], [new.pk])  # named no lead unit: the commune's own
    chosen = moved(3, [old], [dept.pk])  # its lead units chosen again since the merger
    untouched = Task.objects.create(plan=plan, section=section, order=4, content="Nhiệm vụ 4")
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from motcua.transformation.models import Task as Now

    today = timezone.localdate()
    rows = {t.pk: t for t in Now.objects.filter(plan_id=plan.pk)}
    assert (rows[shared.pk].handed_over_to_id, rows[shared.pk].handed_over_on) == (new.pk, today)
    assert set(rows[shared.pk].lead_agencies.values_list("pk", flat=True)) == {old.pk, dept.pk}
    assert rows[owned.pk].handed_over_to_id == new.pk and not rows[owned.pk].lead_agencies.exists()
    assert rows[chosen.pk].handed_over_to_id == new.pk
    assert list(rows[chosen.pk].lead_agencies.values_list("pk", flat=True)) == [dept.pk]
    assert rows[untouched.pk].handed_over_to_id is None
    # Each task's handover is kept as the part of its lead that moved (0009): the commune's, not the department's.
    from motcua.transformation.models import TaskHandover

    for task in (shared, owned, chosen):
        assert list(TaskHandover.objects.filter(task_id=task.pk).values_list("from_agency_id", "to_agency_id",
                                                                             "on")) == [(old.pk, new.pk, today)]
    assert not TaskHandover.objects.filter(task_id=untouched.pk).exists()
