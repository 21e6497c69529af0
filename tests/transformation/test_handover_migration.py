"""Tasks a merger moved before the handover was recorded beside them: the merger had put the new commune among
their lead units, approved plan or not. Migration 0006 reads what it did from the audit trail: the task is handed
over to the new commune (so it counts for it in the roll-up) and the plan's lead units are back as written;
migration 0010 records the part of the lead that moved (TaskHandover)."""

import datetime as dt

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
    # Each task's handover is kept as the part of its lead that moved (0010): the commune's, not the department's.
    from motcua.transformation.models import TaskHandover

    for task in (shared, owned, chosen):
        assert list(TaskHandover.objects.filter(task_id=task.pk).values_list("from_agency_id", "to_agency_id",
                                                                             "on")) == [(old.pk, new.pk, today)]
    assert not TaskHandover.objects.filter(task_id=untouched.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_a_task_is_handed_over_on_the_day_the_merger_took_effect_not_the_day_it_was_applied():
    # A merger may be applied days or months after its resolution took effect (run.apply allows any day from then):
    # the handover is from the effective date, as services.merger.hand_over_task records it, and the year decides
    # whether the task counts in its plan's year (services.merger.HANDED_AWAY).
    from motcua.units.models import ReorganizationPlan

    old, new = AgencyFactory(code="H55.811"), AgencyFactory(code="H55.812")
    effective = timezone.localdate().replace(month=1, day=1) - dt.timedelta(days=1)  # last year's 31/12
    ReorganizationPlan.objects.create(resolution_number="1677/NQ-UBTVQH15", resolution_date=effective,
                                      effective_date=effective, new_code="99999", new_name="Xã Mới",
                                      status=ReorganizationPlan.APPLIED, new_agency=new)
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Plan, Section, Task = (apps.get_model("transformation", m) for m in ("Plan", "PlanSection", "Task"))
    plan = Plan.objects.create(agency_id=old.pk, year=effective.year, first_year=effective.year, title="Kế hoạch",
                               status="approved")
    section = Section.objects.create(plan=plan, order=1, title="Chính quyền số")
    task = Task.objects.create(plan=plan, section=section, order=1, content="Nhiệm vụ 1")
    task.lead_agencies.set([new.pk])
    record("he-thong", "dx.task_lead_merged", "dx_task", task.pk,
           {"plan": plan.pk, "number": "1", "from": [old.code], "to": new.code,
            "reason": "Sắp xếp đơn vị hành chính theo Nghị quyết số 1677/NQ-UBTVQH15"})
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from motcua.transformation.models import Task as Now

    assert Now.objects.get(pk=task.pk).handed_over_on == effective


@pytest.mark.django_db(transaction=True)
def test_teams_of_communes_merged_before_teams_moved_belong_to_the_new_commune_from_the_effective_date():
    # Before the step transformation.teams a merger left the teams on the closed commune: the new commune's page
    # and figures had none of them. Migration 0007 moves them as the step does (0008 keeps the move as a TeamMove).
    from motcua.transformation.services import community
    from motcua.units.models import ReorganizationPlan

    old, other, new = AgencyFactory(code="H55.821"), AgencyFactory(code="H55.822"), AgencyFactory(code="H55.823")
    effective = dt.date(2025, 7, 1)
    plan = ReorganizationPlan.objects.create(resolution_number="1677/NQ-UBTVQH15", resolution_date=effective,
                                             effective_date=effective, new_code="99998", new_name="Xã Mới",
                                             status=ReorganizationPlan.APPLIED, new_agency=new)
    plan.old_units.set([old.admin_unit])
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    Team = executor.loader.project_state(BEFORE).apps.get_model("transformation", "CommunityTeam")
    active = Team.objects.create(agency_id=old.pk, village="Thôn 1", members=5, founded_on=dt.date(2024, 3, 1))
    dissolved = Team.objects.create(agency_id=old.pk, village="Thôn 2", members=4, dissolved_on=dt.date(2025, 6, 1))
    elsewhere = Team.objects.create(agency_id=other.pk, village="Thôn 3", members=3)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from motcua.transformation.models import CommunityTeam, TeamMove

    rows = {t.pk: t for t in CommunityTeam.objects.all()}
    assert [rows[t.pk].agency_id for t in (active, dissolved, elsewhere)] == [new.pk, old.pk, other.pk]
    # kept as a move (0008 turns the back-filled last move into its TeamMove row)
    assert list(TeamMove.objects.values_list("team_id", "from_agency_id", "to_agency_id", "on")) == [
        (active.pk, old.pk, new.pk, effective)]
    # the new commune counts it from the effective date; the old one keeps it in its figures up to its last day
    assert community.counts([new.pk], effective, dt.date(2025, 12, 31))[new.pk].teams == 1
    assert community.counts([old.pk], dt.date(2025, 1, 1), dt.date(2025, 6, 30))[old.pk].teams == 1


@pytest.mark.django_db(transaction=True)
def test_a_handover_dated_by_0006_before_its_correction_is_moved_to_the_effective_date():
    # 0006 first recorded the day a merger was applied; a database that ran it then has that day. 0010 corrects it
    # to the day the merger that created the receiving unit took effect.
    from motcua.units.models import ReorganizationPlan

    old, new = AgencyFactory(code="H55.831"), AgencyFactory(code="H55.832")
    effective, applied = dt.date(2025, 7, 1), dt.date(2025, 9, 15)
    ReorganizationPlan.objects.create(resolution_number="1677/NQ-UBTVQH15", resolution_date=effective,
                                      effective_date=effective, new_code="99997", new_name="Xã Mới",
                                      status=ReorganizationPlan.APPLIED, new_agency=new)
    state = [("transformation", "0009_team_moves_drop_last_move")]
    executor = MigrationExecutor(connection)
    executor.migrate(state)
    apps = executor.loader.project_state(state).apps
    Plan, Section, Task = (apps.get_model("transformation", m) for m in ("Plan", "PlanSection", "Task"))
    plan = Plan.objects.create(agency_id=old.pk, year=2025, first_year=2025, title="Kế hoạch", status="approved")
    section = Section.objects.create(plan=plan, order=1, title="Chính quyền số")
    task = Task.objects.create(plan=plan, section=section, order=1, content="Nhiệm vụ 1", handed_over_to_id=new.pk,
                               handed_over_on=applied)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from motcua.transformation.models import Task as Now
    from motcua.transformation.models import TaskHandover

    assert Now.objects.get(pk=task.pk).handed_over_on == effective
    assert list(TaskHandover.objects.filter(task_id=task.pk).values_list("from_agency_id", "to_agency_id", "on")) == [
        (old.pk, new.pk, effective)]


@pytest.mark.django_db(transaction=True)
def test_a_task_moved_on_by_a_merger_after_its_plans_year_counts_again_for_the_unit_that_carried_it_then():
    # Before services.merger.stays_counted a second merger, after the plan's year, recorded the next unit and its
    # date: the task went back to the old plan's figures of that year. 0011 gives it back to the unit that carried it
    # when the year ended; a task first handed over after its plan's year stays in that plan's figures.
    x, y, z = AgencyFactory(code="H55.841"), AgencyFactory(code="H55.842"), AgencyFactory(code="H55.843")
    first, second = dt.date(2025, 7, 1), dt.date(2026, 3, 1)
    x.successor, y.successor = y, z
    x.save(update_fields=["successor"])
    y.save(update_fields=["successor"])
    state = [("transformation", "0010_task_handovers")]
    executor = MigrationExecutor(connection)
    executor.migrate(state)
    apps = executor.loader.project_state(state).apps
    Plan, Section, Task, Handover = (apps.get_model("transformation", m)
                                     for m in ("Plan", "PlanSection", "Task", "TaskHandover"))
    section = Section.objects.create(order=1, title="Chính quyền số", plan=Plan.objects.create(
        agency_id=x.pk, year=2025, first_year=2025, title="Kế hoạch 2025", status="approved"))
    later = Plan.objects.create(agency_id=x.pk, year=2025, first_year=2025, title="Báo cáo 2025", kind="report")
    late_section = Section.objects.create(plan=later, order=1, title="Hạ tầng số")
    twice = Task.objects.create(plan=section.plan, section=section, order=1, content="Nhiệm vụ 1",
                                handed_over_to_id=z.pk, handed_over_on=second)
    Handover.objects.create(task=twice, from_agency_id=x.pk, to_agency_id=y.pk, on=first)
    Handover.objects.create(task=twice, from_agency_id=y.pk, to_agency_id=z.pk, on=second)
    after = Task.objects.create(plan=later, section=late_section, order=1, content="Nhiệm vụ 2",
                                handed_over_to_id=z.pk, handed_over_on=second)
    Handover.objects.create(task=after, from_agency_id=x.pk, to_agency_id=z.pk, on=second)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from motcua.transformation.models import Task as Now

    rows = {t.pk: t for t in Now.objects.filter(pk__in=[twice.pk, after.pk])}
    assert (rows[twice.pk].handed_over_to_id, rows[twice.pk].handed_over_on) == (y.pk, first)
    assert (rows[after.pk].handed_over_to_id, rows[after.pk].handed_over_on) == (z.pk, second)
