"""POST /v1/feedback: correct / incorrect + comment on an answer (the comment is scrubbed)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from assistant.api.deps import ComponentsDep, WriteAccess
from assistant.audit import UnknownAnswerError
from assistant.schemas import FeedbackRequest

router = APIRouter(prefix="/v1", tags=["feedback"])


@router.post("/feedback", dependencies=[WriteAccess], summary="Feedback on an answer")
def feedback(req: FeedbackRequest, components: ComponentsDep) -> dict:
    scrubbed = components.scrubber.scrub(req.comment) if req.comment else None
    comment = scrubbed.text if scrubbed else ""
    redactions = (
        [{"type": r.type, "count": r.count} for r in scrubbed.redactions] if scrubbed else []
    )
    try:
        components.audit.record_feedback(req.answer_id, req.rating, comment, redactions)
    except UnknownAnswerError:
        raise HTTPException(
            404, detail="Unknown answer id (or past retention). / Svaret finns inte."
        ) from None
    return {"status": "saved", "redactions": redactions}
