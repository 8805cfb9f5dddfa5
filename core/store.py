"""The Qdrant knowledge base: one client, one collection, written by ingest, read by the assistant.

The backend is chosen by setting: a Qdrant server (``PA_QDRANT_URL``, ``PA_QDRANT_API_KEY``)
or an embedded store on disk, by default Qdrant Edge (``PA_QDRANT_ENGINE=edge``, the Qdrant
engine in the process: core/edge.py), else qdrant-client's local mode (``local``). Writes
go through llama-index's ``QdrantVectorStore``, followed by each chunk's sentence vectors.
Local mode is not safe under concurrent threads: there every call is serialised by one lock;
a server's client and Qdrant Edge are, so reads there take no lock (writes stay one at a
time). An embedded store can be opened by one process at a time: a second one gets
``StoreBusyError`` with what to do instead.

Replacing a document is atomic for readers. Its new chunks are written under a new generation
(payload ``generation``), hidden from readers; one upsert of the document's point in the
generations collection makes that generation current; then the previous generation is
deleted. A single-point upsert is one SQLite transaction in local mode (one WAL entry on a
server and in Qdrant Edge, flushed before the call returns), so a crash leaves either the old
or the new generation current, never both. On open, chunks of no current generation (a write
or delete cut short) are deleted. Readers
filter cheaply: in the embedded store (one process, so this one knows every write) by
excluding the few generations being written or deleted right now, usually none; on a server
by the set of current generations, re-read every few seconds.

Versions: when a document's content changes, the replaced generation is kept as an earlier
version (up to ``PA_KEEP_VERSIONS``) instead of being deleted. The document's record lists its
earlier versions with the period each applied, in the same single write that makes the new one
current; readers never see them, except a search "as of" a date, which sees each document's
version in force on that date.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.schema import BaseNode
from llama_index.vector_stores.qdrant import QdrantVectorStore
from qdrant_client import QdrantClient
from qdrant_client import models as qm

from core import index
from core.edge import EdgeClient, copy_local_store
from core.embeddings import create_embedder, embedder_id, embedding_dim
from core.settings import Settings
from core.sparse import Bm25Encoder

log = logging.getLogger("core.store")
_RECORDS = uuid.UUID("0c5b8f7e-2d1a-4e6b-9a3c-7f4e1d2b6a80")
SERVER_REFRESH_S = 5.0  # server: how old the cached current generations may be
SERVER_GRACE_S = 3600.0  # server: uncommitted chunks younger than this may be another writer's
_FROM, _ARCHIVE = "applies_from", "archive"  # record keys: the current version's start, the rest


class StoreBusyError(RuntimeError):
    """The embedded store is open in another process."""


def open_client(settings: Settings) -> QdrantClient:
    """The one place a Qdrant client is created.

    Server mode (``PA_QDRANT_URL``): REST, or gRPC with ``PA_QDRANT_PREFER_GRPC`` (port
    ``PA_QDRANT_GRPC_PORT``); TLS from the URL's scheme or ``PA_QDRANT_HTTPS`` for a URL
    without one (unset: TLS exactly when an API key is set, as qdrant-client does); a private
    CA in ``PA_QDRANT_CA_CERT`` verifies both REST and gRPC. Constructing the client does
    not connect (qdrant-client checks the server version in a background thread).
    """
    if settings.qdrant_url:
        import math
        import ssl

        key = settings.qdrant_api_key.get_secret_value() if settings.qdrant_api_key else None
        url = settings.qdrant_url.strip()
        https = settings.qdrant_https
        if "://" in url:
            scheme = url.split("://", 1)[0].lower()
            if https is not None and https != (scheme == "https"):
                raise ValueError(
                    f"PA_QDRANT_HTTPS={str(https).lower()} contradicts the scheme of "
                    f"PA_QDRANT_URL ({scheme}://); change one of them."
                )
        else:  # "host:port" alone is misread as scheme:path by the URL parser
            tls = https if https is not None else key is not None
            url = f"{'https' if tls else 'http'}://{url}"
        extra: dict[str, Any] = {}
        if settings.qdrant_ca_cert:
            ca = str(settings.qdrant_ca_cert)
            extra["verify"] = ssl.create_default_context(cafile=ca)  # REST (httpx)
            extra["grpc_options"] = {"root_certificates": settings.qdrant_ca_cert.read_bytes()}
        return QdrantClient(
            url=url,
            api_key=key,
            prefer_grpc=settings.qdrant_prefer_grpc,
            grpc_port=settings.qdrant_grpc_port,
            timeout=math.ceil(settings.qdrant_timeout_s),
            **extra,
        )
    path = settings.qdrant_location
    if settings.qdrant_engine == "local":
        path.mkdir(parents=True, exist_ok=True)
    try:
        if settings.qdrant_engine == "edge":
            _adopt_local_store(settings)
            return EdgeClient(path)  # type: ignore[return-value]
        return QdrantClient(path=str(path))
    except RuntimeError as exc:
        if "already accessed" not in str(exc) and "another process" not in str(exc):
            raise
        raise StoreBusyError(
            f"The embedded Qdrant store in '{path}' is open in another process (probably the "
            "running assistant API). Stop that process, or upload documents through the API "
            "(POST /v1/documents), or run a Qdrant server and set PA_QDRANT_URL."
        ) from None


def _adopt_local_store(settings: Settings) -> None:
    """First start on Qdrant Edge beside a store written in local mode (the engine before
    it, default folder ``data_dir/qdrant``): copy it once, so documents, uploads' chunks,
    versions and corrections carry over without re-indexing."""
    target = settings.qdrant_location
    if settings.qdrant_path and (target / "meta.json").is_file():
        raise ValueError(
            f"PA_QDRANT_PATH ('{target}') holds a store written in local mode. Set "
            "PA_QDRANT_ENGINE=local to keep using it, or point PA_QDRANT_PATH at a new folder "
            "and re-run `python -m ingest PATH` (the copy to Qdrant Edge runs only for the "
            "default folder)."
        )
    source = settings.data_dir / "qdrant"
    if settings.qdrant_path or target.exists() or not (source / "meta.json").is_file():
        return
    names = copy_local_store(source, target)
    log.warning(
        "copied the embedded store '%s' (local mode: %s) to Qdrant Edge at '%s'; the old "
        "folder is no longer read and can be removed", source, ", ".join(names), target,
    )  # fmt: skip


@dataclass
class DocumentInfo:
    """One document as stored: taken from its chunks' payloads."""

    document_id: str
    title: str
    source: str
    doc_type: str
    version: str | None
    adopted: str | None
    content_hash: str
    chunker: str
    origin: str
    chunk_count: int
    stored_chunks: int
    complete: bool
    ingested_at: str | None
    generation: int | None = None
    root: str | None = None  # folder documents: the folder they were ingested from
    lifecycle: dict[str, str | None] = field(default_factory=dict)  # index.LIFECYCLE keys
    municipalities: list[str] = field(default_factory=list)
    scope: list[str] = field(default_factory=list)  # organisations that may read it; [] = all
    classification: str | None = None  # None: not stated (the default level)


@dataclass
class Version:
    """One version of a document: its generation and the period it applied (ISO dates)."""

    generation: int
    applies_from: str | None  # the stated valid-from/adoption date, else when it was written;
    # None: not known (a first version without a stated date applies as far back as asked)
    applies_until: str | None = None  # when a newer version took over; None = current

    def applies_on(self, day: str) -> bool:
        return (self.applies_from is None or self.applies_from <= day) and (
            self.applies_until is None or day < self.applies_until
        )


class KnowledgeBase:
    """The collection plus the embedder and BM25 encoder that fill and query it."""

    def __init__(
        self,
        settings: Settings,
        client: QdrantClient | None = None,
        embedder: BaseEmbedding | None = None,
    ) -> None:
        self.settings = settings
        self.collection = settings.collection
        self.lock = threading.RLock()
        self.client = client or open_client(settings)
        self.embedder = embedder or create_embedder(settings)
        self.embedder_id = embedder_id(settings)
        self.dim = embedding_dim(self.embedder)
        self.bm25 = Bm25Encoder(settings.bm25_k1, settings.bm25_b, settings.bm25_avg_len)
        self.server = bool(settings.qdrant_url)
        # A server or Qdrant Edge: thread-safe reads and payload indexes (local mode has neither).
        self.concurrent = self.server or settings.qdrant_engine == "edge"
        self.write_lock = threading.RLock()  # one replacement or delete at a time
        self.sentences = False  # whether the collection holds sentence vectors (set below)
        self._current: dict[str, int] = {}  # document id → its current generation
        self._current_from: dict[str, str | None] = {}  # document id → its current version's start
        self._archive: dict[str, list[Version]] = {}  # document id → earlier versions, oldest first
        self._hidden: dict[int, str] = {}  # generations being written or deleted → document
        self._loaded_at = 0.0
        self._last_generation = 0
        with self.lock:
            schema = self._ensure()
            if schema is not None and schema < index.SCHEMA:
                self._migrate()
            self._load_current()
            self.repaired = self._recover()
            self.sentences = index.has_sentence_vectors(self.client, self.collection)
        if not self.sentences:
            log.warning(
                "collection '%s' has no sentence vectors (made by an older version): answers "
                "embed sentences per question, which is slower; re-index with "
                "`python -m ingest --rebuild PATH` to store them", self.collection,
            )  # fmt: skip
        self.vector_store = QdrantVectorStore(
            collection_name=self.collection,
            client=self.client,
            enable_hybrid=True,
            dense_vector_name=index.DENSE,
            sparse_vector_name=index.SPARSE,
            sparse_doc_fn=self.bm25.documents_fn,
            sparse_query_fn=self.bm25.queries_fn,
            batch_size=64,
        )

    # --- writes ------------------------------------------------------------------------

    def add(self, nodes: list[BaseNode], sentences: list[list[list[float]]] | None = None) -> None:
        """Upsert nodes that already carry their dense embedding, then each node's sentence
        vectors (``sentences[i]`` for ``nodes[i]``; a chunk without any has none)."""
        with self.lock:
            self.vector_store.add(nodes)
            if not sentences or not self.sentences:
                return
            points = [
                qm.PointVectors(id=node.node_id, vector={index.SENTENCES: vectors})
                for node, vectors in zip(nodes, sentences, strict=True)
                if vectors
            ]
            for start in range(0, len(points), 64):
                self.client.update_vectors(self.collection, points=points[start : start + 64])

    def delete_points(self, ids: list[str]) -> None:
        if ids:
            with self.lock:
                self.client.delete(self.collection, points_selector=qm.PointIdsList(points=ids))

    def delete_document(self, document_id: str) -> None:
        """Remove the document's record (one write: gone for readers), then its chunks."""
        with self.write_lock, self.lock:
            self.client.delete(
                self.generations, points_selector=qm.PointIdsList(points=[_record_id(document_id)])
            )
            old = self._current.pop(document_id, None)
            self._current_from.pop(document_id, None)
            self._archive.pop(document_id, None)
            if old is not None:
                self._hidden[old] = document_id
            selector = qm.FilterSelector(filter=doc_filter(document_id))
            self.client.delete(self.collection, points_selector=selector)
            self._hidden.pop(old, None)  # type: ignore[arg-type]

    def recreate(self) -> None:
        """Drop and recreate the collection (``--rebuild``)."""
        with self.write_lock, self.lock:
            for name in (self.collection, self.generations):
                if self.client.collection_exists(name):
                    self.client.delete_collection(name)
            self._ensure()
            self._current, self._hidden, self._current_from, self._archive = {}, {}, {}, {}

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Held around a read: the lock in local mode, nothing on a server or Qdrant Edge."""
        with nullcontext() if self.concurrent else self.lock:
            yield

    def _ensure(self) -> int | None:
        return index.ensure_collection(
            self.client,
            self.collection,
            self.embedder_id,
            self.dim,
            payload_indexes=self.concurrent,
        )

    # --- generations -------------------------------------------------------------------

    @property
    def generations(self) -> str:
        """The collection of current-generation records (one point per document)."""
        return index.generations_collection(self.collection)

    def begin(self, document_id: str) -> int:
        """A new generation for the document, unique and hidden from readers until
        ``commit``."""
        with self.lock:
            generation = max(time.time_ns(), self._last_generation + 1)
            self._last_generation = generation
            self._hidden[generation] = document_id
            return generation

    def commit(
        self,
        document_id: str,
        generation: int,
        applies_from: str | None = None,
        keep_previous: bool = False,
    ) -> list[int]:
        """Make ``generation`` the document's current one in one write. The previous one is
        kept as an earlier version (``keep_previous``, up to ``keep_versions``, applying until
        ``applies_from`` or today) or hidden from then on; the generations returned must be
        dropped (``drop_generation``)."""
        with self.lock:
            old = self._current.get(document_id)
            archive = list(self._archive.get(document_id, []))
            drop: list[int] = []
            if old is not None and old != generation:
                if keep_previous and self.settings.keep_versions > 0:
                    until = applies_from or date.today().isoformat()
                    archive.append(Version(old, self._current_from.get(document_id), until))
                    while len(archive) > self.settings.keep_versions:
                        drop.append(archive.pop(0).generation)
                else:
                    drop.append(old)
            payload = {index.DOC_ID: document_id, index.GENERATION: generation,
                       _FROM: applies_from, _ARCHIVE: [asdict(v) for v in archive]}  # fmt: skip
            record = qm.PointStruct(id=_record_id(document_id), vector={}, payload=payload)
            self.client.upsert(self.generations, points=[record])
            self._current[document_id] = generation
            self._current_from[document_id] = applies_from
            self._archive[document_id] = archive
            self._hidden.pop(generation, None)
            for g in drop:
                self._hidden[g] = document_id
            return drop

    def drop_generation(self, document_id: str, generation: int) -> None:
        """Delete the document's chunks of a generation that is not (or no longer) current:
        the previous one after ``commit``, or an abandoned write."""
        by_doc = qm.FieldCondition(key=index.DOC_ID, match=qm.MatchValue(value=document_id))
        flt = qm.Filter(must=[by_doc, _is_generation(generation)])
        with self.lock:
            if self._current.get(document_id) == generation:
                raise ValueError(f"generation {generation} of '{document_id}' is current")
            self.client.delete(self.collection, points_selector=qm.FilterSelector(filter=flt))
            self._hidden.pop(generation, None)

    def set_payload(self, document_id: str, payload: dict[str, Any]) -> None:
        """Set payload keys on the document's current chunks (no re-embedding)."""
        with self.lock:
            flt = self.visible(doc_filter(document_id))
            self.client.set_payload(self.collection, payload=payload, points=flt)

    def _refresh(self) -> None:
        if self.server and time.monotonic() - self._loaded_at > SERVER_REFRESH_S:
            self._load_current()

    def _archived(self) -> set[int]:
        return {v.generation for versions in self._archive.values() for v in versions}

    def visibility(self) -> qm.Filter | None:
        """The condition that shows readers current generations only (None: all are)."""
        with self.lock:
            self._refresh()
            if self.server:
                return _generation_in(set(self._current.values()))
            hidden = set(self._hidden) | self._archived()
            if not hidden:
                return None
            match = qm.MatchAny(any=sorted(hidden))
            flt = qm.Filter(must_not=[qm.FieldCondition(key=index.GENERATION, match=match)])
            return qm.Filter(must=[flt])  # nested: callers that copy ``must`` keep it

    def versions(self, document_id: str) -> list[Version]:
        """The document's versions, oldest first, the current one last ([] if unknown)."""
        with self.lock:
            self._refresh()
            if document_id not in self._current:
                return []
            current = Version(self._current[document_id], self._current_from.get(document_id))
            return [*self._archive.get(document_id, []), current]

    def generations_on(self, day: date) -> set[int]:
        """Each document's generation in force on ``day`` (documents with none left out)."""
        iso = day.isoformat()
        with self.lock:
            self._refresh()
            docs = list(self._current)
        found = (next((v for v in reversed(self.versions(d)) if v.applies_on(iso)), None)
                 for d in docs)  # fmt: skip
        return {v.generation for v in found if v is not None}

    def visible(self, flt: qm.Filter | None, as_of: date | None = None) -> qm.Filter | None:
        """``flt`` narrowed to current generations, or to those in force on ``as_of``."""
        only = self.visibility() if as_of is None else _generation_in(self.generations_on(as_of))
        if only is None or flt is None:
            return only or flt

        def listed(conditions: Any) -> list[Any]:
            if conditions is None:
                return []
            return list(conditions) if isinstance(conditions, list) else [conditions]

        return qm.Filter(
            must=listed(flt.must) + listed(only.must) or None,
            must_not=listed(flt.must_not) + listed(only.must_not) or None,
            should=flt.should,
            min_should=flt.min_should,
        )

    def current_generations(self) -> dict[str, int]:
        """Document id → current generation (as this process knows it)."""
        with self.lock:
            return dict(self._current)

    def _load_current(self) -> None:
        current: dict[str, int] = {}
        starts: dict[str, str | None] = {}
        archive: dict[str, list[Version]] = {}
        offset = None
        while True:
            points, offset = self.client.scroll(
                self.generations, limit=1024, offset=offset, with_payload=True,
                with_vectors=False,
            )  # fmt: skip
            for p in points:
                doc = str(p.payload[index.DOC_ID])
                current[doc] = int(p.payload[index.GENERATION])
                starts[doc] = p.payload.get(_FROM)
                archive[doc] = [Version(**v) for v in p.payload.get(_ARCHIVE) or []]
            if offset is None:
                break
        self._current, self._current_from, self._archive = current, starts, archive
        self._loaded_at = time.monotonic()

    def _recover(self) -> list[str]:
        """Delete the chunks no current generation or kept version owns: a replacement or
        delete cut short by a crash (a document never committed disappears). Returns the
        documents repaired.

        Embedded: one pass over the payloads (the filter engine would compare every chunk with
        every current generation). On a server, another process may be writing right now:
        only orphans older than ``SERVER_GRACE_S`` are deleted, found by an indexed filter.
        """
        if self.server:
            cutoff = time.time_ns() - int(SERVER_GRACE_S * 1e9)
            current = sorted(set(self._current.values()) | self._archived())
            orphans = qm.Filter(
                must=[qm.FieldCondition(key=index.GENERATION, range=qm.Range(lt=cutoff))],
                must_not=[qm.FieldCondition(key=index.GENERATION, match=qm.MatchAny(any=current))]
                if current
                else None,
            )
            points = self.scroll(orphans, fields=[index.DOC_ID], current_only=False)
        else:
            keys = [index.DOC_ID, index.GENERATION]
            owned = {(d, g) for d, g in self._current.items()}
            owned |= {(d, v.generation) for d, vs in self._archive.items() for v in vs}
            points = [
                p
                for p in self.scroll(fields=keys, current_only=False)
                if (p.payload.get(index.DOC_ID), p.payload.get(index.GENERATION)) not in owned
            ]
        if not points:
            return []
        docs = sorted({str(p.payload.get(index.DOC_ID)) for p in points})
        log.warning(
            "repairing %d document(s) left half-written by an interrupted write: deleting %d "
            "chunk(s) of no current generation (%s)", len(docs), len(points), ", ".join(docs),
        )  # fmt: skip
        ids = [p.id for p in points]
        for start in range(0, len(ids), 512):
            selector = qm.PointIdsList(points=ids[start : start + 512])
            self.client.delete(self.collection, points_selector=selector)
        return docs

    def _migrate(self) -> None:
        """Schema 1 → 2: every chunk gets a generation, every document a record.

        Chunks written before generations get one per (document, content, chunker), so a
        document left with two versions by an old crash is split; the newest complete
        version becomes current (else the newest) and ``_recover`` deletes the rest.
        Idempotent: a migration cut short is redone on the next open.
        """
        records: dict[str, int] = {}
        self._load_current()
        records.update(self._current)
        keys = [index.DOC_ID, index.GENERATION, index.CONTENT_HASH, index.CHUNKER,
                index.CHUNK_COUNT, index.INGESTED_AT]  # fmt: skip
        groups: dict[str, dict[int, list[Any]]] = {}
        for point in self.scroll(fields=keys, current_only=False):
            pl = point.payload
            doc = str(pl.get(index.DOC_ID))
            gen = pl.get(index.GENERATION)
            if gen is None:
                gen = legacy_generation(doc, pl.get(index.CONTENT_HASH), pl.get(index.CHUNKER))
            groups.setdefault(doc, {}).setdefault(int(gen), []).append(point)
        for doc, gens in groups.items():
            for gen, points in gens.items():
                legacy = [p.id for p in points if p.payload.get(index.GENERATION) is None]
                for start in range(0, len(legacy), 512):
                    self.client.set_payload(
                        self.collection, payload={index.GENERATION: gen},
                        points=legacy[start : start + 512],
                    )  # fmt: skip
            if doc in records:
                continue

            def rank(gen: int, gens: dict[int, list[Any]] = gens) -> tuple[bool, str]:
                pls = [p.payload for p in gens[gen]]
                complete = len(pls) == int(pls[0].get(index.CHUNK_COUNT) or 0)
                return complete, max(str(p.get(index.INGESTED_AT) or "") for p in pls)

            chosen = max(gens, key=rank)
            record = qm.PointStruct(
                id=_record_id(doc), vector={},
                payload={index.DOC_ID: doc, index.GENERATION: chosen},
            )  # fmt: skip
            self.client.upsert(self.generations, points=[record])
        if self.concurrent:
            self.client.create_payload_index(
                self.collection, field_name=index.GENERATION,
                field_schema=index.PAYLOAD_INDEXES[index.GENERATION],
            )  # fmt: skip
        self.client.update_collection(self.collection, metadata={"schema": index.SCHEMA})
        log.warning("collection '%s' migrated to schema %d (%d documents)",
                    self.collection, index.SCHEMA, len(groups))  # fmt: skip

    # --- reads -------------------------------------------------------------------------

    def scroll(
        self,
        flt: qm.Filter | None = None,
        fields: list[str] | bool = True,
        current_only: bool = True,
    ) -> list[Any]:
        """All points matching ``flt`` (payload only); only current generations unless
        ``current_only`` is False."""
        out: list[Any] = []
        offset = None
        if current_only:
            flt = self.visible(flt)
        with self.reading():
            while True:
                points, offset = self.client.scroll(
                    self.collection, scroll_filter=flt, limit=512, offset=offset,
                    with_payload=fields, with_vectors=False,
                )  # fmt: skip
                out.extend(points)
                if offset is None:
                    return out

    def query(self, requests: list[qm.QueryRequest]) -> list[qm.QueryResponse]:
        """One round trip for several searches."""
        with self.reading():
            return self.client.query_batch_points(self.collection, requests=requests)

    def sentence_vectors(self, ids: list[str]) -> dict[str, np.ndarray]:
        """The stored sentence vectors of chunks, by chunk id (chunks without any left out)."""
        if not self.sentences or not ids:
            return {}
        with self.reading():
            points = self.client.retrieve(
                self.collection, ids=ids, with_payload=False, with_vectors=[index.SENTENCES]
            )
        out = {}
        for p in points:
            vectors = (p.vector or {}).get(index.SENTENCES) if isinstance(p.vector, dict) else None
            if vectors:
                out[str(p.id)] = np.asarray(vectors, dtype=np.float32)
        return out

    def point_ids(self, document_id: str) -> list[str]:
        flt = doc_filter(document_id)
        return [str(p.id) for p in self.scroll(flt, fields=False)]

    def document(self, document_id: str) -> DocumentInfo | None:
        """One stored document (reads only its own chunks)."""
        return self.documents(doc_filter(document_id)).get(document_id)

    def documents(
        self, flt: qm.Filter | None = None, current_only: bool = True
    ) -> dict[str, DocumentInfo]:
        """Every stored document (or those matching ``flt``), with whether its chunks are
        complete and consistent; ``current_only=False`` with a filter on one generation
        describes an earlier version."""
        keys = [index.DOC_ID, index.TITLE, index.SOURCE, index.DOC_TYPE, index.VERSION,
                index.ADOPTED, index.CONTENT_HASH, index.CHUNKER, index.ORIGIN, index.CHUNK_COUNT,
                index.INGESTED_AT, index.GENERATION, index.ROOT, index.MUNICIPALITIES,
                index.SCOPE, index.CLASSIFICATION, *index.LIFECYCLE]  # fmt: skip
        grouped: dict[str, list[dict]] = {}
        for point in self.scroll(flt, fields=keys, current_only=current_only):
            grouped.setdefault(point.payload[index.DOC_ID], []).append(point.payload)
        docs = {}
        for doc_id, payloads in grouped.items():
            first = payloads[0]
            hashes = {(p.get(index.CONTENT_HASH), p.get(index.CHUNKER)) for p in payloads}
            count = int(first.get(index.CHUNK_COUNT) or 0)
            docs[doc_id] = DocumentInfo(
                document_id=doc_id,
                title=first.get(index.TITLE, doc_id),
                source=first.get(index.SOURCE, ""),
                doc_type=first.get(index.DOC_TYPE, ""),
                version=first.get(index.VERSION),
                adopted=first.get(index.ADOPTED),
                content_hash=first.get(index.CONTENT_HASH, ""),
                chunker=first.get(index.CHUNKER, ""),
                origin=first.get(index.ORIGIN, "folder"),
                chunk_count=count,
                stored_chunks=len(payloads),
                complete=len(hashes) == 1 and len(payloads) == count,
                ingested_at=first.get(index.INGESTED_AT),
                generation=first.get(index.GENERATION),
                root=first.get(index.ROOT),
                lifecycle={key: first.get(key) for key in index.LIFECYCLE},
                municipalities=list(first.get(index.MUNICIPALITIES) or []),
                scope=[o for o in first.get(index.SCOPE) or [] if o != index.SHARED],
                classification=first.get(index.CLASSIFICATION),
            )
        return docs

    def version_info(self, document_id: str, generation: int) -> DocumentInfo | None:
        """What one version (current or earlier) of a document says about itself."""
        flt = qm.Filter(must=[*doc_filter(document_id).must, _is_generation(generation)])
        return self.documents(flt, current_only=False).get(document_id)

    def count(self) -> int:
        """Chunks readers can see."""
        flt = self.visibility()
        with self.reading():
            return self.client.count(self.collection, count_filter=flt, exact=True).count

    def close(self) -> None:
        with self.lock:
            self.client.close()


def doc_filter(document_id: str) -> qm.Filter:
    return qm.Filter(
        must=[qm.FieldCondition(key=index.DOC_ID, match=qm.MatchValue(value=document_id))]
    )


def _is_generation(generation: int) -> qm.FieldCondition:
    return qm.FieldCondition(key=index.GENERATION, match=qm.MatchValue(value=generation))


def _generation_in(generations: set[int]) -> qm.Filter:
    match = qm.MatchAny(any=sorted(generations) or [-1])
    return qm.Filter(must=[qm.FieldCondition(key=index.GENERATION, match=match)])


def _record_id(document_id: str) -> str:
    return str(uuid.uuid5(_RECORDS, document_id))


def legacy_generation(document_id: str, content_hash: Any, chunker: Any) -> int:
    """The generation of chunks written before generations: stable, and far below the
    nanosecond times new generations get."""
    key = f"{document_id}|{content_hash}|{chunker}".encode()
    return int(hashlib.sha256(key).hexdigest()[:12], 16)
