"""Officers' role assignments follow a reorganization of administrative units (motcua.units.reorganization).

Each assignment held in an old committee moves to the new committee (its department: the one with the same
code there, else the whole agency), unless the plan lists it among those that end; an assignment the
officer already holds in the new committee (an officer of both merged communes) is merged into it.
Province-wide assignments (provincial administrator, auditor, citizens) do not change. A department whose successor
an administrator records in the admin (units.succession) hands its officers' roles to the successor the same way
(``SuccessorTakesRoles``, through ``move_role``).
"""

from __future__ import annotations

from motcua.audit.services import record
from motcua.core import event_labels
from motcua.core.money import format_number
from motcua.units.models import Department
from motcua.units.reorganization import Step, Targets, agency_label, steps
from motcua.units.services import commune_departments
from motcua.units.succession import SUCCESSION_ON, Follower, by_succession, followers

from .models import Role, RoleAssignment

ROLE_LABELS = dict(Role.choices)
# The audit trail's names of a role moved or merged by an admin-recorded successor's follower (``SuccessorTakesRoles``),
# instead of «… do sắp xếp đơn vị» (core.event_labels); the audit trail's filter option names both cases
event_labels.register_case("accounts.role_moved", by_succession, "Chuyển vai trò sang cơ quan kế thừa",
                           kind="Chuyển vai trò do sắp xếp đơn vị hoặc sang cơ quan kế thừa")
event_labels.register_case("accounts.role_merged", by_succession, "Gộp vai trò vào vai trò đã có ở cơ quan kế thừa",
                           kind="Gộp vai trò do sắp xếp đơn vị hoặc ở cơ quan kế thừa")


def _held(t: Targets):
    return list(RoleAssignment.objects.filter(agency_id__in=t.old_agency_ids)
                .select_related("user", "agency", "department").order_by("id"))


def _new_departments(t: Targets) -> dict[str, str]:
    if t.started:
        return dict(Department.objects.filter(agency=t.new_agency).values_list("code", "name"))
    return dict(commune_departments(t.new_unit.level))


def _outcomes(t: Targets) -> list[tuple[RoleAssignment, str, str | None]]:
    """(assignment, outcome, department code in the new committee) in the order applying takes them."""
    departments = _new_departments(t)
    taken = set()
    if t.started:
        taken = {(u, r, d) for u, r, d in RoleAssignment.objects.filter(agency=t.new_agency)
                 .values_list("user_id", "role", "department__code")}
    ended = set(t.plan.ended_roles or ())
    out = []
    for ra in _held(t):
        dept = ra.department.code if ra.department_id and ra.department.code in departments else None
        if ra.pk in ended:
            out.append((ra, "ended", None))
            continue
        key = (ra.user_id, ra.role, dept)
        out.append((ra, "merged" if key in taken else "moved", dept))
        taken.add(key)
    return out


@steps.register("accounts.roles")
class Roles(Step):
    order = 20
    title = "Cán bộ và phân quyền"
    outcome_labels = {"moved": "phân quyền chuyển sang cơ quan mới",
                      "merged": "phân quyền trùng với phân quyền đã có ở cơ quan mới (gộp)",
                      "ended": "phân quyền kết thúc theo lựa chọn"}
    verdicts = {"moved": "chuyển", "merged": "gộp (đã có)", "ended": "kết thúc"}

    def validate(self, t: Targets):
        held = {ra.pk for ra in _held(t)}
        stray = sorted(set(t.plan.ended_roles or ()) - held)
        if stray:
            return [f"Phân quyền số {', '.join(map(str, stray))} không thuộc đơn vị được sắp xếp."]
        return []

    def preview(self, t: Targets):
        departments = _new_departments(t)
        outcomes = _outcomes(t)
        rows = []
        for ra, outcome, dept in outcomes:
            where = agency_label(ra.agency) + (f" — {ra.department.name}" if ra.department_id else "")
            to = "" if outcome == "ended" else agency_label(t.new_agency) + (f" — {departments[dept]}" if dept else "")
            rows.append([f"{ra.user.full_name or ra.user.username} ({ra.user.username})", ROLE_LABELS.get(ra.role, ra.role),
                         where, self.verdicts[outcome], to])
        counts = {k: sum(1 for _, o, _ in outcomes if o == k) for k in self.outcome_labels}
        officers = len({ra.user_id for ra, _, _ in outcomes})
        return self.section(headers=["Cán bộ", "Vai trò", "Đang giữ tại", "Xử lý", "Sau sắp xếp"], rows=rows,
                            counts=counts, facts=[("Số cán bộ có phân quyền tại đơn vị cũ", str(officers))])

    def pending(self, t: Targets):
        return [(ra.pk, ra) for ra in _held(t)]

    def apply(self, t: Targets, key, ra, actor):
        return move_role(actor, ra.pk, t.old_agency_ids, t.new_agency, {"plan": t.plan.pk},
                         end=ra.pk in set(t.plan.ended_roles or ()))


def move_role(actor, pk, old_ids, new_agency, why: dict, *, end: bool = False):
    """The assignment ``pk`` held in one of the agencies ``old_ids`` moves to ``new_agency`` (its department: the one
    with the same code there, else the whole agency), is merged into the same one the officer already holds there, or
    ends (``end``); audited with ``why`` (the plan, or the succession). (outcome, detail); None when it is no longer
    held there."""
    ra = (RoleAssignment.objects.select_for_update(of=("self",)).filter(pk=pk, agency_id__in=old_ids)
          .select_related("user", "agency", "department").first())
    if ra is None:
        return None
    detail = {"user": ra.user.username, "role": ra.role, "from": ra.agency.code,
              "department": ra.department.code if ra.department_id else None}
    if end:
        ra.delete()
        record(actor, "accounts.role_ended", "accounts.RoleAssignment", pk, {**why, **detail})
        return "ended", detail
    dept = (Department.objects.filter(agency=new_agency, code=ra.department.code).first()
            if ra.department_id else None)
    detail.update(to=new_agency.code, to_department=dept.code if dept else None)
    if RoleAssignment.objects.filter(user=ra.user, role=ra.role, agency=new_agency, department=dept).exists():
        ra.delete()
        record(actor, "accounts.role_merged", "accounts.RoleAssignment", pk, {**why, **detail})
        return "merged", detail
    ra.agency, ra.department = new_agency, dept
    ra.save(update_fields=["agency", "department"])
    record(actor, "accounts.role_moved", "accounts.RoleAssignment", pk, {**why, **detail})
    return "moved", detail


@followers.register("accounts.roles")
class SuccessorTakesRoles(Follower):
    """The officers' roles at a department no longer working move to the successor an administrator recorded, as a
    merger's plan moves them (``Roles``; none ends: there is no plan to list them, the administrator ends one in the
    admin afterwards): a department merged into another by decision brings its officers with it, who go on handling
    its dossiers and feedback there (moved after them); a role left at an agency that no longer works would give them
    an empty queue and their assigned dossiers would go back to the successor's queue."""

    order = 20  # before the dossiers (30) and feedback (40)

    def follow(self, actor, agency, successor, on):
        why = {SUCCESSION_ON: on.isoformat()}
        outcomes = [moved[0] for pk in RoleAssignment.objects.filter(agency=agency).order_by("pk")
                    .values_list("pk", flat=True) if (moved := move_role(actor, pk, [agency.pk], successor, why))]
        if not outcomes:
            return ""
        said = (f"Phân quyền: {format_number(len(outcomes), 0)} phân quyền của cán bộ tại {agency.name} chuyển sang "
                f"{successor.name}")
        if merged := outcomes.count("merged"):
            said += f" ({format_number(merged, 0)} phân quyền trùng với phân quyền đã có ở {successor.name}, gộp làm một)"
        return said + "."
