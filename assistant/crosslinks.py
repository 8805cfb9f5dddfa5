"""Cross-links: the law units (GDPR articles, SFS paragrafer) that cited policy passages
refer to, found by the references stored with each chunk (``refs`` → a law chunk's
``unit_refs``)."""

from __future__ import annotations

from assistant.access import Principal
from assistant.result import Related, Source
from assistant.retrieval import Retriever
from core import index

LIMIT = 5  # law units linked per answer


def related(retriever: Retriever, sources: list[Source], user: Principal) -> list[Related]:
    """The law units the cited non-law passages refer to (the retrieved passages when nothing
    was cited), except those already among the passages; only units ``user`` may read."""
    cited = {c.n for c in sources if c.cited} or {c.n for c in sources}
    by_ref: dict[str, list[int]] = {}
    for c in sources:
        if c.n not in cited or c.hit.payload.get(index.ACT):
            continue
        for ref in c.hit.payload.get(index.REFS) or []:
            by_ref.setdefault(ref, []).append(c.n)
    if not by_ref:
        return []
    shown = {c.hit.id for c in sources}
    out = []
    for hit in retriever.by_refs(list(by_ref), user, limit=LIMIT):
        if hit.id in shown:
            continue
        own = hit.payload.get(index.UNIT_REFS) or []
        ref = next((r for r in reversed(own) if r in by_ref), own[0] if own else "")
        cited_by = sorted({n for r in own if r in by_ref for n in by_ref[r]})
        out.append(Related(ref, cited_by, hit))
    return out
