"""Walk the audit hash chain; exit code 1 and the first broken row when it does not hold."""

from django.core.management.base import BaseCommand, CommandError

from motcua.audit.services import verify_chain


class Command(BaseCommand):
    help = "Kiểm tra tính toàn vẹn của chuỗi băm nhật ký hệ thống."

    def add_arguments(self, parser):
        parser.add_argument("--expect-head", default=None,
                            help="Mã băm cuối đã lưu ở lần kiểm tra trước (phát hiện xóa các bản ghi mới nhất).")

    def handle(self, *args, **options):
        report = verify_chain(expect_head=options["expect_head"])
        if not report.ok:
            raise CommandError(report.message())
        self.stdout.write(report.message())
