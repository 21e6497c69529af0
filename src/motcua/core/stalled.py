"""A background job whose task worker died mid-run (kill -9, out of memory, a server restart): django_tasks_db
never runs a task it marked running again, so the job's row would say "running" for ever.

Every run writes when it last made progress (``progress_at``, after each page or step). A running job silent for
``STALLED_AFTER`` was abandoned by its worker: the officer is told so and may ask again. Used by the digitization
jobs (documents: «Thử nhận dạng lại» queues it again) and the report and paper builds (papers.jobs: the job fails
with ``since``'s message, and the officer asks for the file again).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

# A page's recognition or a report's step takes seconds; a running job silent for this long was abandoned.
STALLED_AFTER = dt.timedelta(minutes=10)


def is_stalled(running: bool, last) -> bool:
    """Whether a job, ``running`` with its last progress at ``last``, was abandoned by its worker."""
    return running and last is not None and last < timezone.now() - STALLED_AFTER


def silent(progress_field: str, started_field: str) -> Q:
    """The rows silent for ``STALLED_AFTER``: last progress before then, or none and started before then (the
    caller adds "running")."""
    since = timezone.now() - STALLED_AFTER
    return Q(**{f"{progress_field}__lt": since}) | Q(**{f"{progress_field}__isnull": True,
                                                        f"{started_field}__lt": since})


def since(last) -> str:
    """When a stalled job last made progress, as the officer reads it: «14:05 ngày 02/12/2026»."""
    return timezone.localtime(last).strftime("%H:%M ngày %d/%m/%Y")
