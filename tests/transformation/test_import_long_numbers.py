"""An STT, or a group's numeral, longer than the plan keeps (16 characters): the preview passed it, then the import
failed at the database — a 500 on «Xác nhận nhập» in the back office, a vague «invalid_input» from the API (and
nothing on SQLite, which stores it whole). Now the row is named in the preview, and nothing is written."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.api.auth import issue_token
from motcua.transformation.models import Plan, PlanSection, Task

from .test_import import _bad

pytestmark = pytest.mark.django_db
LONG_STT = ["1.2.3.4.5.6.7.8.9.10", "Mua máy quét", "500", "NST", "2024"]
LONG_NUMERAL = ["XXXXXXXXXXXXXXXXXXXXXX", "Nhóm phát triển chính quyền số"]


@pytest.mark.parametrize("rows, row, message", [
    ([LONG_STT], 3, "STT “1.2.3.4.5.6.7.8.9.10” dài quá 16 ký tự"),
    ([LONG_NUMERAL, ["1", "Mua máy quét", "500", "NST", "2024"]], 3,
     "Số thứ tự nhóm “XXXXXXXXXXXXXXXXXXXXXX” dài quá 16 ký tự"),
])
@pytest.mark.parametrize("dry_run", ["true", "false"])
def test_the_api_names_the_row_of_a_too_long_number(dx, rows, row, message, dry_run):
    token = issue_token(dx.dp_admin, "thử")[1]
    r = Client(headers={"Authorization": f"Bearer {token}"}).post("/api/v1/transformation/plans/import", {
        "file": SimpleUploadedFile("ke-hoach.xlsx", _bad(rows)), "unit": "21439", "year": 2024, "dry_run": dry_run})
    assert r.status_code == 422 and r.json()["code"] == "plan_import_invalid", r.content
    first = r.json()["details"]["errors"][0]
    assert first["row"] == row and message in first["message"]
    assert f"dòng {row}: {message}" in r.json()["message"]
    assert not Plan.objects.exists() and not PlanSection.objects.exists() and not Task.objects.exists()


def test_the_back_office_preview_refuses_it_and_no_confirmation_is_offered(signed_in, dx):
    c = signed_in(dx.dp_admin)
    r = c.post("/can-bo/chuyen-doi-so/nhap/", {"agency": dx.dp.pk, "year": 2024, "kind": "plan",
                                               "file": SimpleUploadedFile("ke-hoach.xlsx", _bad([LONG_STT]))})
    html = r.content.decode()
    assert r.status_code == 422 and "STT “1.2.3.4.5.6.7.8.9.10” dài quá 16 ký tự" in html
    assert not re.search(r'name="token" value="\w+"', html)  # nothing to confirm
    assert not Plan.objects.exists() and not Task.objects.exists()
