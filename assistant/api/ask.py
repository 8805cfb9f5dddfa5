"""POST /v1/ask and POST /v1/ask/stream (Server-Sent Events)."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import APIRouter, HTTPException
from fastapi.sse import EventSourceResponse, ServerSentEvent

from assistant.api.deps import ComponentsDep
from assistant.llm import LLMUnavailableError
from assistant.schemas import AskRequest, AskResponse

router = APIRouter(prefix="/v1", tags=["ask"])


def _check(req: AskRequest, components: ComponentsDep) -> None:
    limit = components.settings.max_question_chars
    if len(req.question) > limit:
        raise HTTPException(
            422, detail=f"The question is too long (max {limit} characters). / Frågan är för lång."
        )


@router.post("/ask", response_model=AskResponse, summary="Ask a question; get a cited answer")
def ask(req: AskRequest, components: ComponentsDep) -> AskResponse:
    _check(req, components)
    return components.service.ask(req)


@router.post(
    "/ask/stream",
    response_class=EventSourceResponse,
    summary="Ask a question; the answer streams as SSE (meta, token…, done)",
)
def ask_stream(req: AskRequest, components: ComponentsDep) -> Iterator[ServerSentEvent]:
    _check(req, components)
    events = components.service.ask_stream(req)
    try:
        for name, data in events:
            payload = data.model_dump() if hasattr(data, "model_dump") else data
            yield ServerSentEvent(event=name, data=payload)
    except LLMUnavailableError:
        yield ServerSentEvent(
            event="error",
            data={"detail": "Språkmodellen svarar inte. / The language model is not responding."},
        )
