"""Public pages whose owner changes with a reorganization of administrative units
(motcua.units.reorganization): each old committee's statistics page says where it went and links to its
successor; each procedure page names the new receiving agency instead of the old ones."""

from __future__ import annotations

from django.urls import reverse

from motcua.catalog.reorganization import offered_by_old
from motcua.units.reorganization import Step, Targets, agency_label, steps


@steps.register("web.public_pages")
class PublicPages(Step):
    order = 80
    title = "Trang công khai đổi đơn vị chủ quản"

    def preview(self, t: Targets):
        rows = [[reverse("reporting:unit", args=[a.code]), f"Thống kê của {a.name}",
                 f"ghi «đã sáp nhập vào {t.new_unit.name}», dẫn tới trang của {t.new_agency.code}"]
                for a in t.old_agencies]
        rows += [[reverse("portal:procedure", args=[proc.code]), f"Thủ tục {proc.code}",
                  f"nơi nộp: {', '.join(a.code for a in olds)} → {agency_label(t.taker(proc.code))}"]
                 for proc, olds in offered_by_old(t).items()]
        return self.section(headers=["Trang", "Nội dung", "Thay đổi"], rows=rows)
