"""The Qdrant knowledge base: one client, one collection, written by ingest, read by the assistant.

The backend is chosen by setting: a Qdrant server (``PA_QDRANT_URL``, ``PA_QDRANT_API_KEY``)
or the embedded store on disk (``QdrantClient(path=…)``, the default). Writes go through
llama-index's ``QdrantVectorStore``; every call is serialised by one lock because the embedded
client is not safe under concurrent threads. The embedded store can be opened by one process
at a time: a second one gets ``StoreBusyError`` with what to do instead.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.schema import BaseNode
from llama_index.vector_stores.qdrant import QdrantVectorStore
from qdrant_client import QdrantClient
from qdrant_client import models as qm

from ingest import index
from ingest.embeddings import create_embedder, embedder_id, embedding_dim
from ingest.settings import Settings
from ingest.sparse import Bm25Encoder


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
    path.mkdir(parents=True, exist_ok=True)
    try:
        return QdrantClient(path=str(path))
    except RuntimeError as exc:
        if "already accessed" not in str(exc):
            raise
        raise StoreBusyError(
            f"The embedded Qdrant store in '{path}' is open in another process (probably the "
            "running assistant API). Stop that process, or upload documents through the API "
            "(POST /v1/documents), or run a Qdrant server and set PA_QDRANT_URL."
        ) from None


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
        with self.lock:
            self._ensure()
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

    def add(self, nodes: list[BaseNode]) -> None:
        """Upsert nodes that already carry their dense embedding."""
        with self.lock:
            self.vector_store.add(nodes)

    def delete_points(self, ids: list[str]) -> None:
        if ids:
            with self.lock:
                self.client.delete(self.collection, points_selector=qm.PointIdsList(points=ids))

    def delete_document(self, document_id: str) -> None:
        with self.lock:
            self.vector_store.delete(document_id)

    def recreate(self) -> None:
        """Drop and recreate the collection (``--rebuild``)."""
        with self.lock:
            if self.client.collection_exists(self.collection):
                self.client.delete_collection(self.collection)
            self._ensure()

    def _ensure(self) -> None:
        index.ensure_collection(
            self.client, self.collection, self.embedder_id, self.dim, payload_indexes=self.server
        )

    # --- reads -------------------------------------------------------------------------

    def scroll(self, flt: qm.Filter | None = None, fields: list[str] | bool = True) -> list[Any]:
        """All points matching ``flt`` (payload only)."""
        out: list[Any] = []
        offset = None
        with self.lock:
            while True:
                points, offset = self.client.scroll(
                    self.collection, scroll_filter=flt, limit=512, offset=offset,
                    with_payload=fields, with_vectors=False,
                )  # fmt: skip
                out.extend(points)
                if offset is None:
                    return out

    def point_ids(self, document_id: str) -> list[str]:
        flt = doc_filter(document_id)
        return [str(p.id) for p in self.scroll(flt, fields=False)]

    def document(self, document_id: str) -> DocumentInfo | None:
        """One stored document (reads only its own chunks)."""
        return self.documents(doc_filter(document_id)).get(document_id)

    def documents(self, flt: qm.Filter | None = None) -> dict[str, DocumentInfo]:
        """Every stored document (or those matching ``flt``), with whether its chunks are
        complete and consistent."""
        keys = [index.DOC_ID, index.TITLE, index.SOURCE, index.DOC_TYPE, index.VERSION,
                index.ADOPTED, index.CONTENT_HASH, index.CHUNKER, index.ORIGIN, index.CHUNK_COUNT,
                index.INGESTED_AT]  # fmt: skip
        grouped: dict[str, list[dict]] = {}
        for point in self.scroll(flt, fields=keys):
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
            )
        return docs

    def count(self) -> int:
        with self.lock:
            return self.client.count(self.collection, exact=True).count

    def close(self) -> None:
        with self.lock:
            self.client.close()


def doc_filter(document_id: str) -> qm.Filter:
    return qm.Filter(
        must=[qm.FieldCondition(key=index.DOC_ID, match=qm.MatchValue(value=document_id))]
    )
