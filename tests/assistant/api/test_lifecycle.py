"""Validity in answers over the real Karlshamn policy, which expired on 2022-12-31."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.components import Components
from core.store import KnowledgeBase
from ingest.pipeline import Ingestor, document_id_for
from tests.conftest import POLICIES, SHARED, make_settings
from tests.ingest.test_metadata import KARLSHAMN

pytestmark = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/corpus is not available")
QUESTION = "Vad avses med IT-plattform i Karlshamns kommun?"
KARLSHAMN_ID = document_id_for(KARLSHAMN.rsplit("/", 1)[1])


@pytest.fixture(scope="module")
def client(tmp_path_factory, embedder):
    settings = make_settings(tmp_path_factory.mktemp("lifecycle"), rate_limit_ask="0")
    kb = KnowledgeBase(settings, embedder=embedder)
    report = Ingestor(kb).ingest([SHARED / KARLSHAMN, POLICIES / "it-sakerhetspolicy.html"])
    assert report.ok, report.results
    components = Components.build(settings, kb=kb)
    with TestClient(create_app(components=components)) as c:
        yield c
    components.close()


def test_an_answer_from_an_expired_policy_carries_the_warning(client):
    body = client.post("/v1/ask", json={"question": QUESTION}).json()
    assert body["band"] == "answered", body["answer"]
    cited = [c for c in body["citations"] if c["cited"]]
    assert cited and cited[0]["document_id"] == KARLSHAMN_ID
    life = cited[0]["lifecycle"]
    assert (life["status"], life["valid_to"], life["adopted_by"]) == (
        "expired", "2022-12-31", "Kommunfullmäktige"
    )  # fmt: skip
    assert cited[0]["adopted"] == "2018-06-18"
    notice = next(n for n in body["notices"] if n["document_id"] == KARLSHAMN_ID)
    assert notice["kind"] == "expired"
    assert "gällde enligt dokumentet självt till och med 2022-12-31" in notice["message"]


def test_the_streamed_answer_carries_the_same_notice(client):
    with client.stream(
        "POST",
        "/v1/ask/stream",
        json={"question": QUESTION},
    ) as r:
        text = "".join(r.iter_text())
    assert "event: done" in text and "till och med 2022-12-31" in text


def test_the_document_list_shows_status_and_owner(client):
    docs = {d["document_id"]: d for d in client.get("/v1/documents").json()}
    life = docs[KARLSHAMN_ID]["lifecycle"]
    assert (life["status"], life["status_sv"]) == ("expired", "utgången")
    assert life["owner"] == "Kommunledningsförvaltningen Kansli" and life["decision_ref"] == "§ 98"
    it = docs[document_id_for("it-sakerhetspolicy.html")]["lifecycle"]
    assert it["review_by"] == "2025-11-28" and it["owner"] == "IT-chef, Höglandsförbundet"
