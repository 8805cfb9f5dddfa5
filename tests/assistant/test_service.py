"""The service's one ask path: ``ask`` and ``ask_stream`` are the same generator, so the
stream's last event is the answer ``ask`` returns; an LLM failure ends both the same way."""

from __future__ import annotations

import socket
from dataclasses import replace
from pathlib import Path

import pytest

from assistant.components import Components
from assistant.llm import LLMUnavailableError
from assistant.question import Question, Turn
from assistant.result import Answer, Done, Started, Token
from assistant.retrieval import Filters
from tests.assistant.test_retrieval import IT
from tests.conftest import EVERYONE, make_settings

QUESTIONS = [
    Question("Hur långt måste ett lösenord vara?"),
    Question("Får jag mejla Anna Svenssons personnummer 19811218-9876 till en kollega?"),
    Question(
        "Och för tjänstekonton då?",
        history=(
            Turn("user", "Hur långt måste ett lösenord vara?"),
            Turn("assistant", "Minst 14 tecken."),
        ),
    ),  # fmt: skip
    Question("Hur länge sparas loggar?", filters=Filters(document_ids=[IT]), top_k=3),
    Question("Hur lång är preskriptionstiden för dataintrång enligt brottsbalken?"),
    Question("Hur många semesterdagar har jag rätt till?"),
    Question("What is the capital of Norway?"),
]


@pytest.fixture(scope="module")
def components(policies_kb, tmp_path_factory):
    built = Components.build(make_settings(tmp_path_factory.mktemp("service")), kb=policies_kb)
    yield built
    built.audit.close()


def _comparable(answer: Answer) -> Answer:
    """The answer without what differs between two runs: its id and timings."""
    return replace(answer, id="", timings={})


def test_the_questions_cover_every_band(components):
    bands = {components.service.ask(q, EVERYONE).band for q in QUESTIONS}
    assert bands == {"answered", "uncertain", "refused"}


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.text[:30])
def test_ask_and_the_stream_give_the_same_answer(components, question):
    service = components.service
    answer = service.ask(question, EVERYONE)
    started, *tokens, done = list(service.ask_stream(question, EVERYONE))
    assert isinstance(started, Started) and isinstance(done, Done)
    assert all(isinstance(t, Token) for t in tokens)
    assert _comparable(done.answer) == _comparable(answer)
    assert (started.redacted, started.redactions, started.mode) == (
        answer.redacted, answer.redactions, answer.mode,
    )  # fmt: skip
    streamed = "".join(t.text for t in tokens)
    assert streamed.split() == (answer.text.split() if answer.band == "answered" else [])
    assert {"scrub", "search", "answer", "total"} <= set(done.answer.timings)


def test_both_are_audited_alike(components):
    question = QUESTIONS[0]
    answer = components.service.ask(question, EVERYONE)
    done = list(components.service.ask_stream(question, EVERYONE))[-1].answer
    rows = {r["id"]: r for r in components.audit.answers(None, limit=1000)}
    asked, streamed = rows[answer.id], rows[done.id]
    for row in (asked, streamed):
        del row["id"], row["ts"], row["timings"]
    assert asked == streamed


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_llm_that_does_not_answer_fails_both_alike(policies_kb, tmp_path: Path):
    """A real LLM client against a port nobody listens on (no fake)."""
    settings = make_settings(
        tmp_path, answer_mode="openai", llm_base_url=f"http://127.0.0.1:{_free_port()}/v1",
        llm_timeout_s=5,
    )  # fmt: skip
    components = Components.build(settings, kb=policies_kb)
    question = QUESTIONS[0]  # answered: the LLM is asked to word it
    try:
        with pytest.raises(LLMUnavailableError):
            components.service.ask(question, EVERYONE)
        events = components.service.ask_stream(question, EVERYONE)
        assert isinstance(next(events), Started)
        with pytest.raises(LLMUnavailableError):
            next(events)
        assert components.audit.answers(None) == []  # nothing answered, nothing recorded
    finally:
        components.audit.close()
