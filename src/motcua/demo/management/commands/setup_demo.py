"""Load everything a demo needs, idempotently: units, agencies, calendar, catalog, accounts, dossiers, and the
digital-transformation plans and round."""

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from motcua.audit.anchors import anchor_path
from motcua.audit.models import AuditEntry
from motcua.catalog.io import CatalogInvalid, import_catalog
from motcua.cli import BaseCommand
from motcua.core.errors import DomainError
from motcua.core.models import CalendarException
from motcua.demo import data as demo_data
from motcua.demo.decision766 import date_catalog
from motcua.demo.result_templates import ensure_result_templates
from motcua.demo.transformation import ensure_transformation
from motcua.dossiers.models import Dossier, Status
from motcua.units.services import default_prefix, load_agencies, load_units, province_code

DEMO_CATALOG = Path(__file__).resolve().parents[2] / "demo_catalog.json"


class Command(BaseCommand):
    help = ("Nạp dữ liệu trình diễn (chạy lại nhiều lần không tạo trùng): đơn vị hành chính 2025 của tỉnh, "
            "cơ quan, quầy, phòng ban, lịch làm việc, danh mục thủ tục mẫu, tài khoản mẫu, hồ sơ mẫu, kế hoạch và kỳ "
            "báo cáo chuyển đổi số mẫu.")

    def add_arguments(self, parser):
        parser.add_argument("--dossiers", type=int, default=100, help="số hồ sơ mẫu (mặc định 100; 0 = không tạo)")
        parser.add_argument("--prefix", help="tiền tố mã định danh cơ quan (mặc định MOTCUA_AGENCY_CODE_PREFIX/H51)")
        parser.add_argument("--seed", type=int, default=2025, help="hạt giống ngẫu nhiên của hồ sơ mẫu")

    def say(self, text):
        self.stdout.write(text)

    def handle(self, *args, dossiers=100, prefix=None, seed=2025, **options):
        started = time.monotonic()
        prefix = prefix or default_prefix()
        if aside := set_aside_earlier_anchors():
            self.say(f"Mốc neo nhật ký của cơ sở dữ liệu trình diễn trước (đã xóa) được chuyển sang {aside}.")
        try:
            self.say(f"Đơn vị hành chính: {load_units(province_code())}.")
            self.say(f"Cơ quan, quầy, phòng ban: {load_agencies(province_code(), prefix=prefix)}.")
            self.say(f"Lịch làm việc: {calendar_summary()}.")
            stats = import_catalog(DEMO_CATALOG)
            moved = date_catalog(timezone.localdate())
            self.say(f"Danh mục thủ tục mẫu: tạo mới {stats['created']}, cập nhật {stats['updated']} "
                     f"(ngày công bố mẫu dời {moved} ngày cho gần hôm nay).")
            rows = demo_data.ensure_users(prefix)
            self.say(f"Mẫu kết quả (.docx) của thủ tục mẫu: thêm {ensure_result_templates()}.")
            for line in ensure_transformation(prefix, demo_data.DEMO_COMMUNE_UNIT):
                self.say(f"Chuyển đổi số: {line}.")
        except CatalogInvalid as exc:
            raise CommandError(exc.message + "\n" + "\n".join(exc.errors)) from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.dossiers(dossiers, prefix, seed)
        self.table(rows)
        self.say(f"Xong sau {time.monotonic() - started:.1f} giây.")

    def dossiers(self, count, prefix, seed):
        if count <= 0:
            self.say("Hồ sơ mẫu: bỏ qua (--dossiers 0).")
            return
        existing = Dossier.objects.filter(idempotency_key__startswith=demo_data.DEMO_KEY).count()
        if existing:
            self.say(f"Hồ sơ mẫu: đã có {existing} hồ sơ, không tạo thêm.")
            return
        try:
            with transaction.atomic():
                stats = demo_data.generate_dossiers(count, prefix, seed=seed, log=self.say)
        except (ImportError, AttributeError, TypeError) as exc:
            # The lifecycle module is the only way to create dossiers; if it is missing, say so.
            self.say(f"Hồ sơ mẫu: bỏ qua — chưa dùng được motcua.dossiers.lifecycle ({exc}).")
            return
        parts = ", ".join(f"{_status_label(k).lower()} {v}" for k, v in sorted(stats.items()))
        self.say(f"Hồ sơ mẫu trong {60} ngày qua: {sum(stats.values())} ({parts}).")

    def table(self, rows):
        self.say("")
        self.say("Tài khoản mẫu (chỉ dùng để trình diễn, đổi mật khẩu khi triển khai thật):")
        header = ("Tên đăng nhập", "Mật khẩu", "Vai trò", "Nơi làm việc")
        body = [(spec.username, spec.password, dict(demo_data.Role.choices)[spec.role],
                 agency.name if agency else ("—" if spec.role == demo_data.Role.CITIZEN else "Toàn tỉnh")) for spec, agency in rows]
        widths = [max(len(r[i]) for r in [header, *body]) for i in range(4)]
        line = "  ".join("-" * w for w in widths)
        self.say("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
        self.say(line)
        for row in body:
            self.say("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
        self.say(f"Cán bộ các cơ quan khác xử lý hồ sơ mẫu: canbo.<mã cơ quan> / {demo_data.STAFF_PASSWORD} "
                 "(ví dụ canbo.h51.03).")


def calendar_summary() -> str:
    """The working calendar has nothing to load: public holidays come with the code, extra days off and make-up
    working days are entered in the admin."""
    changed = CalendarException.objects.count()
    return ("ngày nghỉ lễ, Tết theo Bộ luật Lao động 2019 (điều 112) có sẵn; ngày nghỉ bù, làm bù nhập tại "
            f"Quản trị › Lịch làm việc › Lịch nghỉ/làm bù (hiện có {changed} ngày)")


def _status_label(value: str) -> str:
    return Status(value).label if value in Status.values else "bỏ qua"


def set_aside_earlier_anchors() -> Path | None:
    """The demo's database made anew (its file deleted) beside the anchors of the one before: verify_audit would
    call the new chain rewritten from its first entry. In demo mode, while the audit log is still empty, anchors
    can only be an earlier database's: they are moved aside (kept, renamed), never deleted. Outside demo mode an
    emptied audit log beside its anchors is exactly what verify_audit must report, so nothing is touched."""
    path = anchor_path()
    if not settings.MOTCUA_DEMO or not path.exists() or AuditEntry.objects.exists():
        return None
    aside = path.with_name(f"anchors-{timezone.localtime():%Y%m%d-%H%M%S}-earlier-database.jsonl")
    path.rename(aside)
    return aside
