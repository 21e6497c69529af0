"""Deliver outbox events to the national systems and webhooks: ``manage.py dispatch_outbox``.

Run one or more of these (any host); they share the work safely. ``--once`` runs a single batch.
"""

import signal
import time

from motcua.cli import BaseCommand
from motcua.db.outage import OutageGuard
from motcua.integrations import dispatcher
from motcua.integrations.config import dispatch_config


class Command(BaseCommand):
    help = "Gửi các sự kiện trong outbox đến các hệ thống tích hợp (chạy liên tục)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="chạy một lượt rồi dừng")
        parser.add_argument("--interval", type=float, default=1.0, help="giây chờ khi không có việc")
        parser.add_argument("--batch", type=int, default=None)

    def handle(self, *args, once=False, interval=1.0, batch=None, **options):
        stop = {"now": False}

        def _stop(signum, frame):
            stop["now"] = True

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        worker = dispatcher.worker_id()
        self.stdout.write(f"Gửi sự kiện đi: tiến trình {worker}")
        postal_every = dispatch_config()["postal_every_s"]
        last_postal = 0.0
        guard = OutageGuard("dispatch_outbox", self.stderr)  # survives a database failover
        while not stop["now"]:
            with guard:
                if time.monotonic() - last_postal >= postal_every:
                    last_postal = time.monotonic()
                    if changed := dispatcher.refresh_postal():
                        self.stdout.write(f"bưu gửi đổi trạng thái: {changed}")
                result = dispatcher.run_batch(worker=worker, limit=batch)
                if result.claimed or result.fanned_out:
                    self.stdout.write(f"sự kiện mới {result.fanned_out}, đã gửi {result.delivered}, gửi lại sau "
                                      f"{result.retried}, thất bại {result.dead}")
                    for line in result.errors:
                        self.stderr.write(f"  thất bại: {line}")
                if once:
                    break
                if result.idle:
                    time.sleep(interval)
