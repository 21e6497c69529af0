"""Walk the audit hash chain against its signed anchors, then the entries not chained yet (the window).

Exit code 1 with the first broken row when the chain does not hold, or when the oldest entry not chained yet
has waited longer than the bound (MOTCUA_AUDIT_CHAIN_WINDOW_S, --max-window): the chainer is down or a
transaction stays open (docs/operations.md, "Audit chaining")."""

from django.core.management.base import CommandError
from django.utils import formats, timezone

from motcua.audit import anchors as anchor_store
from motcua.audit import chainer
from motcua.audit.services import verify_chain
from motcua.cli import BaseCommand
from motcua.core.money import format_number


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
        parser.add_argument("--max-window", type=float, default=None,
                            help="Số giây tối đa một bản ghi được phép chờ nối vào chuỗi "
                                 "(mặc định MOTCUA_AUDIT_CHAIN_WINDOW_S).")

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
        bound = chainer.window_bound_s() if options["max_window"] is None else options["max_window"]
        age = chainer.Window(report.pending, report.oldest_pending_at).age_s()
        seen = chainer.last_seen()
        when = formats.date_format(timezone.localtime(seen), "d/m/Y H:i:s") if seen else ""
        self.stdout.write(f"Cửa sổ chưa nối chuỗi: {format_number(report.pending)} bản ghi, chờ lâu nhất "
                          f"{format_number(age, 1)} giây (giới hạn {format_number(bound, 1)} giây); tiến trình "
                          f"chain_audit " + (f"chạy lần cuối lúc {when}." if seen else "chưa chạy lần nào."))
        if age > bound:
            raise CommandError(f"Có bản ghi nhật ký đã chờ {format_number(age)} giây mà chưa được nối vào chuỗi "
                               f"(giới hạn {format_number(bound, 1)} giây): tiến trình manage.py chain_audit không chạy, hoặc một giao dịch cơ sở dữ liệu "
                               "mở quá lâu (xem docs/operations.md, mục Audit chaining).")
