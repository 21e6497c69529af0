from pathlib import Path

from django.core.management.base import CommandError

from motcua.cli import BaseCommand
from motcua.core.errors import DomainError
from motcua.transformation.models import Plan
from motcua.transformation.services.plans import unit_agency
from motcua.transformation.xlsx.writer import export_plan

KINDS = {"ke-hoach": Plan.PLAN, "bao-cao": Plan.REPORT}


class Command(BaseCommand):
    help = "Xuất kế hoạch (hoặc báo cáo) chuyển đổi số của một đơn vị ra bảng tính .xlsx, nhập lại được bằng import_plan."

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, help="mã đơn vị hành chính (51 = tỉnh) hoặc mã định danh cơ quan")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--kind", choices=sorted(KINDS), default="ke-hoach")
        parser.add_argument("--output", required=True, help="tệp .xlsx sẽ ghi")

    def handle(self, *args, unit, year, kind, output, **options):
        if not output.lower().endswith(".xlsx"):
            raise CommandError("Tệp xuất phải có đuôi .xlsx.")
        try:
            agency = unit_agency(unit)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        plan = Plan.objects.filter(agency=agency, year=year, kind=KINDS[kind]).first()
        if plan is None:
            raise CommandError(f"{agency.name} chưa có {dict(Plan.KINDS)[KINDS[kind]].lower()} năm {year}.")
        Path(output).write_bytes(export_plan(plan))
        self.stdout.write(f"Đã xuất {plan.title} ({agency.name}) ra {output}.")
