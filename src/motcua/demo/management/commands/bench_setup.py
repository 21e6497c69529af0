"""Create (or reuse) the accounts, agency and procedure the lifecycle benchmark drives, print JSON.

    python manage.py bench_setup --citizens 16 > var/bench.json

Everything it creates is marked with the BENCH prefix so it is easy to recognise and delete; each
run issues fresh tokens (the old ones are revoked).
"""

import json
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from motcua.accounts.models import ApiToken, Role, RoleAssignment, User
from motcua.api.auth import issue_token
from motcua.catalog.models import ComponentRequirement, Field, OnlineLevel, Procedure, ProcessStep
from motcua.cli import BaseCommand
from motcua.units.models import AdministrativeUnit, Agency

AGENCY_CODE = "BENCH.01"
PROCEDURE_CODE = "BENCH.0001"
TOKEN_NAME = "bench"


class Command(BaseCommand):
    help = "Chuẩn bị dữ liệu và khóa API cho bench/lifecycle.py; in JSON ra stdout."

    def add_arguments(self, parser):
        parser.add_argument("--citizens", type=int, default=16,
                            help="Số tài khoản công dân (nộp song song; mỗi tài khoản nộp tuần tự).")
        parser.add_argument("--steps", type=int, default=2, help="Số bước của quy trình nội bộ (≥ 1).")
        parser.add_argument("--agencies", type=int, default=1,
                            help="Số cơ quan tiếp nhận BENCH.01 … (bench/national.py: một cơ quan mỗi tỉnh).")

    @transaction.atomic
    def handle(self, *args, citizens, steps, agencies=1, **options):
        steps = max(1, steps)
        unit, _ = AdministrativeUnit.objects.get_or_create(
            code="99999", defaults={"name": "Xã Đo Hiệu Năng", "level": AdministrativeUnit.COMMUNE})
        agency, _ = Agency.objects.get_or_create(
            code=AGENCY_CODE, defaults={"name": "UBND xã Đo Hiệu Năng", "kind": Agency.COMMUNE_COMMITTEE,
                                        "admin_unit": unit})
        extra = [Agency.objects.get_or_create(
            code=f"BENCH.{n:02d}", defaults={"name": f"UBND xã Đo Hiệu Năng {n:02d}", "kind": Agency.COMMUNE_COMMITTEE,
                                             "admin_unit": unit})[0] for n in range(2, max(1, agencies) + 1)]
        field, _ = Field.objects.get_or_create(code="BENCH", defaults={"name": "Đo hiệu năng"})
        proc, created = Procedure.objects.get_or_create(
            code=PROCEDURE_CODE,
            defaults={"name": "Thủ tục đo hiệu năng", "field": field, "level": "commune",
                      "agency_kind": Agency.COMMUNE_COMMITTEE, "processing_days": Decimal("5"),
                      "online_level": OnlineLevel.FULL})
        if created or proc.steps.count() != steps:
            proc.steps.all().delete()
            roles = [Role.SPECIALIST] * (steps - 1) + [Role.LEADER]
            for order, role in enumerate(roles, start=1):
                ProcessStep.objects.create(procedure=proc, order=order, name=f"Bước {order}", role=role,
                                           duration_days=Decimal("1"))
            ComponentRequirement.objects.get_or_create(procedure=proc, order=1, defaults={"name": "Tờ khai"})
        proc.agencies.add(agency, *extra)

        def account(username, role, where):
            user, made = User.objects.get_or_create(username=username, defaults={"full_name": username})
            if made:
                user.set_unusable_password()
                user.save()
            for place in [where, *(extra if where is not None else [])]:
                RoleAssignment.objects.get_or_create(user=user, role=role, agency=place)
            ApiToken.objects.filter(user=user, name=TOKEN_NAME, revoked_at__isnull=True).update(
                revoked_at=timezone.now())
            return issue_token(user, TOKEN_NAME)[1]

        out = {
            "agency_code": AGENCY_CODE, "agency_codes": [AGENCY_CODE, *(a.code for a in extra)],
            "procedure_code": PROCEDURE_CODE, "steps": steps,
            "counter": account("bench_counter", Role.COUNTER_OFFICER, agency),
            "specialist": account("bench_specialist", Role.SPECIALIST, agency),
            "leader": account("bench_leader", Role.LEADER, agency),
            "citizens": [account(f"bench_citizen_{i}", Role.CITIZEN, None) for i in range(citizens)],
        }
        self.stdout.write(json.dumps(out, ensure_ascii=False))
