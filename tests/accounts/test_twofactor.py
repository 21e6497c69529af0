import datetime as dt

import pyotp
import pytest

from motcua.accounts import twofactor
from motcua.accounts.models import TwoFactorDevice
from motcua.audit.models import AuditEntry
from motcua.core.errors import ValidationFailed
from tests.factories import AgencyFactory, citizen, officer

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)


def enrolled(user):
    enrolment = twofactor.start_enrolment(user)
    totp = pyotp.TOTP(enrolment.secret)
    codes = twofactor.confirm_enrolment(user, totp.at(T0), at=T0)
    return totp, codes


def test_required_for_officers_optional_for_citizens():
    assert twofactor.is_required(officer("counter_officer", AgencyFactory()))
    assert not twofactor.is_required(citizen())


def test_enrolment_gives_an_authenticator_uri_and_stores_the_secret_encrypted():
    user = officer("specialist", AgencyFactory())
    enrolment = twofactor.start_enrolment(user)
    assert enrolment.uri.startswith("otpauth://totp/") and "secret=" + enrolment.secret in enrolment.uri
    device = TwoFactorDevice.objects.get(user=user)
    assert enrolment.secret not in device.secret
    assert not twofactor.is_enabled(user)
    with pytest.raises(ValidationFailed) as err:
        twofactor.confirm_enrolment(user, "000000" if pyotp.TOTP(enrolment.secret).at(T0) != "000000" else "111111",
                                    at=T0)
    assert err.value.code == "twofactor_invalid"
    codes = twofactor.confirm_enrolment(user, pyotp.TOTP(enrolment.secret).at(T0), at=T0)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert twofactor.is_enabled(user)
    assert AuditEntry.objects.filter(action="twofactor.enabled", object_id=str(user.pk)).exists()
    with pytest.raises(ValidationFailed):
        twofactor.start_enrolment(user)


def test_verify_accepts_fresh_codes_and_refuses_replay():
    user = officer("leader", AgencyFactory())
    totp, _ = enrolled(user)
    later = T0 + dt.timedelta(minutes=5)
    code = totp.at(later)
    assert twofactor.verify(user, code, at=later)
    assert not twofactor.verify(user, code, at=later), "the same code must not work twice"
    assert twofactor.verify(user, totp.at(later + dt.timedelta(seconds=30)), at=later + dt.timedelta(seconds=30))
    # 10 minutes later the old code is long expired
    assert not twofactor.verify(user, totp.at(later), at=later + dt.timedelta(minutes=10))


def test_lockout_after_repeated_failures():
    user = officer("leader", AgencyFactory())
    totp, _ = enrolled(user)
    now = T0 + dt.timedelta(minutes=1)
    good = totp.at(now)
    bad = "123456" if good != "123456" else "654321"
    for _ in range(twofactor.MAX_FAILURES):
        assert not twofactor.verify(user, bad, at=now)
    with pytest.raises(ValidationFailed) as err:
        twofactor.check(user, good, at=now)
    assert err.value.code == "twofactor_locked" and err.value.status == 429
    after = now + dt.timedelta(minutes=twofactor.LOCK_MINUTES + 1)
    assert twofactor.verify(user, totp.at(after), at=after)


def test_recovery_codes_work_once():
    user = citizen()
    _, codes = enrolled(user)
    assert twofactor.verify(user, codes[0].upper(), at=T0 + dt.timedelta(minutes=2))
    assert not twofactor.verify(user, codes[0], at=T0 + dt.timedelta(minutes=3))
    assert twofactor.verify(user, codes[1], at=T0 + dt.timedelta(minutes=4))


def test_disable_needs_a_valid_code():
    user = officer("specialist", AgencyFactory())
    totp, _ = enrolled(user)
    now = T0 + dt.timedelta(minutes=3)
    with pytest.raises(ValidationFailed):
        twofactor.disable(user, "not-a-code", at=now)
    assert twofactor.is_enabled(user)
    twofactor.disable(user, totp.at(now), at=now)
    assert not twofactor.is_enabled(user)


def test_back_office_gate(rf):
    from django.contrib.sessions.backends.db import SessionStore

    request = rf.get("/can-bo/")
    request.session = SessionStore()
    request.user = officer("counter_officer", AgencyFactory())
    assert twofactor.needs_second_factor(request) == "enrol"
    enrolled(request.user)
    assert twofactor.needs_second_factor(request) == "verify"
    twofactor.mark_session_verified(request)
    assert twofactor.needs_second_factor(request) is None
    request.user = citizen()
    assert twofactor.needs_second_factor(request) is None, "optional for citizens"
