"""The digitization flags behind Decision 766 indicator 4.2 are what the dossier's documents show, over the API as
on the back-office pages: ``digitized`` in a request body is still accepted (older clients keep working) but never
recorded — at receipt an online dossier needs a file for every required component, any other dossier a confirmed
scan of each; at signing the result is electronic when a validly signed result PDF is on the dossier, digitized when
it is that or its scan was confirmed. ``electronic`` is likewise ignored."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.core.calendar import TZ
from motcua.documents.models import DigitizationJob, DigitizationKind, JobStatus, VaultItem
from motcua.dossiers.models import Dossier
from motcua.outbox.models import OutboxEvent
from tests.documents.conftest import make_pdf

from .conftest import post, submitted_code

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 12, 7, 9, 0, tzinfo=TZ)  # a working day: these tests are not about the calendar


@pytest.fixture(autouse=True)
def _working_day(clock):
    clock(MONDAY)


def submitted(world) -> Dossier:
    return Dossier.objects.get(code=submitted_code(world))


def confirm(dossier, kind=DigitizationKind.RECEIPT, component=None) -> None:
    """A scan whose extracted fields the officer confirmed (documents.digitization_flags.confirm_digitization)."""
    DigitizationJob.objects.create(dossier=dossier, kind=kind, component=component, status=JobStatus.CONFIRMED)


def published(dossier, action) -> dict:
    return OutboxEvent.objects.get(topic=f"dossier.{action}", aggregate_id=str(dossier.pk)).payload


def attach(world, dossier, component) -> None:
    """The citizen uploads a file for one component of the dossier (POST /api/v1/documents/attachments)."""
    r = world.client("citizen").post("/api/v1/documents/attachments", {
        "file": SimpleUploadedFile("to-khai.pdf", make_pdf()), "dossier_id": dossier.pk, "component_id": component.pk})
    assert r.status_code == 201, r.content


@pytest.fixture
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def test_an_online_dossier_missing_a_required_file_is_not_digitized_whatever_the_client_says(world, _media):
    d = submitted(world)
    first, second = world.procedure.components.order_by("order")
    attach(world, d, first)  # one of the two required components only
    r = post(world, "counter", f"/{d.code}/receive", {"digitized": True})
    assert r.status_code == 200, r.content
    d.refresh_from_db()
    assert d.digitized_at_receipt is False
    assert published(d, "receive")["digitized_at_receipt"] is False  # what the statistics count


def test_an_online_dossier_whose_components_carry_files_is_digitized_at_receipt(world, _media):
    """Submitted online, its components are electronic files already: nothing to scan (Circular 03/2025 art. 5),
    and Decision 766 indicator 4.2 counts it digitized, as the seeds' rates do."""
    d = submitted(world)
    for component in world.procedure.components.all():
        attach(world, d, component)
    r = post(world, "counter", f"/{d.code}/receive", {"digitized": False})
    assert r.status_code == 200, r.content
    d.refresh_from_db()
    assert d.digitized_at_receipt is True and published(d, "receive")["digitized_at_receipt"] is True


def test_confirmed_scans_do_not_stand_in_for_the_files_of_an_online_dossier(world):
    d = submitted(world)
    for component in world.procedure.components.all():
        confirm(d, component=component)  # not possible through the screens: shown only to check the rule
    assert post(world, "counter", f"/{d.code}/receive").status_code == 200
    d.refresh_from_db()
    assert d.digitized_at_receipt is False


def test_a_walk_in_reception_has_no_confirmed_scan_yet(world):
    r = post(world, "counter", "/counter", {
        "procedure_code": world.procedure.code, "agency_code": world.agency.code,
        "applicant": {"name": "Phạm Văn Quầy", "id_number": "051080000789"}, "digitized": True})
    assert r.status_code == 201, r.content
    d = Dossier.objects.get(code=r.json()["code"])
    assert d.digitized_at_receipt is False and published(d, "receive_at_counter")["digitized_at_receipt"] is False


def _approved(world) -> Dossier:
    d = submitted(world)
    for action, who in (("receive", "counter"), ("start-processing", "counter"), ("complete-step", "specialist"),
                        ("approve", "leader")):
        assert post(world, who, f"/{d.code}/{action}").status_code == 200
    return d


def test_signing_over_the_api_claims_neither_an_electronic_nor_a_digitized_result(world):
    d = _approved(world)
    r = post(world, "leader", f"/{d.code}/sign-result")  # the defaults: once "electronic": true, "digitized": true
    assert r.status_code == 200, r.content
    r = post(world, "leader", f"/{_approved(world).code}/sign-result", {"electronic": True, "digitized": True})
    assert r.status_code == 200, r.content
    signed_ones = Dossier.objects.filter(status="ready_for_return")
    assert signed_ones.count() == 2
    for signed in signed_ones:
        assert (signed.result_electronic, signed.result_digitized) == (False, False)
        event = signed.events.get(action="sign_result")
        assert event.data == {"electronic": False, "digitized": False}
        assert published(signed, "sign_result")["result_electronic"] is False  # what indicator 4.1 counts


def upload_result(world, dossier, data: bytes) -> None:
    """The deciding agency files its result PDF on the dossier before signing (POST /api/v1/documents/attachments)."""
    r = world.client("leader").post("/api/v1/documents/attachments", {
        "file": SimpleUploadedFile("ket-qua.pdf", data), "dossier_id": dossier.pk, "kind": "result"})
    assert r.status_code == 201, r.content


def test_a_result_pdf_with_a_valid_signature_makes_the_result_electronic(world, _media, settings, tmp_path):
    from motcua.documents.signing import sign_pdf

    settings.MOTCUA_PKI_DIR = str(tmp_path / "pki")  # the demo CA, issued on first use
    signed, unsigned = _approved(world), _approved(world)
    upload_result(world, signed, sign_pdf(make_pdf("Giay khai sinh"), world.agency))
    upload_result(world, unsigned, make_pdf("Giay khai sinh"))  # a PDF, but no digital signature
    for d, electronic in ((signed, True), (unsigned, False)):
        assert post(world, "leader", f"/{d.code}/sign-result", {"electronic": True}).status_code == 200
        d.refresh_from_db()
        assert d.result_electronic is electronic and d.result_digitized is electronic  # a signed PDF is digitized
        assert published(d, "sign_result")["result_electronic"] is electronic
        # the electronic result is kept in the applicant's repository, as one signed in the back office is (4.4)
        kept = [(i.attachment.kind, i.kind) for i in VaultItem.objects.filter(source_dossier=d)]
        assert kept == ([("result", "result")] if electronic else [])
        assert d.vault_linked is electronic


def test_signing_records_a_confirmed_scan_of_the_paper_result(world):
    d = _approved(world)
    confirm(d, kind=DigitizationKind.RESULT)
    r = post(world, "leader", f"/{d.code}/sign-result", {"electronic": False, "digitized": False})
    assert r.status_code == 200, r.content
    d.refresh_from_db()
    assert (d.result_electronic, d.result_digitized) == (False, True)
    assert published(d, "sign_result")["result_digitized"] is True


def test_the_openapi_document_says_the_flag_is_ignored(world):
    schemas = world.client(None).get("/api/v1/openapi.json").json()["components"]["schemas"]
    for name, flag in (("ReceiveIn", "digitized"), ("CounterIn", "digitized"), ("SignResultIn", "digitized"),
                       ("SignResultIn", "electronic")):
        field = schemas[name]["properties"][flag]
        assert field["deprecated"] is True and "bị bỏ qua" in field["description"], name


def test_a_procedure_with_an_electronic_result_only_is_not_signed_over_the_api_without_its_file(
        world, _media, settings, tmp_path):
    from motcua.documents.signing import sign_pdf

    settings.MOTCUA_PKI_DIR = str(tmp_path / "pki")
    world.procedure.result_type = "electronic"
    world.procedure.save(update_fields=["result_type"])
    d = _approved(world)
    r = post(world, "leader", f"/{d.code}/sign-result")
    assert r.status_code == 422 and r.json()["code"] == "result_file_required", r.content
    assert "cần tải lên tệp kết quả (PDF)" in r.json()["message"]
    d.refresh_from_db()
    assert d.status == "approved" and not d.events.filter(action="sign_result").exists()
    upload_result(world, d, sign_pdf(make_pdf("Giay phep"), world.agency))
    assert post(world, "leader", f"/{d.code}/sign-result").status_code == 200
    d.refresh_from_db()
    assert d.status == "ready_for_return" and d.result_electronic


def electronic_results(world) -> tuple:
    """Decision 766 indicator 4.1 for the agency this month, as anyone reads it (GET /api/v1/reporting/index766)."""
    from motcua.reporting import consumer

    consumer.consume()  # the statistics read model follows the outbox (manage.py consume_events)
    r = world.client(None).get("/api/v1/reporting/index766", {"period": "2026-12", "scope": world.agency.code})
    assert r.status_code == 200, r.content
    item = next(i for g in r.json()["groups"] for i in g["indicators"] if i["code"] == "4.1")
    return item["numerator"], item["denominator"]


def test_a_validly_signed_result_filed_after_signing_makes_the_result_electronic(world, _media, settings, tmp_path):
    """Signed as not electronic, the result becomes electronic when its signed PDF is filed later: a late fact through
    the lifecycle (event, audit entry, outbox event), which indicator 4.1 counts."""
    from motcua.audit.models import AuditEntry
    from motcua.documents.signing import sign_pdf

    settings.MOTCUA_PKI_DIR = str(tmp_path / "pki")
    late, unsigned = _approved(world), _approved(world)
    for d in (late, unsigned):
        assert post(world, "leader", f"/{d.code}/sign-result").status_code == 200
    assert electronic_results(world) == (0, 2)
    upload_result(world, unsigned, make_pdf("Giay khai sinh"))  # no digital signature: nothing to record
    upload_result(world, late, sign_pdf(make_pdf("Giay khai sinh"), world.agency))
    late.refresh_from_db()
    unsigned.refresh_from_db()
    assert (late.status, late.result_electronic, late.result_digitized) == ("ready_for_return", True, True)
    assert not unsigned.result_electronic and not unsigned.events.filter(action="result_electronic").exists()
    event = late.events.get(action="result_electronic")
    assert event.data == {"flag": "result_electronic", "also": ["result_digitized"]}
    assert event.actor == world.users["leader"]
    assert published(late, "result_electronic")["result_electronic"] is True
    assert AuditEntry.objects.filter(action="dossier.result_electronic", object_id=str(late.pk)).count() == 1
    assert electronic_results(world) == (1, 2)
    assert VaultItem.objects.get(source_dossier=late).attachment.kind == "result"  # the applicant keeps it
    upload_result(world, late, sign_pdf(make_pdf("Ban sao"), world.agency))  # recorded once
    assert late.events.filter(action="result_electronic").count() == 1
