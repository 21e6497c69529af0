"""Open feedback (phản ánh, kiến nghị) follows a reorganization of administrative units
(motcua.units.reorganization): an item an old committee has not finished goes to the new committee with
its deadlines unchanged; finished items stay with the old committee's history. A department whose successor an administrator records in the
admin (units.succession) hands its open items to the successor the same way (``SuccessorTakesFeedback``)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from motcua.core.money import format_number
from motcua.units import receiving
from motcua.units.reorganization import Step, Targets, agency_label, steps
from motcua.units.succession import Follower, followers

from .feedback import OPEN_STATUSES, may_handle, transfer_feedback
from .models import Feedback


def _open(t: Targets):
    return list(Feedback.objects.filter(agency_id__in=t.old_agency_ids, status__in=OPEN_STATUSES)
                .select_related("agency").order_by("pk"))


@steps.register("engagement.feedback")
class OpenFeedback(Step):
    order = 40
    title = "Phản ánh, kiến nghị đang xử lý"
    outcome_labels = {"moved": "phản ánh, kiến nghị chuyển sang cơ quan mới (giữ hạn xử lý)"}

    def preview(self, t: Targets):
        items = _open(t)
        rows = [[fb.code, fb.title, fb.get_status_display(), agency_label(fb.agency), agency_label(t.new_agency),
                 timezone.localtime(fb.handle_due_at).strftime("%d/%m/%Y")] for fb in items]
        return self.section(headers=["Mã", "Tiêu đề", "Trạng thái", "Hiện tại", "Sau sắp xếp", "Hạn xử lý"], rows=rows,
                            counts={"moved": len(items)})

    def pending(self, t: Targets):
        return [(fb.pk, fb) for fb in _open(t)]

    def apply(self, t: Targets, key, fb, actor):
        moved = move_open(actor, fb, t.old_agency_ids, t.new_agency, f"Sắp xếp đơn vị hành chính theo Nghị quyết số "
                                                                     f"{t.plan.resolution_number}")
        if moved is None:
            return None
        return "moved", {"code": moved.code, "from": fb.agency.code, "to": t.new_agency.code}


def move_open(actor, fb, old_ids, to_agency, reason: str) -> Feedback | None:
    """``fb`` goes to ``to_agency`` (``transfer_feedback``), unless it was closed (published, rejected) or moved since
    it was listed (None): read under its lock, so an officer's concurrent publication does not fail the move."""
    with transaction.atomic():
        if (Feedback.objects.select_for_update(of=("self",)).filter(pk=fb.pk, agency_id__in=old_ids,
                                                                   status__in=OPEN_STATUSES)
                .values_list("pk", flat=True).first()) is None:
            return None
        return transfer_feedback(actor, fb, to_agency, reason)


def _open_at(agency):
    return list(Feedback.objects.filter(agency=agency, status__in=OPEN_STATUSES).select_related("agency").order_by("pk"))


@followers.register("engagement.feedback")
class SuccessorTakesFeedback(Follower):
    """The open feedback items addressed to a department no longer working go to the successor an administrator
    recorded, deadlines unchanged, as a merger's plan moves them (``OpenFeedback``); refused before anything is saved
    when the administrator may not move them or the successor does not receive."""

    order = 40

    def refusal(self, actor, agency, successor, on):
        items = _open_at(agency)
        if not items:
            return ""
        count = format_number(len(items), 0)
        if not may_handle(actor, items[0]):
            return (f"{agency.name} còn {count} phản ánh, kiến nghị đang xử lý, sẽ chuyển sang {successor.name}: tài "
                    "khoản này không có quyền chuyển phản ánh, kiến nghị.")
        if refused := receiving.handover_refusal(successor, timezone.localdate()):
            return f"{agency.name} còn {count} phản ánh, kiến nghị đang xử lý: {refused.message}"
        return ""

    def follow(self, actor, agency, successor, on):
        reason = f"{agency.name} ngừng hoạt động, {successor.name} là cơ quan kế thừa"
        moved = [m for fb in _open_at(agency) if (m := move_open(actor, fb, [agency.pk], successor, reason))]
        if not moved:
            return ""
        return (f"Phản ánh, kiến nghị: {format_number(len(moved), 0)} phản ánh, kiến nghị đang xử lý của {agency.name} "
                f"chuyển sang {successor.name} (giữ hạn xử lý).")
