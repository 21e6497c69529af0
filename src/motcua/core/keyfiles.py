"""The installation's own key files: the folder MOTCUA_KEYS_DIR and how a key file is created.

Apps keep their keys there (accounts: the TOTP encryption key; audit: the anchor signing key), each
created once, mode 0600, never overwritten (``manage.py create_keys``). Backups carry the folder.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings


def keys_dir() -> Path:
    return Path(settings.MOTCUA_KEYS_DIR)


def write_key_file(path: Path, content: bytes) -> bool:
    """Create `path` with mode 0600 unless it exists; True when written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as fh:
        fh.write(content)
    return True
