"""A statistics period or year is written with 0–9 only (motcua.core.digits): "２０２６", "٢٠٢٦" or "2026-Q٤" is
refused with the message any other bad period gets, on the pages and in the API, instead of being read as 2026
(what is shown and what is counted would differ), and a year of twenty digits is a refusal, not a server error."""

import pytest

from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db

BAD_PERIODS = ["２０２６", "٢٠٢٦", "2026-Q٤", "2026-１１", "99999999999999999999-Q1"]
BAD_DATES = [("01/01/٢٠٢٦", "31/01/2026"), ("2026-01-01", "٢٠٢٦-01-31")]


@pytest.mark.parametrize("period", BAD_PERIODS)
def test_the_statistics_page_refuses_a_period_in_other_digits(client, period):
    resp = client.get("/thong-ke/", {"ky": period})
    assert resp.status_code == 422 and "Kỳ báo cáo không hợp lệ" in resp.content.decode()


@pytest.mark.parametrize("period", BAD_PERIODS)
def test_the_statistics_api_refuses_a_period_in_other_digits(client, period):
    resp = client.get("/api/v1/reporting/indicators", {"period": period})
    assert resp.status_code == 422 and resp.json()["code"] == "invalid_period"


@pytest.mark.parametrize("start, end", BAD_DATES)
def test_dates_in_other_digits_are_not_dates(client, start, end):
    resp = client.get("/api/v1/reporting/indicators", {"start": start, "end": end})
    assert resp.status_code == 422 and resp.json()["code"] == "invalid_date"
    resp = client.get("/thong-ke/", {"tu": start, "den": end})
    assert resp.status_code == 422 and "Ngày không hợp lệ" in resp.content.decode()


@pytest.mark.parametrize("year", ["２０２６", "٢٠٢٦"])
def test_the_unit_page_refuses_a_year_in_other_digits(client, year):
    agency = AgencyFactory()
    assert client.get(f"/thong-ke/don-vi/{agency.code}/", {"nam": "2026"}).status_code == 200
    resp = client.get(f"/thong-ke/don-vi/{agency.code}/", {"nam": year})
    assert resp.status_code == 422 and "Năm không hợp lệ" in resp.content.decode()


def test_a_date_or_a_grouping_that_is_none_is_quoted_as_typed_not_as_python_writes_it(client):
    # «'31/02/2026'» was Python's repr; a person reads the value between «»
    resp = client.get("/api/v1/reporting/indicators", {"start": "31/02/2026", "end": "31/03/2026"})
    assert resp.status_code == 422 and resp.json()["message"] == "Ngày không hợp lệ: «31/02/2026» (dd/mm/yyyy)."
    resp = client.get("/api/v1/reporting/indicators", {"period": "2026", "group_by": "khong_co"})
    assert resp.status_code == 422 and resp.json()["message"] == "Không thể nhóm theo «khong_co»."
