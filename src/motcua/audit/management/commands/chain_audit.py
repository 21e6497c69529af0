"""Link the audit entries into the hash chain, off the writers' commit path (audit/chainer.py).

Runs as a process (``make demo`` starts it); ``--once`` chains what is ready and exits. Killed at any moment
(even kill -9) it loses and repeats nothing: each batch is one transaction, the next run starts after the last
committed one.
"""

from django.core.management.base import CommandError

from motcua.audit import chainer
from motcua.cli import BaseCommand
from motcua.core.money import format_number
from motcua.db.outage import OutageGuard


class Command(BaseCommand):
    help = "Nối các bản ghi nhật ký hệ thống mới vào chuỗi băm, theo thứ tự cam kết (tiến trình nền)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Nối những gì đã sẵn sàng rồi thoát.")
        parser.add_argument("--batch", type=int, default=chainer.DEFAULT_BATCH,
                            help="Số bản ghi mỗi lô (một giao dịch), mặc định %(default)s.")
        parser.add_argument("--poll", type=float, default=2.0,
                            help="Không có thông báo NOTIFY thì kiểm tra lại sau N giây (mặc định %(default)s).")

    def handle(self, *args, once=False, batch=chainer.DEFAULT_BATCH, poll=2.0, **options):
        if batch < 1 or poll <= 0:
            raise CommandError("--batch phải từ 1 trở lên và --poll phải lớn hơn 0.")
        if once:
            try:
                done = chainer.chain_pending(batch)
            except chainer.ChainError as exc:
                raise CommandError(str(exc)) from exc
            chainer.mark_ran()
            window = chainer.window()
            self.stdout.write(f"Đã nối {format_number(done)} bản ghi vào chuỗi; còn {format_number(window.count)} bản "
                              "ghi chưa nối "
                              "(thuộc các giao dịch chưa kết thúc).")
            return
        guard = OutageGuard("chain_audit", self.stderr)  # survives a database failover
        listener = chainer.Listener()
        self.stdout.write(f"Tiến trình nối chuỗi nhật ký đang chạy (lô {batch} bản ghi, kiểm tra lại mỗi "
                          f"{format_number(poll, 1)} giây).")
        try:
            while True:
                with guard:
                    done = chainer.step(listener, batch, poll)
                    if done:
                        self.stdout.write(f"Đã nối {format_number(done)} bản ghi; đầu chuỗi: số {chainer.head()[0]}.")
        except chainer.ChainError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            listener.close()
