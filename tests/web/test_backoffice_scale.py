"""Back-office and portal pages at scale: the statements of a page do not grow with its rows, and the officers' dossier rule
reads the dossier table through its indexes (bench/backoffice_scale.py measures both at 1.000 and 20.000 dossiers)."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from motcua.dossiers.access import visible_dossiers
from motcua.dossiers.models import Channel, Dossier, Status

pytestmark = pytest.mark.django_db


def _processing(world, n, *, overdue=True):
    """n dossiers of the agency in processing, each at a step of the procedure, due yesterday (or next week)."""
    steps = list(world["proc"].steps.order_by("order"))
    due = timezone.now() + dt.timedelta(days=-1 if overdue else 7)
    Dossier.objects.bulk_create([Dossier(
        code=f"H55-{len(steps)}-{i:05d}", procedure=world["proc"], agency=world["agency"],
        current_agency=world["agency"], current_step=steps[i % len(steps)], status=Status.PROCESSING,
        channel=Channel.COUNTER, rule_version="61/2018", applicant_name=f"Nguyễn Văn {i}",
        received_at=due - dt.timedelta(days=5), due_at=due) for i in range(n)])


def _statements(client, url):
    """Statements of a second load: what a first load fills in the shared cache (e.g. whether any successor's dossiers
    are still arriving, dossiers.handover) depends on the tests run before in the process, not on the page's rows."""
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url)
    assert resp.status_code == 200
    return len(ctx.captured_queries), resp.content.decode()


def test_dashboard_overdue_list_costs_the_same_for_3_and_30_dossiers(client, world):
    client.force_login(world["leader"])
    url = reverse("backoffice:dashboard")
    _processing(world, 3)
    few, body = _statements(client, url)
    assert "Thụ lý, thẩm định" in body  # each overdue row names its current step
    Dossier.objects.all().delete()
    _processing(world, 30)
    many, body = _statements(client, url)
    assert body.count("H55-2-") == 30
    assert many == few


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan")
def test_an_officers_dossiers_are_found_through_indexes_not_by_reading_the_whole_table(world):
    _processing(world, 30)
    qs = visible_dossiers(world["counter"]).order_by("-created_at")[:30]
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")  # what the planner picks on a large table, on a small one
        cur.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cur.fetchall())
    assert not re.search(r"Seq Scan on dossiers_dossier\b", plan), plan
    assert "BitmapOr" in plan  # one index per branch of the rule, hand-overs included
    assert len(qs) == 30


def _handed_over(world, times):
    """A dossier of the citizen handed over `times` times (liên thông) to the other commune."""
    from motcua.dossiers import lifecycle
    from motcua.dossiers.models import DossierEvent

    d = lifecycle.submit_online(
        applicant=world["citizen"], procedure=world["proc"], agency=world["agency"],
        applicant_data={"name": "Trần Thị Mai", "id_number": "051190001234", "phone": "0912345678"},
        form_data={"child_name": "Trần Minh An", "birth_date": "2026-11-01"}, return_method="online")
    start = timezone.now()
    DossierEvent.objects.bulk_create([DossierEvent(
        dossier=d, action="hand_over", from_status=Status.PROCESSING, to_status=Status.PROCESSING,
        at=start + dt.timedelta(minutes=i), agency=world["agency"], to_agency=world["other"]) for i in range(times)])
    return d


@pytest.mark.parametrize("page", ["own dossier", "tracking"])
def test_the_citizens_timeline_costs_the_same_for_3_and_30_hand_overs(client, world, page):
    client.force_login(world["citizen"])
    counts = []
    for times in (3, 30):
        d = _handed_over(world, times)
        with CaptureQueriesContext(connection) as ctx:
            if page == "tracking":
                resp = client.post(reverse("portal:track"), {"code": d.code, "secret": "1234"})
            else:
                resp = client.get(reverse("portal:dossier", args=[d.pk]))
        assert resp.status_code == 200
        assert resp.content.decode().count("→ UBND xã Bình Sơn") == times  # each hand-over names its agency
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_the_feedback_list_reads_no_dossier(client, world, submitted):
    from motcua.engagement.feedback import submit_feedback

    submit_feedback(world["citizen"], classification="conduct", title="Chậm trả kết quả", content="Hồ sơ của tôi đã quá hạn trả kết quả.",
                    name="Trần Thị Mai", phone="0912345678", dossier=submitted, procedure=world["proc"],
                    agency=world["agency"])
    client.force_login(world["leader"])
    with CaptureQueriesContext(connection) as ctx:
        body = client.get(reverse("backoffice:feedback_list")).content.decode()
    assert "Chậm trả kết quả" in body
    listing = [q["sql"] for q in ctx.captured_queries if 'FROM "engagement_feedback"' in q["sql"]]
    assert listing and not any("dossiers_dossier" in sql for sql in listing), listing
