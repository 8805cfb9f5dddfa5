"""Organisation scope: a user of one organisation is answered from its documents and from
those that name no organisation, never from another organisation's own documents."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.components import Components
from core.store import KnowledgeBase
from ingest.pipeline import Ingestor, document_id_for
from tests.conftest import make_settings

DOC = """# {title}

Gäller för: {org}

## 1 Parkering av tjänstebilar

{text}
"""
DOCS = {
    "eksjo-bilar.md": ("Eksjös rutin för tjänstebilar", "Eksjö kommun",
                       "Tjänstebilar i Eksjö parkeras i garaget vid stadshuset."),
    "vetlanda-bilar.md": ("Vetlandas rutin för tjänstebilar", "Vetlanda kommun",
                          "Tjänstebilar i Vetlanda parkeras på gården bakom kommunhuset."),
    "alla-bilar.md": ("Gemensam rutin för tjänstebilar", "",
                      "Tjänstebilar ska alltid låsas och nyckeln lämnas i nyckelskåpet."),
}  # fmt: skip
QUESTION = "Var parkeras tjänstebilarna och hur hanteras nyckeln?"


@pytest.fixture(scope="module")
def client(tmp_path_factory, embedder):
    root = tmp_path_factory.mktemp("scope-docs")
    for name, (title, org, text) in DOCS.items():
        (root / name).write_text(DOC.format(title=title, org=org, text=text), encoding="utf-8")
    settings = make_settings(tmp_path_factory.mktemp("scope"), rate_limit_ask="0")
    kb = KnowledgeBase(settings, embedder=embedder)
    assert Ingestor(kb).ingest([root]).ok
    components = Components.build(settings, kb=kb)
    with TestClient(create_app(components=components)) as c:
        yield c
    components.close()


def _docs(client: TestClient, **filters) -> dict[str, list[str]]:
    body = {"question": QUESTION, "top_k": 10} | ({"filters": filters} if filters else {})
    answer = client.post("/v1/ask", json=body).json()
    return {c["document_id"]: c["municipalities"] for c in answer["citations"]}


def test_a_user_of_eksjo_never_gets_a_vetlanda_only_document(client):
    everyone = _docs(client)
    assert document_id_for("vetlanda-bilar.md") in everyone  # found without a scope
    eksjo = _docs(client, municipality="Eksjö")
    assert document_id_for("vetlanda-bilar.md") not in eksjo
    assert set(eksjo) <= {document_id_for("eksjo-bilar.md"), document_id_for("alla-bilar.md")}
    assert eksjo[document_id_for("eksjo-bilar.md")] == ["Eksjö"]  # whose document it is
    assert eksjo[document_id_for("alla-bilar.md")] == []  # names none: applies to all
