"""A submission's own reads, each ONE statement through the lifecycle store's helpers (store.py: SQL from the
models' ``_meta``, prepared on PostgreSQL, model instances built with the fields' converters).

``lock_submitter(account_pk, key, agency)`` — for an idempotent submission (creation.create_once): the submitting
account's row locked ``FOR NO KEY UPDATE``, the id of its earlier dossier with that key, and the receiving agency's
row and its unit's read ``FOR SHARE`` (``share_agency``'s lock, in the same statement).

``share_agency(agency, procedure_pk)`` — for a submission without a key (and a draft): the receiving agency's row
and its unit's read ``FOR SHARE`` with what intake's ``_check_offered`` counts, in place of the statement that counted them.

Why the agency's row is read ``FOR SHARE`` inside the submission's transaction: an administrator switching the agency
off, or recording its successor (units.succession, which locks the row ``FOR NO KEY UPDATE`` and then moves its open
dossiers), writes that row; a submission that read it earlier without a lock would insert its dossier after the
followers ran, at an agency that no longer works. ``FOR SHARE`` waits for the administrator's transaction and then
reads the row as committed (refused: ``agency_inactive``), or holds the administrator back until the dossier is
committed (the followers then move it). Submissions into one agency share the lock and do not wait for each other
(not ``FOR NO KEY UPDATE``); ``FOR KEY SHARE`` (the foreign key's own check) would not wait for a switch-off, which
changes no key.

Its administrative unit's row is read ``FOR SHARE`` in the same statement, for the same reason: an administrator
closing the unit (its last day, ``valid_to``, set in the admin: ``AdministrativeUnit.clean`` locks the row before it
asks whether the unit's agencies still hold open dossiers) would otherwise check, find none, and close the unit
while a submission that read the unit earlier inserts its dossier there: received by a unit that no longer exists.
Under the lock the submission either waits and reads the closing (refused: ``agency_dissolved``/``agency_merged``) or
holds the administrator back until its dossier is committed (the closing is then refused: an open dossier). The
unit's lifetime read here replaces what the submission's earlier look-up (``procedure_and_agency``) loaded.

``procedure_and_agency(procedure_code, agency_code)`` — for a submission (the API): the procedure with its field,
the agency with its administrative unit, and what intake's ``_check_offered`` counts (how many agencies the
procedure names, whether this one is among them); no rule here: they stay in intake.py (and units.receiving).
"""

from __future__ import annotations

import functools

from motcua.catalog.models import Procedure
from motcua.units.models import Agency

from ..models import Dossier
from .store import _cursor, _instances, _parts, _qn, writer

# The unit's columns that say whether it exists on a day (units.lifetime), read with the agency's under the same share
# lock: see the module's docstring.
_UNIT_LIFETIME = ("valid_from", "valid_to", "replaced_by")


@functools.cache
def _agency_columns(alias: str) -> str:
    agency, unit = Agency._meta, _unit_model()._meta
    return ", ".join([f"{alias}.{_qn(agency.get_field(name).column)}" for name in ("is_active", "successor")]
                     + [f"u.{_qn(unit.get_field(name).column)}" for name in _UNIT_LIFETIME])


def _unit_model():
    return Agency._meta.get_field("admin_unit").related_model


@functools.cache
def _unit_join(alias: str) -> str:
    """The agency's unit ``u``, joined to its row ``alias``."""
    unit = Agency._meta.get_field("admin_unit")
    return (f" JOIN {_qn(unit.related_model._meta.db_table)} u "
            f"ON u.{_qn(unit.target_field.column)} = {alias}.{_qn(unit.column)}")


# Row locks of a submission's first statement, the unit's before the agency's (PostgreSQL takes them in the order
# named): the order of a merger's plan closing a unit (units.reorganization CloseUnits: the unit FOR UPDATE, then its
# agencies switched off), so neither waits for the other holding what it needs.
_SHARE_UNIT_AND_AGENCY = " FOR SHARE OF u, g"


@functools.cache
def _submitter_sql(for_update: bool) -> str:
    meta = Dossier._meta
    submitted_by = meta.get_field("submitted_by")
    account = submitted_by.related_model._meta
    return (f"SELECT (SELECT d.{_qn(meta.pk.column)} FROM {_qn(meta.db_table)} d "
            f"WHERE d.{_qn(submitted_by.column)} = a.{_qn(account.pk.column)} "
            f"AND d.{_qn(meta.get_field('idempotency_key').column)} = %s), {_agency_columns('g')} "
            f"FROM {_qn(account.db_table)} a, {_qn(Agency._meta.db_table)} g{_unit_join('g')} "
            f"WHERE a.{_qn(account.pk.column)} = %s AND g.{_qn(Agency._meta.pk.column)} = %s"
            + (" FOR NO KEY UPDATE OF a" + _SHARE_UNIT_AND_AGENCY if for_update else ""))


def lock_submitter(account_pk, idempotency_key: str, agency: Agency) -> int | None:
    """Lock the submitting account's row FOR NO KEY UPDATE (inside the caller's transaction; lock order and why
    not FOR UPDATE: commit.py), read ``agency``'s row FOR SHARE (``_shared``: see the module's docstring) and return
    the id of the account's earlier dossier with ``idempotency_key``, or None.

    One statement, so it reads the dossiers as they were when it started: a twin submission that committed while
    this one waited for the lock is not seen here. Its INSERT then violates the unique (submitted_by,
    idempotency_key) constraint, and create_once finds the twin after rolling back (commit.py)."""
    connection = writer()
    with _cursor(connection) as cur:
        cur.execute(_submitter_sql(connection.features.has_select_for_update),
                    [idempotency_key, account_pk, agency.pk])
        row = cur.fetchone()
    if row is None:  # the agency is gone: intake's own statement (share_agency) says so
        return None
    _shared(agency, *row[1:])
    agency._intake_shared = True  # until the submission's transaction ends: creation.create_once clears it
    return row[0]


@functools.cache
def _share_sql(for_share: bool) -> str:
    through = Procedure._meta.get_field("agencies").remote_field.through._meta
    named = (f"(SELECT COUNT(*) FROM {_qn(through.db_table)} t "
             f"WHERE t.{_qn(through.get_field('procedure').column)} = %s")
    this = f"{named} AND t.{_qn(through.get_field('agency').column)} = g.{_qn(Agency._meta.pk.column)})"
    return (f"SELECT {_agency_columns('g')}, {named}), {this} FROM {_qn(Agency._meta.db_table)} g{_unit_join('g')} "
            f"WHERE g.{_qn(Agency._meta.pk.column)} = %s" + (_SHARE_UNIT_AND_AGENCY if for_share else ""))


def share_agency(agency: Agency, procedure_pk) -> tuple[int, int] | None:
    """Read ``agency``'s row FOR SHARE (inside the caller's transaction: see the module's docstring), refresh what the
    instance says of whether it works (``is_active``, its successor), and return what intake's ``_check_offered``
    counts: how many agencies the procedure names and whether this agency is one of them. None: the agency is gone."""
    connection = writer()
    with _cursor(connection) as cur:
        cur.execute(_share_sql(connection.features.has_select_for_update), [procedure_pk, procedure_pk, agency.pk])
        row = cur.fetchone()
    if row is None:
        return None
    _shared(agency, *row[:-2])
    return row[-2], row[-1]


def _shared(agency: Agency, is_active, successor_id, *unit_lifetime) -> None:
    """``agency`` as its row reads under the submission's share lock: whether it works, and its successor; its unit
    (when loaded: else it is read when asked, after the lock) as its row reads under the same lock: its lifetime."""
    agency.is_active = bool(is_active)
    if agency.successor_id != successor_id:
        agency.successor_id = successor_id
        agency._state.fields_cache.pop("successor", None)
    unit = agency._state.fields_cache.get("admin_unit")
    if unit is None:
        return
    for name, value in zip(_UNIT_LIFETIME, unit_lifetime, strict=True):
        field = unit._meta.get_field(name)
        value = field.to_python(value)
        if getattr(unit, field.attname) != value:
            setattr(unit, field.attname, value)
            unit._state.fields_cache.pop(name, None)


def shared_in_transaction(agency: Agency) -> bool:
    """Whether ``agency``'s row was read FOR SHARE by this submission (lock_submitter): then intake reads it no more."""
    return getattr(agency, "_intake_shared", False)


def release(agency: Agency) -> None:
    """The submission's transaction ended (or its savepoint): the next one reads the row again."""
    agency.__dict__.pop("_intake_shared", None)


@functools.cache
def _offer_models() -> tuple:
    """What a submission reads by code, in join order: the procedure, its field, the agency, the agency's unit (whose
    lifetime says whether the agency receives: units.receiving)."""
    return (Procedure, Procedure._meta.get_field("field").related_model, Agency,
            Agency._meta.get_field("admin_unit").related_model)


@functools.cache
def _offer_sql() -> str:
    proc, agency = Procedure._meta, Agency._meta
    field, unit = proc.get_field("field"), agency.get_field("admin_unit")
    through = proc.get_field("agencies").remote_field.through._meta
    columns = [f"{alias}.{_qn(f.column)}" for alias, model in zip("pfau", _offer_models(), strict=True)
               for f in model._meta.concrete_fields]
    named = (f"(SELECT COUNT(*) FROM {_qn(through.db_table)} t "
             f"WHERE t.{_qn(through.get_field('procedure').column)} = p.{_qn(proc.pk.column)}")
    columns += [named + ")", named + f" AND t.{_qn(through.get_field('agency').column)} = a.{_qn(agency.pk.column)})"]
    return (f"SELECT {', '.join(columns)} FROM (SELECT 1) one "
            f"LEFT JOIN {_qn(proc.db_table)} p ON p.{_qn(proc.get_field('code').column)} = %s "
            f"LEFT JOIN {_qn(field.related_model._meta.db_table)} f "
            f"ON f.{_qn(field.target_field.column)} = p.{_qn(field.column)} "
            f"LEFT JOIN {_qn(agency.db_table)} a ON a.{_qn(agency.get_field('code').column)} = %s "
            f"LEFT JOIN {_qn(unit.related_model._meta.db_table)} u "
            f"ON u.{_qn(unit.target_field.column)} = a.{_qn(unit.column)}")


def procedure_and_agency(procedure_code: str, agency_code: str) -> tuple[Procedure | None, Agency | None]:
    """The procedure (with its field) and the agency (with its unit) of these codes, active or not (None where there
    is none), in one statement that also counts what intake's ``_check_offered`` asks: how many agencies the procedure
    names and whether this agency is one of them (remembered on the procedure: ``_lifecycle_offered``)."""
    connection = writer()
    with _cursor(connection) as cur:
        cur.execute(_offer_sql(), [procedure_code, agency_code])
        row = cur.fetchone()
    (procedure, field, agency, unit), i = _instances(connection, _parts(connection, _offer_models()), row)
    if agency is not None:
        agency._state.fields_cache["admin_unit"] = unit
    if procedure is not None:
        procedure._state.fields_cache["field"] = field
        if agency is not None:
            procedure._lifecycle_offered = (agency.pk, row[i], row[i + 1])
    return procedure, agency
