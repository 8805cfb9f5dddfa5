"""The passages of an answer as sources: what each quotes, whether it is cited, and its
document's status on the search date (current, expired, an earlier version)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from assistant.answer import Passage
from assistant.lifecycle import lifecycle_of
from assistant.result import Source, Statement
from assistant.retrieval import Hit
from core import index
from core.store import KnowledgeBase


def superseded_on(kb: KnowledgeBase, hit: Hit) -> str | None:
    """When a newer version replaced the hit's version (None: it is current)."""
    generation = hit.payload.get(index.GENERATION)
    versions = kb.versions(hit.document_id)
    if not versions or versions[-1].generation == generation:
        return None
    return next((v.applies_until for v in versions if v.generation == generation), None)


def sources_of(
    passages: list[Passage],
    statements: list[Statement],
    day: date,
    replaced: Callable[[Hit], str | None],
) -> list[Source]:
    """One source per passage: its quote spans the statements quoting it (none: empty), it
    is cited when quoted or named by a statement; ``replaced``: :func:`superseded_on`."""
    out = []
    for p in passages:
        spans = [s.quote_span for s in statements
                 if s.quote_citation == p.n and s.quote_span is not None]  # fmt: skip
        start, end = (min(a for a, _ in spans), max(b for _, b in spans)) if spans else (0, 0)
        cited = bool(spans) or any(p.n in s.claim.citations for s in statements)
        life = lifecycle_of(p.hit.payload, day)
        out.append(Source(p, life, replaced(p.hit), start, end, cited))
    return out
