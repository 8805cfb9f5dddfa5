"""Sentence vectors at ingest: stored with every chunk, equal to embedding at query time, kept
in step by re-ingest and delete; a collection made before them still answers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from qdrant_client import models as qm

from assistant.api import present
from assistant.components import Components
from assistant.retrieval import _hit
from assistant.schemas import AskRequest
from core import index
from core.store import KnowledgeBase
from ingest.pipeline import Ingestor
from tests.conftest import EVERYONE, POLICIES, copy_policies, make_settings

QUESTIONS = [
    "Hur långt måste ett lösenord vara?",
    "Hur ofta ska säkerhetskopior tas?",
    "Vem ansvarar för informationssäkerheten?",
    "Får jag använda privat e-post i tjänsten?",
]


def _answers(components: Components) -> list[tuple[str, str, list[str]]]:
    out = []
    for q in QUESTIONS:
        r = present.ask(components.service, AskRequest(question=q), EVERYONE)
        out.append((r.band, r.answer, [c.chunk_id for c in r.citations if c.cited]))
    return out


def test_every_chunk_stores_its_sentences_as_embedded_at_query_time(policies_kb, embedder):
    assert policies_kb.sentences
    points = policies_kb.scroll(fields=[index.HEADING])
    stored = policies_kb.sentence_vectors([str(p.id) for p in points])
    texts = {str(p.id): p for p in policies_kb.scroll()}
    assert len(stored) == len(points)
    for point_id, vectors in list(stored.items())[:25]:
        hit = _hit(texts[point_id])
        sentences = index.sentence_texts(hit.payload[index.HEADING], hit.text)
        assert len(vectors) == len(sentences)
        fresh = np.asarray(embedder.get_text_embedding_batch(sentences), dtype=np.float32)
        assert np.min(np.sum(fresh * vectors, axis=1)) > 0.999


def test_answers_are_the_same_with_and_without_stored_sentence_vectors(
    policies_kb: KnowledgeBase, tmp_path: Path
):
    with_vectors = Components.build(make_settings(tmp_path / "a"), kb=policies_kb)
    expected = _answers(with_vectors)
    policies_kb.sentences = False  # read nothing stored: every sentence embedded per question
    try:
        assert _answers(Components.build(make_settings(tmp_path / "b"), kb=policies_kb)) == expected
    finally:
        policies_kb.sentences = True
    assert sum(band == "answered" for band, _, _ in expected) >= 3


def test_reingest_and_delete_keep_sentence_vectors_in_step(kb: KnowledgeBase, tmp_path: Path):
    folder = copy_policies(tmp_path / "docs")
    ingestor = Ingestor(kb)
    assert ingestor.ingest([folder]).ok
    target = sorted(folder.glob("*.md"))[0]
    doc_id = next(d for d, info in kb.documents().items() if info.source == target.name)
    target.write_text(target.read_text(encoding="utf-8") + "\n\nNy mening om loggning.\n",
                      encoding="utf-8")  # fmt: skip
    assert ingestor.ingest([folder]).ok
    ids = kb.point_ids(doc_id)
    assert ids and set(kb.sentence_vectors(ids)) == set(ids)
    kb.delete_document(doc_id)
    assert kb.sentence_vectors(ids) == {}


def test_a_collection_made_before_sentence_vectors_still_answers(tmp_path: Path, embedder):
    settings = make_settings(tmp_path / "data")
    kb = KnowledgeBase(settings, embedder=embedder)
    kb.recreate()
    config = kb.client.get_collection(kb.collection).config
    kb.client.delete_collection(kb.collection)  # as an older version made it: dense + sparse
    kb.client.create_collection(
        kb.collection,
        vectors_config={index.DENSE: qm.VectorParams(size=kb.dim, distance=qm.Distance.COSINE)},
        sparse_vectors_config={index.SPARSE: qm.SparseVectorParams(modifier=qm.Modifier.IDF)},
        metadata={k: v for k, v in (config.metadata or {}).items() if k != "sentences"},
    )
    kb.close()
    kb = KnowledgeBase(settings, embedder=embedder)
    try:
        assert not kb.sentences
        assert Ingestor(kb).ingest([POLICIES]).ok
        service = Components.build(settings, kb=kb).service
        response = present.ask(service, AskRequest(question=QUESTIONS[0]), EVERYONE)
        assert response.band == "answered" and "tecken" in response.answer
    finally:
        kb.close()
