"""PII scrubbing benchmark: time per query for :meth:`PiiScrubber.scrub`.

    python -m eval.bench.pii [--n 300] [--rounds 3]

Queries: questions generated from ``shared/corpus/pii_sv`` (if present) plus the
hand-written tricky and policy questions in :mod:`eval.pii_cases`. The scrubber is built
and warmed up first; the numbers are per call, as the ask path sees them.
"""

from __future__ import annotations

import statistics
import time

from assistant.pii import PiiScrubber
from core import cli
from core.settings import Settings
from eval.pii_metrics import DEFAULT_CORPUS, generate_cases, load_corpus, policy_cases, tricky_cases


def queries(n: int) -> list[str]:
    """Generated questions (when the corpus exists) + tricky + policy questions."""
    texts = [c.text for c in tricky_cases() + policy_cases()]
    if DEFAULT_CORPUS.is_dir():
        texts += [c.text for c in generate_cases(load_corpus(DEFAULT_CORPUS), n=n)]
    return texts


def build_parser() -> cli.Parser:
    parser = cli.Parser(prog="python -m eval.bench.pii", description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=300, help="generated questions")
    parser.add_argument("--rounds", type=int, default=3, help="passes over all queries")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    started = time.perf_counter()
    scrubber = PiiScrubber(Settings(_env_file=None))
    build_s = time.perf_counter() - started
    texts = queries(args.n)
    for text in texts[:20]:  # warm-up: lazy loads, regex compilation
        scrubber.scrub(text)

    times_ms: list[float] = []
    for _ in range(args.rounds):
        for text in texts:
            t0 = time.perf_counter()
            scrubber.scrub(text)
            times_ms.append((time.perf_counter() - t0) * 1000)
    times_ms.sort()
    q = statistics.quantiles(times_ms, n=100)
    print(f"scrubber build: {build_s * 1000:.0f} ms")
    print(f"queries: {len(texts)} x {args.rounds} rounds = {len(times_ms)} calls")
    print(
        f"per query: p50 {q[49]:.2f} ms  p95 {q[94]:.2f} ms  mean "
        f"{statistics.fmean(times_ms):.2f} ms  max {times_ms[-1]:.2f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
