"""Metrics over per-item records from :mod:`eval.runner` (flat ``name → value`` dicts).

A value is None when there is nothing to measure (e.g. refusal recall without refusal items).
Names: ``retrieval.<mode>.hit@5``, ``answer.citation_precision``, ``refusal.f1``,
``pii.golden.leak_free``, ``latency.<stage>.p95`` (ms), ``style.<style>.hit@5``, ….
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from eval.golden import STYLES

STAGES = ("scrub", "condense", "embed", "search", "expand", "answer", "verify", "total")
HIT_AT = (1, 3, 5)
Metrics = dict[str, float | None]


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


def answers(results: list[dict]) -> Metrics:
    """Citation precision/recall, key-phrase hits and verified sentences."""
    should = [r for r in results if not r["should_refuse"]]
    answered = [r for r in should if not r["refused"]]
    cited = [ok for r in answered for ok in r["cited_relevant"]]
    sentences = [s["supported"] for r in results if not r["refused"] for s in r["sentences"]]
    return {
        "answer.answered": _mean(not r["refused"] for r in should),
        "answer.citation_precision": _mean(cited),
        "answer.citation_recall": _mean(any(r["cited_relevant"]) for r in should),
        "answer.key_phrase": _mean(
            bool(r["key_phrase_hit"]) for r in should if r["key_phrase"] is not None
        ),
        "answer.supported": _mean(sentences),
    }


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
    out |= answers(results) | refusals(results) | pii(results) | latency(results)
    out |= groups(results, "style", STYLES, main)
    kinds = sorted({r["kind"] for r in results})
    out |= groups(results, "kind", kinds, main)
    return out
