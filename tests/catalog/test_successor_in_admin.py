"""A department an administrator merges into another in the Django admin («đang hoạt động» unticked, «cơ quan kế
thừa» chosen: no reorganization plan) hands its procedures and process steps to that successor, as a merger's plan
does (catalog/reorganization.py ``SuccessorReceives``, units.succession): citizens and counters file its procedures
there (the national portal sends them there), the old department is no longer listed, its past figures keep them."""

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from motcua.audit.models import AuditEntry
from motcua.catalog.models import ProcessStep
from motcua.catalog.reorganization import offered_as_of
from motcua.core.errors import ValidationFailed
from motcua.dossiers import lifecycle
from motcua.dossiers.models import Status
from motcua.units.models import AdministrativeUnit, Agency
from motcua.units.succession import Follower, followers
from tests.admin_forms import admin_form, errors_of
from tests.dossiers.factories import APPLICANT
from tests.factories import AdministrativeUnitFactory, AgencyFactory, citizen, officer, procedure_with_steps, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    sign_in(client, django_user_model.objects.create_superuser("quantri", "qt@example.vn", "matkhau-123"))
    return client


def _departments():
    province = AdministrativeUnitFactory(code="55", name="Tỉnh Thử Nghiệm", level=AdministrativeUnit.PROVINCE)
    return [AgencyFactory(code=f"H55.0{n}", name=f"Sở Thử Nghiệm {n}", kind=Agency.PROVINCIAL_DEPARTMENT,
                          admin_unit=province) for n in (2, 3, 4)]


def _procedure(*agencies, **kwargs):
    proc = procedure_with_steps(agency_kind=Agency.PROVINCIAL_DEPARTMENT, level="province", **kwargs)
    proc.agencies.add(*agencies)
    return proc


def _record_successor(client, old, new):
    url = f"/admin/units/agency/{old.pk}/change/"
    answer = client.post(url, admin_form(client, url, successor=str(new.pk), is_active=""), follow=True)
    assert answer.status_code == 200 and not errors_of(answer)
    return [str(m) for m in get_messages(answer.wsgi_request)]


def _submit(person, procedure, agency):
    return lifecycle.submit_online(applicant=person, procedure=procedure, agency=agency, applicant_data=APPLICANT,
                                   form_data={})


def test_the_successor_receives_the_procedures_of_a_department_merged_in_the_admin(admin_client):
    old, new, other = _departments()
    only_old = _procedure(old, name="Cấp giấy phép thử nghiệm")
    both = _procedure(old, new, name="Gia hạn giấy phép thử nghiệm")  # a collision: the successor already has it
    theirs = _procedure(other, name="Thủ tục liên thông thử nghiệm")
    step = ProcessStep.objects.create(procedure=theirs, order=3, name="Thẩm định của sở", role="specialist",
                                      duration_days=2, agency=old)
    person, counter = citizen(username="congdan"), officer("counter_officer", new, username="motcua.so3")
    with pytest.raises(ValidationFailed) as refused:  # before: the portal would send citizens where intake refuses
        _submit(person, only_old, new)
    assert refused.value.code == "agency_not_offering"
    before = timezone.now()

    said = _record_successor(admin_client, old, new)

    assert (f"Danh mục: 2 thủ tục của {old.name} chuyển cho {new.name} tiếp nhận (1 thủ tục {new.name} đã tiếp nhận "
            f"trước); 1 bước xử lý liên thông do {old.name} thực hiện chuyển cho {new.name}.") in said
    assert list(only_old.agencies.all()) == [new] and list(both.agencies.all()) == [new]  # the old one not listed
    assert list(theirs.agencies.all()) == [other]
    step.refresh_from_db()
    assert step.agency == new
    assert _submit(person, only_old, new).status == Status.SUBMITTED
    walk_in = lifecycle.receive_at_counter(officer=counter, procedure=both, agency=new, applicant_data=APPLICANT,
                                           form_data={})
    assert walk_in.agency == new
    entries = AuditEntry.objects.filter(action="catalog.procedure_reassigned").order_by("data__code")
    assert [(e.data["code"], e.data["from"], e.data["to"], e.data["already_offered"]) for e in entries] == sorted(
        [(only_old.code, [old.code], new.code, False), (both.code, [old.code], new.code, True)])
    assert AuditEntry.objects.filter(action="catalog.process_step_reassigned", object_id=str(step.pk)).exists()
    # the departments' past periods (Decision 766 procedures in scope) read the catalog as it was
    assert offered_as_of([old.code], before) == {only_old.code, both.code}
    assert offered_as_of([new.code], before) == {both.code}
    assert offered_as_of([old.code], timezone.now()) == set()

    # saving the department again moves nothing twice, says nothing of the catalog
    url = f"/admin/units/agency/{old.pk}/change/"
    answer = admin_client.post(url, admin_form(admin_client, url, phone="0255 3822 111"), follow=True)
    assert not errors_of(answer)
    assert not [m for m in get_messages(answer.wsgi_request) if str(m).startswith("Danh mục")]
    assert AuditEntry.objects.filter(action="catalog.procedure_reassigned").count() == 2


def test_a_failing_follower_leaves_the_catalog_as_it_was(admin_client):
    old, new, _ = _departments()
    proc = _procedure(old)

    class Fails(Follower):
        order = 99

        def follow(self, actor, agency, successor, on):
            raise RuntimeError("hỏng")

    url = f"/admin/units/agency/{old.pk}/change/"
    with followers.replaced("tests.fails", Fails), pytest.raises(RuntimeError):
        admin_client.post(url, admin_form(admin_client, url, successor=str(new.pk), is_active=""))
    assert list(proc.agencies.all()) == [old]
    assert not AuditEntry.objects.filter(action="catalog.procedure_reassigned").exists()
    old.refresh_from_db()
    assert (old.successor_id, old.is_active) == (None, True)

