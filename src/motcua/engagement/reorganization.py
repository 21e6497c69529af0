"""Open feedback (phản ánh, kiến nghị) follows a reorganization of administrative units
(motcua.units.reorganization): an item an old committee has not finished goes to the new committee with
its deadlines unchanged; finished items stay with the old committee's history."""

from __future__ import annotations

from django.utils import timezone

from motcua.units.reorganization import Step, Targets, agency_label, steps

from .feedback import OPEN_STATUSES, transfer_feedback
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
        if not Feedback.objects.filter(pk=fb.pk, agency_id__in=t.old_agency_ids, status__in=OPEN_STATUSES).exists():
            return None
        moved = transfer_feedback(actor, fb, t.new_agency, f"Sắp xếp đơn vị hành chính theo Nghị quyết số "
                                                           f"{t.plan.resolution_number}")
        return "moved", {"code": moved.code, "from": fb.agency.code, "to": t.new_agency.code}
