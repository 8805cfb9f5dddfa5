"""Rate limits per client (issue 13, bounded work): questions and uploads, a clear 429.

The real API (TestClient) over a one-document knowledge base; every test makes its own app,
so every test starts with a fresh budget (the limiter lives on the app).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from assistant.api import create_app, documents
from assistant.api.ratelimit import rate_limit_uploads
from assistant.api.security import weak_configuration
from assistant.components import Components
from core.settings import Settings
from core.store import KnowledgeBase
from ingest.pipeline import Ingestor
from tests.conftest import finished_upload, make_settings

KEY = "hastighetsgrans-administratorsnyckel-0123456789"
QUESTION = {"question": "Hur långt måste ett lösenord vara?"}
DOC = "# Lösenordsregel\n\n## 1 Lösenord\n\nEtt lösenord ska vara minst 14 tecken långt.\n"


@pytest.fixture(scope="module")
def components(tmp_path_factory, embedder):
    root = tmp_path_factory.mktemp("ratelimit")
    (root / "losenord.md").write_text(DOC, encoding="utf-8")
    settings = make_settings(
        root / "data", api_key=KEY, rate_limit_ask="2/minute", rate_limit_uploads="1/minute"
    )
    kb = KnowledgeBase(settings, embedder=embedder)
    assert Ingestor(kb).ingest([root / "losenord.md"]).ok
    built = Components.build(settings, kb=kb)
    yield built
    built.close()


def _ask(client: TestClient, path: str = "/v1/ask", **kwargs):
    return client.post(path, json=QUESTION, **kwargs)


def _retry_after(r) -> int:
    assert r.status_code == 429, r.text
    wait = int(r.headers["Retry-After"])
    assert 1 <= wait <= 60
    return wait


def test_the_third_question_in_a_minute_is_a_clear_429(components):
    with TestClient(create_app(components=components)) as client:
        assert _ask(client).status_code == 200
        with client.stream("POST", "/v1/ask/stream", json=QUESTION) as r:  # one shared budget
            assert r.status_code == 200 and "event: done" in r.read().decode()
        refused = _ask(client)
        wait = _retry_after(refused)
        assert refused.json() == {
            "detail": f"Too many requests; try again in {wait} s. / "
            f"För många frågor på kort tid; försök igen om {wait} sekunder."
        }
        _retry_after(_ask(client, "/v1/ask/stream"))  # JSON before any stream starts
        # the connecting address counts, not a header the client chooses
        _retry_after(_ask(client, headers={"X-Forwarded-For": "198.51.100.7"}))
        # a refused request is refused before validation: no work for a flood of bad bodies
        assert client.post("/v1/ask", json={}).status_code == 429


def test_other_clients_and_other_apps_have_their_own_budget(components):
    app = create_app(components=components)
    with TestClient(app) as first, TestClient(app, client=("192.0.2.10", 40000)) as second:
        assert [_ask(first).status_code for _ in range(3)] == [200, 200, 429]
        assert [_ask(second).status_code for _ in range(3)] == [200, 200, 429]
        assert _ask(TestClient(app, client=("192.0.2.11", 40001))).status_code == 200
    with TestClient(create_app(components=components)) as fresh:  # per app, not per process
        assert _ask(fresh).status_code == 200


def test_limits_off_means_no_429(components):
    off = components.settings.model_copy(update={"rate_limit_ask": "0"})
    with TestClient(create_app(off, components=components)) as client:
        assert {_ask(client).status_code for _ in range(4)} == {200}


def test_reads_are_not_limited(components):
    with TestClient(create_app(components=components)) as client:
        for _ in range(3):
            _ask(client)
        assert client.get("/v1/documents").status_code == 200
        assert client.get("/healthz").status_code == 200


def _upload_limited() -> bool:
    route = next(r for r in documents.router.routes if r.methods == {"POST"} and
                 r.path == "/v1/documents")  # fmt: skip
    return any(d.call is rate_limit_uploads for d in route.dependant.dependencies)


@pytest.mark.xfail(
    not _upload_limited(),
    strict=True,
    reason="UploadRateLimit is not yet on POST /v1/documents (assistant/api/documents.py)",
)
def test_the_second_upload_in_a_minute_is_a_clear_429(components):
    admin = {"X-API-Key": KEY}
    with TestClient(create_app(components=components)) as client:
        first = client.post(
            "/v1/documents", files={"files": ("rutin-a.md", DOC.encode())}, headers=admin
        )
        finished_upload(client, first)
        refused = client.post(
            "/v1/documents", files={"files": ("rutin-b.md", DOC.encode())}, headers=admin
        )
        wait = _retry_after(refused)
        assert refused.json()["detail"] == (
            f"Too many uploads; try again in {wait} s. / "
            f"För många uppladdningar på kort tid; försök igen om {wait} sekunder."
        )
        assert _ask(client).status_code == 200  # its own budget


def test_openapi_documents_the_429(components):
    spec = create_app(components=components).openapi()
    for path in ("/v1/ask", "/v1/ask/stream"):
        response = spec["paths"][path]["post"]["responses"]["429"]
        assert response["headers"]["Retry-After"]["schema"]["type"] == "integer"
        ref = response["content"]["application/json"]["schema"]["$ref"]
        assert ref == "#/components/schemas/ErrorOut"


@pytest.mark.parametrize("value", ["many/minute", "0/minute", "-1/minute", "60", "60/fortnight"])
def test_a_bad_rate_limit_is_refused_at_settings_load(value):
    with pytest.raises(ValidationError, match="not a rate limit"):
        make_settings(Path("/tmp/x"), rate_limit_ask=value)
    with pytest.raises(ValidationError, match="rate_limit_uploads"):
        make_settings(Path("/tmp/x"), rate_limit_uploads=value)


def test_rate_limit_syntax_and_env(monkeypatch):
    for value in ("", "0", " 0 ", "60/minute", "10 per minute", "60/minute;600/hour"):
        make_settings(Path("/tmp/x"), rate_limit_ask=value)
    monkeypatch.setenv("PA_RATE_LIMIT_UPLOADS", "tio i minuten")
    with pytest.raises(ValidationError, match="not a rate limit"):
        Settings(_env_file=None)
    monkeypatch.setenv("PA_RATE_LIMIT_UPLOADS", "5/minute")
    assert Settings(_env_file=None).rate_limit_uploads == "5/minute"


def test_limits_off_is_a_weak_configuration():
    on = make_settings(Path("/tmp/x"), api_key=KEY)
    assert (on.rate_limit_ask, on.rate_limit_uploads) == ("60/minute", "10/minute")
    assert weak_configuration(on) == []
    off = make_settings(Path("/tmp/x"), api_key=KEY, rate_limit_ask="", rate_limit_uploads="0")
    text = " ".join(weak_configuration(off))
    assert "PA_RATE_LIMIT_ASK is off" in text and "PA_RATE_LIMIT_UPLOADS is off" in text
