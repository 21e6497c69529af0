"""Create the demo PKI (root CA → issuing CA → one signing certificate per agency)."""

from pathlib import Path

from motcua.cli import BaseCommand
from motcua.demo import pki as demo_pki
from motcua.documents import pki
from motcua.units.models import Agency


class Command(BaseCommand):
    help = "Tạo hạ tầng khóa công khai thử nghiệm (CA gốc, CA trung gian, chứng thư số cho từng cơ quan)."

    def add_arguments(self, parser):
        parser.add_argument("--dir", help="Thư mục lưu khóa (mặc định MOTCUA_PKI_DIR hoặc MOTCUA_DATA_DIR/pki).")
        parser.add_argument("--force", action="store_true", help="Tạo lại CA và chứng thư dù đã có.")
        parser.add_argument("--agency", action="append", default=[], help="Chỉ cấp cho mã cơ quan này (lặp lại được).")
        parser.add_argument("--no-agencies", action="store_true", help="Chỉ tạo CA, không cấp chứng thư cơ quan.")

    def handle(self, *args, **opts):
        folder = Path(opts["dir"]) if opts["dir"] else pki.pki_dir()
        existing = demo_pki.demo_ca(folder)
        if existing and not opts["force"]:
            root, inter = existing
            self.stdout.write(f"CA thử nghiệm đã có tại {folder}.")
        else:
            root, inter = demo_pki.create_ca(folder)
            self.stdout.write(self.style.SUCCESS(f"Đã tạo CA gốc và CA trung gian tại {folder}."))
        if opts["no_agencies"]:
            return
        agencies = Agency.objects.all().order_by("code")
        if opts["agency"]:
            agencies = agencies.filter(code__in=opts["agency"])
        issued = 0
        for agency in agencies:
            have = pki.agency_credentials(agency, folder)
            if have and not opts["force"]:
                continue
            demo_pki.issue_signing_certificate(inter, folder / "agencies", pki.agency_stem(agency.code),
                                          agency.name[:64], agency.name[:64])
            issued += 1
        self.stdout.write(self.style.SUCCESS(f"Đã cấp {issued} chứng thư số cho cơ quan."))
        self.stdout.write(f"Chứng thư CA gốc (tin cậy khi kiểm tra chữ ký): {root.cert_path}")
