from django.core.management.base import CommandError

from motcua.cli import BaseCommand
from motcua.core.errors import DomainError
from motcua.units.services import default_prefix, load_agencies, province_code


class Command(BaseCommand):
    help = ("Tạo/cập nhật cơ quan của tỉnh: UBND tỉnh, Trung tâm Phục vụ hành chính công, các sở, "
            "UBND từng xã/phường/đặc khu, kèm quầy một cửa và phòng ban. Mã định danh: {tiền tố} (UBND tỉnh), "
            "{tiền tố}.01 (Trung tâm), {tiền tố}.02–.12 (sở), {tiền tố}.50.NN (cấp xã).")

    def add_arguments(self, parser):
        parser.add_argument("--province", help="mã tỉnh 2025 (mặc định MOTCUA_PROVINCE_CODE)")
        parser.add_argument("--prefix", help="tiền tố mã định danh cơ quan (mặc định MOTCUA_AGENCY_CODE_PREFIX "
                                             "hoặc H51 — giá trị cấu hình, chưa đối chiếu QCVN)")

    def handle(self, *args, province=None, prefix=None, **options):
        try:
            report = load_agencies(province or province_code(), prefix=prefix or default_prefix())
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Cơ quan: {report}.")
