"""Drafting, approving and applying plans: who may, what is refused (in Vietnamese, writing nothing), and the
command for scripts (--dry-run, --apply, plan-based or in one command)."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.accounts.models import Role
from motcua.audit.models import AuditEntry
from motcua.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from motcua.dossiers import lifecycle
from motcua.dossiers.models import Dossier
from motcua.units.models import AdministrativeUnit, Agency, ReorganizationPlan
from motcua.units.reorganization import apply, approve, parse_assignments, preview, reopen, save_draft, validate
from motcua.units.services import load_agencies, load_units
from tests.dossiers.factories import APPLICANT, at
from tests.factories import officer, procedure_with_steps

pytestmark = pytest.mark.django_db


@pytest.fixture
def communes():
    load_units("51")
    load_agencies("51", prefix="H51")
    a, b, c = AdministrativeUnit.objects.filter(level=AdministrativeUnit.COMMUNE).order_by("code")[:3]
    return a, b, c


@pytest.fixture
def admin():
    return officer(Role.PROVINCIAL_ADMIN, None, username="quantri.tinh")


def _fields(units, **kw):
    return {"resolution_number": "1677/NQ-UBTVQH15", "resolution_date": dt.date(2025, 6, 16),
            "effective_date": dt.date(2025, 7, 1), "old_units": units, "new_code": "99001",
            "new_name": "Xã Hợp Nhất", **kw}


def test_only_a_provincial_administrator_drafts_approves_and_applies(communes, admin):
    a, b, _ = communes
    unit_admin = officer(Role.UNIT_ADMIN, Agency.objects.get(admin_unit=a))
    with pytest.raises(PermissionDenied):
        save_draft(unit_admin, **_fields([a, b]))
    plan = save_draft(admin, **_fields([a, b]))
    for action in (approve, reopen, apply):
        with pytest.raises(PermissionDenied) as err:
            action(plan, unit_admin)
        assert "quản trị cấp tỉnh" in err.value.message
    assert ReorganizationPlan.objects.get().status == ReorganizationPlan.DRAFT
    with pytest.raises(InvalidTransition) as err:
        apply(plan, admin)
    assert err.value.code == "plan_not_approved"
    approve(plan, admin)
    with pytest.raises(InvalidTransition):
        save_draft(admin, plan=plan, **_fields([a]))  # approved plans are frozen …
    reopen(plan, admin)
    save_draft(admin, plan=plan, **_fields([a]))  # … until they go back to draft
    assert list(ReorganizationPlan.objects.get().old_units.all()) == [a]


def test_bad_drafts_are_refused_field_by_field_and_write_nothing(communes, admin):
    a, _, _ = communes
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationFailed) as err:
        save_draft(admin, **_fields([], resolution_number=" ", effective_date=dt.date(2025, 1, 1), new_code="9 9",
                                    new_name="", new_level="district", assignments={"1.001": "KHONG.CO"}))
    assert set(err.value.details) == {"resolution_number", "effective_date", "old_units", "new_code", "new_name",
                                      "new_level", "assignments"}
    assert err.value.details["effective_date"] == "Ngày có hiệu lực không được trước ngày ban hành nghị quyết."
    assert not ReorganizationPlan.objects.exists() and AuditEntry.objects.count() == before
    with pytest.raises(ValidationFailed) as err:  # what the command passes unchecked: too long for its column
        save_draft(admin, **_fields([a], resolution_number="1677/NQ-UBTVQH15 " * 5, new_name="Xã " + "Hòa" * 70))
    assert err.value.details == {"resolution_number": "Số nghị quyết dài tối đa 64 ký tự.",
                                 "new_name": "Tên đơn vị mới dài tối đa 200 ký tự."}
    assert not ReorganizationPlan.objects.exists()
    with pytest.raises(ValidationFailed) as err:
        parse_assignments("1.001193 = H51.06\nkhông hợp lệ\n# ghi chú\n")
    assert err.value.details == {"assignments": ["Dòng 2: cần có dạng «mã thủ tục = mã cơ quan»."]}
    assert parse_assignments("1.001193 = H51.06\n1.002 → H51.03") == {"1.001193": "H51.06", "1.002": "H51.03"}


def test_a_plan_that_cannot_be_carried_out_is_not_approved(communes, admin):
    a, b, c = communes
    province = AdministrativeUnit.objects.get(code="51")
    proc = procedure_with_steps()
    proc.agencies.add(Agency.objects.get(admin_unit=a))
    plan = save_draft(admin, **_fields([a, province], new_code=c.code, ended_roles=[987654],
                                       assignments={proc.code: "H51.50.01", "9.999": "H51.06"}))
    problems = validate(plan)
    assert f"Mã đơn vị {c.code} đã được dùng cho {c.name}." in problems
    assert "Chỉ sắp xếp các đơn vị cấp xã (xã, phường, đặc khu)." in problems
    assert "Các đơn vị được sắp xếp phải cùng một tỉnh." in problems
    assert "Không có thủ tục mã 9.999 trong danh mục." in problems
    assert any("thuộc đơn vị được sắp xếp, không thể nhận thủ tục" in p for p in problems)
    assert "Phân quyền số 987654 không thuộc đơn vị được sắp xếp." in problems
    with pytest.raises(ValidationFailed) as err:
        approve(plan, admin)
    assert err.value.code == "plan_not_valid" and err.value.details["problems"] == problems
    assert preview(plan).problems == problems


def test_a_plan_does_not_hand_procedures_to_an_agency_whose_unit_closes_before_it_takes_effect(communes, admin):
    """The agency a procedure goes to takes the old committees' dossiers too (units.receiving): its unit must exist
    from the plan's effective date, and still exist when the plan is approved or applied."""
    a, b, c = communes
    proc = procedure_with_steps()
    proc.agencies.add(Agency.objects.get(admin_unit=a))
    taker = Agency.objects.get(admin_unit=c)
    c.valid_to = dt.date(2025, 6, 30)  # dissolved the day before the plan takes effect (01/07/2025)
    c.save()
    plan = save_draft(admin, **_fields([a, b], assignments={proc.code: taker.code}))
    said = (f"Thủ tục {proc.code}: {c.name} đã giải thể từ ngày 01/07/2025: {taker.name} không còn nhận hồ sơ chuyển "
            "đến, vui lòng chọn cơ quan nhận khác.")
    assert said in validate(plan)
    with pytest.raises(ValidationFailed) as err:
        approve(plan, admin)
    assert said in err.value.details["problems"]
    assert ReorganizationPlan.objects.get().status == ReorganizationPlan.DRAFT
    c.valid_to = None  # still there: the plan may be approved
    c.save()
    assert validate(plan) == []


def test_a_plan_waits_for_its_effective_date_and_old_units_are_merged_once(communes, admin):
    a, b, c = communes
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    later = approve(save_draft(admin, **_fields([a, b], effective_date=tomorrow)), admin)
    with pytest.raises(InvalidTransition) as err:
        apply(later, admin)
    assert err.value.code == "plan_not_effective" and f"{tomorrow:%d/%m/%Y}" in err.value.message
    first = approve(save_draft(admin, **_fields([a], new_code="99002")), admin)
    second = approve(save_draft(admin, **_fields([a, b], new_code="99003")), admin)
    apply(first, admin)
    with pytest.raises(ValidationFailed) as err:  # a unit already merged cannot be merged again
        apply(second, admin)
    assert "Đơn vị đã ngừng hoạt động" in err.value.message


def test_units_of_a_plan_cut_short_go_into_no_other_plan_until_it_is_finished(communes, admin, settings, tmp_path):
    a, b, c = communes
    first = approve(save_draft(admin, **_fields([a, b], new_code="99002")), admin)
    waiting = approve(save_draft(admin, **_fields([b], new_code="99003")), admin)  # approved before the first ran
    # The first run stops before closing the old units (a restart, a timeout): they are still active.
    settings.MOTCUA_REORGANIZATION_PAUSE = {"step": "units.close", "after": 0, "file": str(tmp_path / "stop"),
                                           "wait_s": 0}
    with pytest.raises(RuntimeError):
        apply(first, admin)
    settings.MOTCUA_REORGANIZATION_PAUSE = None
    assert ReorganizationPlan.objects.get(pk=first.pk).status == ReorganizationPlan.APPLYING
    b.refresh_from_db()
    assert b.is_active
    problem = (f"{b.name} đang được sắp xếp theo phương án số {first.pk} (đang thực hiện, chưa xong): hoàn tất "
               "phương án đó trước.")
    with pytest.raises(ValidationFailed) as err:  # b would get a second successor
        apply(waiting, admin)
    assert problem in err.value.details["problems"]
    assert not AdministrativeUnit.objects.filter(code="99003").exists()
    later = save_draft(admin, **_fields([b, c], new_code="99004"))
    assert problem in validate(later)
    with pytest.raises(ValidationFailed):
        approve(later, admin)
    apply(first, admin)  # finishing the first one is what is left to do
    assert ReorganizationPlan.objects.get(pk=first.pk).status == ReorganizationPlan.APPLIED
    b.refresh_from_db()
    assert b.replaced_by.code == "99002"


def test_transfer_is_no_button_and_needs_a_plan_being_applied(communes, admin):
    a, _, _ = communes
    agency = Agency.objects.get(admin_unit=a)
    proc = procedure_with_steps()
    proc.agencies.add(agency)
    counter = officer(Role.COUNTER_OFFICER, agency)
    d = lifecycle.receive_at_counter(officer=counter, procedure=proc, agency=agency, applicant_data=APPLICANT,
                                     form_data={}, at=at(2026, 3, 2, 8))
    assert "transfer_agency" not in lifecycle.allowed_actions(d, admin)
    plan = approve(save_draft(admin, **_fields([a])), admin)
    with pytest.raises(InvalidTransition) as err:
        lifecycle.transfer_agency(d, officer=admin, plan=plan, to_agency=Agency.objects.get(code="H51.06"))
    assert err.value.code == "plan_not_applying"
    assert Dossier.objects.get(pk=d.pk).agency == agency


def test_command_dry_run_changes_nothing_then_apply_in_one_command(communes, admin):
    a, b, _ = communes
    agency = Agency.objects.get(admin_unit=a)
    proc = procedure_with_steps()
    proc.agencies.add(agency)
    d = lifecycle.receive_at_counter(officer=officer(Role.COUNTER_OFFICER, agency), procedure=proc, agency=agency,
                                     applicant_data=APPLICANT, form_data={}, at=at(2026, 3, 2, 8))
    out = StringIO()
    args = [a.code, b.code, "--code", "99010", "--name", "Xã Hòa Bình", "--from", "01/03/2026",
            "--resolution", "1677/NQ-UBTVQH15"]
    call_command("reorganize_units", *args, "--dry-run", stdout=out)
    text = out.getvalue()
    assert "XEM TRƯỚC" in text and "1 hồ sơ chuyển sang cơ quan mới" in text and d.code in text
    assert "H51.50.97" in text  # the identity code the new committee will get
    assert not ReorganizationPlan.objects.exists() and not AdministrativeUnit.objects.filter(code="99010").exists()
    with pytest.raises(CommandError, match="--by"):
        call_command("reorganize_units", *args, "--apply", stdout=out)
    out = StringIO()
    call_command("reorganize_units", *args, "--apply", "--by", admin.username, stdout=out)
    assert "Ủy ban nhân dân xã Hòa Bình — mã định danh H51.50.97" in out.getvalue()
    new = AdministrativeUnit.objects.get(code="99010")
    assert new.valid_from == dt.date(2026, 3, 1)
    d.refresh_from_db()
    assert d.agency.code == "H51.50.97" and d.code.startswith(agency.code)
    plan = ReorganizationPlan.objects.get()
    out = StringIO()
    call_command("reorganize_units", "--plan", str(plan.pk), "--apply", stdout=out)  # again: nothing changes
    assert plan.progress.count() == ReorganizationPlan.objects.get().progress.count()


def test_command_refuses_bad_input_in_vietnamese(communes, admin):
    a, _, _ = communes
    out = StringIO()
    cases = [
        ((a.code, "--code", "99011", "--name", "X", "--resolution", "1"), "Chọn --dry-run"),
        (("00000", "--code", "99011", "--name", "X", "--resolution", "1", "--dry-run"), "Không tìm thấy đơn vị mã: 00000"),
        ((a.code, "--code", "99011", "--name", "X", "--resolution", "1", "--from", "2026-03-01", "--dry-run"),
         "dd/mm/yyyy"),
        ((a.code, "--code", "99011", "--name", "X", "--dry-run"), "Cần --resolution"),
        (("--plan", "4242", "--dry-run"), "Không có phương án số 4242"),
        ((a.code, "--code", "99011", "--name", "X", "--resolution", "1", "--apply", "--by", "khongco"),
         "Không có tài khoản khongco"),
    ]
    for args, message in cases:
        with pytest.raises(CommandError, match=message):
            call_command("reorganize_units", *args, stdout=out)
    assert not ReorganizationPlan.objects.exists()
