"""Document trust: neutralise text in documents that could pass for citations or instructions.

Every chunk records where it came from (``origin``: ``folder`` = ingested by an administrator,
``upload`` = through the API) and its review state (``review``: ``pending`` = held as
"ej granskad", not used in answers; ``approved`` = released by an administrator). At ingest:

- text that looks like a citation marker ("[1]", "[2, 3]") is rewritten to "(1)", "(2, 3)"
  (same length, so every character offset stays valid) and the chunk is flagged
  ``citation_markers``;
- text that looks like an instruction to an assistant ("Ignorera alla tidigare instruktioner",
  "ignore previous instructions", "du är nu …") flags the chunk ``instructions``; such chunks
  are not used in answers until an administrator approves the document (the retrieval filter
  built by ``core.review.answer_filter_conditions``).

The flags are logged as a warning at ingest and listed by ``GET /v1/documents``; the review
state and the rule that keeps untrusted chunks out of answers are in ``core/review.py``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from core.review import INSTRUCTIONS, MARKERS

log = logging.getLogger("ingest.trust")

# "[1]", "[12]", "[1, 2]", "[1–3]", "[ 4 ]": what our answers use to cite passages
_MARKER = re.compile(r"\[(\s*\d{1,3}(?:\s*[,;–-]\s*\d{1,3})*\s*)\]")
_INSTRUCTION = re.compile(
    r"\b(?:"
    r"(?:ignorera|strunta\s+i|bortse\s+från|glöm)\s+(?:alla\s+|dina\s+)?"
    r"(?:tidigare|föregående|ovanstående|ovan\s+givna|dina)\s+"
    r"(?:instruktioner|instruktionerna|anvisningar|anvisningarna|regler|reglerna|order)"
    r"|(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+|the\s+|your\s+)?"
    r"(?:previous|prior|above|earlier|preceding|your)\s+(?:instructions|rules|prompts?|directions)"
    r"|du\s+är\s+(?:nu|från\s+och\s+med\s+nu)\s+(?:en|ett|min|inte|DAN|fri)\b"
    r"|you\s+are\s+now\s+(?:a|an|my|no\s+longer|DAN|free)\b"
    r"|(?:ny|nya)\s+(?:system)?instruktion(?:er)?\s*:"
    r"|new\s+(?:system\s+)?instructions?\s*:"
    r"|system\s*prompt|systemprompt(?:en)?"
    r"|(?:till|för)\s+(?:ai-?assistenten|språkmodellen|chattboten)\s*:"
    r"|as\s+an\s+ai\s+(?:assistant|language\s+model)\s*,?\s+you\s+(?:must|should|will)"
    r")",
    re.IGNORECASE,
)


def neutralise_markers(text: str) -> tuple[str, int]:
    """``text`` with "[n]"-style markers as "(n)" (same length) and how many were rewritten."""
    return _MARKER.subn(lambda m: f"({m.group(1)})", text)


def instruction_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` reads like an instruction to an assistant (start, end)."""
    return [m.span() for m in _INSTRUCTION.finditer(text)]


def neutralise(text: str) -> tuple[str, list[str]]:
    """The text used for answers and its flags (``citation_markers``, ``instructions``)."""
    flags = []
    text, markers = neutralise_markers(text)
    if markers:
        flags.append(MARKERS)
    if instruction_spans(text):
        flags.append(INSTRUCTIONS)
    return text, flags


def neutralise_chunks(chunks: Iterable, relative: str) -> list[list[str]]:
    """Neutralise each chunk's ``text`` and ``heading`` in place; the flags per chunk."""
    out: list[list[str]] = []
    for chunk in chunks:
        chunk.text, flags = neutralise(chunk.text)
        chunk.heading, _ = neutralise_markers(chunk.heading)
        out.append(flags)
    flagged = sorted({f for flags in out for f in flags})
    if flagged:
        log.warning(
            "%s: %s — check the document (%d of %d chunks flagged)",
            relative, ", ".join(flagged), sum(bool(f) for f in out), len(out),
        )  # fmt: skip
    return out
