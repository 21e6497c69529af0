"""Back up the installation into a new folder (docs/operations.md, "Backup and restore")."""

from django.core.management.base import CommandError

from motcua.cli import BaseCommand
from motcua.core.backup import BackupError, backup
from motcua.core.money import format_number


class Command(BaseCommand):
    help = ("Sao lưu cơ sở dữ liệu, tệp đã tải lên, khóa và chứng thư (PKI), khóa riêng và mốc neo nhật ký vào một "
            "thư mục mới (quyền 0700: có khóa bí mật).")

    def add_arguments(self, parser):
        parser.add_argument("dest", help="Thư mục sao lưu (chưa có, hoặc trống).")

    def handle(self, *args, dest, **options):
        try:
            manifest = backup(dest)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        tables = manifest["database"]["tables"]
        files = sum(folder["count"] for folder in manifest["files"].values())
        self.stdout.write(f"Đã sao lưu {len(tables)} bảng ({format_number(sum(tables.values()))} dòng) và "
                          f"{format_number(files)} tệp vào {dest}.")
        if manifest["sealed"]:
            self.stdout.write("Đã ký manifest.json bằng MOTCUA_BACKUP_KEY (manifest.json.hmac).")
        else:
            self.stdout.write("Chưa ký bản sao lưu: cấu hình MOTCUA_BACKUP_KEY (giữ ngoài máy chủ, cùng MOTCUA_SECRET_KEY) "
                              "để khi khôi phục kiểm tra được bản sao lưu không bị sửa.")
        if manifest["warnings"]:  # the live system lacks them already: no backup can carry them
            self.stderr.write("Cảnh báo — bản sao lưu không thể chứa những gì hệ thống đang chạy đã thiếu:\n"
                              + "\n".join(manifest["warnings"]))
