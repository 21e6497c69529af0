"""Two demo communes of Quảng Ngãi with dossiers in every status and officers of every role, and a plan that
merges them. Built only through real services (units loader, lifecycle transitions, the plan's services).

Used in-process by tests/units/test_reorganization.py and, in its own database, by the kill drill
(tests/units/drill_cli.py in a subprocess).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count

from motcua.accounts.models import Role, RoleAssignment
from motcua.audit.services import verify_chain
from motcua.catalog.models import OnlineLevel, ProcessStep
from motcua.dossiers import lifecycle
from motcua.dossiers.models import Dossier, DossierEvent, Status
from motcua.engagement.feedback import answer_feedback, submit_feedback
from motcua.engagement.models import FeedbackClassification
from motcua.outbox.models import OutboxEvent
from motcua.units.models import AdministrativeUnit, Agency, Department, ReorganizationPlan
from motcua.units.reorganization import approve, report, save_draft
from motcua.units.services import load_agencies, load_units
from tests.dossiers.factories import APPLICANT, at
from tests.factories import UserFactory, citizen, officer, procedure_with_steps

OPEN = {Status.DRAFT, Status.SUBMITTED, Status.SUPPLEMENT_REQUESTED, Status.RECEIVED, Status.PROCESSING,
        Status.PAUSED, Status.APPROVED, Status.READY_FOR_RETURN}


@dataclass
class World:
    a: AdministrativeUnit
    b: AdministrativeUnit
    agency_a: Agency
    agency_b: Agency
    province_agency: Agency
    admin: object
    auditor: object
    citizen: object
    officers: dict = field(default_factory=dict)  # (commune letter, role) → user
    shared_counter: object = None  # counter officer of both communes
    ended: RoleAssignment | None = None  # the assignment the plan ends
    dossiers: dict = field(default_factory=dict)  # label → Dossier
    procedures: dict = field(default_factory=dict)
    feedback: list = field(default_factory=list)  # one open at A, one answered and published


def _officers(w: World, letter: str, agency: Agency) -> None:
    dept = {d.code: d for d in Department.objects.filter(agency=agency)}
    for role, department in ((Role.COUNTER_OFFICER, None), (Role.SPECIALIST, "VHXH"), (Role.DEPARTMENT_HEAD, "KT"),
                             (Role.LEADER, None), (Role.UNIT_ADMIN, None)):
        user = UserFactory(username=f"{letter}.{role}", full_name=f"Cán bộ {letter.upper()} {role}")
        RoleAssignment.objects.create(user=user, role=role, agency=agency, department=dept.get(department))
        w.officers[(letter, role)] = user


def _history(w: World, letter: str, agency: Agency, statuses) -> None:
    """One dossier per status in `statuses`, moved there by the lifecycle (March 2026)."""
    proc = w.procedures["shared"]
    counter, specialist = w.officers[(letter, Role.COUNTER_OFFICER)], w.officers[(letter, Role.SPECIALIST)]
    leader = w.officers[(letter, Role.LEADER)]
    online = dict(applicant=w.citizen, procedure=proc, agency=agency, applicant_data=APPLICANT,
                  form_data={"ten_tre": "Bé An"})
    walk = dict(officer=counter, procedure=proc, agency=agency, applicant_data=APPLICANT, form_data={})
    for day, status in enumerate(statuses, start=2):
        t = lambda h, day=day: at(2026, 3, day, h)  # noqa: E731
        label = f"{letter}:{status}"
        if status == Status.DRAFT:
            d = lifecycle.save_draft(**online, at=t(8))
        elif status in (Status.SUBMITTED, Status.REFUSED) or status == "supplement_before_receipt":
            d = lifecycle.submit_online(**online, at=t(8))
            if status == Status.REFUSED:
                d = lifecycle.refuse(d, officer=counter, reason="Không thuộc thẩm quyền", at=t(9))
            elif status == "supplement_before_receipt":
                d = lifecycle.request_supplement(d, officer=counter, items=["Giấy chứng sinh"], reason="Thiếu",
                                                 at=t(9))
        else:
            d = lifecycle.receive_at_counter(**walk, at=t(8))
            if status == Status.SUPPLEMENT_REQUESTED:
                d = lifecycle.request_supplement(d, officer=counter, items=["Bản sao"], reason="Thiếu", at=t(9))
            elif status == Status.WITHDRAWN:
                d = lifecycle.withdraw(d, by=counter, reason="Công dân đề nghị", at=t(9))
            elif status != Status.RECEIVED:
                d = lifecycle.start_processing(d, officer=counter, assignee=specialist, at=t(9))
                if status == Status.PAUSED:
                    d = lifecycle.pause(d, officer=specialist, reason="Chờ xác minh", at=t(10))
                elif status == Status.STOPPED:
                    d = lifecycle.stop(d, officer=leader, reason="Người nộp không bổ sung", at=t(10))
                elif status != Status.PROCESSING:
                    d = lifecycle.complete_step(d, officer=specialist, at=t(10))
                    if status == Status.REJECTED:
                        d = lifecycle.reject(d, officer=leader, reason="Không đủ điều kiện", at=t(11))
                    elif status != "waiting_decision":
                        d = lifecycle.approve(d, officer=leader, at=t(11))
                        if status in (Status.READY_FOR_RETURN, Status.RETURNED):
                            d = lifecycle.sign_result(d, officer=leader, at=t(14))
                        if status == Status.RETURNED:
                            d = lifecycle.return_result(d, officer=counter, at=t(15))
        w.dossiers[label] = d


ALL_A = [Status.DRAFT, Status.SUBMITTED, "supplement_before_receipt", Status.SUPPLEMENT_REQUESTED, Status.RECEIVED,
         Status.PROCESSING, "waiting_decision", Status.PAUSED, Status.APPROVED, Status.READY_FOR_RETURN,
         Status.RETURNED, Status.REFUSED, Status.REJECTED, Status.WITHDRAWN, Status.STOPPED]
SOME_B = [Status.SUBMITTED, Status.PROCESSING, Status.READY_FOR_RETURN, Status.RETURNED, Status.REFUSED]


def build() -> World:
    load_units("51")
    load_agencies("51", prefix="H51")
    a, b = AdministrativeUnit.objects.filter(code__in=["21025", "21028"]).order_by("code")
    w = World(a=a, b=b, agency_a=Agency.objects.get(admin_unit=a), agency_b=Agency.objects.get(admin_unit=b),
              province_agency=Agency.objects.get(code="H51.03"),
              admin=officer(Role.PROVINCIAL_ADMIN, None, username="quantri.tinh", full_name="Quản trị tỉnh"),
              auditor=officer(Role.AUDITOR, None, username="thanhtra"), citizen=citizen(username="congdan"))
    shared = procedure_with_steps(name="Đăng ký khai sinh", online_level=OnlineLevel.FULL, processing_days=Decimal("3"))
    shared.agencies.add(w.agency_a, w.agency_b)
    only_a = procedure_with_steps(name="Chứng thực bản sao", steps=(), processing_days=Decimal("1"))
    only_a.agencies.add(w.agency_a)
    # A provincial procedure one of whose steps the commune does (a verification, liên thông).
    provincial = procedure_with_steps(name="Cấp phiếu lý lịch tư pháp", agency_kind=Agency.PROVINCIAL_DEPARTMENT,
                                      level="province", steps=())
    provincial.agencies.add(w.province_agency)
    ProcessStep.objects.create(procedure=provincial, order=1, name="Xác minh tại xã", role=Role.SPECIALIST,
                               duration_days=Decimal("2"), agency=w.agency_a)
    ProcessStep.objects.create(procedure=provincial, order=2, name="Phê duyệt", role=Role.LEADER,
                               duration_days=Decimal("1"))
    w.procedures = {"shared": shared, "only_a": only_a, "provincial": provincial}
    _officers(w, "a", w.agency_a)
    _officers(w, "b", w.agency_b)
    w.shared_counter = w.officers[("a", Role.COUNTER_OFFICER)]
    RoleAssignment.objects.create(user=w.shared_counter, role=Role.COUNTER_OFFICER, agency=w.agency_b)
    w.ended = RoleAssignment.objects.get(user=w.officers[("b", Role.UNIT_ADMIN)])
    _history(w, "a", w.agency_a, ALL_A)
    _history(w, "b", w.agency_b, SOME_B)
    prov_counter = officer(Role.COUNTER_OFFICER, w.province_agency, username="motcua.tinh")
    d = lifecycle.receive_at_counter(officer=prov_counter, procedure=provincial, agency=w.province_agency,
                                     applicant_data=APPLICANT, form_data={}, at=at(2026, 3, 20, 8))
    w.dossiers["province:at_a"] = lifecycle.start_processing(d, officer=prov_counter, at=at(2026, 3, 20, 9))
    w.feedback = [submit_feedback(w.citizen, classification=FeedbackClassification.REGULATION, title=title,
                                  content="Đề nghị hướng dẫn rõ thành phần hồ sơ khai sinh.", agency=w.agency_a,
                                  at=at(2026, 3, 23, 8)) for title in ("Hỏi về khai sinh", "Đã trả lời")]
    answer_feedback(w.officers[("a", Role.LEADER)], w.feedback[1], "Đã hướng dẫn tại Bộ phận Một cửa.", publish=True,
                    public_answer="Đã hướng dẫn tại Bộ phận Một cửa.", at=at(2026, 3, 24, 8))
    return w


def draft(w: World, *, effective: dt.date | None = None):
    plan = save_draft(w.admin, resolution_number="1677/NQ-UBTVQH15", resolution_date=dt.date(2025, 6, 16),
                      effective_date=effective or dt.date.today(), old_units=[w.a, w.b], new_code="99001",
                      new_name="Phường Hợp Nhất", new_level=AdministrativeUnit.WARD, ended_roles=[w.ended.pk])
    return plan


def approved(w: World):
    return approve(draft(w), w.admin)


def open_dossiers_on(agencies) -> int:
    ids = [a.pk for a in agencies]
    return (Dossier.objects.exclude(status__in=lifecycle.TERMINAL)
            .filter(agency_id__in=ids).count() + Dossier.objects.exclude(status__in=lifecycle.TERMINAL)
            .filter(current_agency_id__in=ids).exclude(agency_id__in=ids).count())


def summary(plan) -> dict:
    """What the tests and the drill check, as JSON-able facts."""
    plan = ReorganizationPlan.objects.get(pk=plan.pk)
    old = list(Agency.objects.filter(admin_unit__in=plan.old_units.all()))
    twice = (DossierEvent.objects.filter(action="transfer_agency").values("dossier_id").annotate(n=Count("id"))
             .filter(n__gt=1).count())
    chain = verify_chain()
    return {"status": plan.status, "report": report(plan), "open_on_old": open_dossiers_on(old),
            "roles_on_old": RoleAssignment.objects.filter(agency__in=old).count(),
            "transfer_events": DossierEvent.objects.filter(action="transfer_agency").count(),
            "transfer_outbox": OutboxEvent.objects.filter(topic="dossier.transfer_agency").count(),
            "notices": OutboxEvent.objects.filter(topic="units.reorganized").count(),
            "dossiers_moved_twice": twice, "audit_ok": chain.ok,
            "units": AdministrativeUnit.objects.filter(code=plan.new_code).count()}
