"""Stand-ins for the national portal, SMS and e-mail relays, third-party webhooks, the post office and the
population database."""

from __future__ import annotations

import uuid

from .base import Simulator


class PortalSimulator(Simulator):
    """National Public Service Portal: keeps every dossier's status history (with its agency) in arrival order,
    every agency change it accepted (``changes``: a reorganization of administrative units under a resolution, or a
    successor recorded by decision) and which agency code succeeds which after it. Like the real portal it
    refuses records of procedures it does not know (``unknown_procedures``: not published on the national
    procedure database)."""

    name = "dvcqg"

    def __init__(self, unknown_procedures=(), **kw):
        super().__init__(**kw)
        self.history: dict[str, list[tuple[int, str]]] = {}
        self.agencies: dict[str, str] = {}  # dossier code → agency code last reported
        self.successors: dict[str, str] = {}  # old agency code → new agency code
        self.changes: list[dict] = []  # the /agency-changes bodies accepted, in arrival order
        self.unknown_procedures = set(unknown_procedures)
        self.refused: list[str] = []

    def handle(self, method, path, query, data, h):
        if method == "POST" and path == "/dossier-status":
            if data.get("procedure_code") in self.unknown_procedures:
                self.refused.append(data["dossier_code"])
                return 422, {"accepted": False, "error": f"Thủ tục {data.get('procedure_code')} chưa có trên CSDL "
                                                         "quốc gia về thủ tục hành chính."}
            self.history.setdefault(data["dossier_code"], []).append((data["event_id"], data["status"]))
            self.agencies[data["dossier_code"]] = data.get("agency_code")
            return 200, {"accepted": True}
        if method == "POST" and path == "/agency-changes":
            if not data.get("agency_code") or not isinstance(data.get("replaces"), list):
                return 422, {"error": "agency_code and replaces are required"}
            if data.get("kind", "reorganization") not in ("reorganization", "successor"):
                return 422, {"error": f"unknown kind {data.get('kind')!r}"}
            self.changes.append(data)
            for old in data["replaces"]:
                self.successors[old] = data["agency_code"]
            return 200, {"accepted": True}
        return 404, {"error": "not_found"}


class PersonalStorageSimulator(Simulator):
    """The personal data storage of the National Public Service Portal: documents filed per ID number."""

    name = "dvcqg_storage"

    def __init__(self, **kw):
        super().__init__(**kw)
        self.items: dict[str, list[dict]] = {}

    def handle(self, method, path, query, data, h):
        if method == "POST" and path == "/personal-storage":
            items = self.items.setdefault(data["id_number"], [])
            items.append(data)
            return 200, {"accepted": True, "item_id": f"{data['id_number']}-{len(items)}"}
        return 404, {"error": "not_found"}


class InboxSimulator(Simulator):
    """SMS gateway (/sms) or e-mail relay (/email): keeps the messages it accepted."""

    def __init__(self, name: str, **kw):
        super().__init__(**kw)
        self.name = name
        self.messages: list[dict] = []

    def handle(self, method, path, query, data, h):
        if method == "POST" and path in ("/sms", "/email"):
            self.messages.append(data)
            return 200, {"message_id": uuid.uuid4().hex[:12]}
        return 404, {"error": "not_found"}


class WebhookReceiver(InboxSimulator):
    """A third party's endpoint: any POST path."""

    def handle(self, method, path, query, data, h):
        self.messages.append(data)
        return 200, {"ok": True}


class PostalSimulator(Simulator):
    """Post office: pickup requests get a tracking number; each status query moves the parcel on."""

    name = "postal"
    FLOW = ("pickup_requested", "picked_up", "in_transit", "delivered")

    def __init__(self, **kw):
        super().__init__(**kw)
        self.parcels: dict[str, dict] = {}
        self.counter = 0

    def handle(self, method, path, query, data, h):
        if method == "POST" and path == "/pickups":
            self.counter += 1
            tracking = f"EB{self.counter:09d}VN"
            self.parcels[tracking] = {"reference": data["reference"], "status": 0, "recipient": data["recipient"]}
            return 201, {"tracking_number": tracking, "status": self.FLOW[0]}
        if method == "GET" and path.startswith("/pickups/"):
            parcel = self.parcels.get(path.rsplit("/", 1)[-1])
            if parcel is None:
                return 404, {"error": "not_found"}
            if parcel.get("cancelled"):
                return 200, {"status": "cancelled"}
            parcel["status"] = min(parcel["status"] + 1, len(self.FLOW) - 1)
            return 200, {"status": self.FLOW[parcel["status"]]}
        if method == "DELETE" and path.startswith("/pickups/"):  # call off a pickup not made yet
            parcel = self.parcels.get(path.rsplit("/", 1)[-1])
            if parcel is None:
                return 404, {"error": "not_found"}
            if parcel["status"] > 0:
                return 409, {"error": "already_picked_up"}
            parcel["cancelled"] = True
            return 200, {"status": "cancelled"}
        return 404, {"error": "not_found"}


class PopulationSimulator(Simulator):
    """National Population Database: residence data by ID number (fictional people)."""

    name = "population"
    verify_signatures = False

    def __init__(self, people: dict | None = None, **kw):
        super().__init__(**kw)
        self.people = people if people is not None else dict(DEMO_PEOPLE)

    def handle(self, method, path, query, data, h):
        if method == "GET" and path.startswith("/citizens/"):
            person = self.people.get(path.rsplit("/", 1)[-1])
            return (200, person) if person else (404, {"error": "not_found"})
        return 404, {"error": "not_found"}


DEMO_PEOPLE = {
    "051190012345": {"id_number": "051190012345", "full_name": "Nguyễn Thị Hồng Nhung", "date_of_birth": "1990-07-14",
                     "gender": "Nữ", "permanent_address": "Tổ dân phố 3, phường Cẩm Thành, tỉnh Quảng Ngãi",
                     "current_address": "Tổ dân phố 3, phường Cẩm Thành, tỉnh Quảng Ngãi",
                     "place_of_origin": "Xã Tịnh Khê, tỉnh Quảng Ngãi", "ethnicity": "Kinh", "nationality": "Việt Nam"},
    "051085004321": {"id_number": "051085004321", "full_name": "Trần Văn Bình", "date_of_birth": "1985-02-03",
                     "gender": "Nam", "permanent_address": "Thôn An Kỳ, xã Tịnh Khê, tỉnh Quảng Ngãi",
                     "current_address": "Thôn An Kỳ, xã Tịnh Khê, tỉnh Quảng Ngãi",
                     "place_of_origin": "Xã Tịnh Khê, tỉnh Quảng Ngãi", "ethnicity": "Kinh", "nationality": "Việt Nam"},
}
