"""A round already open when a unit it asked closes (its last day recorded in the admin, «hiệu lực đến», merged into
another unit or dissolved): after that day the unit is no longer reminded nor listed as not reported — the back
office and the API tell «Đã sáp nhập vào … từ ngày …» instead of «Chưa báo cáo» — and what it sent before stays."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from motcua.audit.models import AuditEntry
from motcua.core.errors import InvalidTransition
from motcua.transformation.models import RoundReminder, RoundResponse
from motcua.transformation.services import plans, rounds

pytestmark = pytest.mark.django_db
BASE = "/can-bo/chuyen-doi-so"


def _close(agency, last: dt.date, into=None):
    unit = agency.admin_unit
    unit.valid_to, unit.replaced_by = last, into
    unit.save(update_fields=["valid_to", "replaced_by"])


def _open(dx):
    year = timezone.localdate().year
    rnd = rounds.open_round(dx.admin, title="Báo cáo chuyển đổi số", year=year,
                            deadline=timezone.localdate() + dt.timedelta(days=3))
    return rnd, year


def test_a_ward_merged_since_the_round_opened_is_no_longer_reminded_nor_missing(signed_in, dx):
    rnd, _year = _open(dx)
    today = timezone.localdate()
    _close(dx.ct, today - dt.timedelta(days=1), into=dx.dp.admin_unit)
    told = f"Đã sáp nhập vào Phường Đức Phổ từ ngày {today:%d/%m/%Y}"

    assert rounds.send_reminders(today) == 2  # the daily job: Đức Phổ's admin and leader, nobody of Cẩm Thành
    assert set(RoundReminder.objects.values_list("agency__code", flat=True)) == {dx.dp.code}

    api = signed_in(dx.admin).get(f"/api/v1/transformation/rounds/{rnd.pk}").json()
    assert api["pending"] == [dx.dept.code, dx.dp.code]
    row = next(r for r in api["responses"] if r["unit"] == dx.ct.code)
    assert (row["status"], row["closure"]) == ("closed", told)

    html = signed_in(dx.admin).get(f"{BASE}/ky-bao-cao/{rnd.pk}/").content.decode()
    assert re.search(r'id="da-bao-cao">0</strong>/2 đơn vị đã báo cáo, <strong id="chua-bao-cao">2</strong>', html)
    missing = re.search(r'id="danh-sach-chua-bao-cao">(.*?)</ul>', html, re.S).group(1)
    assert "UBND phường Cẩm Thành" not in missing and "UBND phường Đức Phổ" in missing
    row = re.search(r"<tr><td>UBND phường Cẩm Thành</td>(.*?)</tr>", html, re.S).group(1)
    assert told in row and "Chưa báo cáo" not in row and "Báo cáo</a>" not in row

    board = signed_in(dx.admin).get(f"{BASE}/tong-hop/").content.decode()
    assert "UBND phường Cẩm Thành" not in re.search(r'id="don-vi-chua-bao-cao">(.*?)</span>', board, re.S).group(1)
    assert RoundResponse.objects.get(round=rnd, agency=dx.ct).status == RoundResponse.PENDING  # read by the date
    rounds.close_round(dx.admin, rnd)  # the audit trail counts the two units that did not report, not Cẩm Thành
    assert AuditEntry.objects.get(action="dx.round_closed").data == {"reported": 0, "pending": 2}


def test_what_a_dissolved_ward_reported_before_stays_and_it_sends_nothing_after(signed_in, dx):
    rnd, year = _open(dx)
    plans.create_plan(dx.ct_admin, agency=dx.ct, year=year)
    rounds.submit_response(dx.ct_admin, rnd, dx.ct)
    today = timezone.localdate()
    _close(dx.ct, today - dt.timedelta(days=1))
    with pytest.raises(InvalidTransition) as exc:
        rounds.submit_response(dx.ct_admin, rnd, dx.ct)
    assert exc.value.code == "round_unit_closed"
    assert exc.value.message == (f"Phường Cẩm Thành đã giải thể từ ngày {today:%d/%m/%Y}: UBND phường Cẩm Thành "
                                 "không gửi báo cáo kỳ này nữa.")
    answer = RoundResponse.objects.get(round=rnd, agency=dx.ct)
    assert answer.status == RoundResponse.SUBMITTED and answer.snapshot["plan_id"]
    api = signed_in(dx.admin).get(f"/api/v1/transformation/rounds/{rnd.pk}").json()
    assert api["reported"] == 1 and dx.ct.code not in api["pending"]
    assert next(r for r in api["responses"] if r["unit"] == dx.ct.code)["status"] == "submitted"


def _answer_link(html: str, name: str) -> str:
    row = re.search(rf"<tr><td>{name}</td>(.*?)</tr>", html, re.S).group(1)
    return re.search(r'<a href="[^"]*">([^<]*)</a>', row).group(1)


def test_a_ward_closed_after_it_answered_is_offered_xem_not_a_report_it_cannot_send(signed_in, dx):
    """Its answer stays as sent, and its row still read «Báo cáo» and its page «Gửi báo cáo», which the round
    refused (round_unit_closed): the pages offer «Xem» only."""
    rnd, year = _open(dx)
    plans.create_plan(dx.ct_admin, agency=dx.ct, year=year)
    rounds.submit_response(dx.ct_admin, rnd, dx.ct)
    _close(dx.ct, timezone.localdate() - dt.timedelta(days=1))
    for user in (dx.admin, dx.ct_admin):
        c = signed_in(user)
        assert _answer_link(c.get(f"{BASE}/ky-bao-cao/{rnd.pk}/").content.decode(), "UBND phường Cẩm Thành") == "Xem"
        answer = c.get(f"{BASE}/ky-bao-cao/{rnd.pk}/don-vi/{dx.ct.code}/")
        assert answer.status_code == 200 and "Gửi báo cáo" not in answer.content.decode()
    assert _answer_link(signed_in(dx.admin).get(f"{BASE}/ky-bao-cao/{rnd.pk}/").content.decode(),
                        "UBND phường Đức Phổ") == "Báo cáo"  # still there: still asked


def test_the_page_of_a_ward_merged_away_offers_no_report_to_send(signed_in, dx):
    """A merger (the province's plan) while the round is open: the old ward's row is «Đã sáp nhập», its page has no
    «Gửi báo cáo» (refused as round_unit_merged: the new unit answers)."""
    from .conftest import merge

    rnd, year = _open(dx)
    plans.create_plan(dx.ct_admin, agency=dx.ct, year=year)
    merge(dx.admin, [dx.ct.admin_unit], "99001", "Phường Hợp Nhất", timezone.localdate())
    assert RoundResponse.objects.get(round=rnd, agency=dx.ct).status == RoundResponse.MERGED
    c = signed_in(dx.admin)
    assert _answer_link(c.get(f"{BASE}/ky-bao-cao/{rnd.pk}/").content.decode(), "UBND phường Cẩm Thành") == "Xem"
    answer = c.get(f"{BASE}/ky-bao-cao/{rnd.pk}/don-vi/{dx.ct.code}/")
    assert answer.status_code == 200 and "Gửi báo cáo" not in answer.content.decode()
