"""A province administrator closes a commune in the admin without a successor («hiệu lực đến» set, «sáp nhập vào»
empty) while its committee still holds open dossiers: nobody would process them and they would count «quá hạn» for
ever. The admin refuses, under «hiệu lực đến», saying how many, which, and what the administrator can do (have them
finished, or merge through «Sắp xếp đơn vị», whose plan moves them: nothing else moves a dossier to another agency);
with none left, the commune is dissolved. A citizen's draft, never sent, does not hold it and stays the citizen's."""

import lxml.html
import pytest

from motcua.dossiers.lifecycle.guards import TERMINAL
from motcua.dossiers.models import Dossier, Status
from motcua.dossiers.reorganization import open_at
from tests.admin_forms import admin_form, errors_of
from tests.factories import UserFactory, sign_in
from tests.units import reorganization_world as world

pytestmark = pytest.mark.django_db


def test_a_commune_holding_open_dossiers_cannot_be_dissolved_in_the_admin(client):
    w = world.build()
    sign_in(client, UserFactory(username="quantri.he.thong", is_staff=True, is_superuser=True))
    url = f"/admin/units/administrativeunit/{w.a.pk}/change/"
    draft = w.dossiers["a:draft"]
    held = open_at([w.agency_a.pk]).exclude(pk=draft.pk)
    count = held.count()
    assert count >= 6 and Dossier.objects.filter(agency=w.agency_a, status__in=TERMINAL).exists()
    first = sorted(held.values_list("code", flat=True))[:5]

    answer = client.post(url, admin_form(client, url, valid_to="31/03/2026", replaced_by="", is_active=""))
    assert answer.status_code == 200
    message = (f"Các cơ quan của đơn vị đang giữ {count} hồ sơ đã nộp chưa kết thúc ({', '.join(first)}, …): đơn vị "
               "chỉ ngừng hoạt động ở đây khi các hồ sơ này đã được giải quyết và trả kết quả, hoặc từ chối, dừng giải "
               "quyết (trang Cán bộ của cơ quan); không có chức năng chuyển hồ sơ sang cơ quan khác ngoài phương án "
               "sắp xếp. Nếu đơn vị được sáp nhập vào đơn vị khác, hãy thực hiện qua «Sắp xếp đơn vị» (Cán bộ → Sắp "
               "xếp đơn vị, hoặc lệnh manage.py reorganize_units): phương án sắp xếp chuyển các hồ sơ này sang đơn vị "
               "mới.")
    assert errors_of(answer) == [message]
    page = lxml.html.fromstring(answer.content.decode())  # under the field «hiệu lực đến»
    assert [e.text_content().strip() for e in page.xpath(
        "//*[contains(@class, 'field-valid_to')]//ul[contains(@class, 'errorlist')]/li")] == [message]
    w.a.refresh_from_db()
    assert (w.a.valid_to, w.a.is_active) == (None, True)

    # they go elsewhere (a provincial department takes them over); closed ones stay as history; the citizen's draft
    # (never sent to the commune) does not hold it
    held.update(agency=w.province_agency, current_agency=w.province_agency)
    assert list(open_at([w.agency_a.pk])) == [draft]
    answer = client.post(url, admin_form(client, url, valid_to="31/03/2026", replaced_by="", is_active=""))
    assert answer.status_code == 302, errors_of(answer)
    w.a.refresh_from_db()
    assert (w.a.valid_to.isoformat(), w.a.replaced_by, w.a.is_active) == ("2026-03-31", None, False)
    draft.refresh_from_db()
    assert (draft.status, draft.applicant, draft.agency_id) == (Status.DRAFT, w.citizen, w.agency_a.pk)
    sign_in(client, w.citizen)
    assert client.get(f"/ho-so-cua-toi/{draft.pk}/").status_code == 200
    sign_in(client, UserFactory(username="quantri.hai", is_staff=True, is_superuser=True))

    # Dissolved already: its other details stay editable (its last day unchanged), open dossiers or not.
    Dossier.objects.filter(pk=held.model.objects.filter(agency=w.province_agency).values("pk")[:1]).update(
        agency=w.agency_a, current_agency=w.agency_a)
    assert open_at([w.agency_a.pk]).exists()
    answer = client.post(url, admin_form(client, url, name="Xã A (đã giải thể)"))
    assert answer.status_code == 302, errors_of(answer)
    w.a.refresh_from_db()
    assert w.a.name == "Xã A (đã giải thể)"


def test_unticking_a_units_working_box_without_its_last_day_is_refused(client):
    """«đang hoạt động» unticked alone closes nothing (a unit ends with its last day, «hiệu lực đến»): the admin says
    what to fill in instead of saving a unit that looks closed while its agencies still receive."""
    w = world.build()
    sign_in(client, UserFactory(username="quantri.he.thong", is_staff=True, is_superuser=True))
    url = f"/admin/units/administrativeunit/{w.b.pk}/change/"
    answer = client.post(url, admin_form(client, url, is_active=""))
    assert answer.status_code == 200 and len(errors_of(answer)) == 1 and "hiệu lực đến" in errors_of(answer)[0]
    w.b.refresh_from_db()
    assert w.b.is_active
