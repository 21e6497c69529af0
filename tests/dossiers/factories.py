"""A small world for lifecycle tests: one commune, its officers, a citizen and procedures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from motcua.catalog.models import OnlineLevel, Procedure, ProcessStep
from motcua.units.models import Agency
from tests.factories import AgencyFactory, citizen, officer, procedure_with_steps

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def at(y, m, d, hh=8, mm=0) -> dt.datetime:
    """An aware local moment (Asia/Ho_Chi_Minh)."""
    return dt.datetime(y, m, d, hh, mm, tzinfo=TZ)


APPLICANT = {"name": "Trần Thị Bình", "id_number": "051190000123", "phone": "0912345678",
             "email": "binh@example.vn", "address": "Thôn 1, xã Thử Nghiệm"}


@dataclass
class World:
    agency: Agency
    other_agency: Agency
    counter: object
    specialist: object
    head: object
    leader: object
    other_specialist: object
    other_leader: object
    citizen: object
    stranger: object
    procedure: Procedure

    def submit(self, when=None, **kwargs):
        from motcua.dossiers import lifecycle

        params = dict(applicant=self.citizen, procedure=self.procedure, agency=self.agency,
                      applicant_data=APPLICANT, form_data={"ten_tre": "Bé An"}, at=when or at(2026, 3, 2, 8))
        params.update(kwargs)
        return lifecycle.submit_online(**params)

    def walk_in(self, when=None, **kwargs):
        from motcua.dossiers import lifecycle

        params = dict(officer=self.counter, procedure=self.procedure, agency=self.agency, applicant_data=APPLICANT,
                      form_data={}, at=when or at(2026, 3, 2, 8))
        params.update(kwargs)
        return lifecycle.receive_at_counter(**params)


def make_world(*, inter_agency: bool = False, processing_days: str = "3") -> World:
    agency = AgencyFactory(kind=Agency.COMMUNE_COMMITTEE)
    other = AgencyFactory(kind=Agency.PROVINCIAL_DEPARTMENT, name="Sở Tư pháp thử nghiệm")
    proc = procedure_with_steps(processing_days=Decimal(processing_days), online_level=OnlineLevel.FULL)
    if inter_agency:
        # specialist (commune) 1 day → department check (other agency) 1 day → leader (commune) 1 day
        proc.steps.all().delete()
        ProcessStep.objects.create(procedure=proc, order=1, name="Thẩm định", role="specialist",
                                   duration_days=Decimal("1"))
        ProcessStep.objects.create(procedure=proc, order=2, name="Xác minh liên thông", role="specialist",
                                   duration_days=Decimal("1"), agency=other)
        ProcessStep.objects.create(procedure=proc, order=3, name="Phê duyệt", role="leader",
                                   duration_days=Decimal("1"))
    return World(
        agency=agency, other_agency=other,
        counter=officer("counter_officer", agency), specialist=officer("specialist", agency),
        head=officer("department_head", agency), leader=officer("leader", agency),
        other_specialist=officer("specialist", other), other_leader=officer("leader", other),
        citizen=citizen(), stranger=citizen(), procedure=proc,
    )
