"""POST /v1/feedback: correct / incorrect + comment on an answer (the comment is scrubbed).

Every signed-in role may rate (it never changes answers). With sign-in off it needs the
administrator key, unless PA_LOCAL_ROLE reviews (assistant/access.py): otherwise anyone who
reaches the port writes into the lawyers' review trail. Cross-site requests are refused.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException

from assistant.access import Principal
from assistant.api import security
from assistant.api.deps import ComponentsDep, require
from assistant.audit import UnknownAnswerError
from assistant.schemas import FeedbackOut, FeedbackRequest, Redaction

router = APIRouter(prefix="/v1", tags=["feedback"])


@router.post(
    "/feedback",
    response_model=FeedbackOut,
    summary="Feedback on an answer",
    responses={
        404: security.error("Unknown answer id (or past retention)"),
        **security.AUTH, **security.TOO_LARGE, **security.INVALID,
    },
)  # fmt: skip
def feedback(
    req: FeedbackRequest, components: ComponentsDep, _: Annotated[Principal, require("feedback")]
) -> FeedbackOut:
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
    return FeedbackOut(status="saved", redactions=[Redaction(**r) for r in redactions])
