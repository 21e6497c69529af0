"""A province with two wards (the towns of seeds 000 and 004 became wards in 2025) and their officers."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import timezone

from motcua.accounts.models import Role
from motcua.api.auth import issue_token
from motcua.transformation.models import Task
from motcua.transformation.services import plans, rounds
from motcua.units.models import AdministrativeUnit, Agency
from motcua.units.reorganization import apply, approve, save_draft
from motcua.units.services import load_agencies, load_units
from tests.factories import officer

from .seed_xlsx import build

_BUILT: dict[str, bytes] = {}


def seed_file(name: str) -> bytes:
    """The .xlsx of a seed appendix (built once per run from data/seed_appendices.json)."""
    if name not in _BUILT:
        _BUILT[name] = build(name)
    return _BUILT[name]


@pytest.fixture
def dx(db):
    province = AdministrativeUnit.objects.create(code="51", name="Tỉnh Quảng Ngãi", level=AdministrativeUnit.PROVINCE)
    duc_pho = AdministrativeUnit.objects.create(code="21439", name="Phường Đức Phổ", level=AdministrativeUnit.WARD,
                                                parent=province)
    cam_thanh = AdministrativeUnit.objects.create(code="21025", name="Phường Cẩm Thành",
                                                  level=AdministrativeUnit.WARD, parent=province)
    committee = Agency.objects.create(code="H51", name="Ủy ban nhân dân tỉnh Quảng Ngãi",
                                      kind=Agency.PROVINCIAL_COMMITTEE, admin_unit=province)
    dp = Agency.objects.create(code="H51.50.80", name="UBND phường Đức Phổ", kind=Agency.COMMUNE_COMMITTEE,
                               admin_unit=duc_pho, parent=committee)
    ct = Agency.objects.create(code="H51.50.01", name="UBND phường Cẩm Thành", kind=Agency.COMMUNE_COMMITTEE,
                               admin_unit=cam_thanh, parent=committee)
    dept = Agency.objects.create(code="H51.11", name="Sở Khoa học và Công nghệ tỉnh Quảng Ngãi",
                                 kind=Agency.PROVINCIAL_DEPARTMENT, admin_unit=province, parent=committee)
    return SimpleNamespace(
        province=committee, dp=dp, ct=ct, dept=dept,
        admin=officer("provincial_admin", None, username="qt.tinh", email="qt.tinh@example.vn"),
        auditor=officer("auditor", None, username="thanhtra"),
        dp_admin=officer("unit_admin", dp, username="qt.ducpho", email="qt.ducpho@example.vn"),
        dp_leader=officer("leader", dp, username="ld.ducpho"),
        dp_counter=officer("counter_officer", dp, username="mc.ducpho"),
        ct_admin=officer("unit_admin", ct, username="qt.camthanh", email="qt.camthanh@example.vn"),
        dept_head=officer("department_head", dept, username="tp.skhcn"),
    )


@pytest.fixture
def signed_in(client, monkeypatch):
    """A test client signed in as `user`, past the officers' second factor (tested in tests/web)."""
    monkeypatch.setattr("motcua.accounts.twofactor.needs_second_factor", lambda request: None)

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


def merge(admin, units, code: str, name: str, on: dt.date) -> Agency:
    """Merge the administrative `units` into a new commune `code` effective `on`, through the reorganization as the
    provincial admin does it (draft, approve, apply): the new commune's People's Committee."""
    plan = save_draft(admin, resolution_number=f"{code}/NQ-UBTVQH15", resolution_date=dt.date(2025, 6, 16),
                      effective_date=on, old_units=units, new_code=code, new_name=name)
    apply(approve(plan, admin), admin)
    return Agency.objects.get(admin_unit__code=code)


def patch_progress(user, task):
    """`user` sets `task`'s progress (40 %, in progress) through the API, as a result is reported: the answer."""
    api = Client(headers={"Authorization": f"Bearer {issue_token(user, 'thử')[1]}"})
    return api.patch(f"/api/v1/transformation/tasks/{task.pk}", {"progress": 40, "status": "in_progress"},
                     content_type="application/json")


def communes(n: int) -> tuple[list[AdministrativeUnit], list[Agency]]:
    """The province's units and agencies loaded: its first `n` communes and their People's Committees."""
    load_units("51")
    load_agencies("51", prefix="H51")
    units = list(AdministrativeUnit.objects.filter(level=AdministrativeUnit.COMMUNE).order_by("code")[:n])
    return units, [Agency.objects.get(admin_unit=u) for u in units]


@pytest.fixture
def merger(db):
    """Three communes of the province (A, B, C) about to merge into «Xã Hợp Nhất» (99001), a fourth (other) not,
    with an open and a closed reporting round, plans and tasks (tests/transformation/test_reorganization*.py)."""
    load_units("51")
    load_agencies("51", prefix="H51")
    units = list(AdministrativeUnit.objects.filter(level=AdministrativeUnit.COMMUNE).order_by("code")[:4])
    a, b, c, other = (Agency.objects.get(admin_unit=u) for u in units)
    admin = officer(Role.PROVINCIAL_ADMIN, None, username="quantri.tinh")
    leaders = {ag.code: officer(Role.LEADER, ag, username=f"lanhdao.{i}") for i, ag in enumerate((a, b, c, other))}
    year = timezone.localdate().year
    today = timezone.localdate()
    rnd = rounds.open_round(admin, title=f"Báo cáo chuyển đổi số năm {year}", year=year,
                            deadline=today + dt.timedelta(days=7), agencies=[a, b, c, other])
    closed = rounds.open_round(admin, title="Kỳ đã đóng", year=year, deadline=today, agencies=[b, other])
    rounds.close_round(admin, closed)
    # A's plan: a task it leads, one naming no lead unit (A's own), one done; B's plan: a task B leads;
    # the province's plan: a task C leads.
    la, lb = leaders[a.code], leaders[b.code]
    plan_a = plans.create_plan(la, agency=a, year=year)
    sec = plans.add_section(la, plan_a, title="Chính quyền số", numeral="I")
    led = plans.add_task(la, plan_a, section=sec, content="Số hóa hồ sơ một cửa", lead_agencies=[a])
    owned = plans.add_task(la, plan_a, section=sec, content="Tập huấn kỹ năng số", lead_text="Các thôn")
    done = plans.add_task(la, plan_a, section=sec, content="Lắp wifi nhà văn hóa", lead_agencies=[a],
                          status=Task.DONE, progress=100)
    plan_b = plans.create_plan(lb, agency=b, year=year)
    led_b = plans.add_task(lb, plan_b, section=plans.add_section(lb, plan_b, title="Hạ tầng số"),
                           content="Camera an ninh", lead_agencies=[b])
    plan_c = plans.create_plan(leaders[c.code], agency=c, year=year - 1)  # last year's: nothing left to do
    province = Agency.objects.get(code="H51")
    plan_p = plans.create_plan(admin, agency=province, year=year)
    led_c = plans.add_task(admin, plan_p, section=plans.add_section(admin, plan_p, title="Xã hội số"),
                           content="Tổ công nghệ số cộng đồng", lead_agencies=[c])
    rounds.submit_response(la, rnd, a)  # A answered before the merger
    plan = save_draft(admin, resolution_number="1677/NQ-UBTVQH15", resolution_date=dt.date(2025, 6, 16),
                      effective_date=today, old_units=units[:3], new_code="99001", new_name="Xã Hợp Nhất")
    return dict(a=a, b=b, c=c, other=other, admin=admin, leaders=leaders, rnd=rnd, closed=closed, plan_a=plan_a, plan_c=plan_c,
                tasks=dict(led=led, owned=owned, done=done, led_b=led_b, led_c=led_c), plan=approve(plan, admin))
