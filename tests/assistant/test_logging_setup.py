"""``setup_logging``: other libraries at WARNING unless named, body-printing ones always,
a bounded log file (issue 31)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from assistant.logging_setup import FILE_BACKUPS, FILE_BYTES, setup_logging


@pytest.fixture(autouse=True)
def _restore_logging():
    yield
    logging.basicConfig(level=logging.WARNING, force=True)
    for name in ("assistant", "markdown_it", "httpx", "ingest"):
        logging.getLogger(name).setLevel(logging.NOTSET)


def test_debug_is_for_our_modules_and_named_libraries_only(tmp_path: Path):
    log = tmp_path / "logs" / "api.log"
    setup_logging("DEBUG", libraries=["httpx"], file=log)
    logging.getLogger("assistant.service").debug("vår rad")
    logging.getLogger("markdown_it.rules_block").debug("blockrad " * 20)
    logging.getLogger("httpx").debug("en begäran med en kropp")  # capped even when named
    logging.getLogger("markdown_it").warning("en varning syns")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = log.read_text(encoding="utf-8")
    assert "vår rad" in text and "en varning syns" in text
    assert "blockrad" not in text and "en begäran" not in text
    setup_logging("DEBUG", libraries=["markdown_it"], file=log)
    logging.getLogger("markdown_it.rules_block").debug("nu efterfrågad")
    logging.getLogger().handlers[-1].flush()
    assert "nu efterfrågad" in log.read_text(encoding="utf-8")


def test_the_log_file_is_rotated(tmp_path: Path):
    log = tmp_path / "api.log"
    setup_logging("INFO", file=log)
    line = "x" * 1000
    for _ in range(FILE_BYTES // 1000 * 13 // 10):  # 1.3 times the bound of one file
        logging.getLogger("assistant").info(line)
    handler = logging.getLogger().handlers[-1]
    assert isinstance(handler, logging.handlers.RotatingFileHandler)
    assert handler.maxBytes == FILE_BYTES and handler.backupCount == FILE_BACKUPS
    files = sorted(tmp_path.glob("api.log*"))
    assert [f.name for f in files] == ["api.log", "api.log.1"]
    assert all(f.stat().st_size <= FILE_BYTES for f in files)
