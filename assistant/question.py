"""What is asked: a question, the conversation before it, and where to look (domain types)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from assistant.retrieval import Filters


@dataclass(frozen=True)
class Turn:
    """One earlier message of the conversation (scrubbed like the question before use)."""

    role: Literal["user", "assistant"]
    content: str


@dataclass(frozen=True)
class Question:
    """A question as the service takes it: raw text (the service scrubs it first), the
    conversation before it, metadata filters and the number of passages (None: the
    configured ``top_k``)."""

    text: str
    history: tuple[Turn, ...] = ()
    filters: Filters | None = None
    top_k: int | None = None
