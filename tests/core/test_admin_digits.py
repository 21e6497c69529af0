"""A number or a date typed in the admin in other digits — full-width «１», Arabic-Indic «٢٠٢٧» — or with an underscore
is refused under its field as any value the field cannot read, nothing saved: Django's own fields read them as the
ASCII number or date, so what was stored would differ from what was shown."""

import datetime as dt

import pytest

from motcua.core.models import CalendarException
from motcua.engagement.models import RatingCriterion
from tests.admin_forms import admin_form, errors_of
from tests.factories import UserFactory, sign_in

pytestmark = pytest.mark.django_db
CRITERION = "/admin/engagement/ratingcriterion/add/"
DAY = "/admin/core/calendarexception/add/"


@pytest.fixture
def admin_client(client):
    sign_in(client, UserFactory(username="quantri.so", is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("typed", ["１", "٣", "1_0"])
def test_a_whole_number_in_other_digits_is_refused(admin_client, typed):
    answer = admin_client.post(CRITERION, admin_form(admin_client, CRITERION, code="thoi-gian", name="Thời gian",
                                                     order=typed, options="{}"))
    assert answer.status_code == 200 and len(errors_of(answer)) == 1
    assert not RatingCriterion.objects.filter(code="thoi-gian").exists()


@pytest.mark.parametrize("typed", ["17/03/٢٠٢٧", "17/03/２０２７", "٢٠٢٧-03-17"])
def test_a_date_in_other_digits_is_refused(admin_client, typed):
    answer = admin_client.post(DAY, admin_form(admin_client, DAY, date=typed, kind="off", note="Nghỉ bù"))
    assert answer.status_code == 200 and len(errors_of(answer)) == 1
    assert not CalendarException.objects.filter(note="Nghỉ bù").exists()


def test_the_same_values_in_0_to_9_are_saved(admin_client):
    answer = admin_client.post(CRITERION, admin_form(admin_client, CRITERION, code="thoi-gian", name="Thời gian",
                                                     order=" 10\u00a0", options="{}"))
    assert answer.status_code == 302, errors_of(answer)
    assert RatingCriterion.objects.get(code="thoi-gian").order == 10
    answer = admin_client.post(DAY, admin_form(admin_client, DAY, date="17/03/2027", kind="off", note="Nghỉ bù"))
    assert answer.status_code == 302, errors_of(answer)
    assert CalendarException.objects.get(note="Nghỉ bù").date == dt.date(2027, 3, 17)
