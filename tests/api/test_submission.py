"""The submission's short path (POST /dossiers and /dossiers/counter): one read finds the procedure, the agency
and whether the agency receives the procedure; one statement locks the account and finds an earlier attempt; the
dossier's row is inserted without the ORM — and every answer and guarantee stays as it was."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from motcua.audit.models import AuditEntry
from motcua.dossiers import lifecycle
from motcua.dossiers.lifecycle import intake_reads
from motcua.dossiers.models import Dossier, DossierCodeSequence, DossierEvent
from motcua.outbox.models import OutboxEvent
from motcua.units import receiving
from tests.factories import AgencyFactory

from .conftest import submit_body

pytestmark = pytest.mark.django_db

COUNTER_APPLICANT = {"name": "Phạm Văn Quầy"}


def written():
    return (Dossier.objects.count(), DossierEvent.objects.count(), OutboxEvent.objects.count(),
            AuditEntry.objects.count(), sorted(DossierCodeSequence.objects.values_list("prefix", "day", "last_value")))


def post(world, who, path, body, key=None):
    headers = {"Idempotency-Key": key} if key else {}
    return world.client(who).post(f"/api/v1/dossiers{path}", body, content_type="application/json", headers=headers)


def test_an_idempotent_replay_answers_200_with_the_first_dossier_and_writes_nothing(world):
    first = post(world, "citizen", "", submit_body(world), "lan-1")
    assert first.status_code == 201
    before = written()
    again = post(world, "citizen", "", submit_body(world), "lan-1")
    assert again.status_code == 200 and again.json() == first.json()
    assert written() == before


def test_a_twin_the_locking_statement_did_not_see_is_found_after_the_unique_violation(world, monkeypatch):
    """The account's lock and the earlier attempt are one statement, which reads the dossiers as they were when it
    started: a twin that committed while it waited for the lock is missed. The new row then breaks the unique
    (submitted_by, idempotency_key) constraint; the savepoint undoes this attempt (its code number too) and the
    twin is answered."""
    first = post(world, "citizen", "", submit_body(world), "lan-2")
    assert first.status_code == 201
    before = written()
    monkeypatch.setattr(intake_reads, "lock_submitter", lambda account_pk, key, agency: None)  # as if it waited for the twin
    again = post(world, "citizen", "", submit_body(world), "lan-2")
    assert again.status_code == 200 and again.json()["code"] == first.json()["code"]
    assert written() == before
    # ... and the transaction is still usable: the next submission takes the next code number.
    nxt = post(world, "citizen", "", submit_body(world), "lan-3")
    assert nxt.status_code == 201
    assert int(nxt.json()["code"].rsplit("-", 1)[1]) == int(first.json()["code"].rsplit("-", 1)[1]) + 1


@pytest.mark.parametrize("path", ["", "/counter"])
def test_unknown_or_inactive_procedure_or_agency_keeps_its_error(world, path):
    who = "citizen" if path == "" else "counter"
    extra = {} if path == "" else {"applicant": COUNTER_APPLICANT}
    before = written()

    def refused(**codes):
        r = post(world, who, path, submit_body(world, **extra, **codes), "loi-1")
        assert r.status_code == 422, r.content
        return r.json()

    # The procedure is checked first.
    body = refused(procedure_code="9.999999", agency_code="KHONG.CO")
    assert body == {"code": "procedure_not_found", "message": "Không có thủ tục mã “9.999999” đang áp dụng."}
    body = refused(agency_code="KHONG.CO")
    assert body == {"code": "agency_not_found", "message": "Không có cơ quan mã “KHONG.CO”.",
                    "details": {"field": "agency_code"}}
    world.agency.is_active = False
    world.agency.save()
    assert refused()["code"] == "agency_not_found"
    world.procedure.is_active = False
    world.procedure.save()
    assert refused()["code"] == "procedure_not_found"
    assert written() == before


def test_the_offering_rules_answer_as_before(world):
    """What the one read counts feeds the same rules (intake._check_offered): an agency the procedure does not name
    does not receive it; a procedure that names none goes by its kind of agency; online only where offered."""
    stranger = AgencyFactory(code="H55.199", kind="provincial_department")
    r = post(world, "citizen", "", submit_body(world, agency_code=stranger.code))
    assert r.status_code == 422 and r.json()["code"] == "agency_not_offering"
    world.procedure.agencies.clear()
    r = post(world, "citizen", "", submit_body(world, agency_code=stranger.code))
    assert r.status_code == 422 and r.json()["code"] == "agency_not_offering"
    assert post(world, "citizen", "", submit_body(world, agency_code=world.other_agency.code)).status_code == 201
    world.procedure.online_level = "none"
    world.procedure.save()
    r = post(world, "citizen", "", submit_body(world))
    assert r.status_code == 422 and r.json()["code"] == "procedure_not_online"
    assert post(world, "counter", "/counter", submit_body(world, applicant=COUNTER_APPLICANT)).status_code == 201


def test_the_inserted_dossier_is_what_the_database_holds(world):
    """The new row is inserted by store.insert, not by Model.save: the instance returned must look saved and hold
    exactly what was written (the answer and the outbox payload are built from it)."""
    d = lifecycle.submit_online(applicant=world.users["citizen"], procedure=world.procedure, agency=world.agency,
                                applicant_data={"name": "Trần Thị Dân", "phone": "0912345678"},
                                form_data={"ho_ten_tre": "Trần Minh An", "so": 1}, idempotency_key="ghi-1")
    assert d.pk is not None and not d._state.adding and d._state.db == "default"
    row = Dossier.objects.get(pk=d.pk)
    for f in Dossier._meta.concrete_fields:
        assert getattr(d, f.attname) == getattr(row, f.attname), f.attname
    assert d.version == 1 and d.created_at is not None
    event = DossierEvent.objects.get(dossier=d)
    assert OutboxEvent.objects.get(aggregate_id=str(d.pk)).payload["event_id"] == event.pk


def test_a_walk_in_reception_writes_its_row_once_and_reads_back_as_received(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        r = post(world, "counter", "/counter", submit_body(world, applicant=COUNTER_APPLICANT), "quay-1")
    assert r.status_code == 201
    dossier_writes = [q["sql"] for q in ctx.captured_queries
                      if 'INSERT INTO "dossiers_dossier" ' in q["sql"] or 'UPDATE "dossiers_dossier" SET' in q["sql"]]
    # The INSERT, then only the columns the commit changes (in its one write statement on PostgreSQL).
    assert len(dossier_writes) == 2 and dossier_writes[0].lstrip().startswith('INSERT INTO "dossiers_dossier" ')
    assert '"status"' not in dossier_writes[1].split("SET", 1)[1].split("WHERE", 1)[0]
    d = Dossier.objects.get(code=r.json()["code"])
    event = d.events.get()
    assert (d.status, d.version, d.last_event_at, d.received_at) == ("received", 1, event.at, event.at)
    assert d.slips.filter(kind="receipt").count() == 1 and event.action == "receive_at_counter"


def test_an_agency_whose_merger_is_recorded_ahead_is_checked_without_reading_the_unit_it_merges_into(world):
    """Until its last day the agency receives: the check each submission makes asks the dates its one read brought,
    not the name of the unit it will merge into, read only for the refusal's sentence from the day after."""
    unit, into = world.agency.admin_unit, world.other_agency.admin_unit
    today = timezone.localdate()
    unit.valid_to, unit.replaced_by = today + dt.timedelta(days=10), into
    unit.save()
    _, agency = intake_reads.procedure_and_agency(world.procedure.code, world.agency.code)
    with CaptureQueriesContext(connection) as done:
        assert receiving.refusal(agency, today) is None and receiving.refusal(agency, unit.valid_to) is None
    assert len(done) == 0
    merged = unit.valid_to + dt.timedelta(days=1)
    refused = receiving.refusal(agency, merged)
    assert (refused.code, refused.message) == (
        "agency_merged", f"{unit.name} đã sáp nhập vào {into.name} từ ngày {merged:%d/%m/%Y}, vui lòng nộp tại "
                         f"{world.other_agency.name}.")
    assert post(world, "citizen", "", submit_body(world), "sap-nhap-sau").status_code == 201
