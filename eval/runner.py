"""Drive the real ask path for every golden item and record what happened.

Every item is asked as ``POST /v1/ask`` asks it: an ``AskRequest`` answered by the service
and presented by ``assistant.api.present.ask``, so the suite measures exactly what the API
returns. The retrieval-mode comparison then searches the same knowledge base with
``Retriever.search`` for each mode, using the service's ``standalone_query``: the question
after PII scrubbing and, for follow-ups, after condensing with the history (the exact text
the service retrieved with). Raw questions never reach the retriever.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from assistant import conflicts
from assistant.access import unrestricted
from assistant.api import present
from assistant.components import Components
from assistant.llm import LLMUnavailableError
from assistant.pii import PiiScrubber
from assistant.retrieval import Hit, Retriever
from assistant.schemas import AskRequest, AskResponse, Turn
from core import index
from core.store import KnowledgeBase
from core.text.segment import split_sentences
from eval import metrics, pii_metrics
from eval.golden import GoldenItem, half

MODES: tuple[str, ...] = ("dense", "sparse", "hybrid")
_NUMBER = re.compile(r"^\d+(?:\.\d+)*$")
CONFLICTS = Path(__file__).parent / "golden" / "conflicts.jsonl"


def section_numbers(kb: KnowledgeBase) -> dict[str, str | None]:
    """Chunk id → section number ("8.3"; None for unnumbered sections)."""
    return {
        str(p.id): p.payload.get(index.SECTION_NUMBER)
        for p in kb.scroll(fields=[index.SECTION_NUMBER])
    }


def section_from_path(path: str) -> str | None:
    """ "8 Personuppgiftsincidenter > 8.3 Anmälan …" → "8.3" (None if unnumbered)."""
    last = path.split(" > ")[-1].strip()
    first = last.split(" ", 1)[0].rstrip(".") if last else ""
    return first if _NUMBER.match(first) else None


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _leaks(values: Iterable[str], texts: Iterable[str]) -> tuple[list[str], list[str]]:
    """(values found verbatim, values of which a word of ≥ 3 characters is still present)."""
    joined = "\n".join(texts)
    full = [v for v in values if v in joined]
    partial = [
        v
        for v in values
        if any(
            re.search(rf"(?<!\w){re.escape(tok)}(?!\w)", joined)
            for tok in re.split(r"[\s,()]+", v)
            if len(tok) >= 3
        )
    ]
    return full, partial


def ends_at_sentence_end(source: str, end: int) -> bool:
    """True if offset ``end`` is where a sentence of ``source`` ends (by the project's one
    segmenter, ``core.text.segment.split_sentences``)."""
    return any(span.end == end for span in split_sentences(source))


def statements(resp: AskResponse) -> list[dict]:
    """The response's statements with their quote spans; ``sentence_end``: whether the span
    ends at a sentence end of the cited passage's text (None without a span)."""
    texts = {c.n: c.text for c in resp.citations}
    out = []
    for s in resp.sentences:
        source = texts.get(s.quote_citation) if s.quote_citation is not None else None
        known = source is not None and s.quote_end is not None
        out.append({
            "text": s.text, "supported": s.supported, "label": s.document_label,
            "citation": s.quote_citation, "start": s.quote_start, "end": s.quote_end,
            "sentence_end": ends_at_sentence_end(source, s.quote_end) if known else None,
        })  # fmt: skip
    return out


def _hits(hits: list[Hit]) -> list[dict]:
    return [
        {
            "document": h.document_id,
            "section": h.payload.get(index.SECTION_NUMBER),
            "score": round(h.score, 4),
        }
        for h in hits
    ]


def retrieval_record(item: GoldenItem, hits: list[dict]) -> dict:
    """Rank of the first relevant hit (1-based, None: none) and share of sources found."""
    relevant = [item.is_relevant(h["document"], h["section"]) for h in hits]
    rank = next((i + 1 for i, r in enumerate(relevant) if r), None)
    found = sum(any(e.matches(h["document"], h["section"]) for h in hits) for e in item.expected)
    recall = found / len(item.expected) if item.expected else None
    return {"rank": rank, "recall": recall, "hits": hits}


def ask(components: Components, item: GoldenItem) -> AskResponse:
    """The item as an API request, answered as ``POST /v1/ask`` answers it."""
    history = [Turn(role=role, content=content) for role, content in item.history]  # type: ignore[arg-type]
    request = AskRequest(question=item.question, history=history)
    return present.ask(components.service, request, unrestricted(components.settings))


def item_record(item: GoldenItem) -> dict:
    """What a record knows of its golden item before it is asked: id, kind, question, expected
    sources, key phrase, the optional ``verdict`` and ``asks`` (None when absent), its
    ``half`` (from the set's split; by id for an item loaded without its set)."""
    return {
        "id": item.id,
        "kind": item.kind,
        "style": item.style,
        "question": item.question,
        "history": [list(t) for t in item.history],
        "expected": [[e.document, e.section] for e in item.expected],
        "key_phrase": item.key_phrase,
        "should_refuse": item.should_refuse,
        "pii_types": list(item.pii_types),
        "verdict": item.verdict,
        "asks": item.asks,
        "half": item.half or half(item),
        "error": None,
    }


def run_item(
    item: GoldenItem,
    components: Components,
    retriever: Retriever,
    sections: dict[str, str | None],
    modes: Iterable[str] = MODES,
    k: int | None = None,
) -> dict:
    """Ask one item, compare retrieval modes, and return a JSON-serialisable record."""
    started = time.perf_counter()
    record = item_record(item)
    try:
        resp = ask(components, item)
    except LLMUnavailableError as exc:
        resp = None
        record["error"] = f"LLM unavailable: {exc}"[:300]
    if resp is None:
        query = components.scrubber.scrub(item.question).text
        record.update(refused=True, band="refused", mode=None, answer="", answer_words=0,
                      citations=[], sentences=[], redacted_query=query, standalone_query=query,
                      redactions={}, timings={}, answerability={}, conflicts=[])  # fmt: skip
    else:
        query = resp.standalone_query
        record.update(
            refused=resp.refused,
            band=resp.band,
            mode=resp.mode,
            answer=resp.answer,
            answer_words=metrics.word_count(resp.answer),
            redacted_query=resp.redacted_query,
            standalone_query=resp.standalone_query,
            redactions={r.type: r.count for r in resp.redactions},
            timings=dict(resp.timings_ms),
            answerability=dict(resp.answerability),
            sentences=statements(resp),
            conflicts=[c.message for c in resp.conflicts],
            citations=[
                {
                    "n": c.n,
                    "document": c.document_id,
                    "section": sections.get(c.chunk_id, section_from_path(c.section)),
                    "path": c.section,
                    "cited": c.cited,
                    "quote": c.quote,
                }
                for c in resp.citations
            ],
        )
    cited = [c for c in record["citations"] if c["cited"]] if not record["refused"] else []
    record["cited_relevant"] = [item.is_relevant(c["document"], c["section"]) for c in cited]
    if item.key_phrase:
        haystack = _norm(" ".join([record["answer"], *(c["quote"] for c in cited)]))
        record["key_phrase_hit"] = not record["refused"] and _norm(item.key_phrase) in haystack
        record["fact_hit"] = record["band"] == "answered" and metrics.states_fact(
            record["answer"], item.key_phrase
        )
    else:
        record["key_phrase_hit"] = record["fact_hit"] = None
    full, partial = _leaks(item.pii_values, [record["redacted_query"], query])
    record["pii_leaked"] = full
    record["pii_partial_leaks"] = partial
    record["pii_missing_types"] = sorted(set(item.pii_types) - set(record["redactions"]))

    record["retrieval"] = {}
    if item.expected:
        vector = retriever.embed_query(query)
        for mode in modes:
            # the configured mode is measured as the service searches (English questions with
            # their own mode, PA_RETRIEVAL_MODE_EN); the other modes as they are
            asked = None if mode == components.settings.retrieval_mode else mode
            result = retriever.search(
                query, top_k=k, mode=asked, vector=vector,  # type: ignore[arg-type]
                user=unrestricted(components.settings),
            )  # fmt: skip
            record["retrieval"][mode] = retrieval_record(item, _hits(result.hits))
    record["seconds"] = round(time.perf_counter() - started, 3)
    return record


def evaluate(
    items: list[GoldenItem],
    components: Components,
    retriever: Retriever | None = None,
    modes: Iterable[str] = MODES,
    k: int | None = None,
    progress: Callable[[int, int, dict], None] | None = None,
) -> dict:
    """Run ``items`` through the service; returns ``{"metrics": {...}, "results": [...]}``.

    ``k`` is the retrieval depth of the mode comparison (default: the configured ``top_k``,
    i.e. the passages an answer is made from). ``retriever`` defaults to one on the
    components' knowledge base and settings. If the LLM fails before any question was
    answered, the run stops with ``LLMUnavailableError``; later LLM errors are recorded per
    item (``error``).
    """
    retriever = retriever or Retriever(components.kb, components.settings)
    k = k or components.settings.top_k
    modes = tuple(modes)
    sections = section_numbers(components.kb)
    results = []
    for i, item in enumerate(items):
        record = run_item(item, components, retriever, sections, modes, k)
        if record["error"] and all(r["refused"] for r in results):
            raise LLMUnavailableError(record["error"])  # no answer yet: the LLM is unreachable
        results.append(record)
        if progress:
            progress(i + 1, len(items), record)
    return {"metrics": with_heldout(metrics.compute(results, modes=modes, k=k), results),
            "results": results}  # fmt: skip


def with_heldout(computed: metrics.Metrics, results: list[dict]) -> metrics.Metrics:
    """``computed`` with its ``heldout.*`` metrics taken over the records whose ``half`` is
    ``"heldout"`` — the half each item got from its set's split (``eval.golden.split``: by
    document, by item, or the whole set), which the records carry and ids alone do not."""
    out = {k: v for k, v in computed.items() if not k.startswith("heldout.")}
    part = [r for r in results if r["half"] == "heldout"]
    if not part:
        return out | {"heldout.n.items": 0.0}
    inner = metrics.answers(part) | metrics.bands(part) | metrics.refusals(part)
    held = {f"heldout.{k}": v for k, v in inner.items()}
    return out | {"heldout.n.items": float(len(part))} | held


def print_progress(done: int, total: int, record: dict) -> None:
    """A one-line progress indicator on stderr."""
    if done == total or done % 20 == 0:
        print(f"  {done}/{total} ({record['id']})", file=sys.stderr, flush=True)


def conflict_metrics(path: Path = CONFLICTS) -> tuple[metrics.Metrics, list[str]]:
    """Precision and recall of the conflict detector (the one answers use) on the golden pairs
    of statements that disagree or agree (``eval/golden/conflicts.jsonl``); notes name every
    pair it gets wrong."""
    pairs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    flagged = {p["id"] for p in pairs if conflicts.difference(p["a"], p["b"]) is not None}
    positives = {p["id"] for p in pairs if p["conflict"]}
    hits = len(flagged & positives)
    out: metrics.Metrics = {
        "conflicts.precision": hits / len(flagged) if flagged else 0.0,
        "conflicts.recall": hits / len(positives) if positives else 0.0,
        "n.pairs": float(len(pairs)),
        "n.conflicting": float(len(positives)),
    }
    notes = [f"false alarm {p['id']}: {p['note']}" for p in pairs
             if p["id"] in flagged - positives]  # fmt: skip
    notes += [f"missed {p['id']}: {p['note']}" for p in pairs if p["id"] in positives - flagged]
    return out, notes


def shared_only_pii_metrics() -> list[str]:
    """Scrubber metrics that only the generated cases (``shared/corpus/pii_sv``) measure:
    those of kinds without a hand-written case (``eval.pii_cases.TRICKY``)."""
    own = {e.kind for case in pii_metrics.tricky_cases() for e in case.entities}
    return [
        f"pii.{metric}.{kind}"
        for kind in pii_metrics.KINDS
        if kind not in own
        for metric in ("recall", "typed_recall")
    ]


def scrubber_metrics(
    scrubber: PiiScrubber, corpus: Path | None = None
) -> tuple[metrics.Metrics, list[str]]:
    """PII recall per type (``eval.pii_metrics``: generated + hand-written cases).

    Returns the metrics (``pii.recall.<kind>``, ``pii.typed_recall.<kind>``,
    ``pii.policy_fp_rate``) and notes (misses, false positives). Without the
    ``shared/corpus/pii_sv`` corpus (absent or empty) only the hand-written cases are used.
    """
    corpus = corpus or pii_metrics.DEFAULT_CORPUS
    cases = pii_metrics.tricky_cases()
    notes: list[str] = []
    if corpus.is_dir() and any(corpus.iterdir()):
        cases = pii_metrics.generate_cases(pii_metrics.load_corpus(corpus)) + cases
    else:
        notes.append(f"{corpus} is absent: hand-written cases only")
    report = pii_metrics.evaluate(scrubber, cases, pii_metrics.policy_cases())
    out: metrics.Metrics = {"n.cases": float(sum(r.total for r in report.rows.values()))}
    for row in report.rows.values():
        if row.total:
            out[f"pii.recall.{row.kind}"] = row.recall
            out[f"pii.typed_recall.{row.kind}"] = row.typed_recall
            out[f"n.{row.kind}"] = float(row.total)
    out["pii.policy_fp_rate"] = report.fp_rate
    out["pii.extra_findings"] = float(report.extra_findings)
    notes += [f"miss ({kind}): {text}" for kind, text in report.misses]
    notes += [f"false positive: {text}" for text in report.false_positives]
    return out, notes
