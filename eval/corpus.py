"""The documents each golden set is asked against, and their ingestion into a fresh store."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from eval.golden import GoldenItem
from ingest.pipeline import Ingestor, IngestReport
from ingest.settings import Settings
from ingest.store import KnowledgeBase

ROOT = Path(__file__).resolve().parents[1]
POLICIES_DIR = ROOT / "policies"
SHARED_CORPUS = ROOT.parent / "shared" / "corpus"
# The shared set covers MSB's method support (all chapters; PROVENANCE.md is corpus metadata,
# not a text) and Karlshamn's IT and information security policy.
SHARED_GLOBS = ("msb_metodstod_sv/*.md", "kommun_sv/karlshamn_7.54-IT-och-*.pdf")
SHARED_EXCLUDE = frozenset({"PROVENANCE.md"})


def shared_files(corpus: Path = SHARED_CORPUS) -> list[Path]:
    """The shared-corpus files of the shared set (sorted)."""
    files = {p for pattern in SHARED_GLOBS for p in corpus.glob(pattern) if p.is_file()}
    return sorted(p for p in files if p.name not in SHARED_EXCLUDE)


def stage_shared(target: Path, corpus: Path = SHARED_CORPUS) -> Path:
    """Copy the shared-set files flat into ``target``: document id = id of the file name."""
    target.mkdir(parents=True, exist_ok=True)
    for path in shared_files(corpus):
        shutil.copy2(path, target / path.name)
    return target


def corpus_folder(set_name: str, workdir: Path) -> Path:
    """The folder to ingest for a set (the shared corpus is staged under ``workdir``)."""
    if set_name == "policies":
        return POLICIES_DIR
    if not SHARED_CORPUS.is_dir():
        raise FileNotFoundError(SHARED_CORPUS)
    return stage_shared(workdir / "shared-corpus")


def ingest(kb: KnowledgeBase, folder: Path) -> IngestReport:
    """Ingest ``folder``; raises RuntimeError if a file failed."""
    report = Ingestor(kb).ingest([folder])
    if not report.ok:
        failed = [f"{r.source}: {r.error}" for r in report.results if r.status == "failed"]
        raise RuntimeError("ingestion failed: " + "; ".join(failed))
    return report


def missing_documents(items: list[GoldenItem], kb: KnowledgeBase) -> list[str]:
    """Expected document ids that are not in the knowledge base (a renamed file, say)."""
    have = set(kb.documents())
    wanted = {e.document for item in items for e in item.expected}
    return sorted(wanted - have)


def ingest_into(data_dir: Path, folder: Path, overrides: dict) -> tuple[str, float]:
    """Ingest ``folder`` into a fresh store at ``data_dir`` and close it (run in a worker
    process, so that a second set is ingested while the first is evaluated).

    Returns the ingestion summary and its duration in seconds.
    """
    started = time.perf_counter()
    kb = KnowledgeBase(Settings(_env_file=None, data_dir=data_dir, **overrides))
    try:
        return ingest(kb, folder).summary(), time.perf_counter() - started
    finally:
        kb.close()
