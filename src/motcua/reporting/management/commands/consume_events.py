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
        parser.add_argument("--loop", action="store_true", help="keep running, polling every --interval seconds")
        parser.add_argument("--interval", type=float, default=2.0)
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--lag", type=float, default=2.0,
                            help="only read events older than this many seconds (late commits)")
        parser.add_argument("--rebuild", action="store_true", help="drop the read model and replay every event")

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
