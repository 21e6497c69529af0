"""The documents API: uploads with 4xx refusals, digitization start/poll/confirm, verification, vault."""

import io

import pytest
from django.test import Client

from motcua.demo import synthetic
from motcua.documents import ocr
from motcua.documents.attachments import store_upload
from motcua.documents.models import Attachment, DigitizationJob, VaultItemKind
from motcua.documents.signing import sign_pdf
from motcua.documents.vault import add_to_vault
from tests.factories import sign_in

from .conftest import make_dossier, make_pdf, stored_files

API = "/api/v1/documents"


def client_for(user=None) -> Client:
    c = Client()
    if user is not None:
        sign_in(c, user)
    return c


def post_file(client, data: bytes, name: str, **form):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(f"{API}/attachments", {"file": SimpleUploadedFile(name, data), **form})


def test_upload_and_download(people, tmp_path):
    dossier = make_dossier(people, status="submitted")
    comp = people["procedure"].components.first()
    r = post_file(client_for(people["citizen"]), make_pdf(), "to-khai.pdf", dossier_id=dossier.pk,
                  component_id=comp.pk)
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["content_type"] == "application/pdf" and body["dossier_id"] == dossier.pk
    got = client_for(people["counter"]).get(f"{API}/attachments/{body['id']}/content")
    assert got.status_code == 200 and got["X-Content-Type-Options"] == "nosniff"
    assert b"".join(got.streaming_content)[:5] == b"%PDF-"
    # Someone unrelated sees nothing.
    assert client_for(people["other_citizen"]).get(f"{API}/attachments/{body['id']}").status_code == 404


@pytest.mark.parametrize(("data", "status", "code"), [
    (b"MZ\x90\x00" + b"\0" * 100, 415, "file_type_not_allowed"),
    (b"%PDF-1.4\nnot really a pdf\n%%EOF", 422, "pdf_broken"),
])
def test_refused_upload_answers_4xx_and_stores_nothing(people, tmp_path, data, status, code):
    r = post_file(client_for(people["citizen"]), data, "x.pdf")
    assert r.status_code == status
    assert r.json()["code"] == code and r.json()["message"]
    assert Attachment.objects.count() == 0 and stored_files(tmp_path) == []


def test_too_large_is_413(people, settings):
    settings.MOTCUA_MAX_UPLOAD_BYTES = 100
    r = post_file(client_for(people["citizen"]), make_pdf(), "a.pdf")
    assert r.status_code == 413 and r.json()["code"] == "file_too_large"


def test_anonymous_upload_is_401(people):
    assert post_file(Client(), make_pdf(), "a.pdf").status_code == 401


def test_citizen_cannot_upload_a_result(people):
    dossier = make_dossier(people)
    r = post_file(client_for(people["citizen"]), make_pdf(), "kq.pdf", dossier_id=dossier.pk, kind="result")
    assert r.status_code == 403


def test_upload_to_someone_elses_dossier_is_404(people):
    dossier = make_dossier(people)
    r = post_file(client_for(people["other_citizen"]), make_pdf(), "a.pdf", dossier_id=dossier.pk)
    assert r.status_code == 404 and Attachment.objects.count() == 0


@pytest.mark.skipif(not ocr.ocr_available(), reason="tesseract-ocr-vie is not installed")
def test_digitization_start_poll_confirm(people, django_capture_on_commit_callbacks):
    dossier = make_dossier(people)
    buf = io.BytesIO()
    synthetic.identity_card_page().image.save(buf, "PNG")
    counter = client_for(people["counter"])
    up = post_file(counter, buf.getvalue(), "cccd.png", dossier_id=dossier.pk, kind="scan")
    assert up.status_code == 201, up.content
    # A citizen cannot start the officer's digitization.
    denied = client_for(people["citizen"]).post(f"{API}/digitization", {"attachment_ids": [up.json()["id"]],
                                                                        "dossier_id": dossier.pk},
                                                content_type="application/json")
    assert denied.status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        r = counter.post(f"{API}/digitization", {"attachment_ids": [up.json()["id"]], "dossier_id": dossier.pk},
                         content_type="application/json")
    assert r.status_code == 202, r.content
    assert r.json()["pages_total"] == 1
    poll = counter.get(f"{API}/digitization/{r.json()['id']}").json()
    assert poll["status"] == "done" and poll["progress_percent"] == 100
    assert poll["fields"]["id_number"]["value"] == "051090001234"
    assert poll["fields"]["full_name"]["value"] == "NGUYỄN VĂN AN"
    ok = counter.post(f"{API}/digitization/{poll['id']}/confirm",
                      {"fields": {"id_number": "051090001234", "full_name": "NGUYỄN VĂN AN"}},
                      content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "confirmed"
    bad = counter.post(f"{API}/digitization/{poll['id']}/confirm", {"fields": {"id_number": "12"}},
                       content_type="application/json")
    assert bad.status_code == 422 and bad.json()["code"] == "id_number_invalid"


def test_verify_endpoint_is_public(people):
    from django.core.files.uploadedfile import SimpleUploadedFile

    signed = sign_pdf(make_pdf("Giay khai sinh"), people["agency"])
    r = Client().post(f"{API}/verify", {"file": SimpleUploadedFile("kq.pdf", signed)})
    assert r.status_code == 200
    assert r.json()["valid"] and r.json()["signer"] == "UBND xã Tịnh Sơn"
    tampered = bytearray(signed)
    pos = tampered.index(b"stream") + 20
    tampered[pos] ^= 0xFF
    r = Client().post(f"{API}/verify", {"file": SimpleUploadedFile("kq.pdf", bytes(tampered))})
    assert r.status_code == 200 and not r.json()["intact"] and not r.json()["valid"]
    r = Client().post(f"{API}/verify", {"file": SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n")})
    assert r.status_code == 415


def test_vault_consent_and_reuse_over_api(people):
    item = add_to_vault(store_upload(make_pdf("CCCD"), owner=people["citizen"]), id_number="051090001234",
                        kind=VaultItemKind.COMPONENT, title="Căn cước công dân")
    dossier = make_dossier(people, status="submitted")
    counter, citizen = client_for(people["counter"]), client_for(people["citizen"])
    ask = {"id_number": "051090001234", "dossier_id": dossier.pk, "reason": "Đối chiếu khi tiếp nhận"}
    r = counter.get(f"{API}/vault", ask)
    assert r.status_code == 403 and r.json()["code"] == "vault_consent_missing"
    granted = citizen.post(f"{API}/vault/consents", {"id_number": "051090001234", "purpose": "prefill",
                                                     "dossier_id": dossier.pk, "days": 7},
                           content_type="application/json")
    assert granted.status_code == 201 and granted.json()["dossier_code"] == dossier.code
    r = counter.get(f"{API}/vault", ask)
    assert r.status_code == 200 and [i["title"] for i in r.json()] == ["Căn cước công dân"]
    reuse = counter.post(f"{API}/vault/{item.pk}/reuse", {"dossier_id": dossier.pk}, content_type="application/json")
    assert reuse.status_code == 201 and reuse.json()["reused"] is True
    assert reuse.json()["component_id"] == people["procedure"].components.get(name="Căn cước công dân").pk
    revoked = citizen.post(f"{API}/vault/consents/revoke", {"id_number": "051090001234", "purpose": "prefill"},
                           content_type="application/json")
    assert revoked.status_code == 200 and revoked.json()["revoked"] == 1
    assert counter.get(f"{API}/vault", ask).status_code == 403


def test_officer_of_another_unit_can_neither_record_consent_nor_read(people):
    """The attack of issue R1: a counter officer anywhere recorded "consent" for any ID number, then read."""
    from motcua.audit.models import AuditEntry
    from tests.factories import AgencyFactory, officer

    add_to_vault(store_upload(make_pdf("CCCD"), owner=people["citizen"]), id_number="051090001234",
                 kind=VaultItemKind.COMPONENT, title="Căn cước công dân")
    dossier = make_dossier(people, status="received")
    stranger = client_for(officer("counter_officer", AgencyFactory(code="H55.299"), username="quay-xa"))
    body = {"id_number": "051090001234", "purpose": "prefill"}
    r = stranger.post(f"{API}/vault/consents", body, content_type="application/json")
    assert r.status_code == 422 and r.json()["details"]["fields"] == {"dossier_id": "Thiếu thông tin bắt buộc."}
    r = stranger.post(f"{API}/vault/consents", {**body, "dossier_id": dossier.pk}, content_type="application/json")
    assert r.status_code == 404 and r.json()["code"] == "dossier_not_found"
    assert "Không tìm thấy" in r.json()["message"]
    r = stranger.get(f"{API}/vault", {"id_number": "051090001234"})
    assert r.status_code == 422 and r.json()["code"] == "vault_dossier_required"
    r = stranger.get(f"{API}/vault", {"id_number": "051090001234", "dossier_id": dossier.pk})
    assert r.status_code == 404 and r.json()["code"] == "dossier_not_found"
    # Even with the citizen's consent for that dossier, only its own unit reads.
    client_for(people["citizen"]).post(f"{API}/vault/consents", {**body, "dossier_id": dossier.pk},
                                       content_type="application/json")
    r = stranger.get(f"{API}/vault", {"id_number": "051090001234", "dossier_id": dossier.pk})
    assert r.status_code == 404
    assert not AuditEntry.objects.filter(action="vault.read", actor__username="quay-xa").exists()
    assert AuditEntry.objects.filter(action="vault.read_denied", actor__username="quay-xa",
                                     data__code="vault_dossier_required").exists()


def test_officer_records_consent_for_a_dossier_of_the_unit(people):
    dossier = make_dossier(people, status="received")
    counter = client_for(people["counter"])
    r = counter.post(f"{API}/vault/consents", {"id_number": "051090001234", "purpose": "processing",
                                               "dossier_id": dossier.pk}, content_type="application/json")
    assert r.status_code == 201 and r.json()["active"] is True
    # …only for that dossier's applicant.
    other = make_dossier(people, status="received", id_number="051190000999")
    r = counter.post(f"{API}/vault/consents", {"id_number": "051090001234", "purpose": "processing",
                                               "dossier_id": other.pk}, content_type="application/json")
    assert r.status_code == 422 and r.json()["code"] == "vault_dossier_other_person"


def test_openapi_documents_the_documents_endpoints(people):
    spec = Client().get("/api/v1/openapi.json").json()
    paths = spec["paths"]
    for p in ("/api/v1/documents/attachments", "/api/v1/documents/digitization/{job_id}",
              "/api/v1/documents/verify", "/api/v1/documents/vault", "/api/v1/documents/vault/{item_id}/reuse"):
        assert p in paths, p
    upload = paths["/api/v1/documents/attachments"]["post"]
    assert {"413", "415", "422"} <= set(upload["responses"])


def test_a_dossier_submitted_online_is_not_digitized_at_receipt_through_the_api_either(people):
    # Circular 03/2025 art. 5: its components are electronic already (the counter's page offers no scan either).
    from motcua.dossiers.models import Dossier

    dossier = make_dossier(people)
    Dossier.objects.filter(pk=dossier.pk).update(channel="online")
    counter = client_for(people["counter"])
    up = post_file(counter, make_pdf("CCCD"), "cccd.pdf", dossier_id=dossier.pk, kind="scan")
    assert up.status_code == 201, up.content
    r = counter.post(f"{API}/digitization", {"attachment_ids": [up.json()["id"]], "dossier_id": dossier.pk},
                     content_type="application/json")
    assert r.status_code == 422 and r.json()["code"] == "digitization_online_dossier"
    assert not DigitizationJob.objects.filter(dossier=dossier).exists()


@pytest.mark.parametrize("kind", ["result_draft", "result_replaced", "template", "evidence"])
def test_no_one_uploads_a_file_of_a_kind_the_system_makes(people, kind):
    """A draft result is what the leader signs when signing without a file: an applicant who could file one on their
    own dossier would have the agency sign and issue their text. Drafts come from the procedure's template,
    templates from the template page, evidence from the plan's task; the upload refuses those kinds to everyone."""
    from motcua.documents.result_drafts import latest_draft

    dossier = make_dossier(people, status="processing")
    for user in (people["citizen"], people["leader"]):
        r = post_file(client_for(user), make_pdf("Toi tu cap giay khai sinh"), "du-thao.pdf", dossier_id=dossier.pk,
                      kind=kind)
        assert r.status_code == 422, r.content
        assert r.json()["code"] == "attachment_kind_invalid"
        assert "không tải lên trực tiếp" in r.json()["message"]
    assert latest_draft(dossier) is None and Attachment.objects.count() == 0


def test_the_applicant_does_not_read_an_unsigned_draft_over_the_api(people):
    """The portal hides a draft result from the applicant (not a result until signed); the API hid it only from
    the list, not from its address."""
    dossier = make_dossier(people, status="processing")
    draft = store_upload(make_pdf("Du thao"), owner=people["citizen"], dossier=dossier, kind="result_draft",
                         uploaded_by=people["leader"])
    for path in (f"{API}/attachments/{draft.pk}", f"{API}/attachments/{draft.pk}/content"):
        assert client_for(people["citizen"]).get(path).status_code == 404
        assert client_for(people["leader"]).get(path).status_code == 200


def test_the_api_digitizes_and_confirms_by_the_rule_of_the_counter_screen(people):
    """Components at receipt: a counter officer of the receiving agency; the result: once decided. The back office
    always asked this (may_digitize); the API let any officer of the agency, at any status."""
    from motcua.documents.models import JobStatus
    from tests.factories import officer

    specialist = officer("specialist", people["agency"], username="chuyenvien1")
    dossier = make_dossier(people, status="processing")
    scan = store_upload(make_pdf("Ban quet"), owner=None, dossier=dossier, kind="scan", uploaded_by=people["counter"])
    refused = client_for(specialist).post(f"{API}/digitization", {"attachment_ids": [scan.pk], "dossier_id": dossier.pk},
                                          content_type="application/json")
    assert refused.status_code == 403 and "không được số hóa" in refused.json()["message"]
    early = client_for(people["leader"]).post(f"{API}/digitization", {"attachment_ids": [scan.pk], "kind": "result",
                                                                     "dossier_id": dossier.pk},
                                              content_type="application/json")
    assert early.status_code == 403  # the result is not decided yet
    assert not DigitizationJob.objects.exists()
    job = DigitizationJob.objects.create(dossier=dossier, kind="receipt", status=JobStatus.DONE,
                                         created_by=people["counter"])
    answer = client_for(specialist).post(f"{API}/digitization/{job.pk}/confirm", {"fields": {}},
                                         content_type="application/json")
    assert answer.status_code == 403
    job.refresh_from_db()
    assert job.status == JobStatus.DONE


def test_a_stalled_or_failed_job_is_run_again_over_the_api(people, django_capture_on_commit_callbacks):
    """What the counter screen's «Thử nhận dạng lại» does, a counter application does over the API: the job's
    answer says it stalled (its worker was killed) and the retry queues it again; a finished one is not retried, and
    someone who may not digitize it cannot."""
    import datetime as dt

    from django.utils import timezone

    from motcua.documents.models import DigitizationJob, JobStatus

    dossier = make_dossier(people)
    silent = timezone.now() - dt.timedelta(minutes=30)
    job = DigitizationJob.objects.create(dossier=dossier, status=JobStatus.RUNNING, pages_total=1, started_at=silent,
                                         progress_at=silent, created_by=people["counter"])
    counter = client_for(people["counter"])
    seen = counter.get(f"{API}/digitization/{job.pk}").json()
    assert seen["stalled"] is True and seen["error"].startswith("Lượt nhận dạng đã dừng giữa chừng")
    assert client_for(people["leader"]).post(f"{API}/digitization/{job.pk}/retry").status_code == 403
    with django_capture_on_commit_callbacks(execute=False) as queued:
        r = counter.post(f"{API}/digitization/{job.pk}/retry")
    assert r.status_code == 202 and r.json()["status"] == "queued" and not r.json()["stalled"] and len(queued) == 1
    again = counter.post(f"{API}/digitization/{job.pk}/retry")
    assert again.status_code == 409 and again.json()["code"] == "digitization_not_failed"


def test_only_a_counter_officer_digitizes_papers_outside_any_dossier(people, django_capture_on_commit_callbacks):
    """A paper digitized outside any dossier (a backlog of old results) joins the repository of whatever ID number
    is confirmed: a leader (any officer before) could start such a job, confirm it with a stranger's number and put
    a paper into that person's repository. Only the counter officer, who digitizes, may; others get 403
    ``digitization_forbidden`` with the reason in Vietnamese, and nothing is written."""
    from motcua.documents.models import JobStatus, VaultItem

    leader, counter = client_for(people["leader"]), client_for(people["counter"])
    scan = store_upload(make_pdf("Giay khai sinh cu"), owner=None, kind="scan", uploaded_by=people["leader"])
    refused = leader.post(f"{API}/digitization", {"attachment_ids": [scan.pk]}, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "digitization_forbidden"
    assert "công chức Bộ phận Một cửa" in refused.json()["message"]
    assert not DigitizationJob.objects.exists()

    output = store_upload(make_pdf("Giay khai sinh cu"), owner=None, kind="digitized", uploaded_by=people["leader"])
    job = DigitizationJob.objects.create(status=JobStatus.DONE, output=output, pages_total=1, pages_done=1,
                                         created_by=people["leader"])
    stranger = people["other_citizen"].id_number
    confirm = leader.post(f"{API}/digitization/{job.pk}/confirm", {"fields": {"id_number": stranger}},
                          content_type="application/json")
    assert confirm.status_code == 403 and confirm.json()["code"] == "digitization_forbidden"
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and not VaultItem.objects.filter(id_number=stranger).exists()
    DigitizationJob.objects.filter(pk=job.pk).update(status=JobStatus.FAILED)
    retry = leader.post(f"{API}/digitization/{job.pk}/retry")
    assert retry.status_code == 403 and retry.json()["code"] == "digitization_forbidden"

    own = store_upload(make_pdf("Giay khai sinh cu"), owner=None, kind="scan", uploaded_by=people["counter"])
    with django_capture_on_commit_callbacks(execute=False):
        started = counter.post(f"{API}/digitization", {"attachment_ids": [own.pk]}, content_type="application/json")
    assert started.status_code == 202 and started.json()["dossier_id"] is None
    done = DigitizationJob.objects.get(pk=started.json()["id"])
    DigitizationJob.objects.filter(pk=done.pk).update(status=JobStatus.DONE, output=output)
    ok = counter.post(f"{API}/digitization/{done.pk}/confirm", {"fields": {"id_number": "051090001234"}},
                      content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "confirmed"
    assert VaultItem.objects.filter(id_number="051090001234", attachment=output).exists()
