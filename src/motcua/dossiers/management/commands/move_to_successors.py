"""Finish moving the open dossiers of departments whose successor an administrator recorded in the admin, when the
task worker stopped before it had moved them all (dossiers.handover): in this process, batch by batch; a dossier
already moved is not moved again. ``--enqueue`` hands them to the task worker (``manage.py db_worker``) instead."""

from django.core.management.base import BaseCommand

from motcua.core.money import format_number
from motcua.dossiers import handover


class Command(BaseCommand):
    help = "Chuyển nốt hồ sơ chưa kết thúc sang cơ quan kế thừa đã ghi nhận trong trang quản trị"

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true",
                            help="giao cho tiến trình chạy nền (manage.py db_worker) thay vì chuyển ngay tại đây")

    def handle(self, *args, enqueue=False, **options):
        pending = list(handover.unfinished().order_by("pk"))
        if not pending:
            self.stdout.write("Không còn hồ sơ nào chờ chuyển sang cơ quan kế thừa.")
        for each in pending:
            if enqueue:
                handover.move_to_successor.enqueue(each.pk)
                self.stdout.write(f"{each.agency.name} → {each.successor.name}: đã giao cho tiến trình chạy nền.")
                continue
            done = handover.run(each.pk)
            left = handover.waiting(each.agency_id).count()
            self.stdout.write(f"{each.agency.name} → {each.successor.name}: đã chuyển "
                              f"{format_number(done.moved, 0)} hồ sơ, còn {format_number(left, 0)}."
                              + handover.refused_moves(done))
