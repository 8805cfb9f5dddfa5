"""Memory benchmark: resident memory of the assistant at each stage, and the store's size.

    python -m eval.bench.memory [--chunks 10000]

One process, an embedded Qdrant store in a temporary folder. Prints VmRSS (from
``/proc/self/status``) after: the interpreter starts, the imports, ``Components.build``
(embedder, scrubber, store, audit), ingesting ``policies/``, the first answer, growing the
collection to ``--chunks`` synthetic chunks (as ``eval.bench.query`` does) and answering
again; plus the peak (VmHWM) and the store's size on disk. Sizing numbers for a server or
container memory limit; the API process adds uvicorn and request buffers on top.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from core import cli

ROOT = Path(__file__).resolve().parents[2]


def _status() -> dict[str, int]:
    out = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0]) * 1024
    return out


def _mib(n: int) -> str:
    return f"{n / 2**20:7.0f} MiB"


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def build_parser() -> cli.Parser:
    parser = cli.Parser(prog="python -m eval.bench.memory", description=__doc__.split("\n")[0])
    parser.add_argument("--chunks", type=int, default=10_000)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    rows = [("interpreter", _status()["VmRSS"])]

    from assistant.access import unrestricted
    from assistant.api import present
    from assistant.components import Components
    from assistant.schemas import AskRequest
    from core.settings import Settings
    from eval.bench.query import _grow, _questions
    from ingest.pipeline import Ingestor

    rows.append(("imports", _status()["VmRSS"]))
    question = _questions(1)[0]
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(_env_file=None, data_dir=Path(tmp))
        components = Components.build(settings)
        everyone = unrestricted(settings)
        try:
            rows.append(("Components.build (empty store)", _status()["VmRSS"]))
            Ingestor(components.kb).ingest([ROOT / "policies"])
            n = components.kb.count()
            rows.append((f"ingested policies/ ({n} chunks)", _status()["VmRSS"]))
            present.ask(components.service, AskRequest(question=question), everyone)
            rows.append(("after the first answer", _status()["VmRSS"]))
            disk_small = _du(settings.qdrant_location)
            n = _grow(components, args.chunks)
            rows.append((f"grown to {n} chunks", _status()["VmRSS"]))
            present.ask(components.service, AskRequest(question=question), everyone)
            rows.append((f"answer at {n} chunks", _status()["VmRSS"]))
            disk_large = _du(settings.qdrant_location)
        finally:
            components.close()
    print("stage                                      RSS")
    for name, rss in rows:
        print(f"{name:<36} {_mib(rss)}")
    print(f"{'peak (VmHWM)':<36} {_mib(_status()['VmHWM'])}")
    print(f"\nembedded store on disk: {_mib(disk_small)} at the sample corpus, "
          f"{_mib(disk_large)} at {n} chunks")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
