from django.core.management.base import CommandError

from motcua.catalog.io import CatalogInvalid, import_catalog
from motcua.cli import BaseCommand
from motcua.core.errors import DomainError


class Command(BaseCommand):
    help = ("Nhập danh mục thủ tục hành chính từ tệp .json hoặc .xlsx (lĩnh vực, thủ tục, thành phần hồ sơ, "
            "quy trình, phí, cơ quan tiếp nhận theo mã). Có lỗi thì không nhập gì và liệt kê từng lỗi.")

    def add_arguments(self, parser):
        parser.add_argument("path", help="đường dẫn tệp .json hoặc .xlsx")

    def handle(self, *args, path, **options):
        try:
            stats = import_catalog(path)
        except CatalogInvalid as exc:
            for line in exc.errors:
                self.stderr.write(f"  - {line}")
            raise CommandError(exc.message) from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Đã nhập {stats['created'] + stats['updated']} thủ tục "
                          f"(tạo mới {stats['created']}, cập nhật {stats['updated']}), {stats['fields']} lĩnh vực.")
