"""The kill drill's helper process: ``python tests/units/drill_cli.py setup`` builds the two communes and an
approved plan in the database of DATABASE_URL and prints {"plan", "preview"}; ``check PLAN`` prints the
summary (tests/units/reorganization_world.summary)."""

import json
import sys
from pathlib import Path

if __name__ == "__main__":
    root = Path(__file__).resolve().parents[2]
    sys.path[:0] = [str(root / "src"), str(root)]
    import django

    django.setup()
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # as the test suite does
    from motcua.units.models import ReorganizationPlan
    from motcua.units.reorganization import preview
    from tests.units import reorganization_world as world

    if sys.argv[1] == "setup":
        plan = world.approved(world.build())
        print(json.dumps({"plan": plan.pk, "preview": preview(plan).counts}))
    else:
        print(json.dumps(world.summary(ReorganizationPlan.objects.get(pk=int(sys.argv[2])))))
