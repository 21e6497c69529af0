"""Demo data behind `manage.py setup_demo`: accounts with known passwords and a history of dossiers.

Every dossier is created and moved only through motcua.dossiers.lifecycle (with `at=` in the past),
so events, slips, audit entries and outbox events are the same as in real use.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from motcua.accounts.models import Role, RoleAssignment, User
from motcua.catalog.models import Procedure
from motcua.core import calendar
from motcua.core.errors import DomainError
from motcua.documents.digitization_flags import receipt_digitized, result_digitized, result_electronic
from motcua.dossiers import lifecycle as lc
from motcua.units.models import Agency, Department

from .decision766 import Cases

DEMO_COMMUNE_UNIT = "21025"  # Phường Cẩm Thành, the lowest 2025 code of Quảng Ngãi
SERVICE_CENTER_SUFFIX = ".01"
DEMO_KEY = "demo-"
SCAN_MINUTES = 10  # working minutes from a paper reception or signing to its scans confirmed


@dataclass
class DemoUser:
    username: str
    password: str
    full_name: str
    role: str
    where: str  # "center", "commune" or "" (province-wide)
    department: str = ""
    superuser: bool = False


DEMO_USERS = [
    DemoUser("congdan", "congdan123", "Nguyễn Văn An", Role.CITIZEN, ""),
    DemoUser("motcua.tinh", "motcua123", "Trần Thị Bích", Role.COUNTER_OFFICER, "center"),
    DemoUser("motcua.xa", "motcua123", "Lê Văn Cường", Role.COUNTER_OFFICER, "commune"),
    DemoUser("chuyenvien", "chuyenvien123", "Phạm Thị Dung", Role.SPECIALIST, "commune", "VHXH"),
    DemoUser("truongphong", "truongphong123", "Hoàng Văn Em", Role.DEPARTMENT_HEAD, "commune", "KT"),
    DemoUser("lanhdao", "lanhdao123", "Võ Văn Phúc", Role.LEADER, "commune"),
    DemoUser("quantri.xa", "quantri123", "Đặng Thị Giang", Role.UNIT_ADMIN, "commune"),
    DemoUser("admin", "admin123", "Quản trị hệ thống tỉnh", Role.PROVINCIAL_ADMIN, "", superuser=True),
    DemoUser("thanhtra", "thanhtra123", "Bùi Văn Hải", Role.AUDITOR, ""),
]
STAFF_PASSWORD = "canbo123"
CITIZEN_ID = "051090012345"  # 051 = Quảng Ngãi birth registration, 0 = male 1900s, 90 = 1990

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Phan", "Trương", "Bùi", "Đặng", "Đỗ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Minh", "Thanh", "Hữu", "Ngọc", "Đức", "Thu"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Hà", "Hải", "Hoa", "Hùng", "Lan", "Long", "Mai", "Nam", "Phương", "Quân",
         "Sơn", "Tâm", "Thảo", "Trung", "Tuấn", "Vy"]


def _agency(kind_or_code: str, prefix: str) -> Agency:
    if kind_or_code == "center":
        return Agency.objects.get(code=prefix + SERVICE_CENTER_SUFFIX)
    return Agency.objects.get(kind=Agency.COMMUNE_COMMITTEE, admin_unit__code=DEMO_COMMUNE_UNIT)


_HASHES: dict[str, str] = {}


def _user(username, password, full_name, *, superuser=False, id_number="") -> User:
    user, _ = User.objects.get_or_create(username=username)
    user.full_name = full_name
    user.first_name = full_name.split()[-1]
    user.last_name = " ".join(full_name.split()[:-1])
    user.is_superuser = user.is_staff = superuser
    user.is_active = True
    if id_number:  # the demo's citizens stand for people the national e-ID vouched for (accounts.User)
        user.id_number = user.verified_id_number = id_number
    if password:
        # Hashing is deliberately slow (PBKDF2): hash each demo password once per run and reuse it.
        if password not in _HASHES:
            _HASHES[password] = make_password(password)
        user.password = _HASHES[password]
    else:
        user.set_unusable_password()
    user.save()
    return user


def _assign(user, role, agency=None, department=None) -> None:
    RoleAssignment.objects.get_or_create(user=user, role=role, agency=agency, department=department)


@transaction.atomic
def ensure_users(prefix: str) -> list[tuple[DemoUser, Agency | None]]:
    rows = []
    for spec in DEMO_USERS:
        user = _user(spec.username, spec.password, spec.full_name, superuser=spec.superuser,
                     id_number=CITIZEN_ID if spec.role == Role.CITIZEN else "")
        agency = _agency(spec.where, prefix) if spec.where else None
        department = Department.objects.filter(agency=agency, code=spec.department).first() if spec.department \
            else None
        _assign(user, spec.role, agency, department)
        rows.append((spec, agency))
    return rows


class Staff:
    """Finds who acts for an agency: the named demo officer, else the agency's demo staff account."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.cache: dict[tuple[int, str], User] = {}

    def get(self, agency: Agency, role: str) -> User:
        key = (agency.pk, role)
        if key not in self.cache:
            ra = (RoleAssignment.objects.filter(agency=agency, role=role, user__username__in=[u.username for u in
                                                                                         DEMO_USERS])
                  .select_related("user").first())
            if ra is not None:
                self.cache[key] = ra.user
            else:
                user = _user(f"canbo.{agency.code.lower()}", STAFF_PASSWORD, f"Cán bộ {agency.short_name or agency.name}")
                for r in (Role.COUNTER_OFFICER, Role.SPECIALIST, Role.DEPARTMENT_HEAD, Role.LEADER):
                    _assign(user, r, agency)
                self.cache[key] = user
        return self.cache[key]


def _fake_value(field: dict, rng: random.Random, applicant: dict):
    name, kind = field.get("name", ""), field.get("type", "text")
    if name == "ho_ten":
        return applicant["name"]
    if kind == "id_number":
        return applicant["id_number"]
    if kind == "tel":
        return applicant["phone"]
    if kind == "date":
        return (timezone.localdate() - dt.timedelta(days=rng.randint(1, 30))).isoformat()
    if kind == "number":
        return rng.randint(1, 5)
    if kind == "email":
        return "congdan@example.vn"
    if kind == "checkbox":
        return True
    return f"{field.get('label', name)} (mẫu)"


def _applicant(rng: random.Random, n: int) -> dict:
    gender_digit = rng.choice("01")
    year = rng.randint(55, 99)
    name = f"{rng.choice(SURNAMES)} {'Thị' if gender_digit == '1' else rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
    return {"name": name, "id_number": f"051{gender_digit}{year:02d}{n:06d}", "phone": f"09{rng.randint(0, 99999999):08d}",
            "address": "Tỉnh Quảng Ngãi"}


def _work_start(rng: random.Random, day: dt.date) -> dt.datetime:
    while not calendar.is_working_day(day):
        day += dt.timedelta(days=1)
    picked = dt.datetime.combine(day, dt.time(rng.randint(7, 15), rng.choice([0, 15, 30, 45])), calendar.TZ)
    return calendar.add_working_minutes(picked, 0)  # in a session (not the lunch break)


def _apology_moment(due_at: dt.datetime) -> dt.datetime:
    """In a morning session of the last working day two or more calendar days before the appointment."""
    day = timezone.localtime(due_at).date() - dt.timedelta(days=2)
    while not calendar.is_working_day(day):
        day -= dt.timedelta(days=1)
    return calendar.add_working_minutes(dt.datetime.combine(day, dt.time(7), calendar.TZ), 60)


def _later(t: dt.datetime, days) -> dt.datetime:
    return calendar.add_working_days(t, Decimal(str(days)))


def generate_dossiers(count: int, prefix: str, *, seed: int = 2025, days_back: int = 60, log=None) -> dict:
    """Create `count` dossiers received over the last `days_back` days in assorted states."""
    rng = random.Random(seed)
    now = timezone.now()
    staff = Staff(prefix)
    citizen = User.objects.get(username="congdan")
    center = _agency("center", prefix)
    commune = _agency("commune", prefix)
    others = list(Agency.objects.filter(kind=Agency.COMMUNE_COMMITTEE, is_active=True)
                  .exclude(pk=commune.pk).order_by("code")[:4])
    procedures = list(Procedure.objects.filter(is_active=True).prefetch_related("agencies").order_by("code"))
    cases = Cases(seed, citizen)
    stats: dict[str, int] = {}
    for n in range(1, count + 1):
        proc = cases.procedure_for(n, rng.choice(procedures))
        offered = {a.pk for a in proc.agencies.all()}
        if proc.level == "province":
            agency = center if center.pk in offered else None
        else:
            agency = commune if rng.random() < 0.6 else rng.choice(others)
            if agency.pk not in offered:
                agency = commune if commune.pk in offered else None
        if agency is None:
            agency = Agency.objects.filter(pk__in=offered).order_by("code").first()
            if agency is None:
                continue
        day = (now - dt.timedelta(days=rng.randint(0, days_back))).astimezone(calendar.TZ).date()
        start = _work_start(rng, day)
        while start >= now:  # later today, or on a working day still to come: an earlier working day
            day -= dt.timedelta(days=1)
            start = _work_start(rng, day)
        try:
            with transaction.atomic():
                status = _simulate(lc, rng, n, proc, agency, start, now, staff, citizen, cases)
        except DomainError as exc:  # a scenario the rules refuse: skip it, keep the rest
            status = "skipped"
            if log:
                log(f"  bỏ qua hồ sơ mẫu {n} ({proc.code}): {exc.message}")
        stats[status] = stats.get(status, 0) + 1
    if count:
        made = cases.feedback(commune, staff.get(commune, Role.COUNTER_OFFICER), staff.get(commune, Role.LEADER), log)
        if log:
            log(f"Phản ánh, kiến nghị mẫu: {made}.")
    return stats


def _simulate(lc, rng, n, proc, agency, t, now, staff: Staff, citizen, cases: Cases) -> str:
    # Officers act in working time (calendar.add_working_minutes): a dossier submitted online in the evening is received
    # the next working morning, not at 23:00. Citizens act at any hour.
    applicant = _applicant(rng, n)
    form = {f["name"]: _fake_value(f, rng, applicant) for f in proc.form_schema or [] if isinstance(f, dict)}
    counter = staff.get(agency, Role.COUNTER_OFFICER)
    key = f"{DEMO_KEY}{n}"
    online_share = {"full": 0.8, "partial": 0.35}.get(proc.online_level, 0)
    if rng.random() < online_share:
        account = citizen if rng.random() < 0.3 else _user(f"congdan.mau{n:03d}", "", applicant["name"],
                                                           id_number=applicant["id_number"])
        if account.pk != citizen.pk:
            _assign(account, Role.CITIZEN)
        else:
            applicant = {**applicant, "name": citizen.full_name, "id_number": citizen.id_number}
            form = {f["name"]: _fake_value(f, rng, applicant) for f in proc.form_schema or [] if isinstance(f, dict)}
        d = lc.submit_online(applicant=account, procedure=proc, agency=agency,
                             applicant_data=cases.online_applicant(applicant), form_data=form,
                             return_method=rng.choice(["online", "online", "counter", "post"]),
                             idempotency_key=key, at=t)
        cases.reuse(d, account, t + dt.timedelta(minutes=5))
        cases.upload_components(d, account)
        fate = rng.random()
        t = calendar.add_working_minutes(t, 30 * rng.randint(1, 20))
        if t >= now:
            return "submitted"
        if fate < 0.06:
            lc.refuse(d, officer=counter, reason="Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan.", at=t)
            return "refused"
        if fate < 0.14:
            lc.request_supplement(d, officer=counter, items=[c.name for c in proc.components.all()[:1]] or ["Tờ khai"],
                                  reason="Giấy tờ tải lên không rõ nét.", at=t)
            t = t + dt.timedelta(days=rng.randint(1, 6))
            if t >= now or fate < 0.09:
                return "supplement_requested"
            lc.provide_supplement(d, by=account, form_data={}, at=t)
            t = calendar.add_working_minutes(t, 120)
            if t >= now:
                return "submitted"
        if fate > 0.97:
            lc.withdraw(d, by=account, reason="Người nộp không còn nhu cầu.", at=t)
            return "withdrawn"
        lc.receive(d, officer=counter, digitized=receipt_digitized, at=t)  # digitized when every file is there
        if t + dt.timedelta(minutes=10) < now:
            t = t + dt.timedelta(minutes=10)
            cases.pay(d, t)
    else:
        account = None
        # A walk-in reception creates its dossier: nothing of it is scanned yet, so it records no digitization (as
        # the back office's). Six in ten are then scanned at the counter, and the flag is what the scans show.
        applicant_data, scanned = cases.counter_applicant(applicant), rng.random() < 0.6
        d = lc.receive_at_counter(officer=counter, procedure=proc, agency=agency, applicant_data=applicant_data,
                                  form_data=form, return_method="counter", idempotency_key=key, at=t)
        if scanned and (scanned_at := calendar.add_working_minutes(t, SCAN_MINUTES)) < now:
            cases.scan_components(d, counter, scanned_at)
    t = calendar.add_working_minutes(t, rng.randint(20, 180))
    if t >= now:
        return "received"
    lc.start_processing(d, officer=counter, at=t)
    # Seed 000: ~99 % resolved on time; a few dossiers run late (and get an apology slip).
    speed = Decimal(rng.choice(["0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.8", "0.9", "0.9", "1.5"]))
    steps = list(proc.steps.order_by("order"))
    last = steps[-1] if steps else None
    while d.current_step_id is not None:
        step = d.current_step
        if step.pk == last.pk and step.role == Role.LEADER:
            break  # the leader's step closes with the decision
        t = _later(t, max(Decimal("0.1"), step.duration_days * speed))
        if speed > 1 and d.apology_count == 0 and t > d.due_at:
            # The late agency apologises at least a day before the appointment (rule in lifecycle).
            apology_at = _apology_moment(d.due_at)
            if d.events.order_by("-at").values_list("at", flat=True).first() < apology_at < now:
                try:
                    with transaction.atomic():
                        lc.issue_apology(d, officer=staff.get(d.current_agency or d.agency, Role.LEADER),
                                         reason="Hồ sơ cần xác minh thêm với cơ quan liên quan.",
                                         new_due_at=_later(d.due_at, 3), at=apology_at)
                except DomainError:
                    pass
        if t >= now:
            return "processing"
        lc.complete_step(d, officer=staff.get(d.current_agency or d.agency, step.role or Role.SPECIALIST),
                         note="Đã xử lý.", at=t)
    t = _later(t, max(Decimal("0.1"), (last.duration_days if last else Decimal("0.5")) * speed))
    if t >= now:
        return "processing"
    leader = staff.get(d.current_agency or d.agency, Role.LEADER)
    if rng.random() < 0.03:
        lc.reject(d, officer=leader, reason="Không đủ điều kiện theo quy định.", at=t)
        return "rejected"
    lc.approve(d, officer=leader, summary=proc.result_name or "Kết quả giải quyết", at=t)
    t = calendar.add_working_minutes(t, rng.randint(10, 120))
    if t >= now:
        return "approved"
    # An electronic result is signed here with the agency's certificate, as the back office does; three in four paper
    # results are scanned once signed. The flags are what the files show, asked as the back office asks them.
    born_electronic, scanned = proc.result_type != "paper", rng.random() < 0.75
    d = lc.sign_result(d, officer=leader, electronic=functools.partial(result_electronic, born_electronic=born_electronic),
                       digitized=functools.partial(result_digitized, born_electronic=born_electronic), at=t)
    if born_electronic:
        cases.sign_result_file(d, leader, t)
    elif scanned and (scanned_at := calendar.add_working_minutes(t, SCAN_MINUTES)) < now:
        cases.scan_result(d, staff.get(d.current_agency or d.agency, Role.COUNTER_OFFICER), scanned_at)
    t = calendar.add_working_minutes(t, 30 * rng.randint(1, 40))
    if t >= now:
        return "ready_for_return"
    counter = staff.get(d.agency, Role.COUNTER_OFFICER)
    # asked for online but issued on paper only: the applicant is called to collect it at the counter
    paper_only = d.return_method == "online" and lc.online_return_refusal(d) is not None
    lc.return_result(d, officer=counter, method="counter" if paper_only else None, at=t)
    filed_at = calendar.add_working_minutes(t, 60)  # the counter files it in the applicant's repository, at work
    if filed_at + dt.timedelta(hours=1) < now:
        cases.file_result(d, counter, filed_at)
        if account is not None:
            cases.rate(d, account, filed_at + dt.timedelta(hours=1))  # a citizen rates at any hour
    return "returned"
