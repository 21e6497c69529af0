"""Sign-up must not be an oracle telling strangers which ID numbers have an account (Decree 13/2023/ND-CP): the holder
is told how to get in, but sign-ups hitting a number with an account are limited per address and per number
(accounts.lockout, the tracking page's counters)."""

from __future__ import annotations

from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from motcua.accounts import lockout
from motcua.accounts.models import User
from motcua.portal.forms import ID_NUMBER_HAS_ACCOUNT


def _form(id_number: str, username: str) -> dict:
    return {"full_name": "Nguyễn Văn Thử", "id_number": id_number, "phone": "0987654321", "username": username,
            "password": "matkhau-rat-dai", "password2": "matkhau-rat-dai"}


def test_the_holder_of_a_number_with_an_account_is_told_how_to_get_in(client, world):
    resp = client.post(reverse("portal:signup"), _form("051190001234", "nguoimoi"))
    body = resp.content.decode()
    assert resp.status_code == 400 and ID_NUMBER_HAS_ACCOUNT in body
    assert "đăng nhập bằng VNeID rồi đặt lại mật khẩu" in body and reverse("portal:login") in body
    assert not User.objects.filter(username="nguoimoi").exists()


def test_trying_numbers_with_an_account_stops_after_ten_and_creates_nothing(world):
    url = reverse("portal:signup")
    guesser = Client(REMOTE_ADDR="203.0.113.5")
    for n in range(lockout.LOOKUP_LIMIT):  # alternating two numbers that have an account: the address counter fills
        number = ("051190001234", "051090005678")[n % 2]
        assert guesser.post(url, _form(number, f"thu{n}")).status_code == 400
    # past the limit, this address is refused whatever the number, even one without an account: a 429 tells nothing
    resp = guesser.post(url, _form("051195000001", "thumoi"))
    body = resp.content.decode()
    assert resp.status_code == 429 and "Quá nhiều lần thử" in body and "thử lại sau 15 phút" in body
    assert ID_NUMBER_HAS_ACCOUNT not in body
    assert not User.objects.filter(id_number="051195000001").exists()
    assert not User.objects.filter(username__startswith="thu").exists()
    # someone else, elsewhere, signs up as usual
    other = Client(REMOTE_ADDR="203.0.113.6")
    assert other.post(url, _form("051195000001", "thumoi")).status_code == 302
    assert User.objects.filter(username="thumoi", id_number="051195000001").exists()


def test_one_number_tried_from_many_addresses_is_limited_too(world):
    url = reverse("portal:signup")
    for n in range(lockout.LOOKUP_LIMIT):
        Client(REMOTE_ADDR=f"198.51.100.{n + 1}").post(url, _form("051190001234", f"thu{n}"))
    resp = Client(REMOTE_ADDR="198.51.100.200").post(url, _form("051190001234", "thuthem"))
    assert resp.status_code == 429 and lockout.SIGNUP_MESSAGE in resp.content.decode()
    # that address may still sign up a number of its own
    assert Client(REMOTE_ADDR="198.51.100.200").post(url, _form("051195000002", "chinhchu")).status_code == 302


def test_a_new_number_signs_up_and_counts_nothing(world):
    resp = Client(REMOTE_ADDR="203.0.113.9").post(reverse("portal:signup"), _form("051195000003", "hople"))
    assert resp.status_code == 302 and User.objects.filter(username="hople").exists()
    assert cache.get("motcua:lookup:signup:ip:203.0.113.9") is None
