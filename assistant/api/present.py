"""The API's view of answering: a request as the service's question, the service's domain
result as ``AskResponse`` and its stream events as SSE payloads.

The router, the CLI (``python -m assistant ask --json``) and the evaluation suite all answer
through :func:`ask` (or :func:`stream`), so they show and measure exactly the same thing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict

from assistant.access import Principal
from assistant.question import Question, Turn
from assistant.result import Answer, Done, Event, Started, Token
from assistant.retrieval import Filters
from assistant.schemas import (
    AskRequest,
    AskResponse,
    Citation,
    Conflict,
    Interpretation,
    Notice,
    Redaction,
    RelatedSource,
    SentenceOut,
)
from assistant.service import AssistantService


def question(req: AskRequest) -> Question:
    """The request as the service's question."""
    return Question(
        text=req.question,
        history=tuple(Turn(t.role, t.content) for t in req.history),
        filters=Filters(**req.filters.model_dump()) if req.filters else None,
        top_k=req.top_k,
    )


def response(answer: Answer) -> AskResponse:
    """The answer as the API returns it."""
    r = answer.retrieval
    return AskResponse(
        id=answer.id,
        answer=answer.text,
        band=answer.band,
        refused=answer.refused,
        mode=answer.mode,
        sentences=[SentenceOut(**s.as_dict()) for s in answer.statements],
        citations=[Citation(**c.as_dict()) for c in answer.sources],
        redacted_query=answer.redacted,
        standalone_query=answer.standalone,
        interpreted_as=[Interpretation(word=w, concept=c) for w, c in answer.interpreted],
        redactions=[Redaction(type=x.type, count=x.count) for x in answer.redactions],
        timings_ms=answer.timings,
        retrieval={"mode": r.mode, "best_dense": round(r.best_dense, 4)},
        answerability={"score": round(answer.score, 4)}
        | (answer.signals.as_dict() if answer.signals else {}),
        related=[RelatedSource(**x.as_dict()) for x in answer.related],
        notices=[Notice(**asdict(n)) for n in answer.notices],
        conflicts=[Conflict(**asdict(c)) for c in answer.conflicts],
    )


def event(e: Event) -> tuple[str, object]:
    """A stream event as an SSE event name and its JSON payload."""
    match e:
        case Started():
            redactions = [Redaction(type=x.type, count=x.count).model_dump() for x in e.redactions]
            return "meta", {"redacted_query": e.redacted, "redactions": redactions, "mode": e.mode}
        case Token():
            return "token", e.text
        case Done():
            return "done", response(e.answer).model_dump()
    raise TypeError(f"not a stream event: {e!r}")


def ask(service: AssistantService, req: AskRequest, user: Principal) -> AskResponse:
    """``POST /v1/ask``: the answer to ``req`` from the documents ``user`` may read."""
    return response(service.ask(question(req), user))


def stream(
    service: AssistantService, req: AskRequest, user: Principal
) -> Iterator[tuple[str, object]]:
    """``POST /v1/ask/stream``: the same answer as SSE events (meta, token…, done)."""
    for e in service.ask_stream(question(req), user):
        yield event(e)
