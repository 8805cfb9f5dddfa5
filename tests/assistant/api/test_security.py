"""Who reaches what with sign-in off (issue 32): the audit trail and ratings need the
administrator key unless PA_LOCAL_ROLE opens them; the Host header is checked.

The real app (TestClient) over an empty knowledge base: none of this needs documents.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.access import local_user
from assistant.api import create_app
from assistant.api.security import weak_configuration
from assistant.components import Components
from core.settings import LOOPBACK_HOSTS, Settings
from core.store import KnowledgeBase
from tests.conftest import make_settings

KEY = "sakerhet-administratorsnyckel-0123456789"
ADMIN = {"X-API-Key": KEY}
FEEDBACK = {"answer_id": "0" * 32, "rating": "correct"}


@pytest.fixture
def app_for(tmp_path: Path, embedder):
    """A TestClient over a fresh app with these settings."""
    built: list[Components] = []

    def make(**overrides) -> TestClient:
        settings = make_settings(tmp_path / f"data{len(built)}", **overrides)
        components = Components.build(settings, kb=KnowledgeBase(settings, embedder=embedder))
        built.append(components)
        return TestClient(create_app(components=components))

    yield make
    for c in built:
        c.close()


def test_anonymous_callers_cannot_read_the_audit_trail_or_rate(app_for):
    with app_for(api_key=KEY) as c:
        for method, path, body in (("GET", "/v1/audit/answers", None),
                                   ("GET", "/v1/audit/export", None),
                                   ("POST", "/v1/feedback", FEEDBACK)):  # fmt: skip
            r = c.request(method, path, json=body)
            assert r.status_code == 401 and "API-nyckel" in r.json()["detail"], (path, r.text)
            assert c.request(method, path, json=body, headers=ADMIN).status_code in (200, 404)
        assert c.get("/v1/me").json()["permissions"] == ["ask"]
        assert c.post("/v1/ask", json={"question": "Hur långt ska ett lösenord vara?"}).is_success
    with app_for() as c:  # no key configured: nobody reads it (and the reason is said)
        r = c.get("/v1/audit/answers")
        assert r.status_code == 403 and "PA_API_KEY" in r.json()["detail"]


def test_a_local_role_that_reviews_opens_the_audit_trail_and_is_warned_about(app_for):
    with app_for(api_key=KEY, local_role="jurist") as c:
        assert c.get("/v1/audit/answers").status_code == 200
        assert c.post("/v1/feedback", json=FEEDBACK).status_code == 404  # allowed, unknown id
        assert c.get("/v1/audit/export").status_code == 401  # the DPO export: the key only
    warned = " ".join(weak_configuration(make_settings(Path("/tmp/x"), api_key=KEY,
                                                       local_role="jurist")))  # fmt: skip
    assert "PA_LOCAL_ROLE is 'jurist'" in warned and "audit trail" in warned


def test_the_local_user_never_writes_whatever_its_role():
    settings = make_settings(Path("/tmp/x"), local_role="administratör")
    assert local_user(settings).permissions == {"ask", "feedback", "review"}
    redaktor = local_user(make_settings(Path("/tmp/x"), local_role="redaktör"))
    assert redaktor.permissions == {"ask"}  # no review: no anonymous ratings either


def test_an_unknown_host_name_is_refused(app_for):
    with app_for(api_key=KEY) as c:
        for host in ("evil.example", "evil.example:8000", "127.0.0.1.evil.example"):
            r = c.get("/v1/documents", headers={"Host": host})
            assert r.status_code == 400, host
            assert "värdnamn" in r.json()["detail"]
            # DNS rebinding: a matching Origin does not help
            r = c.post("/v1/ask", json={"question": "Hej?"},
                       headers={"Host": host, "Origin": f"http://{host}"})  # fmt: skip
            assert r.status_code == 400
        for host in ("127.0.0.1:8000", "localhost", "testserver"):
            assert c.get("/v1/documents", headers={"Host": host}).status_code == 200, host
    with app_for(api_key=KEY, allowed_hosts=["policy.eksjo.se"]) as c:
        assert c.get("/v1/documents", headers={"Host": "policy.eksjo.se"}).status_code == 200
        assert c.get("/v1/documents", headers={"Host": "localhost"}).status_code == 400


def test_only_loopback_names_by_default():
    assert Settings.model_fields["allowed_hosts"].get_default(call_default_factory=True) == list(
        LOOPBACK_HOSTS
    )
    assert Settings.model_fields["forwarded_allow_ips"].get_default(call_default_factory=True) == []
    assert Settings.model_fields["local_role"].default == "handläggare"
    warned = " ".join(
        weak_configuration(
            make_settings(
                Path("/tmp/x"), api_key=KEY, api_host="0.0.0.0", allowed_hosts=list(LOOPBACK_HOSTS)
            )
        )
    )
    assert "PA_ALLOWED_HOSTS names only this machine" in warned
