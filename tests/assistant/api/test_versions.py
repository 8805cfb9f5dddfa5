"""Versions: a new upload of a document becomes current, the old one is kept, listed and
searchable as of a date, and never mixed into normal answers."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.components import Components
from core.store import KnowledgeBase
from ingest.pipeline import document_id_for
from tests.conftest import finished_upload, make_settings

KEY = {"X-API-Key": "hemlig-nyckel"}
NAME = "rutin-fjarratkomst.md"
DOC_ID = document_id_for(NAME)
TEMPLATE = """# Rutin för fjärråtkomst

Version: {version}

Fastställd: {adopted}

## 1 Lösenord för fjärråtkomst

Lösenord för fjärråtkomst ska ha minst {chars} tecken och bytas var {days}:e dag.

## 2 Tvåfaktorsinloggning

Fjärråtkomst kräver alltid tvåfaktorsinloggning med säkerhetsnyckel.
"""
QUESTION = "Hur många tecken ska ett lösenord för fjärråtkomst ha?"


def _doc(version: str, adopted: str, chars: int, days: int) -> bytes:
    text = TEMPLATE.format(version=version, adopted=adopted, chars=chars, days=days)
    return text.encode()


def _upload(c: TestClient, body: bytes) -> None:
    r = c.post("/v1/documents", headers=KEY, files={"files": (NAME, body, "text/markdown")})
    assert finished_upload(c, r)[0]["status"] in ("new", "changed")
    assert c.post(f"/v1/documents/{DOC_ID}/approve", headers=KEY).status_code == 200


def _ask(c: TestClient, **filters) -> dict:
    body = {"question": QUESTION, "filters": filters} if filters else {"question": QUESTION}
    r = c.post("/v1/ask", json=body)
    assert r.status_code == 200, r.text
    return r.json()


def _quoted(answer: dict) -> str:
    return " ".join(c["text"] for c in answer["citations"] if c["cited"])


@pytest.fixture(scope="module")
def client(tmp_path_factory, embedder):
    data = tmp_path_factory.mktemp("versions")
    settings = make_settings(data, api_key="hemlig-nyckel", rate_limit_ask="0",
                             rate_limit_uploads="0")  # fmt: skip
    components = Components.build(settings, kb=KnowledgeBase(settings, embedder=embedder))
    with TestClient(create_app(components=components)) as c:
        _upload(c, _doc("1.0", "2023-01-10", 12, 90))
        _upload(c, _doc("2.0", "2025-03-01", 16, 180))
        yield c
    components.close()


def test_the_new_version_answers_and_the_old_one_is_listed(client):
    answer = _ask(client)
    assert answer["band"] == "answered", answer["answer"]
    assert "16 tecken" in answer["answer"] and "12 tecken" not in _quoted(answer)
    assert all(c["superseded_on"] is None for c in answer["citations"])
    versions = client.get(f"/v1/documents/{DOC_ID}/versions").json()
    assert [(v["version"], v["current"]) for v in versions] == [("1.0", False), ("2.0", True)]
    assert (versions[0]["applies_from"], versions[0]["applies_until"]) == (
        "2023-01-10", "2025-03-01"
    )  # fmt: skip
    assert (versions[1]["applies_from"], versions[1]["applies_until"]) == ("2025-03-01", None)
    assert versions[0]["content_hash"] != versions[1]["content_hash"]
    listed = {d["document_id"]: d for d in client.get("/v1/documents").json()}
    assert listed[DOC_ID]["version"] == "2.0" and len(listed) == 1


def test_an_as_of_date_answers_from_the_version_in_force_then(client):
    answer = _ask(client, as_of="2024-06-01")
    assert answer["band"] == "answered", answer["answer"]
    assert "12 tecken" in answer["answer"] and "16 tecken" not in _quoted(answer)
    cited = [c for c in answer["citations"] if c["cited"]]
    assert cited and {c["version"] for c in cited} == {"1.0"}
    assert {c["superseded_on"] for c in cited} == {"2025-03-01"}
    notice = next(n for n in answer["notices"] if n["document_id"] == DOC_ID)
    assert notice["kind"] == "superseded" and "version 1.0" in notice["message"]
    assert "2025-03-01" in notice["message"] and "sökt per 2024-06-01" in notice["message"]
    today = _ask(client, as_of="2026-01-01")
    assert "16 tecken" in today["answer"] and not today["notices"]


def test_before_the_first_version_nothing_applied(client):
    answer = _ask(client, as_of="2022-06-01")
    assert answer["band"] != "answered" and not any(c["cited"] for c in answer["citations"])


def test_versions_of_an_unknown_document_and_after_delete(client):
    assert client.get("/v1/documents/finns-inte/versions").status_code == 404
    assert client.delete(f"/v1/documents/{DOC_ID}", headers=KEY).status_code == 200
    assert client.get(f"/v1/documents/{DOC_ID}/versions").status_code == 404
    assert _ask(client, as_of="2024-06-01")["citations"] == []
