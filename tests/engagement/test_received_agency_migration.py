"""Feedback received before the receiving agency was stored: migration 0005 takes it from the first reorganization
transfer's audit entry (the agency the item was moved from), else from the item's agency, so a merged commune's
past Decision 766 group 5 figures keep the items it received."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from motcua.audit.services import record
from tests.factories import AgencyFactory

BEFORE = [("engagement", "0003_feedback_reraise_info")]


@pytest.mark.django_db(transaction=True)
def test_items_already_there_keep_the_agency_that_received_them():
    old, successor = AgencyFactory(code="H55.701"), AgencyFactory(code="H55.702")
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    OldFeedback = executor.loader.project_state(BEFORE).apps.get_model("engagement", "Feedback")
    now = timezone.now()

    def item(code, agency_id):
        return OldFeedback.objects.create(code=code, classification="regulation", agency_id=agency_id, title="Tiêu đề",
                                          content="Nội dung phản ánh", submitter_name="Nguyễn Văn A", received_at=now,
                                          reject_due_at=now, handle_due_at=now)

    moved, stayed, none = item("PA-1", successor.pk), item("PA-2", old.pk), item("PA-3", None)
    record("he-thong", "engagement.feedback_transferred", "feedback", moved.pk,
           {"status": "received", "from": old.code, "to": successor.code, "reason": "Sắp xếp"})
    record("he-thong", "engagement.feedback_transferred", "feedback", moved.pk,  # moved on again later
           {"status": "received", "from": successor.code, "to": old.code, "reason": "Sắp xếp"})
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from motcua.engagement.feedback_reporting import received_by
    from motcua.engagement.models import Feedback

    assert Feedback.objects.get(pk=moved.pk).received_agency_id == old.pk
    assert Feedback.objects.get(pk=stayed.pk).received_agency_id == old.pk
    assert Feedback.objects.get(pk=none.pk).received_agency_id is None
    assert set(received_by(Feedback.objects.all(), [old.code]).values_list("code", flat=True)) == {"PA-1", "PA-2"}
    assert not received_by(Feedback.objects.all(), [successor.code]).exists()
