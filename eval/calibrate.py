"""Fit the answerability model and its two band thresholds on the calibration half.

``python -m eval`` writes one JSON line per golden item (``eval/out/report.jsonl``) with the
answerability signals the service computed. This fits a logistic model (answerable vs not)
on the items of the **calibration** half of the given files and chooses the thresholds there:
``answer_threshold`` so that at most ``--unanswerable-answered`` of the unanswerable
calibration items are answered (or, with ``--answerable-answered``, so that that share of
the answerable ones is), ``uncertain_threshold`` so that at most
``--answerable-refused`` of the answerable ones are refused. It then reports the three bands
on the **held-out** half, which played no part in the fit. Paste the printed model into
``assistant/answerability.py`` and the thresholds into the settings defaults.

The records of a held-back set (``eval.golden.HELD_BACK_SETS``: ``public3``, documents the
system was never tuned on) are skipped altogether, and the run says how many: they measure
the system, never calibrate it, nor are they mixed into the held-out half reported here.

    python -m eval.calibrate eval/out/report.jsonl
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from assistant.answerability import FEATURES
from core import cli
from eval.golden import HELD_BACK_SETS


def load(paths: list[Path], held_back: dict[str, int] | None = None) -> list[dict]:
    """Records with answerability signals (errors and items without signals skipped, and
    those of held-back sets: counted per set into ``held_back`` when given)."""
    rows = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            if rec.get("set") in HELD_BACK_SETS:
                if held_back is not None:
                    held_back[rec["set"]] = held_back.get(rec["set"], 0) + 1
                continue
            if rec.get("answerability") and all(k in rec["answerability"] for k in FEATURES):
                rows.append(rec)
    return rows


def fit(x: np.ndarray, y: np.ndarray, l2: float = 1.0, steps: int = 60) -> tuple[np.ndarray, float]:
    """Class-balanced, L2-regularised logistic regression by Newton's method on standardised
    features; returns weights and bias for the raw features."""
    mu, sd = x.mean(0), x.std(0) + 1e-9
    z = np.hstack([(x - mu) / sd, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    cw = np.where(y == 0, (y == 1).sum() / max(1, (y == 0).sum()), 1.0)
    ridge = l2 * np.eye(len(w))
    ridge[-1, -1] = 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-z @ w))
        grad = z.T @ (cw * (p - y)) + ridge @ w
        hess = (z.T * (cw * p * (1 - p))) @ z + ridge
        w -= np.linalg.solve(hess, grad)
    return w[:-1] / sd, float(w[-1] - (w[:-1] * mu / sd).sum())


def bands(scores: np.ndarray, hi: float, lo: float) -> np.ndarray:
    return np.where(scores >= hi, "answered", np.where(scores >= lo, "uncertain", "refused"))


def report(rows: list[dict], scores: np.ndarray, hi: float, lo: float) -> dict[str, float]:
    y = np.array([not r["should_refuse"] for r in rows])
    b = bands(scores, hi, lo)
    not_answered = b != "answered"
    tp = float((not_answered & ~y).sum())
    precision = tp / max(1, not_answered.sum())
    recall = tp / max(1, (~y).sum())
    return {
        "n": float(len(rows)),
        "unanswerable_answered": float((b[~y] == "answered").mean()) if (~y).any() else 0.0,
        "answerable_refused": float((b[y] == "refused").mean()) if y.any() else 0.0,
        "answerable_uncertain": float((b[y] == "uncertain").mean()) if y.any() else 0.0,
        "answerable_answered": float((b[y] == "answered").mean()) if y.any() else 0.0,
        "refusal_f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
    }


def build_parser() -> cli.Parser:
    p = cli.Parser(prog="python -m eval.calibrate", description=__doc__.split("\n")[0])
    p.add_argument("records", type=Path, nargs="+", help="JSONL records of python -m eval")
    p.add_argument("--unanswerable-answered", type=float, default=0.08)
    p.add_argument("--answerable-refused", type=float, default=0.03)
    p.add_argument(
        "--answerable-answered",
        type=float,
        default=None,
        help="choose answer_threshold so that this share of answerable items is answered "
        "(instead of --unanswerable-answered)",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    skipped: dict[str, int] = {}
    rows = load(args.records, skipped)
    for name, n in sorted(skipped.items()):
        print(f"skipped {n} records of the held-back set {name} (never used for calibration)")
    cal = [r for r in rows if r["half"] == "calibration"]
    held = [r for r in rows if r["half"] == "heldout"]
    if not cal or not held:
        print("need records of both halves with answerability signals")
        return 2
    x = np.array([[r["answerability"][k] for k in FEATURES] for r in cal])
    y = np.array([0.0 if r["should_refuse"] else 1.0 for r in cal])
    w, b = fit(x, y)

    def scores(part: list[dict]) -> np.ndarray:
        v = np.array([[r["answerability"][k] for k in FEATURES] for r in part])
        return 1 / (1 + np.exp(-(v @ w + b)))

    sc = scores(cal)
    hi = float(np.quantile(sc[y == 0], 1 - args.unanswerable_answered))
    if args.answerable_answered is not None:
        hi = float(np.quantile(sc[y == 1], 1 - args.answerable_answered))
    lo = float(np.quantile(sc[y == 1], args.answerable_refused))
    weights = ", ".join(f"{v:.3f}" for v in w)
    print(f"DEFAULT_MODEL = Model(weights=({weights}), bias={b:.3f})")
    print(f"answer_threshold = {hi:.3f}, uncertain_threshold = {lo:.3f}")
    for name, part in (("calibration", cal), ("heldout", held)):
        numbers = report(part, scores(part), hi, lo)
        print(name, " ".join(f"{k} {v:.3f}" for k, v in numbers.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
