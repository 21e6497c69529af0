"""An ID number typed at sign-up is a claim, not a proof: anyone may type a neighbour's. What belongs to the person —
their data repository, their population record, consent to read them — opens only for an account whose number the
national e-ID proved; and the e-ID sign-in of the number's holder takes the account back from whoever typed it."""

import pytest
from django.test import Client

from motcua.accounts.models import User
from motcua.accounts.services import register_citizen
from motcua.api.auth import issue_token
from motcua.demo.simulators import EidSimulator
from motcua.documents.attachments import store_upload
from motcua.documents.models import VaultItemKind
from motcua.documents.vault import add_to_vault
from tests.documents.conftest import make_pdf
from tests.factories import population_look_up
from tests.integrations.test_eid import SECRET
from tests.integrations.test_eid import sign_in as eid_sign_in

pytestmark = pytest.mark.django_db
HOLDER = "051190012345"  # Nguyễn Thị Hồng Nhung in the e-ID simulator
TYPED = "Đã đăng ký bằng số của người khác"


@pytest.fixture
def typed(settings, tmp_path):
    """An account registered on the portal with the holder's number, and the holder's birth certificate in the
    repository."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    add_to_vault(store_upload(make_pdf("Giay khai sinh"), owner=None), id_number=HOLDER, kind=VaultItemKind.RESULT,
                 title="Giấy khai sinh")
    return register_citizen(username="nguoi-go-so", password="mat-khau-dai-1", full_name=TYPED, id_number=HOLDER,
                            phone="0905111222")


def _api(user):
    c = Client()
    c.force_login(user)
    return c


def test_a_number_typed_at_sign_up_opens_neither_the_repository_nor_the_population_record(typed):
    client = _api(typed)
    for answer in (client.get("/api/v1/documents/vault", {"id_number": HOLDER}),
                   population_look_up(client, HOLDER, "get"), population_look_up(client, HOLDER, "post"),
                   client.post("/api/v1/documents/vault/consents/revoke", {"id_number": HOLDER, "purpose": "prefill"},
                               content_type="application/json")):
        assert answer.status_code == 403, answer.content
        assert answer.json()["code"] == "id_number_unverified" and "VNeID" in answer.json()["message"]


def test_the_holders_e_id_sign_in_takes_the_account_back(typed, settings):
    _, token = issue_token(typed, "ung-dung")
    assert Client().get("/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    sim = EidSimulator(client_secret=SECRET).start()
    settings.MOTCUA_INTEGRATIONS = {"eid": {"url": sim.url, "client_id": "motcua", "secret": SECRET}}
    holder = Client()
    try:
        assert eid_sign_in(holder, hint=HOLDER, next_url="/ho-so-cua-toi/").status_code == 302
    finally:
        sim.stop()
    assert int(holder.session["_auth_user_id"]) == typed.pk and User.objects.filter(id_number=HOLDER).count() == 1
    assert "Mật khẩu đặt khi đăng ký và các khóa API cũ không còn dùng được" in holder.get(
        "/ho-so-cua-toi/").content.decode()
    # Whoever typed the number is out: the password and the token they made no longer work.
    assert not Client().login(username="nguoi-go-so", password="mat-khau-dai-1")
    assert Client().get("/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    # The holder has their repository.
    items = holder.get("/api/v1/documents/vault", {"id_number": HOLDER})
    assert items.status_code == 200 and [i["title"] for i in items.json()] == ["Giấy khai sinh"]


def test_upgrading_counts_only_the_accounts_the_e_id_made_as_proven():
    import importlib

    from django.apps import apps

    from tests.factories import citizen

    migration = importlib.import_module("motcua.accounts.migrations.0005_verified_id_number")
    made = citizen(username=f"vneid-{HOLDER}", id_number=HOLDER, verified_id_number="")
    made.set_unusable_password()
    made.save()
    typed = citizen(username="vneid-051085004321", id_number="051085004321", verified_id_number="")  # has a password
    migration.mark_accounts_made_by_the_e_id(apps, None)
    made.refresh_from_db()
    typed.refresh_from_db()
    assert made.id_number_verified() and not typed.id_number_verified()
