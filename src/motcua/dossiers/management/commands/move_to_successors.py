"""Finish moving the open dossiers of departments whose successor an administrator recorded in the admin, when the
task worker stopped before it had moved them all (dossiers.handover): in this process, batch by batch; a dossier
already moved is not moved again. ``--enqueue`` hands them to the task worker (``manage.py db_worker``) instead.
``--as <username>``: a provincial administrator carries on the moves of an administrator who has lost that role since
recording the successor (paused until then: dossiers.handover.blocker)."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from motcua.cli import BaseCommand
from motcua.core.errors import PermissionDenied
from motcua.core.money import format_number
from motcua.dossiers import handover
from motcua.dossiers.handover_texts import ONLY_PROVINCIAL
from motcua.dossiers.models import SuccessorHandover


class Command(BaseCommand):
    help = "Chuyển nốt hồ sơ chưa kết thúc sang cơ quan kế thừa đã ghi nhận trong trang quản trị"

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true",
                            help="giao cho tiến trình chạy nền (manage.py db_worker) thay vì chuyển ngay tại đây")
        parser.add_argument("--as", dest="as_user", metavar="TÊN_ĐĂNG_NHẬP",
                            help="quản trị viên cấp tỉnh nhận tiếp việc chuyển của người ghi nhận đã mất vai trò này")

    def handle(self, *args, enqueue=False, as_user=None, **options):
        pending = list(handover.unfinished().order_by("pk"))
        if not pending:
            self.stdout.write("Không còn hồ sơ nào chờ chuyển sang cơ quan kế thừa.")
        actor = self._actor(as_user) if as_user else None
        for each in pending:
            if actor is not None:
                try:
                    if handover.take_over(each.pk, actor):
                        self.stdout.write(f"{each.agency.name} → {each.successor.name}: {actor.username} nhận tiếp "
                                          "việc chuyển.")
                except PermissionDenied as refused:
                    raise CommandError(f"Tài khoản {actor.username} không nhận tiếp được việc chuyển: "
                                       f"{ONLY_PROVINCIAL}.") from refused
            if enqueue:
                handover.move_to_successor.enqueue(each.pk)
                self.stdout.write(f"{each.agency.name} → {each.successor.name}: đã giao cho tiến trình chạy nền.")
                continue
            handover.run(each.pk)
            done = SuccessorHandover.objects.select_related("successor").get(pk=each.pk)  # as it stands now
            left = handover.waiting(each.agency_id).count()
            several = handover.moved_to(done)  # re-pointed midway: how many went to each successor
            split = (" (" + ", ".join(f"{format_number(count, 0)} sang {agency.name}" for agency, count in several) + ")"
                     if several else "")
            self.stdout.write(f"{each.agency.name} → {done.successor.name}: đã chuyển "
                              f"{format_number(done.moved, 0)} hồ sơ{split}, còn {format_number(left, 0)}."
                              + (f" Tạm dừng vì {done.blocked}." if done.blocked else "")
                              + handover.refused_moves(done))

    @staticmethod
    def _actor(username):
        actor = get_user_model().objects.filter(username=username).first()
        if actor is None:
            raise CommandError(f"Không có tài khoản có tên đăng nhập «{username}».")
        return actor
