"""Facts recorded on a dossier without a status change: online payment, late digitization, a result that
became electronic after signing."""

import pytest

from motcua.audit.models import AuditEntry
from motcua.core.errors import InvalidTransition
from motcua.dossiers import lifecycle
from motcua.dossiers.models import DossierEvent
from motcua.outbox.models import OutboxEvent
from tests.dossiers.factories import at, make_world

pytestmark = pytest.mark.django_db


def test_online_payment_marks_dossier_paid_once_with_event_and_outbox():
    w = make_world()
    d = w.submit()
    d = lifecycle.record_online_payment(d, amount_vnd=75000, reference="MC-1", at=at(2026, 3, 2, 9))
    assert d.fee_paid_online is True
    assert d.status == "submitted"  # paying does not move the dossier
    outbox = OutboxEvent.objects.filter(topic="dossier.record_payment")
    assert outbox.count() == 1
    assert outbox.get().payload["fee_paid_online"] is True
    assert outbox.get().payload["submitted_at"] and outbox.get().payload["closed_at"] is None
    assert DossierEvent.objects.filter(dossier=d, action="record_payment").get().data["amount_vnd"] == 75000

    # The gateway's second notice (callback, then reconciliation) changes nothing.
    lifecycle.record_online_payment(d, amount_vnd=75000, reference="MC-1", at=at(2026, 3, 2, 10))
    assert OutboxEvent.objects.filter(topic="dossier.record_payment").count() == 1


def test_late_digitization_of_components_is_recorded_after_receipt():
    w = make_world()
    d = w.walk_in(digitized=False)
    assert d.digitized_at_receipt is False
    audit_before = AuditEntry.objects.count()
    d = lifecycle.record_digitization(d, kind="receipt", by=w.counter, at=at(2026, 3, 2, 9))
    assert d.digitized_at_receipt is True
    assert OutboxEvent.objects.filter(topic="dossier.digitized").get().payload["digitized_at_receipt"] is True
    assert AuditEntry.objects.count() == audit_before + 1


def test_result_digitization_needs_a_result():
    w = make_world()
    d = w.walk_in()
    with pytest.raises(InvalidTransition) as exc:
        lifecycle.record_digitization(d, kind="result", by=w.counter, at=at(2026, 3, 2, 9))
    assert exc.value.code == "no_result"
    d.refresh_from_db()
    assert d.result_digitized is False
    assert not OutboxEvent.objects.filter(topic="dossier.digitized").exists()


def test_an_electronic_result_is_recorded_late_only_after_signing_and_only_when_the_files_say_so():
    w = make_world()
    d = lifecycle.record_electronic_result(w.walk_in(), by=w.leader, at=at(2026, 3, 2, 9))
    assert not d.result_electronic  # not signed yet: signing asks the files itself
    for action, who in (("start_processing", w.counter), ("complete_step", w.specialist), ("approve", w.leader)):
        d = getattr(lifecycle, action)(d, officer=who, at=at(2026, 3, 2, 9))
    d = lifecycle.sign_result(d, officer=w.leader, electronic=False, digitized=False, at=at(2026, 3, 2, 10))
    lifecycle.record_electronic_result(d, electronic=lambda locked: False, by=w.leader, at=at(2026, 3, 2, 11))
    assert not OutboxEvent.objects.filter(topic="dossier.result_electronic").exists()
    d = lifecycle.record_electronic_result(d, electronic=lambda locked: True, by=w.leader, at=at(2026, 3, 2, 11))
    assert (d.result_electronic, d.result_digitized) == (True, True)
    assert OutboxEvent.objects.get(topic="dossier.result_electronic").payload["result_digitized"] is True


def test_a_request_user_wrapper_can_submit_with_an_idempotency_key():
    # The web layer hands the lifecycle request.user, a lazy wrapper around the account.
    from django.utils.functional import SimpleLazyObject

    w = make_world()
    lazy = SimpleLazyObject(lambda: w.citizen)
    first = w.submit(applicant=lazy, idempotency_key="nut-bam-2-lan")
    again = w.submit(applicant=lazy, idempotency_key="nut-bam-2-lan")
    assert first.pk == again.pk
