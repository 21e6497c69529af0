"""Restore a backup into an empty database and empty folders, then check counts, checksums and the audit chain."""

from django.core.management.base import CommandError

from motcua.cli import BaseCommand
from motcua.core.backup import BackupError, restore
from motcua.core.money import format_number


class Command(BaseCommand):
    help = ("Khôi phục một bản sao lưu vào cơ sở dữ liệu trống (DATABASE_URL) và các thư mục trống, rồi đối chiếu "
            "số dòng từng bảng, mã băm từng tệp và chuỗi nhật ký hệ thống với mốc neo.")
    # The keys a production start-up check asks for (MOTCUA_KEYS_DIR) are what this command brings back.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("src", help="Thư mục sao lưu do manage.py backup tạo.")

    def handle(self, *args, src, **options):
        try:
            report = restore(src)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if not report.ok:
            raise CommandError("Khôi phục xong nhưng không khớp bản sao lưu:\n" + "\n".join(report.problems))
        self.stdout.write(f"Đã khôi phục {report.tables} bảng ({format_number(report.rows)} dòng) và "
                          f"{format_number(report.files)} tệp; "
                          f"khớp bản sao lưu. {' '.join(report.checks)}")
