import pytest

from motcua.audit.models import AuditEntry
from tests.factories import citizen

pytestmark = pytest.mark.django_db


def test_sign_in_attempts_are_audited(client):
    user = citizen(username="binh")
    assert not client.login(username="binh", password="sai-mat-khau")
    assert client.login(username="binh", password="matkhau-123")
    client.logout()
    rows = list(AuditEntry.objects.filter(object_type="user").values_list("action", "object_id", "actor_id"))
    assert rows == [("account.login_failed", "binh", None), ("account.login", str(user.pk), user.pk),
                    ("account.logout", str(user.pk), user.pk)]
    assert "matkhau" not in str(list(AuditEntry.objects.values_list("data", flat=True)))
