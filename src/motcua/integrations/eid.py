"""Sign-in with the national e-ID (VNeID-style OpenID Connect: authorization code + PKCE).

``start(request)`` remembers state, nonce and the PKCE verifier in the session and returns the
provider's authorize URL; ``finish(request, code, state)`` exchanges the code, checks the ID token with PyJWT
(RS256 against the provider's published keys, ``jwks_url``, or HS256 with the client secret: issuer, audience, expiry,
issue time, nonce), reads the user info and returns the
citizen account with that ID number, creating it through motcua.accounts.services when new. A citizen app signs in
the way OAuth 2.0 for native apps (RFC 8252) has it: it runs the authorization request itself, with its own redirect
URI, PKCE verifier and nonce, and hands the code to the API (POST /api/v1/accounts/tokens/eid), which checks it with
the same ``vouched_person`` and ``citizen_for`` and issues an API token that remembers the sign-in, for a redirect
URI the installation registered (``check_app_redirect_uri``).
Configured as MOTCUA_INTEGRATIONS["eid"] = {"url", "client_id", "secret", "jwks_url", "algorithms",
"app_redirect_uris"}; the last three optional (verification_key, check_app_redirect_uri). integrations.checks refuses
a start with an HMAC secret shorter than its hash.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from urllib.parse import urlencode, urlsplit

import httpx
import jwt

from motcua.accounts.models import Role, User
from motcua.accounts.services import register_citizen, vouch_id_number
from motcua.core.cccd import parse_id_number
from motcua.core.errors import DomainError

from .config import dispatch_config, target_config

SESSION_KEY = "motcua_eid"
VERIFIED_KEY = "motcua_vneid_verified"  # set by the callback to the ID number the national e-ID proved in this session


def verified_in_session(session) -> bool:
    """The account of this session was authenticated by the national e-ID (Decision 766 4.5, LEGAL.md §5:
    TaiKhoanDuocXacThucVoiVNeID)."""
    return bool(session.get(VERIFIED_KEY))


def holder_signed_in(session, user) -> bool:
    """This session signed in with the national e-ID as the holder of the account's proven ID number: enough to set
    the account's password (portal), as the e-ID sign-in itself took the account back (accounts.vouch_id_number)."""
    number = session.get(VERIFIED_KEY)
    return isinstance(number, str) and bool(number) and user.id_number_verified(number)


def applicant_vouched(signed_in: bool, user, id_number: str) -> bool:
    """A dossier's applicant came with a national e-ID sign-in (Decision 766 4.5): the caller signed in with it (a
    portal session, verified_in_session; an API token issued by that sign-in, api.auth.eid_signed_in) and the
    applicant is the person it vouched for — not someone the account holder files for (a relative, a client)."""
    return signed_in and user.id_number_verified(id_number)


class EidError(DomainError):
    status = 400


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


JWKS_LIFESPAN_S = 300  # the provider's published keys are fetched again after five minutes
_jwks_clients: dict[tuple[str, float], jwt.PyJWKClient] = {}
_SIGNATURE_INVALID = "Chữ ký của mã xác thực định danh điện tử không hợp lệ."


def _jwks_client(url: str, timeout: float) -> jwt.PyJWKClient:
    """The process's client for the provider's key set (PyJWKClient: the set cached JWKS_LIFESPAN_S, fetched again at
    once for a key id it does not hold — the provider rotated its key). ID tokens come only from our own request to
    the provider's token endpoint, so an unknown key id cannot be a stranger's way of making us fetch: no cooldown."""
    client = _jwks_clients.get((url, timeout))
    if client is None:
        client = _jwks_clients.setdefault((url, timeout), jwt.PyJWKClient(
            url, lifespan=JWKS_LIFESPAN_S, timeout=timeout, cooldown_duration=0))
    return client


def id_token_algorithms(config: dict) -> list[str]:
    """The algorithms an ID token may be signed with: ``algorithms``, by default ["RS256"] with ``jwks_url``
    configured, ["HS256"] (the client secret) without; ``none`` never."""
    default = ["RS256"] if config.get("jwks_url") else ["HS256"]
    return [str(a) for a in config.get("algorithms") or default if str(a).lower() != "none"]


def verification_key(config: dict, token: str, *, timeout: float) -> tuple[jwt.PyJWK | str, list[str]]:
    """(key, algorithms) an ID token is checked with: with ``jwks_url`` configured, the provider's published key named
    by the token's ``kid`` (the key fixes the algorithm: an HS256 token cannot pass as RS256), or for a token without
    ``kid`` the one published key of an allowed algorithm (_only_published_key); otherwise the client secret."""
    algorithms = id_token_algorithms(config)
    jwks_url = config.get("jwks_url")
    if not jwks_url:
        return config.get("secret", ""), algorithms
    client = _jwks_client(jwks_url, timeout)
    try:
        if not jwt.get_unverified_header(token).get("kid"):
            return _only_published_key(client, token, algorithms), algorithms
        return client.get_signing_key_from_jwt(token), algorithms
    except (jwt.PyJWKClientConnectionError, jwt.PyJWKSetError):  # not answering, or not a key set
        raise EidError("eid_unavailable", "Máy chủ định danh điện tử tạm thời không trả lời; vui lòng thử lại.",
                       status=503) from None
    except jwt.DecodeError:
        raise EidError("eid_token_invalid", "Mã xác thực định danh điện tử không hợp lệ.") from None
    except jwt.PyJWTError:  # no published key with that kid, even after fetching the set again
        raise EidError("eid_token_invalid", _SIGNATURE_INVALID) from None


def _usable_keys(key_set: jwt.PyJWKSet, algorithms: list[str]) -> list[jwt.PyJWK]:
    return [k for k in key_set.keys if k.public_key_use in ("sig", None) and k.algorithm_name in algorithms]


def _signed_with(token: str, key: jwt.PyJWK) -> bool:
    try:
        jwt.PyJWS().decode_complete(token, key, algorithms=[key.algorithm_name])
    except jwt.PyJWTError:
        return False
    return True


def _only_published_key(client: jwt.PyJWKClient, token: str, algorithms: list[str]) -> jwt.PyJWK:
    """The key of an ID token without ``kid``: the one key the provider publishes for the allowed algorithms (RFC 7517
    §4.5 makes ``kid`` optional; which key signed is then clear only if there is one). The key set is fetched again
    once when the kept one does not verify the token (the provider replaced its only key). Several keys: refused."""
    usable = _usable_keys(client.get_jwk_set(), algorithms)
    if len(usable) == 1 and not _signed_with(token, usable[0]):
        usable = _usable_keys(client.get_jwk_set(refresh=True), algorithms)
    if len(usable) > 1:
        raise EidError("eid_token_invalid", "Mã xác thực định danh điện tử không ghi khóa ký (kid) trong khi máy chủ "
                                            "định danh điện tử công bố nhiều khóa: không xác định được khóa để kiểm "
                                            "tra chữ ký.")
    if not usable:
        raise EidError("eid_token_invalid", _SIGNATURE_INVALID)
    return usable[0]


def decode_id_token(token: str, key: jwt.PyJWK | str, *, algorithms: list[str], issuer: str, audience: str,
                    nonce: str, leeway: int = 60) -> dict:
    """The claims of an OpenID Connect ID token (PyJWT): signature with ``key`` by one of ``algorithms``, issuer,
    audience (this client among the token's audiences, and the authorized party when there are others), expiry and
    issue time (``leeway`` seconds of clock difference), and the nonce of this sign-in. Raises EidError
    eid_token_invalid / eid_token_expired."""
    try:
        claims = jwt.decode(token, key, algorithms=algorithms, issuer=issuer, audience=audience, leeway=leeway,
                            options={"require": ["iss", "aud", "exp", "iat"]})
    except jwt.ExpiredSignatureError:
        raise EidError("eid_token_expired", "Phiên đăng nhập định danh điện tử đã hết hạn; vui lòng thử lại.") from None
    except (jwt.InvalidIssuerError, jwt.InvalidAudienceError):
        raise EidError("eid_token_invalid", "Mã xác thực không dành cho hệ thống này.") from None
    except (jwt.InvalidSignatureError, jwt.InvalidAlgorithmError, jwt.InvalidKeyError):
        raise EidError("eid_token_invalid", _SIGNATURE_INVALID) from None
    except jwt.PyJWTError:  # not a JWT, a claim missing or not yet valid
        raise EidError("eid_token_invalid", "Mã xác thực định danh điện tử không hợp lệ.") from None
    # OpenID Connect Core 1.0 §3.1.3.7 items 4-5: a token for several audiences names us as its authorized party.
    if (isinstance(claims["aud"], list) and len(claims["aud"]) > 1 or "azp" in claims) and claims.get("azp") != audience:
        raise EidError("eid_token_invalid", "Mã xác thực không dành cho hệ thống này.")
    if not nonce or claims.get("nonce") != nonce:
        raise EidError("eid_token_invalid", "Phiên đăng nhập không khớp; vui lòng thử lại.")
    return claims


def _config() -> dict:
    config = target_config("eid")
    if not config.get("url"):
        raise EidError("eid_not_configured", "Chưa kết nối đăng nhập bằng định danh điện tử quốc gia.", status=503)
    return config


def redirect_uri(request) -> str:
    from django.urls import reverse

    return request.build_absolute_uri(reverse("integrations:eid_callback"))


LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1"})


def check_app_redirect_uri(request, uri: str) -> None:
    """A citizen app's code is exchanged only for a redirect URI this installation knows: the portal's callback or
    one of ``app_redirect_uris``. Else someone's code, sent back to an address they did not choose, would be turned
    into a token here. Raises EidError eid_redirect_uri_not_allowed (eid_not_configured 503 first)."""
    registered = _config().get("app_redirect_uris") or []
    registered = [registered] if isinstance(registered, str) else list(registered)
    if not any(_same_redirect_uri(uri, known) for known in [redirect_uri(request), *registered]):
        raise EidError("eid_redirect_uri_not_allowed", "Địa chỉ chuyển hướng (redirect_uri) chưa được đăng ký cho "
                                                       "ứng dụng đăng nhập bằng VNeID của hệ thống này.")


def _same_redirect_uri(uri: str, registered: str) -> bool:
    # RFC 8252 §7.3: a loopback redirect URI may come with any port the app opened; every other URI exactly as
    # registered (RFC 6749 §3.1.2.3).
    if uri == registered:
        return True
    try:
        got, known = urlsplit(uri), urlsplit(str(registered))
        got.port, known.port  # noqa: B018  (ValueError: not a port)
    except ValueError:
        return False
    return (known.scheme == got.scheme == "http" and known.hostname in LOOPBACK_HOSTS
            and got.hostname == known.hostname and got.username is None and got.password is None
            and (got.path, got.query, got.fragment) == (known.path, known.query, known.fragment))


def start(request, *, next_url: str = "/", login_hint: str = "") -> str:
    config = _config()
    verifier = secrets.token_urlsafe(48)
    state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    request.session[SESSION_KEY] = {"state": state, "nonce": nonce, "verifier": verifier, "next": next_url}
    params = {"response_type": "code", "client_id": config.get("client_id", "motcua"), "scope": "openid profile",
              "redirect_uri": redirect_uri(request), "state": state, "nonce": nonce,
              "code_challenge": _b64(hashlib.sha256(verifier.encode()).digest()), "code_challenge_method": "S256"}
    if login_hint:
        params["login_hint"] = login_hint
    return f"{config['url'].rstrip('/')}/authorize?{urlencode(params)}"


def finish(request, *, code: str, state: str):
    """Returns (user, next_url); raises EidError with a Vietnamese message on any mismatch."""
    _config()  # not connected: said before anything else
    pending = request.session.pop(SESSION_KEY, None)
    # compared as bytes: hmac.compare_digest raises TypeError on a str with anything but ASCII in it
    if not pending or not state or not hmac.compare_digest(pending["state"].encode(), state.encode()):
        raise EidError("eid_state_invalid", "Phiên đăng nhập không hợp lệ hoặc đã dùng; vui lòng đăng nhập lại.")
    person = vouched_person(code=code, redirect_uri=redirect_uri(request), verifier=pending["verifier"],
                            nonce=pending["nonce"])
    return citizen_for(person), pending.get("next") or "/"


def vouched_person(*, code: str, redirect_uri: str, verifier: str, nonce: str) -> dict:
    """The person the e-ID provider vouches for with this authorization code (the portal's callback, and a citizen
    app's sign-in over the API): the code exchanged with the client secret and the PKCE verifier, the ID token
    checked, the user info read and matched to it. Raises EidError (eid_code_invalid, eid_unavailable 503, ...)."""
    config = _config()
    base = config["url"].rstrip("/")
    client_id = config.get("client_id", "motcua")
    timeout = dispatch_config()["timeout_s"]
    try:
        token = httpx.post(f"{base}/token", data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
            "client_id": client_id, "client_secret": config.get("secret", ""),
            "code_verifier": verifier}, timeout=timeout)
        if token.status_code != 200:
            raise EidError("eid_code_invalid", "Máy chủ định danh điện tử từ chối mã đăng nhập; vui lòng thử lại.")
        tokens = token.json()
        id_token = tokens.get("id_token", "")
        key, algorithms = verification_key(config, id_token, timeout=timeout)
        claims = decode_id_token(id_token, key, algorithms=algorithms, issuer=base, audience=client_id, nonce=nonce)
        info = httpx.get(f"{base}/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"},
                         timeout=timeout)
        if info.status_code != 200:
            raise EidError("eid_userinfo_failed", "Không đọc được thông tin công dân từ định danh điện tử.")
        person = info.json()
    except (httpx.HTTPError, ValueError, KeyError, TypeError, AttributeError):
        # Not answering, or answering what is not OpenID Connect (not JSON, no access token): nothing to trust.
        raise EidError("eid_unavailable", "Máy chủ định danh điện tử tạm thời không trả lời; vui lòng thử lại.",
                       status=503) from None
    # OpenID Connect Core 1.0 §5.3.2: the user info is of the person the ID token names, or it is not used.
    if not isinstance(person, dict) or not claims.get("sub") or str(person.get("sub", "")) != str(claims["sub"]):
        raise EidError("eid_subject_mismatch", "Thông tin công dân không khớp với mã xác thực định danh điện tử; "
                                               "vui lòng đăng nhập lại.")
    return person


def citizen_for(person: dict):
    """The citizen account of the person the e-ID vouched for (vouched_person), its ID number marked as proven;
    created when new."""
    try:  # never an empty or malformed number: it would match an account without one
        id_number = parse_id_number(person.get("id_number") or person.get("sub") or "").value
    except DomainError:
        raise EidError("eid_id_number_missing", "Định danh điện tử không trả về số định danh cá nhân hợp lệ; "
                                                "vui lòng đăng nhập bằng cách khác.") from None
    user = User.objects.filter(id_number=id_number, role_assignments__role=Role.CITIZEN).first()
    if user is not None:
        # Signed in by the e-ID, the number is proven; a password typed with it at sign-up proved nothing (accounts).
        user.password_cleared_by_eid = vouch_id_number(user, id_number)
        return user
    user = register_citizen(username=f"vneid-{id_number}", password=secrets.token_urlsafe(24),
                            full_name=person.get("full_name", ""), id_number=id_number,
                            phone=person.get("phone", ""), email=person.get("email", ""))
    user.set_unusable_password()  # signs in with the e-ID only, until they choose a password
    user.verified_id_number = id_number
    if person.get("current_address"):
        user.address = person["current_address"][:255]
    user.save(update_fields=["password", "address", "verified_id_number"])
    return user
