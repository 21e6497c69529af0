"""The lifecycle's own small data-access layer: the commit path's statements, as few as possible.

``lock_row(field, value, actor, reads)`` — ONE statement: the dossier row locked ``FOR NO KEY UPDATE`` with its
procedure (and field), agencies, current step (the dossier's own row carries the time of its latest event), the
acting user's role
assignments (for the guard, which runs in Python; commit.py) and, for the transitions that walk the process
(``reads``), the procedure's steps and the dossier's open step run; built into model instances with the
fields' own converters, without the ORM's compiler.

``write(d, changed, event, outbox, entry)`` — what every transition writes: the dossier row's changed
columns, its ``DossierEvent``, its outbox event, whose payload carries the new event's id (``event_id``), and
its audit entry (made by ``audit.services.entry``: content hash computed, chained later by the chainer). On
PostgreSQL that is ONE statement (the row update, the event insert and the outbox insert, which takes the
event's id from the event insert, are data-modifying CTEs of the audit insert); elsewhere (SQLite) the same
statements run one after the other and the audit entry is saved by ``audit.services.save`` (chained there).

``insert(obj)`` — a new row (a dossier, a slip, a step run): one INSERT … RETURNING its id (the last row id
where the database has no RETURNING), after which the instance looks saved (pk, ``_state``), as ``Model.save``
leaves it. ``update(obj, fields)`` — some columns of a saved row (a step run finished or pushed back).

A submission's own reads (the account lock with the earlier attempt, the procedure and agency by code) are in
intake_reads.py, built on the helpers here.

On PostgreSQL they all go through a server-side binding cursor, so that psycopg prepares them once per connection
(``prepare_threshold`` in the database OPTIONS: settings.py). The ORM models stay the schema's home: table and
column names come from their ``_meta`` and every value passes through its field (``pre_save``:
``auto_now_add``; ``get_db_prep_save``: JSON, dates), exactly as ``Model.save`` would write it; the SQL text
is built once per shape. The caller holds the transaction (commit.py); nothing here commits.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import weakref

from django.db import DatabaseError, connections, router
from django.utils import timezone

from motcua.accounts import permissions
from motcua.accounts.models import RoleAssignment
from motcua.audit import services as audit
from motcua.audit.models import AuditEntry
from motcua.catalog.models import Procedure, ProcessStep
from motcua.outbox.models import OutboxEvent
from motcua.units.models import Agency

from ..models import Dossier, DossierEvent, StepRun


def writer():
    """The connection the lifecycle locks and writes on (the leader, whatever a replica router says of reads)."""
    return connections[router.db_for_write(Dossier)]


def _qn(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _insert_fields(model) -> list:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _values(obj, fields, connection, *, add: bool) -> list:
    return [f.get_db_prep_save(f.pre_save(obj, add), connection) for f in fields]


@functools.cache
def _update_sql(columns: tuple[str, ...], model=Dossier) -> str:
    meta = model._meta
    sets = ", ".join(f"{_qn(meta.get_field(c).column)} = %s" for c in columns)
    return f"UPDATE {_qn(meta.db_table)} SET {sets} WHERE {_qn(meta.pk.column)} = %s"


@functools.cache
def _insert_sql(model) -> str:
    fields = _insert_fields(model)
    return (f"INSERT INTO {_qn(model._meta.db_table)} ({', '.join(_qn(f.column) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))})")


@functools.cache
def _combined_sql(columns: tuple[str, ...]) -> str:
    """PostgreSQL: update + event + outbox + audit entry in one statement; the payload gets the event's id.
    The audit entry is the statement's own INSERT, the others its data-modifying CTEs, in that order (the order
    in which the statement takes its table locks: the audit table's last)."""
    event_pk = _qn(DossierEvent._meta.pk.column)
    ctes = []
    if columns:
        ctes.append(f"dossier_row AS ({_update_sql(columns)})")
    ctes.append(f"event_row AS ({_insert_sql(DossierEvent)} RETURNING {event_pk})")
    outbox = _insert_fields(OutboxEvent)
    values = ", ".join(
        f"jsonb_set(%s::jsonb, '{{event_id}}', to_jsonb((SELECT {event_pk} FROM event_row)))"
        if f.name == "payload" else "%s" for f in outbox)
    ctes.append(f"outbox_row AS (INSERT INTO {_qn(OutboxEvent._meta.db_table)} "
                f"({', '.join(_qn(f.column) for f in outbox)}) VALUES ({values}))")
    return f"WITH {', '.join(ctes)} {_insert_sql(AuditEntry)}"


def _cursor(connection):
    if connection.vendor == "postgresql":
        # Server-side binding: psycopg can prepare the statement (Django's own cursors bind client-side and
        # never do). Wrapped like Django's cursors: errors become Django's, statements are logged/captured.
        from django.db.backends.postgresql.base import ServerBindingCursor

        connection.ensure_connection()
        raw = ServerBindingCursor(connection.connection)
        return connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)
    return connection.cursor()


def write(d: Dossier, changed: list[str] | None, event: DossierEvent, outbox: OutboxEvent, entry: AuditEntry) -> None:
    """Write the dossier's ``changed`` columns (attnames; None: the row was saved already), the event, the
    outbox event, whose payload gains ``event_id``, and the audit entry. ``event.pk`` is set afterwards when it
    was read back (SQLite)."""
    connection = writer()
    columns = tuple(changed or ())
    update = (_values(d, [Dossier._meta.get_field(c) for c in columns], connection, add=False) + [d.pk]
              if columns else [])
    if connection.vendor == "postgresql":
        with _cursor(connection) as cur:
            cur.execute(_combined_sql(columns), update
                        + [v for obj in (event, outbox, entry)
                           for v in _values(obj, _insert_fields(type(obj)), connection, add=True)])
        return
    if columns:
        with _cursor(connection) as cur:
            cur.execute(_update_sql(columns), update)
    insert(event)
    outbox.payload = {**outbox.payload, "event_id": event.pk}
    insert(outbox)
    audit.save(entry, savepoint=False)


@functools.cache
def _insert_returning_sql(model, returning: bool) -> str:
    return _insert_sql(model) + (f" RETURNING {_qn(model._meta.pk.column)}" if returning else "")


def insert(obj) -> None:
    """INSERT the row of ``obj``, a model instance not saved yet (its primary key comes from the database), with
    the values ``Model.save`` would write; afterwards it looks saved: pk, ``_state.adding`` False, ``_state.db``.
    No signal is sent (the dossier models have no receivers)."""
    assert obj._state.adding and obj.pk is None
    connection = writer()
    model = type(obj)
    returning = connection.features.can_return_columns_from_insert
    with _cursor(connection) as cur:
        cur.execute(_insert_returning_sql(model, returning),
                    _values(obj, _insert_fields(model), connection, add=True))
        obj.pk = cur.fetchone()[0] if returning else cur.lastrowid
    obj._state.adding, obj._state.db = False, connection.alias


def update(obj, fields: list[str]) -> None:
    """UPDATE the ``fields`` (attnames) of the saved row of ``obj`` (a step run), prepared on PostgreSQL."""
    connection = writer()
    model = type(obj)
    with _cursor(connection) as cur:
        cur.execute(_update_sql(tuple(fields), model),
                    _values(obj, [model._meta.get_field(f) for f in fields], connection, add=False) + [obj.pk])
        if cur.rowcount != 1:  # as Model.save(update_fields=...) does
            raise DatabaseError(f"Cập nhật {model._meta.verbose_name} #{obj.pk} không tác động đến dòng nào.")


# ---------------------------------------------------------------------------------------------- the locking read

# What a transition reads with the row lock: the dossier with the relations its guard and change use (the receiving
# agency's unit: whether it still receives, units.receiving; its and the holding agency's units: the last day of a
# dissolution recorded ahead, which bounds a moved appointment, processing.check_new_appointment).
# (attribute path, relation field) in join order; a relation of one joined LEFT is joined LEFT too.
_RELATIONS = (("procedure", Dossier._meta.get_field("procedure")),
              ("procedure__field", Procedure._meta.get_field("field")),
              ("agency", Dossier._meta.get_field("agency")),
              ("agency__admin_unit", Agency._meta.get_field("admin_unit")),
              ("current_agency", Dossier._meta.get_field("current_agency")),
              ("current_agency__admin_unit", Agency._meta.get_field("admin_unit")),
              ("current_step", Dossier._meta.get_field("current_step")))
_LOOKUPS = ("pk", "code")


# The acting user's role assignments, read by the same statement for the guard's role check: their columns
# travel as one JSON array per assignment, so only columns JSON keeps as they are (numbers, text).
_ROLE_FIELDS = RoleAssignment._meta.concrete_fields
_ROLES_AS_JSON = all(f.get_internal_type() in ("AutoField", "BigAutoField", "ForeignKey", "CharField")
                     for f in _ROLE_FIELDS)


def _json_functions(vendor: str) -> tuple[str, str]:
    """(aggregate rows into a JSON array, build a JSON array of columns) in this database's SQL."""
    return ("json_agg", "json_build_array") if vendor == "postgresql" else ("json_group_array", "json_array")


def _roles_sql(vendor: str) -> str:
    meta = RoleAssignment._meta
    cols = ", ".join(f"r.{_qn(f.column)}" for f in _ROLE_FIELDS)
    agg, array = _json_functions(vendor)
    return (f"(SELECT {agg}({array}({cols})) FROM {_qn(meta.db_table)} r "
            f"WHERE r.{_qn(meta.get_field('user').column)} = %s)")


# What a transition that walks the process reads too (``reads``): the procedure's steps (processing._steps,
# guards.last_step_pk) and the dossier's open step run (processing.open_run), one JSON value each.
_STEP_FIELDS = ProcessStep._meta.concrete_fields
_RUN_FIELDS = StepRun._meta.concrete_fields
READS = ("steps", "open_run")


def _json_sql(vendor: str, what: str) -> str:
    agg, array = _json_functions(vendor)
    d_pk = f"d.{_qn(Dossier._meta.pk.column)}"
    if what == "steps":
        meta = ProcessStep._meta
        cols = ", ".join(f"s.{_qn(f.column)}" for f in _STEP_FIELDS)
        return (f"(SELECT {agg}({array}({cols})) FROM {_qn(meta.db_table)} s "
                f"WHERE s.{_qn(meta.get_field('procedure').column)} = d.{_qn(Dossier._meta.get_field('procedure').column)})")
    meta = StepRun._meta
    cols = ", ".join(f"r.{_qn(f.column)}" for f in _RUN_FIELDS)
    started, pk = _qn(meta.get_field("started_at").column), _qn(meta.pk.column)
    return (f"(SELECT {array}({cols}) FROM {_qn(meta.db_table)} r "
            f"WHERE r.{_qn(meta.get_field('dossier').column)} = {d_pk} "
            f"AND r.{_qn(meta.get_field('finished_at').column)} IS NULL ORDER BY r.{started} DESC, r.{pk} DESC LIMIT 1)")


def _checks_freshness(vendor: str, for_update: bool) -> bool:
    """Whether the locking statement also says if what it read is the row's latest state (PostgreSQL: see
    ``lock_row``)."""
    return for_update and vendor == "postgresql"


@functools.cache
def _lock_sql(field: str, for_update: bool, vendor: str, with_roles: bool = False, reads: tuple = ()) -> str:
    aliases = {"": "d"}
    columns = [f"d.{_qn(f.column)}" for f in Dossier._meta.concrete_fields]
    joins, left = [], set()
    for n, (path, rel) in enumerate(_RELATIONS):
        owner = path.rpartition("__")[0]
        parent = aliases[owner]
        alias = aliases[path] = f"r{n}"
        if rel.null or owner in left:
            left.add(path)
        model = rel.related_model
        columns += [f"{alias}.{_qn(f.column)}" for f in model._meta.concrete_fields]
        joins.append(f"{'LEFT ' if path in left else ''}JOIN {_qn(model._meta.db_table)} {alias} "
                     f"ON {alias}.{_qn(rel.target_field.column)} = {parent}.{_qn(rel.column)}")
    if with_roles:
        columns.append(_roles_sql(vendor))
    columns += [_json_sql(vendor, what) for what in reads]
    if _checks_freshness(vendor, for_update):
        pk, table = _qn(Dossier._meta.pk.column), _qn(Dossier._meta.db_table)
        columns.append(f"d.xmin = (SELECT x.xmin FROM {table} x WHERE x.{pk} = d.{pk})")
    where = _qn((Dossier._meta.pk if field == "pk" else Dossier._meta.get_field(field)).column)
    return (f"SELECT {', '.join(columns)} FROM {_qn(Dossier._meta.db_table)} d {' '.join(joins)} "
            f"WHERE d.{where} = %s" + (" FOR NO KEY UPDATE OF d" if for_update else ""))


def _converters(connection, fields) -> list:
    """Per column: the functions that turn what the driver returns into the field's value (as the ORM does)."""
    out = []
    for f in fields:
        col = f.get_col(f.model._meta.db_table)
        out.append((col, connection.ops.get_db_converters(col) + col.get_db_converters(connection)))
    return out


_parts_cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _cached(connection, key, make):
    """Per connection (converters may hold it): ``make()`` once per ``key``."""
    cache = _parts_cache.setdefault(connection, {})
    if key not in cache:
        cache[key] = make()
    return cache[key]


def _parts(connection, models: tuple) -> list:
    """[(model, converters)] of ``models``, whose columns a statement reads one model after the other."""
    return _cached(connection, models,
                   lambda: [(m, _converters(connection, m._meta.concrete_fields)) for m in models])


def _instances(connection, parts, row) -> tuple[list, int]:
    """The model instances read by ``row`` (None for one whose primary key is NULL: a LEFT JOIN found none) and
    the index of its first column after them."""
    objects, i = [], 0
    for model, converters in parts:
        values = list(row[i:i + len(converters)])
        i += len(converters)
        for n, (col, convs) in enumerate(converters):
            for conv in convs:
                values[n] = conv(values[n], col, connection)
        objects.append(None if values[0] is None else model.from_db(connection.alias, None, values))
    return objects, i


@functools.cache
def _locked_models() -> tuple:
    return (Dossier, *(rel.related_model for _, rel in _RELATIONS))


def _build(connection, row) -> Dossier:
    (d, *related), _ = _instances(connection, _parts(connection, _locked_models()), row)
    owners = {"": d}
    for (path, _), obj in zip(_RELATIONS, related, strict=True):
        owner, _, name = path.rpartition("__")
        if owners.get(owner) is not None:
            owners[owner]._state.fields_cache[name] = obj
        owners[path] = obj
    return d


def _remember_roles(connection, actor, raw) -> None:
    if isinstance(raw, str):
        raw = json.loads(raw)
    permissions.remember_roles(actor, [RoleAssignment.from_db(connection.alias, None, values) for values in raw or ()])


def _from_json(connection, model, fields, raw):
    """A model instance from one JSON array of its column values (as the statement above builds them)."""
    values = []
    for f, value in zip(fields, raw, strict=True):
        if value is not None and f.get_internal_type() in ("DecimalField", "DateTimeField"):
            value = f.to_python(str(value) if f.get_internal_type() == "DecimalField" else value)
            if isinstance(value, dt.datetime) and timezone.is_naive(value):
                value = timezone.make_aware(value, dt.UTC)  # SQLite's text has no offset: stored as UTC
        values.append(value)
    return model.from_db(connection.alias, None, values)


def _remember_reads(connection, d: Dossier, reads: tuple, raw: list) -> None:
    for what, value in zip(reads, raw, strict=True):
        if isinstance(value, str):
            value = json.loads(value)
        if what == "steps":
            steps = sorted((_from_json(connection, ProcessStep, _STEP_FIELDS, v) for v in value or ()),
                           key=lambda step: step.order)
            d._lifecycle_steps = steps
            d.procedure._lifecycle_last_step_pk = steps[-1].pk if steps else None  # see guards.last_step_pk
        else:
            d._lifecycle_open_run = _from_json(connection, StepRun, _RUN_FIELDS, value) if value else None


def lock_row(field: str, value, actor=None, reads: tuple = ()) -> Dossier | None:
    """The dossier whose ``field`` ("pk" or "code") is ``value``, its row locked FOR NO KEY UPDATE (inside the
    caller's transaction), loaded with procedure (and its field), agency, current agency and current step;
    None when there is none. One statement (again, once the lock is held, when it had to wait for a change
    of the row), which also
    reads the role assignments of ``actor`` (a user whose roles are not known yet) for the guard and what
    ``reads`` names (READS: ``d._lifecycle_steps``, ``d._lifecycle_open_run``)."""
    reads = tuple(reads)
    assert field in _LOOKUPS and set(reads) <= set(READS)
    connection = writer()
    with_roles = (_ROLES_AS_JSON and getattr(actor, "pk", None) is not None
                  and getattr(actor, "is_authenticated", False) and not permissions.roles_known(actor))
    for_update = connection.features.has_select_for_update
    sql = _lock_sql(field, for_update, connection.vendor, with_roles, reads)
    check = _checks_freshness(connection.vendor, for_update)
    for attempt in range(3):
        with _cursor(connection) as cur:
            cur.execute(sql, [actor.pk, value] if with_roles else [value])
            row = cur.fetchone()
        # A statement that waited for the row lock (READ COMMITTED) reads the locked row at its latest version but
        # the joined rows and the sub-selects as they were before the wait: a changed agency or step would come
        # back missing or stale, and a changed required relation would hide the row. Then ask again: the lock is
        # ours now, and the new statement sees the latest state without waiting. The last column says which.
        if not check or (row is not None and row[-1]) or (row is None and attempt):
            break
    if row is None:
        return None
    if check:
        row = row[:-1]
    extra = len(reads)
    if with_roles:
        _remember_roles(connection, actor, row[-1 - extra])
    d = _build(connection, row)
    if reads:
        _remember_reads(connection, d, reads, row[-extra:])
    return d
