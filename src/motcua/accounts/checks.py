"""Start-up checks of the installation's security settings (``manage.py check --deploy`` shows them).

Outside demo mode (``MOTCUA_DEMO``) and debug mode the installation refuses to run with the demo
SECRET_KEY or without a key of its own for the officers' TOTP secrets. They are errors of Django's
system-check framework, so ``check``, ``check --deploy``, ``migrate`` and ``runserver`` stop on them, and
``motcua.wsgi`` runs them before serving (gunicorn runs no system checks itself).
"""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register, run_checks
from django.core.exceptions import ImproperlyConfigured

from motcua.core import backup_seal

from . import keys

MIN_KEY_LENGTH = 32


def production() -> bool:
    return not (settings.MOTCUA_DEMO or settings.DEBUG)


@register(Tags.security)
def security_keys(app_configs=None, **kwargs) -> list[Error]:
    if not production():
        return []
    errors = []
    if settings.SECRET_KEY == settings.DEMO_SECRET_KEY or len(settings.SECRET_KEY) < MIN_KEY_LENGTH:
        errors.append(Error(
            "MOTCUA_SECRET_KEY chưa được đặt (đang dùng khóa mẫu của bản trình diễn) hoặc quá ngắn.",
            hint=f"Đặt MOTCUA_SECRET_KEY là một chuỗi ngẫu nhiên riêng (tối thiểu {MIN_KEY_LENGTH} ký tự), ví dụ: python -c "
                 "\"import secrets; print(secrets.token_urlsafe(50))\". Bản trình diễn: MOTCUA_DEMO=1.",
            id="motcua.E001"))
    if not keys.configured_totp_key():
        errors.append(Error(
            "Chưa có khóa mã hóa bí mật xác thực hai lớp (MOTCUA_TOTP_KEY hoặc tệp totp.key trong "
            f"{settings.MOTCUA_KEYS_DIR}).",
            hint="Chạy manage.py create_keys một lần (tạo các khóa trong MOTCUA_KEYS_DIR), hoặc đặt "
                 "MOTCUA_TOTP_KEY; cài đặt cũ chạy thêm manage.py reencrypt_totp (docs/operations.md).",
            id="motcua.E002"))
    elif len(keys.configured_totp_key()) < MIN_KEY_LENGTH or keys.configured_totp_key() == settings.SECRET_KEY:
        errors.append(Error("Khóa mã hóa bí mật xác thực hai lớp quá ngắn hoặc trùng SECRET_KEY.",
                            hint=f"Dùng một chuỗi ngẫu nhiên riêng, tối thiểu {MIN_KEY_LENGTH} ký tự.",
                            id="motcua.E003"))
    return errors


@register(Tags.security)
def backup_key(app_configs=None, **kwargs) -> list[Warning]:
    """Backups unsealed, or refused: warned (``check``, ``migrate``, ``runserver``), not refused at start-up — the web
    server does not depend on it, the night's ``manage.py backup`` does (core/backup_seal.py)."""
    if not production():
        return []
    try:
        if backup_seal.configured():
            return []
    except backup_seal.SealError as exc:
        return [Warning(str(exc), hint="manage.py backup từ chối chạy cho đến khi sửa.", id="motcua.W002")]
    return [Warning(
        "Chưa đặt MOTCUA_BACKUP_KEY: bản sao lưu không được ký, nên khi khôi phục không kiểm tra được bản sao lưu có bị "
        "sửa hay không.",
        hint="Đặt MOTCUA_BACKUP_KEY (tối thiểu 32 ký tự, ví dụ: openssl rand -hex 32) ở máy chạy sao lưu và máy khôi "
             "phục, giữ trong kho bí mật cùng MOTCUA_SECRET_KEY (docs/operations.md, «Backup and restore»).",
        id="motcua.W001")]


def refuse_insecure_start() -> None:
    """Raise ImproperlyConfigured with the messages of the errors above and of this project's other security checks
    (integrations.checks: the e-ID secret) — the web server calls this."""
    errors = [e for e in run_checks(tags=[Tags.security]) if e.is_serious() and (e.id or "").startswith("motcua.")]
    if errors:
        raise ImproperlyConfigured("Không khởi động: " + " ".join(f"[{e.id}] {e.msg} {e.hint}" for e in errors))
