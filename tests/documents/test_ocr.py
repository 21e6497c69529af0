"""Digitization at the counter: OCR of a synthetic Vietnamese scan, key fields, background job, flags."""

import io

import pytest

from motcua.demo import synthetic
from motcua.documents import ocr
from motcua.documents.attachments import store_upload
from motcua.documents.digitization import start_digitization
from motcua.documents.digitization_flags import confirm_digitization, mark_digitized
from motcua.documents.models import AttachmentKind, DigitizationJob, JobStatus, VaultItem

from .conftest import make_dossier

pytestmark = pytest.mark.skipif(not ocr.ocr_available(), reason="tesseract-ocr-vie is not installed")


def _png(image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def test_identity_page_fields_extracted():
    page = synthetic.identity_card_page()  # skewed 2°, blurred, noisy
    result = ocr.ocr_image(page.image)
    assert "CĂN CƯỚC CÔNG DÂN" in result.text
    fields = ocr.extract_fields(result.text)
    assert fields["id_number"]["value"] == "051090001234"
    assert fields["full_name"]["value"] == "NGUYỄN VĂN AN"
    assert fields["date_of_birth"]["value"] == "01/02/1990"
    assert "Tịnh Sơn" in fields["address"]["value"]
    assert all(f["confidence"] >= 0.8 for f in fields.values())


def test_preprocessing_straightens_the_page():
    page = synthetic.identity_card_page()
    _, info = ocr.preprocess(page.image)
    assert abs(info["deskew_degrees"] + 2.0) <= 0.3  # the page was rotated +2°


def test_preprocessing_beats_raw_tesseract_on_a_skewed_noisy_page():
    page = synthetic.administrative_page(seed=0)
    ours = ocr.character_error_rate(page.text, ocr.ocr_image(page.image).text)
    raw = ocr.character_error_rate(page.text, ocr.ocr_image(page.image, clean=False).text)
    assert ours <= 0.02
    assert ours < raw


@pytest.mark.parametrize(("text", "value", "max_conf"), [
    ("Số: 051090001234", "051090001234", 1.0),
    ("S0 định danh cá nhân: O51 O9O 0O1 234", "051090001234", 0.8),   # letters read for digits
    ("Số: 051.090.001.234", "051090001234", 1.0),
])
def test_id_number_tolerates_ocr_noise(text, value, max_conf):
    f = ocr.extract_fields(text)["id_number"]
    assert f["value"] == value
    assert f["confidence"] <= max_conf


def test_date_of_birth_repairs_lookalikes_and_rejects_impossible_dates():
    assert ocr.extract_fields("Ngày sinh: O1/O2/199O")["date_of_birth"]["value"] == "01/02/1990"
    bad = ocr.extract_fields("Ngày sinh: 31/02/1990")["date_of_birth"]
    assert bad["confidence"] < 0.5


def test_name_with_noise_has_lower_confidence():
    clean = ocr.extract_fields("Họ và tên: NGUYỄN VĂN AN")["full_name"]
    noisy = ocr.extract_fields("Họ và tên: NGUY|ỄN V4N AN")["full_name"]
    assert clean["confidence"] > noisy["confidence"]


def test_nothing_found_gives_no_fields():
    assert ocr.extract_fields("Kính gửi: Ủy ban nhân dân xã") == {}


def test_character_error_rate():
    assert ocr.character_error_rate("abcd", "abcd") == 0
    assert ocr.character_error_rate("abcd", "abed") == 0.25
    assert ocr.character_error_rate("a  b\nc", "a b c") == 0


def test_digitization_job_end_to_end(people, django_capture_on_commit_callbacks):
    from pypdf import PdfReader

    from motcua.outbox.models import OutboxEvent

    dossier = make_dossier(people)
    scan = store_upload(_png(synthetic.identity_card_page().image), owner=people["citizen"], dossier=dossier,
                        kind=AttachmentKind.SCAN, uploaded_by=people["counter"], name="cccd.png")
    with django_capture_on_commit_callbacks(execute=True):
        job = start_digitization(sources=[scan], actor=people["counter"], dossier=dossier,
                                 component=people["procedure"].components.get(name="Căn cước công dân"))
    job = DigitizationJob.objects.get(pk=job.pk)
    assert job.status == JobStatus.DONE, job.error
    assert (job.pages_done, job.pages_total, job.progress_percent) == (1, 1, 100)
    assert job.task_id
    assert job.fields["id_number"]["value"] == "051090001234"
    # The output is a searchable PDF: its text layer carries what the officer sees.
    out = job.output
    assert out.kind == AttachmentKind.DIGITIZED and out.content_type == "application/pdf"
    layer = PdfReader(io.BytesIO(out.read())).pages[0].extract_text()
    assert "051090001234" in layer.replace(" ", "")
    # OCR alone does not digitize anything: the officer has not checked the fields yet.
    dossier.refresh_from_db()
    assert not dossier.digitized_at_receipt
    assert not OutboxEvent.objects.filter(topic="dossier.digitized", aggregate_id=str(dossier.pk)).exists()
    # The officer confirms; the copy joins the citizen's repository, and with the only required component
    # digitized the dossier counts as digitized at receipt.
    people["procedure"].components.exclude(name="Căn cước công dân").update(is_required=False)
    confirm_digitization(job, officer=people["counter"], fields={"id_number": "051090001234",
                                                                 "full_name": "NGUYỄN VĂN AN"})
    item = VaultItem.objects.get(id_number="051090001234")
    assert item.attachment_id == out.pk and item.title == "Căn cước công dân"
    dossier.refresh_from_db()
    assert dossier.digitized_at_receipt
    assert OutboxEvent.objects.filter(topic="dossier.digitized", aggregate_id=str(dossier.pk)).exists()


def test_one_tesseract_run_gives_the_text_and_the_searchable_pdf(monkeypatch):
    """Loading the model and recognising the page is most of a page's cost: the text and the PDF come from one run,
    and say what two separate runs say."""
    import pytesseract
    from pypdf import PdfReader

    page = synthetic.identity_card_page(degrade_page=False).image
    clean, _ = ocr.preprocess(page)
    alone = pytesseract.image_to_string(clean, lang="vie", config=ocr.TESS_CONFIG)
    runs = []
    real = pytesseract.pytesseract.run_tesseract
    monkeypatch.setattr(pytesseract.pytesseract, "run_tesseract", lambda *a, **k: runs.append(a) or real(*a, **k))
    result = ocr.ocr_image(page, want_pdf=True)
    assert len(runs) == 1
    assert result.text == alone.strip()
    assert "051090001234" in PdfReader(io.BytesIO(result.pdf)).pages[0].extract_text().replace(" ", "")


def test_text_not_recognised_still_gives_the_digitized_copy(people, django_capture_on_commit_callbacks, monkeypatch):
    """Tesseract crashing is no reason to lose the scan: the copy is the page's image without a text layer, the
    officer is told and types the fields, and the confirmation files it as any other."""
    from pypdf import PdfReader

    scan = store_upload(_png(synthetic.identity_card_page(degrade_page=False).image), owner=people["citizen"],
                        kind=AttachmentKind.SCAN)

    def boom(*a, **k):
        raise RuntimeError("tesseract crashed")

    monkeypatch.setattr(ocr, "ocr_image", boom)
    with django_capture_on_commit_callbacks(execute=True):
        job = start_digitization(sources=[scan], actor=people["counter"])
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.pages_unrecognized == [1] and (job.pages_done, job.text) == (1, "")
    assert job.error == "" and "RuntimeError: tesseract crashed" in job.error_detail
    assert job.unrecognized_note.startswith("Không nhận dạng được chữ trên bản quét.")
    pages = PdfReader(io.BytesIO(job.output.read())).pages
    assert len(pages) == 1 and not pages[0].extract_text().strip() and pages[0].images
    confirm_digitization(job, officer=people["counter"], fields={"id_number": "051090001234"})
    assert VaultItem.objects.get(id_number="051090001234").attachment_id == job.output_id


def test_only_the_page_not_recognised_is_image_only(people, django_capture_on_commit_callbacks, monkeypatch):
    from pypdf import PdfReader

    card = synthetic.identity_card_page(degrade_page=False).image
    scans = [store_upload(_png(card), owner=people["citizen"], kind=AttachmentKind.SCAN, name=f"{n}.png")
             for n in ("mat-truoc", "mat-sau")]
    real, calls = ocr.ocr_image, []

    def second_fails(page, **kwargs):
        calls.append(page)
        if len(calls) == 2:
            raise RuntimeError("tesseract crashed")
        return real(page, **kwargs)

    monkeypatch.setattr(ocr, "ocr_image", second_fails)
    with django_capture_on_commit_callbacks(execute=True):
        job = start_digitization(sources=scans, actor=people["counter"])
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.pages_unrecognized == [2]
    assert job.fields["id_number"]["value"] == "051090001234"  # from page 1
    assert job.unrecognized_note.startswith("Không nhận dạng được chữ ở trang 2:")
    first, second = PdfReader(io.BytesIO(job.output.read())).pages
    assert "051090001234" in first.extract_text().replace(" ", "") and not second.extract_text().strip()


def test_a_scan_that_cannot_be_read_as_pages_fails_and_cannot_be_confirmed(people, django_capture_on_commit_callbacks,
                                                                           monkeypatch):
    scan = store_upload(_png(synthetic.identity_card_page(degrade_page=False).image), owner=people["citizen"],
                        kind=AttachmentKind.SCAN, name="cccd.png")

    def damaged(data, content_type):
        raise OSError("image file is truncated")

    monkeypatch.setattr(ocr, "pages_from_file", damaged)
    with django_capture_on_commit_callbacks(execute=True):
        job = start_digitization(sources=[scan], actor=people["counter"])
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.output is None
    assert job.error.startswith("Không đọc được tệp bản quét “cccd.png”") and "OSError" not in job.error
    assert job.error_detail == "OSError: image file is truncated"
    with pytest.raises(Exception) as exc:
        confirm_digitization(job, officer=people["counter"], fields={})
    assert exc.value.code == "digitization_not_finished"


def test_a_digitization_recorded_after_the_fact_runs_at_once_at_its_moments(people, settings,
                                                                            django_capture_on_commit_callbacks):
    """The demo's history: scanned days ago, the OCR run there and then (no worker), nothing left queued; the scan,
    the job and the digitized copy carry that moment, before the confirmation."""
    import datetime as dt

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from motcua.documents.scans import digitize_scans

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    people["procedure"].components.exclude(name="Căn cước công dân").update(is_required=False)
    dossier = make_dossier(people)
    component = people["procedure"].components.get(name="Căn cước công dân")
    scanned = timezone.now() - dt.timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        job = digitize_scans([io.BytesIO(_png(synthetic.identity_card_page(degrade_page=False).image))],
                             dossier=dossier, actor=people["counter"], component=component, at=scanned, run_now=True)
    assert job.status == JobStatus.DONE and not job.task_id
    assert not DBTaskResult.objects.exists()
    confirmed = scanned + dt.timedelta(minutes=5)
    confirm_digitization(job, officer=people["counter"], fields={"id_number": "051090001234"}, at=confirmed)
    job.refresh_from_db()
    assert job.created_at == job.started_at == job.sources.get().uploaded_at == scanned
    assert scanned < job.finished_at == job.output.uploaded_at < scanned + dt.timedelta(minutes=1) < confirmed
    dossier.refresh_from_db()
    assert dossier.digitized_at_receipt


def test_docx_cannot_be_digitized(people):
    import docx

    buf = io.BytesIO()
    docx.Document().save(buf)
    att = store_upload(buf.getvalue(), owner=people["citizen"], name="a.docx")
    with pytest.raises(Exception) as exc:
        start_digitization(sources=[att], actor=people["counter"])
    assert exc.value.code == "digitization_type_not_supported"
    assert DigitizationJob.objects.count() == 0


def test_mark_digitized_before_receipt_leaves_it_to_the_lifecycle(people):
    dossier = make_dossier(people, status="submitted")
    assert mark_digitized(dossier, "receipt") is False
    dossier.refresh_from_db()
    assert not dossier.digitized_at_receipt


def test_mark_result_digitized_after_signing(people):
    dossier = make_dossier(people, status="ready_for_return")
    assert mark_digitized(dossier, "result", actor=people["leader"]) is False  # no scan of it confirmed yet
    DigitizationJob.objects.create(dossier=dossier, kind="result", status=JobStatus.CONFIRMED)
    assert mark_digitized(dossier, "result", actor=people["leader"]) is True
    dossier.refresh_from_db()
    assert dossier.result_digitized and dossier.version == 1


def test_mark_digitized_reads_the_dossier_as_it_is_under_its_lock(people):
    """The dossier as the officer's page loaded it is still being processed; meanwhile the leader decided it, and
    the result's scan is confirmed: the flag is set (read before the lock, it stayed unset for good)."""
    dossier = make_dossier(people, status="processing")
    type(dossier).objects.filter(pk=dossier.pk).update(status="ready_for_return")
    DigitizationJob.objects.create(dossier=dossier, kind="result", status=JobStatus.CONFIRMED)
    assert mark_digitized(dossier, "result", actor=people["leader"]) is True
    dossier.refresh_from_db()
    assert dossier.result_digitized


def test_a_confirmation_recorded_after_the_fact_carries_its_moment(people):
    """Data entered after the fact (the demo's history) gives the confirmation its moment: who and when on the job,
    the repository link and the digitized flag as events at that moment, so the dossier's next transitions, later
    than it but earlier than today, still keep their order."""
    import datetime as dt

    from django.utils import timezone

    from motcua.dossiers import lifecycle

    people["procedure"].components.exclude(name="Căn cước công dân").update(is_required=False)
    dossier = make_dossier(people)
    component = people["procedure"].components.get(name="Căn cước công dân")
    scan = store_upload(_png(synthetic.identity_card_page(degrade_page=False).image), owner=people["citizen"],
                        dossier=dossier, component=component, kind=AttachmentKind.SCAN, name="cccd.png")
    output = store_upload(synthetic_pdf(), owner=people["citizen"], dossier=dossier, component=component,
                          kind=AttachmentKind.DIGITIZED, name="cccd-so-hoa.pdf")
    job = DigitizationJob.objects.create(dossier=dossier, component=component, status=JobStatus.DONE, output=output,
                                         pages_total=1, pages_done=1)
    job.sources.set([scan])
    at = timezone.now() - dt.timedelta(days=3)
    confirm_digitization(job, officer=people["counter"], fields={"id_number": "051090001234"}, at=at)
    job.refresh_from_db()
    dossier.refresh_from_db()
    assert job.confirmed_at == at and dossier.digitized_at_receipt
    assert {e.action: e.at for e in dossier.events.all()} == {"data_linked": at, "digitized": at}
    lifecycle.start_processing(dossier, officer=people["counter"], at=at + dt.timedelta(hours=1))
    assert dossier.status == "processing"


def synthetic_pdf() -> bytes:
    buf = io.BytesIO()
    synthetic.identity_card_page(degrade_page=False).image.convert("RGB").save(buf, "PDF", resolution=200)
    return buf.getvalue()


def test_two_page_pdf_scan_is_digitized_page_by_page(people, django_capture_on_commit_callbacks):
    from pypdf import PdfReader

    pages = [synthetic.identity_card_page(degrade_page=False).image,
             synthetic.administrative_page(seed=3, n_sentences=3).image]
    buf = io.BytesIO()
    pages[0].convert("RGB").save(buf, "PDF", resolution=200, save_all=True, append_images=[pages[1].convert("RGB")])
    scan = store_upload(buf.getvalue(), owner=people["citizen"], kind=AttachmentKind.SCAN, name="scan.pdf")
    with django_capture_on_commit_callbacks(execute=True):
        job = start_digitization(sources=[scan], actor=people["counter"])
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    assert (job.pages_done, job.pages_total) == (2, 2)
    assert len(PdfReader(io.BytesIO(job.output.read())).pages) == 2
    assert "CĂN CƯỚC CÔNG DÂN" in job.text and "CỘNG HÒA" in job.text.split("\f")[1]


def test_oversized_pdf_page_is_rendered_within_bounds():
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(width=72 * 200, height=72 * 100)  # a 200-inch banner
    out = io.BytesIO()
    w.write(out)
    dpi = ocr._render_dpi(out.getvalue())
    assert 200 * dpi <= ocr.MAX_OCR_SIDE
    assert ocr._render_dpi(_a4_pdf()) == 200


def _a4_pdf() -> bytes:
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def test_bilingual_card_labels_with_value_on_next_line():
    text = "\n".join(["CĂN CƯỚC", "Số định danh cá nhân / Personal identification number:", "051090001234",
                      "Họ, chữ đệm và tên khai sinh / Full name:", "NGUYỄN VĂN AN",
                      "Ngày, tháng, năm sinh / Date of birth: 01/02/1990",
                      "Nơi cư trú / Place of residence:", "Xã Tịnh Sơn, tỉnh Quảng Ngãi"])
    fields = ocr.extract_fields(text)
    assert fields["id_number"]["value"] == "051090001234"
    assert fields["full_name"]["value"] == "NGUYỄN VĂN AN"
    assert fields["date_of_birth"]["value"] == "01/02/1990"
    assert fields["address"]["value"] == "Xã Tịnh Sơn, tỉnh Quảng Ngãi"
    assert all(f["confidence"] >= 0.85 for f in fields.values()), fields
