"""What answering a question produces: the domain result the service returns (no API types).

The API presents an :class:`Answer` as ``AskResponse`` (``assistant/api/present.py``) and the
audit trail records it (``assistant/audit.py``). ``as_dict`` gives a part's public record — the
fields, names and rounding the API shows and the audit trail stores — so the two never differ.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from assistant.answer import Claim, Passage
from assistant.answerability import Band, Signals
from assistant.citations import Support
from assistant.pii import Redaction
from assistant.retrieval import Hit, Retrieval
from core import index

Status = Literal["current", "review_soon", "review_overdue", "expired", "unstated"]


@dataclass(frozen=True)
class Lifecycle:
    """What a document states about its own validity, and its status on a given day
    (``assistant/lifecycle.py``)."""

    adopted_by: str | None = None
    decision_ref: str | None = None
    valid_from: str | None = None
    valid_to: str | None = None
    review_by: str | None = None
    owner: str | None = None
    diary_no: str | None = None
    status: Status = "unstated"
    status_sv: str = "ej angiven"


@dataclass(frozen=True)
class Notice:
    """A warning about a cited document: expired, overdue for review, an earlier version, or
    in conflict with another (the message is Swedish, shown with the answer)."""

    document_id: str
    kind: Literal["expired", "review_overdue", "superseded", "conflict"]
    message: str


@dataclass(frozen=True)
class Statement:
    """One statement of the answer (a claim) and the passage span that supports it."""

    claim: Claim
    support: Support

    @property
    def text(self) -> str:
        return self.claim.text

    @property
    def supported(self) -> bool:
        return self.support.supported

    @property
    def quote_citation(self) -> int | None:
        """The number of the passage the quote span is in (None: no passage supports it)."""
        return self.support.passage

    @property
    def quote_span(self) -> tuple[int, int] | None:
        """Offsets of the supporting quote in that passage's text."""
        return (self.support.start, self.support.end) if self.support.passage else None

    def as_dict(self) -> dict[str, Any]:
        span = self.quote_span
        return {
            "text": self.claim.text,
            "citations": list(self.claim.citations),
            "document_label": self.claim.label,
            "supported": self.support.supported,
            "score": round(self.support.score, 3),
            "quote_citation": self.support.passage,
            "quote_start": span[0] if span else None,
            "quote_end": span[1] if span else None,
        }


@dataclass
class Source:
    """A numbered passage as the answer uses it: the chunk, its document's status on the
    search date, and the span the answer quotes (``start == end``: none). Mutable: a
    conflicting statement makes another passage cited (``assistant/conflicts.py``)."""

    passage: Passage
    lifecycle: Lifecycle
    superseded_on: str | None = None  # an earlier version: the date a newer one took over
    start: int = 0
    end: int = 0
    cited: bool = False

    @property
    def n(self) -> int:
        return self.passage.n

    @property
    def hit(self) -> Hit:
        return self.passage.hit

    @property
    def document_id(self) -> str:
        return self.passage.hit.document_id

    @property
    def title(self) -> str:
        return self.passage.hit.payload.get(index.TITLE, "")

    @property
    def version(self) -> str | None:
        return self.passage.hit.payload.get(index.VERSION)

    @property
    def adopted(self) -> str | None:
        return self.passage.hit.payload.get(index.ADOPTED)

    @property
    def text(self) -> str:
        return self.passage.hit.text

    @property
    def quote(self) -> str:
        return self.passage.hit.text[self.start : self.end]

    def as_dict(self) -> dict[str, Any]:
        hit, pl = self.passage.hit, self.passage.hit.payload
        base = pl.get(index.START_CHAR)
        return {
            "n": self.n,
            "chunk_id": hit.id,
            "document_id": hit.document_id,
            "title": self.title,
            "source": pl.get(index.SOURCE, ""),
            "origin": pl.get(index.ORIGIN) or "folder",
            "doc_type": pl.get(index.DOC_TYPE),
            "version": self.version,
            "adopted": self.adopted,
            "lifecycle": asdict(self.lifecycle),
            "municipalities": list(pl.get(index.MUNICIPALITIES) or []),
            "superseded_on": self.superseded_on,
            "section": pl.get(index.SECTION_PATH) or "",
            "page": pl.get(index.PAGE_START),
            "page_end": pl.get(index.PAGE_END),
            "quote": self.quote,
            "start": self.start,
            "end": self.end,
            "doc_start": None if base is None else base + self.start,
            "doc_end": None if base is None else base + self.end,
            "score": round(hit.score, 4),
            "dense_score": None if hit.dense_score is None else round(hit.dense_score, 4),
            "cited": self.cited,
            "text": hit.text,
        }


@dataclass(frozen=True)
class Related:
    """A law unit (GDPR article, SFS paragraf) that cited passages refer to: a cross-link."""

    ref: str  # canonical id, e.g. gdpr:art33 or sfs2018:218:3kap5§
    cited_by: list[int]  # the numbers of the passages citing it
    hit: Hit  # the unit's chunk

    def as_dict(self) -> dict[str, Any]:
        pl = self.hit.payload
        return {
            "ref": self.ref,
            "cited_by": list(self.cited_by),
            "chunk_id": self.hit.id,
            "document_id": self.hit.document_id,
            "title": pl.get(index.TITLE, ""),
            "source": pl.get(index.SOURCE, ""),
            "act": pl.get(index.ACT),
            "section": self.hit.section_path,
            "text": self.hit.text,
        }


@dataclass(frozen=True)
class ConflictSide:
    """One document's statement of a rule another cited document states differently."""

    n: int  # the number of the passage it is quoted from
    document_id: str
    title: str
    adopted: str | None
    text: str  # the statement, verbatim
    value: str  # the value it gives: "minst 14 tecken", "får inte"


@dataclass(frozen=True)
class Conflict:
    """Two current documents give different values for the same rule."""

    kind: Literal["quantity", "permission"]
    sides: tuple[ConflictSide, ConflictSide]
    message: str  # Swedish: "Dokumenten skiljer sig åt: …"


@dataclass
class Answer:
    """The answer to one question: its band and why, what it says and quotes, the passages it
    was made from, and the warnings that come with it. Holds redacted text only."""

    id: str
    text: str  # the answer; for uncertain and refused questions the notice shown instead
    band: Band
    mode: str  # extractive, openai or ollama
    redacted: str  # the question with personal data replaced by placeholders
    standalone: str  # the redacted question condensed with the history: what was searched
    retrieval: Retrieval
    redactions: list[Redaction] = field(default_factory=list)
    # how the question was read: (word as typed, the documents' concept) per glossary match
    interpreted: list[tuple[str, str]] = field(default_factory=list)
    score: float = 0.0  # answerability (assistant/answerability.py)
    signals: Signals | None = None  # None when nothing was retrieved
    statements: list[Statement] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)  # every passage, in number order
    related: list[Related] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # milliseconds per stage

    @property
    def refused(self) -> bool:
        """Anything but answered (uncertain questions are not answered either)."""
        return self.band != "answered"

    @property
    def passages(self) -> list[Passage]:
        return [s.passage for s in self.sources]


# What AssistantService.ask_stream yields: Started, then Token…, then Done.


@dataclass(frozen=True)
class Started:
    """The question is scrubbed and its passages found: answering starts."""

    redacted: str
    redactions: list[Redaction]
    mode: str


@dataclass(frozen=True)
class Token:
    """A piece of the answer text as it is produced."""

    text: str


@dataclass(frozen=True)
class Done:
    """The finished answer (verified, audited)."""

    answer: Answer


Event = Started | Token | Done
