#!/usr/bin/env python
"""Cost of moving a department's open dossiers to the successor an administrator records in the admin.

Builds, inside one transaction that is rolled back at the end (nothing stays in the database), a provincial
department with N open dossiers received at its counter, then times moving them to its successor
(``lifecycle.transfer_agency`` for each, dossiers.handover_save's ``SuccessorTakesDossiers``): the refusal check over all
of them; the baseline, every dossier moved in the admin's request (as before dossiers.handover); then the admin's
save now (it records the handover) and the task worker's batches (``handover.run``), each with the SQL statements
per dossier and the time spent in the database driver (a cProfile of the inline moves with ``--profile``).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_scratch PYTHONPATH=src \\
        .venv/bin/python bench/successor_dossiers.py -n 500
"""

from __future__ import annotations

import argparse
import cProfile
import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
os.environ.setdefault("MOTCUA_DEMO", "1")


class Rollback(Exception):
    pass


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("-n", type=int, default=500, help="open dossiers at the department")
    p.add_argument("--profile", help="write a cProfile (pstats) of the inline moves to this file")
    args = p.parse_args()

    import django
    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)

    from motcua.accounts.models import Role, RoleAssignment
    from motcua.dossiers import handover, handover_save, lifecycle
    from motcua.dossiers.reorganization import open_at
    from motcua.units import succession
    from motcua.units.models import AdministrativeUnit, Agency
    from tests.dossiers.factories import APPLICANT
    from tests.factories import AdministrativeUnitFactory, AgencyFactory, UserFactory, officer, procedure_with_steps

    statements: Counter = Counter()
    waited = [0.0]  # seconds spent in the database driver (round trips and the server's work)

    def count(execute, sql, params, many, context):
        statements[sql.split(None, 1)[0].upper()] += 1
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            waited[0] += time.perf_counter() - t

    try:
        with transaction.atomic():
            province = AdministrativeUnitFactory(code="59", name="Tỉnh Đo", level=AdministrativeUnit.PROVINCE)
            old, new = (AgencyFactory(code=f"H59.0{n}", name=f"Sở Đo {n}", kind=Agency.PROVINCIAL_DEPARTMENT,
                                      admin_unit=province) for n in (1, 2))
            proc = procedure_with_steps(agency_kind=Agency.PROVINCIAL_DEPARTMENT, level="province")
            proc.agencies.add(old)
            counter = officer(Role.COUNTER_OFFICER, old, username="bench.motcua")
            admin = UserFactory(username="bench.quantri")
            RoleAssignment.objects.create(user=admin, role=Role.PROVINCIAL_ADMIN, agency=None)
            t0 = time.perf_counter()
            for _ in range(args.n):
                lifecycle.receive_at_counter(officer=counter, procedure=proc, agency=old, applicant_data=APPLICANT,
                                             form_data={})
            print(f"setup: {args.n} dossiers received in {time.perf_counter() - t0:.1f} s")
            Agency.objects.filter(pk=old.pk).update(is_active=False, successor=new)
            old.refresh_from_db()
            on = succession.taking_over_on(old)
            follower = handover_save.SuccessorTakesDossiers()

            def follow_with(threshold):
                handover.INLINE_AT_MOST, saved = threshold, handover.INLINE_AT_MOST
                try:
                    return follower.follow(admin, old, new, on)
                finally:
                    handover.INLINE_AT_MOST = saved

            t0 = time.perf_counter()
            with connection.execute_wrapper(count):
                why = follower.refusal(admin, old, new, on)
            check = time.perf_counter() - t0
            print(f"refusal check over {args.n}: {check * 1000:.0f} ms ({sum(statements.values())} statements)"
                  + (f"; refused: {why}" if why else ""))

            def moves(label, run):
                """Time ``run()`` (it moves the dossiers), count its statements, then undo it (a savepoint)."""
                statements.clear()
                waited[0] = 0.0
                profile = cProfile.Profile() if args.profile and label == "inline" else None
                t0 = time.perf_counter()
                with transaction.atomic(), connection.execute_wrapper(count):
                    if profile:
                        profile.enable()
                    result = run()
                    if profile:
                        profile.disable()
                        profile.dump_stats(args.profile)
                    took = time.perf_counter() - t0
                    moved = args.n - open_at([old.pk]).count()
                    transaction.set_rollback(True)
                per = took / max(1, moved)
                print(f"{label}: {moved} moved in {took:.2f} s = {per * 1000:.2f} ms per dossier, "
                      f"{sum(statements.values()) / max(1, moved):.1f} statements per dossier ("
                      + ", ".join(f"{k} {v / max(1, moved):.1f}" for k, v in statements.most_common())
                      + f"); in the database driver {waited[0] / max(1, moved) * 1000:.2f} ms per dossier, "
                      f"in Python {(took - waited[0]) / max(1, moved) * 1000:.2f} ms")
                return result, took, per

            # the baseline: every dossier moved in the admin's request (the follower with no threshold)
            _, _, per = moves("inline (before: all in the admin's save)",
                              lambda: follow_with(10 ** 9))
            for n in (5000, 10000):
                print(f"  at this rate {n:>6} dossiers: {n * per:.0f} s in one request")
            # now: the admin's save records the handover only, the worker moves them batch by batch
            statements.clear()
            t0 = time.perf_counter()
            with transaction.atomic():
                with connection.execute_wrapper(count):
                    follow_with(handover.INLINE_AT_MOST)
                save = time.perf_counter() - t0
                record = handover.SuccessorHandover.objects.get(agency=old)
                print(f"admin's save now (more than {handover.INLINE_AT_MOST}): {save * 1000:.0f} ms for the "
                      f"dossiers' follower, {sum(statements.values())} statements")
                moves(f"worker (after: batches of {handover.BATCH}, one transaction each)",
                      lambda: handover.run(record.pk))
                transaction.set_rollback(True)
            raise Rollback
    except Rollback:
        pass
    print(f"database: {connection.vendor}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
