"""Metrics over per-item records from :mod:`eval.runner` (flat ``name → value`` dicts).

A value is None when there is nothing to measure (e.g. refusal recall without refusal items).
Names: ``retrieval.<mode>.hit@5``, ``answer.citation_precision``, ``answer.fact``,
``answer.yes_no.precision``, ``answer.who.actor``, ``answer.time.stated``,
``band.unanswerable_answered``, ``refusal.f1``, ``pii.golden.leak_free``,
``latency.<stage>.p95`` (ms), ``style.<style>.hit@5``, ``heldout.refusal.f1``, ….
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from difflib import SequenceMatcher
from itertools import combinations

import numpy as np

from assistant.answer import ACTOR, STATES_TIME, framed_verdict
from eval.golden import STYLES, half

STAGES = ("scrub", "condense", "embed", "search", "expand", "answer", "verify", "total")
HIT_AT = (1, 3, 5)
BANDS = ("answered", "uncertain", "refused")
NEAR_DUPLICATE = 0.9  # difflib ratio from which two statements count as the same
Metrics = dict[str, float | None]
_MARKER = re.compile(r"\[\d+(?:\s*[,–-]\s*\d+)*\]")


def _mean(values: Iterable[float | bool]) -> float | None:
    vals = [float(v) for v in values]
    return sum(vals) / len(vals) if vals else None


def _ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def retrieval(results: list[dict], mode: str, k: int, prefix: str = "") -> Metrics:
    """hit@1/3/5, MRR and recall@k of one mode over items with expected sources."""
    recs = [r["retrieval"][mode] for r in results if mode in r.get("retrieval", {})]
    out: Metrics = {}
    for n in sorted({*HIT_AT, k}):
        out[f"{prefix}hit@{n}"] = _mean(bool(rec["rank"]) and rec["rank"] <= n for rec in recs)
    out[f"{prefix}mrr"] = _mean(1 / rec["rank"] if rec["rank"] else 0.0 for rec in recs)
    out[f"{prefix}recall@{k}"] = _mean(rec["recall"] for rec in recs)
    return out


def strip_markers(text: str) -> str:
    """``text`` without its citation markers ("[1]", "[2, 3]")."""
    return _MARKER.sub("", text)


def word_count(text: str) -> int:
    """Words of an answer text, without [n] markers (tokens with a letter or digit)."""
    return sum(any(ch.isalnum() for ch in tok) for tok in strip_markers(text).split())


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def states_fact(answer: str, key_phrase: str) -> bool:
    """The answer text itself (not the cited quotes) contains the key phrase
    (case- and whitespace-insensitive, [n] markers ignored)."""
    return _norm(key_phrase) in _norm(strip_markers(answer))


def _statement_key(text: str) -> str:
    return " ".join(re.sub(r"[^\w§]+", " ", strip_markers(text).casefold()).split())


def has_near_duplicates(texts: Sequence[str], ratio: float = NEAR_DUPLICATE) -> bool:
    """Two statements of near-identical text: after normalising (case, punctuation, markers),
    one contains the other (as whole words) or their difflib ratio is ≥ ``ratio``."""
    keys = [k for k in map(_statement_key, texts) if k]
    return any(
        f" {a} " in f" {b} " or f" {b} " in f" {a} " or SequenceMatcher(None, a, b).ratio() >= ratio
        for a, b in combinations(keys, 2)
    )


def band(record: dict) -> str:
    """The record's answer band (records without one: "refused" if refused, else "answered")."""
    return record.get("band") or ("refused" if record["refused"] else "answered")


def answers(results: list[dict]) -> Metrics:
    """Citation precision/recall, key phrase and fact, verified sentences, and the shape of
    answered responses: fragments, duplicate statements, length in words."""
    should = [r for r in results if not r["should_refuse"]]
    answered = [r for r in should if not r["refused"]]
    cited = [ok for r in answered for ok in r["cited_relevant"]]
    sentences = [s["supported"] for r in results if not r["refused"] for s in r["sentences"]]
    confident = [r for r in results if band(r) == "answered"]
    # statements whose span is known (extractive mode): does each end where a source sentence ends?
    ends = [
        s["sentence_end"]
        for r in confident
        if r.get("mode") == "extractive"
        for s in r["sentences"]
        if s.get("sentence_end") is not None
    ]
    words = [r["answer_words"] for r in confident if r.get("answer_words") is not None]
    return kinds_stated(confident) | {
        "answer.answered": _mean(not r["refused"] for r in should),
        "answer.citation_precision": _mean(cited),
        "answer.citation_recall": _mean(any(r["cited_relevant"]) for r in should),
        "answer.key_phrase": _mean(
            bool(r["key_phrase_hit"]) for r in should if r["key_phrase"] is not None
        ),
        "answer.fact": _mean(
            bool(r.get("fact_hit")) and band(r) == "answered"
            for r in should
            if r["key_phrase"] is not None
        ),
        "answer.supported": _mean(sentences),
        "answer.fragments": _mean(not end for end in ends),
        "answer.duplicates": _mean(
            has_near_duplicates([s["text"] for s in r["sentences"]]) for r in confident
        ),
        "answer.words.p50": float(np.percentile(words, 50)) if words else None,
        "answer.words.p90": float(np.percentile(words, 90)) if words else None,
    }


def kinds_stated(confident: list[dict]) -> Metrics:
    """Over confidently answered items: yes/no framing against the item's ``verdict``
    (precision over framed answers, coverage over verdict items), and whether the answer to
    a question asking ``who`` names an actor, to one asking a ``time`` states one."""
    with_verdict = [(r["verdict"], framed_verdict(r.get("answer") or "")) for r in confident
                    if r.get("verdict")]  # fmt: skip
    framed = [(want, got) for want, got in with_verdict if got is not None]

    def stated(asks: str, pattern: re.Pattern[str]) -> float | None:
        texts = [strip_markers(r.get("answer") or "") for r in confident if r.get("asks") == asks]
        return _mean(pattern.search(t) is not None for t in texts)

    return {
        "answer.yes_no.precision": _mean(want == got for want, got in framed),
        "answer.yes_no.coverage": _mean(got is not None for _, got in with_verdict),
        "answer.who.actor": stated("who", ACTOR),
        "answer.time.stated": stated("time", STATES_TIME),
    }


def bands(results: list[dict]) -> Metrics:
    """Three-band confusion: shares of answered / uncertain / refused over all items, and
    the confident mistakes (an unanswerable item answered, an answerable one refused or
    uncertain)."""
    should = [r for r in results if r["should_refuse"]]
    answerable = [r for r in results if not r["should_refuse"]]
    out: Metrics = {f"band.{b}": _mean(band(r) == b for r in results) for b in BANDS}
    out["band.unanswerable_answered"] = _mean(band(r) == "answered" for r in should)
    out["band.answerable_refused"] = _mean(band(r) == "refused" for r in answerable)
    out["band.answerable_uncertain"] = _mean(band(r) == "uncertain" for r in answerable)
    return out


def refusals(results: list[dict]) -> Metrics:
    """Precision/recall/F1 of refusing (positive = the item should be refused)."""
    tp = sum(r["refused"] and r["should_refuse"] for r in results)
    predicted = sum(bool(r["refused"]) for r in results)
    positives = sum(bool(r["should_refuse"]) for r in results)
    precision = (tp / predicted if predicted else 0.0) if positives else None
    recall = _ratio(tp, positives)
    f1 = None
    if precision is not None and recall is not None:
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "refusal.precision": precision,
        "refusal.recall": recall,
        "refusal.f1": f1,
        "refusal.accuracy": _mean(r["refused"] == r["should_refuse"] for r in results),
    }


def pii(results: list[dict]) -> Metrics:
    """Golden PII items: nothing leaks, expected types reported; false positives elsewhere."""
    with_pii = [r for r in results if r["pii_types"]]
    without = [r for r in results if not r["pii_types"]]
    return {
        "pii.golden.leak_free": _mean(not r["pii_leaked"] for r in with_pii),
        "pii.golden.no_partial_leak": _mean(not r["pii_partial_leaks"] for r in with_pii),
        "pii.golden.types": _mean(not r["pii_missing_types"] for r in with_pii),
        "pii.false_positive_rate": _mean(bool(r["redactions"]) for r in without),
    }


def latency(results: list[dict]) -> Metrics:
    """p50/p95 in ms per stage of ``timings_ms`` (stages that ran)."""
    out: Metrics = {}
    for stage in STAGES:
        values = [r["timings"][stage] for r in results if stage in r.get("timings", {})]
        if values:
            out[f"latency.{stage}.p50"] = float(np.percentile(values, 50))
            out[f"latency.{stage}.p95"] = float(np.percentile(values, 95))
    return out


def groups(results: list[dict], key: str, names: Iterable[str], mode: str) -> Metrics:
    """Per ``style`` (or ``kind``): count, hit@5 of ``mode`` and refusal accuracy."""
    out: Metrics = {}
    for name in names:
        part = [r for r in results if r[key] == name]
        if not part:
            continue
        recs = [r["retrieval"][mode] for r in part if mode in r.get("retrieval", {})]
        out[f"{key}.{name}.n"] = float(len(part))
        out[f"{key}.{name}.hit@5"] = _mean(
            rec["rank"] is not None and rec["rank"] <= 5 for rec in recs
        )
        out[f"{key}.{name}.refusal_accuracy"] = _mean(
            r["refused"] == r["should_refuse"] for r in part
        )
    return out


def compute(results: list[dict], modes: Iterable[str] = ("hybrid",), k: int = 5) -> Metrics:
    """All metrics of one set."""
    modes = tuple(modes)
    main = "hybrid" if "hybrid" in modes else modes[0]
    out: Metrics = {
        "n.items": float(len(results)),
        "n.with_expected": float(sum(bool(r["expected"]) for r in results)),
        "n.should_refuse": float(sum(bool(r["should_refuse"]) for r in results)),
        "n.errors": float(sum(bool(r["error"]) for r in results)),
    }
    for mode in modes:
        out |= retrieval(results, mode, k, prefix=f"retrieval.{mode}.")
    out |= answers(results) | bands(results) | refusals(results) | pii(results)
    out |= latency(results) | groups(results, "style", STYLES, main)
    kinds = sorted({r["kind"] for r in results})
    out |= groups(results, "kind", kinds, main)
    return out | heldout(results)


def heldout(results: list[dict]) -> Metrics:
    """Answer, band and refusal metrics on the held-back half (``eval.golden.half``), prefixed
    ``heldout.``: answerability thresholds are chosen on the other half and reported here."""
    part = [r for r in results if half(r["id"]) == "heldout"]
    if not part:
        return {"heldout.n.items": 0.0}
    inner = answers(part) | bands(part) | refusals(part)
    return {"heldout.n.items": float(len(part))} | {f"heldout.{k}": v for k, v in inner.items()}
