"""Legal defaults of the engagement app — the ONE place for satisfaction criteria and feedback deadlines.

Every value can be overridden in settings (``MOTCUA_FEEDBACK_DEADLINES``) or, for the rating criteria,
in the RatingCriterion table (seeded from ``DEFAULT_CRITERIA`` by migration 0002).
"""

from __future__ import annotations

from django.conf import settings

# Circular 01/2018/TT-VPCP art. 13 (criteria of Decree 61/2018 art. 31): each indicator scores 0, 1 or 2.
# LEGAL.md §7: the full 9-indicator list was not retrieved; these are the indicators known for sure.
DEFAULT_CRITERIA = [
    {"code": "total_time", "order": 1, "name": "Tổng thời gian giải quyết so với thời gian quy định",
     "options": {"2": "Sớm hơn quy định", "1": "Đúng quy định", "0": "Muộn hơn quy định"}},
    {"code": "unit_time", "order": 2, "name": "Thời gian giải quyết của từng cơ quan, đơn vị so với quy định",
     "options": {"2": "Sớm hơn quy định", "1": "Đúng quy định", "0": "Muộn hơn quy định"}},
    {"code": "contacts", "order": 3, "name": "Số lần phải liên hệ nơi tiếp nhận để hoàn thiện hồ sơ (kể cả trực tuyến)",
     "options": {"2": "Không phải liên hệ", "1": "Một lần", "0": "Nhiều hơn một lần"}},
]
SCORE_VALUES = (0, 1, 2)  # Circular 01/2018/TT-VPCP: 0/1/2 points per indicator

# Decree 20/2008/ND-CP (amended) as encoded in the Decision 766 specification (LEGAL.md §8, unverified [?]):
# working days allowed from receipt (or transfer) for each feedback step.
FEEDBACK_DEADLINES = {
    "reject": 2,        # refuse to handle: ≤ 2 working days
    "request_info": 5,  # ask the sender for more information: ≤ 5 working days
    "handle": 15,       # answer (ready to publish): ≤ 15 working days
    "publish": 2,       # publish the answer: ≤ 2 working days after it is ready
}

# Decision 766/QĐ-TTg (2022), indicator 5.3/5.4: a rating "not satisfied" counts against the agency.


def feedback_deadlines() -> dict[str, int]:
    return {**FEEDBACK_DEADLINES, **settings.MOTCUA_FEEDBACK_DEADLINES}
