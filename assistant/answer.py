"""Answer: from numbered passages to a short answer whose every sentence cites [n].

- ``ExtractiveAnswerer`` (default, no LLM): picks the passage sentences that answer the
  question (e5 similarity to the question + term overlap), keeps a list that a chosen sentence
  introduces, and returns them verbatim with their [n] markers.
- ``GenerativeAnswerer``: any llama-index LLM (OpenAI-compatible server or Ollama) with a
  Swedish system prompt that demands [n] markers and answers in the question's language.
Refusal is decided in code by the service; this module only proposes an answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
from llama_index.core.base.llms.types import ChatMessage, MessageRole
from llama_index.core.llms import LLM

from assistant.citations import Span, lexical_overlap, semantic_score, split_sentences
from assistant.retrieval import Hit
from ingest.loaders import numbered_heading_level
from ingest.settings import Settings

REFUSAL_SV = "Jag hittar inget stöd för det i de dokument jag har tillgång till."
REFUSAL_EN = "I cannot find support for that in the documents I have access to."
_EN_WORDS = re.compile(
    r"\b(the|what|how|when|who|which|must|should|can|does|do|is|are|may|our|we|about|long)\b",
    re.I,
)
_SV_HINT = re.compile(r"[åäöÅÄÖ]|\b(och|att|jag|vi|får|ska|hur|vad|när|vem|måste|inte)\b", re.I)
_LIST_ITEM = re.compile(r"^(?:[-•–*]|\d{1,2}[.)])\s")
# Sentence selection weights, chosen by a grid search on the golden set (eval/golden): the
# sentence's e5 similarity to the question, plus a little term overlap, minus a penalty per
# retrieval rank of its passage (the fused ranking is the stronger signal of the right section).
W_LEXICAL = 0.1
W_RANK = 0.1


def is_english(text: str) -> bool:
    """A rough language guess: English words and no Swedish letters or function words."""
    return len(_EN_WORDS.findall(text)) >= 2 and not _SV_HINT.search(text)


def refusal_text(question: str) -> str:
    return REFUSAL_EN if is_english(question) else REFUSAL_SV


@dataclass
class Passage:
    """A retrieved chunk as numbered for the answer: [n]."""

    n: int
    hit: Hit
    rank: int = 0  # rank of the retrieval hit it belongs to (neighbours share it)

    def label(self) -> str:
        p = self.hit.payload
        where = p.get("section_path") or "inledning"
        page = f", s. {p['page_start']}" if p.get("page_start") else ""
        return f"{p.get('title', '')} – {where}{page}"


@dataclass
class Claim:
    text: str  # without markers
    citations: list[int]


class ExtractiveAnswerer:
    """Selects verbatim sentences from the passages; no generative model involved."""

    def __init__(self, embed: Callable[[list[str]], np.ndarray], settings: Settings) -> None:
        self.embed = embed
        self.max_sentences = settings.extractive_max_sentences
        self.floor = settings.sentence_floor

    @staticmethod
    def _candidates(passages: list[Passage]) -> list[tuple[Passage, int, Span]]:
        out = []
        for p in passages:
            last_heading = (p.hit.section_path.split(" > ") or [""])[-1]
            for i, span in enumerate(split_sentences(p.hit.text)):
                is_heading = span.text == last_heading or (
                    numbered_heading_level(span.text) is not None and span.text[-1] not in ".:!?"
                )
                if not is_heading:
                    out.append((p, i, span))
        return out

    def answer(
        self, question: str, query_vector: list[float], passages: list[Passage]
    ) -> list[Claim] | None:
        """Claims in reading order, or None when no sentence is close enough to the question."""
        cands = self._candidates([p for p in passages if p.rank < 3])
        if not cands:
            return None
        vectors = self.embed([s.text for _, _, s in cands])
        cosines = vectors @ np.asarray(query_vector, dtype=np.float32)
        scores = []
        for (p, _, s), c in zip(cands, cosines, strict=True):
            score = semantic_score(float(c)) + W_LEXICAL * lexical_overlap(question, s.text)
            if s.text.endswith(":"):  # a list introduction states no rule by itself
                score *= 0.8
            scores.append(score - W_RANK * p.rank)
        order = sorted(range(len(cands)), key=lambda i: -scores[i])
        best = order[0]
        if float(cosines[best]) < self.floor:
            return None
        chosen: list[int] = [best]
        for j in order[1:]:
            if len(chosen) >= self.max_sentences or scores[j] < scores[best] - 0.12:
                break
            if float(cosines[j]) >= self.floor and all(
                cands[j][2].text != cands[k][2].text for k in chosen
            ):
                chosen.append(j)
        # a chosen list item is quoted with the sentence that introduces its list
        for j in list(chosen):
            p, i, s = cands[j]
            if _LIST_ITEM.match(s.text):
                intro = next(
                    (k for k in range(j - 1, -1, -1)
                     if cands[k][0].n == p.n and not _LIST_ITEM.match(cands[k][2].text)),
                    None,
                )  # fmt: skip
                if intro is not None and cands[intro][2].text.endswith(":") and intro not in chosen:
                    chosen.append(intro)
        chosen.sort(key=lambda j: (cands[j][0].n, cands[j][1]))
        return [Claim(cands[j][2].text, [cands[j][0].n]) for j in chosen]


def render(claims: list[Claim]) -> str:
    """Claims as answer text with [n] markers; list items on their own lines."""
    parts: list[str] = []
    for c in claims:
        marked = f"{c.text} " + "".join(f"[{n}]" for n in c.citations)
        if parts and (_LIST_ITEM.match(c.text) or parts[-1].rstrip().endswith(":")):
            parts.append("\n" + marked)
        else:
            parts.append((" " if parts else "") + marked)
    return "".join(parts).strip()


SYSTEM_PROMPT = (
    "Du är en assistent för handläggare i Höglandets kommuner och svarar på frågor om "
    "kommunala styrdokument om informationssäkerhet, IT-säkerhet, AI och dataskydd (GDPR). "
    "Svara ENDAST utifrån de numrerade källorna. Avsluta varje mening med en hänvisning i "
    "hakparentes till den eller de källor som stöder meningen, till exempel [1] eller [2][3]. "
    f'Om källorna inte besvarar frågan, svara exakt: "{REFUSAL_SV}" (på engelska: '
    f'"{REFUSAL_EN}"). Hitta aldrig på regler, siffror eller hänvisningar. Svara kort, sakligt '
    "och på samma språk som frågan. Personuppgifter i frågan har ersatts med platshållare som "
    "<NAMN> eller <PERSONNUMMER>; försök aldrig återskapa dem."
)


class GenerativeAnswerer:
    """Asks an LLM for an answer with [n] markers tied to the numbered passages."""

    def __init__(self, llm: LLM) -> None:
        self.llm = llm

    @staticmethod
    def messages(question: str, passages: list[Passage]) -> list[ChatMessage]:
        sources = "\n\n".join(f"[{p.n}] {p.label()}\n{p.hit.text}" for p in passages)
        user = f"Källor:\n\n{sources}\n\nFråga: {question}"
        return [
            ChatMessage(role=MessageRole.SYSTEM, content=SYSTEM_PROMPT),
            ChatMessage(role=MessageRole.USER, content=user),
        ]

    def answer(self, question: str, passages: list[Passage]) -> str:
        return self.llm.chat(self.messages(question, passages)).message.content or ""

    def stream(self, question: str, passages: list[Passage]) -> Iterator[str]:
        for chunk in self.llm.stream_chat(self.messages(question, passages)):
            if chunk.delta:
                yield chunk.delta
