"""Rules that depend on the legal text in force when a dossier was received (one home per rule).

A dossier keeps ``rule_version`` — the text in force on its receipt date — for its whole life, so
a later change of the law never changes an old dossier's deadlines or forms (LEGAL.md §0).

Facts tagged [?] in LEGAL.md are defaults an installation may override in settings::

    MOTCUA_RULES = {"decree118_2025": {"apology_min_days_before_due": 2}}
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from django.conf import settings

from motcua.core.calendar import TZ

DECREE61_2018 = "decree61_2018"
DECREE118_2025 = "decree118_2025"
VERSIONS = {
    DECREE61_2018: "Nghị định 61/2018/NĐ-CP, Thông tư 01/2018/TT-VPCP",
    DECREE118_2025: "Nghị định 118/2025/NĐ-CP, Thông tư 03/2025/TT-VPCP",
}

# Decree 118/2025 (effect clause): in force 01/07/2025, ends Decree 61/2018 and 107/2021 (LEGAL §0).
DECREE118_EFFECTIVE = dt.date(2025, 7, 1)


@dataclass(frozen=True)
class RuleSet:
    version: str
    # Decree 61/2018 + Circular 01/2018 (Mẫu 02), kept by Decree 118/2025: an incomplete dossier is
    # guided ONCE, in writing, with the full list of what is missing (LEGAL §1.2).
    max_supplement_requests: int = 1
    # Decree 61/2018 (apology and new appointment; art. not verified, LEGAL §1.4 [?]): only once.
    max_apologies: int = 1
    # Same source: the apology is sent "at the latest one day before the deadline" (calendar days) [?].
    apology_min_days_before_due: int = 1
    # No national limit retrieved for extensions granted by a specialised law [?].
    max_extensions: int = 1
    # Decree 45/2020 (LEGAL §1.2 [B]): online dossiers get receipt or a supplement request within
    # 8 working hours after the portal received them.
    online_receipt_notice_working_hours: int = 8
    # Decision 766/QĐ-TTg (LEGAL §6, indicator 2.1): more than one supplement request ⇒ late.
    late_if_supplements_over: int = 1
    # An apology slip means the agency missed its appointment: counted late [?].
    apology_counts_as_late: bool = True


_DEFAULTS = {
    DECREE61_2018: RuleSet(version=DECREE61_2018),
    DECREE118_2025: RuleSet(version=DECREE118_2025),
}


def rule_version_for(moment: dt.datetime | dt.date) -> str:
    """The rule version in force on the (local) date of `moment`."""
    day = moment.astimezone(TZ).date() if isinstance(moment, dt.datetime) else moment
    return DECREE118_2025 if day >= DECREE118_EFFECTIVE else DECREE61_2018


def rules_for(version: str | None) -> RuleSet:
    base = _DEFAULTS.get(version or DECREE118_2025, _DEFAULTS[DECREE118_2025])
    overrides = settings.MOTCUA_RULES.get(base.version, {})
    return replace(base, **overrides) if overrides else base


def rules_of(dossier) -> RuleSet:
    return rules_for(dossier.rule_version)
