"""POST /v1/ask and POST /v1/ask/stream (Server-Sent Events): the service's answer, presented
by ``assistant/api/present.py``."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from fastapi.sse import EventSourceResponse, ServerSentEvent

from assistant.access import Principal
from assistant.api import present, security
from assistant.api.deps import ComponentsDep, require
from assistant.api.ratelimit import AskRateLimit
from assistant.llm import LLMUnavailableError
from assistant.schemas import AskRequest, AskResponse

router = APIRouter(prefix="/v1", tags=["ask"])
log = logging.getLogger("assistant.api")


def checked(req: AskRequest, components: ComponentsDep) -> AskRequest:
    """The request, validated against the configured limits before any response starts."""
    limit = components.settings.max_question_chars
    if len(req.question) > limit:
        raise HTTPException(
            422, detail=f"The question is too long (max {limit} characters). / Frågan är för lång."
        )
    return req


CheckedRequest = Annotated[AskRequest, Depends(checked)]
Asker = Annotated[Principal, require("ask")]
_ERRORS = {
    **security.AUTH, **security.TOO_LARGE, **security.INVALID, **security.RATE_LIMITED,
    503: security.error("The language model, the identity provider or the knowledge base is "
                        "not responding"),
}  # fmt: skip


@router.post(
    "/ask",
    response_model=AskResponse,
    summary="Ask a question; get a cited answer",
    responses=_ERRORS,
    dependencies=[AskRateLimit],
)
def ask(req: CheckedRequest, components: ComponentsDep, user: Asker) -> AskResponse:
    return present.ask(components.service, req, user)


@router.post(
    "/ask/stream",
    response_class=EventSourceResponse,
    summary="Ask a question; the answer streams as SSE (meta, token…, done)",
    responses=security.as_json(_ERRORS),
    dependencies=[AskRateLimit],
)
def ask_stream(
    req: CheckedRequest, components: ComponentsDep, user: Asker
) -> Iterator[ServerSentEvent]:
    try:
        for name, payload in present.stream(components.service, req, user):
            yield ServerSentEvent(event=name, data=payload)
    except LLMUnavailableError:
        yield ServerSentEvent(
            event="error",
            data={"detail": "Språkmodellen svarar inte. / The language model is not responding."},
        )
    except Exception as exc:  # noqa: BLE001 - the response has started: report, never a trace
        log.error("stream failed: %s", exc.__class__.__name__)
        yield ServerSentEvent(
            event="error", data={"detail": "Ett internt fel uppstod. / Internal error."}
        )
