"""Which database a page reads: the replica for statistics, transparency pages, report builds, the
statistics consumer and a citizen's own pages; the leader right after the same browser wrote, and
whenever the replica lags beyond the bound or cannot be reached. (The same against a real streaming
replica that really lags: tests/cluster/test_replica_reads.py.)"""

from __future__ import annotations

import time
import uuid

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from motcua.db import health
from motcua.db.health import REPLICA
from motcua.db.middleware import STICKY_COOKIE
from motcua.db.router import read_alias, replica_reads
from motcua.dossiers import lifecycle
from motcua.dossiers.models import Dossier
from motcua.papers.tasks import run_job
from motcua.reporting import consumer
from motcua.reporting.models import DossierFact, ReportJob
from tests.dossiers.factories import at, make_world
from tests.web.test_portal import _submit_payload

from .conftest import drop_connection

pytestmark = [pytest.mark.django_db(transaction=True, databases=["default", REPLICA]),
              pytest.mark.usefixtures("replica_alias")]


class Reads:
    """The statements each alias ran while the block was open."""

    def __init__(self, replica_reachable: bool = True):
        self.leader = CaptureQueriesContext(connections["default"])
        self.replica = CaptureQueriesContext(connections[REPLICA]) if replica_reachable else None

    def __enter__(self):
        self.leader.__enter__()
        if self.replica is not None:
            self.replica.__enter__()
        return self

    def __exit__(self, *exc):
        if self.replica is not None:
            self.replica.__exit__(*exc)
        self.leader.__exit__(*exc)

    @staticmethod
    def _touching(ctx, table: str) -> list[str]:
        return [q["sql"] for q in ctx.captured_queries if table in q["sql"]] if ctx is not None else []

    def on_replica(self, table: str) -> list[str]:
        return self._touching(self.replica, table)

    def on_leader(self, table: str) -> list[str]:
        return self._touching(self.leader, table)


@pytest.fixture
def world():
    w = make_world()
    d = w.submit(when=at(2026, 3, 2, 8))
    lifecycle.receive(d, officer=w.counter, at=at(2026, 3, 2, 9))
    consumer.consume()
    return w


def test_statistics_pages_read_the_replica(client, replica, world):
    with Reads() as reads:
        page = client.get("/thong-ke/?ky=2026")
        unit = client.get(f"/thong-ke/don-vi/{world.agency.code}/?nam=2026")
        api = client.get("/api/v1/reporting/indicators?start=01/01/2026&end=31/12/2026")
    assert page.status_code == unit.status_code == 200 and world.agency.name in page.content.decode()
    assert api.status_code in (200, 422)  # the point is where it read, not the query format
    assert reads.on_replica("reporting_statcounter")
    assert not reads.on_leader("reporting_statcounter")


def test_a_citizen_sees_their_new_dossier_at_once_from_the_leader(client, replica, world):
    client.force_login(world.citizen)
    with Reads() as reads:
        assert client.get("/ho-so-cua-toi/").status_code == 200
    assert reads.on_replica("dossiers_dossier") and not reads.on_leader("dossiers_dossier")

    # the citizen submits online through the portal, and is sent to the new dossier's page
    world.procedure.agencies.add(world.agency)
    payload = _submit_payload({"agency": world.agency, "proc": world.procedure},
                              applicant_id_number=world.citizen.id_number, idem=uuid.uuid4().hex)
    resp = client.post(reverse("portal:submit", args=[world.procedure.code]), payload)
    assert resp.status_code == 302 and STICKY_COOKIE in resp.cookies, resp.content.decode()[:500]
    mine = Dossier.objects.get(applicant=world.citizen, idempotency_key=payload["idem"])
    with Reads() as reads:
        detail = client.get(resp["Location"])
        listing = client.get("/ho-so-cua-toi/")
    assert detail.status_code == listing.status_code == 200 and mine.code in listing.content.decode()
    assert reads.on_leader("dossiers_dossier") and not reads.on_replica("dossiers_dossier")

    # another browser, or this one once the window has passed, reads the replica again
    client.cookies[STICKY_COOKIE] = str(int(time.time()) - 1)
    with Reads() as reads:
        client.get("/ho-so-cua-toi/")
    assert reads.on_replica("dossiers_dossier")


def test_a_lagging_replica_sends_reads_to_the_leader(client, replica, world, settings):
    settings.MOTCUA_REPLICA_MAX_LAG_S = -1  # every replica is "too far behind"
    with Reads() as reads:
        assert client.get("/thong-ke/?ky=2026").status_code == 200
    assert reads.on_leader("reporting_statcounter") and not reads.on_replica("reporting_statcounter")
    assert read_alias() == "default"


def test_a_stopped_replica_sends_reads_to_the_leader(client, replica, world):
    replica(False)
    with Reads(replica_reachable=False) as reads:
        resp = client.get("/thong-ke/?ky=2026")
    assert resp.status_code == 200 and world.agency.name in resp.content.decode()
    assert reads.on_leader("reporting_statcounter")
    with replica_reads() as on:
        assert on is False


def test_a_replica_failing_in_the_middle_of_a_page_is_replaced_by_the_leader(client, replica, world, settings):
    settings.MOTCUA_REPLICA_CHECK_S = 3600
    assert health.usable()  # the verdict "usable" is cached for an hour …
    drop_connection()
    connections[REPLICA].settings_dict.update(
        {"NAME": "/nonexistent-motcua-dir/replica.sqlite3"} if connections[REPLICA].vendor == "sqlite"
        else {"PORT": "1", "OPTIONS": {"connect_timeout": 1}})
    resp = client.get(f"/thong-ke/don-vi/{world.agency.code}/?nam=2026")  # … but the replica just died
    assert resp.status_code == 200 and world.agency.name in resp.content.decode()
    assert not health.usable()  # and the next pages go straight to the leader


def test_report_builds_and_the_statistics_consumer_read_the_replica(replica, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    job = ReportJob.objects.create(kind="xlsx", scope="province", start=at(2026, 1, 1, 0).date(),
                                   end=at(2026, 12, 31, 0).date())
    with Reads() as reads:
        run_job(job.pk)
    job.refresh_from_db()
    assert job.state == ReportJob.DONE
    assert reads.on_replica("reporting_statcounter") and not reads.on_leader("reporting_statcounter")
    assert reads.on_leader("reporting_reportjob")  # progress and the file are written on the leader

    d = world.submit(when=at(2026, 3, 4, 8))
    with Reads() as reads:
        consumer.consume()
    assert reads.on_replica("integrations_outboxevent") and not reads.on_leader("integrations_outboxevent")
    assert DossierFact.objects.filter(pk=d.pk).exists()  # facts are written on the leader
    assert Dossier.objects.count() == DossierFact.objects.count()
