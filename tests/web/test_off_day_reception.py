"""Reception on a day off: the counter asks for confirmation and a reason, kept in the dossier's history; a unit
that works on Saturday mornings receives then without asking; the appointment counts working days only."""

import datetime as dt

import pytest
from django.urls import reverse

from motcua.core import calendar
from motcua.core.calendar import TZ, counter_day_off
from motcua.dossiers.models import Dossier, Status

pytestmark = pytest.mark.django_db

SATURDAY_MORNING = dt.datetime(2026, 12, 5, 9, 0, tzinfo=TZ)
SATURDAY_AFTERNOON = dt.datetime(2026, 12, 5, 14, 0, tzinfo=TZ)
NATIONAL_DAY = dt.datetime(2026, 9, 2, 9, 0, tzinfo=TZ)  # Wednesday, a public holiday
MONDAY = dt.datetime(2026, 12, 7, 9, 0, tzinfo=TZ)
NEW_YEAR = dt.datetime(2027, 1, 1, 9, 0, tzinfo=TZ)


def _walk_in(world, **over):
    comps = list(world["proc"].components.all())
    data = {"thu_tuc": world["proc"].code, "applicant_name": "Nguyễn Văn Hùng", "applicant_id_number": "051080001111",
            "applicant_phone": "0905111222", "f_child_name": "Nguyễn Bảo", "f_birth_date": "01/11/2026",
            "agency": world["agency"].pk, "channel": "counter", "return_method": "counter", "digitized": "on",
            "idem": "w1", **{f"tp_{c.pk}": "on" for c in comps}}
    data.update(over)
    return data


def test_the_calendar_says_which_day_is_off():
    assert counter_day_off(MONDAY) == ""
    assert counter_day_off(SATURDAY_MORNING) == "thứ Bảy 05/12/2026"
    assert counter_day_off(SATURDAY_MORNING, saturday_morning=True) == ""
    assert counter_day_off(SATURDAY_AFTERNOON, saturday_morning=True) == "chiều thứ Bảy 05/12/2026"
    assert counter_day_off(NATIONAL_DAY, saturday_morning=True) == "ngày nghỉ lễ, Tết (thứ Tư 02/09/2026)"


def test_walk_in_on_saturday_without_a_reason_is_refused_and_nothing_saved(client, world, clock):
    clock(SATURDAY_MORNING)
    client.force_login(world["counter"])
    url = reverse("backoffice:walk_in")
    page = client.get(url, {"thu_tuc": world["proc"].code}).content.decode()
    assert "Hôm nay là thứ Bảy 05/12/2026: không phải ngày làm việc" in page and "Lý do tiếp nhận vào ngày nghỉ" in page
    resp = client.post(url, _walk_in(world))
    body = resp.content.decode()
    assert resp.status_code == 400
    assert "xác nhận tiếp nhận vào ngày nghỉ" in body and "Vui lòng nêu lý do tiếp nhận vào ngày nghỉ" in body
    assert 'value="Nguyễn Văn Hùng"' in body  # what was typed is kept
    resp = client.post(url, _walk_in(world, off_day_confirm="on", off_day_reason="   "))
    assert resp.status_code == 400 and "Vui lòng nêu lý do" in resp.content.decode()
    assert not Dossier.objects.exists()


def test_walk_in_on_saturday_confirmed_with_a_reason_is_recorded(client, world, clock):
    clock(SATURDAY_MORNING)
    client.force_login(world["counter"])
    reason = "Trực tiếp nhận theo kế hoạch cao điểm cấp giấy tờ cuối năm"
    resp = client.post(reverse("backoffice:walk_in"), _walk_in(world, off_day_confirm="on", off_day_reason=reason))
    assert resp.status_code == 302
    d = Dossier.objects.get()
    event = d.events.get(action="receive_at_counter")
    assert event.data["off_day_reason"] == reason and reason in event.note
    # the appointment counts working days from Monday 07:00, not from the Saturday
    assert d.due_at == calendar.add_working_days(dt.datetime(2026, 12, 7, 7, 0, tzinfo=TZ), world["proc"].processing_days)
    assert calendar.is_working_day(d.due_at.astimezone(TZ).date())
    page = client.get(reverse("backoffice:dossier", args=[d.pk])).content.decode()
    assert f"Tiếp nhận vào ngày nghỉ: {reason}" in page


def test_a_unit_open_on_saturday_mornings_receives_without_asking(client, world, clock):
    world["agency"].works_saturday_morning = True
    world["agency"].save()
    clock(SATURDAY_MORNING)
    client.force_login(world["counter"])
    url = reverse("backoffice:walk_in")
    assert "không phải ngày làm việc" not in client.get(url, {"thu_tuc": world["proc"].code}).content.decode()
    assert client.post(url, _walk_in(world)).status_code == 302
    d = Dossier.objects.get()
    assert d.status == Status.RECEIVED and "off_day_reason" not in d.events.get(action="receive_at_counter").data
    # … but not in the afternoon, nor on a public holiday
    clock(SATURDAY_AFTERNOON)
    resp = client.post(url, _walk_in(world, idem="w2", applicant_id_number="051080002222"))
    assert resp.status_code == 400 and "chiều thứ Bảy 05/12/2026" in resp.content.decode()
    assert Dossier.objects.count() == 1


def test_a_weekday_reception_asks_nothing(client, world, clock):
    clock(MONDAY)
    client.force_login(world["counter"])
    url = reverse("backoffice:walk_in")
    assert "Lý do tiếp nhận vào ngày nghỉ" not in client.get(url, {"thu_tuc": world["proc"].code}).content.decode()
    assert client.post(url, _walk_in(world)).status_code == 302


def test_receiving_an_online_dossier_on_a_holiday_needs_a_reason(client, world, clock):
    from motcua.dossiers import lifecycle

    submitted = lifecycle.submit_online(
        applicant=world["citizen"], procedure=world["proc"], agency=world["agency"],
        applicant_data={"name": "Trần Thị Mai", "id_number": "051190001234", "phone": "0912345678"},
        form_data={"child_name": "Trần Minh An", "birth_date": "2026-11-01"}, at=NEW_YEAR - dt.timedelta(days=1))
    clock(NEW_YEAR)
    client.force_login(world["counter"])
    url = reverse("backoffice:action", args=[submitted.pk, "receive"])
    page = client.get(reverse("backoffice:dossier", args=[submitted.pk])).content.decode()
    assert "ngày nghỉ lễ, Tết (thứ Sáu 01/01/2027)" in page
    resp = client.post(url, {"digitized": "on"})
    assert resp.status_code == 400 and "Vui lòng nêu lý do tiếp nhận vào ngày nghỉ" in resp.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED and not submitted.events.filter(action="receive").exists()
    resp = client.post(url, {"digitized": "on", "off_day_confirm": "on", "off_day_reason": "Hồ sơ khẩn của bệnh viện"})
    assert resp.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Status.RECEIVED
    assert submitted.events.get(action="receive").data == {"off_day_reason": "Hồ sơ khẩn của bệnh viện"}
