"""A department's open dossiers moving to its successor in the background (dossiers.handover) when, meanwhile, no
dossier can move at all: the administrator who recorded the successor lost the provincial-admin role, or the successor
stopped taking dossiers. The move pauses with the reason on the agency's page (not every dossier named as refused one
by one), moves nothing by halves, and resumes when the reason goes or another administrator takes it over; a dossier
the successor can no longer keep (its unit's closing recorded since the save) is named and skipped."""

import datetime as dt
import io

import lxml.html
import pytest
from django.contrib.messages import get_messages
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from motcua.accounts.models import Role, RoleAssignment
from motcua.audit.models import AuditEntry
from motcua.core.errors import PermissionDenied
from motcua.dossiers import handover
from motcua.dossiers.models import Dossier, DossierEvent, SuccessorHandover
from motcua.units.models import AdministrativeUnit, Agency
from motcua.units.succession import SUCCESSION_ON
from tests.admin_forms import admin_form, errors_of
from tests.factories import AdministrativeUnitFactory, AgencyFactory, sign_in
from tests.units import test_successor_in_background as background
from tests.units.test_successor_in_background import OPEN, _moved_once, _progress, _record, _worker, _world

pytestmark = pytest.mark.django_db

admin, small = background.admin, background.small  # its fixtures: a provincial administrator, small batches


@pytest.fixture
def other_admin(django_user_model):
    user = django_user_model.objects.create_superuser("quantri2", "qt2@example.vn", "matkhau-123")
    RoleAssignment.objects.create(user=user, role=Role.PROVINCIAL_ADMIN, agency=None)
    return user


def _paused(client, viewer, old, because: str) -> None:
    """Nothing moved, the page says why (once, not as refused dossiers), and the handover is not finished."""
    assert Dossier.objects.filter(agency=old).count() == OPEN
    sign_in(client, viewer)
    said = _progress(client, old)
    assert f"Việc chuyển đang tạm dừng vì {because}" in said, said
    assert "Không chuyển được" not in said and "kiểm tra tiến trình chạy nền" not in said, said
    assert f"còn {OPEN} hồ sơ đang chờ chuyển" in said, said
    assert SuccessorHandover.objects.get(agency=old).stuck == {}


def test_the_recording_administrator_losing_the_role_pauses_the_move_until_another_takes_it_over(
        client, admin, other_admin, django_capture_on_commit_callbacks):
    old, new, _counter, dossiers = _world()
    _record(client, admin, old, new, django_capture_on_commit_callbacks)
    RoleAssignment.objects.filter(user=admin, role=Role.PROVINCIAL_ADMIN).delete()

    _worker()
    call_command("move_to_successors", verbosity=0)  # run again by hand: still paused, still nothing half-moved

    _paused(client, other_admin, old, "tài khoản quantri (quantri), người ghi nhận cơ quan kế thừa, không còn vai "
                                      "trò quản trị cấp tỉnh")
    with pytest.raises(CommandError, match="chỉ tài khoản có vai trò quản trị cấp tỉnh"):
        call_command("move_to_successors", "--as", "quantri", verbosity=0)  # not by someone without the role

    call_command("move_to_successors", "--as", "quantri2", verbosity=0)

    _moved_once(dossiers, new)
    assert f"đã chuyển xong {OPEN} hồ sơ chưa kết thúc sang {new.name}" in _progress(client, old)
    assert AuditEntry.objects.filter(action=handover.TAKEN_OVER, actor=other_admin).count() == 1
    # the audit log names both entries (who carried the move on, when it finished), not «sự kiện khác»
    page = lxml.html.fromstring(client.get("/admin/audit/auditentry/").content.decode())
    rows = " ".join(page.xpath("string(//table[@id='result_list'])").split())
    assert "Hồ sơ: Nhận tiếp việc chuyển hồ sơ sang cơ quan kế thừa" in rows, rows
    assert "Hồ sơ: Chuyển xong hồ sơ sang cơ quan kế thừa" in rows, rows
    assert "sự kiện khác" not in rows and "đối tượng khác" not in rows, rows  # the agency, the roles: by their names


def test_the_role_given_back_resumes_the_move_by_itself(client, admin, other_admin,
                                                        django_capture_on_commit_callbacks):
    old, new, _counter, dossiers = _world()
    _record(client, admin, old, new, django_capture_on_commit_callbacks)
    RoleAssignment.objects.filter(user=admin, role=Role.PROVINCIAL_ADMIN).delete()
    _worker()
    _paused(client, other_admin, old, "tài khoản quantri (quantri)")

    with django_capture_on_commit_callbacks(execute=True):  # the role given back: the move is queued again
        RoleAssignment.objects.create(user=admin, role=Role.PROVINCIAL_ADMIN, agency=None)
    _worker()

    _moved_once(dossiers, new)
    assert f"đã chuyển xong {OPEN} hồ sơ" in _progress(client, old)


def _switched_off_meanwhile(client, admin, capture):
    """The successor switched off after the save: the worker's move pauses, nothing moved."""
    old, new, counter, dossiers = _world()
    _record(client, admin, old, new, capture)
    Agency.objects.filter(pk=new.pk).update(is_active=False)

    _worker()

    _paused(client, admin, old, f"{new.name} đã ngừng nhận hồ sơ chuyển đến")
    assert not Dossier.objects.filter(agency=new).exists()
    return old, new, counter, dossiers


def test_a_successor_switched_off_meanwhile_pauses_the_move_until_it_works_again(
        client, admin, django_capture_on_commit_callbacks):
    _old, new, _counter, dossiers = _switched_off_meanwhile(client, admin, django_capture_on_commit_callbacks)

    new.refresh_from_db()
    new.is_active = True
    with django_capture_on_commit_callbacks(execute=True):
        new.save()
    _worker()

    _moved_once(dossiers, new)


def test_a_successor_whose_unit_a_reorganization_closed_meanwhile_pauses_the_move(
        client, admin, django_capture_on_commit_callbacks):
    old, new, _counter, _dossiers = _world()
    _record(client, admin, old, new, django_capture_on_commit_callbacks)
    into = AdministrativeUnitFactory(code="56", name="Tỉnh Hợp Nhất", level=AdministrativeUnit.PROVINCE)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    AdministrativeUnit.objects.filter(pk=new.admin_unit_id).update(valid_to=yesterday, replaced_by=into)

    _worker()

    _paused(client, admin, old, f"{new.admin_unit.name} đã sáp nhập vào {into.name}")


def test_a_dossier_the_successor_can_no_longer_keep_is_named_and_the_others_move(
        client, admin, django_capture_on_commit_callbacks):
    old, new, _counter, dossiers = _world()
    _record(client, admin, old, new, django_capture_on_commit_callbacks)
    # after the save: the successor's unit's dissolution is recorded ahead, and one dossier is due after its last day
    last = timezone.localdate() + dt.timedelta(days=30)
    AdministrativeUnit.objects.filter(pk=new.admin_unit_id).update(valid_to=last)
    late = dossiers[-1]
    Dossier.objects.filter(pk=late.pk).update(due_at=timezone.now() + dt.timedelta(days=60))

    _worker()

    assert Dossier.objects.filter(agency=new).count() == OPEN - 1
    assert Dossier.objects.get(pk=late.pk).agency == old
    said = _progress(client, old)
    assert f"Không chuyển được 1 hồ sơ: {late.code} (" in said, said
    assert f"có ngày hẹn trả kết quả đến hết ngày {last:%d/%m/%Y}" in said, said
    assert handover.unfinished().filter(agency=old).exists()


def test_a_reason_arising_within_a_batch_keeps_what_moved_and_names_no_dossier(
        client, admin, other_admin, django_capture_on_commit_callbacks, monkeypatch):
    old, new, _counter, _dossiers = _world()
    _record(client, admin, old, new, django_capture_on_commit_callbacks)
    real, calls = handover.move_dossier, []

    def role_lost_after_the_first(actor, d, plan, to_agency):
        calls.append(d.pk)
        if len(calls) == 2:  # the lifecycle refuses the second: the role was taken away since the first moved
            raise PermissionDenied("forbidden", "Bạn không có quyền «Chuyển cơ quan do sắp xếp đơn vị hành chính».")
        moved = real(actor, d, plan, to_agency)
        RoleAssignment.objects.filter(user=admin, role=Role.PROVINCIAL_ADMIN).delete()
        return moved

    monkeypatch.setattr(handover, "move_dossier", role_lost_after_the_first)
    _worker()

    assert Dossier.objects.filter(agency=new).count() == 1  # the first moved whole and stays moved
    assert SuccessorHandover.objects.get(agency=old).moved == 1
    sign_in(client, other_admin)
    said = _progress(client, old)
    assert "Việc chuyển đang tạm dừng vì tài khoản quantri (quantri)" in said and "Không chuyển được" not in said
    assert f"còn {OPEN - 1} hồ sơ đang chờ chuyển" in said, said


def test_many_saves_in_one_transaction_queue_the_paused_move_once(client, admin, other_admin, monkeypatch,
                                                                  django_capture_on_commit_callbacks):
    old, new, _counter, _dossiers = _world()
    _record(client, admin, old, new, django_capture_on_commit_callbacks)
    RoleAssignment.objects.filter(user=admin, role=Role.PROVINCIAL_ADMIN).delete()
    _worker()
    queued = []
    monkeypatch.setattr(handover, "move_to_successor", type("Task", (), {"enqueue": staticmethod(queued.append)}))

    # an import or a reorganization saving many roles and agencies in one transaction, the reason gone among them
    with django_capture_on_commit_callbacks(execute=True):
        RoleAssignment.objects.create(user=admin, role=Role.PROVINCIAL_ADMIN, agency=None)
        for _ in range(5):
            new.save()
            RoleAssignment.objects.get(user=other_admin).save()

    assert queued == [SuccessorHandover.objects.get(agency=old).pk]  # the move queued once, not once per save


def _arriving(client, counter) -> str:
    """The notice above the successor's officer's queue (the counter officer's role moved there in the save)."""
    sign_in(client, type(counter).objects.get(pk=counter.pk))
    page = lxml.html.fromstring(client.get(reverse("backoffice:queue")).content.decode())
    return " ".join(page.text_content().split())


@pytest.mark.parametrize("reason", ["role", "switched_off"])
def test_the_successors_officers_read_that_the_move_is_paused_and_why(client, admin, reason,
                                                                      django_capture_on_commit_callbacks):
    old, new, counter, _dossiers = _world()
    _record(client, admin, old, new, django_capture_on_commit_callbacks)
    if reason == "role":
        RoleAssignment.objects.filter(user=admin, role=Role.PROVINCIAL_ADMIN).delete()
        why = "tài khoản đã ghi nhận cơ quan kế thừa không còn quyền chuyển hồ sơ giữa các cơ quan"
    else:
        Agency.objects.filter(pk=new.pk).update(is_active=False)
        why = f"{new.name} đã ngừng nhận hồ sơ chuyển đến"
    _worker()

    said = _arriving(client, counter)

    assert (f"Việc chuyển {OPEN} hồ sơ chưa kết thúc từ {old.name} sang {new.name} đang tạm dừng: {why}. "
            f"Lý do và cách tiếp tục có trên trang quản trị của {old.name}, nơi quản trị viên cấp tỉnh xử lý") in said, said
    assert "Đang chuyển" not in said, said


def test_a_switched_off_successor_receiving_a_paused_move_gets_a_successor_and_the_move_goes_on_there(
        client, admin, django_capture_on_commit_callbacks):
    old, new, _counter, dossiers = _switched_off_meanwhile(client, admin, django_capture_on_commit_callbacks)
    later = AgencyFactory(code="H55.05", name="Sở Thử Nghiệm 5", kind=Agency.PROVINCIAL_DEPARTMENT,
                          admin_unit=new.admin_unit)

    answer = _record(client, admin, new, later, django_capture_on_commit_callbacks)  # resumes the paused move
    _worker()

    said = [str(m) for m in get_messages(answer.wsgi_request)]
    assert f"Việc chuyển {OPEN} hồ sơ của {old.name} (đang tạm dừng) nay chuyển thẳng sang {later.name}." in " ".join(
        said), said
    _moved_once(dossiers, later)  # straight from the department: one move, one message each
    assert f"đã chuyển xong {OPEN} hồ sơ chưa kết thúc sang {later.name}" in _progress(client, old)


def test_the_audit_trail_says_who_redirected_a_paused_move_where_and_with_how_many_dossiers(
        client, admin, django_capture_on_commit_callbacks, capsys):
    """A provincial monitor reads in the audit trail that the paused move of the department's dossiers was re-pointed
    from the switched-off successor to its own successor, by whom, with how many dossiers still to move; the trail
    still verifies."""
    old, new, _counter, _dossiers = _switched_off_meanwhile(client, admin, django_capture_on_commit_callbacks)
    later = AgencyFactory(code="H55.05", name="Sở Thử Nghiệm 5", kind=Agency.PROVINCIAL_DEPARTMENT,
                          admin_unit=new.admin_unit)

    _record(client, admin, new, later, django_capture_on_commit_callbacks)
    _worker()

    [entry] = AuditEntry.objects.filter(action=handover.REDIRECTED)
    assert (entry.actor, entry.object_type, entry.object_id) == (admin, "units.Agency", str(old.pk))
    on = SuccessorHandover.objects.get(agency=old).on  # the day the new succession takes over: the moves record it
    assert entry.data == {"agency": old.code, "from": new.code, "to": later.code, "on": on.isoformat(), "waiting": OPEN}
    sign_in(client, admin)
    page = lxml.html.fromstring(client.get(f"/admin/audit/auditentry/{entry.pk}/change/").content.decode())
    shown = " ".join(page.text_content().split())
    assert "Hồ sơ: Chuyển hướng việc chuyển hồ sơ sang cơ quan kế thừa mới" in shown, shown
    assert old.code in shown and new.code in shown and later.code in shown
    call_command("chain_audit", "--once")
    call_command("verify_audit", "--without-anchors")
    assert "toàn vẹn" in capsys.readouterr().out


def test_a_move_re_pointed_by_another_administrator_goes_on_in_that_administrators_name(
        client, admin, other_admin, django_capture_on_commit_callbacks):
    """The administrator who recorded the first successor has lost the role since; the one who records the switched-off
    successor's own successor re-points the move and carries it on: the dossiers arrive, each move in that name."""
    old, new, _counter, dossiers = _switched_off_meanwhile(client, admin, django_capture_on_commit_callbacks)
    RoleAssignment.objects.filter(user=admin, role=Role.PROVINCIAL_ADMIN).delete()
    later = AgencyFactory(code="H55.06", name="Sở Thử Nghiệm 6", kind=Agency.PROVINCIAL_DEPARTMENT,
                          admin_unit=new.admin_unit)

    _record(client, other_admin, new, later, django_capture_on_commit_callbacks)
    _worker()

    _moved_once(dossiers, later)
    moves = DossierEvent.objects.filter(dossier__in=dossiers, action="transfer_agency")
    assert {e.actor for e in moves} == {other_admin}
    sign_in(client, other_admin)
    assert f"đã chuyển xong {OPEN} hồ sơ chưa kết thúc sang {later.name}" in _progress(client, old)


def _re_pointing_refused(client, viewer, old, new, later, dossiers, said: str) -> None:
    """The administrator's save of `new`'s successor `later` is refused with `said`, and nothing changed: `new` has no
    successor, the paused move still goes to `new` in the recording administrator's name, no dossier moved."""
    sign_in(client, viewer)
    url = f"/admin/units/agency/{new.pk}/change/"
    answer = client.post(url, admin_form(client, url, successor=str(later.pk), is_active=""), follow=True)

    problems = errors_of(answer)
    assert any(said in p for p in problems), problems
    new.refresh_from_db()
    assert new.successor_id is None
    moving = SuccessorHandover.objects.get(agency=old)
    assert (moving.successor_id, moving.finished_at) == (new.pk, None)
    assert not AuditEntry.objects.filter(action=handover.REDIRECTED).exists()
    assert Dossier.objects.filter(agency=old).count() == len(dossiers)


def test_re_pointing_a_paused_move_is_refused_to_an_administrator_who_may_not_move_its_dossiers(
        client, admin, django_user_model, django_capture_on_commit_callbacks):
    """The switched-off successor holds no dossier of its own, but the paused move into it would go on in the name of
    whoever records its successor: an account without the provincial-admin role is refused, the department whose
    dossiers wait named, instead of a move that would pause again at once."""
    old, new, _counter, dossiers = _switched_off_meanwhile(client, admin, django_capture_on_commit_callbacks)
    later = AgencyFactory(code="H55.05", name="Sở Thử Nghiệm 5", kind=Agency.PROVINCIAL_DEPARTMENT,
                          admin_unit=new.admin_unit)
    nobody = django_user_model.objects.create_superuser("sieu", "s@example.vn", "matkhau-123")

    _re_pointing_refused(client, nobody, old, new, later, dossiers,
                         f"{old.name} còn {OPEN} hồ sơ chưa kết thúc, sẽ chuyển sang {later.name}: chỉ tài khoản có "
                         "vai trò quản trị cấp tỉnh mới chuyển được hồ sơ giữa các cơ quan")
    assert SuccessorHandover.objects.get(agency=old).actor == admin


def test_re_pointing_a_paused_move_to_a_successor_that_could_not_keep_a_waiting_dossier_is_refused(
        client, admin, django_capture_on_commit_callbacks):
    """The new successor's unit's dissolution is recorded ahead, before one of the waiting dossiers is due: nobody
    there would return its result, so the save is refused naming that dossier and the department it waits at."""
    old, new, _counter, dossiers = _switched_off_meanwhile(client, admin, django_capture_on_commit_callbacks)
    today = timezone.localdate()
    closing = AdministrativeUnitFactory(code="56", name="Tỉnh Giải Thể", level=AdministrativeUnit.PROVINCE,
                                        valid_to=today + dt.timedelta(days=20))
    later = AgencyFactory(code="H56.05", name="Sở Giải Thể 5", kind=Agency.PROVINCIAL_DEPARTMENT, admin_unit=closing)
    Dossier.objects.filter(pk__in=[d.pk for d in dossiers]).update(due_at=timezone.now() + dt.timedelta(days=5))
    late = dossiers[2]
    Dossier.objects.filter(pk=late.pk).update(due_at=timezone.now() + dt.timedelta(days=60))

    _re_pointing_refused(client, admin, old, new, later, dossiers,
                         f"{later.name} không nhận được 1 hồ sơ chưa kết thúc của {old.name} ({late.code})")


def test_a_re_pointed_move_records_the_date_of_the_succession_that_now_applies(
        client, admin, django_capture_on_commit_callbacks):
    """The first successor was recorded days ago; its own successor, recorded today, takes the paused move over from
    today: each dossier's move says so (its history, the statistics' moment), not the first recording's day."""
    old, new, _counter, dossiers = _switched_off_meanwhile(client, admin, django_capture_on_commit_callbacks)
    today = timezone.localdate()
    SuccessorHandover.objects.filter(agency=old).update(on=today - dt.timedelta(days=10))
    later = AgencyFactory(code="H55.05", name="Sở Thử Nghiệm 5", kind=Agency.PROVINCIAL_DEPARTMENT,
                          admin_unit=new.admin_unit)

    _record(client, admin, new, later, django_capture_on_commit_callbacks)
    _worker()

    _moved_once(dossiers, later)
    assert SuccessorHandover.objects.get(agency=old).on == today
    moves = DossierEvent.objects.filter(dossier__in=dossiers, action="transfer_agency")
    assert {e.data[SUCCESSION_ON] for e in moves} == {today.isoformat()}
    assert {e.data["effective_at"][:10] for e in moves} == {today.isoformat()}


def test_a_move_re_pointed_midway_says_how_many_dossiers_went_to_each_successor(
        client, admin, django_capture_on_commit_callbacks, monkeypatch):
    """Some dossiers reached the first successor before it was switched off; the rest go to its own successor. The
    department's page and the audit trail credit each successor with its own, not every dossier to the last one."""
    old, new, _counter, dossiers = _world()
    _record(client, admin, old, new, django_capture_on_commit_callbacks)
    real, calls = handover.move_dossier, []

    def switched_off_after_the_first_batch(actor, d, plan, to_agency):
        calls.append(d.pk)
        moved = real(actor, d, plan, to_agency)
        if len(calls) == 2:
            Agency.objects.filter(pk=new.pk).update(is_active=False)
        return moved

    monkeypatch.setattr(handover, "move_dossier", switched_off_after_the_first_batch)
    _worker()
    monkeypatch.setattr(handover, "move_dossier", real)
    assert Dossier.objects.filter(agency=new).count() == 2
    assert f"đã chuyển 2 hồ sơ chưa kết thúc sang {new.name}, còn {OPEN - 2} hồ sơ đang chờ chuyển" in _progress(
        client, old)
    later = AgencyFactory(code="H55.05", name="Sở Thử Nghiệm 5", kind=Agency.PROVINCIAL_DEPARTMENT,
                          admin_unit=new.admin_unit)

    _record(client, admin, new, later, django_capture_on_commit_callbacks)

    said = _progress(client, old)
    assert (f"đã chuyển 2 hồ sơ chưa kết thúc (2 sang {new.name}), còn {OPEN - 2} hồ sơ đang chờ chuyển sang "
            f"{later.name}") in said, said

    out = io.StringIO()
    call_command("move_to_successors", stdout=out)  # the operator's command says it too

    assert (f"{old.name} → {later.name}: đã chuyển {OPEN} hồ sơ (2 sang {new.name}, {OPEN - 2} sang {later.name}), "
            "còn 0.") in out.getvalue(), out.getvalue()
    # the two the first successor held went on to its successor with its own (in its save), the rest straight there
    assert Dossier.objects.filter(agency=later).count() == OPEN
    assert DossierEvent.objects.filter(dossier__in=dossiers, action="transfer_agency").count() == OPEN + 2
    said = _progress(client, old)
    assert f"đã chuyển xong {OPEN} hồ sơ chưa kết thúc (2 sang {new.name}, {OPEN - 2} sang {later.name})" in said, said
    [entry] = AuditEntry.objects.filter(action=handover.HANDED_OVER)
    assert entry.data["moved"] == OPEN
    assert entry.data["moved_to"] == [{"successor": new.code, "moved": 2}, {"successor": later.code, "moved": OPEN - 2}]


def test_the_count_by_successor_reads_as_people_write_numbers():
    from motcua.dossiers import handover_texts

    said = handover_texts.finished(1500, "Sở B", timezone.now(), [("Sở A", 1234), ("Sở B", 266)])

    assert "đã chuyển xong 1.500 hồ sơ chưa kết thúc (1.234 sang Sở A, 266 sang Sở B)" in said, said


def test_a_handover_recorded_before_the_count_by_successor_credits_its_moves_to_its_successor(admin):
    """Migration 0018: a handover that had moved dossiers before ``moved_to`` existed reads, on its page, as before
    (everything toward its current successor); one that had moved none starts empty."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("motcua.dossiers.migrations.0018_successor_handover_moved_to")
    old, new, _other = background._departments()
    other_old = AgencyFactory(code="H55.07", name="Sở Thử Nghiệm 7", kind=Agency.PROVINCIAL_DEPARTMENT,
                              admin_unit=old.admin_unit)
    moving = SuccessorHandover.objects.create(agency=old, successor=new, on=timezone.localdate(), actor=admin,
                                              total=9, moved=4)
    fresh = SuccessorHandover.objects.create(agency=other_old, successor=new, on=timezone.localdate(), actor=admin,
                                             total=9)

    migration.counted_toward_the_current_successor(apps, None)

    moving.refresh_from_db()
    fresh.refresh_from_db()
    assert (moving.moved_to, fresh.moved_to) == ([{"agency": new.pk, "moved": 4}], [])
    assert handover.moved_to(moving) == []  # one successor: the page's sentence as before
