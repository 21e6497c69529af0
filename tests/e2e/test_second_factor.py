"""An officer who typed only the password reaches nothing: not the API, not admin, until the TOTP code is confirmed."""

import json

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import confirm_enrolment, login
from tests.factories import officer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AUDIT = "/admin/audit/auditentry/"


def test_new_admin_is_refused_api_and_admin_until_the_code_is_confirmed(new_page, shot):
    officer("provincial_admin", None, username="quantri.moi", full_name="Võ Minh Khang", is_staff=True)
    page = new_page()
    login(page, "quantri.moi")  # password only: the sign-in sends the officer to enrol an authenticator
    expect(page.get_by_role("heading", level=1)).to_have_text("Bật xác thực hai lớp")
    shot(page, "mat-khau-xong-can-bat-xac-thuc")

    api = page.goto("/api/v1/dossiers")
    body = json.loads(page.locator("body").inner_text())
    assert api.status == 403 and body["code"] == "twofactor_required" and "xác thực hai lớp" in body["message"]
    shot(page, "api-tu-choi")
    minted = page.request.post("/api/v1/accounts/tokens", data={"name": "lách"},
                               headers={"X-CSRFToken": next(c["value"] for c in page.context.cookies()
                                                            if c["name"] == "csrftoken")})
    assert minted.status == 403 and minted.json()["code"] == "twofactor_required"

    page.goto(AUDIT)
    expect(page.get_by_role("heading", level=1)).to_have_text("Bật xác thực hai lớp")
    assert "next=/admin/audit/auditentry/" in page.url
    shot(page, "quan-tri-chuyen-ve-xac-thuc")

    confirm_enrolment(page)  # the code typed: the page the gate stopped opens
    expect(page).to_have_url(f"{page.url.split('/admin/')[0]}{AUDIT}")
    expect(page.locator("#content h1")).to_contain_text("nhật ký")
    shot(page, "nhat-ky-he-thong-mo-duoc")

    me = page.goto("/api/v1/accounts/me")
    assert me.status == 200 and json.loads(page.locator("body").inner_text())["username"] == "quantri.moi"
    shot(page, "api-mo-duoc")
