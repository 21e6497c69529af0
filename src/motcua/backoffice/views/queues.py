"""Work lists: the counter's queue, an officer's inbox sorted by deadline, and the dossier search."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.shortcuts import redirect
from django.utils import timezone

from motcua.accounts.models import Role
from motcua.accounts.permissions import roles_of, staff_agencies_of
from motcua.dossiers.access import visible_dossiers
from motcua.dossiers.models import DossierSearchEntry, Status
from motcua.integrations.adapters import postal
from motcua.units.models import Agency
from motcua.web.pages import workplace

from .common import PER_PAGE, QUEUE_MAX, bo_page, officer_required


@officer_required
def home(request):
    return redirect(workplace(request.user))


def _names(agency_ids) -> list[str]:
    """The officer's agencies, named at the top of the queues (after a reorganization: the new unit's)."""
    return list(Agency.objects.filter(pk__in=agency_ids).order_by("name").values_list("name", flat=True))


def _mine(request):
    return visible_dossiers(request.user).select_related("procedure", "agency", "current_agency",
                                                                   "current_step", "assignee")


@officer_required
def queue(request):
    """Counter officer: online dossiers to check, dossiers to forward, results to return."""
    agencies = staff_agencies_of(request.user)
    base = _mine(request).filter(agency_id__in=agencies) if agencies else _mine(request)
    return bo_page(request, "backoffice/queue.html", {
        "to_check": base.filter(status=Status.SUBMITTED).order_by("submitted_at", "id")[:QUEUE_MAX],
        "to_forward": base.filter(status=Status.RECEIVED).order_by("due_at", "id")[:QUEUE_MAX],
        "to_return": base.filter(status=Status.READY_FOR_RETURN).order_by("due_at", "id")[:QUEUE_MAX],
        "waiting": base.filter(status=Status.SUPPLEMENT_REQUESTED).order_by("due_at", "id")[:QUEUE_MAX],
        "undelivered": postal.undelivered(base).order_by("returned_at", "id")[:QUEUE_MAX],
        "nav": "queue", "my_agencies": _names(agencies),
    })


@officer_required
def inbox(request):
    """My work: dossiers waiting for a step I can do, sorted by deadline (overdue first)."""
    user = request.user
    agencies = staff_agencies_of(user)
    my_role_names = {ra.role for ra in roles_of(user)}
    cond = Q(assignee=user) | Q(current_step__role__in=my_role_names, assignee__isnull=True)
    if Role.LEADER in my_role_names:
        cond |= Q(status__in=[Status.APPROVED]) | Q(status=Status.PROCESSING, current_step__isnull=True)
    qs = (_mine(request).filter(status__in=[Status.PROCESSING, Status.PAUSED, Status.APPROVED])
          .filter(Q(current_agency_id__in=agencies) | Q(assignee=user)).filter(cond)
          .order_by("due_at", "received_at", "id"))
    return bo_page(request, "backoffice/inbox.html", {"rows": qs[:QUEUE_MAX], "now": timezone.now(), "nav": "inbox",
                                                       "my_agencies": _names(agencies)})


@officer_required
def dossier_list(request):
    q = (request.GET.get("q") or "").strip()
    status = request.GET.get("status") or ""
    qs = _mine(request).order_by("-created_at", "-id")  # unique: no dossier shown twice or skipped across pages
    if q:
        qs = qs.filter(DossierSearchEntry.matching(q))
    if status:
        qs = qs.filter(status=status)
    return bo_page(request, "backoffice/dossier_list.html", {
        "page_obj": ListPage.of(qs, request.GET.get("trang")), "q": q, "status": status,
        "statuses": Status.choices, "nav": "list"})


@dataclass
class ListPage:
    """A page of the dossier list, found without counting the list: the page shows no total, only ‹ › links, and one
    row read past the page says whether a next one exists. (Django's Paginator counted every visible dossier on each
    page: for a province-wide officer, every dossier of the province over the years.) A page past the end is empty,
    with its ‹ link."""

    MAX_PAGE = 10_000  # 300.000 rows deep: a larger number would overflow the OFFSET; search narrows sooner

    rows: list
    number: int
    has_next: bool

    @classmethod
    def of(cls, qs, number) -> ListPage:
        try:
            number = min(max(1, int(number)), cls.MAX_PAGE)
        except (TypeError, ValueError):
            number = 1
        start = (number - 1) * PER_PAGE
        rows = list(qs[start:start + PER_PAGE + 1])
        return cls(rows[:PER_PAGE], number, len(rows) > PER_PAGE)

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return len(self.rows)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1
