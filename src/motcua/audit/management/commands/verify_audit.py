"""Walk the audit hash chain against its signed anchors; exit code 1 and the first broken row when it does not hold."""

from django.core.management.base import BaseCommand, CommandError

from motcua.audit import anchors as anchor_store
from motcua.audit.services import verify_chain


class Command(BaseCommand):
    help = "Kiểm tra tính toàn vẹn của chuỗi băm nhật ký hệ thống, đối chiếu với các mốc neo đã ký."

    def add_arguments(self, parser):
        parser.add_argument("--expect-head", default=None,
                            help="Mã băm cuối đã lưu ở lần kiểm tra trước (phát hiện xóa các bản ghi mới nhất).")
        parser.add_argument("--anchors", default=None,
                            help="Tệp mốc neo cần đối chiếu (mặc định: MOTCUA_AUDIT_ANCHOR_DIR/anchors.jsonl), "
                                 "ví dụ bản sao nhận qua webhook audit.anchor.")
        parser.add_argument("--public-key", default=None,
                            help="Khóa công khai kiểm tra chữ ký mốc neo (mặc định: MOTCUA_KEYS_DIR/audit-anchor.pub).")
        parser.add_argument("--without-anchors", action="store_true",
                            help="Chỉ kiểm tra chuỗi băm, không đối chiếu mốc neo (không phát hiện bị cắt bớt).")

    def handle(self, *args, **options):
        anchors = None
        if not options["without_anchors"]:
            try:
                anchors = anchor_store.load(options["anchors"], options["public_key"])
            except anchor_store.AnchorError as exc:
                raise CommandError(str(exc)) from exc
        if anchors is None:
            report = verify_chain(expect_head=options["expect_head"])
        else:  # archived partitions count only with their signed record (audit.segments)
            report = anchor_store.verify_with_anchors(anchors, options["expect_head"], options["public_key"])
        if not report.ok:
            raise CommandError(report.message())
        if anchors is not None and not anchors and report.checked:
            raise CommandError(f"Chưa có mốc neo nào cho {report.checked} bản ghi nhật ký: không thể biết nhật ký có "
                               "bị cắt bớt hay không. Chạy manage.py anchor_audit (định kỳ), hoặc --without-anchors.")
        self.stdout.write(report.message())
