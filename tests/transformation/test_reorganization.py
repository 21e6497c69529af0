"""Three communes merge into one while the year's reporting round is open: the new commune is asked to report and
reminded, the old ones are no longer counted as missing nor reminded, an answer already sent stays (shown under
the new name «(trước đây: …)»), open tasks are led by the new commune, the old plans stay theirs and are read
by the new commune; a closed round does not change; applying again changes nothing."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from motcua.accounts.models import Role
from motcua.accounts.permissions import forget_roles
from motcua.audit.models import AuditEntry
from motcua.core.errors import InvalidTransition
from motcua.outbox.models import OutboxEvent
from motcua.transformation import permissions
from motcua.transformation.models import ReportingRound, RoundReminder, RoundResponse, Task
from motcua.transformation.services import plans, rounds
from motcua.units.models import AdministrativeUnit, Agency
from motcua.units.reorganization import apply, approve, preview, report, save_draft
from motcua.units.services import load_agencies, load_units
from tests.factories import officer

pytestmark = pytest.mark.django_db

BASE = "/can-bo/chuyen-doi-so"


@pytest.fixture
def merger():
    load_units("51")
    load_agencies("51", prefix="H51")
    units = list(AdministrativeUnit.objects.filter(level=AdministrativeUnit.COMMUNE).order_by("code")[:4])
    a, b, c, other = (Agency.objects.get(admin_unit=u) for u in units)
    admin = officer(Role.PROVINCIAL_ADMIN, None, username="quantri.tinh")
    leaders = {ag.code: officer(Role.LEADER, ag, username=f"lanhdao.{i}") for i, ag in enumerate((a, b, c, other))}
    year = timezone.localdate().year
    today = timezone.localdate()
    rnd = rounds.open_round(admin, title=f"Báo cáo chuyển đổi số năm {year}", year=year,
                            deadline=today + dt.timedelta(days=7), agencies=[a, b, c, other])
    closed = rounds.open_round(admin, title="Kỳ đã đóng", year=year, deadline=today, agencies=[b, other])
    rounds.close_round(admin, closed)
    # A's plan: a task it leads, one naming no lead unit (A's own), one done; B's plan: a task B leads;
    # the province's plan: a task C leads.
    la, lb = leaders[a.code], leaders[b.code]
    plan_a = plans.create_plan(la, agency=a, year=year)
    sec = plans.add_section(la, plan_a, title="Chính quyền số", numeral="I")
    led = plans.add_task(la, plan_a, section=sec, content="Số hóa hồ sơ một cửa", lead_agencies=[a])
    owned = plans.add_task(la, plan_a, section=sec, content="Tập huấn kỹ năng số", lead_text="Các thôn")
    done = plans.add_task(la, plan_a, section=sec, content="Lắp wifi nhà văn hóa", lead_agencies=[a],
                          status=Task.DONE, progress=100)
    plan_b = plans.create_plan(lb, agency=b, year=year)
    led_b = plans.add_task(lb, plan_b, section=plans.add_section(lb, plan_b, title="Hạ tầng số"),
                           content="Camera an ninh", lead_agencies=[b])
    plan_c = plans.create_plan(leaders[c.code], agency=c, year=year - 1)  # last year's: nothing left to do
    province = Agency.objects.get(code="H51")
    plan_p = plans.create_plan(admin, agency=province, year=year)
    led_c = plans.add_task(admin, plan_p, section=plans.add_section(admin, plan_p, title="Xã hội số"),
                           content="Tổ công nghệ số cộng đồng", lead_agencies=[c])
    rounds.submit_response(la, rnd, a)  # A answered before the merger
    plan = save_draft(admin, resolution_number="1677/NQ-UBTVQH15", resolution_date=dt.date(2025, 6, 16),
                      effective_date=today, old_units=units[:3], new_code="99001", new_name="Xã Hợp Nhất")
    return dict(a=a, b=b, c=c, other=other, admin=admin, leaders=leaders, rnd=rnd, closed=closed, plan_a=plan_a, plan_c=plan_c,
                tasks=dict(led=led, owned=owned, done=done, led_b=led_b, led_c=led_c), plan=approve(plan, admin))


def test_merger_during_an_open_round_asks_the_successor_and_stops_counting_the_old_communes(merger, signed_in):
    m = merger
    a, b, c, other, rnd = m["a"], m["b"], m["c"], m["other"], m["rnd"]
    shown = preview(m["plan"])
    assert shown.counts["transformation.rounds"] == {"followed": 1}  # the open round; the closed one is left alone
    assert shown.counts["transformation.tasks"] == {"moved": 4}
    page = signed_in(m["admin"]).get(f"/can-bo/sap-xep-don-vi/{m['plan'].pk}/").content.decode()
    section = re.search(r'id="muc-transformationrounds">(.*?)</section>', page, re.S).group(1)
    assert "không còn phải báo cáo (sáp nhập)" in section and "giữ báo cáo đã gửi" in section
    assert "Nhiệm vụ chuyển đổi số chưa hoàn thành" in page and "Số hóa hồ sơ một cửa" in page

    done = apply(m["plan"], m["admin"])
    assert done == shown.counts
    new = Agency.objects.get(admin_unit__code="99001")
    # The new commune is asked, the old ones that had not answered are not missing any more; A's answer stays.
    assert [r.agency for r in rounds.pending(rnd)] == sorted([new, other], key=lambda x: x.code)
    answers = {r.agency_id: r for r in rnd.responses.all()}
    assert answers[a.pk].status == RoundResponse.SUBMITTED
    assert (answers[b.pk].status, answers[b.pk].merged_into) == (RoundResponse.MERGED, new)
    assert (answers[c.pk].status, answers[c.pk].merged_into) == (RoundResponse.MERGED, new)
    assert len(rounds.expected(rnd.responses.all())) == 3  # A's answer, the new commune, the other commune
    assert rounds.shown_name(answers[a.pk]) == f"{new.name} (trước đây: {a.short_name or a.name})"
    # The closed round is history: unchanged.
    assert {r.agency_id: r.status for r in m["closed"].responses.all()} == {b.pk: "pending", other.pk: "pending"}

    # The new commune's leaders (the old communes', their roles moved) were told and are reminded; no old one is.
    told = OutboxEvent.objects.filter(topic="notice.dx_round_opened", payload__agency_code=new.code)
    assert told.count() == 3 and f"{new.name} báo cáo kỳ" in told.first().payload["text"]
    assert rounds.send_reminders(rnd=rnd) == 4  # three for the new commune, one for the other
    reminded = set(RoundReminder.objects.filter(round=rnd).values_list("agency__code", flat=True))
    assert reminded == {new.code, other.code}

    # Tasks not done follow the new commune; a done one keeps its lead; the plans stay with the old units.
    t = {k: Task.objects.get(pk=v.pk) for k, v in m["tasks"].items()}
    for key in ("led", "owned", "led_b", "led_c"):
        assert list(t[key].lead_agencies.all()) == [new], key
    assert list(t["done"].lead_agencies.all()) == [a]
    assert t["owned"].plan.agency == a and t["led_b"].plan.agency == b
    assert AuditEntry.objects.filter(action="dx.task_lead_merged").count() == 4
    # The old leader of A now leads the new commune: reads A's plan, reports on its open tasks, changes not the plan.
    leader = m["leaders"][a.code]
    forget_roles(leader)  # the roles this object read before the merger
    assert permissions.can_view_plan(leader, m["plan_a"]) and not permissions.can_edit_plan(leader, m["plan_a"])
    assert permissions.can_report_on_task(leader, t["owned"])
    assert permissions.can_view_plan(leader, m["plan_c"]) and not permissions.can_edit_plan(leader, m["plan_c"])
    plans.update_task(leader, t["owned"], progress=50, status=Task.IN_PROGRESS)

    # The round's page: 1 of 3 reported, the new commune missing, not the old ones; A's answer under the new name.
    html = signed_in(m["admin"]).get(f"{BASE}/ky-bao-cao/{rnd.pk}/").content.decode()
    assert re.search(r'id="da-bao-cao">1</strong>/3 đơn vị', html)
    missing = re.search(r'id="danh-sach-chua-bao-cao">(.*?)</ul>', html, re.S).group(1)
    assert new.name in missing and b.name not in missing and c.name not in missing
    assert f"{new.name} (trước đây: {a.short_name or a.name})" in html
    assert f"Đã sáp nhập</span> vào {new.name}" in html

    # Applying again changes nothing.
    before = (RoundResponse.objects.count(), OutboxEvent.objects.count(), AuditEntry.objects.count())
    assert apply(m["plan"], m["admin"]) == done
    assert (RoundResponse.objects.count(), OutboxEvent.objects.count(), AuditEntry.objects.count()) == before
    assert report(m["plan"]) == done


def test_round_answered_by_the_successor_reaches_every_unit(merger, signed_in):
    """After the merger the round can be complete: the new commune answers with its plan, the other commune
    too, and nobody is missing (the old communes that had not answered are not waited for)."""
    m = merger
    apply(m["plan"], m["admin"])
    new = Agency.objects.get(admin_unit__code="99001")
    leader = m["leaders"][m["b"].code]  # B's leader leads the new commune now
    forget_roles(leader)
    plans.create_plan(leader, agency=new, year=m["rnd"].year)
    rounds.submit_response(leader, m["rnd"], new)
    other = m["other"]
    plans.create_plan(m["leaders"][other.code], agency=other, year=m["rnd"].year)
    rounds.submit_response(m["leaders"][other.code], m["rnd"], other)
    with pytest.raises(InvalidTransition) as exc:  # an old commune's row is history, not a report still to send
        rounds.submit_response(m["admin"], m["rnd"], m["c"])
    assert exc.value.code == "round_unit_merged" and exc.value.status == 409
    assert RoundResponse.objects.get(round=m["rnd"], agency=m["c"]).status == RoundResponse.MERGED
    assert list(rounds.pending(m["rnd"])) == []
    assert rounds.send_reminders(rnd=m["rnd"]) == 0
    api = signed_in(leader).get(f"/api/v1/transformation/rounds/{m['rnd'].pk}").json()
    mine = {r["unit"]: r for r in api["responses"]}  # the new commune's officers read the old communes' rows
    assert mine[m["b"].code]["status"] == "merged" and mine[m["b"].code]["merged_into"] == new.code
    assert mine[m["a"].code]["unit_name"].startswith(f"{new.name} (trước đây:")
    assert api["pending"] == [] and ReportingRound.objects.get(pk=m["rnd"].pk).status == "open"
