"""Stand-in for the national e-ID provider (VNeID-like OpenID Connect, authorization code + PKCE).

``algorithm="RS256"`` signs ID tokens as VNeID does, with an RSA key made at start and published at ``/jwks``
(``rotate_key`` switches to a new key with a new ``kid``; ``jwks_down`` makes that endpoint answer 503);
``"HS256"`` (the default) signs with the client secret. ``extra_claims`` are added to every ID token (another
``aud`` list, an ``azp``); ``kid_in_header = False`` leaves the ``kid`` out of the token's header.
"""

from __future__ import annotations

import base64
import hashlib
import time
import uuid

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from .base import Simulator
from .national import DEMO_PEOPLE

DEFAULT_SECRET = "eid-simulator-client-secret-0123456789"  # HS256 wants 32 bytes or more (RFC 7518 §3.2)


class EidSimulator(Simulator):
    """National e-ID provider (VNeID-like, OIDC authorization code + PKCE), auto-approving a test person."""

    name = "eid"
    verify_signatures = False

    def __init__(self, client_id: str = "motcua", client_secret: str = DEFAULT_SECRET, people: dict | None = None, *,
                 algorithm: str = "HS256", **kw):
        super().__init__(**kw)
        self.client_id, self.client_secret, self.algorithm = client_id, client_secret, algorithm
        self.signing_keys: list[tuple[str, rsa.RSAPrivateKey]] = []  # (kid, key): the newest signs, all published
        self.jwks_down = False
        self.jwks_served = 0
        self.extra_claims: dict = {}
        self.kid_in_header = True
        if algorithm == "RS256":
            self.rotate_key()
        self.people = people if people is not None else {k: {**v, "phone": "0905123456"} for k, v in DEMO_PEOPLE.items()}
        self.codes: dict[str, dict] = {}
        self.tokens: dict[str, str] = {}

    @property
    def jwks_url(self) -> str:
        return f"{self.url}/jwks"

    def rotate_key(self) -> str:
        """Signs from now on with a new RSA key under a new kid, published next to the earlier ones."""
        kid = uuid.uuid4().hex[:16]
        self.signing_keys.append((kid, rsa.generate_private_key(public_exponent=65537, key_size=2048)))
        return kid

    def jwks(self) -> dict:
        return {"keys": [{**RSAAlgorithm.to_jwk(key.public_key(), as_dict=True), "kid": kid, "use": "sig",
                          "alg": "RS256"} for kid, key in self.signing_keys]}

    def sign(self, claims: dict) -> str:
        """The ID token of these claims, as this provider signs it."""
        if self.algorithm == "RS256":
            kid, key = self.signing_keys[-1]
            return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid} if self.kid_in_header else None)
        return jwt.encode(claims, self.client_secret, algorithm="HS256")

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
            id_token = self.sign({"iss": self.url, "aud": self.client_id, "sub": person["id_number"],
                                  "nonce": grant["nonce"], "iat": now, "exp": now + 300, **self.extra_claims})
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
        if method == "GET" and path == "/jwks" and self.signing_keys:
            if self.jwks_down:
                return 503, {"error": "service_down"}
            self.jwks_served += 1
            return 200, self.jwks()
        return 404, {"error": "not_found"}
