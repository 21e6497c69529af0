"""The back office's dossier list, newest first, page by page: dossiers received in the same instant (a batch moved
from a successor, an import) are each shown once, on one page, and the list is read from the (created_at, id) index
rather than by sorting every dossier the officer may see (bench/backoffice_scale.md)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from motcua.accounts.models import Role
from motcua.dossiers.models import Channel, Dossier, Status
from tests.factories import officer

pytestmark = pytest.mark.django_db


def _same_instant(world, n):
    Dossier.objects.bulk_create([Dossier(
        code=f"H55-CUNG-{i:03d}", procedure=world["proc"], agency=world["agency"], current_agency=world["agency"],
        status=Status.RECEIVED, channel=Channel.COUNTER, rule_version="61/2018", applicant_name=f"Phạm Văn {i}")
        for i in range(n)])
    Dossier.objects.update(created_at=timezone.now())  # one instant for all


def test_dossiers_of_the_same_instant_are_each_listed_once_across_pages(client, world):
    _same_instant(world, 75)
    client.force_login(world["counter"])
    seen = []
    for page in (1, 2, 3):
        body = client.get(reverse("backoffice:dossiers"), {"trang": page}).content.decode()
        seen += re.findall(r"H55-CUNG-\d{3}", body)
    assert len(seen) == 75 and len(set(seen)) == 75
    # Ties come back in the order the database happens to meet them, which may differ between a page's statement and
    # the next one's (PostgreSQL's top-N heap sort is not stable): the order must end on a unique key.
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("backoffice:dossiers"))
    listed = [q["sql"] for q in ctx.captured_queries if "dossiers_dossier" in q["sql"] and "ORDER BY" in q["sql"]]
    order = listed[0].split("ORDER BY")[1].split("LIMIT")[0].strip()
    assert order.endswith('"dossiers_dossier"."id" DESC'), order


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan")
def test_the_province_wide_list_is_read_from_the_created_index(client, world):
    _same_instant(world, 5)
    client.force_login(officer(Role.PROVINCIAL_ADMIN, None))
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("backoffice:dossiers")).status_code == 200
    rows = [q["sql"] for q in ctx.captured_queries if "dossiers_dossier" in q["sql"] and "ORDER BY" in q["sql"]]
    with connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")  # what the planner picks on a large table, on a small one
        cur.execute("SET LOCAL enable_sort = off")
        cur.execute("EXPLAIN " + rows[0])
        plan = "\n".join(row[0] for row in cur.fetchall())
    assert "dossier_created_idx" in plan, plan
