"""A successor an administrator records in the Django admin (no reorganization plan) tells the statistics, as a
merger's plan does (``units.successor_recorded``, units.succession): a rating given after the closed unit's last day
counts for its successor in the live counters at once, as it does in a rebuild (reporting/move_moments.py
``rated_for``), without waiting for someone to run ``consume_events --rebuild``."""

import datetime as dt

import pytest

from motcua.accounts.models import Role, RoleAssignment
from motcua.dossiers import lifecycle
from motcua.engagement.ratings import submit_rating
from motcua.reporting import indicators
from motcua.reporting.consumer import consume, rebuild, recompute_from_dossiers, stored_counters
from tests.admin_forms import admin_form, errors_of
from tests.dossiers.factories import APPLICANT, at
from tests.factories import sign_in
from tests.units import reorganization_world as world

pytestmark = pytest.mark.django_db


def _returned_online(w):
    """A dossier the citizen filed online with commune A and got back in March, while the commune existed."""
    counter, specialist = w.officers[("a", Role.COUNTER_OFFICER)], w.officers[("a", Role.SPECIALIST)]
    leader = w.officers[("a", Role.LEADER)]
    d = lifecycle.submit_online(applicant=w.citizen, procedure=w.procedures["shared"], agency=w.agency_a,
                                applicant_data=APPLICANT, form_data={"ten_tre": "Bé An"}, at=at(2026, 3, 23, 8))
    d = lifecycle.receive(d, officer=counter, at=at(2026, 3, 23, 9))
    d = lifecycle.start_processing(d, officer=counter, assignee=specialist, at=at(2026, 3, 23, 10))
    d = lifecycle.complete_step(d, officer=specialist, at=at(2026, 3, 23, 11))
    d = lifecycle.approve(d, officer=leader, at=at(2026, 3, 23, 14))
    d = lifecycle.sign_result(d, officer=leader, at=at(2026, 3, 23, 15))
    return lifecycle.return_result(d, officer=counter, at=at(2026, 3, 23, 16))


def test_a_successor_recorded_in_the_admin_takes_the_late_ratings_in_the_live_counters(client, django_user_model):
    w = world.build()
    dossier = _returned_online(w)
    w.a.valid_to = dt.date(2026, 3, 31)  # the commune's last day, recorded by hand (no plan)
    w.a.save(update_fields=["valid_to"])
    submit_rating(w.citizen, dossier, False, at=at(2026, 5, 6, 9))  # after its last day: nobody took it over yet
    consume()
    may = indicators.month_bounds(2026, 5)
    assert indicators.totals(*may, w.agency_a.code)["rated_dissatisfied"] == 1

    admin = django_user_model.objects.create_superuser("quantri", "qt@example.vn", "matkhau-123")
    # the commune's open dossiers move with it: only a provincial administrator moves dossiers between agencies
    RoleAssignment.objects.create(user=admin, role=Role.PROVINCIAL_ADMIN, agency=None)
    sign_in(client, admin)
    url = f"/admin/units/agency/{w.agency_a.pk}/change/"
    answer = client.post(url, admin_form(client, url, successor=str(w.agency_b.pk), is_active=""), follow=True)
    assert answer.status_code == 200 and not errors_of(answer)
    consume()

    assert indicators.totals(*may, w.agency_a.code)["rated_dissatisfied"] == 0
    assert indicators.totals(*may, w.agency_b.code)["rated_dissatisfied"] == 1
    assert indicators.drill_down("rated_dissatisfied", *may, w.agency_b.code) == [dossier.pk]
    incremental = stored_counters()
    assert incremental == recompute_from_dossiers()
    rebuild()
    assert stored_counters() == incremental
