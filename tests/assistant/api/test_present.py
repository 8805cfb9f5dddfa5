"""The presenter (assistant/api/present.py): a request as the service's question, a domain
answer as the API's JSON, stream events as SSE; and over the real API, the stream's ``done``
event is the answer ``/v1/ask`` returns."""

from __future__ import annotations

import json
from datetime import date

import pytest
from fastapi.testclient import TestClient

from assistant.answer import Claim, Passage
from assistant.answerability import Signals
from assistant.api import create_app, present
from assistant.citations import Support
from assistant.components import Components
from assistant.lifecycle import lifecycle_of
from assistant.pii import Redaction
from assistant.question import Question, Turn
from assistant.result import (
    Answer,
    Conflict,
    ConflictSide,
    Done,
    Notice,
    Related,
    Source,
    Started,
    Statement,
    Token,
)
from assistant.retrieval import Filters, Hit, Retrieval
from assistant.schemas import AskRequest
from core import index
from tests.conftest import make_settings

DAY = date(2026, 12, 3)
TEXT = "Lösenord ska bestå av minst 14 tecken. Byt lösenord varje år."
RULE = "Lösenord ska bestå av minst 14 tecken."
OWN = {
    index.DOC_ID: "it", index.TITLE: "IT-policy", index.SOURCE: "it.html",
    index.DOC_TYPE: "policy", index.VERSION: "2.0", index.ADOPTED: "2024-01-10",
    index.START_CHAR: 100, index.PAGE_START: 3, index.PAGE_END: 4,
    index.SECTION_PATH: "3 Konton > 3.1 Lösenord", index.MUNICIPALITIES: ["Eksjö"],
    index.REVIEW_BY: "2026-01-01", index.ADOPTED_BY: "Kommunfullmäktige",
}  # fmt: skip
OTHER = {index.DOC_ID: "rutin", index.TITLE: "Rutin", index.SOURCE: "rutin.md",
         index.ORIGIN: "upload", index.SECTION_PATH: "1 Krav"}  # fmt: skip
LAW = {index.DOC_ID: "gdpr", index.TITLE: "GDPR", index.SOURCE: "gdpr.html", index.ACT: "gdpr",
       index.SECTION_PATH: "Artikel 33"}  # fmt: skip
SIGNALS = Signals(0.912345, 2.345678, 0.934567, 0.5, 1.0, 0.0, 1.0, 0.0, 0.25)


def _answer() -> Answer:
    own = Hit("c1", 0.123456, 0.876543, TEXT, OWN)
    other = Hit("c2", 0.1, None, "Lösenord ska ha minst 12 tecken.", OTHER)
    p1, p2 = Passage(1, own), Passage(2, other)
    statement = Statement(Claim(RULE, [1], None, 0, 38), Support(True, 1.0, 1.0, 1.0, 1, 0, 38))
    sources = [
        Source(p1, lifecycle_of(OWN, DAY), None, 0, 38, True),
        Source(p2, lifecycle_of(OTHER, DAY), "2024-05-01", 0, 32, True),
    ]
    sides = (ConflictSide(1, "it", "IT-policy", "2024-01-10", RULE, "minst 14 tecken"),
             ConflictSide(2, "rutin", "Rutin", None, "Lösenord ska ha minst 12 tecken.",
                          "minst 12 tecken"))  # fmt: skip
    return Answer(
        id="a1", text=f"{RULE} [1]", band="answered", mode="extractive",
        redacted="Hur långt ska <NAMN>s lösenord vara?",
        standalone="Hur långt ska <NAMN>s lösenord vara?",
        retrieval=Retrieval([own], 0.876543, "hybrid"), redactions=[Redaction("namn", 1)],
        score=0.7654321, signals=SIGNALS, statements=[statement], sources=sources,
        related=[Related("gdpr:art33", [1], Hit("law1", 0.5, None, "Artikel 33 …", LAW))],
        conflicts=[Conflict("quantity", sides, "Dokumenten skiljer sig åt: …")],
        notices=[Notice("rutin", "conflict", "Dokumenten skiljer sig åt: …"),
                 Notice("it", "review_overdue", "Obs: …")],
        timings={"scrub": 1.0, "total": 5.5},
    )  # fmt: skip


def test_an_answer_is_presented_field_by_field():
    body = present.response(_answer()).model_dump()
    assert body["id"] == "a1" and body["answer"] == f"{RULE} [1]"
    assert (body["band"], body["refused"], body["mode"]) == ("answered", False, "extractive")
    assert body["sentences"] == [{
        "text": RULE, "citations": [1], "document_label": None, "supported": True,
        "score": 1.0, "quote_citation": 1, "quote_start": 0, "quote_end": 38,
    }]  # fmt: skip
    own, other = body["citations"]
    assert own == {
        "n": 1, "chunk_id": "c1", "document_id": "it", "title": "IT-policy", "source": "it.html",
        "origin": "folder", "doc_type": "policy", "version": "2.0", "adopted": "2024-01-10",
        "lifecycle": {
            "adopted_by": "Kommunfullmäktige", "decision_ref": None, "valid_from": None,
            "valid_to": None, "review_by": "2026-01-01", "owner": None, "diary_no": None,
            "status": "review_overdue", "status_sv": "revision försenad",
        },
        "municipalities": ["Eksjö"], "superseded_on": None,
        "section": "3 Konton > 3.1 Lösenord", "page": 3, "page_end": 4,
        "quote": RULE, "start": 0, "end": 38, "doc_start": 100, "doc_end": 138,
        "score": 0.1235, "dense_score": 0.8765, "cited": True, "text": TEXT,
    }  # fmt: skip
    assert (other["origin"], other["superseded_on"], other["dense_score"]) == (
        "upload", "2024-05-01", None,
    )  # fmt: skip
    assert (other["doc_start"], other["doc_end"], other["lifecycle"]["status"]) == (
        None, None, "unstated",
    )  # fmt: skip
    assert body["redactions"] == [{"type": "namn", "count": 1}]
    assert (
        body["redacted_query"] == body["standalone_query"] == "Hur långt ska <NAMN>s lösenord vara?"
    )
    assert body["retrieval"] == {"mode": "hybrid", "best_dense": 0.8765}
    assert body["answerability"] == {"score": 0.7654} | SIGNALS.as_dict()
    assert body["related"] == [{
        "ref": "gdpr:art33", "cited_by": [1], "chunk_id": "law1", "document_id": "gdpr",
        "title": "GDPR", "source": "gdpr.html", "act": "gdpr", "section": "Artikel 33",
        "text": "Artikel 33 …",
    }]  # fmt: skip
    (conflict,) = body["conflicts"]
    assert conflict["kind"] == "quantity" and [s["value"] for s in conflict["sides"]] == [
        "minst 14 tecken", "minst 12 tecken",
    ]  # fmt: skip
    assert [(n["document_id"], n["kind"]) for n in body["notices"]] == [
        ("rutin", "conflict"), ("it", "review_overdue"),
    ]  # fmt: skip
    assert body["timings_ms"] == {"scrub": 1.0, "total": 5.5}


def test_an_uncertain_answer_is_not_presented_as_answered():
    answer = _answer()
    answer.band = "uncertain"
    body = present.response(answer).model_dump()
    assert body["band"] == "uncertain" and body["refused"] is True


def test_stream_events_become_sse_payloads():
    answer = _answer()
    assert present.event(Started(answer.redacted, answer.redactions, "extractive")) == (
        "meta",
        {"redacted_query": answer.redacted, "redactions": [{"type": "namn", "count": 1}],
         "mode": "extractive"},
    )  # fmt: skip
    assert present.event(Token("Lösenord ")) == ("token", "Lösenord ")
    assert present.event(Done(answer)) == ("done", present.response(answer).model_dump())


def test_a_request_becomes_the_services_question():
    req = AskRequest.model_validate({
        "question": "Och för tjänstekonton då?",
        "history": [{"role": "user", "content": "Hur långt måste ett lösenord vara?"}],
        "filters": {"municipality": "Eksjö", "as_of": "2024-05-01", "doc_types": ["riktlinje"]},
        "top_k": 3,
    })  # fmt: skip
    assert present.question(req) == Question(
        "Och för tjänstekonton då?",
        history=(Turn("user", "Hur långt måste ett lösenord vara?"),),
        filters=Filters(doc_types=["riktlinje"], municipality="Eksjö", as_of=date(2024, 5, 1)),
        top_k=3,
    )
    assert present.question(AskRequest(question="Hej")) == Question("Hej")


# --- over the real API ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(policies_kb, tmp_path_factory):
    settings = make_settings(tmp_path_factory.mktemp("present"), rate_limit_ask="0")
    components = Components.build(settings, kb=policies_kb)
    with TestClient(create_app(components=components)) as c:
        yield c
    components.audit.close()


def _events(client: TestClient, body: dict) -> list[tuple[str, object]]:
    with client.stream("POST", "/v1/ask/stream", json=body) as r:
        raw = "".join(r.iter_text())
    events = []
    for block in raw.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        events.append((lines["event"], json.loads(lines["data"])))
    return events


def _without_run(body: dict) -> dict:
    return {k: v for k, v in body.items() if k not in ("id", "timings_ms")}


@pytest.mark.parametrize(
    "body",
    [
        {"question": "Hur ofta sammanträder AI-rådet?"},
        {"question": "Får jag mejla Anna Svenssons personnummer 19811218-9876?"},
        {"question": "Vad kostar en parkeringsplats vid kommunhuset?"},
        {"question": "Hur länge sparas loggar?", "top_k": 3, "filters": {"municipality": "Eksjö"}},
    ],  # fmt: skip
    ids=["answered", "personal data", "not in the documents", "filters"],
)
def test_the_streams_done_event_is_the_answer_of_ask(client, body):
    asked = client.post("/v1/ask", json=body).json()
    events = _events(client, body)
    (meta_name, meta), (done_name, done) = events[0], events[-1]
    assert (meta_name, done_name) == ("meta", "done")
    assert meta == {k: asked[k] for k in ("redacted_query", "redactions", "mode")}
    assert _without_run(done) == _without_run(asked)
    assert done["id"] != asked["id"]  # two answers, each audited
