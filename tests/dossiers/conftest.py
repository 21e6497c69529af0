import pytest


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Officers are created by the dozen here; the default PBKDF2 would dominate the run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
