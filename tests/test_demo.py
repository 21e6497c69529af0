from io import StringIO

import pytest
from django.core.management import call_command

from motcua.accounts.models import RoleAssignment, User
from motcua.catalog.models import Procedure
from motcua.documents.models import ResultTemplate
from motcua.dossiers.models import Dossier, DossierEvent, Status
from motcua.engagement.models import Feedback
from motcua.transformation.models import Plan, ReportingRound, RoundResponse, Target, Task
from motcua.transformation.services.budget import plan_table
from motcua.units.models import AdministrativeUnit, Agency


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
    assert open_round.responses.count() == Agency.objects.filter(
        is_active=True, kind__in=[Agency.COMMUNE_COMMITTEE, Agency.PROVINCIAL_DEPARTMENT]).count()
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
