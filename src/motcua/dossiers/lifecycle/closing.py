"""Closing: the leader's decision (approve, reject), the signed result, its return to the applicant, and
the early ends (withdrawal by the applicant, stopping the settlement)."""

from __future__ import annotations

from ..models import Dossier, Status
from .commit import flag_of
from .processing import shift_clock
from .returns import ask_holds, check_return
from .transitions import Event, reason, transition


def _close_open_step(d: Dossier, at) -> None:
    # One statement; a dossier has at most one open step run (a step starts only when the previous one closed).
    d.step_runs.filter(finished_at__isnull=True).update(finished_at=at)
    d.current_step = None


@transition("approve", reads=("steps",))
def approve(d, at, *, officer, summary="") -> Event:
    """The leader approves the result."""
    step = d.current_step
    _close_open_step(d, at)
    d.status = Status.APPROVED
    d.decided_at = at
    d.result_summary = summary or d.result_summary
    return Event(note=summary, step=step)


@transition("reject", reads=("steps",), checks=[reason("Cần nêu rõ lý do không giải quyết.")])
def reject(d, at, *, officer, reason) -> Event:
    """The leader decides not to grant; the written reply states the reason."""
    step = d.current_step
    _close_open_step(d, at)
    d.status = Status.REJECTED
    d.decided_at = at
    d.closed_at = at
    d.refusal_reason = reason
    return Event(note=reason, step=step)


@transition("sign_result")
def sign_result(d, at, *, officer, electronic=True, digitized=True) -> Event:
    """APPROVED → READY_FOR_RETURN: the result is signed (electronic result, result digitized).
    ``electronic``, ``digitized``: the flags, or the functions of the dossier that say them
    (documents.digitization_flags.result_electronic, result_digitized; asked under the lock)."""
    d.status = Status.READY_FOR_RETURN
    d.result_electronic = flag_of(electronic, d)
    d.result_digitized = flag_of(digitized, d)
    return Event(data={"electronic": d.result_electronic, "digitized": d.result_digitized})


def _return_method(d, at, args) -> None:
    args["method"] = args.get("method") or d.return_method
    check_return(d, args["method"])


@transition("return_result", checks=[_return_method], prepare=ask_holds)
def return_result(d, at, *, officer, method=None) -> Event:
    """READY_FOR_RETURN → RETURNED at the counter, online or by public post."""
    d.status = Status.RETURNED
    d.return_method = method
    d.returned_at = at
    d.closed_at = at
    return Event(data={"method": method})


def _close_early(d: Dossier, at, to_status: str, text: str) -> Event:
    """End a dossier before any result: the clock stops at `at`, an open step closes."""
    if d.paused_at is not None:  # time spent waiting is not processing time
        shift_clock(d, d.paused_at, at)
    _close_open_step(d, at)
    d.status = to_status
    d.closed_at = at
    d.paused_at = None
    return Event(note=text)


@transition("withdraw", actor="by", checks=[reason("Cần nêu rõ lý do rút hồ sơ.")])
def withdraw(d, at, *, by, reason) -> Event:
    """The applicant withdraws (own request, or recorded by the counter) before any decision."""
    return _close_early(d, at, Status.WITHDRAWN, reason)


@transition("stop", checks=[reason("Cần nêu rõ lý do dừng giải quyết.")])
def stop(d, at, *, officer, reason) -> Event:
    """Notice of stopping settlement (Circular 03/2025, LEGAL §1.5 [?])."""
    return _close_early(d, at, Status.STOPPED, reason)
