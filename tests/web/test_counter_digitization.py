"""Digitization from the counter screen (Django test client): scans refused with a Vietnamese reason and nothing
kept; the OCR job, the page beside the extracted fields; a component is digitized only once confirmed."""

import io

import pytest
from django.urls import reverse

from motcua.documents import ocr
from motcua.documents.models import Attachment, DigitizationJob, JobStatus
from motcua.dossiers import lifecycle
from motcua.dossiers.models import Status

pytestmark = pytest.mark.django_db
needs_ocr = pytest.mark.skipif(not ocr.ocr_available(), reason="tesseract-ocr-vie is not installed")


@pytest.fixture(autouse=True)
def _media_and_tasks(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def received(world):
    """A paper dossier received at the counter."""
    return lifecycle.receive_at_counter(
        officer=world["counter"], procedure=world["proc"], agency=world["agency"],
        applicant_data={"name": "Trần Thị Mai", "id_number": "051190001234"},
        form_data={"child_name": "Trần Minh An", "birth_date": "2026-11-01"})


def _png(image=None) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    (image or Image.new("L", (200, 100), 230)).save(buf, "PNG")
    return buf.getvalue()


def _upload(client, dossier, files, kind="receipt", component=None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {"scans": [SimpleUploadedFile(name, content) for name, content in files]}
    if component is not None:
        data["component"] = component.pk
    return client.post(reverse("backoffice:scan_upload", args=[dossier.pk, kind]), data)


def _nothing_kept(dossier):
    assert not Attachment.objects.filter(dossier=dossier, kind="scan").exists()
    assert not DigitizationJob.objects.filter(dossier=dossier).exists()


@pytest.mark.parametrize(("files", "status", "message"), [
    ([("don.txt", b"khong phai ban quet")], 415, "Tệp “don.txt” không phải bản quét"),
    ([("rong.png", b"")], 422, "Tệp rỗng"),
    ([("trang1.png", None), ("to-khai.docx", "docx")], 415, "không phải bản quét"),
    ([], 422, "Chưa chọn tệp bản quét nào."),
])
def test_bad_scans_are_refused_and_nothing_is_kept(client, world, received, files, status, message):
    files = [(n, _png() if c is None else _docx() if c == "docx" else c) for n, c in files]
    client.force_login(world["counter"])
    comp = world["proc"].components.first()
    resp = _upload(client, received, files, component=comp)
    assert resp.status_code == status
    assert message in resp.content.decode()
    _nothing_kept(received)


def test_too_large_scan_is_refused(client, world, received, settings):
    settings.MOTCUA_MAX_UPLOAD_BYTES = 1000
    client.force_login(world["counter"])
    resp = _upload(client, received, [("lon.png", _png() + b"\0" * 2000)], component=world["proc"].components.first())
    assert resp.status_code == 413
    assert "quá" in resp.content.decode()
    _nothing_kept(received)


@pytest.mark.parametrize("component", ["abc", " ", "1,5", "99999999999999999999", "other procedure's"])
def test_a_component_the_screen_never_offers_is_refused_and_nothing_is_kept(client, world, received, component):
    from tests.factories import ProcedureFactory

    if component == "other procedure's":
        component = ProcedureFactory().components.create(name="Giấy tờ khác", order=1).pk
    client.force_login(world["counter"])
    resp = client.post(reverse("backoffice:scan_upload", args=[received.pk, "receipt"]),
                       {"scans": [_file("a.png", _png())], "component": component})
    assert resp.status_code == 400
    assert "Thành phần hồ sơ đã chọn không thuộc thủ tục của hồ sơ này." in resp.content.decode()
    _nothing_kept(received)


def _file(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_only_the_counter_of_the_receiving_agency_may_scan(client, world, received):
    client.force_login(world["specialist"])
    resp = _upload(client, received, [("a.png", _png())], component=world["proc"].components.first())
    assert resp.status_code == 302
    _nothing_kept(received)


def test_a_dossier_submitted_online_has_nothing_to_digitize_at_receipt(client, world, submitted):
    d = lifecycle.receive(submitted, officer=world["counter"])
    client.force_login(world["counter"])
    body = client.get(reverse("backoffice:dossier", args=[d.pk])).content.decode()
    assert "Hồ sơ nộp trực tuyến: thành phần hồ sơ đã ở dạng điện tử" in body
    resp = _upload(client, d, [("a.png", _png())], component=world["proc"].components.first())
    assert resp.status_code == 302
    _nothing_kept(d)


def test_receiving_never_claims_digitization_by_itself(client, world, submitted):
    client.force_login(world["counter"])
    resp = client.post(reverse("backoffice:action", args=[submitted.pk, "receive"]), {"digitized": "on"})
    assert resp.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Status.RECEIVED and not submitted.digitized_at_receipt


@needs_ocr
def test_component_is_digitized_only_when_every_required_one_is_confirmed(client, world, received,
                                                                          django_capture_on_commit_callbacks):
    from motcua.demo import synthetic

    client.force_login(world["counter"])
    first, second = world["proc"].components.all()
    card = _png(synthetic.identity_card_page(degrade_page=False).image)
    with django_capture_on_commit_callbacks(execute=True):  # the OCR task runs as the upload commits
        resp = _upload(client, received, [("cccd-mat-truoc.png", card), ("cccd-mat-sau.png", _png())],
                       component=first)
    job = DigitizationJob.objects.get(dossier=received)
    assert resp.status_code == 302 and resp["Location"].endswith(f"/so-hoa/luot/{job.pk}/")
    assert job.status == JobStatus.DONE and job.pages_total == 2, job.error
    progress = client.get(reverse("backoffice:scan_progress", args=[received.pk, job.pk])).json()
    assert progress["progress"] == 100 and progress["download"]
    received.refresh_from_db()
    assert not received.digitized_at_receipt  # OCR finished, nobody checked it yet
    page = client.get(resp["Location"]).content.decode()
    assert 'value="051090001234"' in page and 'value="NGUYỄN VĂN AN"' in page
    img = client.get(reverse("backoffice:scan_page", args=[received.pk, job.pk, 2]))
    assert img["Content-Type"] == "image/png" and img.content[:4] == b"\x89PNG"
    assert client.get(reverse("backoffice:scan_page", args=[received.pk, job.pk, 3])).status_code == 404
    # A wrong ID number is refused with its reason; nothing is confirmed.
    bad = client.post(resp["Location"], {"full_name": "NGUYỄN VĂN AN", "id_number": "12345"})
    assert bad.status_code == 400 and "Số định danh cá nhân phải gồm đúng 12 chữ số." in bad.content.decode()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.confirmed_by is None
    ok = client.post(resp["Location"], {"full_name": "NGUYỄN VĂN AN", "id_number": "051090001234",
                                        "date_of_birth": "01/02/1990"})
    assert ok.status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.CONFIRMED and job.confirmed_by == world["counter"] and job.confirmed_at
    assert job.confirmed_fields["date_of_birth"] == "01/02/1990"
    received.refresh_from_db()
    assert not received.digitized_at_receipt  # the second required component is still paper only
    body = client.get(reverse("backoffice:dossier", args=[received.pk])).content.decode()
    assert "Đã số hóa" in body and "Chưa số hóa" in body
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, received, [("giay-chung-sinh.png", card)], component=second)
    job2 = DigitizationJob.objects.filter(dossier=received, component=second).get()
    client.post(reverse("backoffice:scan_job", args=[received.pk, job2.pk]), {"full_name": "NGUYỄN VĂN AN"})
    received.refresh_from_db()
    assert received.digitized_at_receipt


def _docx() -> bytes:
    import docx

    buf = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("Tờ khai")
    document.save(buf)
    return buf.getvalue()


@needs_ocr
def test_paper_result_is_digitized_before_return_once_confirmed(client, world, received,
                                                                 django_capture_on_commit_callbacks):
    from motcua.demo import synthetic

    d = lifecycle.start_processing(received, officer=world["counter"])
    d = lifecycle.complete_step(d, officer=world["specialist"])
    d = lifecycle.approve(d, officer=world["leader"], summary="Cấp Giấy khai sinh.")
    client.force_login(world["leader"])
    client.post(reverse("backoffice:action", args=[d.pk, "sign_result"]), {})  # a paper result, signed by hand
    d.refresh_from_db()
    assert d.status == Status.READY_FOR_RETURN and not d.result_digitized
    client.force_login(world["counter"])
    assert "Bản quét kết quả (giấy) trước khi trả" in client.get(reverse("backoffice:dossier", args=[d.pk])).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        resp = _upload(client, d, [("ket-qua.png", _png(synthetic.identity_card_page(degrade_page=False).image))],
                       kind="result")
    job = DigitizationJob.objects.get(dossier=d, kind="result")
    assert job.status == JobStatus.DONE and job.component is None
    d.refresh_from_db()
    assert not d.result_digitized
    assert client.post(resp["Location"], {"full_name": "NGUYỄN VĂN AN"}).status_code == 302
    d.refresh_from_db()
    assert d.result_digitized


def test_an_online_dossier_with_every_required_file_counts_as_digitized_at_receipt(client, world):
    """The citizen submits on the portal with a file for each component; nothing is scanned at the counter, and
    the reception records the dossier digitized (Decision 766 indicator 4.2, as the seeds count online dossiers)."""
    from tests.web.test_portal import _submit_payload

    client.force_login(world["citizen"])
    assert client.post(reverse("portal:submit", args=[world["proc"].code]), _submit_payload(world)).status_code == 302
    d = world["proc"].dossiers.get()
    client.force_login(world["counter"])
    page = client.get(reverse("backoffice:dossier", args=[d.pk])).content.decode()
    assert "Chưa có tệp" not in page and page.count("Đã có tệp") == world["proc"].components.count()
    assert client.post(reverse("backoffice:action", args=[d.pk, "receive"])).status_code == 302
    d.refresh_from_db()
    assert d.status == Status.RECEIVED and d.digitized_at_receipt
    assert "Hồ sơ đã được số hóa khi tiếp nhận." in client.get(reverse("backoffice:dossier", args=[d.pk])).content.decode()


def test_an_online_dossier_missing_a_required_file_is_shown_and_not_counted(client, world, submitted):
    first = world["proc"].components.filter(is_required=True).first()
    Attachment.objects.create(dossier=submitted, component=first, kind="component", original_name="a.pdf",
                              content_type="application/pdf", size=1, sha256="0" * 64, storage_path="a.pdf")
    client.force_login(world["counter"])
    page = client.get(reverse("backoffice:dossier", args=[submitted.pk])).content.decode()
    assert "Đã có tệp" in page and "Chưa có tệp" in page
    assert client.post(reverse("backoffice:action", args=[submitted.pk, "receive"])).status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Status.RECEIVED and not submitted.digitized_at_receipt


def test_the_supplement_form_ticks_the_required_files_an_online_dossier_lacks(client, world, submitted):
    import lxml.html

    first, second = world["proc"].components.filter(is_required=True).order_by("order")[:2]
    Attachment.objects.create(dossier=submitted, component=first, kind="component", original_name="a.pdf",
                              content_type="application/pdf", size=1, sha256="0" * 64, storage_path="a.pdf")
    client.force_login(world["counter"])
    page = lxml.html.fromstring(client.get(reverse("backoffice:dossier", args=[submitted.pk])).content)
    ticked = page.xpath("//form[contains(@action, '/request_supplement/')]//input[@name='items'][@checked]/@value")
    assert ticked == [second.name]


# ---- a scan is never a dead end: text not recognised, a file that cannot be read, a run that was interrupted ----

def _two_page_tiff() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (200, 100), 230).save(buf, "TIFF", save_all=True, append_images=[Image.new("L", (200, 100), 90)],
                                         compression="tiff_deflate")
    return buf.getvalue()


def _tiff_with_a_broken_second_page() -> bytes:
    """Two pages, the second one damaged, as a scanner's half-written file would be."""
    from PIL import Image

    data = bytearray(_two_page_tiff())
    with Image.open(io.BytesIO(bytes(data))) as im:
        im.seek(1)
        start, length = im.tag_v2[273][0], im.tag_v2[279][0]
    data[start:start + length] = b"\x55" * length
    return bytes(data)


def _no_class_names(body: str) -> None:
    """What the officer reads: Vietnamese (tests.vietnamese), and no exception's name or text."""
    from tests.vietnamese import assert_vietnamese

    assert_vietnamese(body, where="trang số hóa")
    for leak in ("Error", "Exception", "Traceback", "tesseract crashed", "decoder error", "storage unreachable"):
        assert leak not in body, leak


def test_a_scan_whose_text_is_not_recognised_is_still_digitized_as_images(client, world, received, monkeypatch,
                                                                          django_capture_on_commit_callbacks):
    """Tesseract fails on every page (a crash, handwriting): the job still ends with the digitized PDF, its pages as
    images without a text layer; the officer is told to type the fields from the scan, and confirming digitizes."""
    import pytesseract
    from pypdf import PdfReader

    def fails(*args, **kwargs):
        raise pytesseract.TesseractError(-11, "tesseract crashed")

    monkeypatch.setattr(ocr, "ocr_image", fails)  # recognition fails; reading the pages does not
    client.force_login(world["counter"])
    first, second = world["proc"].components.all()
    with django_capture_on_commit_callbacks(execute=True):
        resp = _upload(client, received, [("to-khai-1.png", _png()), ("to-khai-2.png", _png())], component=first)
    job = DigitizationJob.objects.get(dossier=received)
    assert job.status == JobStatus.DONE and job.pages_unrecognized == [1, 2] and job.error == ""
    assert "TesseractError" in job.error_detail  # for administrators, never on the officer's page
    pdf = PdfReader(io.BytesIO(job.output.read()))
    assert len(pdf.pages) == 2 and all(not p.extract_text().strip() for p in pdf.pages)
    assert client.get(reverse("backoffice:scan_progress", args=[received.pk, job.pk])).json()["download"]
    page = client.get(resp["Location"]).content.decode()
    assert "Không nhận dạng được chữ trên bản quét. Bản số hóa vẫn được lưu (PDF chỉ có hình ảnh" in page
    assert "Xác nhận số hóa" in page and "PDF, có trang chỉ có hình ảnh" in page
    _no_class_names(page)
    ok = client.post(resp["Location"], {"full_name": "TRẦN THỊ MAI", "id_number": "051190001234"})
    assert ok.status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.CONFIRMED and job.confirmed_fields["full_name"] == "TRẦN THỊ MAI"
    assert "Đã số hóa" in client.get(reverse("backoffice:dossier", args=[received.pk])).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, received, [("giay-chung-sinh.png", _png())], component=second)
    job2 = DigitizationJob.objects.get(dossier=received, component=second)
    assert client.post(reverse("backoffice:scan_job", args=[received.pk, job2.pk]),
                       {"full_name": "TRẦN MINH AN"}).status_code == 302
    received.refresh_from_db()
    assert received.digitized_at_receipt


def test_a_scan_that_cannot_be_read_as_pages_fails_in_vietnamese_and_can_be_retried(
        client, world, received, django_capture_on_commit_callbacks):
    from motcua.documents.storage import document_storage

    client.force_login(world["counter"])
    # Brought to the counter damaged, it is refused while the citizen is there, every page decoded.
    resp = _upload(client, received, [("cccd.tif", _tiff_with_a_broken_second_page())],
                   component=world["proc"].components.first())
    assert resp.status_code == 422 and "Tệp ảnh bị hỏng hoặc không đọc được." in resp.content.decode()
    _nothing_kept(received)
    # Damaged once stored (a half-written copy on the storage), only the OCR finds it out.
    with django_capture_on_commit_callbacks() as queued:
        resp = _upload(client, received, [("cccd.tif", _two_page_tiff())], component=world["proc"].components.first())
    assert resp.status_code == 302
    scan = Attachment.objects.get(dossier=received, kind="scan")
    with document_storage().open(scan.storage_path, "wb") as stored:
        stored.write(_tiff_with_a_broken_second_page())
    for callback in queued:
        callback()
    job = DigitizationJob.objects.get(dossier=received)
    assert job.status == JobStatus.FAILED and job.output is None
    assert "OSError" in job.error_detail
    page = client.get(resp["Location"]).content.decode()
    assert "Không đọc được tệp bản quét “cccd.tif”: tệp bị hỏng hoặc quét chưa trọn. Quét lại giấy tờ" in page
    assert "Thử nhận dạng lại" in page
    _no_class_names(page)
    assert client.get(reverse("backoffice:scan_progress", args=[received.pk, job.pk])).json()["message"] == job.error
    # Trying again reads the same damaged file: it fails again, saying the same, and nothing is digitized.
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(reverse("backoffice:scan_retry", args=[received.pk, job.pk]))
    assert again.status_code == 302 and again["Location"] == resp["Location"]
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "cccd.tif" in job.error
    received.refresh_from_db()
    assert not received.digitized_at_receipt


def test_retrying_a_run_that_was_interrupted_finishes_it(client, world, received, monkeypatch,
                                                       django_capture_on_commit_callbacks):
    """The storage did not answer while the worker read the scan: the job fails, the officer tries again once it
    answers, through the same task, audited; the job then finishes and can be confirmed."""
    from motcua.audit.models import AuditEntry

    client.force_login(world["counter"])
    with django_capture_on_commit_callbacks(execute=False) as queued:
        resp = _upload(client, received, [("cccd.png", _png())], component=world["proc"].components.first())
    job = DigitizationJob.objects.get(dossier=received)

    def unreachable(self):
        raise OSError("storage unreachable")

    with monkeypatch.context() as m:
        m.setattr(Attachment, "read", unreachable)
        for callback in queued:
            callback()  # the worker runs the task while the storage is down
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "storage unreachable" in job.error_detail
    page = client.get(resp["Location"]).content.decode()
    assert "Lượt nhận dạng bị gián đoạn do sự cố của hệ thống. Bấm “Thử nhận dạng lại”" in page
    _no_class_names(page)
    retry = reverse("backoffice:scan_retry", args=[received.pk, job.pk])
    assert client.get(retry).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(retry).status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.output_id and job.error == ""
    assert AuditEntry.objects.filter(action="document.digitize_retry", object_id=str(job.pk)).count() == 1
    assert "Xác nhận số hóa" in client.get(resp["Location"]).content.decode()
    # Done now: a second retry is refused with its reason, nothing queued again.
    body = client.post(retry, follow=True).content.decode()
    assert "Lượt số hóa này không bị lỗi" in body
    assert AuditEntry.objects.filter(action="document.digitize_retry", object_id=str(job.pk)).count() == 1


def test_an_officer_who_may_not_digitize_cannot_retry(client, world, received, django_capture_on_commit_callbacks):
    from motcua.audit.models import AuditEntry

    job = DigitizationJob.objects.create(dossier=received, component=world["proc"].components.first(),
                                         status=JobStatus.FAILED, error="Lượt nhận dạng bị gián đoạn.", pages_total=1)
    client.force_login(world["specialist"])
    page = client.get(reverse("backoffice:scan_job", args=[received.pk, job.pk])).content.decode()
    assert "Lượt nhận dạng bị gián đoạn." in page and "Thử nhận dạng lại" not in page
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        resp = client.post(reverse("backoffice:scan_retry", args=[received.pk, job.pk]), follow=True)
    assert "Bạn không được số hóa giấy tờ của hồ sơ này" in resp.content.decode() and not callbacks
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and not job.task_id
    assert not AuditEntry.objects.filter(action="document.digitize_retry").exists()


def test_a_worker_stopped_mid_run_leaves_the_job_failed_for_a_retry(client, world, received, monkeypatch,
                                                                    django_capture_on_commit_callbacks):
    """The worker is stopped while it reads a page (db_worker's second SIGTERM, Ctrl-C): the job does not stay
    "running" for ever; it is failed on the way out, and the officer can try again."""
    from motcua.documents.digitization import run_digitization

    client.force_login(world["counter"])
    with django_capture_on_commit_callbacks(execute=False):
        resp = _upload(client, received, [("cccd.png", _png())], component=world["proc"].components.first())
    job = DigitizationJob.objects.get(dossier=received)

    def stopped(*args, **kwargs):
        raise SystemExit(1)

    with monkeypatch.context() as m, pytest.raises(SystemExit):
        m.setattr(ocr, "ocr_image", stopped)
        run_digitization(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error.startswith("Lượt nhận dạng bị gián đoạn")
    assert "Thử nhận dạng lại" in client.get(resp["Location"]).content.decode()


def test_a_job_whose_worker_was_killed_can_be_run_again(client, world, received, django_capture_on_commit_callbacks):
    """The worker running the OCR was killed outright (out of memory, SIGKILL): nothing marks the job failed, and it
    stayed "running" for ever. Silent for longer than any page takes, it is shown as stopped with the retry button;
    the retry runs it through the same task. A job still making progress is not taken from its worker."""
    import datetime as dt

    from django.utils import timezone

    from motcua.audit.models import AuditEntry
    from motcua.documents.digitization import run_digitization

    client.force_login(world["counter"])
    with django_capture_on_commit_callbacks(execute=False):
        resp = _upload(client, received, [("cccd.png", _png())], component=world["proc"].components.first())
    job = DigitizationJob.objects.get(dossier=received)
    seen = timezone.now() - dt.timedelta(minutes=4)  # the killed worker's last sign of life
    DigitizationJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=seen, progress_at=seen)
    retry = reverse("backoffice:scan_retry", args=[received.pk, job.pk])
    progress = reverse("backoffice:scan_progress", args=[received.pk, job.pk])
    page = client.get(resp["Location"]).content.decode()
    assert "Thử nhận dạng lại" not in page and 'data-poll="' in page  # a few minutes: still its worker's
    assert "Lượt số hóa này không bị lỗi" in client.post(retry, follow=True).content.decode()
    gone = timezone.now() - dt.timedelta(minutes=11)
    DigitizationJob.objects.filter(pk=job.pk).update(started_at=gone, progress_at=gone)
    page = client.get(resp["Location"]).content.decode()
    assert "Lượt nhận dạng đã dừng giữa chừng: không có tiến triển từ" in page and "Thử nhận dạng lại" in page
    _no_class_names(page)
    state = client.get(progress).json()  # the progress bar stops polling and links to the page with the button
    assert state["download"] is True and state["message"].startswith("Lượt nhận dạng đã dừng giữa chừng")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert client.post(retry).status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and len(queued) == 1
    assert AuditEntry.objects.filter(action="document.digitize_retry", object_id=str(job.pk)).count() == 1
    queued[0]()  # the worker runs it again
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.output_id
    assert run_digitization(job.pk).status == JobStatus.DONE  # a late task for the same job does nothing


def test_a_run_taken_over_by_a_retry_writes_nothing_more(client, world, received, monkeypatch,
                                                         django_capture_on_commit_callbacks):
    """A run judged stalled but still alive (a page slower than ever) meets the retry's run: the first to lose the
    job stops without writing, so one result stands and the job is not flipped back and forth."""
    from motcua.documents.digitization import run_digitization

    client.force_login(world["counter"])
    with django_capture_on_commit_callbacks(execute=False):
        _upload(client, received, [("cccd.png", _png())], component=world["proc"].components.first())
    job = DigitizationJob.objects.get(dossier=received)
    real = ocr.ocr_image

    def slow_page(*args, **kwargs):  # meanwhile the officer retried and another worker claimed the job
        DigitizationJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=job.created_at,
                                                         pages_done=0)
        return real(*args, **kwargs)

    with monkeypatch.context() as m:
        m.setattr(ocr, "ocr_image", slow_page)
        run_digitization(job.pk)
    job.refresh_from_db()
    assert (job.status, job.started_at, job.pages_done, job.output_id) == (JobStatus.RUNNING, job.created_at, 0, None)
    assert not Attachment.objects.filter(dossier=received, kind="digitized").exists()


def test_a_digitized_paper_goes_only_into_the_repository_of_someone_the_dossier_names(
        client, world, received, django_capture_on_commit_callbacks):
    """The ID number confirmed with a scan decides whose repository the copy joins: the applicant's, or a person the
    dossier names — not whoever's number was typed (a slip of the keyboard, or worse, would put a paper into a
    stranger's repository, where officers and the stranger read it). The paper is digitized either way."""
    from motcua.documents.models import VaultItem

    received.form_data = {**received.form_data, "father_id_number": "051 080 009 999"}
    received.save(update_fields=["form_data"])
    client.force_login(world["counter"])
    first, second = world["proc"].components.all()
    filed = {}
    for component, number in ((first, "051190001234"), (second, "051080009999"), (first, "079123456789")):
        with django_capture_on_commit_callbacks(execute=True):
            _upload(client, received, [("giay-to.png", _png())], component=component)
        job = DigitizationJob.objects.filter(dossier=received).latest("id")
        answer = client.post(reverse("backoffice:scan_job", args=[received.pk, job.pk]),
                             {"full_name": "Trần Thị Mai", "id_number": number}, follow=True)
        job.refresh_from_db()
        assert job.status == JobStatus.CONFIRMED  # digitized in every case
        filed[number] = (VaultItem.objects.filter(attachment_id=job.output_id, id_number=number).exists(),
                         "không được lưu vào kho dữ liệu của người đó" in answer.content.decode())
    assert filed == {"051190001234": (True, False), "051080009999": (True, False), "079123456789": (False, True)}
