"""The integration configuration a reorganization of administrative units must be followed by
(motcua.units.reorganization): the national portal knows agencies by their identity codes.

Nothing is changed here: applying the plan writes ``units.reorganized`` (old codes → new code, the new
agency's procedures) and one ``dossier.transfer_agency`` per moved dossier to the outbox; the ``dvcqg``
adapter delivers both. The preview lists what the portal's administrators must also register on their
side (the new identity code and its procedure list). A successor an administrator records in the admin (a department
merged into another, units.succession) writes ``units.successor_recorded``, which the adapter delivers the same way
(kind "successor"); ``TellThePortal`` tells the administrator so.
"""

from __future__ import annotations

from motcua.core.money import format_number
from motcua.dossiers.reorganization import moved_dossiers
from motcua.units.reorganization import Step, Targets, agency_label, steps
from motcua.units.succession import Follower, followers

from .config import target_config
from .models import WebhookSubscription


@steps.register("integrations.national_portal")
class NationalPortal(Step):
    order = 70
    title = "Cấu hình tích hợp: Cổng Dịch vụ công quốc gia"

    def preview(self, t: Targets):
        portal = target_config("dvcqg")
        rows = [[agency_label(a), t.new_agency.code, "ngừng dùng cho hồ sơ mới; hồ sơ cũ giữ mã"] for a in t.old_agencies]
        updates = moved_dossiers(t).exclude(code__isnull=True).count()
        hooks = [w.name for w in WebhookSubscription.objects.filter(is_active=True)
                 if any(p.strip().startswith(("units.", "dossier.", "*")) for p in w.topics.split(","))]
        facts = [("Cổng DVCQG", f"đã cấu hình ({portal['url']})" if portal.get("url") else
                  "chưa cấu hình: mã mới không được gửi lên Cổng (sự kiện không chờ đến khi cấu hình); "
                  "khai báo trên Cổng bằng tay"),
                 ("Cập nhật trạng thái hồ sơ gửi Cổng (đổi cơ quan)", str(updates)),
                 ("Webhook nhận sự kiện", ", ".join(hooks) or "không có")]
        notes = [f"Khai báo mã định danh {t.new_agency.code} ({t.new_agency.name}) và danh mục thủ tục của cơ quan "
                 "mới trên Cổng Dịch vụ công quốc gia; hệ thống gửi sự kiện units.reorganized nêu mã cũ → mã mới."]
        return self.section(headers=["Mã định danh cũ", "Mã định danh mới", "Ghi chú"], rows=rows, facts=facts,
                            notes=notes)


@followers.register("integrations.national_portal")
class TellThePortal(Follower):
    """What the national portal learns of a successor recorded in the admin (units.succession's outbox event, which
    the ``dvcqg`` adapter delivers as an agency change), for the administrator: the portal stops routing citizens to
    the old code. After the catalog's follower (``order``): what it could not hand the successor is what citizens
    still cannot file there."""

    order = 70

    def follow(self, actor, agency, successor, on):
        change = f"mã định danh {agency.code} → {successor.code} từ ngày {on:%d/%m/%Y}"
        if not target_config("dvcqg").get("url"):
            return (f"Cổng Dịch vụ công quốc gia chưa cấu hình: hệ thống không gửi được thông báo {change}; cập nhật "
                    f"cơ quan tiếp nhận thủ tục của {agency.name} trên Cổng.")
        procedures = self.procedure_codes  # the agency's, before the catalog's follower handed them over
        said = f"Cổng Dịch vụ công quốc gia được thông báo qua hàng đợi sự kiện: {change}"
        if procedures:
            said += f", {format_number(len(procedures))} thủ tục của {agency.name} chuyển sang {successor.name}"
        # the portal sends citizens there, but intake takes a procedure only at an agency the catalog names for it
        if missing := sorted(set(procedures) - set(successor.procedure_codes())):
            said += (f". Danh mục thủ tục chưa ghi {successor.name} tiếp nhận {format_number(len(missing))} thủ tục "
                     f"trong số đó ({', '.join(missing[:5])}{', …' if len(missing) > 5 else ''}): bổ sung để công dân nộp được")
        return said + "."
