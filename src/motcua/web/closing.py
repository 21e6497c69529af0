"""What the officers of an agency whose unit closes are told on every back-office page.

A unit's closure may be recorded ahead of time (its last day, «hiệu lực đến», set in the admin before a resolution
takes effect): until that day its agencies still receive dossiers and are handed dossiers (units.receiving), and the
admin checked what they held only on the day the closure was saved (units.dissolution). From the day after, nobody
handles what they still hold. So their officers see, until it is done: the day the unit closes (dissolved: it takes
only dossiers due by then), and how many dossiers are still open there; once it has closed, as long as some are.

Where a place to file is chosen (the portal's procedure page and submission form, the counter's walk-in reception),
an agency dissolving ahead before a dossier filed now would be due is marked, and why is said there
(``closing_before_appointment``, ``mark_closing``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import Count
from django.utils import timezone

from motcua.accounts.permissions import roles_of
from motcua.core.money import format_number
from motcua.dossiers import lifecycle
from motcua.dossiers.reorganization import held_at
from motcua.units import lifetime, receiving
from motcua.units.models import Agency

# How a choice of agency marks one that would refuse the dossier (closing_before_appointment).
NOT_TAKING = " — không nhận hồ sơ thủ tục này"


def closing_before_appointment(procedure, agencies, at: dt.datetime | None = None) -> dict[int, receiving.Refusal]:
    """Agency pk → why it would refuse a dossier of ``procedure`` filed ``at`` (now by default):
    units.receiving.appointment_refusal, its unit's dissolution is recorded ahead and the dossier would be due after
    its last day. Told where a place to file is chosen, before the rest is typed: the portal's procedure page and
    submission form, the counter's walk-in reception (the person waiting in the queue). The appointment is computed
    only where a listed agency's unit has a recorded last day (units.receiving.appointment_bound): nearly never, and
    these pages are rendered often."""
    bounded = [a for a in agencies if receiving.appointment_bound(a) is not None]
    if not bounded:
        return {}
    at = at or timezone.now()
    today, due = timezone.localdate(at), timezone.localdate(lifecycle.appointment(procedure, at))
    return {a.pk: refused for a in bounded if (refused := receiving.appointment_refusal(a, today, due))}


def mark_closing(field, closing: dict, label=None) -> None:
    """A choice of agency (``field``, a ModelChoiceField) marks those in ``closing`` (closing_before_appointment) and
    says why under it; ``label``: the choice's own label (its name by default)."""
    label = label or (lambda a: a.name)
    field.label_from_instance = lambda a: label(a) + (NOT_TAKING if a.pk in closing else "")
    field.help_text = " ".join([*filter(None, [field.help_text]), *(refused.message for refused in closing.values())])


def closing_notices(user, today: dt.date | None = None) -> list[str]:
    """One sentence per agency of the officer's roles whose unit's last day is recorded, in Vietnamese."""
    today = today or timezone.localdate()
    ids = {ra.agency_id for ra in roles_of(user) if ra.agency_id}
    if not ids:
        return []
    agencies = list(Agency.objects.filter(pk__in=ids, admin_unit__valid_to__isnull=False)
                    .select_related("admin_unit__replaced_by").order_by("name"))
    counts = _held_by([a.pk for a in agencies]) if agencies else Counter()
    notices = []
    for agency in agencies:
        unit = agency.admin_unit
        life = lifetime.of_unit(unit)
        held = counts[agency.pk]
        told = life.closure_of(unit.name, today)  # «… sẽ giải thể từ ngày …», «… đã sáp nhập vào … từ ngày …»
        open_ones = f"còn {format_number(held, 0)} hồ sơ chưa kết thúc"
        if life.last >= today:
            # a dissolution: only dossiers due by its last day (units.receiving.appointment_refusal)
            due_by = "" if life.merged else " có ngày hẹn trả kết quả đến hết ngày đó"
            notices.append(f"{told}: {agency.name} tiếp nhận hồ sơ đến hết ngày {life.last:%d/%m/%Y}{due_by}; "
                           + (f"{open_ones}, cần giải quyết xong trước ngày "
                              f"{life.last + dt.timedelta(days=1):%d/%m/%Y}." if held else
                              "không còn hồ sơ nào chưa kết thúc."))
        elif held:
            notices.append(f"{told}: {agency.name} không còn tiếp nhận hồ sơ; {open_ones}, cần giải quyết xong.")
    return notices


def _held_by(agency_ids: list[int]) -> Counter:
    """{agency: how many dossiers it holds} (``held_at`` of each one alone: received there or in its hands, once), in
    one grouped query: each pair (received at, held by) counts for both, once where they are the same agency."""
    counts = Counter()
    for received, holder, n in (held_at(agency_ids).order_by().values_list("agency_id", "current_agency_id")
                                .annotate(n=Count("pk"))):
        for agency in {received, holder} & set(agency_ids):
            counts[agency] += n
    return counts
