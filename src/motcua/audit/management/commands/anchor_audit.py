"""Sign the audit chain's head and keep it outside the database (audit/anchors.py); run it every few minutes."""

import time
from contextlib import nullcontext

from django.core.management.base import CommandError

from motcua.audit.anchors import AnchorError, anchor_path, write_anchor
from motcua.cli import BaseCommand
from motcua.db.outage import OutageGuard


class Command(BaseCommand):
    help = "Ghi mốc neo đã ký của chuỗi nhật ký hệ thống ra tệp ngoài cơ sở dữ liệu và hàng đợi sự kiện."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=float, default=0,
                            help="Chạy lặp lại mỗi N giây (0: một lần rồi thoát).")
        parser.add_argument("--no-outbox", action="store_true", help="Không gửi mốc neo qua hàng đợi sự kiện.")

    def handle(self, *args, every=0, no_outbox=False, **options):
        guard = OutageGuard("anchor_audit", self.stderr)  # --every survives a database failover
        while True:
            with guard if every else nullcontext():
                try:
                    anchor = write_anchor(emit=not no_outbox)
                except AnchorError as exc:
                    raise CommandError(str(exc)) from exc
                if anchor is not None:
                    self.stdout.write(f"Mốc neo số {anchor.seq}: bản ghi #{anchor.entry_id} {anchor.hash} → "
                                      f"{anchor_path()}")
                elif not every:
                    self.stdout.write("Không có bản ghi nhật ký mới từ mốc neo trước.")
                if not every:
                    return
                time.sleep(every)
