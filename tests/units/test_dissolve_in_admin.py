"""A province administrator closes a commune in the admin without a successor («hiệu lực đến» set, «sáp nhập vào»
empty) while its committee still holds open dossiers: nobody would process them and they would count «quá hạn» for
ever. The admin refuses, under «hiệu lực đến», saying how many and what to do (transfer them first, or merge through
«Sắp xếp đơn vị», whose plan moves them); with none left, the commune is dissolved."""

import lxml.html
import pytest

from motcua.dossiers.lifecycle.guards import TERMINAL
from motcua.dossiers.models import Dossier
from motcua.dossiers.reorganization import open_at
from tests.admin_forms import admin_form, errors_of
from tests.factories import UserFactory, sign_in
from tests.units import reorganization_world as world

pytestmark = pytest.mark.django_db


def test_a_commune_holding_open_dossiers_cannot_be_dissolved_in_the_admin(client):
    w = world.build()
    sign_in(client, UserFactory(username="quantri.he.thong", is_staff=True, is_superuser=True))
    url = f"/admin/units/administrativeunit/{w.a.pk}/change/"
    held = open_at([w.agency_a.pk])
    count = held.count()
    assert count >= 5 and Dossier.objects.filter(agency=w.agency_a, status__in=TERMINAL).exists()

    answer = client.post(url, admin_form(client, url, valid_to="31/03/2026", replaced_by="", is_active=""))
    assert answer.status_code == 200
    message = (f"Các cơ quan của đơn vị đang giữ {count} hồ sơ chưa kết thúc: phải chuyển các hồ sơ này sang cơ quan "
               "khác trước khi giải thể đơn vị. Nếu đơn vị được sáp nhập vào đơn vị khác, hãy thực hiện qua «Sắp xếp "
               "đơn vị» (Cán bộ → Sắp xếp đơn vị): phương án sắp xếp chuyển các hồ sơ này sang đơn vị mới.")
    assert errors_of(answer) == [message]
    page = lxml.html.fromstring(answer.content.decode())  # under the field «hiệu lực đến»
    assert [e.text_content().strip() for e in page.xpath(
        "//*[contains(@class, 'field-valid_to')]//ul[contains(@class, 'errorlist')]/li")] == [message]
    w.a.refresh_from_db()
    assert (w.a.valid_to, w.a.is_active) == (None, True)

    # they go elsewhere (a provincial department takes them over); closed ones stay as history
    held.update(agency=w.province_agency, current_agency=w.province_agency)
    answer = client.post(url, admin_form(client, url, valid_to="31/03/2026", replaced_by="", is_active=""))
    assert answer.status_code == 302, errors_of(answer)
    w.a.refresh_from_db()
    assert (w.a.valid_to.isoformat(), w.a.replaced_by, w.a.is_active) == ("2026-03-31", None, False)

    # Dissolved already: its other details stay editable (its last day unchanged), open dossiers or not.
    Dossier.objects.filter(pk=held.model.objects.filter(agency=w.province_agency).values("pk")[:1]).update(
        agency=w.agency_a, current_agency=w.agency_a)
    assert open_at([w.agency_a.pk]).exists()
    answer = client.post(url, admin_form(client, url, name="Xã A (đã giải thể)"))
    assert answer.status_code == 302, errors_of(answer)
    w.a.refresh_from_db()
    assert w.a.name == "Xã A (đã giải thể)"
