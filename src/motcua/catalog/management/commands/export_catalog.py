from django.core.management.base import CommandError

from motcua.catalog.io import export_catalog
from motcua.cli import BaseCommand
from motcua.core.errors import DomainError


class Command(BaseCommand):
    help = "Xuất danh mục thủ tục hành chính ra tệp .json hoặc .xlsx (định dạng theo phần mở rộng)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="đường dẫn tệp .json hoặc .xlsx")

    def handle(self, *args, path, **options):
        try:
            count = export_catalog(path)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Đã xuất {count} thủ tục ra {path}.")
