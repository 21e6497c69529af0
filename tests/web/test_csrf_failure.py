"""A form sent without its anti-forgery token: Django's admin answers in the admin's own look, the portal and the back
office in the portal's frame; the same Vietnamese text in both."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TEXT = "Phiên làm việc đã hết hạn hoặc không hợp lệ"


def test_the_admins_csrf_failure_is_in_the_admins_frame():
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(username="quantri.csrf", is_staff=True, is_superuser=True))
    resp = client.post(reverse("admin:auth_group_add"), {"name": "Nhóm mới"})
    body = resp.content.decode()
    assert resp.status_code == 403 and TEXT in body
    assert 'id="site-name"' in body and "admin/css/base.css" in body  # the admin's header and styles
    assert '<header class="top">' not in body  # not the portal's frame
    assert "quantri.csrf" in body  # the admin's user tools, signed in
    assert '<a href="/admin/">trang chủ quản trị</a>' in body


def test_the_admin_sign_in_csrf_failure_is_in_the_admins_frame():
    resp = Client(enforce_csrf_checks=True).post(reverse("admin:login"), {"username": "a", "password": "b"})
    body = resp.content.decode()
    assert resp.status_code == 403 and TEXT in body and 'id="site-name"' in body
    assert '<header class="top">' not in body


def test_the_portals_csrf_failure_keeps_the_portals_frame():
    resp = Client(enforce_csrf_checks=True).post(reverse("portal:track"), {"code": "x", "secret": "1"})
    body = resp.content.decode()
    assert resp.status_code == 403 and TEXT in body and '<header class="top">' in body
    assert 'id="site-name"' not in body and '<a href="/">trang chủ</a>' in body
