"""Create the installation's own keys under MOTCUA_KEYS_DIR (never overwrites): TOTP encryption, audit anchors."""

from motcua.accounts import keys
from motcua.audit import anchors
from motcua.cli import BaseCommand


class Command(BaseCommand):
    help = ("Tạo các khóa riêng của hệ thống trong MOTCUA_KEYS_DIR (không ghi đè khóa đã có): khóa mã hóa bí mật "
            "xác thực hai lớp và khóa ký mốc neo nhật ký. Sao lưu thư mục này cùng cơ sở dữ liệu.")
    # A new production install has no TOTP key yet, which the start-up checks refuse: this command makes it.
    requires_system_checks = []

    def handle(self, *args, **options):
        folder = keys.keys_dir()
        for label, created in (("khóa mã hóa TOTP (totp.key)", keys.create_totp_key()),
                               ("khóa ký mốc neo nhật ký (audit-anchor.key/.pub)", anchors.create_signing_key())):
            state = "đã tạo" if created else "đã có, giữ nguyên"
            self.stdout.write(f"{label}: {state} — {folder}")
