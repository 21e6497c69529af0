"""The national portal and the applicants learn of a reorganization through the outbox: the real dispatcher
and adapters deliver to the simulators over HTTP. So does the portal of a successor an administrator records in the
admin (a department merged into another, no plan): the old code is no longer where citizens are sent."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from motcua.accounts.models import Role, RoleAssignment
from motcua.integrations import dispatcher
from motcua.integrations.models import Delivery
from motcua.outbox.models import OutboxEvent
from motcua.units.models import AdministrativeUnit, Agency
from motcua.units.reorganization import apply, preview
from motcua.units.succession import SUCCESSOR_RECORDED, followers
from tests.admin_forms import admin_form, errors_of
from tests.factories import AdministrativeUnitFactory, AgencyFactory, ProcedureFactory, sign_in
from tests.integrations.conftest import configure, sims  # noqa: F401  (fixtures)
from tests.units import reorganization_world as world

pytestmark = pytest.mark.django_db


def _dispatch_all():
    for _ in range(200):
        dispatcher.run_batch()
        if dispatcher.pending_count() == 0:
            break
    assert not Delivery.objects.exclude(status=Delivery.DELIVERED).exists()


def test_portal_learns_the_successor_code_and_applicants_are_told(sims, configure):  # noqa: F811
    running = sims(("dvcqg", "sms"))
    w = world.build()
    configure(running)
    Delivery.objects.all().delete()
    plan = world.approved(w)
    apply(plan, w.admin)
    plan.refresh_from_db()
    _dispatch_all()
    portal = running["dvcqg"]
    new = plan.new_agency.code
    assert portal.successors == {w.agency_a.code: new, w.agency_b.code: new}
    [change] = portal.changes
    assert (change["kind"], change["resolution_number"]) == ("reorganization", plan.resolution_number)
    moved = [d for d in w.dossiers.values() if d.status in world.OPEN and d.code and d.agency_id != w.province_agency.pk]
    assert moved and all(portal.agencies[d.code] == new for d in moved)
    assert portal.agencies[w.dossiers["province:at_a"].code] == w.province_agency.code  # its receiving agency stays
    texts = [m["text"] for m in running["sms"].messages if "sắp xếp đơn vị hành chính" in m["text"]]
    assert len(texts) == len(moved) + 1  # every coded dossier that moved, the province's one included; no draft
    for d in (w.dossiers["a:paused"], w.dossiers["province:at_a"]):  # the agency now handling it is named
        assert f"hồ sơ {d.code} chuyển về UBND phường Hợp Nhất" in " ".join(texts)


def test_portal_learns_a_successor_recorded_in_the_admin(sims, configure, client, django_user_model):  # noqa: F811
    running = sims(("dvcqg",))
    w = world.build()
    configure(running)
    w.a.valid_to = dt.date(2026, 3, 31)  # commune A's last day, recorded by hand (no plan)
    w.a.save(update_fields=["valid_to"])
    old, new = w.agency_a, w.agency_b

    # commune A's open dossiers move to B: the provincial administrator's role (a bare superuser is refused)
    admin = django_user_model.objects.create_superuser("quantri", "qt@example.vn", "matkhau-123")
    RoleAssignment.objects.create(user=admin, role=Role.PROVINCIAL_ADMIN, agency=None)
    sign_in(client, admin)
    url = f"/admin/units/agency/{old.pk}/change/"
    answer = client.post(url, admin_form(client, url, successor=str(new.pk), is_active=""), follow=True)
    assert answer.status_code == 200 and not errors_of(answer)
    said = [str(m) for m in get_messages(answer.wsgi_request)]
    # the catalog names commune B for the procedure only A received (B had the shared one): nothing left to add
    assert (f"Danh mục: 2 thủ tục của {old.name} chuyển cho {new.name} tiếp nhận (1 thủ tục {new.name} đã tiếp "
            f"nhận trước); 1 bước xử lý liên thông do {old.name} thực hiện chuyển cho {new.name}.") in said
    assert (f"Cổng Dịch vụ công quốc gia được thông báo qua hàng đợi sự kiện: mã định danh {old.code} → {new.code} "
            f"từ ngày 01/04/2026, 2 thủ tục của {old.name} chuyển sang {new.name}.") in said
    _dispatch_all()  # with the dossiers' own events the world wrote before

    portal = running["dvcqg"]
    assert portal.successors == {old.code: new.code}
    [change] = portal.changes
    assert change == {
        "event_id": OutboxEvent.objects.get(topic=SUCCESSOR_RECORDED).pk, "kind": "successor",
        "resolution_number": None, "effective_date": "2026-04-01", "agency_code": new.code, "agency_name": new.name,
        "unit_code": w.b.code, "replaces": [old.code],
        "procedure_codes": sorted([w.procedures["shared"].code, w.procedures["only_a"].code])}
    # an agency change, not a dossier the portal synced (Decision 766 1.4 counts dossiers only)
    synced = OutboxEvent.objects.filter(topic="integration.portal_sync")
    assert synced.exists() and not synced.filter(payload__topic=SUCCESSOR_RECORDED).exists()


def test_the_administrator_is_told_what_the_catalog_still_misses(settings, client, django_user_model):
    # without the catalog's follower (an installation that removed it), the portal still sends citizens to the
    # successor: the administrator is told which of the procedures intake refuses there
    settings.MOTCUA_INTEGRATIONS = {"dvcqg": {"url": "http://127.0.0.1:9/dvcqg"}}
    province = AdministrativeUnitFactory(code="55", name="Tỉnh Thử Nghiệm", level=AdministrativeUnit.PROVINCE)
    old, new = (AgencyFactory(code=f"H55.0{n}", name=f"Sở Thử Nghiệm {n}", kind=Agency.PROVINCIAL_DEPARTMENT,
                              admin_unit=province) for n in (2, 3))
    missing, shared = (ProcedureFactory(code=code, agency_kind=Agency.PROVINCIAL_DEPARTMENT) for code in
                       ("1.000002", "1.000001"))
    missing.agencies.add(old)
    shared.agencies.add(old, new)
    sign_in(client, django_user_model.objects.create_superuser("quantri", "qt@example.vn", "matkhau-123"))
    url = f"/admin/units/agency/{old.pk}/change/"
    with followers.replaced("catalog.procedures", None):
        answer = client.post(url, admin_form(client, url, successor=str(new.pk), is_active=""), follow=True)
    assert answer.status_code == 200 and not errors_of(answer)
    assert (f"Cổng Dịch vụ công quốc gia được thông báo qua hàng đợi sự kiện: mã định danh H55.02 → H55.03 từ ngày "
            f"{timezone.localdate():%d/%m/%Y}, 2 thủ tục của Sở Thử Nghiệm 2 chuyển sang Sở Thử Nghiệm 3. Danh mục "
            "thủ tục chưa ghi Sở Thử Nghiệm 3 tiếp nhận 1 thủ tục trong số đó (1.000002): bổ sung để công dân nộp "
            "được.") in [str(m) for m in get_messages(answer.wsgi_request)]


def test_without_the_portal_configured_the_administrator_is_told_to_update_it(settings, client, django_user_model):
    settings.MOTCUA_INTEGRATIONS = {}
    province = AdministrativeUnitFactory(code="55", name="Tỉnh Thử Nghiệm", level=AdministrativeUnit.PROVINCE)
    old, new = (AgencyFactory(code=f"H55.0{n}", name=f"Sở Thử Nghiệm {n}", kind=Agency.PROVINCIAL_DEPARTMENT,
                              admin_unit=province) for n in (2, 3))
    sign_in(client, django_user_model.objects.create_superuser("quantri", "qt@example.vn", "matkhau-123"))
    url = f"/admin/units/agency/{old.pk}/change/"
    answer = client.post(url, admin_form(client, url, successor=str(new.pk), is_active=""), follow=True)
    assert answer.status_code == 200 and not errors_of(answer)
    today = timezone.localdate()
    assert (f"Cổng Dịch vụ công quốc gia chưa cấu hình: hệ thống không gửi được thông báo mã định danh H55.02 → "
            f"H55.03 từ ngày {today:%d/%m/%Y}; cập nhật cơ quan tiếp nhận thủ tục của Sở Thử Nghiệm 2 trên Cổng."
            ) in [str(m) for m in get_messages(answer.wsgi_request)]


def test_merger_preview_without_the_portal_says_the_new_code_is_not_sent(settings):
    # the dispatcher gives an event deliveries only for the targets configured when it fans out: one written while
    # the portal is not configured never reaches it, so the preview must not promise it waits in the queue
    settings.MOTCUA_INTEGRATIONS = {}
    w = world.build()
    shown = dict(dict(preview(world.approved(w)).sections)["integrations.national_portal"].facts)
    assert shown["Cổng DVCQG"] == ("chưa cấu hình: mã mới không được gửi lên Cổng (sự kiện không chờ đến khi cấu "
                                   "hình); khai báo trên Cổng bằng tay")
