"""Once after the upgrade that normalizes text where it comes in: stored text typed decomposed made NFC
(core/nfc_rewrite.py; docs/operations.md, "Upgrading")."""

from django.apps import apps
from django.core.management.base import CommandError

from motcua.cli import BaseCommand
from motcua.core.money import format_number
from motcua.core.nfc_rewrite import BATCH, SKIPPED_MODELS, normalize


class Command(BaseCommand):
    help = ("Chuyển văn bản đã lưu gõ ở dạng tổ hợp (Unicode tổ hợp, NFD) sang dạng dựng sẵn (NFC), để tìm kiếm, "
            "so sánh và in ấn coi là một; không động tới mật khẩu, khóa, mã băm, nhật ký hệ thống. "
            "Chạy lại không đổi gì thêm.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true",
                            help="Chỉ đếm số bản ghi sẽ đổi theo từng trường, không ghi gì.")
        parser.add_argument("--batch", type=int, default=BATCH,
                            help=f"Số bản ghi mỗi lô, mỗi lô một giao dịch (mặc định {BATCH}).")

    def handle(self, *args, dry_run=False, batch=BATCH, **options):
        if batch < 1:
            raise CommandError("--batch phải từ 1 trở lên.")
        result = normalize(dry_run=dry_run, batch=batch)
        verb = "sẽ đổi" if dry_run else "đã đổi"
        for name, count in sorted(result.changed.items()):
            self.stdout.write(f"{name}: {verb} {format_number(count)} bản ghi")
        for label, pk, error in result.refused:
            self.stderr.write(f"{label} #{pk}: không đổi được ({error}); giữ nguyên, sửa tay nếu cần.")
        rows = sum(result.rows.values())
        self.stdout.write(
            f"Đã xét {format_number(result.tables)} bảng, đọc {format_number(sum(result.scanned.values()))} bản ghi; "
            f"{verb} {format_number(rows)} bản ghi ({format_number(len(result.changed))} trường)"
            + (f", {format_number(len(result.refused))} bản ghi không đổi được" if result.refused else "")
            + f". Không xét: {', '.join(sorted(_names(SKIPPED_MODELS)))} (nhật ký, lịch sử đã gửi)."
            + (" Chạy lại không có --dry-run để ghi." if dry_run and rows else ""))


def _names(labels) -> list[str]:
    """What the operator reads: each model's Vietnamese name, not its label (motcua_db.ArchivedPartition)."""
    return [str(apps.get_model(label)._meta.verbose_name_plural) for label in labels]
