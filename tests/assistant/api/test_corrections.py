"""An administrator corrects what a document says about itself; the correction is used in
answers at once, survives re-ingest and a new version, and can be reset."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.components import Components
from core.store import KnowledgeBase
from ingest.pipeline import Ingestor, document_id_for
from tests.conftest import make_settings

KEY = {"X-API-Key": "hemlig-nyckel"}
DOC = """# Rutin för gästnät

Fastställd: 2019-05-02

## 1 Gästnät

Gäster får nätåtkomst i {hours} timmar efter att de registrerats i receptionen.
"""
DOC_ID = document_id_for("gastnat.md")
QUESTION = "Hur länge får gäster nätåtkomst?"


@pytest.fixture
def setup(tmp_path: Path, embedder):
    root = tmp_path / "docs"
    root.mkdir()
    (root / "gastnat.md").write_text(DOC.format(hours=8), encoding="utf-8")
    settings = make_settings(tmp_path / "data", api_key="hemlig-nyckel", rate_limit_ask="0")
    kb = KnowledgeBase(settings, embedder=embedder)
    assert Ingestor(kb).ingest([root]).ok
    components = Components.build(settings, kb=kb)
    with TestClient(create_app(components=components)) as c:
        yield c, kb, root
    components.close()


def _doc(c: TestClient) -> dict:
    return next(d for d in c.get("/v1/documents").json() if d["document_id"] == DOC_ID)


def test_a_correction_is_used_at_once_and_survives_reingest_and_new_versions(setup):
    c, kb, root = setup
    fix = {"valid_to": "2021-12-31", "owner": "IT-chefen", "adopted_by": "Kommunstyrelsen",
           "municipalities": ["Eksjö"]}  # fmt: skip
    assert c.patch(f"/v1/documents/{DOC_ID}/metadata", json=fix).status_code == 401
    r = c.patch(f"/v1/documents/{DOC_ID}/metadata", json=fix, headers=KEY)
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["corrected"] == ["adopted_by", "municipalities", "owner", "valid_to"]
    assert (doc["lifecycle"]["status"], doc["lifecycle"]["owner"]) == ("expired", "IT-chefen")
    answer = c.post("/v1/ask", json={"question": QUESTION}).json()
    cited = next(x for x in answer["citations"] if x["cited"])
    assert cited["lifecycle"]["valid_to"] == "2021-12-31" and cited["municipalities"] == ["Eksjö"]
    assert any(n["kind"] == "expired" for n in answer["notices"])

    assert Ingestor(kb).ingest([root], rebuild=True).ok  # everything written again
    assert _doc(c)["lifecycle"]["owner"] == "IT-chefen"
    (root / "gastnat.md").write_text(DOC.format(hours=4), encoding="utf-8")
    assert Ingestor(kb).ingest([root]).counts["changed"] == 1  # a new version
    again = _doc(c)
    assert again["lifecycle"]["valid_to"] == "2021-12-31" and again["adopted"] == "2019-05-02"

    r = c.patch(f"/v1/documents/{DOC_ID}/metadata", headers=KEY,
                json={"reset": ["valid_to", "municipalities"]})  # fmt: skip
    reset = r.json()
    assert reset["corrected"] == ["adopted_by", "owner"]
    assert reset["lifecycle"]["valid_to"] is None and reset["municipalities"] == []


def test_bad_corrections_are_refused(setup):
    c, _, _ = setup
    bad = c.patch(f"/v1/documents/{DOC_ID}/metadata", headers=KEY, json={"valid_to": "31/12"})
    assert bad.status_code == 422
    unknown = c.patch(f"/v1/documents/{DOC_ID}/metadata", headers=KEY, json={"chunks": 3})
    assert unknown.status_code == 422
    missing = c.patch("/v1/documents/finns-inte/metadata", headers=KEY, json={"owner": "X"})
    assert missing.status_code == 404
