"""Daily: list (or, with --apply, delete) stored files under documents/ that no row refers to (documents/orphans.py)."""

import datetime as dt

from django.core.management.base import CommandError

from motcua.audit.services import record as audit_record
from motcua.cli import BaseCommand
from motcua.core.money import format_number
from motcua.documents.orphans import sweep


class Command(BaseCommand):
    help = ("Tìm tệp đính kèm mồ côi (không bản ghi nào tham chiếu) trong kho tệp; mặc định chỉ liệt kê, "
            "--apply để xóa.")

    def add_arguments(self, parser):
        parser.add_argument("--apply", action="store_true", help="Xóa các tệp mồ côi (mặc định: chỉ liệt kê).")
        parser.add_argument("--older-than-hours", type=float, default=24,
                            help="Chỉ xét tệp ghi cách đây hơn N giờ (mặc định 24; tối thiểu 1).")

    def handle(self, *args, apply=False, older_than_hours=24, **options):
        if older_than_hours < 1:
            raise CommandError("--older-than-hours phải từ 1 giờ trở lên: tệp mới ghi có thể thuộc giao dịch chưa xong.")
        result = sweep(older_than=dt.timedelta(hours=older_than_hours), apply=apply)
        for name, size in result.orphans:
            self.stdout.write(f"{'đã xóa' if apply else 'mồ côi'}: {name} ({format_number(size)} byte)")
        hours = format_number(older_than_hours, 0 if older_than_hours == int(older_than_hours) else 1)
        self.stdout.write(
            f"Đã quét {format_number(result.scanned)} tệp: {format_number(result.referenced)} đang được tham chiếu, "
            f"{format_number(result.young)} mới ghi (dưới {hours} giờ), {format_number(len(result.orphans))} mồ côi "
            f"(trong đó {format_number(result.held_expired)} tệp gửi kèm không được nộp, quá hạn chờ chọn nơi nộp) "
            f"({format_number(result.orphan_bytes)} byte)"
            + (f"; đã xóa {format_number(result.removed)}." if apply else "; chạy lại với --apply để xóa."))
        if apply and result.removed:
            audit_record(None, "documents.orphans_swept", "storage", "documents",
                         {"removed": result.removed, "bytes": result.orphan_bytes,
                          "names": [name for name, _ in result.orphans][:200]})
