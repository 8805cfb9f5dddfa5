"""The audit trail on a real SQLite file: retention, the answer cap, feedback."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.audit import AuditLog, UnknownAnswerError
from assistant.schemas import AskResponse
from tests.conftest import EVERYONE


def _answer(i: int) -> AskResponse:
    return AskResponse(
        id=f"a{i}", answer=f"Svar {i}", refused=False, mode="extractive", sentences=[],
        citations=[], redacted_query=f"fråga {i}", standalone_query=f"fråga {i}",
        redactions=[], timings_ms={"total": 1.0},
    )  # fmt: skip


def _ids(log: AuditLog) -> list[str]:
    return [row[0] for row in log._db.execute("SELECT id FROM answers ORDER BY rowid")]


def test_the_answer_cap_drops_the_oldest_with_their_feedback(tmp_path: Path):
    log = AuditLog(tmp_path / "audit.sqlite3", retention_days=90, max_answers=3)
    for i in range(3):
        log.record_answer(_answer(i), EVERYONE)
    log.record_feedback("a0", "correct", "", [])
    log.record_feedback("a2", "incorrect", "fel paragraf", [])
    for i in range(3, 6):
        log.record_answer(_answer(i), EVERYONE)
    assert _ids(log) == ["a3", "a4", "a5"]
    assert "a0" not in log.dump() and "fel paragraf" not in log.dump()
    with pytest.raises(UnknownAnswerError):
        log.record_feedback("a1", "correct", "", [])
    log.record_feedback("a5", "correct", "bra", [])
    assert _ids(log) == ["a3", "a4", "a5"]  # feedback never pushes an answer out
    log.close()


def test_retention_zero_keeps_nothing(tmp_path: Path):
    log = AuditLog(tmp_path / "audit.sqlite3", retention_days=0)
    log.record_answer(_answer(1), EVERYONE)
    assert log.dump() == ""
    log.close()
