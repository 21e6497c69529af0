from django.apps import AppConfig


class DemoConfig(AppConfig):
    """What exists only for the demo and the tests of integrations: sample data, simulators of the national
    systems, synthetic scans, the demo PKI, the benchmark fixture. Production code never imports it."""

    name = "motcua.demo"
    label = "demo"
    verbose_name = "Trình diễn"

    def ready(self):
        # The demo CA issues a missing agency certificate (documents.pki.issuers).
        from . import pki  # noqa: F401
