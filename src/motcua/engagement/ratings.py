"""Satisfaction ratings of returned dossiers (Circular 01/2018/TT-VPCP scoring).

Every write runs in one transaction, validates its input (DomainError with a code and a Vietnamese
message, nothing half-written), writes an audit entry and the outbox event ``engagement.rating_submitted``.

- ``submit_rating(user, dossier, satisfied, scores=None, comment="")`` — one rating per dossier, by its
  applicant, after the result was returned. ``scores`` is empty (quick rating) or gives 0/1/2 for every
  active RatingCriterion. ``suggested_scores(dossier)`` computes the agency's own 0/1/2 scoring from the
  dossier's dates and supplement count.

For reporting (Decision 766 group 5)
    ``satisfaction_summary(dossiers)`` — ratings of a dossier queryset: rated, satisfied, rates, per-criterion
      averages and 0/1/2 distributions.
    ``dissatisfied_dossiers(dossiers)`` — the indicator 5.4 numerator part: dossiers rated "not satisfied"
      or cited by a feedback item.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from motcua.audit.services import record
from motcua.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from motcua.core.money import format_number
from motcua.dossiers.models import Dossier, Status
from motcua.outbox.services import emit

from .common import MAX_COMMENT, clean_text, iso, percent
from .models import RatingCriterion, SatisfactionRating
from .rules import SCORE_VALUES


def active_criteria() -> list[RatingCriterion]:
    return list(RatingCriterion.objects.filter(is_active=True))


def _validate_scores(scores) -> dict[str, int]:
    if not scores:
        return {}
    if not isinstance(scores, dict):
        raise ValidationFailed("rating_scores_invalid", "Điểm đánh giá không đúng định dạng.")
    criteria = {c.code: c for c in active_criteria()}
    unknown = sorted(set(scores) - set(criteria))
    if unknown:
        raise ValidationFailed("rating_criterion_unknown", "Tiêu chí đánh giá không tồn tại: " + ", ".join(unknown),
                               details={"criteria": unknown})
    missing = [criteria[c].name for c in criteria if c not in scores]
    if missing:
        raise ValidationFailed("rating_criterion_missing", "Vui lòng chấm điểm đủ các tiêu chí: " + "; ".join(missing),
                               details={"criteria": [c for c in criteria if c not in scores]})
    clean = {}
    for code, value in scores.items():
        if isinstance(value, bool) or not isinstance(value, int) or value not in SCORE_VALUES:
            raise ValidationFailed("rating_score_invalid",
                                   f"Điểm của tiêu chí “{criteria[code].name}” phải là 0, 1 hoặc 2.",
                                   details={"criterion": code})
        clean[code] = value
    return clean


def _rating_payload(rating: SatisfactionRating, dossier) -> dict:
    return {"dossier_id": dossier.pk, "code": dossier.code, "agency_code": dossier.agency.code,
            "procedure_code": dossier.procedure.code, "satisfied": rating.satisfied, "scores": rating.scores,
            "total_score": rating.total_score, "max_score": rating.max_score, "at": iso(rating.created_at)}


def submit_rating(user, dossier, satisfied: bool, scores: dict | None = None, comment: str = "",
                  at=None) -> SatisfactionRating:
    """The applicant rates their returned dossier once (Circular 01/2018/TT-VPCP ch. III)."""
    if not isinstance(satisfied, bool):
        raise ValidationFailed("rating_satisfied_required", "Vui lòng chọn hài lòng hoặc không hài lòng.")
    comment = clean_text(comment)
    if len(comment) > MAX_COMMENT:
        raise ValidationFailed("rating_comment_too_long", f"Ý kiến không được dài quá {format_number(MAX_COMMENT)} ký tự.")
    clean = _validate_scores(scores)
    try:
        with transaction.atomic():
            dossier = Dossier.objects.select_for_update(of=("self",)).select_related("agency", "procedure").get(pk=dossier.pk)
            if user is None or not getattr(user, "is_authenticated", False) or dossier.applicant_id != user.pk:
                raise PermissionDenied("forbidden", "Chỉ người nộp hồ sơ mới được đánh giá hồ sơ này.")
            if dossier.status != Status.RETURNED:
                raise InvalidTransition("rating_not_returned", "Chỉ đánh giá được hồ sơ đã trả kết quả.")
            if SatisfactionRating.objects.filter(dossier=dossier).exists():
                raise InvalidTransition("rating_exists", "Hồ sơ này đã được đánh giá.")
            rating = SatisfactionRating.objects.create(
                dossier=dossier, rated_by=user, satisfied=satisfied, scores=clean,
                total_score=sum(clean.values()), max_score=max(SCORE_VALUES) * len(clean), comment=comment,
                created_at=at or timezone.now())
            record(user, "engagement.rating_submitted", "dossier", dossier.pk,
                   {"satisfied": satisfied, "scores": clean})
            emit("engagement.rating_submitted", "dossier", dossier.pk, _rating_payload(rating, dossier))
    except IntegrityError as exc:  # a concurrent rating won the race
        raise InvalidTransition("rating_exists", "Hồ sơ này đã được đánh giá.") from exc
    return rating


def suggested_scores(dossier) -> dict[str, int]:
    """The agency's own 0/1/2 scoring of the Circular 01/2018 indicators from the dossier's history."""
    scores: dict[str, int] = {}
    end = dossier.decided_at or dossier.returned_at
    due = dossier.original_due_at or dossier.due_at
    if end and due:
        local_end, local_due = timezone.localdate(end), timezone.localdate(due)
        scores["total_time"] = 2 if local_end < local_due else (1 if end <= due else 0)
    runs = [r for r in dossier.step_runs.all() if r.finished_at]
    if runs:
        if any(r.finished_at > r.due_at for r in runs):
            scores["unit_time"] = 0
        elif all(timezone.localdate(r.finished_at) < timezone.localdate(r.due_at) for r in runs):
            scores["unit_time"] = 2
        else:
            scores["unit_time"] = 1
    count = dossier.supplement_count or 0
    scores["contacts"] = 2 if count == 0 else (1 if count == 1 else 0)
    return scores


def satisfaction_summary(dossiers) -> dict:
    """Ratings of the dossiers in `dossiers` (a Dossier queryset). Rates are Decimal percentages or None.

    Returns {"dossiers", "returned", "rated", "satisfied", "not_satisfied", "satisfaction_rate" (satisfied ÷
    rated), "response_rate" (rated ÷ returned), "score_rate" (points ÷ max points of scored ratings),
    "criteria": {code: {"name", "rated", "average", "distribution": {0: n, 1: n, 2: n}}}}.
    """
    total = dossiers.count()
    returned = dossiers.filter(status=Status.RETURNED).count()
    ratings = SatisfactionRating.objects.filter(dossier__in=dossiers.values("pk"))
    rated = satisfied = points = max_points = 0
    names = {c.code: c.name for c in RatingCriterion.objects.all()}
    per: dict[str, dict] = {}
    for ok, scores, tot, mx in ratings.values_list("satisfied", "scores", "total_score", "max_score").iterator():
        rated += 1
        satisfied += 1 if ok else 0
        points += tot
        max_points += mx
        for code, value in (scores or {}).items():
            item = per.setdefault(code, {"name": names.get(code, code), "rated": 0, "sum": 0,
                                         "distribution": dict.fromkeys(SCORE_VALUES, 0)})
            item["rated"] += 1
            item["sum"] += value
            item["distribution"][value] = item["distribution"].get(value, 0) + 1
    criteria = {}
    for code, item in per.items():
        avg = (Decimal(item["sum"]) / item["rated"]).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        criteria[code] = {"name": item["name"], "rated": item["rated"], "average": avg,
                          "distribution": item["distribution"]}
    return {"dossiers": total, "returned": returned, "rated": rated, "satisfied": satisfied,
            "not_satisfied": rated - satisfied, "satisfaction_rate": percent(satisfied, rated),
            "response_rate": percent(rated, returned), "score_rate": percent(points, max_points), "criteria": criteria}


def dissatisfied_dossiers(dossiers):
    """Dossiers of `dossiers` rated "not satisfied" or cited by a feedback item (Decision 766 indicator 5.4:
    100 % − (late-dossier rate + rate of dossiers with a complaint or a "dislike"))."""
    return dossiers.filter(Q(rating__satisfied=False) | Q(feedback__isnull=False)).distinct()
