"""SQL expressions the ORM does not spell the way PostgreSQL's planner needs."""

from __future__ import annotations

from django.db.models import BooleanField, F, Func, Subquery


class AmongIds(Func):
    """``pk = ANY(ARRAY(<ids>))`` on PostgreSQL, ``pk IN (<ids>)`` elsewhere; ``ids``: a queryset of one column.

    For one branch of an OR. ``pk IN (SELECT …)`` there becomes a hashed sub-plan, which is no index condition:
    the whole OR can then only be read by a sequential scan of the table. ``ARRAY(SELECT …)`` is run once (an
    init-plan) and its values are an index condition like any constant list, so PostgreSQL can combine the OR's
    branches with a BitmapOr of their indexes."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, ids, field: str = "pk"):
        super().__init__(F(field), Subquery(ids.order_by()))

    def _parts(self, compiler):
        column, column_params = compiler.compile(self.source_expressions[0])
        ids, ids_params = compiler.compile(self.source_expressions[1])  # "(SELECT …)"
        return column, ids, (*column_params, *ids_params)

    def as_sql(self, compiler, connection, **extra_context):
        column, ids, params = self._parts(compiler)
        return f"{column} IN {ids}", params

    def as_postgresql(self, compiler, connection, **extra_context):
        column, ids, params = self._parts(compiler)
        return f"{column} = ANY(ARRAY{ids})", params
