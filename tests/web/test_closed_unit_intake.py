"""A commune dissolved (or merged) keeps its committee's «đang hoạt động»: only its unit's last day («hiệu lực đến»)
changes. From the day after that day the committee receives nothing: the portal no longer offers it (procedure page,
the choice of where to file), and an online submission, a counter reception or an API submission naming it is refused
with why, in Vietnamese («… đã giải thể từ ngày …», «… đã sáp nhập vào …, vui lòng nộp tại …»), writing nothing. A
closure recorded ahead of time changes nothing until the unit's last day has passed (units.receiving)."""

import datetime as dt
from decimal import Decimal

import lxml.html
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from motcua.api.auth import issue_token
from motcua.core.calendar import TZ, add_working_days, next_working_day
from motcua.core.errors import ValidationFailed
from motcua.dossiers import lifecycle
from motcua.dossiers.models import Dossier, DossierEvent, Status
from motcua.outbox.models import OutboxEvent
from tests.admin_forms import admin_form, errors_of
from tests.factories import UserFactory, sign_in

from .test_portal import _submit_payload

pytestmark = pytest.mark.django_db

APPLICANT = {"name": "Trần Thị Mai", "id_number": "051190001234", "phone": "0912345678"}
FORM = {"child_name": "Trần Minh An", "birth_date": "2026-11-01"}


def _written():
    return Dossier.objects.exclude(status=Status.DRAFT).count(), DossierEvent.objects.count(), \
        OutboxEvent.objects.count()


def _offered(client, world) -> tuple[str, list[str]]:
    """The procedure page's text and the values the submission form's «Nơi nộp hồ sơ» offers."""
    detail = client.get(reverse("portal:procedure", args=[world["proc"].code])).content.decode()
    page = lxml.html.fromstring(client.get(reverse("portal:submit", args=[world["proc"].code])).content)
    return detail, [v for v in page.xpath("//select[@name='agency']/option/@value") if v]


def _api_submit(world, agency):
    token = issue_token(world["citizen"], "thử")[1]
    return Client(headers={"Authorization": f"Bearer {token}"}).post(
        "/api/v1/dossiers", {"procedure_code": world["proc"].code, "agency_code": agency.code, "form_data": FORM},
        content_type="application/json")


def _api_counter(world, agency):
    token = issue_token(world["counter"], "quầy")[1]
    return Client(headers={"Authorization": f"Bearer {token}"}).post(
        "/api/v1/dossiers/counter", {"procedure_code": world["proc"].code, "agency_code": agency.code,
                                     "applicant": {"name": "Phạm Văn Quầy"}, "form_data": FORM},
        content_type="application/json")


def _dissolve_in_admin(client, unit, last: dt.date):
    sign_in(client, UserFactory(username="quantri.giai.the", is_staff=True, is_superuser=True))
    url = f"/admin/units/administrativeunit/{unit.pk}/change/"
    answer = client.post(url, admin_form(client, url, valid_to=f"{last:%d/%m/%Y}", replaced_by=""))
    assert answer.status_code == 302, errors_of(answer)
    unit.refresh_from_db()
    assert (unit.valid_to, unit.replaced_by) == (last, None)


def test_a_commune_dissolved_in_the_admin_receives_nothing_from_the_next_day(client, world):
    agency, other, citizen = world["agency"], world["other"], world["citizen"]
    unit = agency.admin_unit
    draft = lifecycle.save_draft(applicant=citizen, procedure=world["proc"], agency=agency,
                                 applicant_data=APPLICANT, form_data={"child_name": "Bé Na"})
    today = timezone.localdate()
    _dissolve_in_admin(client, unit, today - dt.timedelta(days=1))
    agency.refresh_from_db()
    assert agency.is_active  # nothing flipped: the date decides
    said = (f"{unit.name} đã giải thể từ ngày {today:%d/%m/%Y}: {agency.name} không còn tiếp nhận hồ sơ, vui lòng "
            "chọn nơi nộp khác.")
    before = _written()

    # the portal does not offer it; the other commune still is
    sign_in(client, citizen)
    detail, choices = _offered(client, world)
    assert agency.name not in detail and other.name in detail
    assert choices == [str(other.pk)]

    # an online submission naming it (a page opened before): refused under «Nơi nộp hồ sơ», with why
    answer = client.post(reverse("portal:submit", args=[world["proc"].code]), _submit_payload(world, idem="giai-the-1"))
    assert answer.status_code == 400
    page = lxml.html.fromstring(answer.content.decode())
    assert said in page.text_content()
    assert "Lựa chọn không hợp lệ" not in page.text_content()

    # the API: a 4xx with a code, the same words
    answer = _api_submit(world, agency)
    assert answer.status_code == 422
    assert answer.json() == {"code": "agency_dissolved", "message": said, "details": {"field": "agency_code"}}

    # the counter's reception through the API, and the lifecycle itself (any caller)
    answer = _api_counter(world, agency)
    assert answer.status_code == 422 and answer.json()["code"] == "agency_dissolved"
    with pytest.raises(ValidationFailed) as refused:
        lifecycle.submit_online(applicant=citizen, procedure=world["proc"], agency=agency, applicant_data=APPLICANT,
                                form_data=FORM)
    assert (refused.value.code, refused.value.message) == ("agency_dissolved", said)
    assert _written() == before

    # the citizen's draft aimed at it: the page says so and offers the others; sending it there is refused in the
    # same words (not a server error), the draft unchanged; another commune takes it
    url = f"{reverse('portal:submit', args=[world['proc'].code])}?nhap={draft.pk}"
    answer = client.get(url)
    assert answer.status_code == 200
    text = lxml.html.fromstring(answer.content.decode()).text_content()
    assert f"Bản nháp này chọn nơi nộp là {agency.name}. {said} Thông tin đã nhập trong bản nháp vẫn được giữ." in text
    assert [v for v in lxml.html.fromstring(answer.content).xpath("//select[@name='agency']/option/@value") if v] == \
        [str(other.pk)]
    answer = client.post(url, _submit_payload(world, draft=draft.pk, idem="giai-the-2"))
    assert answer.status_code == 400 and said in lxml.html.fromstring(answer.content.decode()).text_content()
    answer = client.post(url, {"applicant_name": "Trần Thị Mai", "draft": draft.pk, "action": "draft",
                               "return_method": "online"})  # saved again without choosing: the draft's own place
    assert answer.status_code == 400 and said in lxml.html.fromstring(answer.content.decode()).text_content()
    draft.refresh_from_db()
    assert (draft.status, draft.agency_id, draft.form_data) == (Status.DRAFT, agency.pk, {"child_name": "Bé Na"})
    assert _written() == before
    answer = client.post(url, _submit_payload(world, draft=draft.pk, agency=other.pk, idem="giai-the-3"))
    assert answer.status_code == 302, answer.content.decode()[:2000]
    draft.refresh_from_db()
    assert (draft.status, draft.agency_id) == (Status.SUBMITTED, other.pk)


def test_a_dissolution_dated_ahead_still_receives_until_the_units_last_day(client, world):
    agency, citizen = world["agency"], world["citizen"]
    unit = agency.admin_unit
    last = next_working_day(timezone.localdate() + dt.timedelta(days=9))  # a working day, some 10 days ahead
    _dissolve_in_admin(client, unit, last)

    sign_in(client, citizen)
    detail, choices = _offered(client, world)
    assert agency.name in detail and str(agency.pk) in choices
    answer = client.post(reverse("portal:submit", args=[world["proc"].code]), _submit_payload(world, idem="truoc-1"))
    assert answer.status_code == 302, answer.content.decode()[:2000]
    assert _api_submit(world, agency).status_code == 201

    # on its last day, still, for a dossier due that day (half a working day, filed in the morning); the next
    # morning, not
    world["proc"].processing_days = Decimal("0.5")
    world["proc"].save()
    on_last_day = dt.datetime.combine(last, dt.time(8), tzinfo=TZ)
    d = lifecycle.submit_online(applicant=citizen, procedure=world["proc"], agency=agency, applicant_data=APPLICANT,
                                form_data=FORM, at=on_last_day)
    assert d.status == Status.SUBMITTED and d.agency_id == agency.pk
    before = _written()
    with pytest.raises(ValidationFailed) as refused:
        lifecycle.submit_online(applicant=citizen, procedure=world["proc"], agency=agency, applicant_data=APPLICANT,
                                form_data=FORM, at=on_last_day + dt.timedelta(days=1))
    assert refused.value.code == "agency_dissolved"
    assert refused.value.message.startswith(f"{unit.name} đã giải thể từ ngày {last + dt.timedelta(days=1):%d/%m/%Y}: ")
    assert _written() == before


def test_a_merged_commune_points_to_where_to_file(client, world):
    """Merged in the admin («sáp nhập vào» the other commune): the refusal names the unit it merged into and the
    committee there."""
    agency, other = world["agency"], world["other"]
    unit = agency.admin_unit
    today = timezone.localdate()
    unit.valid_to, unit.replaced_by = today - dt.timedelta(days=1), other.admin_unit
    unit.save()
    said = f"{unit.name} đã sáp nhập vào {other.admin_unit.name} từ ngày {today:%d/%m/%Y}, vui lòng nộp tại {other.name}."
    before = _written()
    answer = _api_submit(world, agency)
    assert answer.status_code == 422
    assert answer.json() == {"code": "agency_merged", "message": said, "details": {"field": "agency_code"}}
    sign_in(client, world["citizen"])
    assert _offered(client, world)[1] == [str(other.pk)]
    answer = client.post(reverse("portal:submit", args=[world["proc"].code]), _submit_payload(world, idem="sap-nhap"))
    assert answer.status_code == 400 and said in lxml.html.fromstring(answer.content.decode()).text_content()
    assert _written() == before


def test_a_commune_merged_twice_points_to_the_unit_that_exists_now(client, world):
    """X merged into Y, and Y since into Z (no successor recorded for X's committee): the refusal sends the applicant
    to Z's committee, not to Y, which no longer exists either."""
    from motcua.units.models import AdministrativeUnit

    agency, other = world["agency"], world["other"]
    today = timezone.localdate()
    middle = AdministrativeUnit.objects.create(code="99901", name="Xã Trung Gian", level=other.admin_unit.level,
                                              parent=other.admin_unit.parent, valid_to=today - dt.timedelta(days=1),
                                              replaced_by=other.admin_unit)
    unit = agency.admin_unit
    unit.valid_to, unit.replaced_by = today - dt.timedelta(days=30), middle
    unit.save()
    answer = _api_submit(world, agency)
    assert answer.status_code == 422 and answer.json()["code"] == "agency_merged"
    assert answer.json()["message"].endswith(f"vui lòng nộp tại {other.name}.")


def _dissolving_today(client, world) -> tuple[dt.date, dt.date, str]:
    """The commune's last day recorded as today in the admin: (today, the appointment of a dossier filed now, why
    the commune refuses it, in the citizen's words)."""
    agency, unit, today = world["agency"], world["agency"].admin_unit, timezone.localdate()
    _dissolve_in_admin(client, unit, today)
    due = timezone.localdate(add_working_days(timezone.now(), world["proc"].processing_days))
    return today, due, (f"{unit.name} sẽ giải thể từ ngày {today + dt.timedelta(days=1):%d/%m/%Y}: {agency.name} chỉ "
                        f"tiếp nhận hồ sơ có ngày hẹn trả kết quả đến hết ngày {today:%d/%m/%Y}, ngày hẹn trả của hồ "
                        f"sơ này là ngày {due:%d/%m/%Y}; vui lòng chọn nơi nộp khác.")


def test_a_dissolution_dated_ahead_refuses_a_dossier_due_after_the_units_last_day(client, world):
    """The unit's last day is today: a 3-working-day dossier filed now would be due after it, when nobody is there.
    The portal says so where the citizen chooses the place to file; submitting there anyway is refused with the last
    day and the appointment, what was typed and the draft kept; the API answers 422 with a code and both days, online
    and at the counter; nothing is written. The other commune takes it."""
    agency, other, citizen = world["agency"], world["other"], world["citizen"]
    draft = lifecycle.save_draft(applicant=citizen, procedure=world["proc"], agency=agency,
                                 applicant_data=APPLICANT, form_data={"child_name": "Bé Na"})
    today, due, said = _dissolving_today(client, world)
    before = _written()

    # told when choosing where to file
    sign_in(client, citizen)
    url = f"{reverse('portal:submit', args=[world['proc'].code])}?nhap={draft.pk}"
    page = lxml.html.fromstring(client.get(url).content)
    assert page.xpath("//select[@name='agency']/option[@selected]/text()") == [
        f"{agency.name} — không nhận hồ sơ thủ tục này"]
    assert said in page.text_content()

    # submitted there anyway: refused with why; what was typed is on the page again, the draft unchanged
    answer = client.post(url, _submit_payload(world, draft=draft.pk, applicant_address="Thôn Trà Khúc",
                                              idem="han-1"))
    assert answer.status_code == 400
    page = lxml.html.fromstring(answer.content.decode())
    assert said in page.text_content()
    assert page.xpath("//input[@name='applicant_address']/@value") == ["Thôn Trà Khúc"]
    assert page.xpath("//input[@name='f_child_name']/@value") == ["Trần Minh An"]
    draft.refresh_from_db()
    assert (draft.status, draft.agency_id, draft.form_data) == (Status.DRAFT, agency.pk, {"child_name": "Bé Na"})

    # the same details as wherever the API answers this code (a hand-over, an extension): the agency and both days
    told = {"agency": agency.code, "last_day": today.isoformat(), "due_date": due.isoformat()}
    answer = _api_submit(world, agency)
    assert answer.status_code == 422
    assert answer.json() == {"code": "appointment_after_dissolution", "message": said, "details": told}
    answer = _api_counter(world, agency)
    assert answer.status_code == 422 and answer.json()["code"] == "appointment_after_dissolution"
    assert answer.json()["details"] == told
    assert _written() == before

    answer = client.post(url, _submit_payload(world, draft=draft.pk, agency=other.pk, idem="han-2"))
    assert answer.status_code == 302, answer.content.decode()[:2000]


def test_the_counter_and_the_procedure_page_tell_which_agency_takes_no_dossier_due_after_its_last_day(client, world):
    """The unit's last day is today: the counter's choice of agency (a person waiting in the queue) and the portal's
    procedure page say so, in the portal submission form's words, before a dossier is typed; the other commune is
    offered as before."""
    agency, other = world["agency"], world["other"]
    _, _, said = _dissolving_today(client, world)
    counter = world["counter"]
    counter.role_assignments.create(role="counter_officer", agency=other)  # the counter serves both communes

    sign_in(client, counter)
    page = lxml.html.fromstring(client.get(reverse("backoffice:walk_in"), {"thu_tuc": world["proc"].code}).content)
    options = dict(zip(page.xpath("//select[@name='agency']/option/@value"),
                       page.xpath("//select[@name='agency']/option/text()"), strict=True))
    assert options == {str(agency.pk): f"{agency.name} — không nhận hồ sơ thủ tục này", str(other.pk): other.name}
    assert said in page.text_content()

    client.logout()
    page = lxml.html.fromstring(client.get(reverse("portal:procedure", args=[world["proc"].code])).content)
    places = [" ".join(" ".join(li.itertext()).split()) for li in page.xpath("//h3[.='Nơi tiếp nhận']/following::ul[1]/li")]
    assert places == [f"{other.name}", f"{agency.name} — không nhận hồ sơ thủ tục này {said}"]


def test_where_no_listed_agency_has_a_last_day_no_appointment_is_computed_to_mark_one(client, world, monkeypatch):
    """The procedure page, the submission form and the counter's choice of agency compute a dossier's appointment
    only to tell which agency dissolves before it (units.receiving.appointment_bound): nearly never, and they are
    rendered on every visit. No agency with a last day: none is computed and none marked; one recorded: it is."""
    computed = []
    appointment = lifecycle.appointment
    monkeypatch.setattr(lifecycle, "appointment", lambda *args: computed.append(args) or appointment(*args))
    code = world["proc"].code
    counter = world["counter"]
    counter.role_assignments.create(role="counter_officer", agency=world["other"])

    def rendered() -> str:
        client.logout()
        pages = [client.get(reverse("portal:procedure", args=[code]))]
        sign_in(client, world["citizen"])
        pages.append(client.get(reverse("portal:submit", args=[code])))
        sign_in(client, counter)
        pages.append(client.get(reverse("backoffice:walk_in"), {"thu_tuc": code}))
        assert [p.status_code for p in pages] == [200, 200, 200]
        return "".join(p.content.decode() for p in pages)

    assert "không nhận hồ sơ thủ tục này" not in rendered()
    assert computed == []

    _dissolving_today(client, world)
    assert rendered().count("không nhận hồ sơ thủ tục này") == 3  # once on each, by the dissolving commune
    assert len(computed) == 3
