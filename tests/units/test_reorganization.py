"""Merging two demo communes with dossiers in every status and officers of every role: the preview says what
applying does, applying does exactly that once, the audit chain holds and the province's figures do not move."""

import datetime as dt
import io

import pytest
from docx import Document

from motcua.accounts.models import Role, RoleAssignment
from motcua.accounts.permissions import forget_roles, has_role
from motcua.audit.models import AuditEntry
from motcua.core.errors import ValidationFailed
from motcua.dossiers import lifecycle
from motcua.dossiers.access import visible_dossiers
from motcua.dossiers.models import Dossier, DossierEvent, Status
from motcua.integrations import messages
from motcua.outbox.models import OutboxEvent
from motcua.papers import slips
from motcua.reporting import indicators
from motcua.reporting.consumer import consume, recompute_from_dossiers, stored_counters
from motcua.units.models import Agency, ReorganizationPlan, ReorganizationProgress
from motcua.units.reorganization import apply, lineage_codes, preview, report
from tests.dossiers.factories import APPLICANT
from tests.factories import officer
from tests.units import reorganization_world as world

pytestmark = pytest.mark.django_db

YEAR = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))


def _counts():
    return (AuditEntry.objects.count(), OutboxEvent.objects.count(), DossierEvent.objects.count(),
            ReorganizationProgress.objects.count(), RoleAssignment.objects.count())


def test_preview_says_what_apply_does_once_and_totals_do_not_move():
    w = world.build()
    consume()
    province_before = indicators.totals(*YEAR).values
    a_before, b_before = (indicators.totals(*YEAR, a.code).values for a in (w.agency_a, w.agency_b))
    before = {label: (d.code, d.status, d.due_at, d.events.count()) for label, d in w.dossiers.items()}
    plan = world.approved(w)

    shown = preview(plan)
    assert shown.problems == []
    assert shown.counts == {
        "units.open": {"created": 1},
        "catalog.procedures": {"moved": 2},  # the shared one (a collision, merged) and the one only A received
        "catalog.process_steps": {"moved": 1},
        "accounts.roles": {"moved": 9, "merged": 1, "ended": 1},
        "dossiers.in_flight": {"moved": 14},  # 10 open at A, 3 at B, 1 at A for the province's department
        "engagement.feedback": {"moved": 1},  # the open item; the published one stays with A's history
        "units.close": {"closed": 2},
        "units.notify": {"sent": 1},
    }
    assert report(plan) == {}  # the preview wrote nothing

    done = apply(plan, w.admin)
    assert done == shown.counts
    plan.refresh_from_db()
    assert plan.status == ReorganizationPlan.APPLIED and plan.new_agency.code == "H51.50.97"

    facts = world.summary(plan)
    assert facts["open_on_old"] == 0 and facts["roles_on_old"] == 0
    assert facts["audit_ok"] and facts["dossiers_moved_twice"] == 0
    assert facts["transfer_events"] == facts["transfer_outbox"] == 14 and facts["notices"] == 1

    new = plan.new_agency
    for label, d in w.dossiers.items():
        d.refresh_from_db()
        code, status, due, events = before[label]
        assert (d.code, d.status, d.due_at) == (code, status, due), label  # code, status, deadline unchanged
        moved = status in world.OPEN
        assert d.events.count() == events + (1 if moved else 0), label
        if label.startswith(("a:", "b:")):
            assert d.agency == (new if moved else (w.agency_a if label.startswith("a:") else w.agency_b)), label
    # The control sheet (Mẫu 05) records the move like a hand-over between agencies.
    sheet = Document(io.BytesIO(slips.render("control_sheet", w.dossiers["a:paused"], fmt="docx")))
    cells = [c.text for t in sheet.tables for row in t.rows for c in row.cells]
    assert any("Giao: Ủy ban nhân dân phường Cẩm Thành" in c and "Nhận: Ủy ban nhân dân phường Hợp Nhất" in c
               for c in cells)
    at_a = w.dossiers["province:at_a"]
    assert at_a.agency == w.province_agency and at_a.current_agency == new  # a step done at A is now at the new one
    assert at_a.step_runs.get(finished_at__isnull=True).agency == new

    # Officers: roles moved (departments kept by code), the duplicate merged, the chosen one ended.
    specialist = w.officers[("a", Role.SPECIALIST)]
    ra = RoleAssignment.objects.get(user=specialist)
    assert (ra.agency, ra.department.code) == (new, "VHXH")
    assert not RoleAssignment.objects.filter(user=w.officers[("b", Role.UNIT_ADMIN)]).exists()
    assert RoleAssignment.objects.filter(user=w.shared_counter).count() == 1
    forget_roles(specialist)
    assert visible_dossiers(specialist).filter(pk=w.dossiers["a:processing"].pk).exists()

    # Old units closed with end date and successor; agencies keep their codes, stop receiving.
    for unit, agency in ((w.a, w.agency_a), (w.b, w.agency_b)):
        unit.refresh_from_db()
        agency.refresh_from_db()
        assert not unit.is_active and unit.replaced_by == plan.new_unit
        assert unit.valid_to == plan.effective_date - dt.timedelta(days=1)
        assert not agency.is_active and agency.successor == new
    assert set(new.procedures.values_list("code", flat=True)) == {w.procedures["shared"].code,
                                                                   w.procedures["only_a"].code}
    assert not w.agency_a.procedures.exists()

    # The applicant is told, in Vietnamese, through the outbox.
    event = OutboxEvent.objects.filter(topic="dossier.transfer_agency", payload__code=w.dossiers["a:paused"].code).get()
    assert event.payload["agency_code"] == new.code
    assert "chuyển về UBND phường Hợp Nhất" in messages.sms_text(event.payload)
    assert messages.sms_text(event.payload).startswith("Do sắp xếp đơn vị hành chính, hồ sơ ")
    assert messages.email_message(event.payload)[1].startswith("Do sắp xếp đơn vị hành chính, hồ sơ ")

    # Statistics: the province's figures are unchanged, the new unit with its predecessors is the sum of both.
    consume()
    assert stored_counters() == recompute_from_dossiers()
    assert indicators.totals(*YEAR).values == province_before
    lineage = indicators.totals(*YEAR, f"lineage:{new.code}").values
    assert lineage == {k: a_before.get(k, 0) + b_before.get(k, 0) for k in set(a_before) | set(b_before)
                       if a_before.get(k, 0) + b_before.get(k, 0) or k in lineage}
    assert lineage_codes(new.code) == [new.code, w.agency_a.code, w.agency_b.code]

    # Applying again changes nothing.
    snapshot = _counts()
    assert apply(plan, w.admin) == done
    assert _counts() == snapshot


def test_a_new_dossier_cannot_land_on_a_closed_committee():
    w = world.build()
    plan = world.approved(w)
    apply(plan, w.admin)
    plan.refresh_from_db()
    w.agency_a.refresh_from_db()
    with pytest.raises(ValidationFailed) as err:
        lifecycle.submit_online(applicant=w.citizen, procedure=w.procedures["shared"], agency=w.agency_a,
                                applicant_data=APPLICANT, form_data={"ten_tre": "An"})
    # its unit merged into the new one: said so, and where to file instead (units.receiving)
    assert err.value.code == "agency_merged"
    assert err.value.message.endswith(f", vui lòng nộp tại {plan.new_agency.name}.")
    assert f"đã sáp nhập vào {plan.new_unit.name} từ ngày {plan.effective_date:%d/%m/%Y}" in err.value.message
    leader = w.officers[("a", Role.LEADER)]
    forget_roles(leader)
    assert not has_role(leader, Role.LEADER, w.agency_a) and has_role(leader, Role.LEADER, plan.new_agency)
    assert Agency.objects.get(pk=plan.new_agency_id).is_active
    assert Dossier.objects.filter(status=Status.SUBMITTED, agency=plan.new_agency).count() == 2


def test_a_dossier_handed_over_by_a_merged_committee_returns_to_the_agency_that_took_it_over():
    """The plan moves the lead (receiving) agency of an old committee's dossier that another agency holds (a
    hand-over, liên thông) and leaves it where it is: returned afterwards, it goes to the new committee, not to the
    closed one (dossiers.lifecycle.return_from_agency asks units.receiving)."""
    w = world.build()
    d = lifecycle.hand_over(w.dossiers["a:processing"], officer=w.officers[("a", Role.SPECIALIST)],
                            to_agency=w.province_agency, note="Xin ý kiến")
    plan = world.approved(w)
    apply(plan, w.admin)
    plan.refresh_from_db()
    d.refresh_from_db()
    assert (d.agency, d.current_agency) == (plan.new_agency, w.province_agency)
    d = lifecycle.return_from_agency(d, officer=officer(Role.SPECIALIST, w.province_agency), note="Đã cho ý kiến")
    assert d.current_agency == plan.new_agency
    assert d.events.order_by("-at", "-id").values_list("agency__code", "to_agency__code").first() == \
        (w.province_agency.code, plan.new_agency.code)


def _docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    return "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for row in t.rows for c in row.cells])


def test_papers_issued_before_the_merger_keep_the_old_committee_and_the_applicant_sees_where_they_filed(client):
    w = world.build()
    apply(world.approved(w), w.admin)
    walk_in, online = w.dossiers["a:paused"], w.dossiers["a:submitted"]
    for d in (walk_in, online):
        d.refresh_from_db()
        assert d.agency.name == "Ủy ban nhân dân phường Hợp Nhất"

    # The receipt of March is the one the applicant holds: issued by Cẩm Thành's counter, in Cẩm Thành.
    receipt = _docx_text(slips.render_slip(walk_in.slips.get(kind="receipt"), fmt="docx"))
    assert "Bộ phận Một cửa — Ủy ban nhân dân phường Cẩm Thành đã tiếp nhận hồ sơ của:" in receipt
    assert "Cẩm Thành, ngày 0" in receipt and "Hợp Nhất" not in receipt
    # The control sheet: received at Cẩm Thành's counter, then moved to the new committee.
    sheet = _docx_text(slips.render("control_sheet", walk_in, fmt="docx"))
    assert "Nhận: Bộ phận Một cửa — Ủy ban nhân dân phường Cẩm Thành (Cán bộ A counter_officer)" in sheet

    # The applicant's pages say where they filed and where the dossier is now.
    client.force_login(w.citizen)
    page = client.get(f"/ho-so-cua-toi/{online.pk}/").content.decode()
    assert ("Hồ sơ nộp tại Ủy ban nhân dân phường Cẩm Thành; do sắp xếp đơn vị hành chính, hồ sơ chuyển về "
            "Ủy ban nhân dân phường Hợp Nhất, giữ nguyên mã hồ sơ và ngày hẹn trả.") in page
    client.logout()
    found = client.post("/tra-cuu/", {"code": walk_in.code, "secret": APPLICANT["phone"][-4:]}).content.decode()
    assert "Hồ sơ nộp tại Ủy ban nhân dân phường Cẩm Thành" in found
    # A dossier that stayed where it was filed says nothing of the kind.
    closed = w.dossiers["a:returned"]
    assert "Hồ sơ nộp tại" not in client.post("/tra-cuu/", {"code": closed.code,
                                                           "secret": APPLICANT["phone"][-4:]}).content.decode()


def test_the_next_online_submission_finds_the_merged_commune_under_its_successor(client):
    w = world.build()
    shared = w.procedures["shared"]
    elsewhere = Agency.objects.get(admin_unit__code="21034")  # another commune that receives it too
    shared.agencies.add(elsewhere)
    plan = world.approved(w)
    apply(plan, w.admin)
    plan.refresh_from_db()
    new = plan.new_agency
    # The procedure's public page names the old communes beside the one that receives for them now.
    page = client.get(f"/thu-tuc/{shared.code}/").content.decode()
    assert ("<strong>Ủy ban nhân dân phường Hợp Nhất</strong> <span class=\"hint\">(trước đây: UBND phường Cẩm Thành, "
            "UBND phường Nghĩa Lộ)</span>") in page
    client.force_login(w.citizen)  # whose last dossier (refused, closed) stays with Nghĩa Lộ, now merged
    resp = client.get(f"/thu-tuc/{shared.code}/nop-truc-tuyen/")
    assert resp.status_code == 200
    html = resp.content.decode()
    # Cẩm Thành and Nghĩa Lộ are in no list any more: the applicant finds them by the successor's option, chosen.
    assert (f'<option value="{new.pk}" selected>Ủy ban nhân dân phường Hợp Nhất (trước đây: UBND phường Cẩm Thành, '
            "UBND phường Nghĩa Lộ)</option>") in html
    assert f'<option value="{elsewhere.pk}">{elsewhere.name}</option>' in html
    assert "Đã chọn sẵn nơi bạn nộp hồ sơ lần trước" in html
