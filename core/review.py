"""Review state in the index: what keeps untrusted chunks out of answers.

Every chunk records its review state (``review``: ``pending`` = held as "ej granskad", not used
in answers; ``approved`` = released by an administrator) and the flags ``ingest/trust.py`` set
at ingest (``citation_markers``, ``instructions``). Retrieval adds
:func:`answer_filter_conditions` to every query; the documents API lists and approves.
"""

from __future__ import annotations

from qdrant_client import models as qm

from core import index
from core.store import KnowledgeBase, doc_filter

PENDING = "pending"  # "ej granskad": not used in answers until approved
APPROVED = "approved"
MARKERS = "citation_markers"
INSTRUCTIONS = "instructions"


def review_for(origin: str, require_approval: bool) -> str | None:
    """The review state a newly ingested chunk gets: uploads wait for approval by setting."""
    return PENDING if origin == "upload" and require_approval else None


def answer_filter_conditions() -> list[qm.Condition]:
    """``must_not`` conditions that keep untrusted chunks out of answers: chunks of documents
    waiting for review, and chunks flagged as instructions unless the document was approved."""
    return [
        qm.FieldCondition(key=index.REVIEW, match=qm.MatchValue(value=PENDING)),
        qm.Filter(
            must=[qm.FieldCondition(key=index.FLAGS, match=qm.MatchValue(value=INSTRUCTIONS))],
            must_not=[qm.FieldCondition(key=index.REVIEW, match=qm.MatchValue(value=APPROVED))],
        ),
    ]


def document_trust(
    kb: KnowledgeBase, document_ids: list[str] | None = None
) -> dict[str, tuple[str | None, list[str]]]:
    """Per document id (all, or those in ``document_ids``): (review state, sorted flags)."""
    if document_ids is not None and not document_ids:
        return {}
    flt = None
    if document_ids:
        flt = qm.Filter(
            must=[qm.FieldCondition(key=index.DOC_ID, match=qm.MatchAny(any=document_ids))]
        )
    out: dict[str, tuple[str | None, set[str]]] = {}
    for point in kb.scroll(flt, fields=[index.DOC_ID, index.REVIEW, index.FLAGS]):
        payload = point.payload or {}
        review, flags = out.setdefault(payload.get(index.DOC_ID, ""), (None, set()))
        flags.update(payload.get(index.FLAGS) or [])
        review = payload.get(index.REVIEW) if review is None else review
        if payload.get(index.REVIEW) == PENDING:  # any pending chunk holds the document
            review = PENDING
        out[payload.get(index.DOC_ID, "")] = (review, flags)
    return {doc_id: (review, sorted(flags)) for doc_id, (review, flags) in out.items()}


def approve(kb: KnowledgeBase, document_id: str) -> None:
    """Release a document for answers (all its chunks)."""
    with kb.lock:
        kb.client.set_payload(
            kb.collection, payload={index.REVIEW: APPROVED}, points=doc_filter(document_id)
        )
