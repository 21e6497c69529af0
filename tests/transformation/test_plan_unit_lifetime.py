"""A plan (or report) of a year is of a unit that existed on at least one day of that year (units.lifetime): the
back office's form, the API and the .xlsx import refuse one for a unit merged or dissolved before its 1 January, or
created after its 31 December, with why in Vietnamese (and a code, 422), writing nothing; a ward merged in the middle
of the year keeps its plan of that year, imported after the merger."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.api.auth import issue_token
from motcua.transformation.models import Plan, Task

pytestmark = pytest.mark.django_db
API = "/api/v1/transformation"
BASE = "/can-bo/chuyen-doi-so"
MERGED = ("Phường Cẩm Thành đã sáp nhập vào Phường Đức Phổ từ ngày 01/07/2025, vui lòng lập kế hoạch năm 2026 cho "
          "UBND phường Đức Phổ.")


@pytest.fixture
def merged(dx):
    """Cẩm Thành merged into Đức Phổ from 01/07/2025 (its last day 30/06/2025), recorded in the admin."""
    unit = dx.ct.admin_unit
    unit.valid_to, unit.replaced_by = dt.date(2025, 6, 30), dx.dp.admin_unit
    unit.save(update_fields=["valid_to", "replaced_by"])
    dx.ct.successor = dx.dp
    dx.ct.save(update_fields=["successor"])
    return dx


def _client(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {issue_token(user, 'thử')[1]}"})


def _xlsx(year: int) -> SimpleUploadedFile:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["STT", "Nội dung nhiệm vụ", "Kinh phí (triệu đồng)", "Nguồn vốn", "Thời gian thực hiện"])
    ws.append(["I", "Nhóm phát triển chính quyền số"])
    ws.append(["1", "Số hóa hồ sơ một cửa", "500", "NST", str(year)])
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile("ke-hoach.xlsx", buf.getvalue())


def test_the_api_refuses_a_plan_of_a_year_after_the_merger_and_keeps_the_merger_year(merged):
    api = _client(merged.admin)
    r = api.post(f"{API}/plans", {"unit": "21025", "year": 2026}, content_type="application/json")
    assert r.status_code == 422, r.content
    assert r.json() == {"code": "plan_unit_closed", "message": MERGED}
    r = api.post(f"{API}/plans", {"unit": "H51.50.01", "year": 2026, "kind": "report", "first_year": 2024},
                 content_type="application/json")
    assert (r.status_code, r.json()["code"]) == (422, "plan_unit_closed")
    assert not Plan.objects.exists()
    r = api.post(f"{API}/plans", {"unit": "21025", "year": 2025}, content_type="application/json")
    assert r.status_code == 201, r.content  # it existed until 30/06/2025: its plan of 2025 stays its own
    assert Plan.objects.get().agency == merged.ct


def test_the_import_refuses_a_year_after_the_merger_even_in_preview_and_imports_the_merger_year(merged):
    api = _client(merged.admin)
    for dry_run in ("true", "false"):
        r = api.post(f"{API}/plans/import", {"file": _xlsx(2026), "unit": "21025", "year": 2026, "dry_run": dry_run})
        assert r.status_code == 422, r.content
        assert r.json() == {"code": "plan_unit_closed", "message": MERGED}
    assert not Plan.objects.exists() and not Task.objects.exists()
    r = api.post(f"{API}/plans/import", {"file": _xlsx(2025), "unit": "21025", "year": 2025})
    assert r.status_code == 201, r.content  # a past year's plan, imported after the merger
    assert Plan.objects.get().agency == merged.ct and Task.objects.count() == 1


def test_the_back_office_form_refuses_a_dissolved_ward_and_one_not_yet_established(merged, signed_in):
    dp = merged.dp.admin_unit
    dp.valid_to = dt.date(2024, 12, 31)  # dissolved from 01/01/2025
    dp.save(update_fields=["valid_to"])
    ct = merged.ct.admin_unit
    ct.valid_from = dt.date(2025, 1, 1)  # created by an earlier merger
    ct.save(update_fields=["valid_from"])
    c = signed_in(merged.admin)
    r = c.post(f"{BASE}/ke-hoach/moi/", {"agency": merged.dp.pk, "year": 2025, "kind": "plan"})
    assert r.status_code == 422
    assert ("Phường Đức Phổ đã giải thể từ ngày 01/01/2025: không lập kế hoạch năm 2025 cho UBND phường Đức Phổ."
            in r.content.decode())
    r = c.post(f"{BASE}/ke-hoach/moi/", {"agency": merged.ct.pk, "year": 2024, "kind": "plan"})
    assert r.status_code == 422
    assert ("Phường Cẩm Thành được thành lập từ ngày 01/01/2025, chưa có trong năm 2024: không lập kế hoạch năm 2024 "
            "cho UBND phường Cẩm Thành." in r.content.decode())
    assert not Plan.objects.exists()
    r = c.post(f"{BASE}/ke-hoach/moi/", {"agency": merged.dp.pk, "year": 2024, "kind": "plan"})
    assert r.status_code == 302  # its last year
