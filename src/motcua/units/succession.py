"""What follows when an administrator records an agency's successor in the admin (*cơ quan kế thừa* on an agency no
longer working: a provincial department merged into another, ``Agency.clean`` checks it). A merger's reorganization
plan moves what hangs on the old agencies through its steps (units.reorganization); a successor recorded in the admin
has no plan, so an app whose work the successor takes over registers a ``Follower`` here from its
``AppConfig.ready``, and the admin runs each one when it saves the agency (in the same transaction)::

    @followers.register("transformation.tasks")
    class OpenTasks(Follower):
        def follow(self, actor, agency, successor, on) -> str: ...  # what moved, for the administrator ("" if nothing)
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from motcua.core.plugins import Registry

from .models import Agency


class Follower:
    def follow(self, actor, agency: Agency, successor: Agency, on: dt.date) -> str:
        """Give `successor` what of this kind `agency` leaves, from `on`; a sentence saying what moved, for the
        administrator ("" when nothing did)."""
        return ""


followers: Registry[type[Follower]] = Registry("successor follower")


def taking_over_on(agency: Agency) -> dt.date:
    """The day the successor takes over: the day after the agency's unit's last day when one is recorded, else today
    (the day the administrator records it; ``Agency.clean`` asks the successor to work on that day)."""
    last = agency.admin_unit.valid_to
    return last + dt.timedelta(days=1) if last else timezone.localdate()


def follow(actor, agency: Agency, successor: Agency) -> list[str]:
    """Run every registered follower for `agency`, whose successor `successor` an administrator has just recorded."""
    on = taking_over_on(agency)
    return [said for _name, cls in followers.items() if (said := cls().follow(actor, agency, successor, on))]
