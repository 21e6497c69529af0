"""Apply pending outbox events to the statistics read model (idempotent, restartable)."""

import time
from contextlib import nullcontext

from django.core.management.base import CommandError

from motcua.cli import BaseCommand
from motcua.db.outage import OutageGuard
from motcua.reporting import consumer


class Command(BaseCommand):
    help = "Cập nhật số liệu thống kê từ các sự kiện hồ sơ (outbox)."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="chạy liên tục, xem sự kiện mới mỗi --interval giây")
        parser.add_argument("--interval", type=float, default=2.0, help="số giây chờ giữa hai lượt (mặc định 2)")
        parser.add_argument("--batch-size", type=int, default=500, help="số sự kiện mỗi lượt (mặc định 500)")
        parser.add_argument("--lag", type=float, default=2.0,
                            help="chỉ đọc sự kiện ghi cách đây hơn ngần ấy giây (giao dịch ghi muộn; mặc định 2)")
        parser.add_argument("--rebuild", action="store_true",
                            help="xóa dữ liệu thống kê đã tổng hợp rồi đọc lại mọi sự kiện từ đầu")

    def handle(self, *args, **opts):
        if opts["rebuild"]:
            try:
                n = consumer.rebuild()
            except consumer.RebuildRefused as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"Đã dựng lại số liệu từ {n} sự kiện.")
            return
        guard = OutageGuard("consume_events", self.stderr)  # --loop survives a database failover
        while True:
            with guard if opts["loop"] else nullcontext():
                n = consumer.consume(batch_size=opts["batch_size"], lag_seconds=opts["lag"])
                if n or not opts["loop"]:
                    self.stdout.write(f"Đã xử lý {n} sự kiện.")
                if not opts["loop"]:
                    return
                time.sleep(opts["interval"])
