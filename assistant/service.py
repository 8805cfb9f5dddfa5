"""The ask path, end to end: scrub → condense → retrieve → answer → verify → audit.

This is the only implementation of the path: the API, the CLI and the evaluation suite all
call ``AssistantService``. Personal data is removed from the question and the history first;
everything after that step sees only the redacted text.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np
from llama_index.core.llms import LLM

from assistant.access import Principal
from assistant.answer import (
    REFUSAL_EN,
    REFUSAL_SV,
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
from assistant.citations import Support, Verifier, cited_numbers
from assistant.condense import condense
from assistant.conflicts import between_documents
from assistant.language import is_english
from assistant.lifecycle import lifecycle_of, notices
from assistant.llm import LLMUnavailableError
from assistant.pii import PiiScrubber, Redaction
from assistant.retrieval import Filters, Hit, Retrieval, Retriever, search_text
from assistant.schemas import (
    AskRequest,
    AskResponse,
    Citation,
    Notice,
    RelatedSource,
    SentenceOut,
    Turn,
)
from assistant.schemas import Redaction as RedactionOut
from core import index
from core.settings import Settings
from core.store import KnowledgeBase
from core.text.segment import split_sentences

_CACHE_SIZE = 20_000  # sentence vectors (384 floats each: ~30 MB)


@dataclass
class Prepared:
    """Everything known before answering: only redacted text from here on."""

    redacted: str
    standalone: str
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


class AssistantService:
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
        self.retriever = Retriever(kb, settings)
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_lock = threading.Lock()
        self.verifier = Verifier(
            self.embed, settings.verify_threshold, settings.verify_lexical_weight
        )
        self.extractive = ExtractiveAnswerer(self.sentence_vectors, settings)
        self.answerability: Model = DEFAULT_MODEL
        self.generative = GenerativeAnswerer(llm) if llm is not None else None
        self.mode = settings.answer_mode if llm is not None else "extractive"

    def embed(self, texts: list[str]) -> np.ndarray:
        """Passage-role embeddings of sentences, through a bounded LRU cache.

        The extractive answerer and the verifier embed the same passage sentences; the cache
        makes the second pass free and repeated questions cheap. It only ever holds policy
        sentences and (already redacted) generated sentences.
        """
        with self._cache_lock:
            found = {t: self._cache[t] for t in texts if t in self._cache}
            for t in found:
                self._cache.move_to_end(t)
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            vectors = self.kb.embedder.get_text_embedding_batch(missing)
            fresh = {
                t: np.asarray(v, dtype=np.float32) for t, v in zip(missing, vectors, strict=True)
            }
            found.update(fresh)
            with self._cache_lock:
                self._cache.update(fresh)
                while len(self._cache) > _CACHE_SIZE:
                    self._cache.popitem(last=False)
        return np.stack([found[t] for t in texts])

    def sentence_vectors(self, passages: list[Passage]) -> list[np.ndarray]:
        """Each passage's sentence vectors: stored with its chunk at ingest (one read for
        all), else embedded here (a collection from before sentence vectors, or a chunk whose
        stored sentences no longer match the segmenter)."""
        stored = self.kb.sentence_vectors(list(dict.fromkeys(p.hit.id for p in passages)))
        out = []
        for p in passages:
            texts = index.sentence_texts(str(p.hit.payload.get(index.HEADING, "")), p.hit.text)
            vectors = stored.get(p.hit.id)
            if vectors is None or len(vectors) != len(texts):
                vectors = self.embed(texts) if texts else np.zeros((0, self.kb.dim), np.float32)
            out.append(vectors)
        return out

    # --- before answering --------------------------------------------------------------

    def prepare(self, req: AskRequest, user: Principal) -> Prepared:
        timings: dict[str, float] = {}
        started = time.perf_counter()
        with _timed(timings, "scrub"):
            scrubbed = self.scrubber.scrub(req.question)
            history = [Turn(role=t.role, content=self.scrubber.scrub(t.content).text)
                       for t in req.history]  # fmt: skip
        with _timed(timings, "condense"):
            try:
                standalone = condense(scrubbed.text, history, self.llm)
            except Exception as exc:
                raise LLMUnavailableError(str(exc)) from exc
        with _timed(timings, "embed"):
            vector = self.retriever.embed_query(standalone)
        filters = Filters(**req.filters.model_dump()) if req.filters else None
        with _timed(timings, "search"):
            retrieval = self.retriever.search(
                standalone, top_k=req.top_k, filters=filters, vector=vector, user=user
            )
        with _timed(timings, "expand"):
            passages = self._passages(retrieval, user)
        return Prepared(scrubbed.text, standalone, scrubbed.redactions, vector, retrieval,
                        passages, user, timings, started,
                        filters.as_of if filters else None)  # fmt: skip

    def _passages(self, retrieval: Retrieval, user: Principal) -> list[Passage]:
        """Hits in rank order; the top hits bring their neighbours in the same section."""
        seen = {h.id for h in retrieval.hits}
        n = self.s.neighbour_chunks
        expanded = self.retriever.neighbours(retrieval.hits[:2], user, n, n) if n else {}
        out: list[Passage] = []
        for rank, hit in enumerate(retrieval.hits):
            group = [hit]
            if hit.id in expanded:
                around = expanded[hit.id]
                group = [
                    hit if g.id == hit.id else g
                    for g in around
                    if g.id == hit.id or g.id not in seen
                ] or [hit]
                for g in group:
                    if g is not hit:  # a neighbour is as relevant as the hit that brought it
                        g.score, g.dense_score = hit.score, None
                    seen.add(g.id)
            base = len(out)
            out.extend(Passage(base + i + 1, g, rank) for i, g in enumerate(group))
        return out

    # --- answering ---------------------------------------------------------------------

    def ask(self, req: AskRequest, user: Principal) -> AskResponse:
        """The answer to ``req`` from the documents ``user`` may read."""
        prep = self.prepare(req, user)
        with _timed(prep.timings, "answer"):
            decision = self._decide(prep)
            claims = decision.claims
            if decision.band == "answered" and self.generative is not None:
                claims = self._generate(prep)
        return self._verify_and_finish(prep, decision, claims)

    def ask_stream(self, req: AskRequest, user: Principal) -> Iterator[tuple[str, object]]:
        """SSE events: ("meta", …), ("token", text)…, then ("done", AskResponse)."""
        prep = self.prepare(req, user)
        redactions = [RedactionOut(type=r.type, count=r.count) for r in prep.redactions]
        yield (
            "meta",
            {
                "redacted_query": prep.redacted,
                "redactions": [r.model_dump() for r in redactions],
                "mode": self.mode,
            },
        )
        t0 = time.perf_counter()
        decision = self._decide(prep)
        claims = decision.claims
        if decision.band == "answered" and self.generative is not None:
            parts: list[str] = []
            try:
                for delta in self.generative.stream(prep.standalone, prep.passages):
                    parts.append(delta)
                    yield "token", delta
            except Exception as exc:
                raise LLMUnavailableError(str(exc)) from exc
            claims = self._parse_generated("".join(parts), len(prep.passages))
        elif decision.band == "answered" and claims:
            for word in render(claims).split(" "):
                yield "token", word + " "
        prep.timings["answer"] = round((time.perf_counter() - t0) * 1000, 1)
        yield "done", self._verify_and_finish(prep, decision, claims)

    def _decide(self, prep: Prepared) -> Decision:
        """Extract the best windows and decide the band from the answerability signals."""
        if not prep.passages:
            return Decision("refused", 0.0, None, [])
        found = self.extractive.answer(
            prep.standalone, prep.vector, prep.passages, frozenset(prep.retrieval.exact)
        )
        r = prep.retrieval
        scores = np.asarray(r.dense_scores or [r.best_dense], dtype=np.float64)
        spread = float(scores.std()) or 1e-3
        english = is_english(prep.standalone)
        searched = search_text(prep.standalone)
        signals = Signals(
            best_dense=r.best_dense,
            dense_z=(r.best_dense - float(scores.mean())) / spread,
            best_sentence=found.best_cosine,
            lexical=found.best_lexical,
            # an English question's words are not the Swedish corpus's: no evidence either way
            coverage=1.0 if english else r.coverage(searched),
            english=float(english),
            type_match=found.type_match,
            missing_names=r.missing_names(searched),
        )
        score = self.answerability.score(signals)
        band = decide(score, self.s.answer_threshold, self.s.uncertain_threshold, bool(r.exact))
        if band == "answered" and not found.claims:
            band = "uncertain"
        return Decision(band, score, signals, found.claims)

    def _generate(self, prep: Prepared) -> list[Claim] | None:
        try:
            text = self.generative.answer(prep.standalone, prep.passages)  # type: ignore[union-attr]
        except Exception as exc:
            raise LLMUnavailableError(str(exc)) from exc
        return self._parse_generated(text, len(prep.passages))

    @staticmethod
    def _parse_generated(text: str, n_passages: int) -> list[Claim] | None:
        if REFUSAL_SV.rstrip(".") in text or REFUSAL_EN.rstrip(".") in text or not text.strip():
            return None
        claims = []
        for span in split_sentences(text):
            clean, numbers = cited_numbers(span.text)
            if clean:
                claims.append(Claim(clean, [n for n in numbers if 1 <= n <= n_passages]))
        return claims or None

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
    ) -> AskResponse:
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
    ) -> AskResponse:
        sentences = [
            SentenceOut(
                text=c.text,
                citations=c.citations,
                document_label=c.label,
                supported=s.supported,
                score=round(s.score, 3),
                quote_citation=s.passage,
                quote_start=s.start if s.passage else None,
                quote_end=s.end if s.passage else None,
            )
            for c, s in zip(claims, supports, strict=True)
        ]
        if decision.band == "answered" and answer_claims:
            answer = render(answer_claims)
        elif decision.band == "uncertain":
            answer = self._closest(prep)
        else:
            answer = refusal_text(prep.standalone)
        response = AskResponse(
            id=uuid.uuid4().hex,
            answer=answer,
            band=decision.band,
            refused=decision.band != "answered",
            mode=self.mode,
            sentences=sentences,
            citations=self._citations(prep, sentences),
            redacted_query=prep.redacted,
            standalone_query=prep.standalone,
            redactions=[RedactionOut(type=r.type, count=r.count) for r in prep.redactions],
            timings_ms={},
            retrieval={
                "mode": prep.retrieval.mode,
                "best_dense": round(prep.retrieval.best_dense, 4),
            },
            answerability={"score": round(decision.score, 4)}
            | (decision.signals.as_dict() if decision.signals else {}),
        )
        with _timed(prep.timings, "related"):
            response.related = self._related(prep.passages, response.citations, prep.user)
        if decision.band == "answered":
            response.conflicts = between_documents(response.citations, sentences)
        response.notices = [
            Notice(document_id=c.sides[1].document_id, kind="conflict", message=c.message)
            for c in response.conflicts
        ] + notices(response.citations, prep.as_of)
        prep.timings["total"] = round((time.perf_counter() - prep.started) * 1000, 1)
        response.timings_ms = prep.timings
        if self.audit is not None:
            self.audit.record_answer(response, prep.user)
        return response

    @staticmethod
    def _closest(prep: Prepared) -> str:
        """The uncertain answer: a notice and the closest sections, never as an answer."""
        lines, seen = [uncertain_text(prep.standalone)], set()
        for p in prep.passages:
            key = (p.hit.document_id, p.hit.section_path)
            if key in seen or len(seen) >= 3:
                continue
            seen.add(key)
            lines.append(f"- {p.label()} [{p.n}]")
        return "\n".join(lines)

    def _superseded_on(self, hit: Hit) -> str | None:
        """When a newer version replaced the hit's version (None: it is current)."""
        generation = hit.payload.get(index.GENERATION)
        versions = self.kb.versions(hit.document_id)
        if not versions or versions[-1].generation == generation:
            return None
        return next((v.applies_until for v in versions if v.generation == generation), None)

    def _related(
        self, passages: list[Passage], citations: list[Citation], user: Principal
    ) -> list[RelatedSource]:
        """Cross-links: law units (payload ``unit_refs``) that the cited non-law passages refer
        to, by their ``refs``; retrieved passages count when nothing was cited."""
        cited = {c.n for c in citations if c.cited} or {c.n for c in citations}
        by_ref: dict[str, list[int]] = {}
        for p in passages:
            if p.n not in cited or p.hit.payload.get(index.ACT):
                continue
            for ref in p.hit.payload.get(index.REFS) or []:
                by_ref.setdefault(ref, []).append(p.n)
        if not by_ref:
            return []
        shown = {p.hit.id for p in passages}
        out = []
        for hit in self.retriever.by_refs(list(by_ref), user, limit=5):
            if hit.id in shown:
                continue
            own = hit.payload.get(index.UNIT_REFS) or []
            ref = next((r for r in reversed(own) if r in by_ref), own[0] if own else "")
            cited_by = sorted({n for r in own if r in by_ref for n in by_ref[r]})
            out.append(
                RelatedSource(
                    ref=ref, cited_by=cited_by, chunk_id=hit.id, document_id=hit.document_id,
                    title=hit.payload.get(index.TITLE, ""),
                    source=hit.payload.get(index.SOURCE, ""),
                    act=hit.payload.get(index.ACT), section=hit.section_path, text=hit.text,
                )
            )  # fmt: skip
        return out

    def _citations(self, prep: Prepared, sentences: list[SentenceOut]) -> list[Citation]:
        """The passages as citations; statuses as of the search date (today by default)."""
        day = prep.as_of or date.today()
        out = []
        for p in prep.passages:
            spans = [(s.quote_start, s.quote_end) for s in sentences
                     if s.quote_citation == p.n and s.quote_start is not None]  # fmt: skip
            start, end = (min(a for a, _ in spans), max(b for _, b in spans)) if spans else (0, 0)
            pl = p.hit.payload
            base = pl.get(index.START_CHAR)
            out.append(
                Citation(
                    n=p.n,
                    chunk_id=p.hit.id,
                    document_id=p.hit.document_id,
                    title=pl.get(index.TITLE, ""),
                    source=pl.get(index.SOURCE, ""),
                    origin=pl.get(index.ORIGIN) or "folder",
                    doc_type=pl.get(index.DOC_TYPE),
                    version=pl.get(index.VERSION),
                    adopted=pl.get(index.ADOPTED),
                    lifecycle=lifecycle_of(pl, day),
                    superseded_on=self._superseded_on(p.hit),
                    municipalities=list(pl.get(index.MUNICIPALITIES) or []),
                    section=pl.get(index.SECTION_PATH) or "",
                    page=pl.get(index.PAGE_START),
                    page_end=pl.get(index.PAGE_END),
                    quote=p.hit.text[start:end],
                    start=start,
                    end=end,
                    doc_start=None if base is None else base + start,
                    doc_end=None if base is None else base + end,
                    score=round(p.hit.score, 4),
                    dense_score=None if p.hit.dense_score is None else round(p.hit.dense_score, 4),
                    cited=bool(spans) or any(p.n in s.citations for s in sentences),
                    text=p.hit.text,
                )
            )
        return out
