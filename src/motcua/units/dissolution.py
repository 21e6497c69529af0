"""What keeps an administrator from closing a unit in the admin (its last day, ``valid_to``, set there: a dissolution,
or a merger recorded without a plan; ``AdministrativeUnit.clean``). A merger's reorganization plan
(units.reorganization) moves what hangs on the old agencies; a closure in the admin moves nothing, so it waits until
nothing is left.

Units sit below the apps that hang things on an agency, so each app that may hold a unit open registers a
``Blocker`` here from its ``AppConfig.ready``::

    @blockers.register("dossiers.open")
    class OpenDossiers(Blocker):
        def reason(self, agency_ids) -> str: ...  # "" when its things do not hold the unit
"""

from __future__ import annotations

from motcua.core.plugins import Registry


class Blocker:
    def reason(self, agency_ids: list[int]) -> str:
        """Why the unit whose agencies are ``agency_ids`` cannot be dissolved now, for the administrator ("" when
        nothing of this kind holds it)."""
        return ""


blockers: Registry[type[Blocker]] = Registry("dissolution blocker")


def reasons(agency_ids: list[int]) -> list[str]:
    """Every registered reason the unit cannot be dissolved now (empty: it can)."""
    return [reason for _name, cls in blockers.items() if (reason := cls().reason(agency_ids))]
