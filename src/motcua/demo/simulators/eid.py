"""Stand-in for the national e-ID provider (VNeID-like OpenID Connect, authorization code + PKCE)."""

from __future__ import annotations

import base64
import hashlib
import time
import uuid

from motcua.integrations.eid import encode_hs256

from .base import Simulator
from .national import DEMO_PEOPLE


class EidSimulator(Simulator):
    """National e-ID provider (VNeID-like, OIDC authorization code + PKCE), auto-approving a test person."""

    name = "eid"
    verify_signatures = False

    def __init__(self, client_id: str = "motcua", client_secret: str = "eid-secret", people: dict | None = None, **kw):
        super().__init__(**kw)
        self.client_id, self.client_secret = client_id, client_secret
        self.people = people if people is not None else {k: {**v, "phone": "0905123456"} for k, v in DEMO_PEOPLE.items()}
        self.codes: dict[str, dict] = {}
        self.tokens: dict[str, str] = {}

    def handle(self, method, path, query, data, h):
        q = {k: v[0] for k, v in query.items()}
        if method == "GET" and path == "/authorize":
            if q.get("client_id") != self.client_id or q.get("response_type") != "code":
                return 400, {"error": "invalid_request"}
            person = self.people.get(q.get("login_hint") or next(iter(self.people)))
            if person is None:
                return 400, {"error": "access_denied"}
            code = uuid.uuid4().hex
            self.codes[code] = {"person": person, "nonce": q.get("nonce", ""), "redirect_uri": q["redirect_uri"],
                                "challenge": q.get("code_challenge", "")}
            sep = "&" if "?" in q["redirect_uri"] else "?"
            return 302, {"location": f"{q['redirect_uri']}{sep}code={code}&state={q.get('state', '')}"}
        if method == "POST" and path == "/token":
            grant = self.codes.pop(data.get("code", ""), None)
            if grant is None or data.get("client_secret") != self.client_secret or \
                    data.get("redirect_uri") != grant["redirect_uri"]:
                return 400, {"error": "invalid_grant"}
            verifier = data.get("code_verifier", "")
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if challenge != grant["challenge"]:
                return 400, {"error": "invalid_grant", "error_description": "PKCE"}
            person = grant["person"]
            now = int(time.time())
            id_token = encode_hs256({"iss": self.url, "aud": self.client_id, "sub": person["id_number"],
                                     "nonce": grant["nonce"], "iat": now, "exp": now + 300}, self.client_secret)
            access = uuid.uuid4().hex
            self.tokens[access] = person["id_number"]
            return 200, {"access_token": access, "token_type": "Bearer", "expires_in": 300, "id_token": id_token}
        if method == "GET" and path == "/userinfo":
            token = (h.headers.get("Authorization") or "").removeprefix("Bearer ").strip()
            id_number = self.tokens.get(token)
            if id_number is None:
                return 401, {"error": "invalid_token"}
            person = self.people[id_number]
            return 200, {"sub": id_number, **person}
        return 404, {"error": "not_found"}
