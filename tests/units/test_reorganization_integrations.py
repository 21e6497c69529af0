"""The national portal and the applicants learn of a reorganization through the outbox: the real dispatcher
and adapters deliver to the simulators over HTTP."""

import pytest

from motcua.integrations import dispatcher
from motcua.integrations.models import Delivery
from motcua.units.reorganization import apply
from tests.integrations.conftest import configure, sims  # noqa: F401  (fixtures)
from tests.units import reorganization_world as world

pytestmark = pytest.mark.django_db


def test_portal_learns_the_successor_code_and_applicants_are_told(sims, configure):  # noqa: F811
    running = sims(("dvcqg", "sms"))
    w = world.build()
    configure(running)
    Delivery.objects.all().delete()
    plan = world.approved(w)
    apply(plan, w.admin)
    plan.refresh_from_db()
    for _ in range(200):
        dispatcher.run_batch()
        if dispatcher.pending_count() == 0:
            break
    assert not Delivery.objects.exclude(status=Delivery.DELIVERED).exists()
    portal = running["dvcqg"]
    new = plan.new_agency.code
    assert portal.successors == {w.agency_a.code: new, w.agency_b.code: new}
    moved = [d for d in w.dossiers.values() if d.status in world.OPEN and d.code and d.agency_id != w.province_agency.pk]
    assert moved and all(portal.agencies[d.code] == new for d in moved)
    assert portal.agencies[w.dossiers["province:at_a"].code] == w.province_agency.code  # its receiving agency stays
    texts = [m["text"] for m in running["sms"].messages if "sắp xếp đơn vị hành chính" in m["text"]]
    assert len(texts) == len(moved) + 1  # every coded dossier that moved, the province's one included; no draft
    for d in (w.dossiers["a:paused"], w.dossiers["province:at_a"]):  # the agency now handling it is named
        assert f"hồ sơ {d.code} chuyển về UBND phường Hợp Nhất" in " ".join(texts)
