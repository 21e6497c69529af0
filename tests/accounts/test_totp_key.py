"""TOTP secrets are encrypted with their own key, not SECRET_KEY; older secrets still work and can be moved."""

import datetime as dt

import pyotp
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from motcua.accounts import keys, twofactor
from motcua.accounts.models import TwoFactorDevice
from motcua.audit.models import AuditEntry
from motcua.core.errors import ValidationFailed
from tests.factories import AgencyFactory, officer

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
OWN_KEY = "khoa-totp-rieng-cua-tinh-0123456789abcdef"


def enrol(user):
    enrolment = twofactor.start_enrolment(user)
    totp = pyotp.TOTP(enrolment.secret)
    return totp, twofactor.confirm_enrolment(user, totp.at(T0), at=T0)


def minutes(n):
    return T0 + dt.timedelta(minutes=n)


def test_secrets_from_before_the_own_key_still_work_and_move_to_it(settings):
    user = officer("leader", AgencyFactory())
    totp, recovery = enrol(user)  # demo installation without a TOTP key: the old SECRET_KEY derivation
    old_cipher = TwoFactorDevice.objects.get(user=user).secret

    settings.MOTCUA_TOTP_KEY = OWN_KEY
    assert twofactor.verify(user, totp.at(minutes(1)), at=minutes(1)), "old secrets still decrypt"
    assert twofactor.verify(user, recovery[0], at=minutes(1)), "old recovery codes still count"

    call_command("reencrypt_totp")
    assert TwoFactorDevice.objects.get(user=user).secret != old_cipher
    assert AuditEntry.objects.filter(action="twofactor.reencrypted").get().data == {"devices": 1, "unreadable": []}

    settings.SECRET_KEY = "a-rotated-django-secret-key-0123456789-abcdefghij"
    assert twofactor.verify(user, totp.at(minutes(2)), at=minutes(2)), "SECRET_KEY no longer matters"


def test_without_the_move_a_rotated_secret_key_breaks_old_secrets(settings):
    user = officer("leader", AgencyFactory())
    totp, _ = enrol(user)
    settings.SECRET_KEY = "a-rotated-django-secret-key-0123456789-abcdefghij"
    with pytest.raises(ValidationFailed) as err:
        twofactor.check(user, totp.at(minutes(1)), at=minutes(1))
    assert err.value.code == "twofactor_reenrol"


def test_new_secrets_and_recovery_codes_use_the_own_key(settings):
    settings.MOTCUA_TOTP_KEY = OWN_KEY
    user = officer("specialist", AgencyFactory())
    totp, recovery = enrol(user)
    settings.SECRET_KEY = "a-rotated-django-secret-key-0123456789-abcdefghij"
    assert twofactor.verify(user, totp.at(minutes(1)), at=minutes(1))
    assert twofactor.verify(user, recovery[3], at=minutes(1))


def test_the_key_file_is_created_once_and_private(settings):
    call_command("create_keys")
    path = keys.keys_dir() / keys.TOTP_KEY_FILE
    first = path.read_text()
    assert len(first) >= 40 and path.stat().st_mode & 0o077 == 0
    call_command("create_keys")
    assert path.read_text() == first, "never overwritten"
    assert keys.configured_totp_key() == first.strip()
    settings.MOTCUA_TOTP_KEY = OWN_KEY
    assert keys.configured_totp_key() == OWN_KEY, "the environment wins"


def test_production_without_a_totp_key_refuses_to_encrypt(settings):
    settings.MOTCUA_DEMO = False
    with pytest.raises(ImproperlyConfigured, match="create_keys"):
        twofactor.start_enrolment(officer("leader", AgencyFactory()))
    with pytest.raises(CommandError, match="Chưa có khóa TOTP riêng"):
        call_command("reencrypt_totp")
