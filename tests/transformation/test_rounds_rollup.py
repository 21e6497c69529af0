"""Reporting rounds with reminders through the outbox, and the roll-up of commune plans into the province's."""

import datetime as dt

import pytest
from django.utils import timezone

from motcua.core.errors import DomainError
from motcua.integrations import dispatcher
from motcua.outbox.models import OutboxEvent
from motcua.transformation.models import Plan, RoundResponse
from motcua.transformation.services import community, plans, rollup, rounds
from motcua.transformation.xlsx.importer import import_plan
from tests.integrations.conftest import configure, sims  # noqa: F401 (fixtures)

from .conftest import seed_file

pytestmark = pytest.mark.django_db


def _drain():
    for _ in range(50):
        dispatcher.run_batch()
        if dispatcher.pending_count() == 0:
            return


def test_units_are_reminded_until_they_report(dx, sims, configure):  # noqa: F811
    running = sims(("sms", "email"))
    configure(running)
    today = timezone.localdate()
    with pytest.raises(DomainError, match="Chỉ quản trị cấp tỉnh"):
        rounds.open_round(dx.dp_admin, title="", year=2024, deadline=today + dt.timedelta(days=7))
    rnd = rounds.open_round(dx.admin, title="Báo cáo kết quả chuyển đổi số năm 2024", year=2024,
                            deadline=today + dt.timedelta(days=7), agencies=[dx.dp, dx.ct])
    assert [r.agency for r in rounds.pending(rnd)] == [dx.ct, dx.dp]
    assert rounds.send_reminders(today) == 3  # 7 days before: two officers of Đức Phổ, one of Cẩm Thành
    assert rounds.send_reminders(today) == 0  # never twice the same reminder day
    _drain()
    texts = [m["text"] for m in running["sms"].messages]
    assert any(t.startswith("Nhắc báo cáo chuyển đổi số: UBND phường Cẩm Thành chưa gửi") and "(còn 7 ngày)" in t
               for t in texts)
    assert {m["to"] for m in running["email"].messages} == {"qt.ducpho@example.vn", "qt.camthanh@example.vn"}
    with pytest.raises(DomainError) as exc:  # nothing to report yet
        rounds.submit_response(dx.dp_admin, rnd, dx.dp)
    assert exc.value.status == 409 and "chưa có kế hoạch chuyển đổi số năm 2024" in exc.value.message
    with pytest.raises(DomainError) as exc:
        rounds.submit_response(dx.ct_admin, rnd, dx.dp)
    assert exc.value.status == 403
    import_plan(dx.dp_admin, seed_file("seed004_pl2"), agency=dx.dp, year=2024)
    resp = rounds.submit_response(dx.dp_admin, rnd, dx.dp)
    assert resp.status == RoundResponse.SUBMITTED and resp.snapshot["tasks"] == 12
    assert [r.agency for r in rounds.pending(rnd)] == [dx.ct]
    assert rounds.send_reminders(today + dt.timedelta(days=4)) == 1  # 3 days before: only who has not reported
    assert OutboxEvent.objects.filter(topic="notice.dx_round_reminder").count() == 4
    rounds.close_round(dx.admin, rnd)
    with pytest.raises(DomainError, match="Kỳ báo cáo đã đóng"):
        rounds.submit_response(dx.ct_admin, rnd, dx.ct)


def test_bad_rounds_are_refused(dx):
    today = timezone.localdate()
    for kwargs, message in (({"deadline": today - dt.timedelta(days=1)}, "Hạn báo cáo đã qua"),
                            ({"deadline": today, "reminder_days": "7,ba"}, "Số ngày nhắc trước hạn"),
                            ({"deadline": today, "agencies": []}, "Chưa chọn đơn vị nào")):
        with pytest.raises(DomainError, match=message):
            rounds.open_round(dx.admin, title="", year=2024, **kwargs)


def test_commune_plans_linked_to_the_province_plan_roll_up(dx):
    province = plans.create_plan(dx.admin, agency=dx.province, year=2024)
    section = plans.add_section(dx.admin, province, title="Chính quyền số")
    task = plans.add_task(dx.admin, province, section=section, content="Nền tảng tích hợp, chia sẻ dữ liệu")
    from motcua.transformation.services import budget

    budget.add_budget_line(dx.admin, task, planned="1.000", sources="NST")
    dp = import_plan(dx.dp_admin, seed_file("seed004_pl2"), agency=dx.dp, year=2024, parent=province).plan
    ct = import_plan(dx.ct_admin, seed_file("seed000_list"), agency=dx.ct, year=2024).plan
    community.add_team(dx.dp_admin, dx.dp, members=15, founded_on=dt.date(2022, 10, 7))
    community.add_activity(dx.dp_admin, dx.dp, date=dt.date(2024, 5, 2), title="Tập huấn tổ công nghệ số",
                           participants=134)
    up = rollup.rollup_plan(province)
    assert [r.plan for r in up.rows] == [province, dp]  # Cẩm Thành's plan does not implement the province's yet
    assert up.planned == "14.570" and up.teams == 1 and up.members == 15 and up.trained == 134
    plans.update_plan(dx.ct_admin, ct, parent=province)
    up = rollup.rollup_plan(province)
    assert up.planned == "31.070" and up.tasks == 1 + 12 + 9
    assert dict(up.by_source)["CTX, NSH"] == 5_500_000_000 + 120_000_000  # seed 000 CTX, NSH lines + 004 first
    assert sum(v for _, v in up.by_source) == sum(v for _, v in up.by_group) == up.planned_vnd
    assert dict(up.by_group)["Đô thị thông minh"] == 8_000_000_000
    year = rollup.rollup_year(Plan.objects.all(), 2024)
    assert year.planned == "31.070" and len(year.rows) == 3


def test_the_daily_reminders_pass_over_a_reminder_day_edited_in_the_admin_with_other_digits(dx):
    """The admin stores reminder_days as typed: "7,²,1" stopped send_dx_reminders with a traceback (str.isdigit()
    let "²" through to int()); the days that are numbers still count."""
    from io import StringIO

    from django.core.management import call_command

    from motcua.transformation.models import ReportingRound

    today = timezone.localdate()
    rnd = rounds.open_round(dx.admin, title="Báo cáo năm 2024", year=2024, deadline=today + dt.timedelta(days=7),
                            agencies=[dx.dp, dx.ct])
    ReportingRound.objects.filter(pk=rnd.pk).update(reminder_days="7,²,1")
    out = StringIO()
    call_command("send_dx_reminders", stdout=out)
    assert OutboxEvent.objects.filter(topic=rounds.TOPIC_REMINDER).count() == 3  # the 7-day reminder went out
