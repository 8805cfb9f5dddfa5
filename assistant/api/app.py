"""The FastAPI application: routers, error handlers, limits, lifespan."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.trustedhost import TrustedHostMiddleware
from fastapi.responses import JSONResponse
from starlette.routing import Match

from assistant.api import ask, audit, documents, feedback, glossary, health, security
from assistant.api.ratelimit import RateLimiter
from assistant.components import Components
from assistant.llm import LLMUnavailableError
from assistant.pii import PiiScrubError
from core import index
from core.settings import Settings, get_settings
from core.store import StoreBusyError

log = logging.getLogger("assistant.api")


def create_app(settings: Settings | None = None, components: Components | None = None) -> FastAPI:
    """The app; pass ``components`` to share an already opened knowledge base (tests, eval)."""
    settings = settings or (components.settings if components else get_settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        owned = components is None
        app.state.components = components or Components.build(settings)
        for warning in security.weak_configuration(settings):
            log.warning("weak configuration: %s", warning)
        if not settings.sign_in:
            log.warning("sign-in is off (PA_OIDC_ISSUER not set): everyone who reaches the API "
                        "is '%s' over every organisation", settings.local_role)  # fmt: skip
        log.info("assistant ready: answer mode %s", app.state.components.service.mode)
        yield
        if owned:
            app.state.components.close()

    app = FastAPI(
        title="Höglandets policyassistent",
        version="0.1.0",
        description="Answers questions about municipal IT-security, information-security and AI "
        "policies and GDPR, with verifiable citations. Personal data is removed from every "
        "question before anything else sees it.",
        lifespan=lifespan,
    )
    app.state.rate_limiter = RateLimiter.from_settings(settings)  # per app, never shared
    app.state.auth = security.Authenticator(settings)
    # body limits per router (inside the middleware, so a 413 gets the JSON error body)
    for module in (health, ask, feedback, audit):
        app.include_router(module.router, max_body_size=settings.max_request_bytes)
    # uploads only: the request may carry a whole file (PA_MAX_FILE_MB) plus the form around it
    upload_limit = int(settings.max_file_mb * 1_000_000) + settings.max_request_bytes
    app.include_router(documents.router, max_body_size=upload_limit)
    app.include_router(glossary.router, max_body_size=glossary.MAX_BODY)
    # outermost last: JSON errors ← Host check ← cross-site guard ← routes
    app.add_middleware(security.CrossSiteGuard, allowed_origins=settings.allowed_origins)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings.allowed_hosts,
                       www_redirect=False)  # fmt: skip
    app.add_middleware(security.JsonErrors)
    _document_limits(app, settings)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        # never echo the input back, nor an unknown key's name: either may be personal data
        errors = [
            {
                "loc": [*e.get("loc", ())[:-1], "(okänd nyckel)"]
                if e.get("type") == "extra_forbidden"
                else list(e.get("loc", ())),
                "msg": e.get("msg", ""),
                "type": e.get("type", ""),
            }
            for e in exc.errors()
        ]
        return JSONResponse(
            {"detail": "Invalid request. / Ogiltig begäran.", "errors": errors}, status_code=422
        )

    @app.exception_handler(405)
    async def _method_not_allowed(request: Request, exc: Exception) -> JSONResponse:
        # Starlette lists the methods of the first route of the path only: list them all
        allowed = set()
        for route in request.app.router.routes:
            if route.matches(request.scope)[0] != Match.NONE:
                allowed |= set(getattr(route, "methods", None) or ())
        return JSONResponse(
            {"detail": "Method not allowed. / Metoden är inte tillåten."},
            status_code=405,
            headers={"Allow": ", ".join(sorted(allowed))},
        )

    @app.exception_handler(LLMUnavailableError)
    async def _llm(_: Request, exc: LLMUnavailableError) -> JSONResponse:
        log.warning("LLM unavailable: %s", exc.__class__.__name__)
        return JSONResponse(
            {"detail": "The language model is not responding. / Språkmodellen svarar inte."},
            status_code=503,
        )

    @app.exception_handler(PiiScrubError)
    async def _scrub_failed(_: Request, exc: PiiScrubError) -> JSONResponse:
        # fail closed: a question that could not be checked for personal data goes nowhere
        log.error("PII scrubbing failed; the question was not processed")
        return JSONResponse(
            {"detail": "The question could not be checked for personal data and was not "
             "processed. / Frågan kunde inte kontrolleras för personuppgifter och behandlades "
             "inte."},
            status_code=422,
        )  # fmt: skip

    @app.exception_handler(StoreBusyError)
    async def _busy(_: Request, exc: StoreBusyError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=503)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error: %s", exc.__class__.__name__)
        return JSONResponse(
            {"detail": "Internal error. / Ett internt fel uppstod."}, status_code=500
        )

    return app


def _document_limits(app: FastAPI, settings: Settings) -> None:
    """OpenAPI states the configured limits the handlers enforce (question length, the
    organisations and classifications a document can have) and, with sign-in off, that
    credentials are optional (a request without them is the local user)."""
    plain = app.openapi

    def choices(prop: dict, values: list[str]) -> None:
        for branch in prop.get("anyOf", [prop]):
            target = branch.get("items", branch) if branch.get("type") == "array" else branch
            if target.get("type") == "string":
                target.pop("minLength", None), target.pop("maxLength", None)
                target["enum"] = values

    def openapi() -> dict:
        if app.openapi_schema is None:
            schema = plain()
            models = schema["components"]["schemas"]
            models["AskRequest"]["properties"]["question"]["maxLength"] = (
                settings.max_question_chars
            )
            scopes = [*settings.organisations, index.SHARED]
            for name in ("MetadataCorrection", "Body_upload_v1_documents_post"):
                choices(models[name]["properties"]["scope"], scopes)
                choices(models[name]["properties"]["classification"], settings.classifications)
            form = models["Body_upload_v1_documents_post"]["properties"]
            for key in ("scope", "classification"):  # a form field is absent, never null
                prop = form[key]
                kept = [b for b in prop.pop("anyOf", []) if b.get("type") != "null"]
                prop.update(kept[0] if kept else {})
            if not settings.sign_in:
                for item in schema["paths"].values():
                    for operation in item.values():
                        if operation.get("security"):
                            operation["security"] = [{}, *operation["security"]]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
