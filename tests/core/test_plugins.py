"""The one plugin registry: adapters, payment gateways, signers and certificate issuers all use it."""

import pytest

from motcua.core.plugins import NotRegistered, Registry
from motcua.documents.pki import issuers
from motcua.documents.signing import signers
from motcua.integrations.adapters import adapters
from motcua.payments.gateway import gateways


def test_register_look_up_and_refuse_a_second_plugin_under_the_same_name():
    things = Registry("thing")

    @things.register("a")
    class A:
        pass

    assert things["a"] is A and A.name == "a" and things.get("b") is None and "a" in things
    with pytest.raises(NotRegistered):
        things["b"]

    class Other:
        pass

    with pytest.raises(ValueError, match="already registered"):
        things.register("a")(Other)
    assert things["a"] is A


def test_a_test_can_swap_a_plugin_for_a_while():
    things = Registry("thing")

    @things.register("a")
    class A:
        pass

    class Fake:
        pass

    with things.replaced("a", Fake):
        assert things["a"] is Fake
    with things.replaced("b", Fake):
        assert list(things) == ["a", "b"]
    with things.replaced("a", None):
        assert "a" not in things
    assert things["a"] is A and list(things) == ["a"]


def test_every_kind_of_backend_uses_it():
    assert {"dvcqg", "sms", "email", "postal", "webhook"} <= set(adapters)
    assert "http" in gateways
    assert {"file", "pkcs11"} <= set(signers)
    assert "demo_ca" in issuers
