"""PostgreSQL: a province-wide search (provincial administrator, auditor: no agency narrows it) by applicant name or
code is answered through the trigram index on the search entries (migration dossiers 0016), not by reading the whole
dossier table (bench/name_search.py measures it at 100.000 dossiers); the dossier table itself no longer carries it."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from motcua.accounts.models import Role
from tests.factories import officer

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan")]


@pytest.mark.parametrize("typed", ["tran thi mai", "Trần Thị Mai", "H55-2611"])
def test_a_province_wide_search_reads_the_dossiers_through_the_trigram_index(client, world, submitted, typed):
    client.force_login(officer(Role.PROVINCIAL_ADMIN, None))
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("backoffice:dossiers"), {"q": typed}).status_code == 200
    # the page's count (and rows, when some match): the statements matching the name and the code
    searching = [q["sql"] for q in ctx.captured_queries if "dossiers_dossier" in q["sql"] and " LIKE " in q["sql"]]
    assert searching
    with connection.cursor() as cur:
        # what the planner picks on a large table, on a small one (where a walk of a tiny primary key would do)
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute("SET LOCAL enable_indexscan = off")
        # and the list order's index, which a handful of rows would rather walk whole (bench/name_search.py: at
        # 100.000 dossiers with it the searches still go through the trigram index); dropped in this test's
        # transaction only, rolled back after it
        cur.execute("DROP INDEX dossier_created_idx")
        cur.execute("EXPLAIN " + searching[0])
        plan = "\n".join(row[0] for row in cur.fetchall())
    assert not re.search(r"Seq Scan on dossiers_dossier(searchentry)?\b", plan), plan
    assert "dossier_search_entry_trgm" in plan, plan


def test_the_dossier_table_carries_no_search_index():
    """A status change rewrites the dossier row in every index of its table: the search's live elsewhere."""
    with connection.cursor() as cur:
        cur.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'dossiers_dossier'")
        names = {row[0] for row in cur.fetchall()}
    assert "dossier_search_trgm" not in names and "dossier_id_number_idx" not in names
