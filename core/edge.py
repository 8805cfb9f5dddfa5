"""The embedded store on Qdrant Edge (``PA_QDRANT_ENGINE=edge``): the Qdrant engine inside the
process, with payload indexes and thread-safe reads.

``EdgeClient`` answers the part of ``QdrantClient``'s interface this project and llama-index's
``QdrantVectorStore`` use, so ``KnowledgeBase`` builds the same ``qdrant_client.models``
requests for every engine; here they are translated to ``qdrant_edge`` objects and the
results back. One shard (a folder) per collection, its metadata (embedder, schema) in
``collection.json`` beside it. A lock file keeps a second process out, as local mode does.
Anything this adapter does not translate raises ``NotImplementedError`` rather than
answering differently from the other engines.
"""

from __future__ import annotations

import fcntl
import json
import shutil
import threading
import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import qdrant_edge as e
from qdrant_client import QdrantClient
from qdrant_client import models as qm
from qdrant_client.http.models import QueryResponse

_META = "collection.json"
_SHARD = "shard"
_NO_VECTORS = "_none"  # the unused vector of a payload-only collection


class EdgeBusyError(RuntimeError):
    """The store folder is open in another process."""


def _id(point_id: Any) -> Any:
    return str(point_id) if isinstance(point_id, uuid.UUID) else point_id


def _ids(point_ids: Iterable[Any]) -> list[Any]:
    return [uuid.UUID(i) if isinstance(i, str) else i for i in point_ids]


def _when(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


# --- qdrant_client.models → qdrant_edge -----------------------------------------------


def _match(match: Any) -> Any:
    if isinstance(match, qm.MatchValue):
        return e.MatchValue(value=match.value)
    if isinstance(match, qm.MatchAny):
        return e.MatchAny(any=list(match.any))
    if isinstance(match, qm.MatchExcept):
        return e.MatchExcept(list(match.except_))
    raise NotImplementedError(f"match {type(match).__name__}")


def _range(rng: Any) -> Any:
    if isinstance(rng, qm.DatetimeRange):
        return e.RangeDateTime(gte=_when(rng.gte), gt=_when(rng.gt), lte=_when(rng.lte),
                               lt=_when(rng.lt))  # fmt: skip
    return e.RangeFloat(gte=rng.gte, gt=rng.gt, lte=rng.lte, lt=rng.lt)


def _condition(c: Any) -> Any:
    if isinstance(c, qm.Filter):
        return edge_filter(c)
    if isinstance(c, qm.FieldCondition):
        if c.match is not None:
            return e.FieldCondition(key=c.key, match=_match(c.match))
        if c.range is not None:
            return e.FieldCondition(key=c.key, range=_range(c.range))
        if c.is_empty is not None or c.is_null is not None:
            return e.FieldCondition(key=c.key, is_empty=c.is_empty, is_null=c.is_null)
    if isinstance(c, qm.IsEmptyCondition):
        return e.IsEmptyCondition(key=c.is_empty.key)
    if isinstance(c, qm.IsNullCondition):
        return e.IsNullCondition(key=c.is_null.key)
    if isinstance(c, qm.HasIdCondition):
        return e.HasIdCondition(point_ids=set(_ids(c.has_id)))
    raise NotImplementedError(f"condition {type(c).__name__}")


def _conditions(value: Any) -> list[Any] | None:
    if value is None:
        return None
    return [_condition(c) for c in (value if isinstance(value, list) else [value])]


def edge_filter(flt: qm.Filter | None) -> e.Filter | None:
    """A ``qdrant_client`` filter as a Qdrant Edge filter (same conditions, same nesting)."""
    if flt is None:
        return None
    if flt.min_should is not None:
        raise NotImplementedError("min_should")
    return e.Filter(must=_conditions(flt.must), should=_conditions(flt.should),
                    must_not=_conditions(flt.must_not))  # fmt: skip


def _vector(v: Any) -> Any:
    if isinstance(v, qm.SparseVector):
        return e.SparseVector(indices=list(v.indices), values=list(v.values))
    if isinstance(v, dict):
        return {name: _vector(x) for name, x in v.items()}
    return v


def _query(query: Any, using: str | None) -> Any:
    if query is None:
        return None
    if isinstance(query, qm.NearestQuery):
        query = query.nearest
    if isinstance(query, list | qm.SparseVector):
        return e.Query.Nearest(_vector(query), using=using)
    if isinstance(query, qm.FusionQuery):
        if query.fusion == qm.Fusion.DBSF:
            return e.Fusion.Dbsf()
        raise NotImplementedError("RRF without parameters: use RrfQuery(rrf=Rrf(k=…))")
    if isinstance(query, qm.RrfQuery):
        return e.Fusion.Rrf(k=query.rrf.k, weights=query.rrf.weights)
    raise NotImplementedError(f"query {type(query).__name__}")


def _selected(value: Any) -> Any:
    """``with_payload`` / ``with_vectors``: a list of names, else all or nothing."""
    return list(value) if isinstance(value, list) else bool(value)


def _prefetches(request: qm.QueryRequest | qm.Prefetch) -> list[e.Prefetch] | None:
    nested = request.prefetch
    nested = nested if isinstance(nested, list) else [nested] if nested else []
    return [_prefetch(x) for x in nested] or None


_EXACT = e.SearchParams(exact=True)  # the same results as local mode's exact search


def _prefetch(p: qm.Prefetch) -> e.Prefetch:
    return e.Prefetch(limit=p.limit or 10, query=_query(p.query, p.using),
                      prefetches=_prefetches(p),
                      filter=edge_filter(p.filter), score_threshold=p.score_threshold,
                      params=_EXACT)  # fmt: skip


def _request(r: qm.QueryRequest) -> e.QueryRequest:
    return e.QueryRequest(
        limit=r.limit or 10, offset=r.offset, query=_query(r.query, r.using),
        prefetches=_prefetches(r),
        with_vector=_selected(r.with_vector), with_payload=_selected(r.with_payload),
        filter=edge_filter(r.filter), score_threshold=r.score_threshold, params=_EXACT,
    )  # fmt: skip


def _point(p: qm.PointStruct) -> e.Point:
    return e.Point(id=_ids([p.id])[0], vector=_vector(p.vector), payload=p.payload or {})


# --- qdrant_edge → qdrant_client.models -----------------------------------------------


def _vector_out(v: Any) -> Any:
    if isinstance(v, e.SparseVector):
        return qm.SparseVector(indices=list(v.indices), values=list(v.values))
    if isinstance(v, dict):
        return {name: _vector_out(x) for name, x in v.items()}
    return v


def _scored(p: Any) -> qm.ScoredPoint:
    return qm.ScoredPoint(id=_id(p.id), version=p.version, score=p.score,
                          payload=p.payload, vector=_vector_out(p.vector))  # fmt: skip


def _record(p: Any) -> qm.Record:
    return qm.Record(id=_id(p.id), payload=p.payload, vector=_vector_out(p.vector))


def _config(vectors: dict[str, qm.VectorParams], sparse: dict[str, Any]) -> e.EdgeConfig:
    dense = {}
    for name, params in vectors.items():
        multi = None
        if params.multivector_config is not None:
            multi = e.MultiVectorConfig(comparator=e.MultiVectorComparator.MaxSim)
        dense[name] = e.EdgeVectorParams(size=params.size, distance=e.Distance.Cosine,
                                         multivector_config=multi)  # fmt: skip
        if params.distance != qm.Distance.COSINE:
            raise NotImplementedError(f"distance {params.distance}")
    sparse_out = {
        name: e.EdgeSparseVectorParams(
            modifier=e.Modifier.Idf if params.modifier == qm.Modifier.IDF else None
        )
        for name, params in sparse.items()
    }
    if not dense and not sparse_out:  # a payload-only collection (the generation records):
        # Edge needs one vector kind; points leave this one out.
        dense[_NO_VECTORS] = e.EdgeVectorParams(size=1, distance=e.Distance.Cosine)
    return e.EdgeConfig(vectors=dense, sparse_vectors=sparse_out)


_SCHEMA_TYPES = {
    qm.PayloadSchemaType.KEYWORD: e.PayloadSchemaType.Keyword,
    qm.PayloadSchemaType.INTEGER: e.PayloadSchemaType.Integer,
    qm.PayloadSchemaType.FLOAT: e.PayloadSchemaType.Float,
    qm.PayloadSchemaType.BOOL: e.PayloadSchemaType.Bool,
    qm.PayloadSchemaType.DATETIME: e.PayloadSchemaType.Datetime,
    qm.PayloadSchemaType.UUID: e.PayloadSchemaType.Uuid,
}


class _Count:
    def __init__(self, count: int) -> None:
        self.count = count


class EdgeClient:
    """The subset of ``QdrantClient`` the project uses, over Qdrant Edge shards in ``path``.

    Reads run concurrently (the engine is thread-safe); writes are applied one at a time
    (``KnowledgeBase`` serialises them as for every engine)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self._lock_file = (path / ".lock").open("a")
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock_file.close()
            raise EdgeBusyError(f"'{path}' is open in another process") from None
        self._shards: dict[str, e.EdgeShard] = {}
        self._guard = threading.Lock()  # opening/closing shards, not reads

    # --- collections -------------------------------------------------------------------

    def _dir(self, name: str) -> Path:
        if not name or "/" in name or name.startswith("."):
            raise ValueError(f"invalid collection name {name!r}")
        return self.path / name

    def _meta(self, name: str) -> dict[str, Any]:
        return json.loads((self._dir(name) / _META).read_text(encoding="utf-8"))

    def _write_meta(self, name: str, meta: dict[str, Any]) -> None:
        target = self._dir(name) / _META
        tmp = target.with_suffix(".tmp")
        tmp.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        tmp.replace(target)  # atomic: a crash leaves the old or the new file

    def _shard(self, name: str) -> e.EdgeShard:
        shard = self._shards.get(name)
        if shard is not None:
            return shard
        with self._guard:
            if name not in self._shards:
                if not self.collection_exists(name):
                    raise ValueError(f"Collection {name} not found")
                self._shards[name] = e.EdgeShard.load(str(self._dir(name) / _SHARD))
            return self._shards[name]

    def collection_exists(self, collection_name: str) -> bool:
        return (self._dir(collection_name) / _META).is_file()

    def create_collection(
        self,
        collection_name: str,
        vectors_config: dict[str, qm.VectorParams] | qm.VectorParams | None = None,
        sparse_vectors_config: dict[str, qm.SparseVectorParams] | None = None,
        metadata: dict[str, Any] | None = None,
        **_: Any,
    ) -> bool:
        if isinstance(vectors_config, qm.VectorParams):
            raise NotImplementedError("an unnamed vector")
        if self.collection_exists(collection_name):
            raise ValueError(f"Collection {collection_name} already exists")
        folder = self._dir(collection_name)
        if folder.exists():
            shutil.rmtree(folder)  # a half-made collection (no metadata yet)
        folder.mkdir(parents=True)
        vectors, sparse = vectors_config or {}, sparse_vectors_config or {}
        shard = e.EdgeShard.create(str(folder / _SHARD), _config(vectors, sparse))
        with self._guard:
            self._shards[collection_name] = shard
        self._write_meta(collection_name, {
            "metadata": metadata or {},
            "vectors": {n: p.model_dump(mode="json") for n, p in vectors.items()},
            "sparse_vectors": {n: p.model_dump(mode="json") for n, p in sparse.items()},
            "payload_schema": {},
        })  # fmt: skip
        return True

    def delete_collection(self, collection_name: str, **_: Any) -> bool:
        with self._guard:
            shard = self._shards.pop(collection_name, None)
            if shard is not None:
                shard.close()
        folder = self._dir(collection_name)
        if folder.exists():
            shutil.rmtree(folder)
        return True

    def get_collection(self, collection_name: str) -> qm.CollectionInfo:
        meta = self._meta(collection_name)
        params = qm.CollectionParams.model_construct(
            vectors={n: qm.VectorParams(**p) for n, p in meta["vectors"].items()},
            sparse_vectors={n: qm.SparseVectorParams(**p)
                            for n, p in meta["sparse_vectors"].items()},
        )  # fmt: skip
        config = qm.CollectionConfig.model_construct(params=params, metadata=meta["metadata"])
        schema = {k: qm.PayloadIndexInfo(data_type=v, points=0)
                  for k, v in meta["payload_schema"].items()}  # fmt: skip
        return qm.CollectionInfo.model_construct(
            status=qm.CollectionStatus.GREEN, config=config, payload_schema=schema,
            points_count=self._shard(collection_name).count(e.CountRequest(exact=True)),
        )  # fmt: skip

    def update_collection(
        self, collection_name: str, metadata: dict[str, Any] | None = None, **_: Any
    ) -> bool:
        meta = self._meta(collection_name)
        meta["metadata"] = {**meta["metadata"], **(metadata or {})}
        self._write_meta(collection_name, meta)
        return True

    def create_payload_index(
        self, collection_name: str, field_name: str, field_schema: Any, **_: Any
    ) -> None:
        kind = qm.PayloadSchemaType(field_schema)
        self._shard(collection_name).update(
            e.UpdateOperation.create_field_index(field_name, _SCHEMA_TYPES[kind])
        )
        meta = self._meta(collection_name)
        meta["payload_schema"][field_name] = kind.value
        self._write_meta(collection_name, meta)

    # --- writes ------------------------------------------------------------------------

    def _apply(self, collection_name: str, operation: e.UpdateOperation) -> None:
        shard = self._shard(collection_name)
        shard.update(operation)
        shard.flush()  # on disk before the call returns, as local mode

    def upsert(self, collection_name: str, points: Sequence[qm.PointStruct], **_: Any) -> None:
        self._apply(collection_name, e.UpdateOperation.upsert_points([_point(p) for p in points]))

    def upload_points(
        self, collection_name: str, points: Iterable[qm.PointStruct], batch_size: int = 64,
        **_: Any,
    ) -> None:  # fmt: skip
        batch: list[qm.PointStruct] = []
        for p in points:
            batch.append(p)
            if len(batch) >= batch_size:
                self.upsert(collection_name, batch)
                batch = []
        if batch:
            self.upsert(collection_name, batch)

    def update_vectors(
        self, collection_name: str, points: Sequence[qm.PointVectors], **_: Any
    ) -> None:
        vectors = [e.PointVectors(id=_ids([p.id])[0], vector=_vector(p.vector)) for p in points]
        self._apply(collection_name, e.UpdateOperation.update_vectors(vectors))

    def delete(self, collection_name: str, points_selector: Any, **_: Any) -> None:
        if isinstance(points_selector, qm.PointIdsList):
            op = e.UpdateOperation.delete_points(_ids(points_selector.points))
        elif isinstance(points_selector, qm.FilterSelector):
            op = e.UpdateOperation.delete_points_by_filter(edge_filter(points_selector.filter))
        elif isinstance(points_selector, qm.Filter):
            op = e.UpdateOperation.delete_points_by_filter(edge_filter(points_selector))
        else:
            op = e.UpdateOperation.delete_points(_ids(points_selector))
        self._apply(collection_name, op)

    def set_payload(
        self, collection_name: str, payload: dict[str, Any], points: Any, **_: Any
    ) -> None:
        if isinstance(points, qm.FilterSelector):
            points = points.filter
        if isinstance(points, qm.Filter):
            op = e.UpdateOperation.set_payload_by_filter(edge_filter(points), payload)
        else:
            op = e.UpdateOperation.set_payload(_ids(points), payload)
        self._apply(collection_name, op)

    def delete_payload(
        self, collection_name: str, keys: Sequence[str], points: Any, **_: Any
    ) -> None:
        if isinstance(points, qm.FilterSelector):
            points = points.filter
        if isinstance(points, qm.Filter):
            op = e.UpdateOperation.delete_payload_by_filter(edge_filter(points), list(keys))
        else:
            op = e.UpdateOperation.delete_payload(_ids(points), list(keys))
        self._apply(collection_name, op)

    # --- reads -------------------------------------------------------------------------

    def scroll(
        self, collection_name: str, scroll_filter: qm.Filter | None = None, limit: int = 10,
        offset: Any = None, with_payload: Any = True, with_vectors: Any = False, **_: Any,
    ) -> tuple[list[qm.Record], Any]:  # fmt: skip
        request = e.ScrollRequest(
            offset=_ids([offset])[0] if offset is not None else None, limit=limit,
            filter=edge_filter(scroll_filter), with_payload=_selected(with_payload),
            with_vector=_selected(with_vectors),
        )  # fmt: skip
        points, next_offset = self._shard(collection_name).scroll(request)
        return [_record(p) for p in points], _id(next_offset)

    def retrieve(
        self, collection_name: str, ids: Sequence[Any], with_payload: Any = True,
        with_vectors: Any = False, **_: Any,
    ) -> list[qm.Record]:  # fmt: skip
        points = self._shard(collection_name).retrieve(
            _ids(ids), _selected(with_payload), _selected(with_vectors)
        )
        return [_record(p) for p in points]

    def count(
        self, collection_name: str, count_filter: qm.Filter | None = None, exact: bool = True,
        **_: Any,
    ) -> _Count:  # fmt: skip
        request = e.CountRequest(exact=True, filter=edge_filter(count_filter))
        return _Count(self._shard(collection_name).count(request))

    def query_batch_points(
        self, collection_name: str, requests: Sequence[qm.QueryRequest], **_: Any
    ) -> list[QueryResponse]:
        batch = e.QueryBatchRequest(queries=[_request(r) for r in requests])
        results = self._shard(collection_name).query_batch(batch)
        return [QueryResponse(points=[_scored(p) for p in points]) for points in results]

    def query_points(self, collection_name: str, **kwargs: Any) -> QueryResponse:
        request = qm.QueryRequest(**{k: v for k, v in kwargs.items()
                                     if k in qm.QueryRequest.model_fields})  # fmt: skip
        return self.query_batch_points(collection_name, [request])[0]

    def close(self, **_: Any) -> None:
        with self._guard:
            for shard in self._shards.values():
                shard.flush()
                shard.close()
            self._shards = {}
        if not self._lock_file.closed:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)
            self._lock_file.close()


def copy_local_store(source: Path, target: Path) -> list[str]:
    """Copy a local-mode store (qdrant-client's ``path=`` folder) into a new Qdrant Edge store
    at ``target``: every collection with its vector configuration, metadata, vectors and
    payloads. Written beside ``target`` and renamed when complete, so a crash leaves no
    half-copied store (the next start copies again). The source is left as it was."""
    partial = target.with_name(target.name + ".partial")
    if partial.exists():
        shutil.rmtree(partial)
    local = QdrantClient(path=str(source))
    edge = EdgeClient(partial)
    try:
        names = [c.name for c in local.get_collections().collections]
        for name in names:
            params = local.get_collection(name).config
            edge.create_collection(
                name, vectors_config=params.params.vectors or {},
                sparse_vectors_config=params.params.sparse_vectors or {},
                metadata=params.metadata,
            )  # fmt: skip
            offset = None
            while True:
                points, offset = local.scroll(
                    name, limit=256, offset=offset, with_payload=True, with_vectors=True
                )
                if points:
                    edge.upsert(name, [qm.PointStruct(id=p.id, vector=p.vector or {},
                                                      payload=p.payload or {})
                                       for p in points])  # fmt: skip
                if offset is None:
                    break
    finally:
        edge.close()
        local.close()
    partial.replace(target)
    return names
