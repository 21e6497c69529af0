"""A submission's own reads, each ONE statement through the lifecycle store's helpers (store.py: SQL from the
models' ``_meta``, prepared on PostgreSQL, model instances built with the fields' converters).

``lock_submitter(account_pk, key)`` — for an idempotent submission (commit.create_once): the submitting account's
row locked ``FOR NO KEY UPDATE`` and the id of its earlier dossier with that key.

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


@functools.cache
def _submitter_sql(for_update: bool) -> str:
    meta = Dossier._meta
    submitted_by = meta.get_field("submitted_by")
    account = submitted_by.related_model._meta
    return (f"SELECT (SELECT d.{_qn(meta.pk.column)} FROM {_qn(meta.db_table)} d "
            f"WHERE d.{_qn(submitted_by.column)} = a.{_qn(account.pk.column)} "
            f"AND d.{_qn(meta.get_field('idempotency_key').column)} = %s) "
            f"FROM {_qn(account.db_table)} a WHERE a.{_qn(account.pk.column)} = %s"
            + (" FOR NO KEY UPDATE OF a" if for_update else ""))


def lock_submitter(account_pk, idempotency_key: str) -> int | None:
    """Lock the submitting account's row FOR NO KEY UPDATE (inside the caller's transaction; lock order and why
    not FOR UPDATE: commit.py) and return the id of its earlier dossier with ``idempotency_key``, or None.

    One statement, so it reads the dossiers as they were when it started: a twin submission that committed while
    this one waited for the lock is not seen here. Its INSERT then violates the unique (submitted_by,
    idempotency_key) constraint, and create_once finds the twin after rolling back (commit.py)."""
    connection = writer()
    with _cursor(connection) as cur:
        cur.execute(_submitter_sql(connection.features.has_select_for_update), [idempotency_key, account_pk])
        row = cur.fetchone()
    return row[0] if row else None


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
