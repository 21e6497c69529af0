"""The API refuses a result by post without an address (return_address_required), online and at the counter."""

import pytest

from motcua.dossiers.models import Dossier
from tests.api.conftest import post, submit_body

pytestmark = pytest.mark.django_db

APPLICANT = {"name": "Hồ Văn Lâm", "id_number": "051080001111", "phone": "0905111222"}


@pytest.mark.parametrize(("who", "path", "extra"), [
    ("citizen", "", {}),
    ("counter", "/counter", {"applicant": APPLICANT, "channel": "post"}),
])
def test_result_by_post_needs_an_address(world, who, path, extra):
    r = post(world, who, path, submit_body(world, return_method="post", **extra))
    assert r.status_code == 422 and r.json()["code"] == "return_address_required"
    assert "địa chỉ" in r.json()["message"] and not Dossier.objects.exists()
    extra = {**extra, "applicant": {**(extra.get("applicant") or APPLICANT), "address": "Thôn Gò Da, xã Sơn Hà"}}
    r = post(world, who, path, submit_body(world, return_method="post", **extra))
    assert r.status_code == 201 and Dossier.objects.get().applicant_address == "Thôn Gò Da, xã Sơn Hà"
