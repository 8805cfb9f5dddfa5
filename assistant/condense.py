"""Follow-up questions: conversation history condensed into one standalone question.

The history has already been scrubbed like any query. With an LLM the condensing is asked of
the model; without one (extractive mode) an elliptic follow-up ("Och för tjänstekonton då?")
is joined to the previous user question, which is what the retriever needs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from llama_index.core.base.llms.types import ChatMessage, MessageRole
from llama_index.core.llms import LLM

from assistant.question import Turn

_ELLIPTIC = re.compile(
    r"^\s*(och|men|samt|eller|även|också|dessutom|vad gäller|hur är det med|gäller det|"
    r"då|sen|and|but|what about|how about|also)\b",
    re.IGNORECASE,
)
_PRONOUN = re.compile(r"\b(det|den|dem|detta|dessa|där|då|it|they|that|those|this)\b", re.I)

PROMPT = (
    "Skriv om den sista frågan till en fristående fråga som går att förstå utan samtalet. "
    "Behåll språket och platshållare som <NAMN> oförändrade. Svara bara med frågan.\n\n"
    "Samtal:\n{history}\n\nSista frågan: {question}\n\nFristående fråga:"
)


def needs_context(question: str) -> bool:
    words = question.split()
    return bool(_ELLIPTIC.match(question)) or (len(words) <= 6 and bool(_PRONOUN.search(question)))


def condense(question: str, history: Sequence[Turn], llm: LLM | None = None) -> str:
    """A standalone version of ``question`` given the (scrubbed) ``history``."""
    users = [t.content for t in history if t.role == "user"]
    if not history or not users:
        return question
    if llm is not None:
        lines = "\n".join(f"{t.role}: {t.content}" for t in history[-6:])
        msg = ChatMessage(
            role=MessageRole.USER, content=PROMPT.format(history=lines, question=question)
        )
        text = (llm.chat([msg]).message.content or "").strip()
        return text.splitlines()[0].strip() if text else question
    if needs_context(question):
        return f"{users[-1]} {question}"
    return question
