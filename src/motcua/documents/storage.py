"""Where document bytes live.

By default the `default` storage of settings.STORAGES (a folder under MEDIA_ROOT). An installation
may add a `documents` alias — for example an S3-compatible bucket through django-storages — and
every document then goes there; see README.md in this folder.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import Storage, storages

ALIAS = "documents"


def document_storage() -> Storage:
    return storages[ALIAS] if ALIAS in settings.STORAGES else storages["default"]
