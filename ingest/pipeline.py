"""Incremental, idempotent ingestion: load → chunk → embed → store, one file at a time.

A document is identified by its path relative to the folder it was found in. It is skipped
when its content hash and the chunking settings are unchanged and all its chunks are stored;
otherwise its new chunks are built completely in memory, written under a new generation,
made current in one write, and only then are its old chunks deleted — a failure or a crash
at any step leaves exactly one version visible (core/store.py). Documents gone from the
folders given are deleted (``prune``): only those whose source lies under one of them.
"""

from __future__ import annotations

import fnmatch
import hashlib
import re
import time
import unicodedata
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Literal

from llama_index.core.schema import MetadataMode, NodeRelationship, RelatedNodeInfo, TextNode
from tqdm import tqdm

from core import index, review
from core.embeddings import token_counter
from core.store import DocumentInfo, KnowledgeBase
from ingest import corrections, trust
from ingest.chunking import Chunk, chunk_document
from ingest.laws import LAW_ORIGIN, LawDocument, apply_unit_refs, load_law
from ingest.loaders import Limits, LoadedDocument, LoadError
from ingest.metadata import DocumentMetadata, extract_metadata, parse_date
from ingest.reading import load

Status = Literal["new", "changed", "unchanged", "removed", "failed", "cancelled"]
PIPELINE_VERSION = "2"  # 2: lifecycle fields in the payload
_NAMESPACE = uuid.UUID("6f1d2c4e-8a43-4c59-9d0e-1b2a7f3c5e91")


@dataclass
class Built:
    """A document's chunks, embedded, and each chunk's sentence vectors (same order)."""

    nodes: list[TextNode]
    sentences: list[list[list[float]]]


@dataclass
class FileResult:
    document_id: str
    source: str
    status: Status
    chunks: int = 0
    error: str | None = None


@dataclass
class IngestReport:
    results: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0
    dry_run: bool = False
    unscoped: list[str] = field(default_factory=list)  # gone, but no recorded folder: kept

    @property
    def counts(self) -> Counter:
        return Counter(r.status for r in self.results)

    @property
    def ok(self) -> bool:
        return not any(r.status == "failed" for r in self.results)

    def summary(self) -> str:
        c = self.counts
        chunks = sum(r.chunks for r in self.results if r.status in ("new", "changed"))
        prefix = "Dry run — would ingest: " if self.dry_run else ""
        return (
            f"{prefix}{c['new']} new, {c['changed']} changed, {c['unchanged']} unchanged, "
            f"{c['removed']} removed, {c['failed']} failed; {chunks} chunks written; "
            f"{self.seconds:.1f} s"
        )


def document_id_for(relative: str) -> str:
    """URL-safe, stable id from a relative path: "Riktlinjer AI.docx" → "riktlinjer-ai-docx"."""
    folded = unicodedata.normalize("NFKD", relative).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")[:120] or "dokument"


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class IngestCancelled(Exception):
    """The caller asked an ingest to stop (an upload job was cancelled)."""


class Ingestor:
    """Ingests files and folders into a ``KnowledgeBase``."""

    def __init__(self, kb: KnowledgeBase, clean_title: Callable[[str], str] | None = None) -> None:
        """``clean_title``: applied to uploads' titles (the API removes personal data)."""
        self.kb = kb
        self.clean_title = clean_title
        s = kb.settings
        self.limits = Limits(
            max_bytes=int(s.max_file_mb * 1_000_000),
            max_unpacked_bytes=int(s.max_unpacked_mb * 1_000_000),
            max_ratio=s.max_compression_ratio,
            max_chars=s.max_document_chars,
        )
        self.count_tokens = token_counter(kb.embedder)
        self.chunker = hashlib.sha256(
            f"{PIPELINE_VERSION}|{s.chunk_max_tokens}|{s.chunk_min_tokens}".encode()
        ).hexdigest()[:12]

    # --- discovery ---------------------------------------------------------------------

    def discover(self, paths: list[Path]) -> list[tuple[Path, str]]:
        """(file, relative name) for every file under ``paths`` that is not excluded."""
        found: list[tuple[Path, str]] = []
        for root in paths:
            if root.is_file():
                found.append((root, root.name))
                continue
            if not root.is_dir():
                raise FileNotFoundError(f"No such file or folder: {root}")
            for path in sorted(p for p in root.rglob("*") if p.is_file()):
                rel = path.relative_to(root).as_posix()
                if any(fnmatch.fnmatch(rel, pat) for pat in self.kb.settings.ingest_exclude):
                    continue
                if any(part.startswith(".") for part in path.relative_to(root).parts):
                    continue
                found.append((path, rel))
        return found

    # --- one file ----------------------------------------------------------------------

    def build_nodes(
        self,
        path: Path,
        relative: str,
        origin: str = "folder",
        doc: LoadedDocument | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> Built:
        """Load, chunk and embed one file entirely in memory, within the settings' limits:
        every chunk, and every sentence of it (``index.sentence_texts``).

        Raises ``LoadError`` (also for too many chunks and for an upload titled like an
        official document, ``trust.OfficialTitle``, before any embedding) and
        ``IngestCancelled`` when ``should_stop`` says so between embedding batches.
        ``doc``: the file already loaded (law texts loaded with an explicit act, ingest/laws/).
        """
        doc = doc or load(path, self.limits)
        meta = extract_metadata(doc, path)
        if origin == "upload" and self.clean_title is not None:
            meta.title = self.clean_title(meta.title)
        meta = corrections.apply(self.kb.settings.data_dir, document_id_for(relative), meta)
        if origin == trust.UPLOAD:  # never quoted under an official document's name
            trust.refuse_official_title(self.kb, meta.title)
        chunks = chunk_document(
            doc, meta.title, self.count_tokens,
            self.kb.settings.chunk_max_tokens, self.kb.settings.chunk_min_tokens,
        )  # fmt: skip
        if not chunks:
            raise LoadError("no text to index after chunking")
        if len(chunks) > self.kb.settings.max_document_chunks:
            raise LoadError(
                f"the document makes {len(chunks):,} chunks "
                f"(the limit is {self.kb.settings.max_document_chunks:,})"
            )
        unit_refs: list[list[str]] = []
        if isinstance(doc, LawDocument):  # its doc type; unit ids first in each chunk's refs
            meta.doc_type = doc.doc_type or meta.doc_type
            unit_refs = apply_unit_refs(doc, chunks)
        chunk_flags = trust.neutralise_chunks(chunks, relative)  # before the nodes copy text
        document_id = document_id_for(relative)
        digest = file_hash(path)
        nodes = [
            self._node(c, i, len(chunks), meta, document_id, relative, digest, origin)
            for i, c in enumerate(chunks)
        ]
        if isinstance(doc, LawDocument):  # a law text: its act and each chunk's own unit ids
            for node, own in zip(nodes, unit_refs, strict=True):
                node.metadata[index.ACT] = doc.act
                node.metadata[index.UNIT_REFS] = own
        state = review.review_for(origin, self.kb.settings.uploads_require_approval)
        for node, flags in zip(nodes, chunk_flags, strict=True):
            node.metadata[index.FLAGS] = flags
            node.metadata[index.REVIEW] = state
        texts = [n.get_content(metadata_mode=MetadataMode.EMBED) for n in nodes]
        per_node = [
            index.sentence_texts(n.metadata[index.HEADING], n.text) if self.kb.sentences else []
            for n in nodes
        ]
        vectors = self._embed(texts + [t for ts in per_node for t in ts], should_stop)
        for node, vector in zip(nodes, vectors[: len(nodes)], strict=True):
            node.embedding = vector
        sentences, at = [], len(nodes)
        for ts in per_node:
            sentences.append(vectors[at : at + len(ts)])
            at += len(ts)
        return Built(nodes, sentences)

    def _embed(self, texts: list[str], should_stop: Callable[[], bool] | None) -> list[list[float]]:
        """Passage embeddings, in batches on ``embed_workers`` threads (the embedder's engine
        runs outside the GIL); ``should_stop`` is asked before each batch."""
        step = self.kb.settings.embed_batch_size
        batches = [texts[start : start + step] for start in range(0, len(texts), step)]

        def run(i: int) -> list[list[float]]:
            if should_stop is not None and should_stop():
                raise IngestCancelled(f"cancelled after {i} of {len(batches)} embedding batches")
            return self.kb.embedder.get_text_embedding_batch(batches[i])

        pool = ThreadPoolExecutor(self.kb.settings.embed_workers, "embed")
        try:
            return [v for batch in pool.map(run, range(len(batches))) for v in batch]
        finally:  # after a failure or cancel, batches not yet started are dropped
            pool.shutdown(cancel_futures=True)

    def _node(
        self,
        chunk: Chunk,
        i: int,
        total: int,
        meta: DocumentMetadata,
        document_id: str,
        relative: str,
        digest: str,
        origin: str,
    ) -> TextNode:
        metadata = {
            index.HEADING: chunk.heading,
            index.TITLE: meta.title,
            index.DOC_TYPE: meta.doc_type,
            index.SOURCE: relative,
            index.VERSION: meta.version,
            index.ADOPTED: meta.adopted,
            index.ADOPTED_BY: meta.adopted_by,
            index.DECISION_REF: meta.decision_ref,
            index.VALID_FROM: meta.valid_from,
            index.VALID_TO: meta.valid_to,
            index.REVIEW_BY: meta.review_by,
            index.OWNER: meta.owner,
            index.DIARY_NO: meta.diary_no,
            index.MUNICIPALITIES: meta.municipalities,
            index.SCOPE: meta.scope or [index.SHARED],
            index.CLASSIFICATION: meta.classification or self.kb.settings.default_classification,
            index.CONTENT_HASH: digest,
            index.CHUNKER: self.chunker,
            index.ORIGIN: origin,
            index.SECTION_PATH: chunk.section_path,
            index.SECTION_NUMBER: chunk.section_number,
            index.TOP_SECTION: chunk.top_section,
            index.REFS: chunk.refs,
            index.PAGE_START: chunk.page_start,
            index.PAGE_END: chunk.page_end,
            index.START_CHAR: chunk.start,
            index.END_CHAR: chunk.end,
            index.CHUNK_INDEX: i,
            index.CHUNK_COUNT: total,
            index.INGESTED_AT: datetime.now(UTC).isoformat(timespec="seconds"),
        }
        node_id = uuid.uuid5(_NAMESPACE, f"{document_id}|{digest}|{self.chunker}|{i}")
        return TextNode(
            id_=str(node_id),
            text=chunk.text,
            metadata=metadata,
            excluded_embed_metadata_keys=list(index.NOT_EMBEDDED),
            excluded_llm_metadata_keys=list(index.NOT_EMBEDDED),
            metadata_template="{value}",
            text_template="{metadata_str}\n\n{content}",
            relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=document_id)},
        )

    def replace_document(self, document_id: str, built: Built) -> None:
        """Write the new chunks under a new generation (hidden), make it current in one
        write, then keep the previous generation as an earlier version if the content
        changed (else delete it); on failure, undo the new chunks. An official document
        marks the uploads that have its title as not official (``trust.mark_uploads``)."""
        kb, nodes = self.kb, built.nodes
        with kb.write_lock:
            stored = kb.document(document_id)
            meta = nodes[0].metadata if nodes else {}
            changed = stored is not None and stored.content_hash != meta.get(index.CONTENT_HASH)
            stated = parse_date(str(meta.get(index.VALID_FROM) or "")) or parse_date(
                str(meta.get(index.ADOPTED) or "")
            )
            versions = kb.versions(document_id)
            applies_from = stated or (
                date.today().isoformat() if changed else versions[-1].applies_from if versions
                else None
            )  # fmt: skip
            generation = kb.begin(document_id)
            for node in nodes:
                node.metadata[index.GENERATION] = generation
                node.id_ = str(uuid.uuid5(_NAMESPACE, f"{node.node_id}|{generation}"))
            try:
                kb.add(nodes, built.sentences)
            except BaseException:
                kb.drop_generation(document_id, generation)
                raise
            for dropped in kb.commit(document_id, generation, applies_from, keep_previous=changed):
                kb.drop_generation(document_id, dropped)
            if nodes and meta.get(index.ORIGIN) != trust.UPLOAD:
                trust.mark_uploads(kb, str(meta.get(index.TITLE) or ""), exclude=document_id)

    def unchanged(self, stored: DocumentInfo | None, path: Path) -> bool:
        """Whether ``stored`` is complete and was made from this file's content by these
        chunking settings: then ingesting ``path`` again would change nothing."""
        return (
            stored is not None
            and stored.complete
            and stored.content_hash == file_hash(path)
            and stored.chunker == self.chunker
        )

    def ingest_file(
        self,
        path: Path,
        relative: str,
        origin: str = "folder",
        dry_run: bool = False,
        should_stop: Callable[[], bool] | None = None,
    ) -> FileResult:
        """One file; ``should_stop`` is asked between embedding batches (upload jobs)."""
        document_id = document_id_for(relative)
        stored = self.kb.document(document_id)
        return self._ingest_one(path, relative, origin, stored, dry_run, should_stop=should_stop)

    def _ingest_one(
        self,
        path: Path,
        relative: str,
        origin: str,
        stored: DocumentInfo | None,
        dry_run: bool,
        root: str | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> FileResult:
        """``root``: the folder of a folder document, recorded for ``prune``."""
        document_id = document_id_for(relative)
        try:
            if path.stat().st_size == 0:
                raise LoadError("the file is empty")
            if self.unchanged(stored, path):
                if root is not None and stored.root != root and not dry_run:
                    self.kb.set_payload(document_id, {index.ROOT: root})
                return FileResult(document_id, relative, "unchanged", stored.chunk_count)
            built = self.build_nodes(path, relative, origin, should_stop=should_stop)
            if root is not None:
                for node in built.nodes:
                    node.metadata[index.ROOT] = root
            if not dry_run:
                self.replace_document(document_id, built)
        except IngestCancelled as exc:  # nothing was written for this file
            return FileResult(document_id, relative, "cancelled", error=str(exc))
        except (LoadError, OSError) as exc:
            return FileResult(document_id, relative, "failed", error=str(exc))
        except Exception as exc:  # noqa: BLE001 - a parser or store bug must not stop the other files
            error = f"could not be ingested ({exc.__class__.__name__}: {exc})"
            return FileResult(document_id, relative, "failed", error=error)
        status: Status = "new" if stored is None else "changed"
        return FileResult(document_id, relative, status, len(built.nodes))

    def ingest_law(
        self, path: Path, act: str | None = None, lang: str | None = None, dry_run: bool = False
    ) -> FileResult:
        """Ingest one downloaded law text as its own document (id "law-<act>[-<lang>]").

        Raises ``LoadError``, ``ValueError`` (a malformed ``act``) or ``OSError``.
        """
        doc = load_law(path, act, lang)
        relative = f"law-{doc.act}" + (f"-{lang}" if lang else "")
        document_id = document_id_for(relative)
        stored = self.kb.document(document_id)
        if self.unchanged(stored, path):
            return FileResult(document_id, relative, "unchanged", stored.chunk_count)
        built = self.build_nodes(path, relative, LAW_ORIGIN, doc=doc)
        for node in built.nodes:  # the source shown to users: the downloaded file's name
            node.metadata[index.SOURCE] = path.name
        if not dry_run:
            self.replace_document(document_id, built)
        status: Status = "new" if stored is None else "changed"
        return FileResult(document_id, relative, status, len(built.nodes))

    # --- folders -----------------------------------------------------------------------

    def ingest(
        self,
        paths: list[Path],
        rebuild: bool = False,
        dry_run: bool = False,
        prune: bool = True,
        progress: bool = False,
        on_prune: Callable[[list[DocumentInfo]], None] | None = None,
    ) -> IngestReport:
        """Bring the collection in line with the files under ``paths``.

        ``prune``: delete the folder documents whose source lies under one of the folders in
        ``paths`` and is gone (never documents from elsewhere, uploads or law texts);
        ``on_prune`` is told which before they are deleted.
        """
        started = time.perf_counter()
        report = IngestReport(dry_run=dry_run)
        if rebuild and not dry_run:
            self.kb.recreate()
        files = [
            (path, relative, str((root if root.is_dir() else root.parent).resolve()))
            for root in paths
            for path, relative in self.discover([root])
        ]
        stored = {} if rebuild and not dry_run else self.kb.documents()
        seen: set[str] = set()
        bar = tqdm(files, desc="Ingesting", unit="file", disable=not progress)
        for path, relative, root in bar:
            document_id = document_id_for(relative)
            if document_id in seen:
                clash = "another file maps to the same document id; rename one of them"
                report.results.append(FileResult(document_id, relative, "failed", error=clash))
                continue
            seen.add(document_id)
            report.results.append(
                self._ingest_one(path, relative, "folder", stored.get(document_id), dry_run, root)
            )
        if prune:
            gone = [
                d for d in stored.values() if d.origin == "folder" and d.document_id not in seen
            ]
            doomed = prune_scope(gone, paths)
            report.unscoped = sorted(d.source for d in gone if not d.root)
            if on_prune is not None and doomed:
                on_prune(doomed)
            for doc in doomed:
                if not dry_run:
                    self.kb.delete_document(doc.document_id)
                report.results.append(FileResult(doc.document_id, doc.source, "removed"))
        report.seconds = time.perf_counter() - started
        return report


def prune_scope(docs: list[DocumentInfo], paths: list[Path]) -> list[DocumentInfo]:
    """The documents whose source file lies under one of the folders in ``paths``."""
    folders = [p.resolve() for p in paths if p.is_dir()]
    return [
        d for d in docs
        if d.root and any(Path(d.root, d.source).is_relative_to(f) for f in folders)
    ]  # fmt: skip
