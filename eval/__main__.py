"""``python -m eval``: run the golden sets through the assistant, report, and gate.

python -m eval                          # every set, report in eval/out/report.md
python -m eval --check                  # exit 1 if a metric is below its threshold
python -m eval --set policies --limit 40
python -m eval --set public3            # the held-back documents of shared/corpus/sv_public_3
python -m eval --mode openai --base-url http://localhost:11434/v1 --model qwen2.5:7b-instruct
PA_STORE_CACHE=.cache/stores python -m eval --check   # reuse ingested stores (eval/corpus.py)
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import time
from collections.abc import Iterable
from concurrent import futures
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import datetime
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from assistant.components import Components
from assistant.llm import LLMUnavailableError
from assistant.logging_setup import setup_logging
from assistant.pii import get_scrubber
from core import cli
from core.embeddings import create_embedder
from core.settings import Settings
from core.store import KnowledgeBase
from eval import corpus, golden, report, runner, thresholds

DEFAULT_REPORT = Path(__file__).resolve().parent / "out" / "report.md"
SETTINGS_SHOWN = (
    "answer_mode", "llm_base_url", "llm_model", "retrieval_mode", "fusion", "fusion_dense_weight",
    "fusion_sparse_weight", "top_k", "prefetch_k", "answer_threshold", "uncertain_threshold",
    "verify_threshold", "min_supported_ratio", "embedder", "embedding_model",
)  # fmt: skip
HEADLINE = (
    "answer.citation_precision", "answer.citation_recall", "answer.key_phrase", "answer.supported",
    "refusal.f1", "pii.golden.leak_free",
)  # fmt: skip


def build_parser() -> cli.Parser:
    """``python -m eval [--check] [--set …] …`` (one action: no subcommands)."""
    p = cli.Parser(prog="python -m eval", description=__doc__.split("\n")[0])
    p.add_argument("--set", choices=[*golden.SETS, "all"], default="all")
    p.add_argument("--check", action="store_true", help="exit 1 if a threshold is not met")
    p.add_argument("--report", type=Path, default=DEFAULT_REPORT, help="Markdown report path")
    p.add_argument("--thresholds", type=Path, default=thresholds.THRESHOLDS_FILE)
    p.add_argument("--mode", choices=["extractive", "openai", "ollama"], help="answer mode")
    p.add_argument("--base-url", help="LLM server URL (openai/ollama modes)")
    p.add_argument("--model", help="LLM model name (openai/ollama modes)")
    p.add_argument("--limit", type=int, help="N items of each set, spread evenly over it")
    p.add_argument(
        "--kinds", help="only these kinds, comma-separated (answerable,refusal,pii,followup)"
    )
    p.add_argument(
        "--shared-corpus", type=Path, default=corpus.SHARED_CORPUS, metavar="PATH",
        help="the shared corpus (the shared set's documents; PATH/pii_sv for the scrubber's "
        "generated cases); default ../shared/corpus",
    )  # fmt: skip
    p.add_argument(
        "--store-cache", type=Path, default=corpus.store_cache(), metavar="DIR",
        help=f"reuse ingested stores kept in DIR (written on first use; eval/corpus.py); "
        f"default ${corpus.CACHE_ENV}, unset: ingest every time",
    )  # fmt: skip
    return p


def overrides(args: argparse.Namespace) -> dict:
    """Settings overrides from the command line (everything else: defaults and PA_* vars)."""
    out: dict = {}
    if args.mode:
        out["answer_mode"] = args.mode
    if args.base_url:
        out["llm_base_url"] = args.base_url
    if args.model:
        out["llm_model"] = args.model
    return out


def open_corpus(
    name: str,
    settings: Settings,
    embedder,
    workdir: Path,
    ingested: Future | None = None,
    shared: Path = corpus.SHARED_CORPUS,
    cache: Path | None = None,
) -> tuple[KnowledgeBase, str, float]:
    """The store of set ``name``'s corpus under ``settings.data_dir`` (open; the caller closes
    it), with the ingestion summary and seconds. The corpus is ingested here (through the
    store cache ``cache``, if any), or was by a worker process (``ingested``: its future)."""
    if ingested is not None:
        summary, ingest_s = ingested.result()
        return KnowledgeBase(settings, embedder=embedder), summary, ingest_s
    t0 = time.perf_counter()
    folder = corpus.corpus_folder(name, workdir, shared)
    kb, report = corpus.open_ingested(settings, folder, embedder, cache)
    return kb, report.summary(), time.perf_counter() - t0


def run_set(
    name: str,
    items: list,
    kb: KnowledgeBase,
    settings: Settings,
    wait_for: Iterable[Future] = (),
) -> dict:
    """Evaluate a set on the store ``kb`` of its corpus (``settings``: the set's own data dir
    for the audit log; the store may be another set's). The questions are only asked once
    the ``wait_for`` ingestions are done, so that no background work skews the latencies."""
    missing = corpus.missing_documents(items, kb)
    if missing:
        raise RuntimeError(f"set {name}: expected documents not ingested: {missing}")
    futures.wait(list(wait_for))
    components = Components.build(settings, kb=kb)
    t1 = time.perf_counter()
    try:
        out = runner.evaluate(items, components, progress=runner.print_progress)
    finally:
        components.audit.close()
    out.update(eval_s=time.perf_counter() - t1, k=settings.top_k)
    return out


def skip_reason(name: str, shared: Path, golden_dir: Path = golden.GOLDEN_DIR) -> str | None:
    """Why set ``name`` cannot run (its golden file or its corpus is absent), or None."""
    missing = golden.missing_file(name, golden_dir)
    if missing is not None:
        shown = missing.relative_to(corpus.ROOT) if missing.is_relative_to(corpus.ROOT) else missing
        return f"{shown} does not exist"
    source = corpus.corpus_source(name, shared)
    return None if corpus.present(source) else f"{source} is absent"


def split_note(name: str, items: list) -> str:
    """How the set is split, with the items and documents of each half."""
    sizes = golden.split_sizes(items)
    how = {"set": "the whole set held back", "document": "by document", "item": "by item"}
    parts = [f"{half} {n['items']} items / {n['documents']} documents"
             for half, n in sizes.items()]  # fmt: skip
    return f"{how[golden.split(name, items)]}: " + ", ".join(parts)


def console_summary(run: dict) -> list[str]:
    """A few headline numbers per set for the terminal."""
    lines = []
    for name, data in run["sets"].items():
        m = data["metrics"]
        parts = [
            f"{mode} "
            + " ".join(f"{n} {m[f'retrieval.{mode}.{n}']:.3f}" for n in ("hit@1", "hit@5"))
            for mode in runner.MODES
            if m.get(f"retrieval.{mode}.hit@5") is not None
        ]
        parts += [f"{key} {m[key]:.3f}" for key in HEADLINE if m.get(key) is not None]
        lines.append(f"[{name}] " + "; ".join(parts))
    if run.get("pii"):
        pm = run["pii"]["metrics"]
        lines.append(
            f"[pii] personnummer recall {pm.get('pii.recall.personnummer', 0):.3f}, "
            f"policy false positives {pm.get('pii.policy_fp_rate', 0):.3f}"
        )
    if run.get("conflicts"):
        cm = run["conflicts"]["metrics"]
        lines.append(
            f"[conflicts] precision {cm['conflicts.precision']:.3f}, recall "
            f"{cm['conflicts.recall']:.3f} on {int(cm['n.pairs'])} golden pairs"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    started = time.perf_counter()
    setup_logging("WARNING")
    try:
        gates = thresholds.load(args.thresholds)
    except (OSError, thresholds.ThresholdError) as exc:
        print(f"thresholds: {exc}", file=sys.stderr)
        return 2
    names = list(golden.SETS) if args.set == "all" else [args.set]
    kinds = {k.strip() for k in args.kinds.split(",")} if args.kinds else None
    run: dict = {
        "started": datetime.now().isoformat(timespec="seconds"),
        "sets": {},
        "skipped": {},
        "ungated": {},
        "limit": args.limit,
    }
    shared: Path = args.shared_corpus
    for name in list(names):
        note = skip_reason(name, shared)
        if note:
            print(f"[{name}] skipped: {note} (its thresholds are not checked)", file=sys.stderr)
            run["skipped"][name] = note
            names.remove(name)
    try:
        whole = {name: golden.load_set(name) for name in names}
    except golden.GoldenError as exc:
        print(f"golden: {exc}", file=sys.stderr)
        return 2
    # One store per corpus: the sets over the same corpus (policies and everyday, shared and
    # everyday_shared) are asked on the store ingested for the first of them.
    corpora: dict[str, list[str]] = {}
    for name in names:
        corpora.setdefault(golden.REGISTRY[name].corpus, []).append(name)
    with (
        tempfile.TemporaryDirectory(prefix="pa-eval-") as tmp,
        ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool,
    ):
        workdir = Path(tmp)
        base = Settings(_env_file=None, data_dir=workdir / "base", **overrides(args))
        run["settings"] = {k: getattr(base, k) for k in SETTINGS_SHOWN}

        def store_settings(corpus_name: str) -> Settings:
            return Settings(_env_file=None, data_dir=workdir / f"store-{corpus_name}",
                            **overrides(args))  # fmt: skip

        # Corpora after the first are ingested by a worker process while this one ingests
        # the first (2 cores); questions are asked only when all ingestion is done.
        pending = {
            c: pool.submit(corpus.ingest_into, store_settings(c).data_dir,
                           corpus.corpus_folder(sets[0], workdir, shared), overrides(args),
                           args.store_cache)
            for c, sets in list(corpora.items())[1:]
        }  # fmt: skip
        embedder = create_embedder(base)
        for corpus_name, sets in corpora.items():
            try:
                kb, summary, ingest_s = open_corpus(
                    sets[0], store_settings(corpus_name), embedder, workdir,
                    pending.get(corpus_name), shared, args.store_cache,
                )  # fmt: skip
            except RuntimeError as exc:
                print(f"[{sets[0]}] {exc}", file=sys.stderr)
                return 2
            try:
                for i, name in enumerate(sets):
                    items = golden.select(whole[name], kinds, args.limit)
                    ingested = summary if i == 0 else f"the store of set {sets[0]} ({summary})"
                    shown = f"ingested in {ingest_s:.0f} s: {summary}" if i == 0 else (
                        f"asked on the store of set {sets[0]} (not ingested again)")  # fmt: skip
                    print(f"[{name}] {shown}", file=sys.stderr, flush=True)
                    settings = Settings(_env_file=None, data_dir=workdir / name,
                                        **overrides(args))  # fmt: skip
                    out = run_set(name, items, kb, settings, pending.values())
                    out.update(ingest=ingested, ingest_s=ingest_s if i == 0 else 0.0,
                               split=split_note(name, whole[name]))  # fmt: skip
                    run["sets"][name] = out
            except (LLMUnavailableError, RuntimeError, ValueError) as exc:
                print(f"[{name}] {exc}", file=sys.stderr)
                return 2
            finally:
                kb.close()
        pii_corpus = shared / "pii_sv"
        pii_metrics, notes = runner.scrubber_metrics(get_scrubber(base), pii_corpus)
        run["pii"] = {"metrics": pii_metrics, "notes": notes}
    conflict_metrics, conflict_notes = runner.conflict_metrics()
    run["conflicts"] = {"metrics": conflict_metrics, "notes": conflict_notes}
    sections = {name: data["metrics"] for name, data in run["sets"].items()}
    sections["pii"] = run["pii"]["metrics"]
    sections["conflicts"] = conflict_metrics
    # Metrics fed only by ../shared are not required without it (the project's own cases
    # still are); say which.
    optional: dict[str, list[str]] = {}
    if not corpus.present(pii_corpus):
        optional["pii"] = runner.shared_only_pii_metrics()
        print(f"[pii] generated cases skipped: {pii_corpus} is absent (hand-written cases only)",
              file=sys.stderr)  # fmt: skip
        lost = thresholds.unmeasured(sections["pii"], gates.get("pii", {}), optional["pii"])
        if lost:
            print(f"[pii] not required without {pii_corpus}: {', '.join(lost)}", file=sys.stderr)
            run["pii"]["notes"].append(f"not required without {pii_corpus}: {', '.join(lost)}")
    # Latency ceilings are for the extractive default; an LLM backend has its own latency,
    # and its statements are not quoted windows (no fragments to count).
    skip = ("latency.", "answer.fragments") if base.answer_mode != "extractive" else ()
    failures = thresholds.check_all(
        sections, gates, require_all=not (args.limit or kinds), skip_prefixes=skip,
        optional=optional,
    )  # fmt: skip
    for name in thresholds.ungated(sections, gates):
        note = f"no [{name}.min]/[{name}.max] table in {args.thresholds.name}: reported, not gated"
        print(f"[{name}] not gated: {note}", file=sys.stderr)
        run["ungated"][name] = note
    run.update(failures=failures, checked=args.check)
    run["runtime_s"] = time.perf_counter() - started
    written = report.write(run, args.report, gates)
    for line in console_summary(run):
        print(line)
    print(f"report: {written[0]} (items: {written[1].name}, metrics: {written[2].name})")
    if failures:
        print(f"{len(failures)} metric(s) below threshold:")
        for line in failures:
            print(f"  {line}")
    print(f"total time: {run['runtime_s']:.0f} s")
    return 1 if args.check and failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
