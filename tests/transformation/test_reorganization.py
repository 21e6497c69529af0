"""Three communes merge into one while the year's reporting round is open: the new commune is asked to report and
reminded, the old ones are no longer counted as missing nor reminded, an answer already sent stays (shown under
the new name «(trước đây: …)»), open tasks are handed over to the new commune, the old plans stay theirs and are read
by the new commune; a closed round does not change; applying again changes nothing."""

import re

import pytest
from django.utils import timezone

from motcua.accounts.permissions import forget_roles
from motcua.audit.models import AuditEntry
from motcua.core.errors import InvalidTransition
from motcua.outbox.models import OutboxEvent
from motcua.transformation import permissions
from motcua.transformation.models import ReportingRound, RoundReminder, RoundResponse, Task
from motcua.transformation.services import plans, rounds
from motcua.units.models import Agency
from motcua.units.reorganization import apply, preview, report

pytestmark = pytest.mark.django_db

BASE = "/can-bo/chuyen-doi-so"


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
    today = timezone.localdate()
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

    # Tasks not done are handed over to the new commune (their lead units as written stay); a done one is not; the
    # plans stay with the old units.
    t = {k: Task.objects.get(pk=v.pk) for k, v in m["tasks"].items()}
    for key in ("led", "owned", "led_b", "led_c"):
        assert (t[key].handed_over_to, t[key].handed_over_on) == (new, today), key
    assert [list(t[k].lead_agencies.all()) for k in ("led", "owned", "led_b", "led_c")] == [[a], [], [b], [c]]
    assert t["done"].handed_over_to is None
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
