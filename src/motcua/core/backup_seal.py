"""A backup's seal: an HMAC-SHA256 of its ``manifest.json`` under a key the backup does not carry.

The manifest holds the SHA-256 of the database file and of every checksum list, and each list the SHA-256 of every
file, so a seal over the manifest covers everything a restore loads. Its key is ``MOTCUA_BACKUP_KEY``, kept in the
host's secret store like ``MOTCUA_SECRET_KEY``. It cannot be one of the installation's own keys: those are in the
backup (``MOTCUA_KEYS_DIR``), so whoever holds a copy of the backup could seal an altered one with them.

With the key configured, ``backup`` writes ``manifest.json.hmac`` and ``restore`` refuses, before anything is
restored, a backup without a seal or whose seal does not match. Without the key, ``backup`` writes no seal and
``restore`` says the backup's origin was not checked. The digests still catch a damaged copy; only the seal shows
that nobody without the key edited a file together with its digest.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

from django.conf import settings

SEAL = "manifest.json.hmac"
MIN_KEY_CHARS = 32  # `openssl rand -hex 32` gives 64


class SealError(Exception):
    """A seal that cannot be made or does not hold; the message is Vietnamese."""


def configured() -> bool:
    """Is a key configured (and long enough: SealError otherwise)? Asked before a backup starts."""
    return _key() is not None


def _key() -> bytes | None:
    value = settings.MOTCUA_BACKUP_KEY
    if not value:
        return None
    if len(value) < MIN_KEY_CHARS:
        raise SealError(f"MOTCUA_BACKUP_KEY quá ngắn ({len(value)} ký tự): cần ít nhất {MIN_KEY_CHARS} ký tự ngẫu nhiên "
                        "(ví dụ: openssl rand -hex 32).")
    return value.encode()


def _mac(key: bytes, manifest: bytes) -> str:
    return hmac.new(key, manifest, hashlib.sha256).hexdigest()


def seal(dest: Path, manifest: bytes) -> bool:
    """Seal the manifest's bytes in `dest` when a key is configured; True if sealed."""
    key = _key()
    if key is None:
        return False
    (dest / SEAL).write_text(_mac(key, manifest) + "\n")
    return True


def check(src: Path, manifest: bytes) -> str:
    """Raise SealError when a key is configured and `src`'s manifest is not sealed with it; return what the restore
    reports about the backup's origin."""
    key = _key()
    if key is None:
        return "Chưa kiểm tra nguồn gốc bản sao lưu: chưa cấu hình MOTCUA_BACKUP_KEY."
    path = src / SEAL
    try:
        found = path.read_text().strip()
    except OSError:
        raise SealError(f"Bản sao lưu không có chữ ký {SEAL} trong khi MOTCUA_BACKUP_KEY đã được cấu hình: không "
                        "khôi phục. Bản sao lưu tạo khi chưa có khóa chỉ khôi phục được với MOTCUA_BACKUP_KEY để "
                        "trống.") from None
    if not hmac.compare_digest(found, _mac(key, manifest)):
        raise SealError(f"Chữ ký {SEAL} không khớp manifest.json với khóa MOTCUA_BACKUP_KEY: bản sao lưu đã bị sửa, "
                        "hoặc được ký bằng khóa khác. Không khôi phục.")
    return "Chữ ký bản sao lưu (MOTCUA_BACKUP_KEY) hợp lệ."
