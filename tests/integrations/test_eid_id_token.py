"""The ID token's audience and key, as OpenID Connect Core 1.0 §3.1.3.7 and a provider's key set have them: a token for
several audiences names this client as its authorized party (azp); a token without ``kid`` is checked with the one
key the provider publishes. The portal's sign-in against the e-ID simulator over loopback."""

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client

from tests.integrations.test_eid import (  # noqa: F401  (provider, rs256_provider: the e-ID simulator, HS256 / RS256)
    _hmac_token,
    _public_pem,
    _signed_in_as,
    provider,
    rs256_provider,
    sign_in,
)

pytestmark = pytest.mark.django_db
HOLDER = "051190012345"  # Nguyễn Thị Hồng Nhung in the e-ID simulator
NOT_FOR_US = "Mã xác thực không dành cho hệ thống này"


@pytest.mark.parametrize("claims", [
    {"aud": ["motcua", "dvcqg"], "azp": "motcua"},
    {"aud": ["motcua"]},
    {"aud": "motcua", "azp": "motcua"},
], ids=["several_audiences_azp_us", "a_list_of_us_alone", "azp_us"])
def test_a_token_for_us_as_authorized_party_signs_in(provider, claims):  # noqa: F811
    provider.extra_claims = claims
    client = Client()
    done = sign_in(client)
    assert done.status_code == 302 and _signed_in_as(client) == HOLDER


@pytest.mark.parametrize("claims", [
    {"aud": ["motcua", "dvcqg"]},
    {"aud": ["motcua", "dvcqg"], "azp": "dvcqg"},
    {"aud": "motcua", "azp": "dvcqg"},
    {"aud": ["dvcqg", "khac"], "azp": "motcua"},
], ids=["several_audiences_no_azp", "several_audiences_azp_other", "azp_other", "not_among_the_audiences"])
def test_a_token_whose_authorized_party_is_not_us_signs_no_one_in(provider, claims):  # noqa: F811
    provider.extra_claims = claims
    client = Client()
    done = sign_in(client)
    assert done.status_code == 400 and NOT_FOR_US in done.content.decode()
    assert _signed_in_as(client) is None


def test_a_token_without_kid_is_checked_with_the_one_published_key(rs256_provider):  # noqa: F811
    rs256_provider.kid_in_header = False
    client = Client()
    done = sign_in(client)
    assert done.status_code == 302 and _signed_in_as(client) == HOLDER


def test_a_token_without_kid_among_several_published_keys_is_refused_clearly(rs256_provider):  # noqa: F811
    rs256_provider.rotate_key()  # two keys published, the old and the new
    rs256_provider.kid_in_header = False
    client = Client()
    done = sign_in(client)
    assert done.status_code == 400 and "không ghi khóa ký (kid)" in done.content.decode()
    assert "nhiều khóa" in done.content.decode() and _signed_in_as(client) is None


def test_a_token_without_kid_after_the_provider_replaced_its_only_key_signs_in(rs256_provider):  # noqa: F811
    rs256_provider.kid_in_header = False
    assert sign_in(Client()).status_code == 302 and rs256_provider.jwks_served == 1
    rs256_provider.rotate_key()
    del rs256_provider.signing_keys[0]  # the old key is no longer published: still one key
    client = Client()
    done = sign_in(client)
    assert done.status_code == 302 and _signed_in_as(client) == HOLDER
    assert rs256_provider.jwks_served == 2, "the kept key set did not verify it: fetched again once"


KIDLESS_FORGERIES = {  # ID tokens without kid that the provider did not sign
    "another_rsa_key": lambda sim, claims: jwt.encode(
        claims, rsa.generate_private_key(public_exponent=65537, key_size=2048), algorithm="RS256"),
    "alg_none": lambda sim, claims: jwt.encode(claims, None, algorithm="none"),
    "hs256_with_the_public_key": lambda sim, claims: _hmac_token(claims, _public_pem(sim), kid=None),
}


@pytest.mark.parametrize("forgery", KIDLESS_FORGERIES)
def test_a_token_without_kid_the_provider_did_not_sign_is_refused(rs256_provider, settings, forgery):  # noqa: F811
    settings.MOTCUA_INTEGRATIONS["eid"]["algorithms"] = ["RS256", "HS256"]
    rs256_provider.sign = lambda claims: KIDLESS_FORGERIES[forgery](rs256_provider, claims)
    client = Client()
    done = sign_in(client)
    assert done.status_code == 400 and "không hợp lệ" in done.content.decode()
    assert _signed_in_as(client) is None
