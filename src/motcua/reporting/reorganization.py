"""What a reorganization of administrative units changes in the statistics (motcua.units.reorganization).

Every figure counts under the agency that had the dossier when it happened (metrics.py, *Agency*): an old
committee keeps its past figures, its Decision 766 index of a period before the merger does not change. A dossier
that moves (``dossier.transfer_agency``) is the new agency's from the day the merger took effect, however late the
plan is applied (its stock, its decision; a receipt only if the old committee received it on or after that
day), and a dossier the old committee closed in between moves too (dossiers.lifecycle.reorganization.moves_under);
the new agency's pages and reports include the old committees' history when asked ("gồm đơn vị tiền thân", scope
``lineage:<code>``, motcua.units.reorganization.lineage_codes). Either way each dossier counts once, so the
province's totals do not change.
"""

from __future__ import annotations

from django.db.models import Count, Q

from motcua.dossiers.models import Dossier, Status
from motcua.dossiers.reorganization import moved_dossiers
from motcua.units.reorganization import Step, Targets, agency_label, steps

from .models import StatCounter


@steps.register("reporting.statistics")
class Statistics(Step):
    order = 60
    title = "Số liệu thống kê đổi đơn vị chủ quản"

    def preview(self, t: Targets):
        moving = set(moved_dossiers(t).filter(agency_id__in=t.old_agency_ids).exclude(status=Status.DRAFT)
                     .values_list("pk", flat=True))
        per_agency = {row["agency_id"]: row for row in Dossier.objects.filter(agency_id__in=t.old_agency_ids)
                      .exclude(status=Status.DRAFT).values("agency_id")
                      .annotate(total=Count("pk"), moving=Count("pk", filter=Q(pk__in=moving)))}
        rows = []
        for agency in t.old_agencies:
            row = per_agency.get(agency.pk, {"total": 0, "moving": 0})
            rows.append([agency_label(agency), str(row["total"]), str(row["moving"]), str(row["total"] - row["moving"])])
        counters = StatCounter.objects.filter(agency_code__in=[a.code for a in t.old_agencies]).count()
        since = f"{t.plan.effective_date:%d/%m/%Y}"
        facts = [("Dòng số liệu (theo ngày, tháng, năm) của đơn vị cũ", str(counters)),
                 ("Số liệu các kỳ trước của đơn vị cũ", "giữ nguyên (kể cả chỉ số 766): hồ sơ chuyển đi được tính "
                                                       f"cho đơn vị mới từ ngày nghị quyết có hiệu lực ({since}), "
                                                       "dù phương án được thực hiện sau ngày đó"),
                 ("Tổng số liệu toàn tỉnh", "không đổi: mỗi hồ sơ chỉ được đếm một lần")]
        notes = [f"Trang thống kê và báo cáo của {t.new_agency.name} có lựa chọn «gồm số liệu các đơn vị tiền thân» "
                 "để xem cả lịch sử của các đơn vị cũ."]
        return self.section(headers=["Đơn vị cũ", "Hồ sơ trong số liệu", f"Chuyển sang {t.new_agency.code} từ ngày {since}",
                                     f"Giữ ở đơn vị cũ (kết thúc trước ngày {since})"], rows=rows, facts=facts,
                            notes=notes)
