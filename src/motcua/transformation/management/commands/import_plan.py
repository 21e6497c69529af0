from pathlib import Path

from django.core.management.base import CommandError

from motcua.cli import BaseCommand
from motcua.core.errors import DomainError
from motcua.transformation.models import Plan
from motcua.transformation.money import format_million
from motcua.transformation.permissions import SystemActor
from motcua.transformation.services.plans import unit_agency
from motcua.transformation.xlsx.importer import import_plan

KINDS = {"ke-hoach": Plan.PLAN, "bao-cao": Plan.REPORT}


class Command(BaseCommand):
    help = ("Nhập kế hoạch (hoặc báo cáo) chuyển đổi số của một đơn vị từ bảng tính .xlsx trình bày như các phụ lục: "
            "STT, Nội dung nhiệm vụ, Đơn vị chủ trì, Diễn giải, Kinh phí (triệu đồng), Nguồn vốn, Thời gian thực hiện; "
            "dòng nhóm đánh số La Mã. Có lỗi thì không nhập gì và liệt kê lỗi từng dòng.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="tệp .xlsx")
        parser.add_argument("--unit", required=True, help="mã đơn vị hành chính (51 = tỉnh, 5 chữ số = xã/phường) "
                                                          "hoặc mã định danh cơ quan (H51.02)")
        parser.add_argument("--year", required=True, type=int, help="năm của kế hoạch")
        parser.add_argument("--kind", choices=sorted(KINDS), default="ke-hoach", help="ke-hoach (mặc định) hoặc bao-cao")
        parser.add_argument("--from-year", type=int, default=None, help="báo cáo nhiều năm: năm bắt đầu")
        parser.add_argument("--title", default="", help="tên kế hoạch khi tạo mới")
        parser.add_argument("--replace", action="store_true", help="thay toàn bộ nhiệm vụ của kế hoạch đã có")
        parser.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không ghi gì")

    def handle(self, *args, file, unit, year, kind, from_year, title, replace, dry_run, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp {file}.")
        try:
            agency = unit_agency(unit)
            result = import_plan(SystemActor("manage.py import_plan"), path.read_bytes(), agency=agency, year=year,
                                 kind=KINDS[kind], first_year=from_year, replace=replace, dry_run=dry_run, title=title)
        except DomainError as exc:
            for err in exc.details.get("errors", []):
                where = f"dòng {err['row']}" if err.get("row") else "cả bảng"
                self.stderr.write(f"  - {where}: {err['message']}")
            raise CommandError(exc.message) from exc
        parsed = result.parsed
        verb = "Kiểm tra xong (chưa ghi)" if dry_run else ("Đã tạo và nhập" if result.created else "Đã nhập")
        self.stdout.write(f"{verb}: {agency.name}, năm {year}: {len(parsed.groups)} nhóm, {result.tasks} nhiệm vụ, "
                          f"tổng kinh phí {format_million(parsed.planned_vnd)} triệu đồng.")
        if result.notes:
            self.stdout.write(result.notes)
