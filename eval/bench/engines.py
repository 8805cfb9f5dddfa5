"""The two embedded store engines side by side: the same golden questions through the API's
ask path (``assistant.api.present.ask``) on Qdrant Edge and on qdrant-client's local mode;
prints how many answers are the same (band, answer text, cited passages, scores to two decimals).

    python -m eval.bench.engines [--questions 400]

Each engine gets a fresh ingest of ``policies/`` (chunk ids differ between ingests, so
passages are compared by document, section and text).
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from assistant.access import unrestricted
from assistant.api import present
from assistant.components import Components
from assistant.schemas import AskRequest, AskResponse
from core import cli
from core.settings import Settings
from ingest.pipeline import Ingestor

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
ENGINES = ("edge", "local")


def _key(r: AskResponse) -> tuple:
    passages = [(c.document_id, c.section, c.start, c.end, c.cited) for c in r.citations]
    return (r.band, r.answer, passages, [round(c.score, 2) for c in r.citations],
            [x.ref for x in r.related])  # fmt: skip


def _run(engine: str, questions: list[str]) -> list[tuple]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(_env_file=None, data_dir=Path(tmp), qdrant_engine=engine)
        components = Components.build(settings)
        try:
            started = time.perf_counter()
            Ingestor(components.kb).ingest([Path("policies")])
            ingest_s = time.perf_counter() - started
            user = unrestricted(settings)
            started = time.perf_counter()
            out = [_key(present.ask(components.service, AskRequest(question=q), user))
                   for q in questions]  # fmt: skip
            asked_s = time.perf_counter() - started
            print(f"{engine:<6} ingest {ingest_s:6.1f} s, {components.kb.count()} chunks; "
                  f"{len(questions)} questions in {asked_s:.1f} s")  # fmt: skip
            return out
        finally:
            components.close()


def build_parser() -> cli.Parser:
    parser = cli.Parser(prog="python -m eval.bench.engines", description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=int, default=400)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    lines = (GOLDEN / "policies.jsonl").read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line)["question"] for line in lines][: args.questions]
    results = {engine: _run(engine, questions) for engine in ENGINES}
    same = sum(a == b for a, b in zip(*results.values(), strict=True))
    print(f"same answers on both engines: {same} of {len(questions)}")
    for q, a, b in zip(questions, *results.values(), strict=True):
        if a != b:
            print(f"- {q}\n  edge:  {a[0]} {a[1][:100]!r}\n  local: {b[0]} {b[1][:100]!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
