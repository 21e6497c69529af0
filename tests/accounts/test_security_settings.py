"""Production settings: HTTPS everywhere, CSP, no start with the demo keys; demo mode is explicit."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from motcua.accounts.checks import backup_key, refuse_insecure_start, security_keys

ROOT = Path(__file__).resolve().parents[2]
STRONG = "k" * 20 + "-production-secret-0123456789abcdef"


def run_python(code: str, tmp_path, **env) -> subprocess.CompletedProcess:
    """Run `code` in a fresh interpreter with the installation's settings (no test settings, no demo mode)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_") and k != "DATABASE_URL"}
    base.update({"DJANGO_SETTINGS_MODULE": "motcua.settings", "PYTHONPATH": str(ROOT / "src"),
                 "MOTCUA_DATA_DIR": str(tmp_path / "data")}, **env)
    return subprocess.run([sys.executable, "-c", code], env=base, capture_output=True, text=True, timeout=60)


PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({k: getattr(s, k, None) for k in ("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SESSION_COOKIE_SECURE",
      "CSRF_COOKIE_SECURE", "SECURE_PROXY_SSL_HEADER", "MOTCUA_DEMO")}))
"""


@pytest.mark.slow
def test_production_is_the_default_and_demo_mode_is_explicit(tmp_path):
    prod = json.loads(run_python(PRINT_SETTINGS, tmp_path, MOTCUA_PROXY_COUNT="1").stdout)
    assert prod == {"SECURE_SSL_REDIRECT": True, "SECURE_HSTS_SECONDS": 31_536_000, "SESSION_COOKIE_SECURE": True,
                    "CSRF_COOKIE_SECURE": True, "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
                    "MOTCUA_DEMO": False}
    demo = json.loads(run_python(PRINT_SETTINGS, tmp_path, MOTCUA_DEMO="1").stdout)
    assert demo == {"SECURE_SSL_REDIRECT": False, "SECURE_HSTS_SECONDS": 0, "SESSION_COOKIE_SECURE": False,
                    "CSRF_COOKIE_SECURE": False, "SECURE_PROXY_SSL_HEADER": None, "MOTCUA_DEMO": True}


@pytest.mark.slow
def test_the_web_server_refuses_the_demo_key_then_starts_once_the_keys_exist(tmp_path):
    refused = run_python("import motcua.wsgi", tmp_path)
    assert refused.returncode != 0
    assert "motcua.E001" in refused.stderr and "MOTCUA_SECRET_KEY" in refused.stderr
    assert "motcua.E002" in refused.stderr  # and wants its own TOTP key
    # docs/operations.md: set MOTCUA_SECRET_KEY, run create_keys (it runs without the checks), start.
    create = run_python("from django.core.management import execute_from_command_line; "
                        "execute_from_command_line(['manage.py', 'create_keys'])", tmp_path, MOTCUA_SECRET_KEY=STRONG)
    assert create.returncode == 0 and "totp.key" in create.stdout, create.stderr
    started = run_python("import motcua.wsgi; print('ok')", tmp_path, MOTCUA_SECRET_KEY=STRONG)
    assert started.returncode == 0 and started.stdout.strip() == "ok", started.stderr


@pytest.fixture
def production(settings):
    settings.MOTCUA_DEMO = False
    settings.DEBUG = False
    return settings


def test_check_deploy_shows_the_errors(production):
    production.SECRET_KEY = production.DEMO_SECRET_KEY
    with pytest.raises(SystemCheckError, match="motcua.E001"):
        call_command("check", "--deploy")
    assert {e.id for e in security_keys()} == {"motcua.E001", "motcua.E002"}


def test_own_keys_pass_and_weak_ones_do_not(production):
    production.SECRET_KEY = STRONG
    production.MOTCUA_TOTP_KEY = STRONG
    assert [e.id for e in security_keys()] == ["motcua.E003"]  # the TOTP key must not be SECRET_KEY
    call_command("create_keys")
    production.MOTCUA_TOTP_KEY = ""
    production.MOTCUA_BACKUP_KEY = "b" * 64
    assert security_keys() == []
    assert not [e for e in run_checks(include_deployment_checks=True) if e.id.startswith("motcua.")]


def test_backups_without_a_key_of_their_own_are_a_warning_that_does_not_stop_the_server(production):
    production.SECRET_KEY, production.MOTCUA_TOTP_KEY = STRONG, "t" * 40
    production.MOTCUA_BACKUP_KEY = ""
    (unsealed,) = backup_key()
    assert unsealed.id == "motcua.W001" and "không được ký" in unsealed.msg and not unsealed.is_serious()
    production.MOTCUA_BACKUP_KEY = "ngan-qua"
    (short,) = backup_key()
    assert short.id == "motcua.W002" and "quá ngắn" in short.msg and "manage.py backup từ chối" in short.hint
    refuse_insecure_start()  # warned, not refused: the web server does not depend on it
    production.MOTCUA_BACKUP_KEY = "b" * 64
    assert backup_key() == []


def test_demo_mode_accepts_the_demo_key(settings):
    settings.SECRET_KEY = settings.DEMO_SECRET_KEY
    assert settings.MOTCUA_DEMO and security_keys() == []


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy(client):
    resp = client.get("/")
    policy = resp["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert "script-src 'self';" in policy  # no inline script runs on a page that has none
    assert resp["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_inline_scripts_carry_the_pages_nonce(client):
    from tests.factories import AgencyFactory, officer, procedure_with_steps, sign_in

    agency, proc = AgencyFactory(), procedure_with_steps()
    proc.agencies.add(agency)
    sign_in(client, officer("counter_officer", agency))
    resp = client.get(f"/can-bo/tiep-nhan/truc-tiep/?thu_tuc={proc.code}")  # walk-in form: fills from a look-up
    assert resp.status_code == 200
    nonce = resp["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert "script-src 'self' 'nonce-" in resp["Content-Security-Policy"]
    body = resp.content.decode()
    assert "<script>" not in body and f'<script nonce="{nonce}">' in body
