"""Move every stored TOTP secret under the installation's own TOTP key (accounts/keys.py)."""

from cryptography.fernet import InvalidToken
from django.core.management.base import CommandError
from django.db import transaction

from motcua.accounts import keys
from motcua.accounts.models import TwoFactorDevice
from motcua.audit.services import record
from motcua.cli import BaseCommand


class Command(BaseCommand):
    help = ("Mã hóa lại bí mật xác thực hai lớp của mọi cán bộ bằng khóa TOTP riêng (MOTCUA_TOTP_KEY hoặc "
            "tệp totp.key); sau đó có thể đổi SECRET_KEY mà cán bộ không phải đăng ký lại.")

    def handle(self, *args, **options):
        if not keys.configured_totp_key():
            raise CommandError("Chưa có khóa TOTP riêng: chạy manage.py create_keys hoặc đặt MOTCUA_TOTP_KEY trước.")
        fernet = keys.fernet()
        moved, unreadable = 0, []
        with transaction.atomic():
            for device in TwoFactorDevice.objects.select_for_update().select_related("user").order_by("pk"):
                try:
                    secret = fernet.rotate(device.secret.encode()).decode()
                except InvalidToken:
                    unreadable.append(device.user.username)
                    continue
                if secret != device.secret:
                    device.secret = secret
                    device.save(update_fields=["secret"])
                    moved += 1
            record("quản trị hệ thống (dòng lệnh)", "twofactor.reencrypted", "system", "totp",
                   {"devices": moved, "unreadable": unreadable})
        self.stdout.write(f"Đã mã hóa lại {moved} thiết bị xác thực hai lớp bằng khóa TOTP riêng.")
        if unreadable:
            self.stderr.write("Không giải mã được (các tài khoản này cần đăng ký lại): " + ", ".join(unreadable))
