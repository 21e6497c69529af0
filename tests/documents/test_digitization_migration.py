"""Failed digitization jobs recorded before the officer's message had its own field: migration 0009 moves the
technical text ("Không nhận dạng được bản quét: OSError: …") to ``error_detail`` and gives the officer what to do."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("documents", "0008_result_replaced")]


@pytest.mark.django_db(transaction=True)
def test_a_failed_job_no_longer_shows_the_officer_a_python_exception():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    OldJob = executor.loader.project_state(BEFORE).apps.get_model("documents", "DigitizationJob")
    failed = OldJob.objects.create(status="failed", error="Không nhận dạng được bản quét: OSError: decoder error -2")
    done = OldJob.objects.create(status="done")
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from motcua.documents.digitization import RUN_INTERRUPTED
    from motcua.documents.models import DigitizationJob

    after = DigitizationJob.objects.get(pk=failed.pk)
    assert (after.error, after.error_detail) == (RUN_INTERRUPTED, "OSError: decoder error -2")
    untouched = DigitizationJob.objects.get(pk=done.pk)
    assert (untouched.error, untouched.error_detail, untouched.pages_unrecognized) == ("", "", [])
