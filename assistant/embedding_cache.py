"""Passage-role sentence vectors for the extractive answerer and the verifier.

Stored vectors (written with each chunk at ingest) are read from the store; anything else is
embedded through a bounded LRU cache, which makes the verifier's second pass over the same
sentences free and repeated questions cheap. It only ever holds policy sentences and (already
redacted) generated sentences.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from assistant.answer import Passage
from core import index
from core.store import KnowledgeBase

CACHE_SIZE = 20_000  # sentence vectors (384 floats each: ~30 MB)


class EmbeddingCache:
    """Sentence vectors of ``kb``'s embedder: stored ones first, the rest cached."""

    def __init__(self, kb: KnowledgeBase, size: int = CACHE_SIZE) -> None:
        self.kb = kb
        self.size = size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def embed(self, texts: list[str]) -> np.ndarray:
        """Passage-role embeddings of ``texts``, one row each, through the cache."""
        with self._lock:
            found = {t: self._cache[t] for t in texts if t in self._cache}
            for t in found:
                self._cache.move_to_end(t)
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            vectors = self.kb.embedder.get_text_embedding_batch(missing)
            fresh = {
                t: np.asarray(v, dtype=np.float32) for t, v in zip(missing, vectors, strict=True)
            }
            found.update(fresh)
            with self._lock:
                self._cache.update(fresh)
                while len(self._cache) > self.size:
                    self._cache.popitem(last=False)
        return np.stack([found[t] for t in texts])

    def sentence_vectors(self, passages: list[Passage]) -> list[np.ndarray]:
        """Each passage's sentence vectors: stored with its chunk at ingest (one read for
        all), else embedded here (a collection from before sentence vectors, or a chunk whose
        stored sentences no longer match the segmenter)."""
        stored = self.kb.sentence_vectors(list(dict.fromkeys(p.hit.id for p in passages)))
        out = []
        for p in passages:
            texts = index.sentence_texts(str(p.hit.payload.get(index.HEADING, "")), p.hit.text)
            vectors = stored.get(p.hit.id)
            if vectors is None or len(vectors) != len(texts):
                vectors = self.embed(texts) if texts else np.zeros((0, self.kb.dim), np.float32)
            out.append(vectors)
        return out
