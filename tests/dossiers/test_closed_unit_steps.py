"""A processing step done at another agency sends the dossier there: not to an agency whose unit has closed (its last
day passed, units.receiving), where it would wait for nobody. A step of a kind of agency goes to one that still
receives; a step naming an agency of a closed unit is refused with why, the dossier unchanged."""

import datetime as dt

import pytest

from motcua.catalog.models import ProcessStep
from motcua.core.errors import InvalidTransition
from motcua.dossiers import lifecycle
from motcua.dossiers.models import StepRun
from motcua.units.models import Agency
from tests.factories import AgencyFactory

from .factories import at, make_world
from .test_transitions import processing, snapshot

pytestmark = pytest.mark.django_db


def _close(agency, last: dt.date) -> None:
    unit = agency.admin_unit
    unit.valid_to = last
    unit.save()


def test_a_step_naming_an_agency_of_a_dissolved_unit_is_refused_with_why():
    w = make_world(inter_agency=True)  # step 2 is done at the department (w.other_agency)
    d = processing(w)  # step 1 at the commune since Mon 02/03/2026 10:00
    _close(w.other_agency, dt.date(2026, 3, 2))
    before = snapshot(d)
    with pytest.raises(InvalidTransition) as refused:
        lifecycle.complete_step(d, officer=w.specialist, at=at(2026, 3, 3, 9))
    unit = w.other_agency.admin_unit
    assert refused.value.code == "step_agency_not_receiving"
    assert refused.value.message == (
        f"Bước «Xác minh liên thông» do {w.other_agency.name} thực hiện theo quy trình nội bộ của thủ tục. {unit.name} "
        f"đã giải thể từ ngày 03/03/2026: {w.other_agency.name} không còn nhận hồ sơ chuyển đến. Cần sửa cơ quan thực "
        "hiện bước này trong danh mục thủ tục, hoặc chuyển liên thông hồ sơ cho cơ quan khác.")
    assert refused.value.details == {"step": 2, "agency": w.other_agency.code, "reason": "agency_dissolved"}
    assert snapshot(d) == before
    # on the unit's last day it still went there
    d = lifecycle.complete_step(d, officer=w.specialist, at=at(2026, 3, 2, 16))
    assert d.current_agency == w.other_agency


def test_a_step_of_a_kind_of_agency_goes_to_one_that_still_receives():
    w = make_world()
    step = w.procedure.steps.get(order=2)
    step.agency_kind = Agency.PROVINCIAL_DEPARTMENT
    step.save()
    open_one = AgencyFactory(code="H99.01", kind=Agency.PROVINCIAL_DEPARTMENT, name="Sở Nội vụ thử nghiệm")
    _close(w.other_agency, dt.date(2026, 3, 1))  # first by code, its unit closed: not chosen
    assert w.other_agency.code < open_one.code
    d = processing(w)
    d = lifecycle.complete_step(d, officer=w.specialist, at=at(2026, 3, 2, 11))
    assert d.current_agency == open_one
    assert StepRun.objects.get(dossier=d, step__order=2).agency == open_one


def test_the_first_step_at_an_agency_of_a_merged_unit_is_refused_when_processing_starts():
    w = make_world()
    w.procedure.steps.filter(order=1).update(agency=w.other_agency)
    successor = AgencyFactory(kind=Agency.PROVINCIAL_DEPARTMENT, name="Sở Tư pháp mới")
    unit = w.other_agency.admin_unit
    unit.valid_to, unit.replaced_by = dt.date(2026, 3, 1), successor.admin_unit
    unit.save()
    d = lifecycle.receive(w.submit(), officer=w.counter, at=at(2026, 3, 2, 9))
    before = snapshot(d)
    with pytest.raises(InvalidTransition) as refused:
        lifecycle.start_processing(d, officer=w.counter, at=at(2026, 3, 2, 10))
    assert refused.value.code == "step_agency_not_receiving" and refused.value.status == 409
    assert f"{unit.name} đã sáp nhập vào {successor.admin_unit.name} từ ngày 02/03/2026. " in refused.value.message
    assert refused.value.details["reason"] == "agency_merged"
    assert snapshot(d) == before
    assert ProcessStep.objects.filter(agency=w.other_agency).count() == 1  # the catalog is not rewritten here
