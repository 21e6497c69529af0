"""Digital-transformation API (/api/v1/transformation): plans, tasks, budget lines, targets and values,
rounds, roll-up, import/export. Signed-in callers only; what each may see and change is
motcua.transformation.permissions (a unit its own data, the provincial admin all, an auditor reads)."""

from ninja import Router

from ..auth import api_auth
from . import papers, plans, rounds

router = Router(tags=["transformation"], auth=api_auth)
router.add_router("", plans.router)
router.add_router("", rounds.router)
router.add_router("", papers.router)
