"""What a province administrator does in the admin — give someone a role, make an account superuser, set a
password, delete a row — is an entry of the hash-chained audit trail, with who did it and which fields changed."""

import datetime as dt

import pytest

from motcua.accounts.models import RoleAssignment
from motcua.audit import chainer, services
from motcua.audit.models import AuditEntry
from motcua.core.models import CalendarException
from tests.factories import AgencyFactory, UserFactory, sign_in

pytestmark = pytest.mark.django_db


def _admin_entries(action):
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


def test_a_role_given_through_the_user_page_is_in_the_audit_trail(client):
    boss = UserFactory(username="quantri.tinh", is_staff=True, is_superuser=True)
    clerk = UserFactory(username="nguyenvanan", full_name="Nguyễn Văn An")
    agency = AgencyFactory()
    sign_in(client, boss)
    page = client.get(f"/admin/accounts/user/{clerk.pk}/change/")
    assert page.status_code == 200
    data = {"username": clerk.username, "full_name": clerk.full_name, "id_number": "", "phone": "", "email": "",
            "address": "", "is_active": "on", "is_staff": "on", "is_superuser": "on",
            "last_login_0": "", "last_login_1": "", "date_joined_0": "01/03/2026", "date_joined_1": "08:00:00",
            "role_assignments-TOTAL_FORMS": "1", "role_assignments-INITIAL_FORMS": "0",
            "role_assignments-MIN_NUM_FORMS": "0", "role_assignments-MAX_NUM_FORMS": "1000",
            "role_assignments-0-role": "leader", "role_assignments-0-agency": str(agency.pk),
            "role_assignments-0-department": "", "role_assignments-0-user": str(clerk.pk), "_save": "Lưu"}
    answer = client.post(f"/admin/accounts/user/{clerk.pk}/change/", data)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    assert RoleAssignment.objects.filter(user=clerk, role="leader", agency=agency).exists()

    [entry] = _admin_entries("admin.change")
    assert (entry.actor_id, entry.object_type, entry.object_id) == (boss.pk, "accounts.user", str(clerk.pk))
    text = str(entry.data["changes"])
    assert "phân quyền" in text and "Lãnh đạo" in text  # the role added on the page, named
    assert "superuser" in text.lower()  # and the account made superuser
    chainer.chain_pending()
    assert services.verify_chain().ok


def test_a_password_set_by_the_administrator_is_in_the_audit_trail_without_the_password(client):
    boss = UserFactory(is_staff=True, is_superuser=True)
    clerk = UserFactory()
    sign_in(client, boss)
    answer = client.post(f"/admin/accounts/user/{clerk.pk}/password/",
                         {"password1": "Mat-khau-moi-2026!", "password2": "Mat-khau-moi-2026!", "usable_password": "true"})
    assert answer.status_code == 302
    [entry] = _admin_entries("admin.change")
    assert entry.object_id == str(clerk.pk) and "Mat-khau-moi-2026!" not in str(entry.data)


def test_deletions_one_by_its_page_and_two_by_the_list_action_are_each_in_the_audit_trail(client):
    boss = UserFactory(is_staff=True, is_superuser=True)
    days = [CalendarException.objects.create(date=dt.date(2026, 12, d), kind="off", note=f"Nghỉ {d}")
            for d in (7, 8, 9)]
    sign_in(client, boss)
    assert client.post(f"/admin/core/calendarexception/{days[0].pk}/delete/", {"post": "yes"}).status_code == 302
    answer = client.post("/admin/core/calendarexception/", {"action": "delete_selected", "post": "yes",
                                                            "_selected_action": [str(days[1].pk), str(days[2].pk)]})
    assert answer.status_code == 302 and not CalendarException.objects.filter(pk__in=[d.pk for d in days]).exists()
    entries = _admin_entries("admin.delete")
    assert sorted(e.object_id for e in entries) == sorted(str(d.pk) for d in days)
    assert {e.object_type for e in entries} == {"core.calendarexception"}
    assert all(e.actor_id == boss.pk for e in entries) and entries[0].data["object"] == "07/12/2026 Ngày nghỉ"


def test_the_audit_page_names_an_admin_change_in_vietnamese(client):
    boss = UserFactory(is_staff=True, is_superuser=True)
    sign_in(client, boss)
    client.post("/admin/core/calendarexception/add/", {"date": "07/12/2026", "kind": "off", "note": "Nghỉ bù"})
    [entry] = _admin_entries("admin.add")
    page = client.get(f"/admin/audit/auditentry/{entry.pk}/change/").content.decode()
    assert "Trang quản trị: Thêm mới" in page
