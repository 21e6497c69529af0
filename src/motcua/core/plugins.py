"""One plugin registry for every kind of backend the installation can choose or extend.

Each kind keeps one ``Registry`` beside its interface (``integrations.adapters.base.adapters`` for the
national systems, ``payments.gateway.gateways`` for payment gateways, ``documents.signing.signers`` for
signers, ``documents.pki.issuers`` for certificate issuers, ``core.backup.folders`` for the folders of
files a backup carries); a plugin is a class registered under a name, and the settings choose among the
names::

    adapters = Registry("adapter")

    @adapters.register("dvcqg")
    class NationalPortalAdapter(Adapter): ...

    adapters["dvcqg"]                    # the class (NotRegistered when unknown)
    adapters.get("sms")                  # the class, or None
    for name, cls in adapters.items(): ...

    with adapters.replaced("dvcqg", FakeAdapter):   # a test swaps one plugin for the duration
        ...

A plugin class gets the attribute ``name`` (the name it is registered under). Registering another
class under a taken name is refused, so two plugins never silently shadow each other; plugins are
registered when their module is imported, which each app's ``AppConfig.ready`` does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager


class NotRegistered(KeyError):
    pass


def _identity(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


class Registry[T: type]:
    def __init__(self, kind: str):
        self.kind = kind
        self._plugins: dict[str, T] = {}

    def register(self, name: str) -> Callable[[T], T]:
        """Class decorator: register the class under `name`."""

        def wrap(cls: T) -> T:
            taken = self._plugins.get(name)
            if taken is not None and _identity(taken) != _identity(cls):
                raise ValueError(f"{self.kind} {name!r} is already registered ({_identity(taken)})")
            cls.name = name
            self._plugins[name] = cls
            return cls

        return wrap

    def __getitem__(self, name: str) -> T:
        try:
            return self._plugins[name]
        except KeyError:
            raise NotRegistered(f"no {self.kind} named {name!r}") from None

    def get(self, name: str) -> T | None:
        return self._plugins.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._plugins

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._plugins))

    def __len__(self) -> int:
        return len(self._plugins)

    def items(self) -> list[tuple[str, T]]:
        return list(self._plugins.items())

    @contextmanager
    def replaced(self, name: str, cls: T | None):
        """Swap the plugin registered under `name` (None: remove it) until the block ends."""
        missing = object()
        before = self._plugins.get(name, missing)
        if cls is None:
            self._plugins.pop(name, None)
        else:
            cls.name = name
            self._plugins[name] = cls
        try:
            yield cls
        finally:
            if before is missing:
                self._plugins.pop(name, None)
            else:
                self._plugins[name] = before

    def __repr__(self) -> str:
        return f"<Registry {self.kind}: {', '.join(self._plugins) or '-'}>"
