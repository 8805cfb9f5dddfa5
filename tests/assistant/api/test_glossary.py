"""/v1/glossary: read by everyone who may ask, replaced by a redaktör or administrator,
applied to the next question ("Tolkat som"), every change in the audit trail."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.components import Components
from core import concepts
from tests.conftest import make_settings

ADMIN_KEY = "test-nyckel-som-ar-tillrackligt-lang"
ADMIN = {"X-API-Key": ADMIN_KEY}


@pytest.fixture
def client(policies_kb, tmp_path):
    settings = make_settings(tmp_path / "api", api_key=ADMIN_KEY, rate_limit_ask="0")
    built = Components.build(settings, kb=policies_kb)
    with TestClient(create_app(components=built)) as c:
        yield c, built
    built.audit.close()


def test_the_default_glossary_is_read_by_everyone(client):
    c, _ = client
    body = c.get("/v1/glossary").json()
    assert len(body["entries"]) >= 150
    assert any("chatgpt" in e["words"] for e in body["entries"])


def test_a_question_shows_how_it_was_read(client):
    c, _ = client
    r = c.post("/v1/ask", json={"question": "Får jag använda ChatGPT för att skriva ett beslut?"})
    assert r.status_code == 200
    read = r.json()["interpreted_as"]
    assert {"word": "ChatGPT", "concept": "publik AI-tjänst"} in read


def test_a_saved_glossary_applies_to_the_next_question_and_is_audited(client, tmp_path):
    c, built = client
    entries = [{"concept": "säkerhetskopiering", "words": ["backup*"], "note": "IT 9.2"}]
    assert c.put("/v1/glossary", json={"entries": entries}).status_code in (401, 403)  # no key
    r = c.put("/v1/glossary", json={"entries": entries}, headers=ADMIN)
    assert r.status_code == 200, r.text
    assert [e["concept"] for e in c.get("/v1/glossary").json()["entries"]] == ["säkerhetskopiering"]
    saved = json.loads(concepts.path(built.settings.data_dir).read_text(encoding="utf-8"))
    assert saved["entries"][0]["words"] == ["backup*"]
    answer = c.post("/v1/ask", json={"question": "Hur länge sparas backuper?"}).json()
    assert answer["interpreted_as"] == [{"word": "backuper", "concept": "säkerhetskopiering"}]
    events = [e for e in built.audit.events() if e["action"] == "glossary"]
    default = len(concepts.load(tmp_path / "inget").entries)  # the shipped default
    assert len(events) == 1
    assert events[0]["detail"].startswith(f"0 tillagda, {default - 1} borttagna, 1 ändrade: ")
    assert "-bärbar dator" in events[0]["detail"]
    export = c.get("/v1/audit/export", headers=ADMIN)  # the DPO's export shows the change
    assert export.status_code == 200, export.text
    assert "glossary" in export.text
    # a new process reads the organisation's file, not the default
    assert concepts.load(built.settings.data_dir).entries[0].concept == "säkerhetskopiering"


@pytest.mark.parametrize(
    "entry",
    [
        {"concept": "", "words": ["x"]},
        {"concept": "e-post", "words": []},
        {"concept": "e-post", "words": ["m*ejl"]},
        {"concept": "e-post", "words": ["mejl"], "okänt": 1},
        {"concept": "e-post\u0007", "words": ["mejl"]},
    ],
)
def test_an_invalid_glossary_is_refused_and_nothing_changes(client, entry):
    c, built = client
    before = c.get("/v1/glossary").json()
    r = c.put("/v1/glossary", json={"entries": [entry]}, headers=ADMIN)
    assert r.status_code == 422
    assert c.get("/v1/glossary").json() == before
    assert not concepts.path(built.settings.data_dir).exists()
