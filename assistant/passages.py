"""The numbered passages of an answer: the hits in rank order, the top ones with their
neighbouring chunks in the same section (context expansion)."""

from __future__ import annotations

from assistant.access import Principal
from assistant.answer import Passage
from assistant.retrieval import Retrieval, Retriever

EXPANDED_HITS = 2  # the hits that bring their neighbours


def numbered_passages(
    retriever: Retriever, retrieval: Retrieval, user: Principal, neighbours: int
) -> list[Passage]:
    """Hits in rank order, numbered [1]…; the top hits bring ``neighbours`` chunks on each
    side (only chunks ``user`` may read, each passage once)."""
    seen = {h.id for h in retrieval.hits}
    top = retrieval.hits[:EXPANDED_HITS]
    expanded = retriever.neighbours(top, user, neighbours, neighbours) if neighbours else {}
    out: list[Passage] = []
    for rank, hit in enumerate(retrieval.hits):
        group = [hit]
        if hit.id in expanded:
            around = expanded[hit.id]
            group = [
                hit if g.id == hit.id else g for g in around if g.id == hit.id or g.id not in seen
            ] or [hit]
            for g in group:
                if g is not hit:  # a neighbour is as relevant as the hit that brought it
                    g.score, g.dense_score = hit.score, None
                seen.add(g.id)
        base = len(out)
        out.extend(Passage(base + i + 1, g, rank) for i, g in enumerate(group))
    return out
