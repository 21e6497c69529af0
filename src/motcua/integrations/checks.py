"""Start-up check of the integrations' settings (``manage.py check``; the web server runs it through
motcua.accounts.checks.refuse_insecure_start, as the installation's keys).

Outside demo mode and debug mode the installation refuses an e-ID client secret shorter than the hash of the HMAC
algorithm that checks the ID tokens with it (HS256 without ``jwks_url``): such a key can be guessed offline from one
ID token, and PyJWT warns InsecureKeyLengthWarning on each use.
"""

from __future__ import annotations

from django.core.checks import Error, Tags, register

from motcua.accounts.checks import production

from .config import target_config
from .eid import id_token_algorithms

# RFC 7518 §3.2: a key of the same size as the hash output or larger, in bytes.
HMAC_MIN_KEY_BYTES = {"HS256": 32, "HS384": 48, "HS512": 64}


@register(Tags.security)
def eid_secret(app_configs=None, **kwargs) -> list[Error]:
    config = target_config("eid")
    if not production() or not config.get("url") or config.get("jwks_url"):
        return []  # with jwks_url the ID token is checked with the provider's published keys, not the secret
    needed = max((HMAC_MIN_KEY_BYTES.get(a.upper(), 0) for a in id_token_algorithms(config)), default=0)
    if len(str(config.get("secret") or "").encode()) >= needed:
        return []
    return [Error(f"Khóa bí mật đăng nhập bằng định danh điện tử (MOTCUA_INTEGRATIONS[\"eid\"][\"secret\"]) quá ngắn: "
                  f"mã xác thực HMAC cần khóa tối thiểu {needed} byte.",
                  hint="Đặt khóa bí mật dài hơn do nhà cung cấp định danh điện tử cấp, hoặc kiểm tra mã xác thực "
                       "bằng khóa công khai RS256 của VNeID (MOTCUA_INTEGRATIONS[\"eid\"][\"jwks_url\"]).",
                  id="motcua.E004")]
