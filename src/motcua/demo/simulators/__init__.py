"""Small HTTP stand-ins for the national systems, for tests and the demo (stdlib only).

Each simulator runs a ThreadingHTTPServer on 127.0.0.1 (port 0 = a free port) in a daemon thread,
verifies our HMAC signature, and applies each ``Idempotency-Key`` once, counting duplicates (see
``base.py``). ``start_all`` starts one of each; ``settings_for`` is the MOTCUA_INTEGRATIONS value that
points at them (``manage.py run_simulators`` prints it).
"""

from __future__ import annotations

from .base import Chaos, Simulator
from .eid import EidSimulator
from .national import (
    DEMO_PEOPLE,
    InboxSimulator,
    PersonalStorageSimulator,
    PopulationSimulator,
    PortalSimulator,
    PostalSimulator,
    WebhookReceiver,
)
from .payment import PaymentGatewaySimulator

__all__ = ["DEMO_PEOPLE", "Chaos", "EidSimulator", "InboxSimulator", "PaymentGatewaySimulator", "PersonalStorageSimulator",
           "PopulationSimulator", "PortalSimulator", "PostalSimulator", "Simulator", "WebhookReceiver",
           "settings_for", "start_all"]


def start_all(*, secret: str = "sim-secret", chaos: Chaos | None = None, ports: dict | None = None,
              callback_url: str = "", unknown_procedures=()) -> dict[str, Simulator]:
    ports = ports or {}
    sims = {
        "dvcqg": PortalSimulator(secret=secret, chaos=chaos, port=ports.get("dvcqg", 0),
                                 unknown_procedures=unknown_procedures),
        "dvcqg_storage": PersonalStorageSimulator(secret=secret, chaos=chaos, port=ports.get("dvcqg_storage", 0)),
        "sms": InboxSimulator("sms", secret=secret, chaos=chaos, port=ports.get("sms", 0)),
        "email": InboxSimulator("email", secret=secret, chaos=chaos, port=ports.get("email", 0)),
        "postal": PostalSimulator(secret=secret, chaos=chaos, port=ports.get("postal", 0)),
        "population": PopulationSimulator(secret=secret, port=ports.get("population", 0)),
        "payment": PaymentGatewaySimulator(callback_url=callback_url, secret=secret, chaos=chaos,
                                           port=ports.get("payment", 0)),
        "eid": EidSimulator(client_secret=secret, port=ports.get("eid", 0), algorithm="RS256"),  # as VNeID signs
    }
    for sim in sims.values():
        sim.start()
    return sims


def settings_for(sims: dict[str, Simulator], *, secret: str = "sim-secret", callback_url: str = "") -> dict:
    """The MOTCUA_INTEGRATIONS value pointing at running simulators."""
    config = {name: {"url": sim.url, "secret": secret} for name, sim in sims.items()}
    if "eid" in config:
        config["eid"]["client_id"] = "motcua"
        if sims["eid"].signing_keys:  # RS256: the ID tokens are checked with the keys it publishes
            config["eid"]["jwks_url"] = sims["eid"].jwks_url
    if "payment" in config:
        # the simulator plays the national portal's payment platform (Decision 766 3.5)
        config["payment"].update(callback_url=callback_url, platform="dvcqg")
    return config
