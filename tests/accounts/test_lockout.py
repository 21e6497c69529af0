"""Password guessing locks the account and the client address (django-axes); administrators unlock, audited."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client

from motcua.api.auth import issue_token
from motcua.audit.models import AuditEntry
from tests.factories import AgencyFactory, citizen, officer, sign_in

pytestmark = pytest.mark.django_db

LOGIN = "/tai-khoan/dang-nhap/"
ADMIN_LOGIN = "/admin/login/?next=/admin/"
RIGHT = "matkhau-123"


def browser(address="203.0.113.7") -> Client:
    return Client(REMOTE_ADDR=address)


def portal_login(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def admin_login(client, username, password):
    return client.post(ADMIN_LOGIN, {"username": username, "password": password, "next": "/admin/"})


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def audit(action):
    return list(AuditEntry.objects.filter(action=action).values_list("object_id", "data"))


@pytest.mark.parametrize("role", ["citizen", "counter_officer"])
def test_wrong_passwords_lock_the_account_even_for_the_right_one(role):
    user = citizen(username="nguoidung") if role == "citizen" else officer(role, AgencyFactory(), username="nguoidung")
    client = browser()
    for _ in range(4):
        assert portal_login(client, "nguoidung", "sai-mat-khau").status_code == 400
    assert portal_login(client, "nguoidung", "sai-mat-khau").status_code == 429  # the fifth failure locks
    locked = portal_login(client, "nguoidung", RIGHT)
    body = locked.content.decode()
    assert locked.status_code == 429 and not signed_in(client)
    assert "tạm thời bị khóa" in body and "15 phút" in body and locked["Retry-After"] == "900"
    # The account is locked from everywhere, the address only for that account.
    assert portal_login(browser("198.51.100.9"), "nguoidung", RIGHT).status_code == 429
    assert audit("account.locked_out") == [("nguoidung", {"reason": "account", "ip": "203.0.113.7", "minutes": 15,
                                                          "path": LOGIN})]
    stored = " ".join(AccessAttempt.objects.values_list("post_data", flat=True))
    assert "sai-mat-khau" not in stored and RIGHT not in stored and user.pk  # guesses are never kept


def test_admin_login_page_locks_too():
    officer("provincial_admin", None, username="quantri", is_staff=True, is_superuser=True)
    client = browser()
    for _ in range(4):
        assert admin_login(client, "quantri", "sai").status_code == 200  # the admin form shows its error
    assert admin_login(client, "quantri", "sai").status_code == 429
    locked = admin_login(client, "quantri", RIGHT)
    assert locked.status_code == 429 and "tạm thời bị khóa" in locked.content.decode()
    assert not signed_in(client)


def test_an_overlong_name_is_a_failed_sign_in_never_a_500():
    # No account has a name this long. The portal's form refuses it; the admin's (Django's) lets it through to
    # the lockout's table, which holds 255 characters: a 500 on PostgreSQL before the name was cut to the
    # length of an account name, and counted like any other failure since.
    client = browser()
    assert portal_login(client, "x" * 600, "sai").status_code == 400
    assert admin_login(client, "x" * 600, "sai").status_code == 200
    assert admin_login(client, "x" * 600 + "y", "sai").status_code == 200
    attempt = AccessAttempt.objects.get()
    assert attempt.username == "x" * 150 and attempt.failures_since_start == 2


def test_json_callers_get_a_code():
    citizen(username="an")
    client = browser()
    for _ in range(5):
        portal_login(client, "an", "sai")
    resp = client.post(LOGIN, {"username": "an", "password": RIGHT}, headers={"Accept": "application/json"})
    assert resp.status_code == 429 and resp.json()["code"] == "login_locked"


def test_one_address_guessing_many_accounts_is_locked(settings):
    settings.MOTCUA_LOGIN_ADDRESS_FAILURE_LIMIT = 8
    for i in range(5):
        citizen(username=f"nguoi{i}")
    guesser = browser("192.0.2.50")
    for i in range(8):  # two tries per account: no account reaches its own limit
        portal_login(guesser, f"nguoi{i % 4}", "sai")
    assert portal_login(guesser, "nguoi4", RIGHT).status_code == 429
    assert audit("account.locked_out")[0][1]["reason"] == "address"
    other = browser("192.0.2.51")
    portal_login(other, "nguoi4", RIGHT)
    assert signed_in(other), "another address is not affected"


def test_a_success_clears_only_that_accounts_failures_from_that_address():
    citizen(username="binh")
    client = browser()
    for _round in range(3):
        for _ in range(4):
            portal_login(client, "binh", "sai")
        assert portal_login(client, "binh", RIGHT).status_code == 302
        client.post("/tai-khoan/dang-xuat/")
    assert not AccessAttempt.objects.filter(username="binh").exists()


def test_lockout_ends_after_the_cool_off():
    citizen(username="chi")
    client = browser()
    for _ in range(5):
        portal_login(client, "chi", "sai")
    assert portal_login(client, "chi", RIGHT).status_code == 429
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16))
    assert portal_login(client, "chi", RIGHT).status_code == 302


def test_administrator_unlocks_from_the_admin_with_an_audit_entry():
    citizen(username="dung")
    boss = officer("provincial_admin", None, username="quantri", is_staff=True, is_superuser=True)
    client = browser()
    for _ in range(5):
        portal_login(client, "dung", "sai")
    admin = Client()
    sign_in(admin, boss)
    listing = admin.get("/admin/accounts/failedsignin/")
    assert listing.status_code == 200 and "dung" in listing.content.decode()
    ids = list(AccessAttempt.objects.filter(username="dung").values_list("pk", flat=True))
    done = admin.post("/admin/accounts/failedsignin/", {"action": "unlock_accounts", "_selected_action": ids},
                      follow=True)
    assert "Đã mở khóa 1 tài khoản" in done.content.decode()
    assert portal_login(client, "dung", RIGHT).status_code == 302
    (object_id, data), = audit("account.unlocked")
    assert object_id == "dung" and data["attempts_cleared"] == 1
    assert AuditEntry.objects.get(action="account.unlocked").actor_id == boss.pk


def test_counter_officers_cannot_see_or_unlock(db):
    clerk = officer("counter_officer", AgencyFactory(), is_staff=True)
    client = Client()
    sign_in(client, clerk)
    assert client.get("/admin/accounts/failedsignin/").status_code == 403


def test_unlock_command_for_an_account_and_an_address(capsys):
    citizen(username="em")
    client = browser("192.0.2.80")
    for _ in range(5):
        portal_login(client, "em", "sai")
    call_command("unlock_login", "--username", "em")
    assert "Đã mở khóa tài khoản “em”" in (said := capsys.readouterr().out) and "Lưu ý" not in said
    assert portal_login(client, "em", RIGHT).status_code == 302
    call_command("unlock_login", "--address", "192.0.2.80")
    assert [d["address"] for _, d in audit("account.unlocked")] == ["", "192.0.2.80"]
    capsys.readouterr()
    call_command("unlock_login", "--username", "em-go-nham")  # a mistyped name: the operator is told
    assert "không có tài khoản nào tên “em-go-nham”" in capsys.readouterr().out


def test_unknown_bearer_tokens_are_throttled_per_address(settings):
    settings.MOTCUA_TOKEN_FAILURE_LIMIT = 5
    raw = issue_token(citizen(username="tichhop"), "hệ thống A")[1]
    guesser = Client(REMOTE_ADDR="192.0.2.99")
    for i in range(5):
        resp = guesser.get("/api/v1/accounts/me", headers={"Authorization": f"Bearer mcs_{i:08x}_doan"})
        assert resp.status_code == 401
    blocked = guesser.get("/api/v1/accounts/me", headers={"Authorization": f"Bearer {raw}"})
    assert blocked.status_code == 429 and blocked.json()["code"] == "too_many_attempts"
    assert "quá nhiều khóa API" in blocked.json()["message"]
    assert Client(REMOTE_ADDR="192.0.2.100").get(
        "/api/v1/accounts/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    assert [oid for oid, _ in audit("api.token_guessing_blocked")] == ["192.0.2.99"]
    call_command("unlock_login", "--address", "192.0.2.99")
    assert guesser.get("/api/v1/accounts/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 200


def test_address_behind_a_proxy_comes_from_the_header_it_appends(settings):
    from django.test import RequestFactory

    from motcua.accounts.lockout import client_address

    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5")
    assert client_address(request) == "10.0.0.2"
    settings.MOTCUA_PROXY_COUNT = 1
    assert client_address(request) == "203.0.113.5"  # the entry our proxy added, not the one the client forged
