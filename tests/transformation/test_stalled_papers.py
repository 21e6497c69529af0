"""A paper build whose task worker died mid-build is answered failed, with what to do, on the back-office page
and over the API, instead of running for ever (core.builds.BuildQuerySet.settled)."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from motcua.api.auth import issue_token
from motcua.core.stalled import STALLED_AFTER
from motcua.transformation.models import PaperJob

pytestmark = pytest.mark.django_db


def test_a_paper_build_whose_worker_died_is_answered_failed(dx, signed_in):
    gone = timezone.now() - STALLED_AFTER - dt.timedelta(minutes=1)
    job = PaperJob.objects.create(kind="annual", fmt="docx", agency=dx.dp, year=2023, requested_by=dx.dp_admin,
                                  state=PaperJob.RUNNING, progress=30, message="Kết quả theo lĩnh vực",
                                  progress_at=gone)
    api = Client(headers={"Authorization": f"Bearer {issue_token(dx.dp_admin, 'x')[1]}"})
    status = api.get(f"/api/v1/transformation/papers/{job.pk}").json()
    assert status["state"] == "failed" and status["file"] is None
    assert status["message"].startswith("Quá trình tạo tệp đã dừng giữa chừng: không có tiến triển từ ")
    assert status["message"].endswith("Hãy yêu cầu tạo lại.")
    page = signed_in(dx.dp_admin).get(f"/can-bo/chuyen-doi-so/giay-to/{job.pk}/").content.decode()
    assert "data-poll" not in page and "Quá trình tạo tệp đã dừng giữa chừng" in page
