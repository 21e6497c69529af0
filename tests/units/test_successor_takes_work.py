"""A department an administrator merges into another in the Django admin («đang hoạt động» unticked, «cơ quan kế
thừa» chosen: no reorganization plan) hands its open dossiers, open feedback and officers' roles to the successor, as
a merger's plan moves them (units.succession followers of dossiers, engagement and accounts): nothing stays stranded
at an agency that no longer works."""


import datetime as dt

import lxml.html
import pytest
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.utils import timezone

from motcua.accounts.models import Role, RoleAssignment
from motcua.dossiers import lifecycle
from motcua.dossiers.models import DossierEvent, Status
from motcua.engagement import feedback as feedback_services
from motcua.integrations.adapters.notify import SmsAdapter
from motcua.integrations.messages import email_message, sms_text
from motcua.outbox.models import OutboxEvent
from motcua.units import succession
from motcua.units.models import AdministrativeUnit, Agency
from motcua.units.succession import Follower, followers
from tests.admin_forms import admin_form, errors_of
from tests.dossiers.factories import APPLICANT
from tests.factories import AdministrativeUnitFactory, AgencyFactory, officer, procedure_with_steps, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(django_user_model):
    user = django_user_model.objects.create_superuser("quantri", "qt@example.vn", "matkhau-123")
    RoleAssignment.objects.create(user=user, role=Role.PROVINCIAL_ADMIN, agency=None)
    return user


def _departments(successor_unit=None):
    province = AdministrativeUnitFactory(code="55", name="Tỉnh Thử Nghiệm", level=AdministrativeUnit.PROVINCE)
    old, other = (AgencyFactory(code=f"H55.0{n}", name=f"Sở Thử Nghiệm {n}", kind=Agency.PROVINCIAL_DEPARTMENT,
                                admin_unit=province) for n in (2, 4))
    new = AgencyFactory(code="H55.03", name="Sở Thử Nghiệm 3", kind=Agency.PROVINCIAL_DEPARTMENT,
                        admin_unit=successor_unit or province)
    return old, new, other


def _post(client, old, new):
    url = f"/admin/units/agency/{old.pk}/change/"
    return client.post(url, admin_form(client, url, successor=str(new.pk), is_active=""), follow=True)


def _world():
    old, new, other = _departments()
    proc = procedure_with_steps(agency_kind=Agency.PROVINCIAL_DEPARTMENT, level="province")
    proc.agencies.add(old)
    counter = officer(Role.COUNTER_OFFICER, old, username="motcua.so2")
    specialist = officer(Role.SPECIALIST, old, username="chuyenvien.so2")
    leader = officer(Role.LEADER, old, username="lanhdao.chung")
    RoleAssignment.objects.create(user=leader, role=Role.LEADER, agency=new)  # leads both: merged into one
    processing = lifecycle.receive_at_counter(officer=counter, procedure=proc, agency=old, applicant_data=APPLICANT,
                                              form_data={})
    lifecycle.start_processing(processing, officer=counter, assignee=specialist)
    received = lifecycle.receive_at_counter(officer=counter, procedure=proc, agency=old, applicant_data=APPLICANT,
                                            form_data={})
    item = feedback_services.submit_feedback(
        AnonymousUser(), agency=old, classification="regulation", title="Thời hạn cấp giấy phép",
        content="Đề nghị rút ngắn thời hạn giải quyết thủ tục cấp giấy phép.", name="Phạm Văn Đức",
        phone="0905 123 456")
    return old, new, other, processing, received, item, specialist, leader


def test_a_successor_recorded_in_the_admin_takes_the_open_dossiers_feedback_and_roles(client, admin):
    old, new, _other, processing, received, item, specialist, leader = _world()
    codes = {processing.pk: processing.code, received.pk: received.code}
    due = {processing.pk: processing.due_at, received.pk: received.due_at}
    sign_in(client, admin)

    answer = _post(client, old, new)

    assert answer.status_code == 200 and not errors_of(answer)
    said = [str(m) for m in get_messages(answer.wsgi_request)]
    assert (f"Hồ sơ: 2 hồ sơ chưa kết thúc của {old.name} chuyển sang {new.name} (giữ mã hồ sơ, lịch sử và ngày hẹn "
            "trả; người nộp được báo tin).") in said
    assert (f"Phản ánh, kiến nghị: 1 phản ánh, kiến nghị đang xử lý của {old.name} chuyển sang {new.name} (giữ hạn xử "
            "lý).") in said
    assert (f"Phân quyền: 3 phân quyền của cán bộ tại {old.name} chuyển sang {new.name} (1 phân quyền trùng với phân "
            f"quyền đã có ở {new.name}, gộp làm một).") in said
    for d in (processing, received):
        d.refresh_from_db()
        assert (d.agency, d.code, d.due_at) == (new, codes[d.pk], due[d.pk])
        assert d.current_agency in (None, new)
        event = DossierEvent.objects.get(dossier=d, action="transfer_agency")
        assert event.data["from_agency"] == old.code and event.data["to_agency"] == new.code
        outbox = OutboxEvent.objects.get(topic="dossier.transfer_agency", payload__code=d.code)
        assert SmsAdapter({}).accepts(outbox) and new.name in sms_text(outbox.payload)  # the applicant is told
        # …why, in the words of a department merged by decision, not of a merger of administrative units
        assert sms_text(outbox.payload).startswith("Do cơ quan tiếp nhận trước đây ngừng hoạt động, hồ sơ ")
        assert email_message(outbox.payload)[1].startswith("Do cơ quan tiếp nhận trước đây ngừng hoạt động, hồ sơ ")
    assert processing.status == Status.PROCESSING and processing.assignee == specialist  # kept: their role moved
    assert list(RoleAssignment.objects.filter(agency=old)) == []
    assert set(RoleAssignment.objects.filter(agency=new).values_list("user__username", "role")) == {
        ("motcua.so2", Role.COUNTER_OFFICER), ("chuyenvien.so2", Role.SPECIALIST), ("lanhdao.chung", Role.LEADER)}
    item.refresh_from_db()
    assert item.agency == new

    # the officers go on at the successor (signed in afresh): the counter forwards, the specialist and the leader
    # process
    counter = RoleAssignment.objects.get(agency=new, role=Role.COUNTER_OFFICER).user
    specialist, leader = (type(u).objects.get(pk=u.pk) for u in (specialist, leader))
    assert lifecycle.start_processing(received, officer=counter).status == Status.PROCESSING
    lifecycle.complete_step(processing, officer=specialist)
    assert "approve" in lifecycle.allowed_actions(processing, leader)
    assert lifecycle.approve(processing, officer=leader).status == Status.APPROVED


def test_nothing_moves_when_a_later_follower_fails(client, admin):
    old, new, _other, processing, _received, item, specialist, _leader = _world()
    sign_in(client, admin)
    seen = []

    class Fails(Follower):
        order = 99

        def follow(self, actor, agency, successor, on):
            seen.append(type(processing).objects.get(pk=processing.pk).agency_id)  # moved, then undone
            raise RuntimeError("hỏng")

    url = f"/admin/units/agency/{old.pk}/change/"
    with followers.replaced("tests.fails", Fails), pytest.raises(RuntimeError):
        client.post(url, admin_form(client, url, successor=str(new.pk), is_active=""))
    assert seen == [new.pk]
    processing.refresh_from_db()
    item.refresh_from_db()
    assert processing.agency == old and item.agency == old and processing.assignee == specialist
    assert not DossierEvent.objects.filter(action="transfer_agency").exists()
    assert not OutboxEvent.objects.filter(topic="dossier.transfer_agency").exists()
    assert RoleAssignment.objects.filter(agency=old).count() == 3
    old.refresh_from_db()
    assert (old.successor_id, old.is_active) == (None, True)


def test_a_successor_that_could_not_keep_an_open_dossier_is_refused_in_the_admin(client, admin):
    today = timezone.localdate()
    closing = AdministrativeUnitFactory(code="56", name="Tỉnh Giải Thể", level=AdministrativeUnit.PROVINCE,
                                        valid_to=today)  # its dissolution recorded: today is its last day
    old, new, _other = _departments(successor_unit=closing)
    proc = procedure_with_steps(agency_kind=Agency.PROVINCIAL_DEPARTMENT, level="province")
    proc.agencies.add(old)
    counter = officer(Role.COUNTER_OFFICER, old)
    d = lifecycle.receive_at_counter(officer=counter, procedure=proc, agency=old, applicant_data=APPLICANT,
                                     form_data={})
    assert timezone.localdate(d.due_at) > today
    sign_in(client, admin)

    answer = _post(client, old, new)

    problems = errors_of(answer)
    assert problems and any(f"{new.name} không nhận được 1 hồ sơ chưa kết thúc của {old.name} ({d.code})" in p
                            for p in problems), problems
    old.refresh_from_db()
    d.refresh_from_db()
    assert (old.successor_id, old.is_active, d.agency) == (None, True, old)
    assert RoleAssignment.objects.filter(agency=old).count() == 1


def test_the_refusal_counts_every_dossier_the_successor_could_not_keep_and_names_the_first_five(client, admin):
    """Counted in the database and named from the first few read: a department with thousands of open dossiers is
    not read whole in the administrator's request."""
    from motcua.dossiers.models import Dossier

    today = timezone.localdate()
    closing = AdministrativeUnitFactory(code="56", name="Tỉnh Giải Thể", level=AdministrativeUnit.PROVINCE,
                                        valid_to=today)
    old, new, _other = _departments(successor_unit=closing)
    proc = procedure_with_steps(agency_kind=Agency.PROVINCIAL_DEPARTMENT, level="province")
    proc.agencies.add(old)
    counter = officer(Role.COUNTER_OFFICER, old)
    received = [lifecycle.receive_at_counter(officer=counter, procedure=proc, agency=old, applicant_data=APPLICANT,
                                             form_data={}) for _ in range(8)]
    due_today = received[1]  # due on the successor's last day: it could keep this one
    Dossier.objects.filter(pk=due_today.pk).update(due_at=timezone.localtime().replace(hour=16, minute=0, second=0))
    late = [d.code for d in received if d.pk != due_today.pk]
    sign_in(client, admin)

    problems = errors_of(_post(client, old, new))

    said = f"{new.name} không nhận được 7 hồ sơ chưa kết thúc của {old.name} ({', '.join(late[:5])}, …)"
    assert any(said in p for p in problems), problems
    assert not any(due_today.code in p for p in problems)
    old.refresh_from_db()
    assert (old.successor_id, old.is_active) == (None, True)


def test_an_account_that_may_not_move_dossiers_is_refused_in_the_admin(client, django_user_model):
    old, new, _other = _departments()
    proc = procedure_with_steps(agency_kind=Agency.PROVINCIAL_DEPARTMENT, level="province")
    proc.agencies.add(old)
    d = lifecycle.receive_at_counter(officer=officer(Role.COUNTER_OFFICER, old), procedure=proc, agency=old,
                                     applicant_data=APPLICANT, form_data={})
    sign_in(client, django_user_model.objects.create_superuser("sieu", "s@example.vn", "matkhau-123"))

    problems = errors_of(_post(client, old, new))

    assert any("chỉ tài khoản có vai trò quản trị cấp tỉnh mới chuyển được hồ sơ" in p for p in problems), problems
    d.refresh_from_db()
    assert d.agency == old


def test_closed_dossiers_stay_with_the_old_department(client, admin):
    old, new, _other = _departments()
    proc = procedure_with_steps(agency_kind=Agency.PROVINCIAL_DEPARTMENT, level="province")
    proc.agencies.add(old)
    counter = officer(Role.COUNTER_OFFICER, old)
    d = lifecycle.receive_at_counter(officer=counter, procedure=proc, agency=old, applicant_data=APPLICANT,
                                     form_data={})
    lifecycle.withdraw(d, by=counter, reason="Người nộp rút hồ sơ")
    still_open = lifecycle.receive_at_counter(officer=counter, procedure=proc, agency=old, applicant_data=APPLICANT,
                                              form_data={})
    sign_in(client, admin)
    assert not errors_of(_post(client, old, new))
    d.refresh_from_db()
    still_open.refresh_from_db()
    assert d.agency == old and d.status == Status.WITHDRAWN  # its history
    assert still_open.agency == new




def test_the_dossier_history_says_why_it_moved_to_the_successor(client, admin):
    """The timeline the applicant (portal tracking) and the officers read names a move to an admin-recorded successor
    for what it is, as the SMS does: no administrative units were rearranged."""
    old, new, _other, _processing, received, *_rest = _world()
    sign_in(client, admin)
    assert not errors_of(_post(client, old, new))
    client.logout()

    page = client.post("/tra-cuu/", {"code": received.code, "secret": APPLICANT["phone"][-4:]})
    assert page.status_code == 200
    text = page.content.decode()
    assert f"Chuyển sang cơ quan kế thừa do cơ quan cũ ngừng hoạt động → {new.name}" in text
    assert (f"Hồ sơ nộp tại {old.name}; do cơ quan tiếp nhận trước đây ngừng hoạt động, hồ sơ chuyển về {new.name}"
            in text)
    assert "sắp xếp đơn vị hành chính" not in text
    sign_in(client, admin)
    text = client.get(f"/can-bo/ho-so/{received.pk}/").content.decode()
    assert "Chuyển sang cơ quan kế thừa do cơ quan cũ ngừng hoạt động" in text
    assert "Chuyển cơ quan do sắp xếp đơn vị hành chính" not in text


def test_feedback_closed_while_the_successor_takes_over_stays_and_the_rest_moves(client, admin, monkeypatch):
    """An item an officer publishes between the follower listing the department's open feedback and moving it is
    closed history: it stays, as a dossier closed meanwhile does, instead of failing the administrator's save."""
    from motcua.engagement import reorganization as feedback_follower
    from motcua.engagement.models import Feedback, FeedbackStatus

    old, new, _other, *_rest, item, _specialist, _leader = _world()
    later = feedback_services.submit_feedback(
        AnonymousUser(), agency=old, classification="regulation", title="Phí sao y bản chính",
        content="Đề nghị công khai mức phí sao y bản chính tại bộ phận một cửa.", name="Lê Văn Hải",
        phone="0905 654 321")
    listed = feedback_follower._open_at

    def listed_then_published(agency):
        items = listed(agency)
        Feedback.objects.filter(pk=item.pk).update(status=FeedbackStatus.PUBLISHED)  # an officer, meanwhile
        return items

    monkeypatch.setattr(feedback_follower, "_open_at", listed_then_published)
    old.successor, old.is_active = new, False
    old.save()

    said = succession.follow(admin, old, new)

    assert any("Phản ánh, kiến nghị: 1 phản ánh" in s for s in said), said
    item.refresh_from_db()
    later.refresh_from_db()
    assert (item.agency, later.agency) == (old, new)


def test_a_dossier_received_between_the_forms_check_and_the_save_is_checked_too(client, admin, monkeypatch):
    """Another officer receives a dossier at the old department after the admin form checked its open dossiers and
    before the save moves them: the move checks it as well (under the same lock), and the successor, whose unit
    closes before that dossier is due, is refused with the form's words; nothing is half-written."""
    today = timezone.localdate()
    closing = AdministrativeUnitFactory(code="56", name="Tỉnh Giải Thể", level=AdministrativeUnit.PROVINCE,
                                        valid_to=today + dt.timedelta(days=20))
    old, new, _other = _departments(successor_unit=closing)
    quick = procedure_with_steps(agency_kind=Agency.PROVINCIAL_DEPARTMENT, level="province", processing_days=1)
    slow = procedure_with_steps(agency_kind=Agency.PROVINCIAL_DEPARTMENT, level="province", processing_days=45)
    quick.agencies.add(old)
    slow.agencies.add(old)
    counter = officer(Role.COUNTER_OFFICER, old)
    first = lifecycle.receive_at_counter(officer=counter, procedure=quick, agency=old, applicant_data=APPLICANT,
                                         form_data={})
    checked, late = succession.refusals, []

    def then_another_officer_receives(*args):
        said = checked(*args)
        if not late:
            late.append(lifecycle.receive_at_counter(officer=counter, procedure=slow, agency=old,
                                                     applicant_data=APPLICANT, form_data={}))
        return said

    monkeypatch.setattr(succession, "refusals", then_another_officer_receives)
    sign_in(client, admin)

    answer = _post(client, old, new)

    assert answer.status_code == 200
    said = [str(m) for m in get_messages(answer.wsgi_request)]
    assert any(f"{new.name} không nhận được 1 hồ sơ chưa kết thúc của {old.name} ({late[0].code})" in s
               for s in said), said
    old.refresh_from_db()
    assert (old.successor_id, old.is_active) == (None, True)
    first.refresh_from_db()
    assert first.agency == old
    # (the late dossier was received on the admin's own connection here, so its receipt is undone with the save)
    assert not type(first).objects.filter(agency=new).exists()
    assert not DossierEvent.objects.filter(action="transfer_agency").exists()
    assert not OutboxEvent.objects.filter(topic__in=["dossier.transfer_agency", succession.SUCCESSOR_RECORDED]).exists()
    assert RoleAssignment.objects.filter(agency=old).count() == 1


def test_a_successor_that_took_the_work_is_not_changed_or_cleared_in_the_admin(client, admin):
    """What moved to the recorded successor stays there: choosing another one (or none) afterwards is refused with
    what moved and when, instead of leaving the work at the first, telling the portal a second successor and counting
    later ratings for the second. A successor whose followers never ran (nothing moved) may still be changed."""
    old, new, other, *_rest = _world()
    sign_in(client, admin)
    assert not errors_of(_post(client, old, new))
    url = f"/admin/units/agency/{old.pk}/change/"
    told = OutboxEvent.objects.filter(topic=succession.SUCCESSOR_RECORDED).count()

    for choice in (str(other.pk), ""):
        problems = errors_of(client.post(url, admin_form(client, url, successor=choice)))
        assert len(problems) == 1, problems
        assert problems[0].startswith(f"Ngày {timezone.localdate():%d/%m/%Y} đã ghi nhận {new.name} là cơ quan kế "
                                      f"thừa của {old.name} và chuyển sang {new.name}"), problems
        assert f"Hồ sơ: 2 hồ sơ chưa kết thúc của {old.name} chuyển sang {new.name}" in problems[0]
        assert "không đổi hoặc bỏ cơ quan kế thừa được nữa" in problems[0]
    old.refresh_from_db()
    assert old.successor == new
    assert OutboxEvent.objects.filter(topic=succession.SUCCESSOR_RECORDED).count() == told

    # recorded without its followers (before they existed): nothing moved, it may change
    Agency.objects.filter(pk=other.pk).update(is_active=False, successor=new)
    url = f"/admin/units/agency/{other.pk}/change/"
    fifth = AgencyFactory(code="H55.05", name="Sở Thử Nghiệm 5", kind=Agency.PROVINCIAL_DEPARTMENT,
                          admin_unit=new.admin_unit)
    answer = client.post(url, admin_form(client, url, successor=str(fifth.pk)))
    assert answer.status_code == 302, errors_of(answer)
    assert Agency.objects.get(pk=other.pk).successor == fifth


def test_a_successor_recorded_by_another_administrator_meanwhile_is_not_replaced(client, admin, monkeypatch):
    """Two administrators open the department's page while it has no successor; one records «Sở 4» and its work moves
    there while the other's save, choosing «Sở 3», waits on the lock. That save sees the first successor under the
    lock and is refused with the form's words, instead of moving the work a second time and telling the national
    portal a second successor."""
    old, new, other, *_rest = _world()
    checked, first = succession.refusals, []

    def another_administrator_records_a_successor_first(*args):
        if not first:  # the other administrator's save, committed before this one's lock is granted
            first.append(True)
            Agency.objects.filter(pk=old.pk).update(is_active=False, successor=other)
            succession.follow(admin, Agency.objects.get(pk=old.pk), other)
        return checked(*args)

    monkeypatch.setattr(succession, "refusals", another_administrator_records_a_successor_first)
    sign_in(client, admin)

    answer = _post(client, old, new)

    # refused by the form's check under the lock, its words under the field (the admin's page sent back)
    page = answer.content.decode()
    assert answer.status_code == 200 and "errorlist" in page
    assert f"đã ghi nhận {other.name} là cơ quan kế thừa của {old.name}" in page
    assert "không đổi hoặc bỏ cơ quan kế thừa được nữa" in page
    # (the first administrator's save ran on this connection here, so it is undone with the refused one)
    assert not type(_rest[0]).objects.filter(agency=new).exists()
    assert not OutboxEvent.objects.filter(topic=succession.SUCCESSOR_RECORDED, payload__agency__code=new.code).exists()


def test_an_edit_saved_over_a_successor_recorded_meanwhile_does_not_clear_it(client, admin, monkeypatch):
    """An administrator edits the department's name while another records its successor and the work moves there:
    the edit, whose page still had no successor, would save «no successor» over it (the admin saves every field),
    leaving the work at a successor the department no longer names. It is refused with the form's words."""
    old, new, *_rest = _world()
    checked, first = Agency.clean, []

    def another_administrator_records_a_successor_first(agency):
        if not first and agency.pk == old.pk:  # committed after this page was read, before its save
            first.append(True)
            Agency.objects.filter(pk=old.pk).update(is_active=False, successor=new)
            succession.follow(admin, Agency.objects.get(pk=old.pk), new)
        return checked(agency)

    sign_in(client, admin)
    url = f"/admin/units/agency/{old.pk}/change/"
    form = admin_form(client, url, name="Sở Thử Nghiệm 2 (đổi tên)")
    monkeypatch.setattr(Agency, "clean", another_administrator_records_a_successor_first)

    answer = client.post(url, form, follow=True)

    said = [str(m) for m in get_messages(answer.wsgi_request)] + errors_of(answer)
    assert any(f"đã ghi nhận {new.name} là cơ quan kế thừa của {old.name}" in s
               and "không đổi hoặc bỏ cơ quan kế thừa được nữa" in s for s in said), said
    assert not Agency.objects.filter(name="Sở Thử Nghiệm 2 (đổi tên)").exists()


def test_the_audit_trail_and_the_outbox_name_the_moves_to_the_successor(client, admin):
    """The admin's audit trail and outbox list call a dossier or role moved to an admin-recorded successor what it is,
    in the dossier history's words, not a rearrangement of administrative units; the audit trail's filter option for
    each such kind of event names both causes of a move."""
    old, new, *_rest = _world()
    sign_in(client, admin)
    assert not errors_of(_post(client, old, new))

    def rows(url):  # the list's rows (its filter is read below)
        page = lxml.html.fromstring(client.get(url).content.decode())
        return " ".join(page.xpath("string(//table[@id='result_list'])").split())

    audit, outbox = rows("/admin/audit/auditentry/"), rows("/admin/outbox/outboxevent/")
    for text in (audit, outbox):
        assert "Hồ sơ: Chuyển sang cơ quan kế thừa do cơ quan cũ ngừng hoạt động" in text
        assert "do sắp xếp đơn vị hành chính" not in text
    assert "Tài khoản: Chuyển vai trò sang cơ quan kế thừa" in audit
    assert "Tài khoản: Gộp vai trò vào vai trò đã có ở cơ quan kế thừa" in audit
    assert "do sắp xếp đơn vị" not in audit
    assert "Phản ánh, đánh giá: Chuyển phản ánh sang cơ quan khác" in audit
    # the filter's one option per kind of event fits a move of either cause
    options = lxml.html.fromstring(client.get("/admin/audit/auditentry/").content.decode()).xpath(
        "//*[@id='changelist-filter']//a/text()")
    for kind in ("Hồ sơ: Chuyển cơ quan do sắp xếp đơn vị hành chính hoặc sang cơ quan kế thừa",
                 "Tài khoản: Chuyển vai trò do sắp xếp đơn vị hoặc sang cơ quan kế thừa",
                 "Tài khoản: Gộp vai trò do sắp xếp đơn vị hoặc ở cơ quan kế thừa"):
        assert kind in [" ".join(o.split()) for o in options], options


def test_the_administrator_is_warned_of_procedures_another_kind_of_agency_decides(client, admin):
    """A procedure the catalog gives to another kind of agency than the successor's moves all the same; the
    administrator is warned after saving, with its code, to check who receives it (one of the successor's kind: no)."""
    old, new, _other = _departments()
    fits = procedure_with_steps(agency_kind=Agency.PROVINCIAL_DEPARTMENT, level="province")
    vertical = procedure_with_steps(agency_kind=Agency.VERTICAL, level="province")
    for proc in (fits, vertical):
        proc.agencies.add(old)
    sign_in(client, admin)

    answer = _post(client, old, new)

    assert not errors_of(answer)
    warned = [str(m) for m in get_messages(answer.wsgi_request) if m.level == messages.WARNING]
    assert warned == [f"Lưu ý: 1 thủ tục chuyển cho {new.name} (Sở, ban, ngành tỉnh) có cơ quan có thẩm quyền theo "
                      f"danh mục thuộc loại khác: {vertical.code} (Cơ quan ngành dọc). Kiểm tra lại cơ quan tiếp nhận "
                      "các thủ tục này trong danh mục thủ tục hành chính."]
    assert set(new.procedure_codes()) == {fits.code, vertical.code}
