"""A province administrator closes a commune without a successor (in the admin: «hiệu lực đến» set, «sáp nhập
vào» left empty, «đang hoạt động» unticked). The Decision 766 index and the ordinary statistics then say
«Đã giải thể từ ngày …» where a merged commune says «Đã sáp nhập vào … từ ngày …»: no data for a period after
its last day, and for a period it was closed in, only its days up to it."""

import datetime as dt
import re

import pytest

from motcua.dossiers.reorganization import open_at
from motcua.reporting import decision766
from motcua.reporting.consumer import consume
from motcua.transformation.services import community
from tests.factories import UserFactory, sign_in
from tests.units import reorganization_world as world

pytestmark = pytest.mark.django_db
DISSOLVED = "Đã giải thể từ ngày 01/04/2026"


def _points(result: dict) -> list[dict]:
    return [i for g in result["groups"] for i in g["indicators"]]


def _dissolve_in_admin(client, unit, province_agency) -> None:
    """What an administrator does on the unit's admin page: its last day 31/03/2026, no unit it merged into."""
    # its open dossiers went to another agency first: the admin refuses to dissolve a unit that holds some
    # (tests/units/test_dissolve_in_admin.py)
    open_at([a.pk for a in unit.agencies.all()]).update(agency=province_agency, current_agency=province_agency)
    boss = UserFactory(username="quantri.he.thong", is_staff=True, is_superuser=True)
    sign_in(client, boss)
    url = f"/admin/units/administrativeunit/{unit.pk}/change/"
    assert client.get(url).status_code == 200
    answer = client.post(url, {"code": unit.code, "name": unit.name, "level": unit.level, "parent": unit.parent_id,
                               "replaced_by": "", "valid_from": "", "valid_to": "31/03/2026", "_save": "Lưu"})
    assert answer.status_code == 302, answer.content.decode()[:2000]
    unit.refresh_from_db()
    assert (unit.valid_to.isoformat(), unit.replaced_by, unit.is_active) == ("2026-03-31", None, False)


def test_a_commune_dissolved_in_the_admin_reads_da_giai_the(client):
    w = world.build()
    consume()
    old = w.agency_a.code
    _dissolve_in_admin(client, w.a, w.province_agency)

    # Decision 766: after its last day, no data on any point, each saying it was dissolved
    after = decision766.evaluate(dt.date(2026, 4, 1), dt.date(2026, 6, 30), old)
    assert after["absent"] is True and after["measured_max"] == 0
    ended = f"{DISSOLVED} (hoạt động đến hết ngày 31/03/2026): không còn số liệu của đơn vị trong kỳ."
    assert all(p["status"] == "no_data" and ended in p["note"] for p in _points(after))
    page = client.get(f"/thong-ke/chi-so-766/?don-vi={old}&ky=2026-Q2").content.decode()
    assert ended in page and "Đã sáp nhập vào" not in page
    year = client.get(f"/thong-ke/chi-so-766/?don-vi={old}&ky=2026").content.decode()
    assert f"{DISSOLVED}: chỉ tính đến hết ngày 31/03/2026." in year
    assert "Đơn vị hoạt động đến hết ngày 31/03/2026: số liệu chỉ tính đến ngày này." in year
    api = client.get("/api/v1/reporting/index766", {"period": "2026", "scope": old}).json()
    assert (api["counted_until"], api["absent"]) == ("2026-03-31", False)

    # the ordinary statistics say the same
    unit_page = client.get(f"/thong-ke/don-vi/{old}/?nam=2026").content.decode()
    assert f'id="thoi-gian-hoat-dong">{DISSOLVED} (hoạt động đến hết ngày 31/03/2026).</p>' in unit_page
    assert re.search(r'<th scope="row">T4 <span class="muted">\(đã giải thể\)</span>', unit_page)
    assert "Đã sáp nhập vào" not in unit_page and "(đã sáp nhập)" not in unit_page
    listed = client.get("/thong-ke/?ky=2026").content.decode()
    assert f'{w.agency_a.name}</a> <span class="muted">(đã giải thể từ ngày 01/04/2026)</span>' in listed
    stats = client.get("/api/v1/reporting/indicators", {"period": "2026-Q2", "scope": old}).json()
    assert stats["absent"] is True
    assert stats["note"] == f"{DISSOLVED} (hoạt động đến hết ngày 31/03/2026): đơn vị không còn hoạt động trong kỳ."
    # its digital-transformation figures are what it had on its last day, as for a merged one
    assert community.last_day(w.agency_a, dt.date(2026, 12, 31)) == dt.date(2026, 3, 31)
