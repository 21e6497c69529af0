from motcua.cli import BaseCommand
from motcua.transformation.services.rounds import send_reminders


class Command(BaseCommand):
    help = ("Nhắc các đơn vị chưa gửi báo cáo chuyển đổi số (SMS, thư điện tử qua hàng đợi gửi đi) vào các ngày nhắc "
            "trước hạn của mỗi kỳ báo cáo đang mở. Chạy mỗi ngày một lần; chạy lại trong ngày không gửi trùng.")

    def handle(self, *args, **options):
        n = send_reminders()
        self.stdout.write(f"Đã xếp {n} tin nhắc vào hàng đợi gửi đi.")
