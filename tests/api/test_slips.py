"""Slips over the API: the receipt exists once the dossier is received; others' dossiers stay hidden."""

import subprocess

import pytest

from motcua.audit.models import AuditEntry

from .conftest import submit_body

pytestmark = pytest.mark.django_db


def _submit_and_receive(world):
    r = world.client("citizen").post("/api/v1/dossiers", submit_body(world), content_type="application/json")
    code = r.json()["code"]
    assert world.client("counter").post(f"/api/v1/dossiers/{code}/receive", {},
                                        content_type="application/json").status_code == 200
    return code


def test_receipt_pdf_downloads_with_vietnamese_text(world, tmp_path):
    code = _submit_and_receive(world)
    r = world.client("citizen").get(f"/api/v1/dossiers/{code}/slips/receipt")
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    # An integrator's download, under the name a person reads (the same as on the web pages), encoded for the header.
    assert r["Content-Disposition"] == ("attachment; filename*=utf-8''Gi%E1%BA%A5y%20ti%E1%BA%BFp%20nh%E1%BA%ADn%20h"
                                        f"%E1%BB%93%20s%C6%A1%20v%C3%A0%20h%E1%BA%B9n%20tr%E1%BA%A3%20k%E1%BA%BFt%20qu%E1%BA%A3%20{code}.pdf")
    pdf = tmp_path / "receipt.pdf"
    pdf.write_bytes(r.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "TIẾP NHẬN HỒ SƠ" in text.upper()
    assert "Trần Thị Dân" in text


def test_slip_download_logs_the_personal_data_read(world):
    code = _submit_and_receive(world)
    before = AuditEntry.objects.count()
    assert world.client("counter").get(f"/api/v1/dossiers/{code}/slips/receipt?fmt=docx").status_code == 200
    last = AuditEntry.objects.order_by("-id").first()
    assert AuditEntry.objects.count() == before + 1
    assert last.data["purpose"] == "slip:receipt" and "applicant_id_number" in last.data["fields"]


def test_missing_slip_unknown_kind_and_foreign_dossier(world):
    code = _submit_and_receive(world)
    counter = world.client("counter")
    r = counter.get(f"/api/v1/dossiers/{code}/slips/apology")
    assert r.status_code == 404 and r.json()["code"] == "slip_not_found"
    r = counter.get(f"/api/v1/dossiers/{code}/slips/bogus")
    assert r.status_code == 422 and r.json()["code"] == "slip_kind_unknown"
    r = counter.get(f"/api/v1/dossiers/{code}/slips/receipt?fmt=exe")
    assert r.status_code == 422 and r.json()["code"] == "slip_format_unknown"
    # another citizen and another commune's officer do not learn the dossier exists
    assert world.client("other_citizen").get(f"/api/v1/dossiers/{code}/slips/receipt").status_code == 404
    assert world.client("other_counter").get(f"/api/v1/dossiers/{code}/slips/receipt").status_code == 404
