"""Reading an LLM's answer: a refusal, or sentences with the [n] passages each cites."""

from __future__ import annotations

from assistant.answer import REFUSAL_EN, REFUSAL_SV, Claim
from assistant.citations import cited_numbers
from core.text.segment import split_sentences


def parse_generated(text: str, n_passages: int) -> list[Claim] | None:
    """The claims of a generated answer (markers outside 1..``n_passages`` dropped); None when
    the model refused or said nothing."""
    if REFUSAL_SV.rstrip(".") in text or REFUSAL_EN.rstrip(".") in text or not text.strip():
        return None
    claims = []
    for span in split_sentences(text):
        clean, numbers = cited_numbers(span.text)
        if clean:
            claims.append(Claim(clean, [n for n in numbers if 1 <= n <= n_passages]))
    return claims or None
