"""Retrieve: hybrid search inside Qdrant (dense e5 + Swedish BM25, Query API prefetch + fusion).

The fusion runs in the engine (weighted RRF or DBSF). A plain dense query goes in the same
batch request: its cosine scores are the relevance floor (fused scores are ranks, not
similarities) and are reported per hit. Metadata filters narrow both signals.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache
from typing import Literal

from llama_index.core.vector_stores.utils import metadata_dict_to_node
from qdrant_client import models as qm

from assistant.access import Principal
from assistant.language import is_english
from assistant.pii import neutral_text
from core import concepts, index, review
from core.references import coarser, most_specific, parse_references
from core.settings import Settings
from core.sparse import terms
from core.store import KnowledgeBase

Mode = Literal["hybrid", "dense", "sparse"]
_NAME = re.compile(r"\b[A-ZÅÄÖ][\wåäöÅÄÖ-]+")
_FOLD = str.maketrans("åäöéü", "aaoeu")  # "salja" (typed without å/ä/ö) matches "sälja"


@dataclass
class Filters:
    """Metadata filters; every field is optional and they combine with AND."""

    document_ids: list[str] = field(default_factory=list)
    doc_types: list[str] = field(default_factory=list)
    municipality: str | None = None  # its own documents and those that name no organisation
    adopted_from: date | None = None
    adopted_to: date | None = None
    as_of: date | None = None  # each document's version in force that day (KnowledgeBase)

    def to_qdrant(self, access: list[qm.Condition] | None = None) -> qm.Filter:
        """The filters, with ``access`` (:func:`access_conditions`) and the trust rule."""
        must: list[qm.Condition] = list(access or [])
        if self.document_ids:
            must.append(
                qm.FieldCondition(key=index.DOC_ID, match=qm.MatchAny(any=self.document_ids))
            )
        if self.doc_types:
            must.append(
                qm.FieldCondition(key=index.DOC_TYPE, match=qm.MatchAny(any=self.doc_types))
            )
        if self.municipality:
            own = qm.FieldCondition(
                key=index.MUNICIPALITIES, match=qm.MatchValue(value=self.municipality)
            )
            unscoped = qm.IsEmptyCondition(is_empty=qm.PayloadField(key=index.MUNICIPALITIES))
            must.append(qm.Filter(should=[own, unscoped]))
        if self.adopted_from or self.adopted_to:
            must.append(
                qm.FieldCondition(
                    key=index.ADOPTED,
                    range=qm.DatetimeRange(gte=self.adopted_from, lte=self.adopted_to),
                )
            )
        # untrusted chunks (uploads awaiting review, instruction-like text) never reach answers
        return qm.Filter(must=must or None, must_not=review.answer_filter_conditions())


def access_conditions(user: Principal, settings: Settings) -> list[qm.Condition]:
    """What ``user`` may read, as conditions inside the Qdrant query: documents scoped to
    one of their organisations or shared, classified at a level their roles may read.
    Chunks without the keys (written before access existed) are shared at the default
    level."""
    out: list[qm.Condition] = []
    if not user.every_organisation:
        orgs = [*user.organisations, index.SHARED]
        out.append(qm.Filter(should=[
            qm.FieldCondition(key=index.SCOPE, match=qm.MatchAny(any=orgs)),
            qm.IsEmptyCondition(is_empty=qm.PayloadField(key=index.SCOPE)),
        ]))  # fmt: skip
    if set(user.classifications) != set(settings.classifications):
        levels = qm.FieldCondition(
            key=index.CLASSIFICATION, match=qm.MatchAny(any=list(user.classifications) or [""])
        )
        unset = qm.IsEmptyCondition(is_empty=qm.PayloadField(key=index.CLASSIFICATION))
        default_ok = settings.default_classification in user.classifications
        out.append(qm.Filter(should=[levels, unset]) if default_ok else levels)
    return out


# Everyday words for e-mail ("mejla", "jobbmejlen", "maila") in the policies' own word.
_EMAIL_WORD = re.compile(r"\b(\w*?)(?:mejl|mail)(\w*)", re.IGNORECASE)
_VERB_ENDINGS = {"a", "ade", "at", "ar", "as"}  # "mejla", "mailade": to send an e-mail


def search_text(redacted: str) -> str:
    """What retrieval searches for: the redacted question with placeholders as neutral words
    and everyday e-mail words as "e-post" (measured: "Får jag mejla …?" was not answered
    while "Får jag skicka … med e-post?" was)."""

    def formal(m: re.Match[str]) -> str:
        prefix, ending = m.group(1), m.group(2).lower()
        if m.group(0).lower() == "mail" or prefix.lower() == "e":  # "e-mail", "email"
            return m.group(0)
        if not prefix and ending in _VERB_ENDINGS:
            return "skicka e-post"
        return f"{prefix} e-post" if prefix else "e-post"

    return _EMAIL_WORD.sub(formal, neutral_text(redacted))


@dataclass(frozen=True)
class Reading:
    """How a (redacted) question is searched, made once per question: the plain search text
    (:func:`search_text`), the glossary words read as concepts, and what follows from both."""

    plain: str
    matches: tuple[concepts.Match, ...] = ()

    @property
    def text(self) -> str:
        """The search text with the concepts appended ("… ChatGPT … (publik AI-tjänst)")."""
        return concepts.expanded(self.plain, list(self.matches))

    @property
    def concepts(self) -> list[str]:
        return concepts.concepts(list(self.matches))

    @property
    def outside(self) -> str:
        """The search text without the glossary words."""
        out, last = [], 0
        for m in self.matches:
            out += [self.plain[last : m.start], " "]
            last = m.end
        return "".join(out + [self.plain[last:]])

    def term_groups(self) -> list[frozenset[str]]:
        """The question's content terms (å/ä/ö folded), one group each; a glossary word is
        one group of its own terms and its concept's: present when either is."""

        def folded(text: str) -> frozenset[str]:
            return frozenset(t.translate(_FOLD) for t in terms(text))

        groups = [frozenset({t}) for t in folded(self.outside)]
        groups += [folded(m.word) | folded(m.concept) for m in self.matches]
        return list(dict.fromkeys(g for g in groups if g))


def read_question(redacted: str, glossary: concepts.Glossary | None) -> Reading:
    """The :class:`Reading` of a redacted question under ``glossary``."""
    plain = search_text(redacted)
    return Reading(plain, tuple(glossary.read(plain)) if glossary else ())


@dataclass
class Hit:
    """One retrieved chunk with its provenance."""

    id: str
    score: float  # score of the ranking used (fused, cosine or BM25)
    dense_score: float | None  # cosine similarity to the question, when in the dense top list
    text: str
    payload: dict

    @property
    def document_id(self) -> str:
        return self.payload[index.DOC_ID]

    @property
    def section_path(self) -> str:
        return self.payload.get(index.SECTION_PATH) or ""


@dataclass
class Retrieval:
    hits: list[Hit]
    best_dense: float  # best cosine over the collection (after filters); 0 when empty
    mode: Mode
    exact: list[str] = field(default_factory=list)  # ids of hits fetched by a named reference
    dense_scores: list[float] = field(default_factory=list)  # the dense top list, best first
    context: list[str] = field(default_factory=list)  # texts of the dense top list and hits
    reading: Reading | None = None  # how the question was searched

    @cached_property
    def context_terms(self) -> frozenset[str]:
        """The BM25 terms of the retrieved context, å/ä/ö folded (computed once)."""
        return frozenset(t.translate(_FOLD) for t in terms("\n".join(self.context)))

    def missing_names(self, reading: Reading) -> float:
        """1.0 when the question names something (a capitalised word past its first word,
        e.g. "Jönköpings kommun", "Tranås") that the retrieved context never mentions; a
        glossary word ("ChatGPT") is vocabulary, not a name."""
        words = _NAME.findall(reading.outside)[1:]
        names = {t.translate(_FOLD) for w in words for t in terms(w)}
        return float(bool(names - self.context_terms))

    def coverage(self, reading: Reading) -> float:
        """Share of the question's content terms that occur anywhere in the retrieved
        context (1.0 for a question without content terms); å/ä/ö folded. A glossary word
        is present when the context has the word or its concept."""
        groups = reading.term_groups()
        if not groups:
            return 1.0
        return sum(bool(g & self.context_terms) for g in groups) / len(groups)

    def heading_match(self, reading: Reading) -> float:
        """Share of the question's content terms (a glossary word: or its concept) in the
        best hit's document title and section path ("utlandsresor" for a trip abroad)."""
        groups = reading.term_groups()
        if not groups or not self.hits:
            return 0.0
        p = self.hits[0].payload
        named = f"{p.get('title', '')} {p.get(index.SECTION_PATH) or ''}"
        found = {t.translate(_FOLD) for t in terms(named)}
        return sum(bool(g & found) for g in groups) / len(groups)


# What llama-index's QdrantVectorStore adds to our payload keys: the serialised node, its type
# and the node's ref_doc_id under two more names (ours is ``index.DOC_ID``).
_NODE_KEYS = ("_node_content", "_node_type", "document_id", "ref_doc_id")


def hit_text(payload: dict) -> str:
    """A chunk's text, decoded from the stored node by llama-index (the codec its
    QdrantVectorStore writes with)."""
    return metadata_dict_to_node(payload).get_content() if payload.get("_node_content") else ""


def _hit(point, dense: dict[str, float] | None = None) -> Hit:
    """A Qdrant point (scored or not) as a ``Hit``: its text (:func:`hit_text`), the payload
    without the node keys."""
    payload = dict(point.payload or {})
    text = hit_text(payload)
    for key in _NODE_KEYS:
        payload.pop(key, None)
    pid = str(point.id)
    score = float(getattr(point, "score", 0.0))
    return Hit(pid, score, (dense or {}).get(pid), text, payload)


def _unit_filter(refs: list[str], flt: qm.Filter | None) -> qm.Filter:
    must: list[qm.Condition] = [qm.FieldCondition(key=index.UNIT_REFS, match=qm.MatchAny(any=refs))]
    if flt is not None and flt.must:
        must.extend(flt.must if isinstance(flt.must, list) else [flt.must])
    return qm.Filter(must=must, must_not=review.answer_filter_conditions())


def _exact_hits(refs: list[str], points) -> list[Hit]:
    """Units named by the question: the most specific match first, then document order."""
    specific = set(most_specific(refs))

    def key(p) -> tuple[int, str, int]:
        own = set(p.payload.get(index.UNIT_REFS) or [])
        return (0 if own & specific else 1, str(p.payload.get(index.DOC_ID)),
                int(p.payload.get(index.CHUNK_INDEX, 0)))  # fmt: skip

    return [_hit(p, {str(p.id): float(p.score)}) for p in sorted(points, key=key)]


def _expired(hit: Hit, day: date) -> bool:
    valid_to = hit.payload.get(index.VALID_TO)
    return bool(valid_to) and str(valid_to) < day.isoformat()


def current_first(hits: list[Hit], day: date) -> list[Hit]:
    """Hits of a document past its own validity date go after the hits of current documents
    of the same kind for the same organisations (a stated, non-empty list: documents that
    name no organisation are not assumed to be each other's successors). Otherwise the
    order is kept."""

    def kind(h: Hit) -> tuple[str, frozenset[str]]:
        return str(h.payload.get(index.DOC_TYPE)), frozenset(
            h.payload.get(index.MUNICIPALITIES) or []
        )

    current = {kind(h) for h in hits if not _expired(h, day) and kind(h)[1]}
    demoted = {h.id for h in hits if _expired(h, day) and kind(h) in current}
    return [h for h in hits if h.id not in demoted] + [h for h in hits if h.id in demoted]


QUERY_CACHE = 4096  # question vectors kept (384 floats each: ~6 MB)


class Retriever:
    """Searches the knowledge base with the configured mode, fusion and filters."""

    def __init__(
        self,
        kb: KnowledgeBase,
        settings: Settings,
        glossary: concepts.Glossary | None = None,
        defined: Callable[[], list[concepts.Entry]] | None = None,
    ) -> None:
        """``glossary``: the organisation's; ``defined``: the entries the documents' own
        definitions give (``assistant/definitions.py``), the same list until they change."""
        self.kb = kb
        self.s = settings
        self.glossary = glossary  # replaced whole when an editor saves a new one
        self.defined = defined
        self._merged: tuple[object, object, concepts.Glossary | None] = (None, None, None)
        # query vectors by search text; only ever redacted questions reach this
        self._query_vector = lru_cache(maxsize=QUERY_CACHE)(kb.embedder.get_query_embedding)

    def current_glossary(self) -> concepts.Glossary | None:
        """The organisation's glossary with the documents' definitions (an organisation's
        word wins over a definition's); compiled again only when either changes."""
        own, extra = self.glossary, self.defined() if self.defined else []
        if self._merged[0] is own and self._merged[1] is extra:
            return self._merged[2]
        entries = list(own.entries) if own else []
        taken = {w for e in entries for w in e.words}
        entries += [e for e in extra if not taken & set(e.words)]
        merged = concepts.Glossary(entries) if entries else None
        self._merged = (own, extra, merged)
        return merged

    def read(self, question: str) -> Reading:
        """How the (redacted) ``question`` is searched, under the current glossary."""
        return read_question(question, self.current_glossary())

    def embed_query(self, question: str | Reading) -> list[float]:
        """The query vector of a (redacted) question, as its :meth:`read` search text
        (cached; the list returned is shared: never modify it)."""
        reading = question if isinstance(question, Reading) else self.read(question)
        return self._query_vector(reading.text)

    def search(
        self,
        question: str,
        top_k: int | None = None,
        mode: Mode | None = None,
        filters: Filters | None = None,
        vector: list[float] | None = None,
        *,
        user: Principal,
        reading: Reading | None = None,
    ) -> Retrieval:
        """The best chunks ``user`` may read (the access conditions are in every request).
        ``reading``: the question's :meth:`read`, if already made."""
        s = self.s
        reading = reading or self.read(question)
        if mode is None:  # the configured mode; English questions: their own (measured)
            mode = s.retrieval_mode_en if is_english(question) else s.retrieval_mode
        k = top_k or s.top_k
        filters = filters or Filters()
        access = access_conditions(user, s)
        flt = self.kb.visible(filters.to_qdrant(access), as_of=filters.as_of)  # current or as-of
        dense_vec = vector if vector is not None else self.embed_query(reading)
        sparse_vec = self.kb.bm25.encode_query(reading.text)
        dense_req = qm.QueryRequest(
            query=dense_vec, using=index.DENSE, filter=flt, limit=max(k, s.prefetch_k),
            with_payload=True,
        )  # fmt: skip
        if mode == "dense":
            main = dense_req
        elif mode == "sparse":
            main = qm.QueryRequest(
                query=sparse_vec, using=index.SPARSE, filter=flt, limit=k, with_payload=True
            )
        else:
            prefetch = [
                qm.Prefetch(query=dense_vec, using=index.DENSE, filter=flt, limit=s.prefetch_k),
                qm.Prefetch(query=sparse_vec, using=index.SPARSE, filter=flt, limit=s.prefetch_k),
            ]
            if s.fusion == "dbsf":
                fusion: qm.Query = qm.FusionQuery(fusion=qm.Fusion.DBSF)
            else:
                weights = [s.fusion_dense_weight, s.fusion_sparse_weight]
                fusion = qm.RrfQuery(rrf=qm.Rrf(k=s.rrf_k, weights=weights))
            # the prefetches are filtered: a filter on the fused list would only repeat them
            main = qm.QueryRequest(prefetch=prefetch, query=fusion, limit=k, with_payload=True)
        requests = [dense_req] if mode == "dense" else [dense_req, main]
        refs = parse_references(question)
        if refs:  # the units the question names (law chunks), fetched by payload filter
            requests.append(qm.QueryRequest(
                query=dense_vec, using=index.DENSE, filter=_unit_filter(refs, flt),
                limit=max(k, s.prefetch_k), with_payload=True,
            ))  # fmt: skip
        responses = self.kb.query(requests)
        dense_points = responses[0].points
        dense = {str(p.id): float(p.score) for p in dense_points}
        ranked = dense_points[:k] if mode == "dense" else responses[1].points
        best = max(dense.values(), default=0.0)
        hits = current_first([_hit(p, dense) for p in ranked], filters.as_of or date.today())
        scores = [float(p.score) for p in dense_points]
        context = [_hit(p).text for p in dense_points] + [h.text for h in hits]
        context += list({str(p.payload.get(index.HEADING, "")) for p in dense_points})
        if not refs or not responses[-1].points:
            return Retrieval(hits, best, mode, [], scores, context, reading)
        exact = _exact_hits(refs, responses[-1].points)[: max(1, (k + 1) // 2)]
        ids = {h.id for h in exact}
        merged = exact + [h for h in hits if h.id not in ids]
        best = max([best] + [h.dense_score or 0.0 for h in exact])
        context += [h.text for h in exact]
        return Retrieval(
            merged[: max(k, len(exact))],
            best,
            mode,
            [h.id for h in exact],
            scores,
            context,
            reading,
        )

    def by_refs(self, refs: list[str], user: Principal, limit: int = 5) -> list[Hit]:
        """Law chunks that are the units ``refs`` name: per reference (most specific first,
        else its coarser level) the unit's first chunk that ``user`` may read. Used for
        cross-links."""
        if not refs:
            return []
        wanted = list(dict.fromkeys(refs + [c for r in refs if (c := coarser(r))]))
        units = qm.FieldCondition(key=index.UNIT_REFS, match=qm.MatchAny(any=wanted))
        flt = qm.Filter(must=[units, *access_conditions(user, self.s)],
                        must_not=review.answer_filter_conditions())  # fmt: skip
        points = sorted(self.kb.scroll(flt), key=lambda p: p.payload.get(index.CHUNK_INDEX, 0))
        out: list[Hit] = []
        for ref in most_specific(refs):
            level: str | None = ref
            while level is not None:
                match = next(
                    (p for p in points if level in p.payload.get(index.UNIT_REFS, [])), None
                )
                if match is not None:
                    if all(str(match.id) != h.id for h in out):
                        out.append(_hit(match))
                    break
                level = coarser(level)
            if len(out) >= limit:
                break
        return out

    def neighbours(
        self, hits: list[Hit], user: Principal, before: int = 1, after: int = 1
    ) -> dict[str, list[Hit]]:
        """Per hit id, the hit with the chunks just before/after it in the same section and
        version, in chunk order (context expansion; one store read for all hits; only
        chunks ``user`` may read)."""

        def place(h: Hit) -> tuple[str, str, int]:
            return h.document_id, h.section_path, int(h.payload.get(index.GENERATION, 0))

        def position(h: Hit) -> int:
            return int(h.payload.get(index.CHUNK_INDEX, 0))

        def around(hit: Hit) -> qm.Filter:
            doc, section, generation = place(hit)
            i = position(hit)
            return qm.Filter(must=[
                qm.FieldCondition(key=index.DOC_ID, match=qm.MatchValue(value=doc)),
                qm.FieldCondition(key=index.SECTION_PATH, match=qm.MatchValue(value=section)),
                qm.FieldCondition(key=index.CHUNK_INDEX,
                                  range=qm.Range(gte=i - before, lte=i + after)),
                qm.FieldCondition(key=index.GENERATION, match=qm.MatchValue(value=generation)),
            ], must_not=review.answer_filter_conditions())  # fmt: skip

        if not hits:
            return {}
        # ``must`` first in each branch: the embedded store rejects other documents' chunks
        # on the first condition
        flt = qm.Filter(should=[around(h) for h in hits],
                        must=access_conditions(user, self.s) or None)  # fmt: skip
        found = sorted((_hit(p) for p in self.kb.scroll(flt, current_only=False)), key=position)
        return {
            hit.id: [h for h in found if place(h) == place(hit)
                     and position(hit) - before <= position(h) <= position(hit) + after]
            for hit in hits
        }  # fmt: skip
