import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from motcua.core.errors import DomainError
from motcua.units.models import AdministrativeUnit
from motcua.units.services import reorganize


class Command(BaseCommand):
    help = ("Sáp nhập nhiều đơn vị cấp xã thành một đơn vị mới: đơn vị cũ ngừng hoạt động (sáp nhập vào đơn vị "
            "mới), cơ quan cũ ngừng tiếp nhận; hồ sơ đã tiếp nhận giữ nguyên mã và cơ quan tiếp nhận.")

    def add_arguments(self, parser):
        parser.add_argument("old_codes", nargs="+", help="mã các đơn vị bị sáp nhập")
        parser.add_argument("--code", required=True, help="mã đơn vị mới")
        parser.add_argument("--name", required=True, help="tên đơn vị mới, ví dụ \"Xã Hòa Bình\"")
        parser.add_argument("--level", default="commune", choices=["commune", "ward", "special_zone"])
        parser.add_argument("--from", dest="valid_from", help="ngày hiệu lực dd/mm/yyyy (mặc định hôm nay)")

    def handle(self, *args, old_codes, code, name, level, valid_from=None, **options):
        try:
            day = dt.datetime.strptime(valid_from, "%d/%m/%Y").date() if valid_from else None
        except ValueError as exc:
            raise CommandError("Ngày hiệu lực phải có dạng dd/mm/yyyy.") from exc
        units = list(AdministrativeUnit.objects.filter(code__in=old_codes))
        missing = sorted(set(old_codes) - {u.code for u in units})
        if missing:
            raise CommandError(f"Không tìm thấy đơn vị mã: {', '.join(missing)}.")
        try:
            new = reorganize(units, code=code, name=name, level=level, valid_from=day)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        agency = new.agencies.first()
        self.stdout.write(f"Đã sáp nhập {len(units)} đơn vị vào {new.name} (mã {new.code}); "
                          f"cơ quan mới: {agency.name} — mã định danh {agency.code}.")
