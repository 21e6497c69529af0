"""The merger's move counters are parts of the stocks, not figures with a list of their own: asking for their list
(the API's drill-down, the statistics page's «Danh sách hồ sơ») says so in Vietnamese instead of failing."""

import pytest

from tests.dossiers.factories import make_world
from tests.factories import sign_in

pytestmark = pytest.mark.django_db
MOVES = ("moved_in", "moved_out", "moved_in_overdue", "moved_out_overdue")


@pytest.mark.parametrize("metric", MOVES)
def test_a_move_counter_has_no_list_of_its_own(client, metric):
    world = make_world()
    sign_in(client, world.counter)
    api = client.get("/api/v1/reporting/drilldown", {"period": "2026-03", "scope": world.agency.code, "metric": metric})
    assert api.status_code == 422 and api.json()["code"] == "invalid_metric"
    page = client.get("/thong-ke/ho-so/", {"chi-tieu": metric, "ky": "2026-03", "don-vi": world.agency.code})
    assert page.status_code == 422 and "không có danh sách riêng" in page.content.decode()
