"""Logging that cannot print request bodies or questions, and that stays bounded.

Our own modules log ids, counts and timings only, at ``PA_LOG_LEVEL``. Every other library
logs WARNING and up, unless named in ``PA_LOG_LIBRARIES`` (markdown-it alone wrote 519 MB of
DEBUG lines for one upload); those that can print request or response bodies (HTTP and LLM
clients, llama-index, Presidio, uvicorn's access log with query strings) stay at WARNING even
then. ``PA_LOG_FILE`` adds a log file rotated at 10 MB with 5 old files kept.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from logging.handlers import RotatingFileHandler
from pathlib import Path

OWN = ("assistant", "core", "ingest", "eval", "ui", "__main__")
CAPPED = (
    "httpx", "httpcore", "openai", "ollama", "urllib3", "llama_index", "presidio-analyzer",
    "presidio-anonymizer", "uvicorn.access", "multipart", "python_multipart", "fastapi",
    "sentence_transformers", "qdrant_client",
)  # fmt: skip
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
FILE_BYTES, FILE_BACKUPS = 10_000_000, 5


def setup_logging(
    level: str = "INFO", libraries: Iterable[str] = (), file: Path | None = None
) -> None:
    handlers: list[logging.Handler] = [logging.StreamHandler()]
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(RotatingFileHandler(file, maxBytes=FILE_BYTES, backupCount=FILE_BACKUPS,
                                            encoding="utf-8"))  # fmt: skip
    logging.basicConfig(level=logging.WARNING, format=FORMAT, handlers=handlers, force=True)
    for name in (*OWN, *libraries):
        logging.getLogger(name).setLevel(level)
    for name in CAPPED:
        logging.getLogger(name).setLevel(logging.WARNING)
