"""Qdrant Edge behind the client interface (core/edge.py): the same points for the same
filters and queries as qdrant-client's local mode, one process per store, and a local-mode
store carried over on first start."""

from __future__ import annotations

import threading
import uuid
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from qdrant_client import QdrantClient
from qdrant_client import models as qm

from core import index
from core.edge import EdgeClient, copy_local_store
from core.store import KnowledgeBase, StoreBusyError, open_client
from ingest.pipeline import Ingestor
from tests.conftest import POLICIES, make_settings

DIM = 8
ORGS = ["Aneby", "Eksjö", "Nässjö", "Sävsjö", "Vetlanda"]


def _points(n: int = 300) -> list[qm.PointStruct]:
    rng = np.random.default_rng(7)
    out = []
    for i in range(n):
        dense = rng.normal(size=DIM)
        terms = sorted({int(t) for t in rng.integers(0, 50, size=5)})
        payload = {
            index.DOC_ID: f"doc-{i % 17}", index.CHUNK_INDEX: i % 11, index.GENERATION: i % 5,
            index.ADOPTED: f"20{10 + i % 15}-0{1 + i % 9}-1{i % 10}",
            index.CLASSIFICATION: ["öppen", "intern", "begränsad"][i % 3],
            "text": f"chunk {i}",
        }  # fmt: skip
        if i % 4:  # some chunks have no scope (written before access existed)
            payload[index.SCOPE] = [ORGS[i % 5], *(["alla"] if i % 7 == 0 else [])]
        out.append(qm.PointStruct(
            id=str(uuid.UUID(int=i + 1)), payload=payload,
            vector={"dense": (dense / np.linalg.norm(dense)).tolist(),
                    "sparse": qm.SparseVector(indices=terms,  # no ties
                                              values=rng.random(len(terms)).tolist())},
        ))  # fmt: skip
    return out


def _both(tmp_path: Path) -> tuple[QdrantClient, EdgeClient]:
    clients = (QdrantClient(":memory:"), EdgeClient(tmp_path / "edge"))
    for client in clients:
        client.create_collection(
            "c", vectors_config={"dense": qm.VectorParams(size=DIM, distance=qm.Distance.COSINE)},
            sparse_vectors_config={"sparse": qm.SparseVectorParams(modifier=qm.Modifier.IDF)},
        )  # fmt: skip
        client.upsert("c", _points())
    return clients


FILTERS = {
    "match value": qm.Filter(must=[qm.FieldCondition(key=index.DOC_ID,
                                                     match=qm.MatchValue(value="doc-3"))]),
    "match any + range": qm.Filter(must=[
        qm.FieldCondition(key=index.DOC_ID, match=qm.MatchAny(any=["doc-1", "doc-2"])),
        qm.FieldCondition(key=index.CHUNK_INDEX, range=qm.Range(gte=2, lte=6)),
    ]),
    "scope or unscoped, classification": qm.Filter(must=[
        qm.Filter(should=[
            qm.FieldCondition(key=index.SCOPE, match=qm.MatchAny(any=["Eksjö", "alla"])),
            qm.IsEmptyCondition(is_empty=qm.PayloadField(key=index.SCOPE)),
        ]),
        qm.FieldCondition(key=index.CLASSIFICATION, match=qm.MatchAny(any=["öppen", "intern"])),
    ]),
    "must not generation": qm.Filter(must=[qm.Filter(must_not=[
        qm.FieldCondition(key=index.GENERATION, match=qm.MatchAny(any=[1, 3]))
    ])]),
    "match except": qm.Filter(must=[
        qm.FieldCondition(key=index.CLASSIFICATION, match=qm.MatchExcept(**{"except": ["intern"]}))
    ]),
    "dates": qm.Filter(must=[qm.FieldCondition(
        key=index.ADOPTED, range=qm.DatetimeRange(gte=date(2015, 1, 1), lte=date(2019, 12, 31))
    )]),
    "has id": qm.Filter(must=[qm.HasIdCondition(has_id=[str(uuid.UUID(int=5)),
                                                        str(uuid.UUID(int=9))])]),
}  # fmt: skip


@pytest.mark.parametrize("name", FILTERS)
def test_filters_select_the_same_points_as_local_mode(tmp_path, name):
    local, edge = _both(tmp_path)
    flt = FILTERS[name]
    try:
        ids = [sorted(str(p.id) for p in c.scroll("c", scroll_filter=flt, limit=1000)[0])
               for c in (local, edge)]  # fmt: skip
        assert ids[0] == ids[1] and ids[0], name
        assert local.count("c", count_filter=flt).count == edge.count("c", count_filter=flt).count
    finally:
        local.close()
        edge.close()


def test_hybrid_queries_rank_like_local_mode(tmp_path):
    local, edge = _both(tmp_path)
    rng = np.random.default_rng(3)
    flt = FILTERS["scope or unscoped, classification"]
    try:
        for _ in range(10):
            q = rng.normal(size=DIM).tolist()
            sparse = qm.SparseVector(indices=[1, 7, 30], values=rng.random(3).tolist())
            requests = [
                qm.QueryRequest(query=q, using="dense", filter=flt, limit=5, with_payload=True),
                qm.QueryRequest(
                    prefetch=[qm.Prefetch(query=q, using="dense", filter=flt, limit=20),
                              qm.Prefetch(query=sparse, using="sparse", filter=flt, limit=20)],
                    query=qm.RrfQuery(rrf=qm.Rrf(k=60, weights=[1.0, 0.5])), limit=5,
                ),
                qm.QueryRequest(
                    prefetch=[qm.Prefetch(query=q, using="dense", limit=20),
                              qm.Prefetch(query=sparse, using="sparse", limit=20)],
                    query=qm.FusionQuery(fusion=qm.Fusion.DBSF), limit=5,
                ),
            ]  # fmt: skip
            a, b = (c.query_batch_points("c", requests=requests) for c in (local, edge))
            for n, (x, y) in enumerate(zip(a, b, strict=True)):
                assert [str(p.id) for p in x.points] == [str(p.id) for p in y.points], n
                assert np.allclose([p.score for p in x.points], [p.score for p in y.points],
                                   atol=1e-4)  # fmt: skip
            assert a[0].points[0].payload == b[0].points[0].payload
    finally:
        local.close()
        edge.close()


def test_writes_by_filter_and_ids(tmp_path):
    local, edge = _both(tmp_path)
    by_doc = qm.Filter(
        must=[qm.FieldCondition(key=index.DOC_ID, match=qm.MatchValue(value="doc-4"))]
    )
    try:
        for c in (local, edge):
            c.set_payload("c", payload={index.REVIEW: "approved"}, points=by_doc)
            c.delete("c", points_selector=qm.FilterSelector(filter=FILTERS["match value"]))
            c.delete("c", points_selector=qm.PointIdsList(points=[str(uuid.UUID(int=1))]))
        for c in (local, edge):
            assert c.count("c").count == 300 - 18 - 1
            approved = c.scroll("c", scroll_filter=by_doc, limit=100)[0]
            assert approved and all(p.payload[index.REVIEW] == "approved" for p in approved)
        got = edge.retrieve("c", ids=[str(uuid.UUID(int=2))], with_vectors=["sparse"])[0]
        assert isinstance(got.vector["sparse"], qm.SparseVector) and got.id == str(uuid.UUID(int=2))
    finally:
        local.close()
        edge.close()


def test_one_process_per_store(tmp_path):
    settings = make_settings(tmp_path, qdrant_engine="edge")
    first = open_client(settings)
    try:
        with pytest.raises(StoreBusyError, match="PA_QDRANT_URL"):
            open_client(settings)
    finally:
        first.close()
    open_client(settings).close()  # free again once closed


@pytest.mark.slow
def test_reads_run_while_a_document_is_replaced(tmp_path, embedder):
    """No read lock on Qdrant Edge: searches in threads during re-ingest never fail."""
    docs = tmp_path / "docs"
    docs.mkdir()
    html = (POLICIES / "it-sakerhetspolicy.html").read_text(encoding="utf-8")
    (docs / "it.html").write_text(html, encoding="utf-8")
    kb = KnowledgeBase(make_settings(tmp_path, qdrant_engine="edge"), embedder=embedder)
    errors: list[BaseException] = []
    try:
        assert kb.concurrent
        Ingestor(kb).ingest([docs])
        vector = embedder.get_query_embedding("Hur långt måste ett lösenord vara?")
        request = qm.QueryRequest(query=vector, using=index.DENSE, limit=3, with_payload=True)
        done = threading.Event()

        def search() -> None:
            while not done.is_set():
                try:
                    assert kb.query([request])[0].points
                except BaseException as exc:  # noqa: BLE001 - reported below
                    errors.append(exc)
                    return

        readers = [threading.Thread(target=search) for _ in range(3)]
        for t in readers:
            t.start()
        changed = html.replace("</body>", "<p>Ett tillägg om skrivare.</p></body>")
        (docs / "it.html").write_text(changed, encoding="utf-8")
        try:
            report = Ingestor(kb).ingest([docs])
        finally:
            done.set()
        assert [r.status for r in report.results] == ["changed"]
        for t in readers:
            t.join()
    finally:
        kb.close()
    assert not errors, errors[:3]


@pytest.mark.slow
def test_a_local_mode_store_is_carried_over_on_first_start(tmp_path, embedder):
    local_settings = make_settings(tmp_path, qdrant_engine="local")
    kb = KnowledgeBase(local_settings, embedder=embedder)
    Ingestor(kb).ingest([POLICIES / "riktlinjer-personuppgifter.md"])
    before = kb.documents()
    question = "Hur snabbt ska en personuppgiftsincident anmälas?"
    vector = embedder.get_query_embedding(question)
    request = qm.QueryRequest(query=vector, using=index.DENSE, limit=5, with_payload=True)
    expected = [(str(p.id), round(p.score, 4)) for p in kb.query([request])[0].points]
    kb.close()
    (tmp_path / "qdrant-edge.partial").mkdir()  # left by a copy cut short: started again

    edge = KnowledgeBase(make_settings(tmp_path, qdrant_engine="edge"), embedder=embedder)
    try:
        assert (tmp_path / "qdrant-edge").is_dir() and not (
            tmp_path / "qdrant-edge.partial"
        ).exists()
        assert edge.documents() == before and edge.sentences
        got = [(str(p.id), round(p.score, 4)) for p in edge.query([request])[0].points]
        assert got == expected
        report = Ingestor(edge).ingest([POLICIES / "riktlinjer-personuppgifter.md"])
        assert [r.status for r in report.results] == ["unchanged"]
    finally:
        edge.close()
    assert (tmp_path / "qdrant" / "meta.json").is_file()  # the old store is left as it was


def test_a_copied_store_reads_back_and_untranslated_queries_fail_loudly(tmp_path):
    source = tmp_path / "local"
    client = QdrantClient(path=str(source))
    client.create_collection(
        "x", vectors_config={"v": qm.VectorParams(size=2, distance=qm.Distance.COSINE)}
    )
    client.upsert("x", [qm.PointStruct(id=1, vector={"v": [1.0, 0.0]}, payload={"a": 1})])
    client.close()
    assert copy_local_store(source, tmp_path / "edge") == ["x"]
    edge = EdgeClient(tmp_path / "edge")
    try:
        assert edge.retrieve("x", ids=[1], with_vectors=True)[0].payload == {"a": 1}
        with pytest.raises(NotImplementedError):
            edge.query_batch_points(
                "x", [qm.QueryRequest(query=qm.FusionQuery(fusion=qm.Fusion.RRF))]
            )
    finally:
        edge.close()


def test_an_explicit_local_mode_folder_is_not_opened_as_edge(tmp_path):
    QdrantClient(path=str(tmp_path / "store")).close()  # a local-mode store
    settings = make_settings(tmp_path, qdrant_path=tmp_path / "store")
    with pytest.raises(ValueError, match="PA_QDRANT_ENGINE=local"):
        open_client(settings)
    open_client(make_settings(tmp_path, qdrant_path=tmp_path / "store",
                              qdrant_engine="local")).close()  # fmt: skip
    edge = EdgeClient(tmp_path / "edge")
    try:
        edge.create_collection("c", vectors_config={})
        with pytest.raises(ValueError, match="already exists"):
            edge.create_collection("c", vectors_config={})
    finally:
        edge.close()
