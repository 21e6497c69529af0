"""The ID token's audience as OpenID Connect Core 1.0 §3.1.3.7 has it: a token for several audiences names this client
as its authorized party (azp). The portal's sign-in against the e-ID simulator over loopback."""

import pytest
from django.test import Client

from tests.integrations.test_eid import (  # noqa: F401  (provider: the e-ID simulator)
    _signed_in_as,
    provider,
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

