"""What an administrator may record in the Django admin about how an agency or a unit ended. The statistics (a
successor's figures «gồm đơn vị tiền thân», the index folding merged units), the portal's choice of commune and the
mergers follow «cơ quan kế thừa» and «sáp nhập vào» as a merger's plan records them: the admin does not change what a
plan recorded (read-only there), and what it records itself is for an agency that stopped working, never forms a loop
and names one working the day after; each refusal in Vietnamese under its field, never a server error."""

import datetime as dt

import lxml.html
import pytest

from motcua.reporting.continuity import final_successors
from motcua.units.models import AdministrativeUnit, Agency
from motcua.units.reorganization import apply, lineage_codes
from tests.admin_forms import admin_form, errors_of
from tests.factories import AdministrativeUnitFactory, AgencyFactory, sign_in
from tests.units import reorganization_world as world

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    sign_in(client, django_user_model.objects.create_superuser("quantri", "qt@example.vn", "matkhau-123"))
    return client


def _agency_url(agency) -> str:
    return f"/admin/units/agency/{agency.pk}/change/"


def _unit_url(unit) -> str:
    return f"/admin/units/administrativeunit/{unit.pk}/change/"


def _under(answer, field: str) -> list[str]:
    page = lxml.html.fromstring(answer.content.decode())
    return [e.text_content().strip() for e in page.xpath(
        f"//*[contains(@class, 'field-{field}')]//ul[contains(@class, 'errorlist')]/li")]


def _refused(client, url: str, field: str, **changes) -> list[str]:
    """The messages under ``field`` when the admin page at ``url`` is saved with ``changes`` and refuses them."""
    answer = client.post(url, admin_form(client, url, **changes))
    assert answer.status_code == 200
    return _under(answer, field)


def _province_departments():
    province = AdministrativeUnitFactory(code="55", name="Tỉnh Thử Nghiệm", level=AdministrativeUnit.PROVINCE)
    return [AgencyFactory(code=f"H55.0{n}", name=f"Sở Thử Nghiệm {n}", kind=Agency.PROVINCIAL_DEPARTMENT,
                          admin_unit=province) for n in (2, 3, 4)]


def test_a_successor_is_for_an_agency_that_stopped_working_and_names_one_still_working(admin_client):
    old, new, closed = _province_departments()
    Agency.objects.filter(pk=closed.pk).update(is_active=False)
    url = _agency_url(old)
    working = ("Chỉ ghi cơ quan kế thừa cho cơ quan đã ngừng hoạt động (bỏ chọn «đang hoạt động»): cơ quan đang hoạt "
               "động tự tiếp nhận và giải quyết hồ sơ của mình.")

    assert _refused(admin_client, url, "successor", successor=str(new.pk)) == [working]
    assert _refused(admin_client, url, "successor", successor=str(closed.pk), is_active="") == [
        "Sở Thử Nghiệm 4 đã ngừng hoạt động: cơ quan kế thừa phải là cơ quan đang hoạt động."]
    old.refresh_from_db()
    assert (old.successor_id, old.is_active) == (None, True)

    # a provincial department merged into another one (no plan: plans are for communes)
    answer = admin_client.post(url, admin_form(admin_client, url, successor=str(new.pk), is_active=""))
    assert answer.status_code == 302, errors_of(answer)
    old.refresh_from_db()
    assert (old.successor_id, old.is_active) == (new.pk, False)
    assert final_successors()["H55.02"] == "H55.03"

    # it does not start working again while it has a successor
    assert _refused(admin_client, url, "is_active", is_active="on") == [working]
    assert not Agency.objects.get(pk=old.pk).is_active

    # a new agency with a successor and no unit chosen yet: the form's own message, not a server error
    add = "/admin/units/agency/add/"
    assert _refused(admin_client, add, "admin_unit", code="H55.05", name="Sở Thử Nghiệm 5",
                    kind=Agency.PROVINCIAL_DEPARTMENT, admin_unit="", successor=str(new.pk), is_active="") == [
        "Vui lòng nhập mục này."]


def test_a_successor_never_makes_a_loop(admin_client):
    a, b, c = _province_departments()
    Agency.objects.filter(pk=a.pk).update(is_active=False, successor=b)
    Agency.objects.filter(pk=b.pk).update(is_active=False, successor=c)
    url = _agency_url(c)
    for target, name in ((b, "Sở Thử Nghiệm 3"), (a, "Sở Thử Nghiệm 2")):  # directly, and through B
        assert _refused(admin_client, url, "successor", successor=str(target.pk), is_active="") == [
            f"Không thể chọn {name}: cơ quan này đã kế thừa (trực tiếp hoặc qua cơ quan khác) chính cơ quan đang sửa, "
            "sẽ tạo thành vòng lặp."]
    c.refresh_from_db()
    assert (c.successor_id, c.is_active) == (None, True)
    assert lineage_codes("H55.04") == ["H55.04", "H55.03", "H55.02"]


def test_a_successor_works_the_day_after_the_unit_ended(admin_client):
    ended = AdministrativeUnitFactory(code="23901", name="Xã Cũ", valid_to=dt.date(2026, 3, 31), is_active=False)
    later = AdministrativeUnitFactory(code="23902", name="Xã Mới", valid_from=dt.date(2026, 5, 1))
    then = AdministrativeUnitFactory(code="23903", name="Xã Bên", valid_to=dt.date(2026, 8, 31), is_active=False)
    old = AgencyFactory(code="H55.50.01", name="UBND xã Cũ", admin_unit=ended, is_active=False)
    not_yet = AgencyFactory(code="H55.50.02", name="UBND xã Mới", admin_unit=later)
    merged_later = AgencyFactory(code="H55.50.03", name="UBND xã Bên", admin_unit=then, is_active=False)
    url = _agency_url(old)

    assert _refused(admin_client, url, "successor", successor=str(not_yet.pk)) == [
        "UBND xã Mới không hoạt động vào ngày 01/04/2026 (ngày sau ngày cuối cùng của Xã Cũ): cơ quan kế thừa phải là "
        "cơ quan đang hoạt động vào ngày đó."]
    # one that worked then and has ended since (a later merger) is the successor it was
    answer = admin_client.post(url, admin_form(admin_client, url, successor=str(merged_later.pk)))
    assert answer.status_code == 302, errors_of(answer)
    assert Agency.objects.get(pk=old.pk).successor_id == merged_later.pk


def test_what_a_merger_recorded_is_read_only_in_the_admin(admin_client):
    w = world.build()
    plan = world.approved(w)
    apply(plan, w.admin)
    w.agency_a.refresh_from_db()
    new_agency = w.agency_a.successor
    assert new_agency is not None and not w.agency_a.is_active

    url = _agency_url(w.agency_a)
    page = admin_client.get(url)
    assert page.status_code == 200
    form = lxml.html.fromstring(page.content.decode())
    assert not form.xpath("//*[@name='successor']")  # shown, not a field
    assert new_agency.name in form.xpath("string(//*[contains(@class, 'field-successor')])")
    answer = admin_client.post(url, admin_form(admin_client, url, successor=str(w.province_agency.pk),
                                               phone="0255 3822 123"))
    assert answer.status_code == 302, errors_of(answer)
    w.agency_a.refresh_from_db()
    assert (w.agency_a.successor_id, w.agency_a.phone) == (new_agency.pk, "0255 3822 123")
    assert _refused(admin_client, url, "is_active", is_active="on") == [
        "Cơ quan kế thừa do phương án sắp xếp theo Nghị quyết số 1677/NQ-UBTVQH15 ghi nhận: cơ quan này đã ngừng "
        "hoạt động và không sửa cơ quan kế thừa ở đây."]

    url = _unit_url(w.a)
    form = lxml.html.fromstring(admin_client.get(url).content.decode())
    assert not form.xpath("//*[@name='replaced_by'] | //*[@name='valid_to']")
    answer = admin_client.post(url, admin_form(admin_client, url, replaced_by=str(w.b.pk), valid_to="01/01/2027",
                                               name="Phường Cẩm Thành (cũ)"))
    assert answer.status_code == 302, errors_of(answer)
    w.a.refresh_from_db()
    plan.refresh_from_db()
    assert (w.a.replaced_by_id, w.a.valid_to, w.a.name) == (
        plan.new_unit_id, plan.effective_date - dt.timedelta(days=1), "Phường Cẩm Thành (cũ)")


def test_a_unit_merged_into_another_in_the_admin(admin_client):
    one = AdministrativeUnitFactory(code="23911", name="Xã Một")
    two = AdministrativeUnitFactory(code="23912", name="Xã Hai")
    late = AdministrativeUnitFactory(code="23913", name="Xã Ba", valid_from=dt.date(2026, 6, 1))
    AdministrativeUnit.objects.filter(pk=two.pk).update(replaced_by=one, valid_to=dt.date(2026, 3, 31),
                                                        is_active=False)
    url = _unit_url(one)
    cases = [
        (dict(replaced_by=str(one.pk), valid_to="31/05/2026"), "Đơn vị không thể sáp nhập vào chính nó."),
        (dict(replaced_by=str(two.pk), valid_to="31/05/2026"),
         "Không thể sáp nhập vào Xã Hai: đơn vị này đã sáp nhập (trực tiếp hoặc qua đơn vị khác) vào chính đơn vị "
         "đang sửa."),
        (dict(replaced_by=str(late.pk), valid_to=""),
         "Cần ghi «hiệu lực đến» (ngày cuối cùng đơn vị hoạt động) khi ghi đơn vị sáp nhập vào."),
        (dict(replaced_by=str(late.pk), valid_to="30/04/2026"),
         "Xã Ba không hoạt động vào ngày 01/05/2026 (ngày sau «hiệu lực đến» của đơn vị này): đơn vị sáp nhập vào "
         "phải là đơn vị đang hoạt động vào ngày đó."),
    ]
    for changes, message in cases:
        assert _refused(admin_client, url, "replaced_by", is_active="", **changes) == [message]
    one.refresh_from_db()
    assert (one.replaced_by_id, one.valid_to, one.is_active) == (None, None, True)
    answer = admin_client.post(url, admin_form(admin_client, url, replaced_by=str(late.pk), valid_to="31/05/2026",
                                               is_active=""))
    assert answer.status_code == 302, errors_of(answer)
    one.refresh_from_db()
    assert (one.replaced_by_id, one.valid_to) == (late.pk, dt.date(2026, 5, 31))


def test_a_unit_merged_in_the_admin_waits_for_its_open_dossiers_like_a_dissolution(admin_client):
    """Closing a unit in the admin moves nothing, «sáp nhập vào» or not: its open dossiers would be left behind."""
    w = world.build()
    url = _unit_url(w.a)
    found = _refused(admin_client, url, "valid_to", valid_to="31/03/2026", replaced_by=str(w.b.pk), is_active="")
    assert len(found) == 1 and found[0].startswith("Các cơ quan của đơn vị đang giữ 10 hồ sơ đã nộp chưa kết thúc")
    w.a.refresh_from_db()
    assert (w.a.valid_to, w.a.replaced_by_id, w.a.is_active) == (None, None, True)


def test_an_agency_kind_fits_its_unit_level(admin_client):
    province = AdministrativeUnitFactory(code="55", name="Tỉnh Thử Nghiệm", level=AdministrativeUnit.PROVINCE)
    commune = AdministrativeUnitFactory(code="23921", name="Phường Thử Nghiệm", level=AdministrativeUnit.WARD,
                                        parent=province)
    add = "/admin/units/agency/add/"
    assert _refused(admin_client, add, "admin_unit", code="H55.13", name="Sở Mới", kind=Agency.PROVINCIAL_DEPARTMENT,
                    admin_unit=str(commune.pk)) == [
        "Cơ quan loại «Sở, ban, ngành tỉnh» thuộc đơn vị hành chính cấp tỉnh; Phường Thử Nghiệm là đơn vị cấp xã."]
    assert _refused(admin_client, add, "admin_unit", code="H55.50.09", name="UBND phường Mới",
                    kind=Agency.COMMUNE_COMMITTEE, admin_unit=str(province.pk)) == [
        "Cơ quan loại «UBND xã/phường/đặc khu» thuộc đơn vị hành chính cấp xã (xã, phường, đặc khu); Tỉnh Thử "
        "Nghiệm là đơn vị cấp tỉnh."]
    assert not Agency.objects.exists()
    for code, kind, unit in (("H55.13", Agency.PROVINCIAL_DEPARTMENT, province),
                             ("H55.50.09", Agency.COMMUNE_COMMITTEE, commune),
                             ("H55.50.10", Agency.SERVICE_CENTER, commune), ("H55.90", Agency.VERTICAL, province)):
        answer = admin_client.post(add, admin_form(admin_client, add, code=code, name=f"Cơ quan {code}", kind=kind,
                                                   admin_unit=str(unit.pk)))
        assert answer.status_code == 302, errors_of(answer)
