"""Daily reconciliation with the payment gateway: ``manage.py reconcile_payments [--date YYYY-MM-DD]``."""

import datetime as dt

from django.core.management.base import CommandError
from django.utils import timezone

from motcua.cli import BaseCommand
from motcua.core.errors import DomainError
from motcua.core.money import format_vnd
from motcua.payments.services import reconcile


class Command(BaseCommand):
    help = "Đối soát giao dịch thanh toán trực tuyến với cổng thanh toán (mặc định: hôm qua)."

    def add_arguments(self, parser):
        parser.add_argument("--date", default="")

    def handle(self, *args, date="", **options):
        try:
            day = dt.date.fromisoformat(date) if date else timezone.localdate() - dt.timedelta(days=1)
        except ValueError:
            raise CommandError("Ngày phải có dạng YYYY-MM-DD.") from None
        try:
            run = reconcile(day)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"Ngày {day:%d/%m/%Y}: cổng {run.gateway_count} giao dịch, {format_vnd(run.gateway_total_vnd)}; "
                          f"hệ thống {run.ours_count} giao dịch, {format_vnd(run.ours_total_vnd)}; "
                          f"bổ sung {run.fixed}; chênh lệch {len(run.mismatches)}.")
        for m in run.mismatches:
            ref = m.get("merchant_ref") or m.get("gateway_ref")  # a line without either: its message names it
            self.stdout.write(f"  - {ref}: {m['message']}" if ref else f"  - {m['message']}")
