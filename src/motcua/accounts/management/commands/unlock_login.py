"""Unlock an account or a client address locked out for password or token guessing (audited)."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from motcua.accounts.lockout import unlock
from motcua.cli import BaseCommand


class Command(BaseCommand):
    help = "Mở khóa đăng nhập cho một tài khoản hoặc một địa chỉ mạng bị khóa do nhập sai quá nhiều lần."

    def add_arguments(self, parser):
        parser.add_argument("--username", help="Tên đăng nhập bị khóa.")
        parser.add_argument("--address", help="Địa chỉ mạng (IP) bị khóa.")
        parser.add_argument("--by", default="quản trị hệ thống (dòng lệnh)",
                            help="Người mở khóa, ghi vào nhật ký hệ thống.")

    def handle(self, *args, username=None, address=None, by=None, **options):
        if not username and not address:
            raise CommandError("Cần --username hoặc --address.")
        cleared = unlock(by, username=username, address=address)
        target = " và ".join(x for x in (f"tài khoản “{username}”" if username else "",
                                           f"địa chỉ {address}" if address else "") if x)
        self.stdout.write(f"Đã mở khóa {target} (xóa {cleared} bản ghi đăng nhập sai).")
        if username and not get_user_model().objects.filter(username__iexact=username).exists():
            # a name someone guessed at: its failed sign-ins are cleared all the same
            self.stdout.write(f"Lưu ý: không có tài khoản nào tên “{username}”; chỉ các lần đăng nhập sai ghi dưới "
                              "tên này được xóa. Kiểm tra lại tên đăng nhập.")
