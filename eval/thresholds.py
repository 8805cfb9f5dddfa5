"""Quality gate: metrics against ``eval/thresholds.toml``.

The file has one table per section (``policies``, ``shared``, ``pii``), each with a ``min``
table (a metric below fails) and a ``max`` table (a metric above fails, e.g. latency).
Some floors are fixed here and cannot be lowered from the file (``HARD_FLOORS``). A section
without a table (a new set: ``everyday``, ``everyday_shared``, ``public3``) is not gated; the
run reports it (:func:`ungated`).
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

THRESHOLDS_FILE = Path(__file__).resolve().with_name("thresholds.toml")
# Product requirements: never lowered to make a run pass. The target refusal F1 >= 0.85
# is NOT a floor here yet: the extractive (no-LLM) default measures 0.55 on the adversarial
# refusal questions of the golden set, so gating on it would block every change. Its gate in
# thresholds.toml is the measured value minus the usual margin until answerability improves.
HARD_FLOORS: dict[str, dict[str, float]] = {
    "policies": {"retrieval.hybrid.hit@5": 0.9},
    "pii": {"pii.recall.personnummer": 1.0},
}


class ThresholdError(ValueError):
    """The thresholds file is malformed or lowers a hard floor."""


@dataclass
class Section:
    """Thresholds of one section: ``min`` (≥) and ``max`` (≤) per metric name."""

    min: dict[str, float] = field(default_factory=dict)
    max: dict[str, float] = field(default_factory=dict)

    @classmethod
    def of(cls, value: Section | Mapping) -> Section:
        if isinstance(value, Section):
            return value
        return cls(dict(value.get("min", {})), dict(value.get("max", {})))


def parse(data: Mapping, floors: Mapping[str, Mapping[str, float]] = HARD_FLOORS) -> dict:
    """Validate parsed TOML; hard floors are added where missing. Returns name → Section."""
    sections: dict[str, Section] = {}
    for name, table in data.items():
        if not isinstance(table, Mapping) or set(table) - {"min", "max"}:
            raise ThresholdError(f"[{name}] may only contain [{name}.min] and [{name}.max]")
        section = Section.of(table)
        for metric, value in (*section.min.items(), *section.max.items()):
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise ThresholdError(f"{name}.{metric}: not a number")
        sections[name] = section
    for name, required in floors.items():
        section = sections.setdefault(name, Section())
        for metric, floor in required.items():
            value = section.min.setdefault(metric, floor)
            if value < floor:
                raise ThresholdError(
                    f"{name}.min.{metric} = {value} is below the hard floor {floor}"
                )
    return sections


def load(path: Path = THRESHOLDS_FILE) -> dict[str, Section]:
    """Read and validate a thresholds file."""
    with path.open("rb") as fh:
        return parse(tomllib.load(fh))


def _fmt(value: float) -> str:
    return f"{value:.1f}" if abs(value) >= 10 else f"{value:.3f}"


def check(
    metrics: Mapping[str, float | None],
    thresholds: Section | Mapping,
    require_all: bool = True,
    skip_prefixes: Iterable[str] = (),
    optional: Iterable[str] = (),
) -> list[str]:
    """Every violated threshold as a readable line ([] = pass).

    A metric that was not measured (absent or None) fails when ``require_all`` (a full run)
    and is skipped otherwise (a ``--limit`` subset may lack, e.g., refusal items), and
    always when it is in ``optional`` (its input, e.g. ``../shared``, is absent; a measured
    optional metric is checked as usual). Metrics whose name starts with one of
    ``skip_prefixes`` are not checked.
    """
    section = Section.of(thresholds)
    skip = tuple(skip_prefixes)
    optional = frozenset(optional)
    failures: list[str] = []
    for bound, table in (("min", section.min), ("max", section.max)):
        for name, limit in sorted(table.items()):
            if skip and name.startswith(skip):
                continue
            value = metrics.get(name)
            if value is None or (isinstance(value, float) and math.isnan(value)):
                if require_all and name not in optional:
                    failures.append(f"{name}: not measured (threshold {bound} {_fmt(limit)})")
                continue
            if bound == "min" and value < limit:
                failures.append(f"{name} = {_fmt(value)} < {_fmt(limit)} (min)")
            elif bound == "max" and value > limit:
                failures.append(f"{name} = {_fmt(value)} > {_fmt(limit)} (max)")
    return failures


def unmeasured(
    metrics: Mapping[str, float | None], thresholds: Section | Mapping, names: Iterable[str]
) -> list[str]:
    """The gated metrics among ``names`` that were not measured (sorted)."""
    section = Section.of(thresholds)
    gated = set(section.min) | set(section.max)
    return sorted(
        n for n in set(names) & gated
        if metrics.get(n) is None or (isinstance(metrics[n], float) and math.isnan(metrics[n]))
    )  # fmt: skip


def check_all(
    results: Mapping[str, Mapping[str, float | None]],
    thresholds: Mapping[str, Section | Mapping],
    require_all: bool = True,
    skip_prefixes: Iterable[str] = (),
    optional: Mapping[str, Iterable[str]] | None = None,
) -> list[str]:
    """Check each section that was run (``results``: section → metrics); prefixed lines.
    ``optional``: per section, metrics not required when unmeasured (see :func:`check`)."""
    failures: list[str] = []
    for name, metrics in results.items():
        if name in thresholds:
            extra = (optional or {}).get(name, ())
            lines = check(metrics, thresholds[name], require_all, skip_prefixes, extra)
            failures += [f"{name}: {line}" for line in lines]
    return failures


def ungated(
    results: Mapping[str, Mapping[str, float | None]], thresholds: Mapping[str, Section | Mapping]
) -> list[str]:
    """The sections that were run but have no table in the thresholds file (a new set, e.g.
    ``everyday`` or ``public3``): :func:`check_all` reports nothing for them; they are
    reported, not gated, until their thresholds are set from a measured run."""
    return [name for name in results if name not in thresholds]


# --- suggesting thresholds from a measured run ---------------------------------------------

# (section pattern, metric pattern) of the gated metrics; fnmatch patterns.
GATED_MIN = (
    ("*", "retrieval.*.hit@1"), ("*", "retrieval.*.hit@5"), ("*", "retrieval.*.mrr"),
    ("*", "retrieval.*.recall@*"), ("*", "answer.answered"), ("*", "answer.citation_*"),
    ("*", "answer.key_phrase"), ("*", "answer.fact"), ("*", "answer.supported"),
    ("*", "refusal.*"), ("*", "pii.golden.*"), ("*", "kind.*.hit@5"),
    ("policies", "style.*.hit@5"), ("policies", "style.*.refusal_accuracy"),
    ("pii", "pii.recall.*"), ("pii", "pii.typed_recall.personnummer"),
)  # fmt: skip
GATED_MAX = (
    ("*", "pii.false_positive_rate"), ("pii", "pii.policy_fp_rate"),
    ("*", "latency.total.p50"), ("*", "latency.total.p95"),
    ("*", "answer.fragments"), ("*", "answer.duplicates"), ("*", "answer.words.*"),
    ("*", "heldout.band.unanswerable_answered"), ("*", "heldout.band.answerable_refused"),
    ("*", "heldout.band.answerable_uncertain"),
)  # fmt: skip
NO_MARGIN = frozenset({"pii.golden.leak_free", "pii.golden.no_partial_leak"})


def suggest(sections: Mapping[str, Mapping[str, float | None]], margin: float = 0.03) -> str:
    """``thresholds.toml`` text from measured metrics: minimums = value − ``margin`` (rounded
    down to 0.01), never below a hard floor; rates ≤ value + 0.01; latency ≤ 3 × value;
    answer length (``answer.words.*``) ≤ 1.2 × value words."""
    import fnmatch

    def gated(rules, section: str, metric: str) -> bool:
        return any(fnmatch.fnmatch(section, s) and fnmatch.fnmatch(metric, m) for s, m in rules)

    out: list[str] = []
    for section, metrics in sections.items():
        mins, maxs = {}, {}
        for name, value in sorted(metrics.items()):
            if value is None:
                continue
            if gated(GATED_MIN, section, name):
                v = value if name in NO_MARGIN else math.floor((value - margin) * 100) / 100
                mins[name] = max(v, HARD_FLOORS.get(section, {}).get(name, 0.0), 0.0)
            elif gated(GATED_MAX, section, name):
                if name.startswith("latency."):
                    maxs[name] = float(math.ceil(3 * value / 100) * 100)
                elif name.startswith("answer.words."):
                    maxs[name] = float(math.ceil(1.2 * value))
                else:
                    maxs[name] = round(value + 0.01, 2)
        for name, floor in HARD_FLOORS.get(section, {}).items():
            mins[name] = max(mins.get(name, floor), floor)
        for bound, table in (("min", mins), ("max", maxs)):
            if table:
                out.append(f"[{section}.{bound}]")
                out += [f'"{name}" = {value:.2f}' for name, value in table.items()] + [""]
    return "\n".join(out)


if __name__ == "__main__":  # python -m eval.thresholds eval/out/report-metrics.json
    import json
    import sys

    doc = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    print(suggest({**doc["sets"], **({"pii": doc["pii"]} if doc.get("pii") else {})}))
