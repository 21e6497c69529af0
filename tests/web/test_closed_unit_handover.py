"""A dossier already received is not sent to an agency whose unit has closed (its last day «hiệu lực đến» passed,
dissolved or merged): it would wait there for nobody. The back office's hand-over (chuyển liên thông) no longer offers
it; a POST naming it (a page opened before) and the API's hand-over are refused with why, in Vietnamese, the dossier
unchanged (units.receiving.handover_refusal: the rule intake asks, told to the officer)."""

import datetime as dt

import lxml.html
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from motcua.accounts.models import RoleAssignment
from motcua.accounts.permissions import roles_of
from motcua.api.auth import issue_token
from motcua.core.calendar import add_working_days
from motcua.core.errors import ValidationFailed
from motcua.dossiers import lifecycle
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.outbox.models import OutboxEvent
from motcua.units.models import AdministrativeUnit
from motcua.web.closing import closing_notices
from tests.factories import AgencyFactory, officer, sign_in

from .test_closed_unit_intake import _dissolve_in_admin

pytestmark = pytest.mark.django_db


def _processing(world):
    d = lifecycle.receive_at_counter(officer=world["counter"], procedure=world["proc"], agency=world["agency"],
                                     applicant_data={"name": "Hà Văn Tâm", "id_number": "051085001111"},
                                     form_data={"child_name": "Hà An", "birth_date": "2026-10-10"})
    return lifecycle.start_processing(d, officer=world["counter"])


def _state(d):
    return (Dossier.objects.filter(pk=d.pk).values("status", "current_agency_id", "current_step_id").get(),
            DossierEvent.objects.count(), OutboxEvent.objects.count())


def _offered(client, d) -> list[str]:
    """The values the dossier page's hand-over form offers."""
    page = lxml.html.fromstring(client.get(reverse("backoffice:dossier", args=[d.pk])).content)
    return [v for v in page.xpath("//form[contains(@action, 'hand_over')]//select[@name='to_agency']/option/@value")
            if v]


def _hand_over(client, d, agency):
    return client.post(reverse("backoffice:action", args=[d.pk, "hand_over"]),
                       {"to_agency": agency.pk, "note": "Đề nghị xác minh cư trú"})


def _api_hand_over(world, d, agency):
    token = issue_token(world["specialist"], "chuyển liên thông")[1]
    return Client(headers={"Authorization": f"Bearer {token}"}).post(
        f"/api/v1/dossiers/{d.code}/hand-over", {"to_agency": agency.code, "note": "Xin ý kiến"},
        content_type="application/json")


def test_a_dossier_is_not_handed_over_to_a_commune_dissolved_since_yesterday(client, world):
    agency, other = world["agency"], world["other"]
    third = AgencyFactory(name="UBND xã Phổ Văn")
    d = _processing(world)
    unit = other.admin_unit
    today = timezone.localdate()
    _dissolve_in_admin(client, unit, today - dt.timedelta(days=1))
    said = (f"{unit.name} đã giải thể từ ngày {today:%d/%m/%Y}: {other.name} không còn nhận hồ sơ chuyển đến, vui "
            "lòng chọn cơ quan nhận khác.")
    before = _state(d)

    # the hand-over form does not offer it, nor the agency holding the dossier; the other communes still are
    sign_in(client, world["specialist"])
    offered = _offered(client, d)
    assert str(other.pk) not in offered and str(agency.pk) not in offered and str(third.pk) in offered

    # a POST naming it (the page opened before): refused under the field, with why; nothing written
    answer = _hand_over(client, d, other)
    assert answer.status_code == 400
    text = lxml.html.fromstring(answer.content.decode()).text_content()
    assert said in text and "Lựa chọn không hợp lệ" not in text
    assert _state(d) == before

    # the API: a 4xx with the code, the same words; the lifecycle itself (any caller) likewise
    answer = _api_hand_over(world, d, other)
    assert answer.status_code == 422
    assert answer.json() == {"code": "agency_dissolved", "message": said, "details": {"field": "to_agency"}}
    with pytest.raises(ValidationFailed) as refused:
        lifecycle.hand_over(d, officer=world["specialist"], to_agency=other)
    assert (refused.value.code, refused.value.message) == ("agency_dissolved", said)
    assert _state(d) == before

    # another commune takes it
    assert _hand_over(client, d, third).status_code == 302
    d.refresh_from_db()
    assert d.current_agency == third


def test_a_dossier_is_not_handed_over_to_a_merged_commune_and_is_told_where_instead(client, world):
    other = world["other"]
    third = AgencyFactory(name="UBND xã Phổ Văn")
    d = _processing(world)
    unit = other.admin_unit
    today = timezone.localdate()
    unit.valid_to, unit.replaced_by = today - dt.timedelta(days=1), third.admin_unit
    unit.save()
    said = (f"{unit.name} đã sáp nhập vào {third.admin_unit.name} từ ngày {today:%d/%m/%Y}, vui lòng chuyển hồ sơ "
            f"cho {third.name}.")
    before = _state(d)
    answer = _api_hand_over(world, d, other)
    assert answer.status_code == 422
    assert answer.json() == {"code": "agency_merged", "message": said, "details": {"field": "to_agency"}}
    sign_in(client, world["specialist"])
    assert str(other.pk) not in _offered(client, d)
    answer = _hand_over(client, d, other)
    assert answer.status_code == 400 and said in lxml.html.fromstring(answer.content.decode()).text_content()
    assert _state(d) == before


def test_a_dissolution_dated_ahead_still_takes_hand_overs_and_its_officers_see_what_is_left_open(client, world):
    """Until its last day the unit's committee is still handed dossiers; its officers are told on every back-office
    page when it closes and how many dossiers are still open there (the admin checked them only when the closure
    was saved), and after that day as long as some are."""
    other = world["other"]
    d = _processing(world)
    unit = other.admin_unit
    last = timezone.localdate() + dt.timedelta(days=10)
    _dissolve_in_admin(client, unit, last)
    closes = last + dt.timedelta(days=1)

    sign_in(client, world["specialist"])
    assert str(other.pk) in _offered(client, d)
    assert _hand_over(client, d, other).status_code == 302
    d.refresh_from_db()
    assert d.current_agency == other
    assert "sẽ giải thể" not in client.get(reverse("backoffice:inbox")).content.decode()  # not their unit

    sign_in(client, world["other_counter"])
    said = (f"{unit.name} sẽ giải thể từ ngày {closes:%d/%m/%Y}: {other.name} tiếp nhận hồ sơ đến hết ngày "
            f"{last:%d/%m/%Y} có ngày hẹn trả kết quả đến hết ngày đó; còn 1 hồ sơ chưa kết thúc, cần giải quyết xong "
            f"trước ngày {closes:%d/%m/%Y}.")
    for url in (reverse("backoffice:queue"), reverse("backoffice:dossier", args=[d.pk])):
        page = lxml.html.fromstring(client.get(url).content)
        assert [li.text_content() for li in page.xpath("//*[@role='note']/ul/li")] == [said]

    # after its last day, as long as a dossier is still open there
    assert closing_notices(world["other_counter"], today=closes) == [
        f"{unit.name} đã giải thể từ ngày {closes:%d/%m/%Y}: {other.name} không còn tiếp nhận hồ sơ; còn 1 hồ sơ chưa "
        "kết thúc, cần giải quyết xong."]
    lifecycle.stop(d, officer=world["leader"], reason="Người nộp đề nghị dừng giải quyết")
    assert closing_notices(world["other_counter"], today=closes) == []


def test_a_dossier_is_not_returned_to_a_lead_agency_whose_unit_has_closed_since(client, world):
    """The lead agency's dissolution was recorded ahead; the dossier handed over before its last day is not sent back
    there after it (nobody would handle it): the helper agency's officer is told why on the dossier's page, the API
    answers 409 with a code, nothing is written."""
    agency, other = world["agency"], world["other"]
    unit = agency.admin_unit
    today = timezone.localdate()
    _dissolve_in_admin(client, unit, today + dt.timedelta(days=10))
    d = lifecycle.hand_over(_processing(world), officer=world["specialist"], to_agency=other, note="Xin ý kiến")
    AdministrativeUnit.objects.filter(pk=unit.pk).update(valid_to=today - dt.timedelta(days=1))  # its last day passed
    helper = officer("specialist", other, username="chuyenvien2")
    said = (f"Không trả được hồ sơ về cơ quan chủ trì: {unit.name} đã giải thể từ ngày {today:%d/%m/%Y}: "
            f"{agency.name} không còn nhận hồ sơ chuyển đến, vui lòng chọn cơ quan nhận khác.")
    before = _state(d)

    sign_in(client, helper)
    answer = client.post(reverse("backoffice:action", args=[d.pk, "return_from_agency"]), {"note": "Đã cho ý kiến"})
    assert answer.status_code == 409
    assert said in lxml.html.fromstring(answer.content.decode()).text_content()
    assert _state(d) == before

    token = issue_token(helper, "trả về")[1]
    answer = Client(headers={"Authorization": f"Bearer {token}"}).post(
        f"/api/v1/dossiers/{d.code}/return-from-agency", {"note": "Đã cho ý kiến"}, content_type="application/json")
    assert answer.status_code == 409
    assert answer.json() == {"code": "lead_agency_not_receiving", "message": said,
                             "details": {"agency": agency.code, "reason": "agency_dissolved"}}
    assert _state(d) == before


def test_an_officer_of_several_closing_units_is_told_of_each_and_the_notices_cost_the_same_statements(world):
    """The notices run on every back-office page: an officer of three agencies whose units close reads three sentences
    (a dossier received at one and handed over to another counted at both), for the statements one agency costs."""
    agency, other = world["agency"], world["other"]
    third = AgencyFactory(name="UBND xã Phổ Văn")
    kept, passed = _processing(world), _processing(world)
    lifecycle.hand_over(passed, officer=world["specialist"], to_agency=other)
    last = timezone.localdate() + dt.timedelta(days=10)
    closes = last + dt.timedelta(days=1)
    units = agency.admin_unit, other.admin_unit, third.admin_unit
    units[0].valid_to = units[1].valid_to = last
    units[1].replaced_by = units[2]
    units[2].valid_to = last + dt.timedelta(days=30)
    for unit in units:
        unit.save()
    one = world["counter"]
    three = officer("counter_officer", agency, username="motcua.ba.xa")
    for a in (other, third):
        RoleAssignment.objects.create(user=three, role="counter_officer", agency=a)

    assert closing_notices(three) == [
        f"{units[1].name} sẽ sáp nhập vào {units[2].name} từ ngày {closes:%d/%m/%Y}: {other.name} tiếp nhận hồ sơ đến "
        f"hết ngày {last:%d/%m/%Y}; còn 1 hồ sơ chưa kết thúc, cần giải quyết xong trước ngày {closes:%d/%m/%Y}.",
        f"{units[2].name} sẽ giải thể từ ngày {units[2].valid_to + dt.timedelta(days=1):%d/%m/%Y}: {third.name} tiếp "
        f"nhận hồ sơ đến hết ngày {units[2].valid_to:%d/%m/%Y} có ngày hẹn trả kết quả đến hết ngày đó; không còn hồ sơ nào chưa kết thúc.",
        f"{units[0].name} sẽ giải thể từ ngày {closes:%d/%m/%Y}: {agency.name} tiếp nhận hồ sơ đến hết ngày "
        f"{last:%d/%m/%Y} có ngày hẹn trả kết quả đến hết ngày đó; còn 2 hồ sơ chưa kết thúc, cần giải quyết xong trước ngày {closes:%d/%m/%Y}."]
    assert [(d.agency_id, d.current_agency_id) for d in Dossier.objects.filter(pk__in=[kept.pk, passed.pk])
            .order_by("pk")] == [(agency.pk, agency.pk), (agency.pk, other.pk)]

    def statements(user):
        roles_of(user)  # read once per request, by every page
        with CaptureQueriesContext(connection) as done:
            assert closing_notices(user)
        return len(done)

    assert statements(three) == statements(one)


def test_a_dossier_is_not_handed_over_to_a_commune_dissolving_before_it_is_due(client, world):
    """The other commune's last day is today; the dossier is due after it: handed over there it would still be waiting
    when the commune closes. The back office's hand-over and the API's are refused with both days, nothing written."""
    other = world["other"]
    d = _processing(world)
    unit = other.admin_unit
    today = timezone.localdate()
    _dissolve_in_admin(client, unit, today)
    due = timezone.localdate(d.due_at)
    said = (f"{unit.name} sẽ giải thể từ ngày {today + dt.timedelta(days=1):%d/%m/%Y}: {other.name} chỉ nhận hồ sơ "
            f"chuyển đến có ngày hẹn trả kết quả đến hết ngày {today:%d/%m/%Y}, ngày hẹn trả của hồ sơ này là ngày "
            f"{due:%d/%m/%Y}; vui lòng chọn cơ quan nhận khác.")
    before = _state(d)

    sign_in(client, world["specialist"])
    answer = _hand_over(client, d, other)
    assert answer.status_code in (400, 422)
    assert said in lxml.html.fromstring(answer.content.decode()).text_content()
    assert _state(d) == before

    answer = _api_hand_over(world, d, other)
    assert answer.status_code == 422
    assert answer.json() == {"code": "appointment_after_dissolution", "message": said,
                             "details": {"agency": other.code, "last_day": today.isoformat(),
                                         "due_date": due.isoformat(), "field": "to_agency"}}
    assert _state(d) == before


def test_no_extension_past_the_last_day_of_a_commune_dissolving_ahead(client, world):
    """The commune's dissolution is recorded ahead, its last day the appointment of a dossier received now (so it still
    takes it): its leader's extension would move it past that day, refused on the dossier's page and by the API (422,
    code and both days), the appointment unchanged."""
    agency = world["agency"]
    unit = agency.admin_unit
    last = timezone.localdate(lifecycle.appointment(world["proc"], timezone.now()))
    _dissolve_in_admin(client, unit, last)
    d = _processing(world)
    assert timezone.localdate(d.due_at) == last
    new = timezone.localdate(add_working_days(d.due_at, 2))
    said = (f"Không gia hạn được: {unit.name} sẽ giải thể từ ngày {last + dt.timedelta(days=1):%d/%m/%Y}: {agency.name} "
            f"chỉ giải quyết hồ sơ có ngày hẹn trả kết quả đến hết ngày {last:%d/%m/%Y}, ngày hẹn trả mới của hồ sơ "
            f"này sẽ là ngày {new:%d/%m/%Y}; vui lòng hẹn trả kết quả không muộn hơn ngày đó.")
    before = (_state(d), Dossier.objects.values_list("due_at", "extension_count").get(pk=d.pk))

    sign_in(client, world["leader"])
    answer = client.post(reverse("backoffice:action", args=[d.pk, "extend"]), {"days": "2", "reason": "Xác minh"})
    assert answer.status_code in (400, 422)
    assert said in lxml.html.fromstring(answer.content.decode()).text_content()

    token = issue_token(world["leader"], "gia hạn")[1]
    answer = Client(headers={"Authorization": f"Bearer {token}"}).post(
        f"/api/v1/dossiers/{d.code}/extend", {"days": 2, "reason": "Xác minh"}, content_type="application/json")
    assert answer.status_code == 422
    assert answer.json() == {"code": "appointment_after_dissolution", "message": said,
                             "details": {"agency": agency.code, "last_day": last.isoformat(),
                                         "due_date": new.isoformat(), "field": "days"}}
    assert (_state(d), Dossier.objects.values_list("due_at", "extension_count").get(pk=d.pk)) == before


def test_the_hand_over_form_leaves_out_a_commune_dissolving_before_the_dossier_is_due_and_says_why(client, world):
    """The other commune's last day is today, the dossier due after it: the lifecycle would refuse the hand-over, so the
    form does not offer it and says why under the choice; a commune dissolving after the dossier is due, and the other
    communes, are still offered. A POST naming it anyway (a page opened before) is refused under the field, with why."""
    agency, other = world["agency"], world["other"]
    later = AgencyFactory(name="UBND xã Phổ Văn")
    d = _processing(world)
    due, today = timezone.localdate(d.due_at), timezone.localdate()
    _dissolve_in_admin(client, other.admin_unit, today)
    _dissolve_in_admin(client, later.admin_unit, due + dt.timedelta(days=10))
    said = (f"{other.admin_unit.name} sẽ giải thể từ ngày {today + dt.timedelta(days=1):%d/%m/%Y}: {other.name} chỉ "
            f"nhận hồ sơ chuyển đến có ngày hẹn trả kết quả đến hết ngày {today:%d/%m/%Y}, ngày hẹn trả của hồ sơ này "
            f"là ngày {due:%d/%m/%Y}; vui lòng chọn cơ quan nhận khác.")
    before = _state(d)

    sign_in(client, world["specialist"])
    page = lxml.html.fromstring(client.get(reverse("backoffice:dossier", args=[d.pk])).content)
    offered = _offered(client, d)
    assert str(other.pk) not in offered and str(agency.pk) not in offered and str(later.pk) in offered
    # said under the choice, and read with it by a screen reader (the control's aria-describedby)
    (choice,) = page.xpath("//form[contains(@action, 'hand_over')]//select[@id='hand_over-to_agency']")
    told = " ".join(page.get_element_by_id(ref).text_content() for ref in choice.get("aria-describedby").split())
    assert said in told

    answer = _hand_over(client, d, other)
    assert answer.status_code == 400
    text = lxml.html.fromstring(answer.content.decode()).text_content()
    assert said in text and "Lựa chọn không hợp lệ" not in text
    assert _state(d) == before

    assert _hand_over(client, d, later).status_code == 302
    d.refresh_from_db()
    assert d.current_agency == later
