"""SQL statements per lifecycle transition over the API stay within budget (a count, not a timing).

Each transition is one HTTP call: token look-up, the locking statement (which also reads the last event and
the caller's role assignments), the transition's own writes, the dossier row + event + outbox event (one statement on
PostgreSQL: dossiers/lifecycle/store.py), the audit entry (one insert; the chainer
links it later), BEGIN/COMMIT, and the allowed actions of the answer.
The submission (with an Idempotency-Key): the procedure, its field, the agency and whether the agency receives the
procedure (one read), the account's lock with the earlier attempt's id (one statement), the day's code number, the
dossier's INSERT, the event + outbox event + audit entry (one statement), and the savepoint around the creation.
A change that adds a statement to this hot path makes these tests fail; raise a budget only on purpose.
"""

import datetime as dt
import io
import json
import re
import uuid

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from motcua.audit.models import AuditEntry
from motcua.audit.services import verify_chain
from motcua.dossiers.models import Dossier, DossierEvent, Status
from motcua.outbox.models import OutboxEvent

# Statements per call on PostgreSQL, measured with a warm token (its last_used_at written at most once a
# minute): the row update, event, outbox event and audit entry are one statement, the process steps and the open
# step run come with the locking read; the submission's 7 are listed above (BEGIN/COMMIT come from the test's
# transaction here). SQLite reads the chain's head for the audit entry (one more) and writes the dossier row, the
# event, the outbox event and the audit entry one by one (three more; two for the submission, whose row is
# inserted on its own). Receiving reads, in one statement, whether the dossier's files (a paper dossier's
# scans) are there; signing reads, in one statement each, whether a signed result file is on the dossier and whether
# the result's scan was confirmed: the flags are what the documents show, not what the caller says
# (documents.digitization_flags.receipt_digitized, result_electronic, result_digitized).
BUDGET = {
    "submit": 7, "receive": 6, "start-processing": 5, "complete-step": 6,
    "approve": 5, "sign-result": 6, "return": 4,
}


@pytest.fixture
def bench(db):
    out = io.StringIO()
    call_command("bench_setup", citizens=1, steps=2, stdout=out)
    return json.loads(out.getvalue())


def _submission(bench) -> dict:
    return {"procedure_code": bench["procedure_code"], "agency_code": bench["agency_code"],
            "applicant": {"name": "Nguyễn Văn Đo"}, "form_data": {"noi_dung": "đo"}}


def _lifecycle(bench, counts=None):
    client = Client()
    auth = {r: {"HTTP_AUTHORIZATION": f"Bearer {bench[r]}"} for r in ("counter", "specialist", "leader")}

    def call(action, path, headers, body):
        with CaptureQueriesContext(connection) as ctx:
            r = client.post(path, data=json.dumps(body), content_type="application/json", **headers)
        assert r.status_code in (200, 201), (action, r.content)
        if counts is not None:
            counts[action] = len(ctx.captured_queries)
        return r.json()

    citizen = {"HTTP_AUTHORIZATION": f"Bearer {bench['citizens'][0]}", "HTTP_IDEMPOTENCY_KEY": uuid.uuid4().hex}
    d = call("submit", "/api/v1/dossiers", citizen, _submission(bench))
    base = f"/api/v1/dossiers/{d['code']}"
    last = None
    for action, who, body in [("receive", "counter", {"digitized": True}), ("start-processing", "counter", {}),
                              ("complete-step", "specialist", {"note": "xong"}), ("approve", "leader", {}),
                              ("sign-result", "leader", {}), ("return", "counter", {"method": "counter"})]:
        last = call(action, f"{base}/{action}", auth[who], body)
    return d["code"], last


def test_each_transition_stays_within_its_statement_budget(bench):
    _lifecycle(bench)  # warm-up: first use of each token writes its last_used_at
    counts = {}
    code, last = _lifecycle(bench, counts)
    budget = dict(BUDGET)
    if connection.vendor != "postgresql":
        budget = {k: v + (3 if k == "submit" else 4) for k, v in budget.items()}
    over = {a: (counts[a], budget[a]) for a in budget if counts[a] > budget[a]}
    assert not over, f"statements per call above budget (got, budget): {over}; all: {counts}"
    # ... and the calls still did everything a transition must do.
    assert last["status"] == Status.RETURNED and last["allowed_actions"] == []
    dossier = Dossier.objects.get(code=code)
    assert dossier.version == 7 and dossier.events.count() == 7
    assert OutboxEvent.objects.filter(aggregate_id=str(dossier.pk)).count() == 7
    assert AuditEntry.objects.filter(object_type="dossier", object_id=str(dossier.pk)).count() == 7
    assert verify_chain().ok


def test_an_action_on_someone_elses_dossier_is_not_found_and_writes_nothing(bench):
    code, _ = _lifecycle(bench)
    dossier = Dossier.objects.get(code=code)
    before = (AuditEntry.objects.count(), OutboxEvent.objects.count(), dossier.version)
    # Another citizen cannot even see it: 404 with the code in the message, and nothing written.
    out = io.StringIO()
    call_command("bench_setup", citizens=2, steps=2, stdout=out)
    other = json.loads(out.getvalue())["citizens"][1]
    r = Client().post(f"/api/v1/dossiers/{code}/withdraw", data=json.dumps({"reason": "thử"}),
                      content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {other}")
    assert r.status_code == 404 and r.json()["code"] == "dossier_not_found" and code in r.json()["message"]
    dossier.refresh_from_db()
    assert (AuditEntry.objects.count(), OutboxEvent.objects.count(), dossier.version) == before


def test_the_lifecycle_locking_statement_loads_what_the_orm_loads(bench):
    from django.db import transaction

    from motcua.accounts import permissions
    from motcua.accounts.models import RoleAssignment, User
    from motcua.dossiers import lifecycle
    from motcua.dossiers.lifecycle.commit import lock, lock_queryset
    from motcua.units.models import Agency

    code, _ = _lifecycle(bench)
    leader = User.objects.get(username="bench_leader")
    with transaction.atomic():
        fast = lock(lifecycle.DossierRef(code), leader)
        again = lock(fast.pk)  # the statement by primary key
        plain = lock_queryset().get(code=code)
    for d in (fast, again):
        # the agencies' units come with it: a moved appointment's bound reads them with no statement of its own
        assert all(Agency.admin_unit.is_cached(a) for a in (d.agency, d.current_agency))
        for f in Dossier._meta.concrete_fields:
            assert getattr(d, f.attname) == getattr(plain, f.attname), f.attname
        for path in ("procedure", "procedure.field", "agency", "agency.admin_unit", "current_agency",
                     "current_agency.admin_unit"):
            mine, orm = d, plain
            for name in path.split("."):
                mine, orm = getattr(mine, name), getattr(orm, name)
            assert {f.attname: getattr(mine, f.attname) for f in orm._meta.concrete_fields} == \
                {f.attname: getattr(orm, f.attname) for f in orm._meta.concrete_fields}, path
        assert d.current_step is None and not d._state.adding  # returned: no step open
        latest = d.events.order_by("-at").values_list("at", flat=True).first()
        assert latest is not None and d.last_event_at == latest  # the row carries its latest event's time
    # The leader's role assignments came with the locking statement, as the ORM reads them.
    assert permissions.roles_known(leader)
    assert [(r.pk, r.user_id, r.role, r.agency_id, r.department_id) for r in permissions.roles_of(leader)] == \
        list(RoleAssignment.objects.filter(user=leader).values_list("pk", "user_id", "role", "agency_id",
                                                                    "department_id"))
    assert permissions.has_role(leader, "leader", fast.agency)
    with transaction.atomic(), pytest.raises(Exception) as e:
        lock(lifecycle.DossierRef("KHONG-CO"))
    assert getattr(e.value, "code", None) == "dossier_not_found"


def test_the_process_reads_of_the_locking_statement_equal_the_orm(bench):
    """What start-processing, complete-step, approve and resume read with the row lock (the procedure's steps, the
    open step run) is what the ORM reads: same values and types (decimal durations, aware times)."""
    from django.db import transaction

    from motcua.dossiers import lifecycle
    from motcua.dossiers.lifecycle.commit import lock
    from motcua.dossiers.models import StepRun

    client = Client()
    citizen = {"HTTP_AUTHORIZATION": f"Bearer {bench['citizens'][0]}"}
    counter = {"HTTP_AUTHORIZATION": f"Bearer {bench['counter']}"}
    r = client.post("/api/v1/dossiers", data=json.dumps(_submission(bench)), content_type="application/json",
                    **citizen)
    code = r.json()["code"]
    for action in ("receive", "start-processing"):
        assert client.post(f"/api/v1/dossiers/{code}/{action}", data="{}", content_type="application/json",
                           **counter).status_code == 200
    with transaction.atomic():
        d = lock(lifecycle.DossierRef(code), None, ("steps", "open_run"))
    orm_steps = list(d.procedure.steps.order_by("order"))
    assert len(orm_steps) == 2 and [s.pk for s in d._lifecycle_steps] == [s.pk for s in orm_steps]
    for mine, orm in zip(d._lifecycle_steps, orm_steps, strict=True):
        for f in orm._meta.concrete_fields:
            assert (getattr(mine, f.attname), type(getattr(mine, f.attname))) == \
                (getattr(orm, f.attname), type(getattr(orm, f.attname))), f.attname
    assert d.procedure._lifecycle_last_step_pk == orm_steps[-1].pk
    orm_run = StepRun.objects.get(dossier=d, finished_at__isnull=True)
    run = d._lifecycle_open_run
    for f in StepRun._meta.concrete_fields:
        assert getattr(run, f.attname) == getattr(orm_run, f.attname), f.attname
    assert run.due_at.tzinfo is not None and run.due_at > run.started_at
    # With no open run (after returning the result), the statement says so.
    with transaction.atomic():
        StepRun.objects.filter(dossier=d).update(finished_at=run.started_at)
        assert lock(d.pk, None, ("open_run",))._lifecycle_open_run is None


def test_the_submission_read_loads_what_the_orm_loads(bench):
    """The one statement that finds a submission's procedure (with its field) and agency by code, and counts the
    agencies the procedure names (intake_reads.procedure_and_agency), loads what the ORM loads: same values, same types."""
    from django.db.models import Count, Q

    from motcua.catalog.models import Procedure
    from motcua.dossiers import lifecycle
    from motcua.units.models import Agency

    def same(mine, orm):
        assert mine is not None and type(mine) is type(orm) and not mine._state.adding
        for f in orm._meta.concrete_fields:
            assert (getattr(mine, f.attname), type(getattr(mine, f.attname))) == \
                (getattr(orm, f.attname), type(getattr(orm, f.attname))), (type(orm).__name__, f.attname)

    def offered(proc, agency):
        counts = proc.agencies.through.objects.filter(procedure_id=proc.pk).aggregate(
            named=Count("pk"), this=Count("pk", filter=Q(agency_id=agency.pk)))
        return agency.pk, counts["named"], counts["this"]

    orm_proc = Procedure.objects.select_related("field").get(code=bench["procedure_code"])
    orm_proc.announced_on = orm_proc.legal_effective_on = dt.date(2025, 7, 1)  # dates and JSON read back too
    orm_proc.form_schema = [{"name": "noi_dung", "label": "Nội dung", "required": True}]
    orm_proc.fee_online_vnd = 12_000
    orm_proc.save()
    orm_agency = Agency.objects.get(code=bench["agency_code"])
    other = Agency.objects.create(code="BENCH.KHAC", name="Cơ quan khác", kind=Agency.VERTICAL,
                                  admin_unit_id=orm_agency.admin_unit_id, is_active=False)
    with CaptureQueriesContext(connection) as ctx:
        proc, agency = lifecycle.procedure_and_agency(bench["procedure_code"], bench["agency_code"])
        assert proc.field.code == orm_proc.field.code  # the field came with it
    assert len(ctx.captured_queries) == 1
    same(proc, Procedure.objects.get(pk=orm_proc.pk))
    same(proc.field, orm_proc.field)
    same(agency, orm_agency)
    assert proc._lifecycle_offered == offered(orm_proc, orm_agency) == (orm_agency.pk, 1, 1)
    # Inactive rows come back as they are (the caller says what "not found" means); so do the counts for an agency
    # the procedure does not name.
    proc, agency = lifecycle.procedure_and_agency(bench["procedure_code"], other.code)
    same(agency, other)
    assert proc._lifecycle_offered == offered(orm_proc, other) == (other.pk, 1, 0)
    proc, agency = lifecycle.procedure_and_agency(bench["procedure_code"], "KHONG-CO")
    assert agency is None and not hasattr(proc, "_lifecycle_offered")
    assert lifecycle.procedure_and_agency("KHONG-CO", bench["agency_code"])[0] is None
    assert lifecycle.procedure_and_agency("KHONG-CO", "KHONG-CO") == (None, None)


def test_the_dossier_table_carries_only_indexes_a_query_uses(db):
    """Every transition writes each index of the dossier table (a status change is never a HOT update): no
    LIKE-prefix index besides the one PostgreSQL needs for the unique code, and no single-column index on a
    column that already leads a composite index (the composite serves its look-ups)."""
    if connection.vendor != "postgresql":
        pytest.skip("the LIKE-prefix indexes and this catalogue are PostgreSQL's")
    with connection.cursor() as cur:
        cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [Dossier._meta.db_table])
        indexes = {name: definition for name, definition in cur.fetchall()}
    assert [n for n, d in indexes.items() if "pattern_ops" in d] == ["dossiers_dossier_code_6d68c351_like"]
    columns = {n: [c.strip().strip('"') for c in re.search(r"\((.*)\)", d).group(1).split(",")]
               for n, d in indexes.items() if "UNIQUE" not in d and "pattern_ops" not in d}
    leading = {cols[0] for cols in columns.values() if len(cols) > 1}
    unique_leading = {re.search(r"\((.*)\)", d).group(1).split(",")[0].strip().strip('"')
                      for d in indexes.values() if "UNIQUE" in d}
    doubled = {n: cols[0] for n, cols in columns.items() if len(cols) == 1 and cols[0] in leading | unique_leading}
    assert not doubled, f"single-column indexes that a composite or unique index already covers: {doubled}"
    # The other rows every transition inserts: its event, outbox event and audit entry.
    with connection.cursor() as cur:
        cur.execute("SELECT indexname FROM pg_indexes WHERE tablename = ANY(%s) AND indexdef LIKE %s",
                    [[DossierEvent._meta.db_table, OutboxEvent._meta.db_table, AuditEntry._meta.db_table],
                     "%pattern_ops%"])
        assert cur.fetchall() == []
