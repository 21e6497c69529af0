"""Two merger plans applied at the same moment (PostgreSQL only): each new committee gets its own code."""

import threading

import pytest
from django.db import connection, connections

from motcua.accounts.models import Role
from motcua.units import services
from motcua.units.models import AdministrativeUnit, Agency
from motcua.units.reorganization import apply, approve, save_draft
from tests.factories import officer

from .test_reorganization_plans import _fields

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs two sessions of a real server"),
]


def test_two_plans_applied_at_once_give_their_new_committees_different_codes(monkeypatch):
    services.load_units("51")
    services.load_agencies("51", prefix="H51")
    a, b, c, d = AdministrativeUnit.objects.filter(level=AdministrativeUnit.COMMUNE).order_by("code")[:4]
    admin = officer(Role.PROVINCIAL_ADMIN, None, username="quantri.tinh")
    first = approve(save_draft(admin, **_fields([a, b], new_code="99001", new_name="Xã Một")), admin)
    second = approve(save_draft(admin, **_fields([c, d], new_code="99002", new_name="Xã Hai")), admin)

    # The first run takes the next code and is held there until the second run has started its own.
    took, second_started = threading.Event(), threading.Event()
    real = services.next_commune_agency_code

    def next_code(prefix):
        code = real(prefix)
        if not took.is_set():
            took.set()
            second_started.wait(timeout=10)
            threading.Event().wait(1.0)  # the second run reaches the code (or waits for it) meanwhile
        return code

    monkeypatch.setattr(services, "next_commune_agency_code", next_code)
    errors = []

    def run(plan, before=None):
        try:
            if before:
                before()
            apply(plan, admin)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    def start_second():
        took.wait(timeout=30)
        second_started.set()

    threads = [threading.Thread(target=run, args=(first,)), threading.Thread(target=run, args=(second, start_second))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    one, two = (Agency.objects.get(admin_unit__code=code, kind=Agency.COMMUNE_COMMITTEE) for code in ("99001", "99002"))
    assert one.code != two.code and one.code.startswith("H51.") and two.code.startswith("H51.")
