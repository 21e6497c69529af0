import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from motcua.accounts.models import RoleAssignment, User
from motcua.catalog.models import Procedure
from motcua.documents.digitization_flags import is_digitized
from motcua.documents.models import AttachmentKind, DigitizationJob, DigitizationKind, JobStatus, ResultTemplate
from motcua.dossiers.models import Channel, Dossier, DossierEvent, Status
from motcua.engagement.models import Feedback
from motcua.reporting import consumer, decision766
from motcua.transformation.models import Plan, ReportingRound, RoundResponse, Target, Task
from motcua.transformation.services.budget import plan_table
from motcua.units.models import AdministrativeUnit, Agency
from motcua.units.receiving import receiving_on


def counts():
    return (AdministrativeUnit.objects.count(), Agency.objects.count(), Procedure.objects.count(),
            User.objects.count(), RoleAssignment.objects.count(), Dossier.objects.count(),
            DossierEvent.objects.count(), Plan.objects.count(), Task.objects.count(), Target.objects.count(),
            ReportingRound.objects.count(), RoundResponse.objects.count(), ResultTemplate.objects.count())


@pytest.mark.django_db(transaction=False)
def test_setup_demo_twice(client, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")  # the demo result templates are stored files
    out = StringIO()
    call_command("setup_demo", "--dossiers", "25", stdout=out)
    text = out.getvalue()
    province = AdministrativeUnit.objects.get(code="51")
    assert AdministrativeUnit.objects.filter(parent=province).count() == 96
    assert Agency.objects.filter(kind=Agency.COMMUNE_COMMITTEE).count() == 96
    assert Procedure.objects.filter(is_sample=True).count() >= 30
    # demo dossiers went through the lifecycle: codes prefixed by the receiving agency, events recorded
    demo = Dossier.objects.filter(idempotency_key__startswith="demo-")
    assert 20 <= demo.count() <= 25
    assert all(d.code.startswith(d.agency.code + "-") for d in demo.select_related("agency"))
    assert demo.filter(status=Status.RETURNED).exists()
    assert demo.exclude(status__in=[Status.RETURNED, Status.REFUSED, Status.REJECTED, Status.WITHDRAWN]).exists()
    returned = demo.filter(status=Status.RETURNED).first()
    assert returned.events.get(from_status=Status.READY_FOR_RETURN, to_status=Status.RETURNED).action == "return_result"
    # officers act in office hours: what they did is timed in a working session (a citizen may submit at night)
    from motcua.core import calendar

    acted = DossierEvent.objects.filter(dossier__in=demo, action__in=[
        "receive", "refuse", "request_supplement", "start_processing", "complete_step", "approve", "sign_result",
        "return_result", "issue_apology"]).values_list("action", "at")
    acted = [*acted, *DossierEvent.objects.filter(  # scans and results filed by an officer (a citizen's: any hour)
        dossier__in=demo, action__in=["digitized", "data_linked"], actor__role_assignments__isnull=False)
        .values_list("action", "at")]
    minute = dt.timedelta(minutes=1)
    assert acted and [(action, timezone.localtime(at)) for action, at in acted  # a session's first minute or its last
                      if calendar.working_time_between(at, at + minute) + calendar.working_time_between(at - minute, at)
                      == dt.timedelta(0)] == []
    assert "congdan123" in text and "admin123" in text
    # feedback of the last weeks, one answered and published (by a leader: a counter officer may not publish)
    assert "Phản ánh, kiến nghị mẫu: 6." in text and Feedback.objects.exclude(published_at=None).count() == 1
    # digital transformation: the province's plan (approved) and the demo ward's under it, through the import
    province_plan = Plan.objects.get(agency__code="H51", kind=Plan.PLAN)
    assert province_plan.is_approved and province_plan.tasks.count() == 4
    assert plan_table(province_plan).planned_vnd == 3_800_000_000
    ward_plan = Plan.objects.get(parent=province_plan)
    assert ward_plan.agency.admin_unit.code == "21025" and not ward_plan.is_approved
    assert plan_table(ward_plan).planned_vnd == 260_000_000
    assert {t.measure for t in Target.objects.filter(plan=ward_plan)} == {"online_rate", "people_trained"}
    open_round = ReportingRound.objects.get(status=ReportingRound.OPEN)
    assert open_round.responses.count() == Agency.objects.filter(  # the units receiving today (units.receiving)
        receiving_on(timezone.localdate()), kind__in=[Agency.COMMUNE_COMMITTEE, Agency.PROVINCIAL_DEPARTMENT]).count()
    assert "Chuyển đổi số: kế hoạch của" in text
    # result templates (.docx written at set-up) for demo procedures, each with the applicant's merge field
    assert "Mẫu kết quả (.docx) của thủ tục mẫu: thêm 3." in text
    tpl = ResultTemplate.objects.get(procedure__code="1.004873")
    assert tpl.file.content_type.endswith("wordprocessingml.document") and b"applicant_name" in _document_xml(tpl)
    first = counts()

    call_command("setup_demo", "--dossiers", "25", stdout=StringIO())
    assert counts() == first

    for username, password in [("congdan", "congdan123"), ("motcua.xa", "motcua123"), ("lanhdao", "lanhdao123"),
                               ("admin", "admin123"), ("thanhtra", "thanhtra123")]:
        assert client.login(username=username, password=password), username
        client.logout()
    assert not client.login(username="admin", password="sai-mat-khau")
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.role_assignments.filter(role="provincial_admin", agency=None).exists()
    officer = User.objects.get(username="motcua.tinh")
    assert officer.role_assignments.get().agency.code == "H51.01"


def _document_xml(tpl) -> bytes:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(tpl.file.read())) as z:
        return z.read("word/document.xml")


@pytest.mark.django_db(transaction=False)
def test_the_demo_digitization_has_its_scans_behind_it(settings, tmp_path, django_capture_on_commit_callbacks):
    """What a monitor checking the demo's digitization would look for: every paper dossier counted as digitized at
    receipt has a confirmed scan of each required component, every paper result counted as digitized a confirmed scan
    of the result — the flags are what the scans show, not a draw — and the Decision 766 indicators 4.1 and 4.2 that
    the demo shows are about the shares it means (six walk-in dossiers in ten scanned, three paper results in four).
    The scans, their OCR jobs and the digitized copies belong to the dossiers' history (after the reception or the
    decision, before the confirmation), and no OCR task is left queued for a worker that will find nothing to do."""
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from motcua.documents import digitization

    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # the installation's: tasks kept
    with django_capture_on_commit_callbacks(execute=True):  # what setup_demo's commit sets off
        call_command("setup_demo", "--dossiers", "25", stdout=StringIO())
    assert not DBTaskResult.objects.filter(task_path=digitization.digitize.module_path,
                                           status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]).exists()
    jobs = DigitizationJob.objects.select_related("dossier", "output").prefetch_related("sources")
    assert jobs and all(j.status == JobStatus.CONFIRMED for j in jobs)
    for job in jobs:
        began = job.dossier.received_at if job.kind == DigitizationKind.RECEIPT else job.dossier.decided_at
        scanned = [a.uploaded_at for a in job.sources.all()]
        assert began <= min(scanned) and job.created_at <= job.started_at <= job.finished_at, job
        assert max(*scanned, job.created_at, job.finished_at, job.output.uploaded_at) <= job.confirmed_at, job
    demo = list(Dossier.objects.filter(idempotency_key__startswith="demo-").select_related("procedure"))
    confirmed = DigitizationJob.objects.filter(status=JobStatus.CONFIRMED).prefetch_related("sources")

    def scans(dossier, kind) -> dict:
        """The confirmed jobs of one kind, by component, each with its scans (stored images) and what was confirmed."""
        found = {}
        for job in confirmed.filter(dossier=dossier, kind=kind):
            sources = list(job.sources.all())
            assert sources and all(a.kind == AttachmentKind.SCAN and a.content_type.startswith("image/")
                                   and a.read() for a in sources), job
            assert job.output_id and job.confirmed_by_id and job.confirmed_fields["id_number"] == dossier.applicant_id_number
            found[job.component_id] = job
        return found

    walk_in = [d for d in demo if d.channel != Channel.ONLINE]
    for d in walk_in:
        required = {c.pk for c in d.procedure.components.all() if c.is_required}
        covered = set(scans(d, DigitizationKind.RECEIPT))
        assert d.digitized_at_receipt == bool(covered and required <= covered), d.code
        assert d.digitized_at_receipt == is_digitized(d, DigitizationKind.RECEIPT), d.code
    signed = [d for d in demo if d.status in (Status.READY_FOR_RETURN, Status.RETURNED)]
    paper = [d for d in signed if not d.result_electronic]
    for d in paper:
        assert d.result_digitized == bool(scans(d, DigitizationKind.RESULT)), d.code
    assert all(d.result_electronic == (d.procedure.result_type != "paper") for d in signed)
    digitized_walk_in = sum(d.digitized_at_receipt for d in walk_in)
    scanned_results = sum(d.result_digitized for d in paper)
    assert 0.4 <= digitized_walk_in / len(walk_in) <= 0.9, (digitized_walk_in, len(walk_in))
    assert paper and 0.5 <= scanned_results / len(paper) <= 1, (scanned_results, len(paper))

    consumer.consume()
    today = timezone.localdate()
    scores = {i["code"]: i for g in decision766.evaluate(today - dt.timedelta(days=90), today)["groups"]
              for i in g["indicators"]}
    resolved = scores["4.1"]["denominator"]
    electronic = sum(d.result_electronic for d in demo if d.decided_at)
    fully = sum(d.digitized_at_receipt and d.result_digitized for d in demo if d.decided_at)
    assert (scores["4.1"]["numerator"], scores["4.2"]["numerator"]) == (electronic, fully)
    assert resolved and 0.5 <= electronic / resolved and 0.4 <= fully / resolved <= 0.9, (electronic, fully, resolved)


@pytest.mark.django_db
def test_a_demo_database_made_anew_does_not_inherit_the_old_ones_anchors(settings):
    """Deleting var/motcua.sqlite3 and running `make demo` again left var/audit-anchors of the old database:
    verify_audit then called the new chain rewritten from its first entry. setup_demo moves such anchors aside
    (while the audit log is empty, in demo mode only), so the new demo verifies; outside demo mode an emptied log
    beside its anchors stays a failure."""
    from django.core.management import CommandError

    from motcua.audit import anchors
    from motcua.audit.models import ChainerState
    from motcua.demo.management.commands.setup_demo import set_aside_earlier_anchors
    from tests.audit.test_audit import chain, raw

    chain(3)
    call_command("anchor_audit")
    raw("DELETE FROM audit_auditentry")  # what a new database file holds: no entry yet, no chain head
    ChainerState.objects.all().delete()
    old = anchors.anchor_path().read_text()

    settings.MOTCUA_DEMO = False
    assert set_aside_earlier_anchors() is None
    with pytest.raises(CommandError, match="không còn trong cơ sở dữ liệu"):
        call_command("verify_audit")

    settings.MOTCUA_DEMO = True
    aside = set_aside_earlier_anchors()
    assert aside.parent == anchors.anchor_path().parent and aside.read_text() == old  # kept, not deleted
    assert not anchors.anchor_path().exists()
    chain(2)
    call_command("anchor_audit")
    assert set_aside_earlier_anchors() is None  # the new database's own anchors stay where they are
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert "toàn vẹn" in out.getvalue()
