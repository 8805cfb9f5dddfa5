"""Query-path benchmark (no LLM): p50/p95 per stage at the sample corpus and at ≥ 10k chunks.

    python -m eval.bench.query [--questions 60] [--chunks 10000]

Ingests policies/ into a temporary embedded store, runs golden questions through the ask path the
API uses (``assistant.api.present.ask``), then grows the collection with synthetic chunks and
runs the questions again. Synthetic chunks are copies of the real ones with a small random
rotation of their dense vector (same payload shape, same sparse terms and sentence vectors,
new ids and document ids): realistic load for search and filtering without hours of embedding.
"""

from __future__ import annotations

import json
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
from qdrant_client import models as qm

from assistant.access import unrestricted
from assistant.api import present
from assistant.components import Components
from assistant.schemas import AskRequest
from core import cli, index
from core.settings import Settings
from ingest.pipeline import Ingestor

STAGES = ["scrub", "embed", "search", "expand", "answer", "verify", "total"]
GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "policies.jsonl"


def _questions(n: int) -> list[str]:
    items = [json.loads(line) for line in GOLDEN.read_text(encoding="utf-8").splitlines()]
    answerable = [i["question"] for i in items if i["kind"] == "answerable"]
    step = max(1, len(answerable) // n)
    return answerable[::step][:n]


def _run(components: Components, questions: list[str]) -> dict[str, tuple[float, float]]:
    timings: dict[str, list[float]] = {s: [] for s in STAGES}
    for q in questions:
        request, user = AskRequest(question=q), unrestricted(components.settings)
        response = present.ask(components.service, request, user)
        for stage in STAGES:
            timings[stage].append(response.timings_ms.get(stage, 0.0))
    return {
        s: (float(np.percentile(v, 50)), float(np.percentile(v, 95))) for s, v in timings.items()
    }


def _grow(components: Components, target: int, seed: int = 0) -> int:
    """Add synthetic copies of the stored chunks until the collection has ``target`` points."""
    kb = components.kb
    rng = np.random.default_rng(seed)
    with kb.lock:
        points, _ = kb.client.scroll(kb.collection, limit=10_000, with_vectors=True)
    copy, batch = 0, []
    while kb.count() + len(batch) < target:
        src = points[copy % len(points)]
        dense = np.asarray(src.vector[index.DENSE], dtype=np.float32)
        dense = dense + rng.normal(0, 0.02, dense.shape).astype(np.float32)
        payload = dict(src.payload)
        payload[index.DOC_ID] = f"synthetic-{copy // len(points)}-{payload[index.DOC_ID]}"
        vector = {index.DENSE: (dense / np.linalg.norm(dense)).tolist(),
                  index.SPARSE: src.vector[index.SPARSE]}  # fmt: skip
        if src.vector.get(index.SENTENCES):  # the copy's sentences are the source's
            vector[index.SENTENCES] = src.vector[index.SENTENCES]
        batch.append(qm.PointStruct(id=str(uuid.uuid4()), payload=payload, vector=vector))
        copy += 1
        if len(batch) == 500:
            with kb.lock:
                kb.client.upsert(kb.collection, batch)
            batch = []
    if batch:
        with kb.lock:
            kb.client.upsert(kb.collection, batch)
    return kb.count()


def _print(title: str, stats: dict[str, tuple[float, float]]) -> None:
    print(f"\n{title}")
    print("stage     p50 ms   p95 ms")
    for stage, (p50, p95) in stats.items():
        print(f"{stage:<8} {p50:7.1f}  {p95:7.1f}")


def build_parser() -> cli.Parser:
    parser = cli.Parser(prog="python -m eval.bench.query", description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=int, default=60)
    parser.add_argument("--chunks", type=int, default=10_000)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    questions = _questions(args.questions)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(_env_file=None, data_dir=Path(tmp))
        components = Components.build(settings)
        try:
            Ingestor(components.kb).ingest([Path("policies")])
            present.ask(
                components.service, AskRequest(question=questions[0]), unrestricted(settings)
            )  # warm-up
            n = components.kb.count()
            _print(f"sample corpus: {n} chunks, {len(questions)} questions",
                   _run(components, questions))  # fmt: skip
            started = time.perf_counter()
            n = _grow(components, args.chunks)
            print(f"\n(added synthetic chunks up to {n} in {time.perf_counter() - started:.0f} s)")
            _print(f"{n} chunks, {len(questions)} questions", _run(components, questions))
        finally:
            components.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
