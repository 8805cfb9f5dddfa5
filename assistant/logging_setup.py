"""Logging that cannot print request bodies or questions.

Our own modules log ids, counts and timings only. Third-party loggers that can print request
or response bodies at DEBUG/INFO (HTTP clients, LLM clients, llama-index, Presidio, uvicorn's
access log with query strings) are capped at WARNING whatever the configured level.
"""

from __future__ import annotations

import logging

CAPPED = (
    "httpx", "httpcore", "openai", "ollama", "urllib3", "llama_index", "presidio-analyzer",
    "presidio-anonymizer", "uvicorn.access", "multipart", "python_multipart", "fastapi",
    "sentence_transformers", "qdrant_client",
)  # fmt: skip


def setup_logging(level: str = "INFO") -> None:
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
    )
    for name in CAPPED:
        logging.getLogger(name).setLevel(logging.WARNING)
