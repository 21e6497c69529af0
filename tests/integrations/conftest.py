import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from motcua.demo import simulators
from motcua.dossiers.models import Dossier
from motcua.outbox.services import emit
from tests.factories import AgencyFactory, procedure_with_steps

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SECRET = "khoa-bi-mat-thu-nghiem"
ACTIONS = [("receive_at_counter", "received"), ("start_processing", "processing"), ("complete_step", "processing"),
           ("issue_apology", "processing"), ("approve", "approved"), ("sign_result", "ready_for_return"),
           ("return_result", "returned")]


@pytest.fixture
def sims():
    running = {}

    def start(names=("dvcqg", "sms", "email"), chaos=None):
        for name in names:
            cls = {"dvcqg": simulators.PortalSimulator, "postal": simulators.PostalSimulator,
                   "population": simulators.PopulationSimulator, "payment": simulators.PaymentGatewaySimulator}
            sim = cls[name](secret=SECRET, chaos=chaos) if name in cls else simulators.InboxSimulator(
                name, secret=SECRET, chaos=chaos)
            running[name] = sim.start()
        return running

    yield start
    for sim in running.values():
        sim.stop()


@pytest.fixture
def configure(settings):
    def apply(sims: dict, **dispatch):
        settings.MOTCUA_INTEGRATIONS = {name: {"url": sim.url, "secret": SECRET} for name, sim in sims.items()}
        settings.MOTCUA_DISPATCH = {"base_delay_s": 0.0, "max_delay_s": 0.0, "max_attempts": 50, "lease_s": 30,
                                    "timeout_s": 2.0, **dispatch}

    return apply


@pytest.fixture
def make_dossier(db):
    agency = AgencyFactory(name="UBND xã Tịnh Khê")
    proc = procedure_with_steps(name="Đăng ký khai sinh", fee_vnd=8000)
    counter = {"n": 0}

    def make(**kwargs):
        counter["n"] += 1
        n = counter["n"]
        values = dict(code=f"{agency.code}-260305-{n:04d}", procedure=proc, agency=agency, status="received",
                      channel="online", rule_version="decree118_2025", applicant_name=f"Nguyễn Văn Thử {n}",
                      applicant_phone=f"09050000{n:02d}", applicant_email=f"thu{n}@example.vn", fee_vnd=8000,
                      received_at=dt.datetime(2026, 3, 5, 8, 30, tzinfo=TZ),
                      due_at=dt.datetime(2026, 3, 10, 8, 30, tzinfo=TZ))
        values.update(kwargs)
        return Dossier.objects.create(**values)

    return make


def emit_journey(dossier, actions=ACTIONS):
    """The outbox events a lifecycle journey writes (payload per the lifecycle contract)."""
    events = []
    for action, status in actions:
        events.append(emit(f"dossier.{action}", "dossier", dossier.pk, {
            "dossier_id": dossier.pk, "code": dossier.code, "action": action, "to_status": status,
            "at": "2026-03-05T08:30:00+07:00", "due_at": dossier.due_at.isoformat(), "procedure_code": "1.001193",
            "agency_code": dossier.agency.code, "channel": dossier.channel}))
    return events
