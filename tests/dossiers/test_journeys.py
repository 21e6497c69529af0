"""Whole journeys through the lifecycle, as a citizen and the officers would live them."""

import pytest

from motcua.audit.models import AuditEntry
from motcua.core.errors import PermissionDenied
from motcua.dossiers import lifecycle
from motcua.dossiers.models import DossierEvent, Slip, Status, StepRun
from motcua.outbox.models import OutboxEvent

from .factories import at, make_world

pytestmark = pytest.mark.django_db

PAYLOAD_KEYS = {"dossier_id", "code", "action", "from_status", "to_status", "at", "procedure_code",
                "procedure_online_level", "field_code", "agency_code", "current_agency_code", "channel",
                "received_at", "due_at", "decided_at", "returned_at", "fee_vnd", "fee_paid_online",
                "digitized_at_receipt", "result_digitized", "result_electronic", "supplement_count",
                "apology_count", "applicant_id_number"}


def test_full_online_journey_with_inter_agency_step():
    w = make_world(inter_agency=True)
    d = w.submit(when=at(2026, 3, 2, 8))  # Monday
    assert d.status == Status.SUBMITTED and d.channel == "online"
    assert d.code == f"{w.agency.code}-260302-0001"
    assert d.applicant_name == "Trần Thị Bình" and d.applicant_id_number == "051190000123"

    d = lifecycle.receive(d, officer=w.counter, digitized=True, at=at(2026, 3, 2, 9))
    assert d.status == Status.RECEIVED and d.rule_version == "decree118_2025"
    # 3 working days of 8h from Mon 09:00 → Thu 09:00
    assert d.due_at == at(2026, 3, 5, 9)
    assert Slip.objects.filter(dossier=d, kind=Slip.RECEIPT).count() == 1

    d = lifecycle.start_processing(d, officer=w.counter, assignee=w.specialist, at=at(2026, 3, 2, 10))
    assert d.status == Status.PROCESSING and d.current_step.order == 1 and d.current_agency == w.agency
    assert d.assignee == w.specialist

    d = lifecycle.complete_step(d, officer=w.specialist, note="Đủ điều kiện", at=at(2026, 3, 2, 15))
    assert d.current_step.order == 2 and d.current_agency == w.other_agency
    handover = DossierEvent.objects.get(dossier=d, action="complete_step")
    assert handover.agency == w.agency and handover.to_agency == w.other_agency

    # the commune specialist may not complete the other agency's step
    with pytest.raises(PermissionDenied):
        lifecycle.complete_step(d, officer=w.specialist, at=at(2026, 3, 3, 8))
    d = lifecycle.complete_step(d, officer=w.other_specialist, at=at(2026, 3, 3, 9))
    assert d.current_step.order == 3 and d.current_agency == w.agency

    d = lifecycle.approve(d, officer=w.leader, summary="Cấp giấy khai sinh", at=at(2026, 3, 3, 10))
    assert d.status == Status.APPROVED and d.decided_at == at(2026, 3, 3, 10)
    assert not StepRun.objects.filter(dossier=d, finished_at__isnull=True).exists()
    d = lifecycle.sign_result(d, officer=w.leader, at=at(2026, 3, 3, 11))
    assert d.status == Status.READY_FOR_RETURN and d.result_electronic and d.result_digitized
    d = lifecycle.return_result(d, officer=w.counter, at=at(2026, 3, 3, 14))
    assert d.status == Status.RETURNED and d.return_method == "online"
    assert lifecycle.timeliness(d) == "early"

    actions = list(DossierEvent.objects.filter(dossier=d).values_list("action", flat=True))
    assert actions == ["submit_online", "receive", "start_processing", "complete_step", "complete_step",
                       "approve", "sign_result", "return_result"]
    outbox = list(OutboxEvent.objects.filter(aggregate_id=str(d.pk)).order_by("id"))
    assert [o.topic for o in outbox] == [f"dossier.{a}" for a in actions]
    assert all(PAYLOAD_KEYS <= set(o.payload) for o in outbox)
    assert outbox[-1].payload["to_status"] == "returned" and outbox[-1].payload["returned_at"]
    assert AuditEntry.objects.filter(object_type="dossier", object_id=str(d.pk)).count() == len(actions)
    assert d.version == len(actions)


def test_walk_in_dossier_is_received_directly_with_code_and_appointment():
    w = make_world()
    d = w.walk_in(when=at(2026, 3, 6, 16))  # Friday 16:00
    assert d.status == Status.RECEIVED and d.channel == "counter" and d.code.endswith("-260306-0001")
    # 1h left on Friday, then Mon, Tue, and 7h of Wed → Wed 16:00 (3 × 8h)
    assert d.due_at == at(2026, 3, 11, 16)
    assert d.version == 1 and d.events.count() == 1
    second = w.walk_in(when=at(2026, 3, 6, 16, 5), channel="post")
    assert second.code.endswith("-260306-0002") and second.channel == "post"
