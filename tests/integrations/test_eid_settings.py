"""Outside demo mode the installation refuses an e-ID client secret too short for the HMAC that checks ID tokens with
it (RFC 7518 §3.2; PyJWT's InsecureKeyLengthWarning): ``manage.py check`` and the web server's start say so."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from motcua.accounts.checks import refuse_insecure_start
from motcua.integrations.checks import eid_secret

SHORT = "eid-secret"  # 10 bytes
LONG = "eid-client-secret-of-at-least-32-bytes"


@pytest.fixture
def production(settings):
    settings.MOTCUA_DEMO = False
    settings.DEBUG = False
    settings.SECRET_KEY = "k" * 20 + "-production-secret-0123456789abcdef"
    settings.MOTCUA_TOTP_KEY = "t" * 20 + "-production-totp-key-0123456789abcdef"
    return settings


def eid(settings, **config):
    settings.MOTCUA_INTEGRATIONS = {"eid": {"url": "https://vneid.example", "client_id": "motcua", **config}}


def test_a_short_hs256_secret_stops_the_start_with_a_vietnamese_message(production):
    eid(production, secret=SHORT)
    [error] = eid_secret()
    assert error.id == "motcua.E004" and "quá ngắn" in error.msg and "32 byte" in error.msg
    with pytest.raises(SystemCheckError, match="motcua.E004"):
        call_command("check")
    with pytest.raises(ImproperlyConfigured, match="motcua.E004"):
        refuse_insecure_start()  # what motcua.wsgi runs before serving


def test_the_hash_of_the_listed_algorithm_sets_the_length(production):
    eid(production, secret=LONG, algorithms=["HS256", "HS512"])
    [error] = eid_secret()
    assert "64 byte" in error.msg


@pytest.mark.parametrize("config", [
    {"secret": LONG},
    {"secret": SHORT, "jwks_url": "https://vneid.example/jwks"},  # ID tokens checked with the published keys
    {"secret": SHORT, "algorithms": ["RS256"], "jwks_url": "https://vneid.example/jwks"},
], ids=["long_enough", "rs256_jwks", "rs256_listed"])
def test_a_long_secret_or_the_providers_published_keys_pass(production, config):
    eid(production, **config)
    assert eid_secret() == []
    refuse_insecure_start()


def test_no_e_id_connection_or_demo_mode_passes(production):
    production.MOTCUA_INTEGRATIONS = {"eid": {"secret": SHORT}}  # no url: not connected
    assert eid_secret() == []
    eid(production, secret=SHORT)
    production.MOTCUA_DEMO = True
    assert eid_secret() == []
