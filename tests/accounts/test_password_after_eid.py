"""The holder's VNeID sign-in takes back an account registered with their number, and the password typed at sign-up
stops working (test_id_number_proof). The portal lets the holder, signed in with VNeID in this session, choose a
password again, and then sign in with ID number and password; a session signed in with a password only may not."""

import re

import pytest
from django.test import Client

from motcua.accounts.models import Role, RoleAssignment, User
from motcua.accounts.services import register_citizen, set_password_after_eid
from motcua.audit.models import AuditEntry
from motcua.core.errors import PermissionDenied
from motcua.integrations import eid
from tests.factories import citizen, officer
from tests.integrations.test_eid import provider  # noqa: F401  (the e-ID simulator)
from tests.integrations.test_eid import sign_in as eid_sign_in

pytestmark = pytest.mark.django_db
HOLDER = "051190012345"  # Nguyễn Thị Hồng Nhung in the e-ID simulator
PAGE = "/tai-khoan/mat-khau/"
NEW = "Song-Tra-Khuc-2026"


def _csrf(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def _password_sign_in(client, username, password):
    return client.post("/tai-khoan/dang-nhap/", {"username": username, "password": password})


def test_the_holder_sets_a_new_password_after_the_vneid_take_over_and_signs_in_with_it(provider):  # noqa: F811
    register_citizen(username="nhung90", password="mat-khau-dai-1", full_name="Nguyễn Thị Hồng Nhung",
                     id_number=HOLDER, phone="0905111222")
    holder = Client(enforce_csrf_checks=True)
    assert eid_sign_in(holder, hint=HOLDER, next_url="/ho-so-cua-toi/").status_code == 302
    mine = holder.get("/ho-so-cua-toi/").content.decode()
    # The take-over says the old password is gone and where to set a new one; the account section links there too.
    assert "Mật khẩu đặt khi đăng ký và các khóa API cũ không còn dùng được" in mine
    assert f'<a href="{PAGE}">đặt mật khẩu mới</a>' in mine
    assert f'<a class="btn sec" href="{PAGE}">Đặt mật khẩu</a>' in mine

    form = holder.get(PAGE)
    assert form.status_code == 200 and "Mật khẩu mới" in form.content.decode()
    token = _csrf(form.content.decode())
    assert holder.post(PAGE, {"password": NEW, "password2": NEW}).status_code == 403  # no CSRF token
    for typed, said in (({"password": NEW, "password2": NEW + "x"}, "Hai mật khẩu không khớp."),
                        ({"password": "12345678", "password2": "12345678"}, "Mật khẩu này quá phổ biến."),
                        ({"password": "ab1", "password2": "ab1"}, "Mật khẩu quá ngắn: cần ít nhất 8 ký tự.")):
        refused = holder.post(PAGE, {**typed, "csrfmiddlewaretoken": token})
        assert refused.status_code == 400 and said in refused.content.decode()
    assert not User.objects.get(id_number=HOLDER).has_usable_password()

    done = holder.post(PAGE, {"password": NEW, "password2": NEW, "csrfmiddlewaretoken": token}, follow=True)
    body = done.content.decode()
    assert done.redirect_chain[-1][0] == "/ho-so-cua-toi/"  # still signed in: the session's hash was updated
    assert "Đã đặt mật khẩu. Từ nay bạn đăng nhập được bằng số định danh cá nhân và mật khẩu này" in body
    assert f'<a class="btn sec" href="{PAGE}">Đổi mật khẩu</a>' in body
    user = User.objects.get(id_number=HOLDER)
    assert NEW not in user.password and user.check_password(NEW)
    entry = AuditEntry.objects.get(action="account.password_set")
    assert entry.actor == user and entry.data == {"source": "vneid", "replaced": False}

    # Signing in with ID number and the new password works again; the sign-up password stays dead.
    again = Client()
    assert _password_sign_in(again, HOLDER, "mat-khau-dai-1").status_code == 400
    assert _password_sign_in(again, HOLDER, NEW).status_code == 302
    assert int(again.session["_auth_user_id"]) == user.pk


def test_an_account_the_vneid_made_gets_its_first_password_and_a_change_ends_the_other_sessions(provider):  # noqa: F811
    holder = Client()
    assert eid_sign_in(holder, hint="051085004321", next_url="/ho-so-cua-toi/").status_code == 302
    assert holder.post(PAGE, {"password": NEW, "password2": NEW}).status_code == 302
    elsewhere = Client()
    assert _password_sign_in(elsewhere, "051085004321", NEW).status_code == 302
    assert elsewhere.get("/ho-so-cua-toi/").status_code == 200
    assert holder.post(PAGE, {"password": NEW + "-moi", "password2": NEW + "-moi"}).status_code == 302
    assert holder.get("/ho-so-cua-toi/").status_code == 200  # this session stays
    assert elsewhere.get("/ho-so-cua-toi/").status_code == 302  # the one signed in with the old password ends
    assert AuditEntry.objects.filter(action="account.password_set").count() == 2


def test_a_session_signed_in_with_a_password_may_not_set_one_this_way(provider):  # noqa: F811
    typed = register_citizen(username="nguoi-go-so", password="mat-khau-dai-1", full_name="Người gõ số",
                             id_number=HOLDER, phone="0905111222")
    client = Client()
    assert _password_sign_in(client, "nguoi-go-so", "mat-khau-dai-1").status_code == 302
    mine = client.get("/ho-so-cua-toi/").content.decode()
    assert f'href="{PAGE}"' not in mine and "đăng nhập bằng VNeID, sau đó chọn «Đặt mật khẩu»" in mine
    page = client.get(PAGE)
    assert page.status_code == 403 and "Chỉ đặt hoặc đổi mật khẩu được sau khi đăng nhập bằng VNeID" in page.content.decode()
    assert "Đăng nhập bằng VNeID để đặt mật khẩu" in page.content.decode()
    assert client.post(PAGE, {"password": NEW, "password2": NEW}).status_code == 403
    # A session that says VNeID, but not for this account's proven number (none proven here, or from before the
    # number was recorded), is refused as well.
    for claimed in (True, HOLDER):
        session = client.session
        session[eid.VERIFIED_KEY] = claimed
        session.save()
        assert client.post(PAGE, {"password": NEW, "password2": NEW}).status_code == 403
    typed.refresh_from_db()
    assert typed.check_password("mat-khau-dai-1") and not AuditEntry.objects.filter(action="account.password_set")


def test_a_verified_citizen_signed_in_with_a_password_is_refused_too():
    me = citizen(id_number="051085004321")
    me.set_password("mat-khau-cu-2025")
    me.save()
    client = Client()
    assert _password_sign_in(client, "051085004321", "mat-khau-cu-2025").status_code == 302
    assert client.post(PAGE, {"password": NEW, "password2": NEW}).status_code == 403
    assert Client().get(PAGE).status_code == 302  # not signed in: to the sign-in page


def test_an_officer_does_not_get_a_password_through_vneid():
    clerk = officer(Role.COUNTER_OFFICER, None, id_number="051085004321")  # proven number, a citizen too
    RoleAssignment.objects.create(user=clerk, role=Role.CITIZEN)
    with pytest.raises(PermissionDenied):
        set_password_after_eid(clerk, NEW)


def test_an_officer_signed_in_with_vneid_is_not_offered_a_password_page(monkeypatch):
    """The citizen's "Tài khoản" section offers «Đặt mật khẩu» only to whom the page would let set one."""
    monkeypatch.setattr("motcua.accounts.twofactor.needs_second_factor", lambda request: None)  # tested in tests/web
    clerk = officer(Role.COUNTER_OFFICER, None, id_number="051085004321", verified_id_number="051085004321")
    RoleAssignment.objects.create(user=clerk, role=Role.CITIZEN)
    client = Client()
    client.force_login(clerk)
    session = client.session
    session[eid.VERIFIED_KEY] = "051085004321"
    session.save()
    assert eid.holder_signed_in(client.session, clerk)
    page = client.get("/ho-so-cua-toi/")
    assert page.status_code == 200 and PAGE not in page.content.decode()
