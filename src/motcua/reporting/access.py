"""Who may see the dossiers behind a statistic (drill-down lists) and build report files, for which unit."""

from __future__ import annotations

from motcua.accounts import permissions
from motcua.core.errors import PermissionDenied
from motcua.units.models import Agency


def check_scope(user, scope: str | None) -> None:
    """Officers see their own agencies; province-wide roles see everything."""
    if permissions.is_province_wide(user):
        return
    if not permissions.is_officer(user):
        raise PermissionDenied("forbidden", "Chỉ cán bộ mới xem được danh sách hồ sơ và báo cáo.")
    mine = set(Agency.objects.filter(pk__in=permissions.agencies_of(user)).values_list("code", flat=True))
    # 'lineage:<code>': an agency's own figures with its predecessors' (reorganized units) are its officers' too
    if not scope or scope.removeprefix("lineage:") not in mine:
        raise PermissionDenied("forbidden", "Bạn chỉ xem được hồ sơ và báo cáo của đơn vị mình.")
