"""Markdown report, PNG plots and raw per-item JSONL of an evaluation run."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from eval.golden import STYLES
from eval.metrics import STAGES, Metrics, has_near_duplicates
from eval.thresholds import Section

ANSWER_ROWS = (
    ("answer.answered", "answered (items with a source)"),
    ("answer.citation_precision", "citation precision (cited passages in an expected section)"),
    ("answer.citation_recall", "citation recall (items citing ≥ 1 expected section)"),
    ("answer.key_phrase", "key phrase in answer or cited quotes"),
    ("answer.fact", "answered, and the answer text states the key phrase"),
    ("answer.supported", "answer sentences verified as supported"),
    ("answer.fragments", "statements not ending at a source sentence end (extractive)"),
    ("answer.duplicates", "answers with two near-identical statements"),
    ("answer.words.p50", "words per answer, p50"),
    ("answer.words.p90", "words per answer, p90"),
)
REFUSAL_ROWS = ("refusal.precision", "refusal.recall", "refusal.f1", "refusal.accuracy")
BAND_ROWS = (
    ("band.answered", "answered (all items)"),
    ("band.uncertain", "uncertain (all items)"),
    ("band.refused", "refused (all items)"),
    ("band.unanswerable_answered", "items to refuse answered confidently"),
    ("band.answerable_refused", "answerable items refused"),
    ("band.answerable_uncertain", "answerable items uncertain"),
)
PII_ROWS = (
    ("pii.golden.leak_free", "PII items: no value left in redacted/standalone query"),
    ("pii.golden.no_partial_leak", "PII items: no word (≥ 3 chars) of a value left"),
    ("pii.golden.types", "PII items: every expected type reported"),
    ("pii.false_positive_rate", "questions without personal data with a redaction"),
)

SUMMARY_COLUMNS = (
    ("answer.citation_precision", "cit. precision"), ("answer.citation_recall", "cit. recall"),
    ("answer.key_phrase", "key phrase"), ("answer.fact", "fact"),
    ("answer.supported", "supported"), ("refusal.f1", "refusal F1"),
    ("latency.total.p50", "total p50 ms"), ("latency.total.p95", "total p95 ms"),
)  # fmt: skip


def _f(value: float | None, digits: int = 3) -> str:
    if value is None:
        return "–"
    return f"{value:.1f}" if abs(value) >= 10 else f"{value:.{digits}f}"


def _cell(text: object, limit: int = 160) -> str:
    s = " ".join(str(text).split())
    s = s if len(s) <= limit else s[: limit - 1] + "…"
    return s.replace("|", "\\|")


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows] + [""]


def _hit_names(metrics: Metrics, mode: str) -> list[str]:
    prefix = f"retrieval.{mode}."
    names = [n[len(prefix) :] for n in metrics if n.startswith(prefix)]
    hits = sorted((n for n in names if n.startswith("hit@")), key=lambda n: int(n[4:]))
    return hits + [n for n in names if not n.startswith("hit@")]


def _modes(metrics: Metrics) -> list[str]:
    found = {n.split(".")[1] for n in metrics if n.startswith("retrieval.")}
    return [m for m in ("dense", "sparse", "hybrid") if m in found] + sorted(
        found - {"dense", "sparse", "hybrid"}
    )


# --- plots ----------------------------------------------------------------------------------


def _save(fig, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_retrieval(metrics: Metrics, title: str, path: Path) -> Path:
    """Grouped bars: hit@k / MRR / recall per retrieval mode."""
    modes = _modes(metrics)
    names = _hit_names(metrics, modes[0]) if modes else []
    fig, ax = plt.subplots(figsize=(8, 4))
    width = 0.8 / max(len(modes), 1)
    for i, mode in enumerate(modes):
        values = [metrics.get(f"retrieval.{mode}.{n}") or 0.0 for n in names]
        xs = [j + i * width for j in range(len(names))]
        bars = ax.bar(xs, values, width, label=mode)
        ax.bar_label(bars, fmt="%.2f", fontsize=7)
    ax.set_xticks([j + width * (len(modes) - 1) / 2 for j in range(len(names))], names)
    ax.set_ylim(0, 1.08)
    ax.set_title(title)
    ax.legend(loc="lower right")
    return _save(fig, path)


def plot_latency(metrics: Metrics, title: str, path: Path) -> Path:
    """p50/p95 per stage (ms)."""
    stages = [s for s in STAGES if f"latency.{s}.p50" in metrics]
    fig, ax = plt.subplots(figsize=(8, 4))
    for i, q in enumerate(("p50", "p95")):
        values = [metrics[f"latency.{s}.{q}"] or 0.0 for s in stages]
        bars = ax.bar([j + i * 0.4 for j in range(len(stages))], values, 0.4, label=q)
        ax.bar_label(bars, fmt="%.0f", fontsize=7)
    ax.set_xticks([j + 0.2 for j in range(len(stages))], stages)
    ax.set_ylabel("ms")
    ax.set_title(title)
    ax.legend()
    return _save(fig, path)


def plot_groups(metrics: Metrics, key: str, names: list[str], title: str, path: Path) -> Path:
    """hit@5 and refusal accuracy per style (or kind)."""
    names = [n for n in names if f"{key}.{n}.n" in metrics]
    fig, ax = plt.subplots(figsize=(8, 4))
    for i, metric in enumerate(("hit@5", "refusal_accuracy")):
        values = [metrics.get(f"{key}.{n}.{metric}") or 0.0 for n in names]
        bars = ax.bar([j + i * 0.4 for j in range(len(names))], values, 0.4, label=metric)
        ax.bar_label(bars, fmt="%.2f", fontsize=7)
    ax.set_xticks([j + 0.2 for j in range(len(names))], names)
    ax.set_ylim(0, 1.08)
    ax.set_title(title)
    ax.legend(loc="lower right")
    return _save(fig, path)


def plot_pii(metrics: Metrics, path: Path) -> Path:
    """Scrubber recall per type."""
    kinds = [n[len("pii.recall.") :] for n in metrics if n.startswith("pii.recall.")]
    fig, ax = plt.subplots(figsize=(8, 4.5))
    values = [metrics[f"pii.recall.{k}"] or 0.0 for k in kinds]
    bars = ax.barh(kinds, values)
    ax.bar_label(bars, fmt="%.3f", fontsize=7)
    ax.set_xlim(0, 1.1)
    ax.invert_yaxis()
    ax.set_title("PII scrubber: recall per type")
    return _save(fig, path)


# --- failing questions ------------------------------------------------------------------------


def problems(record: dict, main_mode: str = "hybrid") -> list[str]:
    """What went wrong for one item (empty: nothing)."""
    out: list[str] = []
    if record["error"]:
        out.append("error")
    if record["should_refuse"] and not record["refused"]:
        out.append("answered, should refuse")
    if not record["should_refuse"] and record["refused"]:
        out.append("refused, should answer")
    rec = record.get("retrieval", {}).get(main_mode)
    if rec is not None and (rec["rank"] is None or rec["rank"] > 5):
        out.append(f"{main_mode} retrieval miss@5")
    if not record["should_refuse"] and not record["refused"]:
        if not any(record["cited_relevant"]):
            out.append("no expected section cited")
        if record["key_phrase_hit"] is False:
            out.append("key phrase missing")
        if record.get("fact_hit") is False:
            out.append("fact missing")
        if any(s.get("sentence_end") is False for s in record["sentences"]):
            out.append("fragment")
        if has_near_duplicates([s["text"] for s in record["sentences"]]):
            out.append("duplicate")
    if record["pii_leaked"] or record["pii_partial_leaks"]:
        out.append("PII leak")
    if record["pii_missing_types"]:
        out.append("PII type missing: " + ", ".join(record["pii_missing_types"]))
    if not record["pii_types"] and record["redactions"]:
        out.append("PII false positive: " + ", ".join(record["redactions"]))
    return out


def _got(record: dict, main_mode: str) -> str:
    if record["error"]:
        return record["error"]
    cited = [f"{c['document']} §{c['section']}" for c in record["citations"] if c["cited"]]
    band = record.get("band") or ("refused" if record["refused"] else "answered")
    parts = [band.upper() if record["refused"] else "cited: " + (", ".join(cited) or "none")]
    rec = record.get("retrieval", {}).get(main_mode)
    if rec is not None:
        top = [f"{h['document']} §{h['section']}" for h in rec["hits"][:3]]
        parts.append(f"{main_mode} top 3: " + ", ".join(top))
    if record["standalone_query"] != record["question"]:
        parts.append(f"query: {record['standalone_query']}")
    if record["redactions"]:
        parts.append("redacted: " + ", ".join(f"{t}×{n}" for t, n in record["redactions"].items()))
    return "; ".join(parts)


def _expected(record: dict) -> str:
    if not record["expected"]:
        return "refusal"
    text = ", ".join(f"{d} §{s}" if s else d for d, s in record["expected"])
    return text + (f" / «{record['key_phrase']}»" if record["key_phrase"] else "")


# --- markdown ---------------------------------------------------------------------------------


def _gate_rows(metrics: Metrics, section: Section | None) -> list[list[str]]:
    if section is None:
        return []
    rows = []
    for bound, table in (("≥", section.min), ("≤", section.max)):
        for name, limit in sorted(table.items()):
            value = metrics.get(name)
            ok = value is not None and (value >= limit if bound == "≥" else value <= limit)
            rows.append([name, _f(value), f"{bound} {_f(limit)}", "ok" if ok else "**FAIL**"])
    return rows


def set_section(name: str, data: dict, stem: str, folder: Path, gate: Section | None) -> list[str]:
    """The Markdown of one golden set (and its plots)."""
    m: Metrics = data["metrics"]
    modes = _modes(m)
    main = "hybrid" if "hybrid" in modes else (modes[0] if modes else "hybrid")
    lines = [f"## Set `{name}`", ""]
    lines += [
        f"{int(m['n.items'] or 0)} items ({int(m['n.with_expected'] or 0)} with a source, "
        f"{int(m['n.should_refuse'] or 0)} to refuse, {int(m['n.errors'] or 0)} errors). "
        f"Ingestion: {data.get('ingest', '–')} ({data.get('ingest_s', 0):.0f} s). "
        f"Evaluation: {data.get('eval_s', 0):.0f} s.",
        "",
    ]
    if data.get("split"):
        lines += [f"Calibration / held-back split (`eval.golden.split`): {data['split']}.", ""]
    gate_rows = _gate_rows(m, gate)
    if gate_rows:
        lines += ["### Gate", ""] + _table(["metric", "value", "threshold", ""], gate_rows)
    elif gate is None:
        lines += ["Not gated: the thresholds file has no table for this set.", ""]
    if modes:
        names = _hit_names(m, modes[0])
        lines += ["### Retrieval by mode", ""]
        lines += [
            f"Same knowledge base and queries (the service's `standalone_query`) for every mode; "
            f"depth = {data.get('k', '?')} passages; a hit is a passage in an expected "
            "(document, section) or a subsection of it.",
            "",
        ]
        lines += _table(
            ["mode", *names],
            [[mode] + [_f(m.get(f"retrieval.{mode}.{n}")) for n in names] for mode in modes],
        )
        png = plot_retrieval(m, f"{name}: retrieval", folder / f"{stem}-{name}-retrieval.png")
        lines += [f"![retrieval]({png.name})", ""]
    lines += ["### Answers", ""]
    lines += _table(["metric", "value"], [[label, _f(m.get(key))] for key, label in ANSWER_ROWS])
    held = f"held-out half ({int(m.get('heldout.n.items') or 0)} items)"
    lines += ["### Refusals", ""]
    lines += _table(
        ["metric", "value", held],
        [[key.split(".")[1], _f(m.get(key)), _f(m.get(f"heldout.{key}"))] for key in REFUSAL_ROWS],
    )
    lines += ["### Answer bands", ""]
    lines += [
        "`refused` counts uncertain and refused answers alike (`AskResponse.refused`); the "
        "bands tell them apart. The held-out half (`eval.golden.half`) is the half that "
        "answerability thresholds are not chosen on.",
        "",
    ]
    lines += _table(
        ["metric", "value", held],
        [[label, _f(m.get(key)), _f(m.get(f"heldout.{key}"))] for key, label in BAND_ROWS],
    )
    lines += ["### Personal data in the golden questions", ""]
    lines += _table(["metric", "value"], [[label, _f(m.get(key))] for key, label in PII_ROWS])
    stages = [s for s in STAGES if f"latency.{s}.p50" in m]
    if stages:
        lines += ["### Latency (ms, `timings_ms` of the service)", ""]
        lines += _table(
            ["stage", "p50", "p95"],
            [[s, _f(m[f"latency.{s}.p50"], 1), _f(m[f"latency.{s}.p95"], 1)] for s in stages],
        )
        png = plot_latency(m, f"{name}: latency per stage", folder / f"{stem}-{name}-latency.png")
        lines += [f"![latency]({png.name})", ""]
    for key, names in (("style", list(STYLES)), ("kind", sorted(_group_names(m, "kind")))):
        present = [n for n in names if f"{key}.{n}.n" in m]
        if not present:
            continue
        lines += [f"### By {key}", ""]
        lines += _table(
            [key, "n", f"hit@5 ({main})", "refusal accuracy"],
            [
                [
                    n,
                    str(int(m[f"{key}.{n}.n"] or 0)),
                    _f(m.get(f"{key}.{n}.hit@5")),
                    _f(m.get(f"{key}.{n}.refusal_accuracy")),
                ]
                for n in present
            ],
        )
        png = plot_groups(m, key, present, f"{name}: by {key}", folder / f"{stem}-{name}-{key}.png")
        lines += [f"![{key}]({png.name})", ""]
    failing = [(r, problems(r, main)) for r in data["results"]]
    failing = [(r, p) for r, p in failing if p]
    lines += [f"### Failing questions ({len(failing)})", ""]
    if failing:
        lines += _table(
            ["id", "problem", "question", "expected", "got"],
            [
                [
                    r["id"],
                    _cell("; ".join(p)),
                    _cell(r["question"]),
                    _cell(_expected(r)),
                    _cell(_got(r, main), 300),
                ]
                for r, p in failing
            ],
        )
    return lines


def _group_names(metrics: Metrics, key: str) -> set[str]:
    return {n.split(".")[1] for n in metrics if n.startswith(f"{key}.") and n.endswith(".n")}


def pii_section(data: dict, stem: str, folder: Path, gate: Section | None) -> list[str]:
    """The Markdown of the scrubber metrics."""
    m: Metrics = data["metrics"]
    lines = ["## PII scrubber (`eval/pii_metrics.py`)", ""]
    gate_rows = _gate_rows(m, gate)
    if gate_rows:
        lines += ["### Gate", ""] + _table(["metric", "value", "threshold", ""], gate_rows)
    kinds = [n[len("pii.recall.") :] for n in m if n.startswith("pii.recall.")]
    lines += _table(
        ["type", "n", "recall", "right type"],
        [
            [
                k,
                str(int(m[f"n.{k}"] or 0)),
                _f(m[f"pii.recall.{k}"]),
                _f(m[f"pii.typed_recall.{k}"]),
            ]
            for k in kinds
        ],
    )
    lines += [
        f"False positives on policy questions: {_f(m.get('pii.policy_fp_rate'))}; "
        f"extra findings in questions with personal data: {int(m.get('pii.extra_findings') or 0)}.",
        "",
    ]
    png = plot_pii(m, folder / f"{stem}-pii.png")
    lines += [f"![pii]({png.name})", ""]
    if data.get("notes"):
        lines += ["Notes:", ""] + [f"- {_cell(n, 300)}" for n in data["notes"]] + [""]
    return lines


def markdown(run: dict, stem: str, folder: Path, thresholds: Mapping[str, Section]) -> str:
    """The whole report; writes the plots into ``folder``."""
    lines = ["# Evaluation report", ""]
    s = run["settings"]
    lines += [
        f"- started {run['started']}, total {run['runtime_s']:.0f} s",
        f"- answer mode `{s['answer_mode']}`"
        + (
            f" (model `{s['llm_model']}` at {s['llm_base_url']})"
            if s["answer_mode"] != "extractive"
            else ""
        ),
        f"- retrieval `{s['retrieval_mode']}`, fusion `{s['fusion']}`"
        + (
            f" (weights dense {s['fusion_dense_weight']} / sparse {s['fusion_sparse_weight']})"
            if s["fusion"] == "rrf"
            else ""
        )  # fmt: skip
        + f", top_k {s['top_k']}, answerability thresholds answer {s['answer_threshold']} "
        f"/ uncertain {s['uncertain_threshold']}",
    ]
    if run.get("limit"):
        lines.append(f"- subset: {run['limit']} items per set, spread evenly")
    for name, reason in run.get("skipped", {}).items():
        lines.append(f"- set `{name}` skipped: {reason}")
    for name, reason in run.get("ungated", {}).items():
        lines.append(f"- set `{name}` not gated: {reason}")
    lines.append("")
    if run.get("checked"):
        failures = run.get("failures", [])
        lines += [f"**Gate: {'FAIL' if failures else 'pass'}**", ""]
        lines += [f"- {f}" for f in failures] + ([""] if failures else [])
    summary = [
        [name, mode] + [_f(d["metrics"].get(f"retrieval.{mode}.{n}")) for n in ("hit@1", "hit@5")]
        + [_f(d["metrics"].get(f"retrieval.{mode}.mrr"))]
        for name, d in run["sets"].items()
        for mode in _modes(d["metrics"])
    ]  # fmt: skip
    if summary:
        lines += ["## Summary", ""]
        lines += _table(["set", "mode", "hit@1", "hit@5", "MRR"], summary)
        rows = [
            [name] + [_f(d["metrics"].get(key), 1 if key.startswith("latency") else 3)
                      for key, _ in SUMMARY_COLUMNS]
            for name, d in run["sets"].items()
        ]  # fmt: skip
        lines += _table(["set"] + [label for _, label in SUMMARY_COLUMNS], rows)
    for name, data in run["sets"].items():
        lines += set_section(name, data, stem, folder, thresholds.get(name))
    if run.get("pii"):
        lines += pii_section(run["pii"], stem, folder, thresholds.get("pii"))
    if run.get("conflicts"):
        lines += conflict_section(run, thresholds.get("conflicts"))
    return "\n".join(lines) + "\n"


def conflict_section(run: dict, gate: Section | None) -> list[str]:
    """The detector on its golden pairs, and every answer of the sets that warned of one."""
    data = run["conflicts"]
    m = data["metrics"]
    lines = ["## Documents that disagree (`assistant/conflicts.py`)", ""]
    lines += [
        f"Golden pairs (`eval/golden/conflicts.jsonl`): {int(m['n.pairs'])}, of which "
        f"{int(m['n.conflicting'])} disagree; precision {_f(m['conflicts.precision'])}, "
        f"recall {_f(m['conflicts.recall'])}.",
        "",
    ]
    lines += _table(["metric", "value", "gate", ""], _gate_rows(m, gate))
    lines += [f"- {_cell(n, 300)}" for n in data["notes"]] + [""]
    warned = [(name, r) for name, d in run["sets"].items() for r in d["results"]
              if r.get("conflicts")]  # fmt: skip
    lines += [f"Answers that warned of a conflict: {len(warned)}", ""]
    lines += [f"- {name} `{r['id']}`: {_cell(msg, 400)}" for name, r in warned
              for msg in r["conflicts"]]  # fmt: skip
    return lines + [""]


def write(run: dict, path: Path, thresholds: Mapping[str, Section]) -> list[Path]:
    """Write ``path`` (Markdown), plots, ``<stem>.jsonl`` (items) and ``<stem>-metrics.json``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    stem = path.stem
    path.write_text(markdown(run, stem, path.parent, thresholds), encoding="utf-8")
    items = path.with_name(f"{stem}.jsonl")
    with items.open("w", encoding="utf-8") as fh:
        for name, data in run["sets"].items():
            for record in data["results"]:
                fh.write(json.dumps({"set": name, **record}, ensure_ascii=False) + "\n")
    summary = path.with_name(f"{stem}-metrics.json")
    doc = {
        "settings": run["settings"],
        "runtime_s": run["runtime_s"],
        "failures": run.get("failures", []),
        "sets": {name: data["metrics"] for name, data in run["sets"].items()},
        "pii": run["pii"]["metrics"] if run.get("pii") else None,
        "conflicts": run["conflicts"]["metrics"] if run.get("conflicts") else None,
    }
    summary.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    return [path, items, summary]
