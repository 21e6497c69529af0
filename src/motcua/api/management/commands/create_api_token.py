from django.core.management.base import CommandError

from motcua.accounts.models import User
from motcua.api.auth import issue_token
from motcua.cli import BaseCommand


class Command(BaseCommand):
    help = "Tạo khóa API cho một tài khoản; chuỗi bí mật chỉ được in ra một lần."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("name", help="Tên gợi nhớ của khóa, ví dụ: 'Cổng DVC quốc gia'.")

    def handle(self, *args, username, name, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Không có tài khoản “{username}”.")
        if not user.is_active:
            raise CommandError(f"Tài khoản “{username}” đang bị khóa.")
        token, raw = issue_token(user, name)
        self.stderr.write(f"Đã tạo khóa “{token.name}” ({token.prefix}…) cho {username}. Lưu lại ngay, "
                          "chuỗi này không hiển thị lại:")
        self.stdout.write(raw)
