from django.core.management.base import CommandError

from motcua.cli import BaseCommand
from motcua.core.errors import DomainError
from motcua.units.services import load_units, province_code


class Command(BaseCommand):
    help = ("Nạp đơn vị hành chính 2025 (tỉnh; xã, phường, đặc khu) từ gói vietnam-provinces. "
            "Mặc định: tỉnh cấu hình MOTCUA_PROVINCE_CODE (51 = Quảng Ngãi). Chạy lại nhiều lần không tạo trùng.")

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--province", help="mã tỉnh/thành phố 2025, ví dụ 51")
        group.add_argument("--all", action="store_true", help="nạp toàn bộ 34 tỉnh/thành phố")

    def handle(self, *args, province=None, all=False, **options):
        try:
            report = load_units(province or province_code(), all_provinces=all)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Đơn vị hành chính: {report}.")
