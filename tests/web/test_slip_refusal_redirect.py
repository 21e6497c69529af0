"""A slip that cannot be drawn sends the officer back to the page they came from, when it is a page of this
site: a Referer from elsewhere (a link on another site) leads home, not back out to that site."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("referer, goes_to", [
    ("https://evil.example/lua-dao", "/"),
    ("//evil.example/lua-dao", "/"),
    ("http://testserver/can-bo/ho-so/", "http://testserver/can-bo/ho-so/"),
])
def test_a_refused_slip_goes_back_only_to_a_page_of_this_site(client, world, submitted, referer, goes_to):
    client.force_login(world["counter"])
    r = client.get(f"/can-bo/ho-so/{submitted.pk}/phieu/control_sheet.pdf", HTTP_REFERER=referer)
    assert r.status_code == 302 and r["Location"] == goes_to
    page = client.get("/", follow=True)
    assert "chưa được tiếp nhận" in page.content.decode()  # the reason is shown on the next page
