"""Time partitions of the tables that only grow (PostgreSQL): list, create ahead, detach old ones.

    manage.py partitions list
    manage.py partitions create [--ahead N] [--from dd/mm/yyyy] [--table T]   # daily, from cron
    manage.py partitions detach PARTITION                                      # then pg_dump -t it, drop it
"""

import datetime as dt

from django.core.management.base import CommandError
from django.db import connection
from django.utils import formats, timezone

from motcua.cli import BaseCommand
from motcua.db import partitions as p


class Command(BaseCommand):
    help = "Phân vùng theo thời gian (PostgreSQL): liệt kê, tạo trước, tách phân vùng cũ để lưu trữ."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["list", "create", "detach"])
        parser.add_argument("partition", nargs="?", help="detach: tên phân vùng, ví dụ audit_auditentry_p202501")
        parser.add_argument("--table", choices=sorted(p.SPECS), help="chỉ bảng này")
        parser.add_argument("--ahead", type=int, default=None, help="số kỳ tạo trước (mặc định: 3 tháng / 1 năm)")
        parser.add_argument("--from", dest="first", default=None, help="tạo từ kỳ chứa ngày này (dd/mm/yyyy)")

    def handle(self, *args, action, partition=None, table=None, ahead=None, first=None, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Phân vùng chỉ có trên PostgreSQL; với SQLite không cần làm gì.")
        specs = [p.SPECS[table]] if table else list(p.SPECS.values())
        try:
            if action == "list":
                self._list(specs)
            elif action == "create":
                start = dt.datetime.strptime(first, "%d/%m/%Y").date() if first else None
                for spec in specs:
                    made = p.create_ahead(spec, first=start, ahead=ahead)
                    self.stdout.write(f"{spec.table}: {'tạo ' + ', '.join(made) if made else 'đã đủ phân vùng'}")
            else:
                if not partition:
                    raise CommandError("Cần tên phân vùng cần tách (xem: partitions list).")
                spec = next((s for s in p.SPECS.values() if partition.startswith(s.table + "_p")), None)
                if spec is None:
                    raise CommandError(f"“{partition}” không thuộc bảng phân vùng nào.")
                row = p.detach(spec, partition)
                self.stdout.write(f"Đã tách {row}. Lưu trữ: pg_dump -t {partition} …; rồi DROP TABLE {partition}.")
        except ValueError as exc:
            raise CommandError(f"Ngày không hợp lệ (dd/mm/yyyy): {exc}") from exc
        except p.PartitionError as exc:
            raise CommandError(str(exc)) from exc

    def _list(self, specs):
        with connection.cursor() as cur:
            for spec in specs:
                self.stdout.write(f"{spec.table} (mỗi {'tháng' if spec.interval == 'month' else 'năm'} một phân vùng)")
                for part in p.partitions(cur, spec.table):
                    bounds = (f"từ {_local(part['from'])} đến trước {_local(part['to'])}" if part["from"]
                              else "mặc định (ngoài mọi khoảng)")
                    rows = formats.number_format(part["rows"], force_grouping=True)
                    self.stdout.write(f"  {part['name']:<40} {bounds}  ~{rows} bản ghi")


def _local(bound: str) -> str:
    """A bound as PostgreSQL prints it (2026-11-30 17:00:00+00, or a date) as the operator reads it: 01/12/2026 00:00."""
    moment = dt.datetime.fromisoformat(bound)
    if moment.tzinfo is None:
        return f"{moment:%d/%m/%Y}"
    return f"{timezone.localtime(moment):%d/%m/%Y %H:%M}"
