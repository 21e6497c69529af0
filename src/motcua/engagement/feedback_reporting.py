"""Feedback (phản ánh, kiến nghị) figures for reporting (Decision 766 group 5); the handling is in ``feedback``.

- ``feedback_on_time(feedback, as_of)`` — True/False per item (indicator 5.2 rule: finished items on time
  when answered/rejected by their deadline; open items on time while not past the handling deadline).
- ``feedback_published_on_time(feedback, as_of)`` — answer published within the publishing deadline.
- ``feedback_summary(feedback_qs, as_of)`` — counts on time / late / in progress, by classification, the
  on-time rate, and the 5.3 handling-satisfaction rate (all − disliked − overdue − re-raised) ÷ all.
- ``received_by(feedback_qs, agency_codes)`` — the items those agencies received, wherever they moved since.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.utils import timezone

from .common import percent
from .models import Feedback, FeedbackClassification, FeedbackStatus


def received_by(qs, agency_codes):
    """The items of ``qs`` that the agencies ``agency_codes`` received, wherever a reorganization moved them since
    (``feedback.transfer_feedback``): a merged commune's past figures keep the items it received."""
    return qs.filter(received_agency__code__in=list(agency_codes))


def feedback_on_time(fb: Feedback, as_of=None) -> bool:
    """Decision 766 indicator 5.2 rule (LEGAL.md §8): finished by its deadline, or still open within it."""
    as_of = as_of or timezone.now()
    if fb.info_requested_at and fb.info_request_due_at and fb.info_requested_at > fb.info_request_due_at:
        return False  # asked the sender for information too late
    if fb.status == FeedbackStatus.INFO_REQUESTED:
        return True  # waiting for the sender: the agency's clock is stopped
    if fb.status == FeedbackStatus.REJECTED and fb.rejected_at:
        return fb.rejected_at <= fb.reject_due_at
    if fb.answered_at:
        return fb.answered_at <= fb.handle_due_at
    return as_of <= fb.handle_due_at


def feedback_published_on_time(fb: Feedback, as_of=None) -> bool | None:
    """Answer published within the publishing deadline (None when there is no answer yet)."""
    if not fb.answered_at or fb.publish_due_at is None:
        return None
    if fb.published_at:
        return fb.published_at <= fb.publish_due_at
    return (as_of or timezone.now()) <= fb.publish_due_at


def feedback_summary(qs, as_of=None) -> dict:
    """Counts over a Feedback queryset at `as_of` (default now). Rates are Decimal percentages or None.

    Returns {"total", "finished", "finished_on_time", "finished_late", "in_progress", "in_progress_on_time",
    "in_progress_late", "on_time", "late", "on_time_rate", "rejected", "dissatisfied", "reraised", "unhappy",
    "handling_satisfaction_rate" ((total − dissatisfied − late − re-raised) ÷ total, each item once),
    "by_classification": {code: n}}.
    """
    as_of = as_of or timezone.now()
    out = {"total": 0, "finished": 0, "finished_on_time": 0, "finished_late": 0, "in_progress": 0,
           "in_progress_on_time": 0, "in_progress_late": 0, "rejected": 0, "dissatisfied": 0, "reraised": 0,
           "by_classification": dict.fromkeys(FeedbackClassification.values, 0)}
    unhappy = 0
    qs = qs.annotate(was_reraised=Exists(Feedback.objects.filter(reraises=OuterRef("pk"))))
    for fb in qs.only("status", "classification", "received_at", "reject_due_at", "handle_due_at", "answered_at",
                      "rejected_at", "submitter_satisfied", "info_requested_at", "info_request_due_at").iterator():
        out["total"] += 1
        out["by_classification"][fb.classification] = out["by_classification"].get(fb.classification, 0) + 1
        on_time = feedback_on_time(fb, as_of)
        finished = fb.answered_at is not None or fb.status == FeedbackStatus.REJECTED
        key = "finished" if finished else "in_progress"
        out[key] += 1
        out[f"{key}_{'on_time' if on_time else 'late'}"] += 1
        if fb.status == FeedbackStatus.REJECTED:
            out["rejected"] += 1
        if fb.submitter_satisfied is False:
            out["dissatisfied"] += 1
        if fb.was_reraised:
            out["reraised"] += 1
        if fb.submitter_satisfied is False or not on_time or fb.was_reraised:
            unhappy += 1
    out["on_time"] = out["finished_on_time"] + out["in_progress_on_time"]
    out["late"] = out["finished_late"] + out["in_progress_late"]
    out["on_time_rate"] = percent(out["on_time"], out["total"])
    out["unhappy"] = unhappy
    out["handling_satisfaction_rate"] = percent(out["total"] - unhappy, out["total"])
    return out
