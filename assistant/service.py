"""The ask path, end to end: scrub → condense → retrieve → answer → verify → audit.

This is the only implementation of the path: the API, the CLI and the evaluation suite all
call ``AssistantService`` (and present its :class:`~assistant.result.Answer` with
``assistant/api/present.py``). Personal data is removed from the question and the history
first; everything after that step sees only the redacted text. One generator, ``_run``,
drives both :meth:`AssistantService.ask` and :meth:`AssistantService.ask_stream`.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial

from llama_index.core.llms import LLM

from assistant.access import Principal
from assistant.answer import (
    Claim,
    ExtractiveAnswerer,
    GenerativeAnswerer,
    Passage,
    refusal_text,
    render,
    uncertain_text,
)
from assistant.answerability import DEFAULT_MODEL, Band, Model, Signals, decide
from assistant.audit import AuditLog
from assistant.citations import Support, Verifier
from assistant.condense import condense
from assistant.conflicts import between_documents
from assistant.crosslinks import related
from assistant.definitions import DocumentDefinitions
from assistant.embedding_cache import EmbeddingCache
from assistant.generated import parse_generated
from assistant.lifecycle import notices
from assistant.llm import LLMUnavailableError
from assistant.passages import numbered_passages
from assistant.pii import PiiScrubber, Redaction
from assistant.question import Question, Turn
from assistant.result import Answer, Done, Event, Notice, Started, Statement, Token
from assistant.retrieval import Reading, Retrieval, Retriever
from assistant.signals import signals_of
from assistant.sources import sources_of, superseded_on
from core import concepts
from core.settings import Settings
from core.store import KnowledgeBase


@dataclass
class Prepared:
    """Everything known before answering: only redacted text from here on."""

    redacted: str
    standalone: str
    reading: Reading  # how the standalone question was searched (glossary concepts)
    redactions: list[Redaction]
    vector: list[float]
    retrieval: Retrieval
    passages: list[Passage]
    user: Principal  # who asked: what they may read, recorded in the audit
    timings: dict[str, float] = field(default_factory=dict)
    started: float = 0.0
    as_of: date | None = None  # the search was for the versions in force that day


@dataclass(frozen=True)
class Decision:
    """The band of a question, its answerability score and signals, and the extracted claims."""

    band: Band
    score: float
    signals: Signals | None
    claims: list[Claim] | None


@contextmanager
def _timed(timings: dict[str, float], name: str):
    t0 = time.perf_counter()
    yield
    timings[name] = round((time.perf_counter() - t0) * 1000, 1)


def _ms_since(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 1)


class AssistantService:
    """Answers questions from the knowledge base (one instance serves every request)."""

    def __init__(
        self,
        settings: Settings,
        kb: KnowledgeBase,
        scrubber: PiiScrubber,
        llm: LLM | None = None,
        audit: AuditLog | None = None,
    ) -> None:
        self.s = settings
        self.kb = kb
        self.scrubber = scrubber
        self.llm = llm
        self.audit = audit
        self.definitions = DocumentDefinitions(kb)
        self.retriever = Retriever(kb, settings, concepts.load(settings.data_dir),
                                   self.definitions.entries)  # fmt: skip
        self.vectors = EmbeddingCache(kb)
        self.verifier = Verifier(
            self.vectors.embed, settings.verify_threshold, settings.verify_lexical_weight
        )
        self.extractive = ExtractiveAnswerer(self.vectors.sentence_vectors, settings)
        self.answerability: Model = DEFAULT_MODEL
        self.generative = GenerativeAnswerer(llm) if llm is not None else None
        self.mode = settings.answer_mode if llm is not None else "extractive"

    def ask(self, question: Question, user: Principal) -> Answer:
        """The answer to ``question`` from the documents ``user`` may read."""
        for event in self._run(question, user, stream=False):
            if isinstance(event, Done):
                return event.answer
        raise AssertionError("the ask path ended without an answer")  # pragma: no cover

    def ask_stream(self, question: Question, user: Principal) -> Iterator[Event]:
        """The same answer as :meth:`ask`, as it is made: ``Started``, ``Token``…, ``Done``."""
        return self._run(question, user, stream=True)

    def _run(self, question: Question, user: Principal, stream: bool) -> Iterator[Event]:
        """The ask path. ``stream``: the LLM streams its answer (else one call for all)."""
        prep = self._prepare(question, user)
        yield Started(prep.redacted, prep.redactions, self.mode)
        t0 = time.perf_counter()
        decision = self._decide(prep)
        claims = decision.claims
        if decision.band == "answered" and self.generative is not None:
            parts: list[str] = []
            for delta in self._generate(prep, stream):
                parts.append(delta)
                yield Token(delta)
            claims = parse_generated("".join(parts), len(prep.passages))
        elif decision.band == "answered" and claims:
            for word in render(claims).split(" "):
                yield Token(word + " ")
        prep.timings["answer"] = _ms_since(t0)
        yield Done(self._verify_and_finish(prep, decision, claims))

    # --- before answering --------------------------------------------------------------

    def _prepare(self, question: Question, user: Principal) -> Prepared:
        timings: dict[str, float] = {}
        started = time.perf_counter()
        with _timed(timings, "scrub"):
            scrubbed = self.scrubber.scrub(question.text)
            history = [Turn(t.role, self.scrubber.scrub(t.content).text)
                       for t in question.history]  # fmt: skip
        with _timed(timings, "condense"):
            try:
                standalone = condense(scrubbed.text, history, self.llm)
            except Exception as exc:
                raise LLMUnavailableError(str(exc)) from exc
        with _timed(timings, "embed"):
            reading = self.retriever.read(standalone)
            vector = self.retriever.embed_query(reading)
        filters = question.filters
        with _timed(timings, "search"):
            retrieval = self.retriever.search(
                standalone,
                top_k=question.top_k,
                filters=filters,
                vector=vector,
                user=user,
                reading=reading,
            )
        with _timed(timings, "expand"):
            passages = numbered_passages(self.retriever, retrieval, user, self.s.neighbour_chunks)
        return Prepared(scrubbed.text, standalone, reading, scrubbed.redactions, vector, retrieval,
                        passages, user, timings, started,
                        filters.as_of if filters else None)  # fmt: skip

    # --- answering ---------------------------------------------------------------------

    def _decide(self, prep: Prepared) -> Decision:
        """Extract the best windows and decide the band from the answerability signals."""
        if not prep.passages:
            return Decision("refused", 0.0, None, [])
        found = self.extractive.answer(
            prep.standalone, prep.vector, prep.passages, frozenset(prep.retrieval.exact)
        )
        signals = signals_of(prep.standalone, prep.retrieval, found)
        score = self.answerability.score(signals)
        r = prep.retrieval
        band = decide(score, self.s.answer_threshold, self.s.uncertain_threshold, bool(r.exact))
        if band == "answered" and not found.claims:
            band = "uncertain"
        return Decision(band, score, signals, found.claims)

    def _generate(self, prep: Prepared, stream: bool) -> Iterator[str]:
        """The LLM's answer: streamed in pieces, or in one piece."""
        assert self.generative is not None
        try:
            if stream:
                yield from self.generative.stream(prep.standalone, prep.passages)
            else:
                yield self.generative.answer(prep.standalone, prep.passages)
        except Exception as exc:
            raise LLMUnavailableError(str(exc)) from exc

    def _supports(self, prep: Prepared, claims: list[Claim]) -> list[Support]:
        """Extractive claims are checked verbatim against their passage; generated ones by
        the verifier (term overlap + embedding similarity)."""
        if all(c.start is not None for c in claims):
            out = []
            for c in claims:
                text = prep.passages[c.citations[0] - 1].hit.text
                ok = text[c.start : c.end] == c.text
                out.append(Support(ok, float(ok), float(ok), float(ok), c.citations[0],
                                   c.start or 0, c.end or 0))  # fmt: skip
            return out
        return self.verifier.verify(
            [c.text for c in claims], [c.citations for c in claims],
            [p.hit.text for p in prep.passages],
        )  # fmt: skip

    def _verify_and_finish(
        self, prep: Prepared, decision: Decision, claims: list[Claim] | None
    ) -> Answer:
        """The refusal rule: an answer needs claims, and enough of them supported."""
        if decision.band != "answered":
            return self._finish(prep, decision, None, [], [])
        if not claims:
            return self._finish(prep, replace(decision, band="refused"), None, [], [])
        with _timed(prep.timings, "verify"):
            supports = self._supports(prep, claims)
        supported = sum(s.supported for s in supports) / len(supports)
        if supported < self.s.min_supported_ratio:
            return self._finish(prep, replace(decision, band="refused"), None, claims, supports)
        return self._finish(prep, decision, claims, claims, supports)

    def _finish(
        self,
        prep: Prepared,
        decision: Decision,
        answer_claims: list[Claim] | None,
        claims: list[Claim],
        supports: list[Support],
    ) -> Answer:
        """The answer with its sources, cross-links, conflicts and notices; audited."""
        statements = [Statement(c, s) for c, s in zip(claims, supports, strict=True)]
        if decision.band == "answered" and answer_claims:
            text = render(answer_claims)
        elif decision.band == "uncertain":
            text = closest_sections(prep.standalone, prep.passages)
        else:
            text = refusal_text(prep.standalone)
        day = prep.as_of or date.today()  # statuses as of the search date
        sources = sources_of(prep.passages, statements, day, partial(superseded_on, self.kb))
        with _timed(prep.timings, "related"):  # before conflicts mark further passages cited
            links = related(self.retriever, sources, prep.user)
        conflicts = between_documents(sources, statements) if decision.band == "answered" else []
        warnings = [Notice(c.sides[1].document_id, "conflict", c.message) for c in conflicts]
        warnings += notices(sources, prep.as_of)
        prep.timings["total"] = _ms_since(prep.started)
        answer = Answer(
            id=uuid.uuid4().hex,
            text=text,
            band=decision.band,
            mode=self.mode,
            redacted=prep.redacted,
            standalone=prep.standalone,
            interpreted=[(m.word, m.concept) for m in prep.reading.matches],
            retrieval=prep.retrieval,
            redactions=prep.redactions,
            score=decision.score,
            signals=decision.signals,
            statements=statements,
            sources=sources,
            related=links,
            conflicts=conflicts,
            notices=warnings,
            timings=prep.timings,
        )
        if self.audit is not None:
            self.audit.record_answer(answer, prep.user)
        return answer


def closest_sections(question: str, passages: list[Passage]) -> str:
    """The uncertain answer: a notice and the closest sections, never as an answer."""
    lines, seen = [uncertain_text(question)], set()
    for p in passages:
        key = (p.hit.document_id, p.hit.section_path)
        if key in seen or len(seen) >= 3:
            continue
        seen.add(key)
        lines.append(f"- {p.label()} [{p.n}]")
    return "\n".join(lines)
