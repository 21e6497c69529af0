"""A reporting round edited in the Django admin: the reminder days (send_dx_reminders reads them every day) and the
period of the figures are checked as open_round checks them, with the same Vietnamese message."""

import datetime as dt

import pytest
from django.utils import timezone

from motcua.transformation.models import ReportingRound
from motcua.transformation.services import rounds
from tests.admin_forms import admin_form, errors_of
from tests.factories import sign_in

pytestmark = pytest.mark.django_db
REMINDER_DAYS = "Số ngày nhắc trước hạn là các số từ 0 đến 60, cách nhau bởi dấu phẩy (ví dụ 7,3,1)."


@pytest.fixture
def round_page(dx, client, django_user_model):
    sign_in(client, django_user_model.objects.create_superuser("quantri", "qt@example.vn", "matkhau-123"))
    rnd = rounds.open_round(dx.admin, title="Báo cáo năm 2024", year=2024,
                            deadline=timezone.localdate() + dt.timedelta(days=10), agencies=[dx.dp, dx.ct])
    return client, rnd, f"/admin/transformation/reportinground/{rnd.pk}/change/"


@pytest.mark.parametrize("typed", ["-1", "7,-3,1", "61", "7;3;1", "7 3 1", "ba", ",", "7,²,1", "٧", "1e3",
                                   "99999999999999999999999"])
def test_reminder_days_that_are_not_whole_days_up_to_60_are_refused_in_vietnamese(round_page, typed):
    client, rnd, url = round_page
    answer = client.post(url, admin_form(client, url, reminder_days=typed))
    assert answer.status_code == 200 and errors_of(answer) == [REMINDER_DAYS]
    assert ReportingRound.objects.get(pk=rnd.pk).reminder_days == "7,3,1"


def test_reminder_days_are_stored_as_open_round_stores_them(round_page):
    client, rnd, url = round_page
    assert client.post(url, admin_form(client, url, reminder_days=" 1, 3,14 ,3")).status_code == 302
    assert ReportingRound.objects.get(pk=rnd.pk).reminder_offsets() == [14, 3, 1]
    assert ReportingRound.objects.get(pk=rnd.pk).reminder_days == "14,3,1"


def test_a_period_that_ends_before_it_starts_is_refused_in_vietnamese(round_page):
    client, rnd, url = round_page
    answer = client.post(url, admin_form(client, url, period_start="31/12/2024", period_end="01/01/2024"))
    assert answer.status_code == 200
    assert errors_of(answer) == ["Ngày kết thúc kỳ số liệu phải sau ngày bắt đầu."]
    assert ReportingRound.objects.get(pk=rnd.pk).period_end == dt.date(2024, 12, 31)


def test_a_round_is_not_added_in_the_admin_nor_its_status_changed_there(round_page):
    """A round added in the admin would ask no unit and tell nobody (open_round does both); closing is on the
    back-office page, which records it."""
    client, rnd, url = round_page
    assert client.get("/admin/transformation/reportinground/add/").status_code == 403
    answer = client.post(url, {**admin_form(client, url), "status": "closed", "year": "1990"})
    assert answer.status_code == 302
    rnd.refresh_from_db()
    assert (rnd.status, rnd.year) == (ReportingRound.OPEN, 2024)
