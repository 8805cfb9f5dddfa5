"""Verify: every answer sentence is checked against the passages it cites.

Support is a mix of lexical overlap (share of the sentence's BM25 terms found in a passage
sentence) and embedding similarity (e5 cosine, rescaled), weighted by setting. The
best-matching passage sentence is returned as the quote span, with character offsets into the
stored chunk text, so a lawyer can check it in one click. Sentences below the threshold are
flagged ``supported=False`` — never shown as verified.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from core.sparse import terms
from core.text.segment import split_sentences

MARKER = re.compile(r"\s*\[(\d{1,2})\]")
# e5 cosines of unrelated Swedish text sit around 0.75-0.8; identical text is 1.0.
_COS_LOW, _COS_HIGH = 0.78, 0.95


@dataclass
class Support:
    supported: bool
    score: float
    lexical: float
    semantic: float
    passage: int | None  # 1-based number of the best passage
    start: int  # quote span in that passage's text
    end: int


def cited_numbers(sentence: str) -> tuple[str, list[int]]:
    """The sentence without its [n] markers, and the marker numbers."""
    numbers = [int(n) for n in MARKER.findall(sentence)]
    return MARKER.sub("", sentence).strip(), list(dict.fromkeys(numbers))


def lexical_overlap(claim: str, source: str) -> float:
    """Share of the claim's terms (stemmed, no stop words) that occur in ``source``."""
    claim_terms = set(terms(claim))
    if not claim_terms:
        return 0.0
    return len(claim_terms & set(terms(source))) / len(claim_terms)


def semantic_score(cosine: float) -> float:
    """e5 cosine rescaled to 0..1 (unrelated ≈ 0, same statement ≈ 1)."""
    return float(np.clip((cosine - _COS_LOW) / (_COS_HIGH - _COS_LOW), 0.0, 1.0))


class Verifier:
    """Checks claims against numbered passages."""

    def __init__(
        self,
        embed: Callable[[list[str]], np.ndarray],
        threshold: float = 0.55,
        lexical_weight: float = 0.5,
    ) -> None:
        self.embed = embed
        self.threshold = threshold
        self.w = lexical_weight

    def verify(
        self, claims: Sequence[str], cited: Sequence[Sequence[int]], passages: Sequence[str]
    ) -> list[Support]:
        """One ``Support`` per claim; uncited claims are checked against every passage."""
        if not claims:
            return []
        wanted = set(range(1, len(passages) + 1))
        if all(cited):  # only the cited passages need their sentences embedded
            wanted = {n for numbers in cited for n in numbers}
        candidates = [
            (n, s)
            for n, text in enumerate(passages, 1)
            if n in wanted
            for s in split_sentences(text)
        ]
        if not candidates:
            return [Support(False, 0.0, 0.0, 0.0, None, 0, 0) for _ in claims]
        vectors = self.embed([*claims, *(s.text for _, s in candidates)])
        claim_vecs, cand_vecs = vectors[: len(claims)], vectors[len(claims) :]
        cosines = claim_vecs @ cand_vecs.T
        out = []
        for i, claim in enumerate(claims):
            allowed = set(cited[i]) if cited[i] else set(range(1, len(passages) + 1))
            best: Support | None = None
            for j, (n, span) in enumerate(candidates):
                if n not in allowed:
                    continue
                lex = lexical_overlap(claim, span.text)
                sem = semantic_score(float(cosines[i, j]))
                score = round(self.w * lex + (1 - self.w) * sem, 3)  # as reported
                if best is None or score > best.score:
                    best = Support(
                        score >= self.threshold, score, lex, sem, n, span.start, span.end
                    )
            out.append(best or Support(False, 0.0, 0.0, 0.0, None, 0, 0))
        return out
