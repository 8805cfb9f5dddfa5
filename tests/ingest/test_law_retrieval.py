"""Law units in the index: exact-reference retrieval and cross-links from policies.

Only a subset of the GDPR (articles 15–22 and 33, recitals 85–87) and chapter 3 of the
dataskyddslagen are embedded, to keep the test fast.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.api import present
from assistant.components import Components
from assistant.retrieval import Retriever
from assistant.schemas import AskRequest
from core import index
from core.store import KnowledgeBase
from eval.corpus import riksdagen_text
from ingest.laws import LAW_ORIGIN, build_document
from ingest.laws.eurlex import parse_units as eurlex_units
from ingest.laws.statutes import parse_units as statute_units
from ingest.pipeline import Ingestor
from tests.conftest import EVERYONE, POLICIES, make_settings

pytestmark = pytest.mark.slow  # real servers (API, browser, OIDC provider, LLM) or laws

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
GDPR_EN = SHARED / "eu_en" / "eurlex_CELEX_32016R0679_EN_TXT.html"
DSL_JSON = SHARED / "sfs_sv" / "dataskyddslagen.json"
ARTICLES = {f"gdpr:art{n}" for n in [*range(15, 23), 33]}
RECITALS = {f"gdpr:recital{n}" for n in (85, 86, 87)}


def _subset(units, keep) -> list:
    return [u for u in units if u.level <= 3 and not u.refs or (u.refs and keep(u.refs[0]))]


def ingest_law_subset(base: KnowledgeBase) -> None:
    """The GDPR and dataskyddslagen subsets and the personal-data guideline into ``base``
    (skips without ../shared/corpus)."""
    if not GDPR_EN.is_file() or not DSL_JSON.is_file():
        pytest.skip("../shared/corpus is not available")
    ingestor = Ingestor(base)
    gdpr = eurlex_units(GDPR_EN.read_text(encoding="utf-8"), "gdpr")
    gdpr_doc = build_document(
        _subset(gdpr, lambda r: r in ARTICLES | RECITALS), "gdpr", "förordning"
    )
    text = riksdagen_text(json.loads(DSL_JSON.read_text(encoding="utf-8")))
    dsl = statute_units(text, "2018:218")
    dsl_doc = build_document(_subset(dsl, lambda r: ":3kap" in r), "sfs2018:218", "lag")
    for name, doc in (("law-gdpr", gdpr_doc), ("law-sfs2018-218", dsl_doc)):
        ingestor.replace_document(name, ingestor.build_nodes(GDPR_EN, name, LAW_ORIGIN, doc=doc))
    report = ingestor.ingest([POLICIES / "riktlinjer-personuppgifter.md"], prune=False)
    assert report.ok, report.results


@pytest.fixture(scope="module")
def law_kb(tmp_path_factory, embedder):
    base = KnowledgeBase(make_settings(tmp_path_factory.mktemp("laws")), embedder=embedder)
    ingest_law_subset(base)
    yield base
    base.close()


@pytest.fixture(scope="module")
def retriever(law_kb):
    return Retriever(law_kb, law_kb.settings)


@pytest.mark.parametrize(
    ("question", "unit"),
    [
        ("What does Article 17 say?", "gdpr:art17"),
        ("Vad säger artikel 17?", "gdpr:art17"),
        ("Vad står i artikel 33.1 GDPR?", "gdpr:art33:1"),
        ("What does Article 20(2) say?", "gdpr:art20:2"),
        ("Vad säger skäl 85?", "gdpr:recital85"),
        ("Vad säger 3 kap. 5 § dataskyddslagen?", "sfs2018:218:3kap5§"),
    ],
)
def test_named_unit_ranks_first(retriever, question, unit):
    result = retriever.search(question, top_k=5, user=EVERYONE)
    first = result.hits[0]
    assert unit in first.payload[index.UNIT_REFS], (question, first.section_path)
    assert first.id in result.exact
    assert len(result.hits) <= 5
    assert any(h.id not in result.exact for h in result.hits)  # semantic hits still there


def test_exact_paragraf_is_exactly_that_paragraf(retriever):
    first = retriever.search("3 kap. 5 § dataskyddslagen", top_k=3, user=EVERYONE).hits[0]
    assert first.payload[index.UNIT_REFS] == ["sfs2018:218:3kap5§"]
    assert first.payload[index.ACT] == "sfs2018:218"
    assert first.payload[index.DOC_TYPE] == "lag"
    assert "Känsliga personuppgifter får behandlas med stöd av artikel 9.2 h" in first.text
    assert first.section_path.endswith("3 kap. > 5 §")


def test_questions_without_references_are_unchanged(retriever):
    result = retriever.search(
        "Hur snabbt ska en personuppgiftsincident anmälas?", top_k=5, user=EVERYONE
    )
    assert result.exact == []
    missing = retriever.search("Vad säger artikel 99?", top_k=5, user=EVERYONE)  # not in this index
    assert missing.exact == []


def test_policy_citing_article_33_links_to_the_gdpr_article(law_kb, tmp_path):
    components = Components.build(make_settings(tmp_path / "svc"), kb=law_kb)
    try:
        response = present.ask(
            components.service,
            AskRequest(
                question="Hur snabbt ska en personuppgiftsincident anmälas till IMY?",
                filters={"doc_types": ["riktlinje"]},
            ),
            EVERYONE,
        )
    finally:
        components.audit.close()
    assert response.citations and all(c.doc_type == "riktlinje" for c in response.citations)
    related = {r.ref: r for r in response.related}
    assert any(ref.startswith("gdpr:art33") for ref in related), list(related)
    link = next(r for ref, r in related.items() if ref.startswith("gdpr:art33"))
    assert link.act == "gdpr" and "Article 33" in link.section and link.cited_by
    assert response.model_dump()["related"]


def test_an_answer_citing_a_law_text_is_presented_with_origin_law(law_kb, tmp_path):
    """A law passage cited directly reaches the API's response (its origin was not in the
    schema, so such answers failed with a 500 before)."""
    components = Components.build(make_settings(tmp_path / "svc"), kb=law_kb)
    try:
        response = present.ask(
            components.service, AskRequest(question="Vad säger artikel 33?"), EVERYONE
        )
    finally:
        components.audit.close()
    laws = [c for c in response.citations if c.origin == LAW_ORIGIN]
    assert laws and laws[0].document_id == "law-gdpr", [c.origin for c in response.citations]
    assert response.model_dump(mode="json")["citations"][0]["origin"] == "law"
