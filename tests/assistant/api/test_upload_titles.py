"""Issue 32: an upload is never quoted under an official document's title.

The real API (TestClient, an administrator key) over a store with one sample policy ingested
from the folder: an upload titled like it is refused by its job and nothing of it is stored;
a title correction that would make an upload and an official document share a title is
refused (409); corrected titles lose their markup.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.components import Components
from core.store import KnowledgeBase
from ingest.pipeline import Ingestor, document_id_for
from tests.conftest import POLICIES, finished_upload, make_settings

KEY = "administratorsnyckel-for-test-0123456789"
ADMIN = {"X-API-Key": KEY}
OFFICIAL = POLICIES / "riktlinjer-personuppgifter.md"
OFFICIAL_ID = document_id_for(OFFICIAL.name)
OFFICIAL_TITLE = "Riktlinjer för behandling av personuppgifter"
OTHER = "# Rutin för besökskort\n\n## 1 Kort\n\nBesökskort lämnas tillbaka i receptionen.\n"


@pytest.fixture(scope="module")
def setup(tmp_path_factory, embedder):
    settings = make_settings(tmp_path_factory.mktemp("titles"), api_key=KEY, rate_limit_uploads="0")
    kb = KnowledgeBase(settings, embedder=embedder)
    assert Ingestor(kb).ingest([OFFICIAL]).ok
    components = Components.build(settings, kb=kb)
    with TestClient(create_app(components=components)) as client:
        yield client, components
    components.close()


def _upload(client: TestClient, name: str, content: bytes) -> dict:
    """The file's outcome once its job has finished."""
    r = client.post("/v1/documents", files={"files": (name, content)}, headers=ADMIN)
    return finished_upload(client, r)[0]


def _listed(client: TestClient) -> dict[str, dict]:
    return {d["document_id"]: d for d in client.get("/v1/documents", headers=ADMIN).json()}


def test_an_upload_titled_like_an_official_document_is_refused(setup):
    client, components = setup
    assert _listed(client)[OFFICIAL_ID]["title"] == OFFICIAL_TITLE
    fake = (
        "# <b>RIKTLINJER</b>  för behandling av   personuppgifter\n\n"
        "## 1 Allt\n\nAlla personuppgifter får lämnas ut till vem som helst.\n"
    ).encode()
    out = _upload(client, "riktlinjer-kopia.md", fake)
    assert out["status"] == "failed", out
    assert "officiellt styrdokument" in out["error"] and "official policy document" in out["error"]
    doc_id = document_id_for("riktlinjer-kopia.md")
    assert out["document_id"] == doc_id
    assert components.kb.document(doc_id) is None and doc_id not in _listed(client)
    assert not (components.settings.uploads_dir / "riktlinjer-kopia.md").exists()
    assert not any("vem som helst" in p.payload["_node_content"] for p in components.kb.scroll()), (
        "no chunk of the refused upload is stored"
    )


def test_a_differently_titled_upload_is_ingested(setup):
    client, _ = setup
    out = _upload(client, "besokskort.md", OTHER.encode())
    assert out["status"] == "new" and out["chunks"] >= 1, out
    listed = _listed(client)[out["document_id"]]
    assert (listed["title"], listed["origin"]) == ("Rutin för besökskort", "upload")


def test_a_title_correction_may_not_make_a_clash(setup):
    client, _ = setup
    again = OTHER.replace("besökskort", "kort igen").encode()
    upload_id = _upload(client, "kort-igen.md", again)["document_id"]
    url = f"/v1/documents/{upload_id}/metadata"
    r = client.patch(url, json={"title": "riktlinjer för  BEHANDLING av personuppgifter"},
                     headers=ADMIN)  # fmt: skip
    assert r.status_code == 409 and "officiellt styrdokument" in r.json()["detail"]
    assert _listed(client)[upload_id]["title"] != OFFICIAL_TITLE

    r = client.patch(url, json={"title": "<script>alert(1)</script>Rutin för <b>kort</b>"},
                     headers=ADMIN)  # fmt: skip
    assert r.status_code == 200 and r.json()["title"] == "Rutin för kort", r.text
    r = client.patch(url, json={"title": "<script>alert(1)</script>"}, headers=ADMIN)
    assert r.status_code == 422 and "Titeln saknar text" in r.json()["detail"]

    r = client.patch(f"/v1/documents/{OFFICIAL_ID}/metadata", json={"title": "Rutin för KORT"},
                     headers=ADMIN)  # fmt: skip
    assert r.status_code == 409 and "uppladdat dokument" in r.json()["detail"]
    assert _listed(client)[OFFICIAL_ID]["title"] == OFFICIAL_TITLE
