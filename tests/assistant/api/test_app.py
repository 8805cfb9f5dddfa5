"""The real API (TestClient) over the ingested sample policies, extractive mode."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.components import Components
from core import index
from ingest.pipeline import document_id_for
from tests.assistant.test_retrieval import AI, IS, IT, PU, QUESTIONS
from tests.conftest import finished_upload, make_settings

MORE_QUESTIONS: list[tuple[str, set[tuple[str, str]]]] = [
    ("Hur länge ska säkerhetskopior sparas?", {(IT, "9.2")}),
    ("Vad gäller för privat utrustning i tjänsten?", {(IT, "4.5")}),
    ("Hur ska ett nätfiskemejl rapporteras?", {(IT, "6.2")}),
    ("Vilka uppgifter får aldrig matas in i en AI-tjänst?", {(AI, "4.4"), (AI, "4.1")}),
    ("Hur länge sparas dokumentationen av personuppgiftsincidenter?", {(PU, "8.5")}),
    ("Vad är en personuppgiftsincident?", {(PU, "8.1"), (IS, "7.4")}),
    ("Hur ofta ska behörigheter gås igenom?", {(IT, "2.4")}),
    ("Vem ansvarar för att klassa information?", {(IS, "4.3"), (IS, "3.3")}),
]  # fmt: skip
UNANSWERABLE = [
    "Hur många semesterdagar har jag rätt till?",
    "Vad kostar en parkeringsplats vid kommunhuset?",
    "Hur ansöker jag om bygglov för ett garage?",
    "Vilken lön har en socialsekreterare i Eksjö?",
    "Hur bokar jag en lokal i Vetlanda sporthall?",
    "Vad är friskvårdsbidraget?",
    "Hur många elever går i Nässjös skolor?",
    "Vem vann SM i fotboll 2023?",
    "Hur lång är uppsägningstiden för tillsvidareanställda?",
    "Vilka öppettider har biblioteket?",
    "Hur gör jag en pizza?",
    "What is the capital of Norway?",
]


KEY = "app-test-administratorsnyckel-0123456789"
ADMIN = {"X-API-Key": KEY}  # sign-in off: ratings need the key (test_security.py)


@pytest.fixture(scope="module")
def components(policies_kb, tmp_path_factory):
    # ~60 questions from one TestClient within a minute: no rate limit here (test_api_ratelimit)
    settings = make_settings(
        tmp_path_factory.mktemp("api"), rate_limit_ask="0", rate_limit_uploads="0", api_key=KEY
    )
    built = Components.build(settings, kb=policies_kb)
    yield built
    built.audit.close()


@pytest.fixture(scope="module")
def client(components):
    with TestClient(create_app(components=components)) as c:
        yield c


def _sections(body: dict) -> set[tuple[str, str]]:
    by_n = {c["n"]: c for c in body["citations"]}
    out = set()
    for s in body["sentences"]:
        for n in s["citations"]:
            c = by_n[n]
            number = c["section"].split(" > ")[-1].split(" ")[0]
            out.add((c["document_id"], number))
    return out


def test_answers_cite_the_right_section(client):
    questions = QUESTIONS + MORE_QUESTIONS
    wrong = []
    for question, expected in questions:
        body = client.post("/v1/ask", json={"question": question}).json()
        if body["refused"] or not (_sections(body) & expected):
            wrong.append((question, body["refused"], sorted(_sections(body))))
    right = len(questions) - len(wrong)
    print(f"\n{right}/{len(questions)} answered citing the right section; wrong: {wrong}")
    assert len(questions) >= 30 and right >= 30, wrong


def test_unanswerable_questions_are_refused(client):
    answered = []
    for question in UNANSWERABLE:
        body = client.post("/v1/ask", json={"question": question}).json()
        if not body["refused"]:
            answered.append((question, body["answer"][:80]))
        else:
            assert body["answer"].startswith(("Jag hittar inget stöd", "I cannot find support"))
    print(
        f"\nrefused {len(UNANSWERABLE) - len(answered)}/{len(UNANSWERABLE)}; answered: {answered}"
    )
    assert len(UNANSWERABLE) - len(answered) >= 10, answered


def test_response_shape_and_exact_quotes(client, policies_kb):
    body = client.post("/v1/ask", json={"question": "Hur länge sparas loggar?"}).json()
    for key in ("answer", "refused", "sentences", "citations", "redacted_query", "redactions",
                "timings_ms"):  # fmt: skip
        assert key in body
    assert set(body["timings_ms"]) >= {"scrub", "embed", "search", "answer", "verify", "total"}
    assert all(s["supported"] and s["citations"] for s in body["sentences"])
    stored = {str(p.id): p.payload for p in policies_kb.scroll()}
    cited = [c for c in body["citations"] if c["cited"]]
    assert cited
    for c in cited:
        node = json.loads(stored[c["chunk_id"]]["_node_content"])
        assert node["text"][c["start"] : c["end"]] == c["quote"] != ""
        assert c["title"] and c["section"]
        assert c["doc_start"] == stored[c["chunk_id"]][index.START_CHAR] + c["start"]


def test_stream_parses(client):
    question = {"question": "Hur ofta sammanträder AI-rådet?"}
    with client.stream("POST", "/v1/ask/stream", json=question) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        raw = "".join(r.iter_text())
    events = []
    for block in raw.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        events.append((lines["event"], json.loads(lines["data"])))
    names = [e for e, _ in events]
    assert names[0] == "meta" and names[-1] == "done" and "token" in names
    done = events[-1][1]
    assert not done["refused"] and done["citations"]
    streamed = "".join(d for e, d in events if e == "token")
    assert streamed.split() == done["answer"].split()


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"question": ""}, 422),
        ({"question": "   "}, 422),
        ({"question": 42}, 422),
        ({}, 422),
        ({"question": "hej", "filters": {"document_ids": "inte-en-lista"}}, 422),
        ({"question": "hej", "filters": {"adopted_from": "igår"}}, 422),
        ({"question": "hej", "top_k": 0}, 422),
        ({"question": "hej", "okänt": 1}, 422),
        ({"question": "x" * 3000}, 422),
        ({"question": "x" * 100_000}, 413),
    ],
)
def test_bad_input_gets_a_clear_4xx(client, payload, status):
    r = client.post("/v1/ask", json=payload)
    assert r.status_code == status
    assert "Traceback" not in r.text and "x" * 200 not in r.text


def test_filters_restrict_documents(client):
    body = client.post(
        "/v1/ask",
        json={"question": "Hur länge sparas loggar?", "filters": {"document_ids": [AI]}},
    ).json()
    assert all(c["document_id"] == AI for c in body["citations"])


def test_documents_health_and_feedback(client):
    docs = client.get("/v1/documents").json()
    assert {d["document_id"] for d in docs} == {PU, IT, IS, AI}
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["ready"]
    answer = client.post("/v1/ask", json={"question": "Hur långt måste ett lösenord vara?"}).json()
    ok = client.post(
        "/v1/feedback", json={"answer_id": answer["id"], "rating": "correct"}, headers=ADMIN
    )
    assert ok.status_code == 200
    missing = client.post(
        "/v1/feedback", json={"answer_id": "nope", "rating": "correct"}, headers=ADMIN
    )
    assert missing.status_code == 404
    bad = client.post(
        "/v1/feedback", json={"answer_id": answer["id"], "rating": "bra"}, headers=ADMIN
    )
    assert bad.status_code == 422


def test_upload_list_delete_with_api_key(tmp_path: Path, embedder):
    settings = make_settings(tmp_path / "d", api_key="hemlig-nyckel")
    from core.store import KnowledgeBase

    components = Components.build(settings, kb=KnowledgeBase(settings, embedder=embedder))
    doc = b"# Rutin for skrivare\n\n## 1 Utskrift\n\nUtskrifter med sekretess hamtas direkt.\n"
    with TestClient(create_app(components=components)) as c:
        files = {"files": ("skrivarrutin.md", doc, "text/markdown")}
        assert c.post("/v1/documents", files=files).status_code == 401
        headers = {"X-API-Key": "hemlig-nyckel"}
        r = c.post("/v1/documents", files=files, headers=headers)
        assert r.headers["location"] == f"/v1/documents/jobs/{r.json()['job_id']}"
        assert finished_upload(c, r)[0]["status"] == "new"
        broken = {"files": ("trasig.pdf", b"%PDF-1.4 trasig", "application/pdf")}
        bad = finished_upload(c, c.post("/v1/documents", headers=headers, files=broken))
        assert bad[0]["status"] == "failed" and "PDF" in bad[0]["error"]
        assert not (settings.uploads_dir / "trasig.pdf").exists()
        exe = {"files": ("x.exe", b"MZ", "application/octet-stream")}
        unsupported = finished_upload(c, c.post("/v1/documents", headers=headers, files=exe))
        assert "unsupported" in unsupported[0]["error"]
        assert c.get("/v1/documents/jobs/finns-inte").status_code == 404
        listed = c.get("/v1/documents").json()
        doc_id = document_id_for("skrivarrutin.md")
        assert [d["document_id"] for d in listed] == [doc_id] and listed[0]["origin"] == "upload"
        assert (settings.uploads_dir / "skrivarrutin.md").exists()
        assert c.delete(f"/v1/documents/{doc_id}").status_code == 401
        assert c.delete(f"/v1/documents/{doc_id}", headers=headers).status_code == 200
        assert c.get("/v1/documents").json() == []
        assert not (settings.uploads_dir / "skrivarrutin.md").exists()
        assert c.delete(f"/v1/documents/{doc_id}", headers=headers).status_code == 404


def test_followup_uses_history(client):
    body = client.post(
        "/v1/ask",
        json={
            "question": "Och för tjänstekonton då?",
            "history": [
                {"role": "user", "content": "Hur långt måste ett lösenord vara?"},
                {"role": "assistant", "content": "Minst 14 tecken."},
            ],
        },
    ).json()
    assert "lösenord" in body["standalone_query"].lower()
    assert (IT, "3.4") in _sections(body)


def test_pii_never_reaches_logs_audit_or_store(client, components, caplog, policies_kb):
    raw = ["Anna Svensson", "19811218-9876", "070-123 45 67", "anna.svensson@example.com"]
    question = (
        "Får jag mejla Anna Svenssons personnummer 19811218-9876 och mobil 070-123 45 67 "
        "till anna.svensson@example.com?"
    )
    caplog.set_level(logging.DEBUG)
    body = client.post("/v1/ask", json={"question": question}).json()
    assert {r["type"] for r in body["redactions"]} >= {"personnummer", "namn"}
    comment = "Fel svar för Anna Svensson 19811218-9876"
    feedback = {"answer_id": body["id"], "rating": "incorrect", "comment": comment}
    assert client.post("/v1/feedback", json=feedback, headers=ADMIN).status_code == 200
    stored = components.audit.dump()
    payloads = json.dumps([p.payload for p in policies_kb.scroll()], ensure_ascii=False)
    response_text = json.dumps(body, ensure_ascii=False)
    for value in raw:
        assert value not in caplog.text
        assert value not in stored
        assert value not in payloads
        assert value not in response_text


def test_passages_are_numbered_once_and_keep_their_scores(client):
    body = client.post("/v1/ask", json={"question": "Hur långt måste ett lösenord vara?"}).json()
    numbers = [c["n"] for c in body["citations"]]
    assert numbers == list(range(1, len(numbers) + 1)), "[n] markers must be unambiguous"
    assert len({c["chunk_id"] for c in body["citations"]}) == len(numbers)
    assert all(c["score"] > 0 for c in body["citations"])
    assert any(c["dense_score"] for c in body["citations"])


def test_stream_rejects_a_too_long_question_before_streaming(client):
    r = client.post("/v1/ask/stream", json={"question": "x" * 3000})
    assert r.status_code == 422 and "för lång" in r.json()["detail"]
