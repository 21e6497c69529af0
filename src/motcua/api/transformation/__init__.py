"""Digital-transformation API (/api/v1/transformation): plans, tasks, budget lines, targets and values,
rounds, roll-up, import/export. Signed-in staff only (a citizen's token gets 403 on every route, as the back office
answers); what each may see and change is motcua.transformation.permissions (a unit its own data, the provincial
admin all, an auditor reads)."""

import functools

from ninja import Router

from motcua.transformation import permissions

from ..auth import api_auth
from . import papers, plans, rounds


def staff_only(view):
    """ninja operation decorator: the caller works for the state (permissions.works_for_state), else 403."""

    @functools.wraps(view)
    def run(request, *args, **kwargs):
        permissions.require(permissions.works_for_state(request.auth), permissions.FORBIDDEN_NOT_STAFF)
        return view(request, *args, **kwargs)

    return run


router = Router(tags=["transformation"], auth=api_auth)
router.add_decorator(staff_only)
router.add_router("", plans.router)
router.add_router("", rounds.router)
router.add_router("", papers.router)
