"""The signature check page and the digitization progress page."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.documents.models import DigitizationJob, JobStatus
from motcua.documents.signing import sign_pdf
from tests.factories import sign_in

from .conftest import make_dossier, make_pdf


def test_verify_page_shows_signer_and_validity(people):
    c = Client()
    assert c.get("/tai-lieu/kiem-tra-chu-ky/").status_code == 200
    r = c.post("/tai-lieu/kiem-tra-chu-ky/", {"file": SimpleUploadedFile("kq.pdf", sign_pdf(make_pdf(), people["agency"]))})
    html = r.content.decode()
    assert r.status_code == 200
    assert "Chữ ký số hợp lệ" in html and "UBND xã Tịnh Sơn" in html


def test_verify_page_refuses_non_pdf_in_vietnamese(people):
    r = Client().post("/tai-lieu/kiem-tra-chu-ky/", {"file": SimpleUploadedFile("a.txt", b"hello")})
    assert r.status_code == 415 and "Chỉ kiểm tra được chữ ký số trên tệp PDF" in r.content.decode()


def test_job_page_polls_while_running_and_stops_when_done(people):
    dossier = make_dossier(people)
    job = DigitizationJob.objects.create(dossier=dossier, pages_total=4, pages_done=1, status=JobStatus.RUNNING,
                                         created_by=people["counter"])
    c = Client()
    sign_in(c, people["counter"])
    html = c.get(f"/tai-lieu/so-hoa/{job.pk}/").content.decode()
    assert "1/4 trang" in html and 'hx-trigger="every 2s"' in html
    DigitizationJob.objects.filter(pk=job.pk).update(status=JobStatus.DONE, pages_done=4,
                                                     fields={"id_number": {"value": "051090001234",
                                                                           "confidence": 0.95, "raw": ""},
                                                             "document_number": {"value": "123/2026/GKS",
                                                                                 "confidence": 0.5, "raw": ""}})
    part = c.get(f"/tai-lieu/so-hoa/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert "4/4 trang" in part and "every 2s" not in part and "051090001234" in part and "95 %" in part
    # each field under the name the confirmation form gives it (the number of a paper was shown as «Địa chỉ»)
    assert "<td>Số giấy tờ</td><td>123/2026/GKS</td><td>50 %</td>" in part and "Địa chỉ" not in part
    other = Client()
    sign_in(other, people["other_citizen"])
    assert other.get(f"/tai-lieu/so-hoa/{job.pk}/").status_code == 404


def test_the_public_signature_check_is_not_endless_from_one_address(people):
    """Anyone may check a PDF of up to 20 MB without an account, on the page and over the API: one address gets a
    reasonable number of checks in 15 minutes (accounts.lockout.HEAVY_LIMIT), then a Vietnamese 429; another
    address is not held up."""
    from django.core.cache import cache

    from motcua.accounts.lockout import HEAVY_LIMIT, HEAVY_MESSAGE

    cache.clear()
    busy = Client(REMOTE_ADDR="198.51.100.20")
    for _ in range(HEAVY_LIMIT):
        assert busy.post("/tai-lieu/kiem-tra-chu-ky/", {"file": SimpleUploadedFile("a.txt", b"x")}).status_code == 415
    r = busy.post("/tai-lieu/kiem-tra-chu-ky/", {"file": SimpleUploadedFile("kq.pdf", make_pdf())})
    assert r.status_code == 429 and HEAVY_MESSAGE in r.content.decode()
    api = busy.post("/api/v1/documents/verify", {"file": SimpleUploadedFile("kq.pdf", make_pdf())})
    assert api.status_code == 429 and api.json()["code"] == "too_many_attempts"
    other = Client(REMOTE_ADDR="203.0.113.21").post("/tai-lieu/kiem-tra-chu-ky/",
                                                    {"file": SimpleUploadedFile("kq.pdf", make_pdf())})
    assert other.status_code == 200
    cache.clear()
