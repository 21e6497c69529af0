"""The dispatcher delivers every outbox event to every target once, in order, and survives failures."""

import datetime as dt
import json

import httpx
import pytest
from django.utils import timezone

from motcua.demo.simulators import Chaos
from motcua.integrations import dispatcher
from motcua.integrations.models import Delivery, WebhookSubscription
from motcua.integrations.signing import SignatureInvalid, sign, signed_headers, verify
from motcua.outbox.models import OutboxEvent

from .conftest import ACTIONS, emit_journey

pytestmark = pytest.mark.django_db(transaction=False)


def drain(max_batches=400):
    for _ in range(max_batches):
        dispatcher.run_batch()
        if dispatcher.pending_count() == 0:
            return
    raise AssertionError(f"still pending: {dispatcher.pending_count()}")


def test_each_event_goes_to_each_target_that_accepts_it(sims, configure, make_dossier):
    running = sims(("dvcqg", "sms", "email"))
    configure(running)
    d = make_dossier(applicant_email="")
    emit_journey(d, [("save_draft", "draft")] + ACTIONS)
    drain()
    assert Delivery.objects.filter(target="dvcqg").count() == len(ACTIONS)  # the draft is never synced
    # the applicant hears of receipt, start, apology, result ready, result returned — not internal steps
    assert Delivery.objects.filter(target="sms").count() == 5
    assert not Delivery.objects.exclude(status=Delivery.DELIVERED).exists()
    texts = [m["text"] for m in running["sms"].messages]
    assert "Hồ sơ " + d.code + " đã được tiếp nhận. Hẹn trả kết quả: 08:30 ngày 10/03/2026." in texts
    assert all(m["to"] == d.applicant_phone for m in running["sms"].messages)
    # no e-mail address: the e-mail deliveries are done without calling the relay
    assert running["email"].messages == []
    assert running["dvcqg"].history[d.code] == [(e, s) for e, s in zip(
        [x.event_id for x in Delivery.objects.filter(target="dvcqg").order_by("event_id")],
        [s for _, s in ACTIONS], strict=True)]


def test_receiver_rejects_a_wrong_signature_and_the_delivery_goes_dead(sims, configure, make_dossier, settings):
    running = sims(("dvcqg",))
    configure(running)
    settings.MOTCUA_INTEGRATIONS["dvcqg"]["secret"] = "not-the-shared-secret"
    emit_journey(make_dossier(), ACTIONS[:2])
    dispatcher.run_batch()
    dead = Delivery.objects.get(status=Delivery.DEAD)
    assert "HTTP 401" in dead.last_error and dead.attempts == 1
    # the next status of the same dossier waits behind the dead one: order is kept
    assert Delivery.objects.filter(status=Delivery.PENDING).count() == 1
    assert dispatcher.run_batch().claimed == 0
    assert running["dvcqg"].applied == {}


def test_outage_retries_with_backoff_dead_letter_and_resend(sims, configure, make_dossier):
    chaos = Chaos(down=True)
    running = sims(("dvcqg",), chaos=chaos)
    configure(running, max_attempts=3)
    d = make_dossier()
    emit_journey(d, ACTIONS[:3])
    for _ in range(3):
        dispatcher.run_batch()
    head = Delivery.objects.order_by("event_id").first()
    assert head.status == Delivery.DEAD and head.attempts == 3 and "HTTP 503" in head.last_error
    assert Delivery.objects.filter(status=Delivery.PENDING).count() == 2  # blocked behind the dead one
    chaos.down = False
    assert dispatcher.resend([head.pk]) == 1
    drain()
    assert [s for _, s in running["dvcqg"].history[d.code]] == ["received", "processing", "processing"]
    assert all(n == 1 for n in running["dvcqg"].applied.values())


def test_backoff_doubles_and_is_capped():
    cfg = {"base_delay_s": 5.0, "max_delay_s": 60.0}
    assert [dispatcher.backoff(n, cfg).total_seconds() for n in (1, 2, 3, 4, 5, 6)] == [5, 10, 20, 40, 60, 60]


def test_failed_attempt_is_rescheduled_later(sims, configure, make_dossier):
    running = sims(("dvcqg",), chaos=Chaos(down=True))
    configure(running, base_delay_s=30.0, max_delay_s=600.0)
    emit_journey(make_dossier(), ACTIONS[:1])
    before = timezone.now()
    dispatcher.run_batch()
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.PENDING and delivery.attempts == 1
    assert delivery.next_attempt_at >= before + dt.timedelta(seconds=30)
    assert dispatcher.run_batch().claimed == 0  # not due yet


def test_worker_killed_mid_delivery_loses_nothing_and_receiver_applies_once(sims, configure, make_dossier):
    running = sims(("dvcqg",))
    configure(running, lease_s=30)
    d = make_dossier()
    emit_journey(d, ACTIONS[:1])
    dispatcher.fan_out()
    claimed = dispatcher.claim("worker-a", 10)
    assert len(claimed) == 1
    # worker A sent the request, then died before writing the outcome
    adapters = {}
    from motcua.integrations.adapters import build

    adapters["dvcqg"] = build("dvcqg")
    adapters["dvcqg"].deliver(claimed[0].event, claimed[0])
    assert dispatcher.run_batch(worker="worker-b").claimed == 0  # still leased to A
    later = timezone.now() + dt.timedelta(seconds=31)
    result = dispatcher.run_batch(worker="worker-b", now=later)
    assert result.claimed == 1 and result.delivered == 1
    # A comes back to life and finishes: its stale lease changes nothing
    assert dispatcher.attempt(claimed[0], "worker-a", adapters) == "delivered"
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.DELIVERED and delivery.lease_owner == "worker-b"
    sim = running["dvcqg"]
    assert list(sim.applied.values()) == [1] and sim.duplicates == 2
    assert len(sim.history[d.code]) == 1


def test_signed_webhooks_to_third_parties(sims, configure, make_dossier):
    from motcua.demo.simulators import WebhookReceiver

    running = sims(("dvcqg",))
    configure(running)
    receiver = WebhookReceiver("partner", secret="partner-secret").start()
    try:
        sub = WebhookSubscription.objects.create(name="Ngân hàng đối tác", url=receiver.url + "/hooks/motcua",
                                                 secret="partner-secret", topics="dossier.return_result")
        d = make_dossier()
        emit_journey(d)
        drain()
        assert len(receiver.messages) == 1
        body = receiver.messages[0]
        assert body["topic"] == "dossier.return_result" and body["data"]["code"] == d.code
        assert Delivery.objects.get(target=f"webhook:{sub.pk}").status == Delivery.DELIVERED
    finally:
        receiver.stop()


def test_signature_verification_helper():
    body = json.dumps({"a": "Hồ sơ"}).encode()
    headers = signed_headers("s3cret", body, now=1_800_000_000)
    verify("s3cret", body, headers["X-Motcua-Timestamp"], headers["X-Motcua-Signature"], now=1_800_000_100)
    with pytest.raises(SignatureInvalid):
        verify("s3cret", body + b" ", headers["X-Motcua-Timestamp"], headers["X-Motcua-Signature"], now=1_800_000_100)
    with pytest.raises(SignatureInvalid):  # replayed ten minutes later
        verify("s3cret", body, headers["X-Motcua-Timestamp"], headers["X-Motcua-Signature"], now=1_800_000_600)
    assert sign("s3cret", body, 1) != sign("other", body, 1)


def test_webhook_to_a_dead_host_is_retried_not_lost(configure, make_dossier, settings):
    configure({})
    port_free = httpx.URL("http://127.0.0.1:9")  # discard port: connection refused
    WebhookSubscription.objects.create(name="x", url=str(port_free), secret="s", topics="dossier.*")
    emit_journey(make_dossier(), ACTIONS[:1])
    dispatcher.run_batch()
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.PENDING and delivery.attempts == 1 and delivery.last_error


def test_readme_verification_example_accepts_our_signature():
    import pathlib
    import re

    import motcua.integrations

    readme = (pathlib.Path(motcua.integrations.__file__).parent / "README.md").read_text(encoding="utf-8")
    code = re.search(r"```python\n(import hashlib.*?)\n# Flask example", readme, re.S).group(1)
    namespace = {}
    exec(code, namespace)  # noqa: S102 - our own documentation
    body = json.dumps({"topic": "dossier.receive", "data": {"code": "X"}}, ensure_ascii=False).encode()
    headers = signed_headers("partner-secret", body, idempotency_key="7:webhook:1", event_id=7)
    assert namespace["verify_motcua"]("partner-secret", body, headers) is True
    assert namespace["verify_motcua"]("other-secret", body, headers) is False
    assert namespace["verify_motcua"]("partner-secret", body[:-1], headers) is False


def test_dispatch_outbox_command_runs_one_batch(sims, configure, make_dossier):
    from io import StringIO

    from django.core.management import call_command

    running = sims(("dvcqg",))
    configure(running)
    emit_journey(make_dossier(), ACTIONS[:1])
    out = StringIO()
    call_command("dispatch_outbox", "--once", stdout=out)
    assert "đã gửi 1" in out.getvalue()
    assert Delivery.objects.get().status == Delivery.DELIVERED


def test_a_delivery_to_a_webhook_id_written_in_other_digits_waits_instead_of_stopping_the_worker(make_dossier):
    """'webhook:²' names no subscription (int() refused the "²" that str.isdigit() let through, and the batch
    raised, stopping the worker for every target): the delivery is kept for the admin with the reason."""
    emit_journey(make_dossier(), ACTIONS[:1])
    event = OutboxEvent.objects.order_by("id").last()
    Delivery.objects.create(event=event, target="webhook:²", aggregate_key="dossier:x", next_attempt_at=timezone.now())
    dispatcher.run_batch()
    stuck = Delivery.objects.get(target="webhook:²")
    assert stuck.status == Delivery.PENDING and "Đích gửi đã bị tắt" in stuck.last_error
