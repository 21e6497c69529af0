"""Start the national-system simulators for a demo: ``manage.py run_simulators``.

Prints the MOTCUA_INTEGRATIONS value to export for the web server and the dispatcher.
"""

import json
import time

from motcua.catalog.models import Procedure
from motcua.cli import BaseCommand
from motcua.demo import simulators


class Command(BaseCommand):
    help = ("Chạy các hệ thống giả lập (Cổng DVCQG và kho dữ liệu cá nhân, CSDL dân cư, cổng thanh toán, bưu chính, "
            "SMS, thư điện tử).")

    def add_arguments(self, parser):
        parser.add_argument("--base-port", type=int, default=8701)
        parser.add_argument("--secret", default="sim-secret")
        parser.add_argument("--callback-url", default="http://127.0.0.1:8000/api/v1/payments/callback")
        parser.add_argument("--drop", type=float, default=0.0, help="tỷ lệ cuộc gọi bị rớt (0–1)")
        parser.add_argument("--delay", type=float, default=0.0, help="độ trễ tối đa (giây)")

    def handle(self, *args, base_port, secret, callback_url, drop, delay, **options):
        names = ("dvcqg", "sms", "email", "postal", "population", "payment", "eid", "dvcqg_storage")
        ports = {name: base_port + i for i, name in enumerate(names)}
        chaos = simulators.Chaos(drop_rate=drop, max_delay_s=delay)
        # The national portal knows only procedures published on the national procedure database.
        unknown = set(Procedure.objects.filter(national_published_on__isnull=True).values_list("code", flat=True))
        sims = simulators.start_all(secret=secret, chaos=chaos, ports=ports, callback_url=callback_url,
                                    unknown_procedures=unknown)
        config = simulators.settings_for(sims, secret=secret, callback_url=callback_url)
        self.stdout.write("export MOTCUA_INTEGRATIONS='" + json.dumps(config) + "'")
        try:
            while True:
                time.sleep(1)
                sims["payment"].push_callbacks()
        except KeyboardInterrupt:
            for sim in sims.values():
                sim.stop()
