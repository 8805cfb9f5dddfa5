"""The audit trail on a real SQLite file: retention, the answer cap, feedback; an answer from
the service is kept as redacted text with a pseudonymous user, as the API shows it."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.access import Principal, Pseudonyms, readable
from assistant.api import present
from assistant.audit import AuditLog, UnknownAnswerError
from assistant.components import Components
from assistant.question import Question, Turn
from assistant.result import Answer
from assistant.retrieval import Retrieval
from tests.conftest import EVERYONE, make_settings


def _answer(i: int) -> Answer:
    return Answer(
        id=f"a{i}", text=f"Svar {i}", band="answered", mode="extractive",
        redacted=f"fråga {i}", standalone=f"fråga {i}", retrieval=Retrieval([], 0.0, "hybrid"),
        timings={"total": 1.0},
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


def test_an_answer_is_kept_as_redacted_text_with_a_pseudonym(policies_kb, tmp_path: Path):
    settings = make_settings(tmp_path / "data")
    components = Components.build(settings, kb=policies_kb)
    subject = "anna.svensson@eksjo.se"
    pseudonym = Pseudonyms(settings.data_dir).of("https://login.eksjo.se", subject)
    roles = ("handläggare",)
    user = Principal(pseudonym, roles, ("Eksjö",), readable(roles, settings))
    question = Question(
        "Anna Svensson (19811218-9876) undrar: hur snabbt ska en personuppgiftsincident "
        "anmälas till IMY?",
        history=(Turn("user", "Jag heter Anna Svensson och nås på anna.svensson@eksjo.se."),),
    )
    try:
        answer = components.service.ask(question, user)
        (row,) = components.audit.answers(None)
        stored = components.audit.dump()
    finally:
        components.audit.close()
    assert answer.band == "answered", answer.text
    for raw in ("Anna Svensson", "Svensson", "19811218-9876", subject):
        assert raw not in stored
    assert (row["user"], row["role"], row["organisations"]) == (pseudonym, "handläggare", ["Eksjö"])
    assert row["redacted_query"] == answer.redacted and "<PERSONNUMMER>" in answer.redacted
    # what is kept is what the API shows (citations without their chunk text)
    shown = present.response(answer).model_dump()
    assert row["citations"] == [
        {k: v for k, v in c.items() if k != "text"} for c in shown["citations"]
    ]
    assert row["citations"] and any(c["cited"] for c in row["citations"])
    for key in ("sentences", "redactions", "answer", "refused", "mode", "standalone_query"):
        assert row[key] == shown[key], key
    assert row["timings"] == shown["timings_ms"]
