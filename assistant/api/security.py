"""Write protection: the administrator key, cross-site refusal, weak-configuration warnings.

- Write endpoints (upload, delete, approve) need the administrator key (``PA_API_KEY``) as
  ``X-API-Key`` or ``Authorization: Bearer``; without a configured key they refuse (403), so
  writes are never open by accident. Any missing, malformed or wrong key is a 401.
- Feedback on an answer stays open to chat users: it only stores a scrubbed rating in the
  audit trail and never changes what the assistant answers.
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

from assistant.schemas import ErrorOut, ValidationErrorOut
from ingest.settings import Settings

log = logging.getLogger("assistant.api")

_api_key_header = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="The administrator key (PA_API_KEY)."
)
_bearer = HTTPBearer(auto_error=False, description="The administrator key as a Bearer token.")

WRITES_DISABLED = (
    "Writes are disabled: no administrator key is configured (set PA_API_KEY). / "
    "Skrivningar är avstängda: ingen administratörsnyckel är konfigurerad (ange PA_API_KEY)."
)
WRONG_KEY = "API key missing or wrong (X-API-Key). / API-nyckel saknas eller är fel."
CROSS_SITE = "Cross-site request refused. / Begäran från en annan webbplats avvisades."
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


def _matches(given: str | None, expected: str) -> bool:
    """Constant-time comparison of bytes: any header value (also non-ASCII) is just wrong."""
    if not given:
        return False
    return secrets.compare_digest(
        given.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass")
    )


def require_admin(
    request: Request,
    x_api_key: Annotated[str | None, Depends(_api_key_header)] = None,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)] = None,
) -> None:
    """The administrator key is configured and was given (X-API-Key or Bearer)."""
    expected = request.app.state.components.settings.api_key
    if expected is None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=WRITES_DISABLED)
    secret = expected.get_secret_value()
    token = bearer.credentials if bearer else None
    if not (_matches(x_api_key, secret) or _matches(token, secret)):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, detail=WRONG_KEY, headers={"WWW-Authenticate": "Bearer"}
        )


AdminAccess = Depends(require_admin)


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


class JsonTooLarge:
    """ASGI middleware: the body limit's plain-text 413 as the API's JSON error body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rewriting = False

        async def send_json(message: Message) -> None:
            nonlocal rewriting
            if message["type"] == "http.response.start" and message["status"] == 413:
                headers = dict(message.get("headers") or [])
                rewriting = not headers.get(b"content-type", b"").startswith(b"application/json")
                if rewriting:
                    body = json.dumps({"detail": TOO_LARGE_DETAIL}).encode()
                    await send({"type": "http.response.start", "status": 413, "headers": [
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
ADMIN = {
    401: error("The administrator key is missing, malformed or wrong"),
    403: error("No administrator key is configured (writes disabled), or cross-site request"),
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
