"""The FastAPI application: routers, error handlers, limits, lifespan."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from assistant.api import ask, documents, feedback, health
from assistant.components import Components
from assistant.llm import LLMUnavailableError
from assistant.pii import PiiScrubError
from ingest.settings import Settings, get_settings
from ingest.store import StoreBusyError

log = logging.getLogger("assistant.api")


def create_app(settings: Settings | None = None, components: Components | None = None) -> FastAPI:
    """The app; pass ``components`` to share an already opened knowledge base (tests, eval)."""
    settings = settings or (components.settings if components else get_settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        owned = components is None
        app.state.components = components or Components.build(settings)
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
        max_body_size=settings.max_request_bytes,
    )
    for module in (health, ask, documents, feedback):
        app.include_router(module.router)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        # never echo the input back: it may contain personal data
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        return JSONResponse(
            {"detail": "Invalid request. / Ogiltig begäran.", "errors": errors}, status_code=422
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
