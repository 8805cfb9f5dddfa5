"""Swedish BM25 as Qdrant sparse vectors.

Terms are lower-cased, stop words dropped (spaCy's Swedish and English lists), and stemmed with
the Snowball Swedish stemmer (PyStemmer). Documents store the BM25 term-frequency part; Qdrant
multiplies in the IDF at query time (``Modifier.IDF`` on the sparse vector), so the collection
statistics stay correct as documents come and go. Numbers keep their dots ("3.2", "6.1"), so
exact section and article references match.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from functools import lru_cache

import Stemmer
from qdrant_client import models as qm
from spacy.lang.en.stop_words import STOP_WORDS as EN_STOP
from spacy.lang.sv.stop_words import STOP_WORDS as SV_STOP

# Words in spaCy's Swedish list that carry meaning in policy questions ("inom 72 timmar",
# "senast", "beslut", "nivå hög") and therefore stay searchable.
_KEEP = {
    "beslut", "beslutat", "beslutit", "dag", "dagar", "dagarna", "dagen", "nummer", "nr",
    "hög", "högre", "högst", "senast", "minst", "tidigast", "inom", "kr", "mindre", "större",
}  # fmt: skip
STOP_WORDS = frozenset((SV_STOP | EN_STOP) - _KEEP)

_TOKEN = re.compile(r"\d+(?:[.:]\d+)*[a-zåäö]?|§|[^\W\d_]+", re.UNICODE)


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("swedish")


def terms(text: str) -> list[str]:
    """Normalised BM25 terms of ``text`` (stemmed, no stop words)."""
    words = [w for w in _TOKEN.findall(text.lower()) if w not in STOP_WORDS]
    return _stemmer().stemWords(words)


def term_id(term: str) -> int:
    """Stable 32-bit id of a term (the sparse vector index)."""
    return zlib.crc32(term.encode("utf-8"))


class Bm25Encoder:
    """BM25 term weights for documents and queries."""

    def __init__(self, k1: float = 1.2, b: float = 0.75, avg_len: float = 150.0) -> None:
        self.k1, self.b, self.avg_len = k1, b, avg_len

    def encode_document(self, text: str) -> qm.SparseVector:
        tokens = terms(text)
        counts = Counter(term_id(t) for t in tokens)
        norm = self.k1 * (1 - self.b + self.b * len(tokens) / self.avg_len)
        indices = sorted(counts)
        values = [counts[i] * (self.k1 + 1) / (counts[i] + norm) for i in indices]
        return qm.SparseVector(indices=indices, values=values)

    def encode_query(self, text: str) -> qm.SparseVector:
        indices = sorted({term_id(t) for t in terms(text)})
        return qm.SparseVector(indices=indices, values=[1.0] * len(indices))

    def documents_fn(self, texts: list[str]) -> tuple[list[list[int]], list[list[float]]]:
        """The ``sparse_doc_fn`` signature llama-index's QdrantVectorStore expects."""
        vectors = [self.encode_document(t) for t in texts]
        return [v.indices for v in vectors], [v.values for v in vectors]

    def queries_fn(self, texts: list[str]) -> tuple[list[list[int]], list[list[float]]]:
        """The ``sparse_query_fn`` signature llama-index's QdrantVectorStore expects."""
        vectors = [self.encode_query(t) for t in texts]
        return [v.indices for v in vectors], [v.values for v in vectors]
