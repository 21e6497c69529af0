"""A ward merged in 2025 has plans of the years it existed, imported after the merger: the provincial admin picks the
closed unit in the back office (import page and new-plan form, under «Đơn vị đã sáp nhập/giải thể»), a unit's
officers see only their own units; plans.check_unit_existed still decides the year. Re-importing (replacing) an
existing plan follows the same year rule, and never deletes the tasks a merger handed over to the successor."""

import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.api.auth import issue_token
from motcua.transformation.models import Plan, Task, TaskHandover
from motcua.transformation.services import plans
from motcua.units.models import Agency
from motcua.units.reorganization import apply

pytestmark = pytest.mark.django_db
API = "/api/v1/transformation"
BASE = "/can-bo/chuyen-doi-so"
GROUP = "Đơn vị đã sáp nhập/giải thể"
MERGED = ("Phường Cẩm Thành đã sáp nhập vào Phường Đức Phổ từ ngày 01/07/2025, vui lòng lập kế hoạch năm 2026 cho "
          "UBND phường Đức Phổ.")


def _merge_ct(dx):
    """Cẩm Thành merged into Đức Phổ from 01/07/2025 (its last day 30/06/2025): its agency closed."""
    unit = dx.ct.admin_unit
    unit.valid_to, unit.replaced_by = dt.date(2025, 6, 30), dx.dp.admin_unit
    unit.save(update_fields=["valid_to", "replaced_by"])
    dx.ct.successor, dx.ct.is_active = dx.dp, False
    dx.ct.save(update_fields=["successor", "is_active"])
    return dx


@pytest.fixture
def merged(dx):
    return _merge_ct(dx)


def _xlsx(year: int, content: str = "Số hóa hồ sơ một cửa") -> SimpleUploadedFile:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["STT", "Nội dung nhiệm vụ", "Kinh phí (triệu đồng)", "Nguồn vốn", "Thời gian thực hiện"])
    ws.append(["I", "Nhóm phát triển chính quyền số"])
    ws.append(["1", content, "500", "NST", str(year)])
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile("ke-hoach.xlsx", buf.getvalue())


def _api(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {issue_token(user, 'thử')[1]}"})


def _closed_options(html: str) -> str:
    """The options under the closed units' heading ("" when the picker has none)."""
    found = re.search(rf'<optgroup label="{GROUP}">(.*?)</optgroup>', html, re.S)
    return found[1] if found else ""


def test_the_provincial_admin_imports_a_merged_wards_past_plan_in_the_back_office(merged, signed_in):
    c = signed_in(merged.admin)
    page = c.get(f"{BASE}/nhap/").content.decode()
    # named with when it closed: which years its plans may still cover
    assert "UBND phường Cẩm Thành (đã sáp nhập vào Phường Đức Phổ từ ngày 01/07/2025)" in _closed_options(page)
    assert "UBND phường Đức Phổ" not in _closed_options(page)  # a working unit stays in the other group
    r = c.post(f"{BASE}/nhap/", {"agency": merged.ct.pk, "year": 2026, "kind": "plan", "file": _xlsx(2026)})
    assert r.status_code == 422 and MERGED in r.content.decode()  # the year rule still decides
    r = c.post(f"{BASE}/nhap/", {"agency": merged.ct.pk, "year": 2025, "kind": "plan", "file": _xlsx(2025)})
    assert r.status_code == 200, r.content.decode()
    token = re.search(r'name="token" value="([0-9a-f]+)"', r.content.decode())[1]
    r = c.post(f"{BASE}/nhap/", {"buoc": "xac-nhan", "token": token})
    assert r.status_code == 302
    plan = Plan.objects.get()
    assert (plan.agency, plan.year, plan.tasks.count()) == (merged.ct, 2025, 1)


def test_the_provincial_admin_writes_a_merged_wards_past_plan_in_the_new_plan_form(merged, signed_in):
    c = signed_in(merged.admin)
    assert "UBND phường Cẩm Thành" in _closed_options(c.get(f"{BASE}/ke-hoach/moi/").content.decode())
    r = c.post(f"{BASE}/ke-hoach/moi/", {"agency": merged.ct.pk, "year": 2026, "kind": "plan"})
    assert r.status_code == 422 and MERGED in r.content.decode()
    r = c.post(f"{BASE}/ke-hoach/moi/", {"agency": merged.ct.pk, "year": 2025, "kind": "plan"})
    assert r.status_code == 302
    assert Plan.objects.get().agency == merged.ct


def test_a_units_officer_sees_only_its_own_working_units(merged, signed_in):
    c = signed_in(merged.dp_admin)  # the successor reads Cẩm Thành's history, changes none of it
    for url in (f"{BASE}/nhap/", f"{BASE}/ke-hoach/moi/"):
        page = c.get(url).content.decode()
        assert GROUP not in page and "UBND phường Cẩm Thành" not in page
    r = c.post(f"{BASE}/ke-hoach/moi/", {"agency": merged.ct.pk, "year": 2025, "kind": "plan"})
    assert r.status_code == 422 and not Plan.objects.exists()


def test_replacing_follows_the_year_rule_of_creating(dx):
    plan = plans.create_plan(dx.admin, agency=dx.ct, year=2026)  # written before the merger was recorded
    plans.add_task(dx.admin, plan, section=plans.add_section(dx.admin, plan, title="Chính quyền số"),
                   content="Cổng thông tin điện tử phường")
    _merge_ct(dx)
    api = _api(dx.admin)
    for dry_run in ("true", "false"):
        r = api.post(f"{API}/plans/import", {"file": _xlsx(2026), "unit": "21025", "year": 2026, "replace": "true",
                                              "dry_run": dry_run})
        assert r.status_code == 422, r.content
        assert r.json() == {"code": "plan_unit_closed", "message": (
            "Không nhập lại kế hoạch năm 2026 của UBND phường Cẩm Thành: nhập lại, thay thế kế hoạch theo cùng quy tắc "
            f"như lập mới. {MERGED}")}
    assert list(Task.objects.values_list("content", flat=True)) == ["Cổng thông tin điện tử phường"]


def test_replacing_a_merged_units_plan_keeps_the_tasks_handed_over(merger):
    m = merger
    apply(m["plan"], m["admin"])
    new = Agency.objects.get(admin_unit__code="99001")
    handed = TaskHandover.objects.count()
    assert handed and m["plan_a"].tasks.count() == 3
    year = m["plan_a"].year
    r = _api(m["admin"]).post(f"{API}/plans/import", {"file": _xlsx(year), "unit": m["a"].admin_unit.code,
                                                       "year": year, "replace": "true"})
    assert r.status_code == 409, r.content
    assert r.json() == {"code": "plan_tasks_handed_over", "message": (
        f"Không nhập thay thế kế hoạch năm {year} của {m['a'].name}: 2 nhiệm vụ đã chuyển giao cho {new.name} khi sắp "
        "xếp đơn vị hành chính; đơn vị nhận đang báo cáo kết quả các nhiệm vụ này, thay thế sẽ xóa chúng. Sửa từng "
        "nhiệm vụ trong kế hoạch thay vì nhập lại.")}
    assert m["plan_a"].tasks.count() == 3 and TaskHandover.objects.count() == handed


def test_an_officer_left_on_a_closed_unit_writes_no_plan_of_it(merged):
    """A closure in the admin moves no role: Cẩm Thành's admin still holds one, and its history stays read-only."""
    api = _api(merged.ct_admin)
    r = api.post(f"{API}/plans/import", {"file": _xlsx(2025), "unit": "21025", "year": 2025})
    assert r.status_code == 403, r.content
    assert r.json()["message"].startswith("Đơn vị đã sáp nhập hoặc giải thể: dữ liệu chuyển đổi số của đơn vị là lịch sử")
    r = api.post(f"{API}/plans", {"unit": "21025", "year": 2025}, content_type="application/json")
    assert r.status_code == 403, r.content
    assert not Plan.objects.exists()


def test_an_officer_of_a_unit_dissolved_by_its_date_writes_no_plan_of_it(dx):
    """A dissolution dated in the admin leaves the agency ticked «đang hoạt động»; once its last day has passed, the
    unit is closed all the same (units.lifetime): its admin creates no plan of it, even for a year it existed."""
    unit = dx.ct.admin_unit
    unit.valid_to = dt.date(2025, 6, 30)
    unit.save(update_fields=["valid_to"])
    assert Agency.objects.get(pk=dx.ct.pk).is_active
    r = _api(dx.ct_admin).post(f"{API}/plans", {"unit": dx.ct.code, "year": 2025}, content_type="application/json")
    assert r.status_code == 403, r.content
    assert r.json()["message"].startswith("Đơn vị đã sáp nhập hoặc giải thể")
    assert not Plan.objects.exists()
