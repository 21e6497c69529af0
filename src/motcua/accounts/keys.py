"""The key that encrypts officers' TOTP secrets — kept apart from SECRET_KEY.

Where it comes from, first found wins:
1. ``MOTCUA_TOTP_KEY`` (environment, e.g. from the host's secret store);
2. the file ``MOTCUA_KEYS_DIR/totp.key`` (``manage.py create_keys`` writes it, mode 0600);
3. demo mode only: the old derivation from SECRET_KEY, so the demo needs no key files.

Migration path: secrets written before this key existed were encrypted with a key derived from
SECRET_KEY. ``fernet()`` still decrypts those (MultiFernet: encrypts with the new key, decrypts with
either); ``manage.py reencrypt_totp`` rewrites every stored secret under the new key, after which
SECRET_KEY can be rotated without officers enrolling again. Recovery-code digests follow the same
rule (``code_digests``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from motcua.core.keyfiles import keys_dir, write_key_file

TOTP_KEY_FILE = "totp.key"


def configured_totp_key() -> str:
    """The installation's own TOTP key (environment or key file), or '' when it has none."""
    if settings.MOTCUA_TOTP_KEY:
        return settings.MOTCUA_TOTP_KEY
    path = keys_dir() / TOTP_KEY_FILE
    return path.read_text().strip() if path.is_file() else ""


def _legacy_material() -> str:
    return settings.SECRET_KEY


def _fernet_for(material: str, label: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256((label + material).encode()).digest()))


def _materials() -> list[tuple[str, str]]:
    """(label, material) pairs: the current key first, then the SECRET_KEY derivation kept for decrypting."""
    own = configured_totp_key()
    legacy = ("motcua-totp:", _legacy_material())
    if own:
        return [("motcua-totp-key:", own), legacy]
    if settings.MOTCUA_DEMO or settings.DEBUG:
        return [legacy]
    raise ImproperlyConfigured("Chưa có khóa mã hóa bí mật xác thực hai lớp: chạy manage.py create_keys "
                               "hoặc đặt MOTCUA_TOTP_KEY (docs/operations.md).")


def fernet() -> MultiFernet:
    return MultiFernet([_fernet_for(material, label) for label, material in _materials()])


def code_digests(code: str) -> list[str]:
    """HMAC digests of a recovery code under each key; the first is what new codes store."""
    return [hmac.new(material.encode(), code.encode(), hashlib.sha256).hexdigest()
            for _label, material in _materials()]


def create_totp_key() -> bool:
    return write_key_file(keys_dir() / TOTP_KEY_FILE, secrets.token_urlsafe(48).encode())
