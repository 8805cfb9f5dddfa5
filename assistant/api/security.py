"""Access to endpoints: who the user is, what their role permits, cross-site refusal,
weak-configuration warnings.

- Every endpoint but health names the permission it needs (``require``; roles in
  assistant/access.py). Signed-in users bring a provider token (assistant/api/auth.py).
- The administrator key (``PA_API_KEY``) as ``X-API-Key`` or ``Authorization: Bearer`` is the
  local administrator. With sign-in off, everyone else is the local user (``PA_LOCAL_ROLE``):
  what needs more refuses with 401 (key configured) or 403 (no key: writes disabled). Any
  malformed or wrong key or token is a 401.
- With sign-in off the local user (default ``handläggare``) only asks: the audit trail and
  ratings need the key, unless ``PA_LOCAL_ROLE`` is one that reviews (a start-up warning);
  it never writes or exports, whatever the role (``assistant/access.py``).
- Only the host names in ``PA_ALLOWED_HOSTS`` are answered (loopback by default): a page
  on another name cannot reach a local install through DNS rebinding.
- Every POST/DELETE from a browser on another site is refused (``Origin`` not the API's own
  and not in ``PA_ALLOWED_ORIGINS``, or ``Sec-Fetch-Site: cross-site``): a multipart upload
  is a CORS "simple request" that a hostile page could otherwise send.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import secrets
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant import access
from assistant.access import Principal, Pseudonyms
from assistant.api.auth import InvalidToken, NoRole, ProviderUnavailable, TokenVerifier
from assistant.schemas import ErrorOut, ValidationErrorOut
from core.settings import Settings

log = logging.getLogger("assistant.api")

_api_key_header = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="The administrator key (PA_API_KEY)."
)
_bearer = HTTPBearer(
    auto_error=False,
    description="The provider's token of a signed-in user (ID token, or an access token for "
    "PA_OIDC_AUDIENCE), or the administrator key.",
)

WRITES_DISABLED = (
    "Writes are disabled: no administrator key is configured (set PA_API_KEY). / "
    "Skrivningar är avstängda: ingen administratörsnyckel är konfigurerad (ange PA_API_KEY)."
)
WRONG_KEY = "API key missing or wrong (X-API-Key). / API-nyckel saknas eller är fel."
NOT_SIGNED_IN = "Sign-in required. / Du behöver logga in."
INVALID_TOKEN = (
    "The sign-in is invalid or has expired; sign in again. / "
    "Inloggningen är ogiltig eller har gått ut; logga in igen."
)
NO_ROLE = (
    "Your account has no role in the policy assistant. / "
    "Ditt konto har ingen roll i policyassistenten; kontakta din administratör."
)
FORBIDDEN = "Your role may not do this. / Din roll får inte göra detta."
OUT_OF_SCOPE = (
    "The document belongs to another organisation than yours. / "
    "Dokumentet tillhör en annan organisation än din."
)
PROVIDER_DOWN = "The sign-in service is not responding. / Inloggningstjänsten svarar inte."
CROSS_SITE = "Cross-site request refused. / Begäran från en annan webbplats avvisades."
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def _matches(given: str | None, expected: str) -> bool:
    """Constant-time comparison of bytes: any header value (also non-ASCII) is just wrong."""
    if not given:
        return False
    return secrets.compare_digest(
        given.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass")
    )


class Authenticator:
    """Turns a request's credentials into a :class:`Principal` (assistant/api/auth.py)."""

    def __init__(self, settings: Settings) -> None:
        self.s = settings
        self.verifier = (
            TokenVerifier(settings, Pseudonyms(settings.data_dir)) if settings.sign_in else None
        )

    def user(self, api_key: str | None, bearer: str | None) -> Principal:
        expected = self.s.api_key.get_secret_value() if self.s.api_key else None
        if expected is not None and (_matches(api_key, expected) or _matches(bearer, expected)):
            return access.administrator(self.s)
        if api_key and expected is not None:  # a key that is not the administrator's
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, WRONG_KEY, headers=_CHALLENGE)
        if self.verifier is None:  # (no key configured: writes answer "disabled", 403)
            if bearer and expected is not None:
                raise HTTPException(status.HTTP_401_UNAUTHORIZED, WRONG_KEY, headers=_CHALLENGE)
            return access.local_user(self.s)
        if not bearer:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, NOT_SIGNED_IN, headers=_CHALLENGE)
        try:
            return self.verifier.principal(bearer)
        except InvalidToken as exc:
            log.warning("token refused: %s", exc)
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, INVALID_TOKEN, headers={
                "WWW-Authenticate": 'Bearer error="invalid_token"'}) from None  # fmt: skip
        except NoRole:
            raise HTTPException(status.HTTP_403_FORBIDDEN, NO_ROLE) from None
        except ProviderUnavailable as exc:
            log.error("identity provider unavailable: %s", exc)
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, PROVIDER_DOWN) from None


def current_user(
    request: Request,
    x_api_key: Annotated[str | None, Depends(_api_key_header)] = None,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)] = None,
) -> Principal:
    """Who sends the request (cached on the request: several dependencies ask)."""
    if getattr(request.state, "user", None) is None:
        auth: Authenticator = request.app.state.auth
        request.state.user = auth.user(x_api_key, bearer.credentials if bearer else None)
    return request.state.user


def require(permission: access.Permission) -> Any:
    """A dependency: the user, who must have ``permission``."""

    def check(request: Request, user: Annotated[Principal, Depends(current_user)]) -> Principal:
        if user.may(permission):
            return user
        if user.subject == access.LOCAL:  # sign-in off, no key given: the key allows it
            if request.app.state.auth.s.api_key is None:
                raise HTTPException(status.HTTP_403_FORBIDDEN, WRITES_DISABLED)
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, WRONG_KEY, headers=_CHALLENGE)
        raise HTTPException(status.HTTP_403_FORBIDDEN, FORBIDDEN)

    return Depends(check)


class CrossSiteGuard:
    """ASGI middleware: refuse state-changing requests sent by a browser from another site."""

    def __init__(self, app: ASGIApp, allowed_origins: list[str]) -> None:
        self.app = app
        self.allowed = {o.rstrip("/").lower() for o in allowed_origins}

    def allowed_request(self, scope: Scope) -> bool:
        if scope.get("method", "GET") in _SAFE_METHODS or "*" in self.allowed:
            return True
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        origin = headers.get("origin")
        if origin is None:  # not a browser (curl, the UI's server side) or a same-origin GET
            return headers.get("sec-fetch-site", "") != "cross-site"
        origin = origin.strip().rstrip("/").lower()
        own = headers.get("host", "").strip().lower()
        return (bool(own) and urlsplit(origin).netloc == own) or origin in self.allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.allowed_request(scope):
            await self.app(scope, receive, send)
            return
        log.warning("cross-site %s %s refused", scope.get("method"), scope.get("path"))
        body = json.dumps({"detail": CROSS_SITE}).encode()
        await send({"type": "http.response.start", "status": 403, "headers": [
            (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())
        ]})  # fmt: skip
        await send({"type": "http.response.body", "body": body})


TOO_LARGE_DETAIL = "The request is too large. / Begäran är för stor."
UNKNOWN_HOST_DETAIL = (
    "Unknown host name (PA_ALLOWED_HOSTS). / Okänt värdnamn: tjänsten svarar inte under det "
    "namnet (PA_ALLOWED_HOSTS)."
)
# Plain-text errors of the body limit and the Host check, as the API's JSON error body.
JSON_DETAILS = {400: UNKNOWN_HOST_DETAIL, 413: TOO_LARGE_DETAIL}


class JsonErrors:
    """ASGI middleware: the plain-text 400 (unknown Host, ``TrustedHostMiddleware``) and every
    413 (body limit, with or without Content-Length) as the API's JSON error body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rewriting = False

        async def send_json(message: Message) -> None:
            nonlocal rewriting
            code = message.get("status")
            if message["type"] == "http.response.start" and code in JSON_DETAILS:
                headers = dict(message.get("headers") or [])
                rewriting = code == 413 or not headers.get(b"content-type", b"").startswith(
                    b"application/json"
                )  # every 413 (also a chunked body's, English-only JSON) in our words
                if rewriting:
                    body = json.dumps({"detail": JSON_DETAILS[code]}).encode()
                    await send({"type": "http.response.start", "status": code, "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                    ]})  # fmt: skip
                    await send({"type": "http.response.body", "body": body})
                    return
            if not rewriting:
                await send(message)

        await self.app(scope, receive, send_json)


def _loopback(host: str) -> bool:
    host = (urlsplit(host).hostname or host) if "://" in host else host
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def weak_configuration(settings: Settings) -> list[str]:
    """Sentences about every weak setting (logged as warnings at start-up)."""
    out = []
    key = settings.api_key.get_secret_value() if settings.api_key else None
    if key is None:
        out.append(
            "PA_API_KEY is not set: uploads, deletes and approvals are refused "
            "(scripts/run.sh creates an administrator key in the data folder)."
        )
    elif len(key) < 16:
        out.append("PA_API_KEY is shorter than 16 characters: use a long random key.")
    if not settings.sign_in and "review" in access.local_user(settings).permissions:
        out.append(
            f"Sign-in is off and PA_LOCAL_ROLE is '{settings.local_role}': everyone who "
            "reaches the API reads the audit trail (every user's questions) and rates answers."
        )
    if "*" in settings.allowed_hosts:
        out.append("PA_ALLOWED_HOSTS contains '*': the Host header is not checked.")
    elif not _loopback(settings.api_host) and all(map(_loopback, settings.allowed_hosts)):
        out.append(
            f"The API listens on {settings.api_host} but PA_ALLOWED_HOSTS names only this "
            "machine: requests under any other host name get 400."
        )
    if not settings.sign_in and not _loopback(settings.api_host):
        out.append(
            f"Sign-in is off (PA_OIDC_ISSUER is not set) and the API listens on "
            f"{settings.api_host}: everyone who reaches it is '{settings.local_role}' over "
            "every organisation's documents."
        )
    elif (
        settings.sign_in
        and not str(settings.oidc_issuer).startswith("https://")
        and not _loopback(str(settings.oidc_issuer))
    ):
        out.append("PA_OIDC_ISSUER is not https://: tokens and keys travel without TLS.")
    if not settings.uploads_require_approval:
        out.append(
            "PA_UPLOADS_REQUIRE_APPROVAL is off: uploaded documents are used in answers "
            "without review by an administrator."
        )
    for name, value in (("ASK", settings.rate_limit_ask), ("UPLOADS", settings.rate_limit_uploads)):
        if value in ("", "0"):
            out.append(f"PA_RATE_LIMIT_{name} is off: one client can keep the API busy.")
    if "*" in settings.allowed_origins:
        out.append("PA_ALLOWED_ORIGINS contains '*': any web page can send write requests.")
    if not _loopback(settings.api_host):
        out.append(
            f"The API listens on {settings.api_host}, not only on this machine: put it behind "
            "a TLS proxy and keep the administrator key secret."
        )
    url = settings.qdrant_url or ""
    if settings.qdrant_api_key and url.startswith("http://") and not _loopback(url):
        out.append("PA_QDRANT_API_KEY is sent without TLS (PA_QDRANT_URL is http://).")
    if (
        settings.answer_mode != "extractive"
        and settings.llm_base_url.startswith("http://")
        and (not _loopback(settings.llm_base_url))
    ):
        out.append("The LLM server is reached without TLS (PA_LLM_BASE_URL is http://).")
    return out


def error(description: str, model: type = ErrorOut) -> dict[str, Any]:
    return {"model": model, "description": description}


def as_json(responses: dict[int, dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """The same error responses, documented as application/json on a route whose own
    responses are another media type (SSE); the models are registered by the other routes."""
    out = {}
    for code, spec in responses.items():
        ref = {"$ref": f"#/components/schemas/{spec['model'].__name__}"}
        out[code] = {"description": spec["description"],
                     "content": {"application/json": {"schema": ref}}}  # fmt: skip
        if "headers" in spec:
            out[code]["headers"] = spec["headers"]
    return out


INVALID = {
    400: error("The body could not be parsed (malformed JSON or multipart)"),
    422: error("Invalid request (the input is never echoed)", ValidationErrorOut),
}
TOO_LARGE = {413: error("The request body is larger than the limit")}
CROSS_SITE_REFUSED = {403: error("Cross-site request refused (Origin not allowed)")}
BUSY = {503: error("The knowledge base is busy or unavailable")}
AUTH = {
    401: error("Not signed in, or the token or key is malformed, wrong or expired"),
    403: error(
        "The role may not do this (or not for this organisation's document), the "
        "account has no role, writes are disabled (no key configured), or cross-site "
        "request"
    ),
    503: error("The identity provider or the knowledge base is not responding"),
}
NOT_FOUND = {404: error("No such document")}
RATE_LIMITED = {
    429: {
        **error("Too many requests from this client address (PA_RATE_LIMIT_ASK, "
                "PA_RATE_LIMIT_UPLOADS); try again after Retry-After seconds"),
        "headers": {"Retry-After": {"description": "Seconds until a request is accepted again",
                                    "schema": {"type": "integer", "minimum": 1}}},
    }
}  # fmt: skip
