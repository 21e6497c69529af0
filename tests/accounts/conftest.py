import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Accounts are created in almost every test; the production hasher costs ~0.5 s per password.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
