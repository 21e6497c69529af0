"""An administrator records a closure ahead of time (a merger resolution effective next month: «hiệu lực đến» set
to the unit's last day, still to come). Until that day the statistics say what will happen, «Sẽ sáp nhập vào …
từ ngày …» / «Sẽ giải thể từ ngày …»; from the day after it, what happened, «Đã …» (units.lifetime.closure)."""

import datetime as dt

import pytest
from django.utils import timezone

from motcua.reporting import texts
from motcua.units import lifetime
from tests.factories import AdministrativeUnitFactory, AgencyFactory

pytestmark = pytest.mark.django_db


def _closed(last: dt.date, *, merged: bool):
    agency = AgencyFactory(name="UBND xã Sắp Xếp")
    successor = AdministrativeUnitFactory(name="Phường Hợp Nhất") if merged else None
    unit = agency.admin_unit
    unit.valid_to, unit.replaced_by = last, successor
    unit.save()
    return agency


def _api(client, agency, start: dt.date, end: dt.date) -> dict:
    resp = client.get("/api/v1/reporting/indicators", {"scope": agency.code, "start": start.isoformat(),
                                                       "end": end.isoformat()})
    assert resp.status_code == 200, resp.content
    return resp.json()


@pytest.mark.parametrize("merged, words", [(True, "sáp nhập vào Phường Hợp Nhất"), (False, "giải thể")])
def test_a_closure_still_to_come_reads_se(client, merged, words):
    today = timezone.localdate()
    last = today + dt.timedelta(days=30)
    agency = _closed(last, merged=merged)
    since = f"từ ngày {last + dt.timedelta(days=1):%d/%m/%Y}"
    life = lifetime.of_agency(agency)
    assert life.closure == f"Sẽ {words} {since}"

    spanning = _api(client, agency, today - dt.timedelta(days=60), last + dt.timedelta(days=60))
    assert spanning["counted_until"] == last.isoformat()
    assert spanning["note"] == f"Sẽ {words} {since} (hoạt động đến hết ngày {last:%d/%m/%Y})."
    after = _api(client, agency, last + dt.timedelta(days=1), last + dt.timedelta(days=31))
    assert after["absent"] is True and after["note"].startswith(f"Sẽ {words} {since}")
    assert texts.existence_word(life.cover(last + dt.timedelta(days=1), last + dt.timedelta(days=31))) == \
        f"sẽ {words.split(' vào')[0]}"
    index = client.get("/api/v1/reporting/index766", {"scope": agency.code, "start": today.isoformat(),
                                                      "end": (last + dt.timedelta(days=10)).isoformat()}).json()
    notes = [i["note"] for g in index["groups"] for i in g["indicators"]]
    assert all(f"Sẽ {words} {since}: chỉ tính đến hết ngày {last:%d/%m/%Y}." in n for n in notes)

    # its last day itself: still to come («từ ngày» is tomorrow)
    agency.admin_unit.valid_to = today
    agency.admin_unit.save()
    assert lifetime.of_agency(agency).closure == \
        f"Sẽ {words} từ ngày {today + dt.timedelta(days=1):%d/%m/%Y}"


@pytest.mark.parametrize("merged, words", [(True, "sáp nhập vào Phường Hợp Nhất"), (False, "giải thể")])
def test_from_the_day_after_its_last_day_it_reads_da(client, merged, words):
    today = timezone.localdate()
    agency = _closed(today - dt.timedelta(days=1), merged=merged)
    life = lifetime.of_agency(agency)
    assert life.closure == f"Đã {words} từ ngày {today:%d/%m/%Y}"
    after = _api(client, agency, today, today + dt.timedelta(days=30))
    assert after["note"] == f"Đã {words} từ ngày {today:%d/%m/%Y} (hoạt động đến hết ngày " \
        f"{today - dt.timedelta(days=1):%d/%m/%Y}): đơn vị không còn hoạt động trong kỳ."
    assert texts.existence_word(life.cover(today, today)) == f"đã {words.split(' vào')[0]}"
