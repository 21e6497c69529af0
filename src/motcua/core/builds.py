"""The rows of background file builds (``reporting.ReportJob``, ``transformation.PaperJob``; run by
``papers.jobs``): a build whose worker died is failed where the rows are read, not by each page that shows them."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from . import stalled

STALLED_MESSAGE = ("Quá trình tạo tệp đã dừng giữa chừng: không có tiến triển từ {at} (máy xử lý có thể đã khởi động "
                   "lại). Hãy yêu cầu tạo lại.")


class BuildQuerySet(models.QuerySet):
    def settled(self, **filters) -> BuildQuerySet:
        """The builds matching ``filters``, those among them abandoned by their worker (running, silent for
        ``core.stalled.STALLED_AFTER``) failed first, each with ``STALLED_MESSAGE``: the officer reads why, and the
        page stops waiting."""
        jobs = self.filter(**filters)
        model = self.model
        abandoned = stalled.silent("progress_at", "created_at") & Q(state=model.RUNNING)
        for pk, last in jobs.filter(abandoned).values_list("pk", Coalesce("progress_at", "created_at")):
            model.objects.filter(abandoned, pk=pk).update(  # not if its run made progress since
                state=model.FAILED, finished_at=timezone.now(), message=STALLED_MESSAGE.format(at=stalled.since(last)))
        return jobs
