"""EUR-Lex HTML (the real GDPR page, and a Swedish snippet in the newer oj- markup)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.chunking import chunk_document
from ingest.laws import apply_unit_refs, detect_format
from ingest.laws.eurlex import count_units, parse_eurlex, parse_units

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "corpus"
GDPR_EN = SHARED / "eu_en" / "eurlex_CELEX_32016R0679_EN_TXT.html"


@pytest.fixture(scope="module")
def gdpr_html() -> str:
    if not GDPR_EN.is_file():
        pytest.skip("../shared/corpus is not available")
    return GDPR_EN.read_text(encoding="utf-8")


def test_gdpr_structure(gdpr_html):
    units = parse_units(gdpr_html, "gdpr")
    counts = count_units(units)
    assert counts["article"] == 99
    assert counts["recital"] == 173
    assert counts["chapter"] == 11
    assert counts["section"] == 15
    articles = [u for u in units if u.kind == "article"]
    assert [u.refs[0] for u in articles] == [f"gdpr:art{n}" for n in range(1, 100)]
    a33 = next(u for u in articles if u.refs == ["gdpr:art33"])
    assert a33.heading == (
        "Article 33 – Notification of a personal data breach to the supervisory authority"
    )
    recital85 = next(u for u in units if u.refs == ["gdpr:recital85"])
    assert recital85.texts[0].startswith("(85) A personal data breach may")


def test_gdpr_paragraphs_points_and_definitions(gdpr_html):
    doc = parse_eurlex(gdpr_html, "gdpr")
    assert doc.act == "gdpr" and doc.doc_type == "förordning"
    path = (
        "Chapter IV – Controller and processor > Section 2 – Security of personal data > "
        "Article 33 – Notification of a personal data breach to the supervisory authority > 1"
    )
    assert doc.section_refs[path] == ["gdpr:art33", "gdpr:art33:1"]
    start = doc.text.index("1. In the case of a personal data breach")
    assert doc.text[start:].startswith(
        "1. In the case of a personal data breach, the controller shall without undue delay and, "
        "where feasible, not later than 72 hours after having become aware of it"
    )
    by_refs = {tuple(v): k for k, v in doc.section_refs.items()}
    art6_1 = next(k for k, v in doc.section_refs.items() if v[:2] == ["gdpr:art6", "gdpr:art6:1"])
    assert doc.section_refs[art6_1][2:] == [f"gdpr:art6:1:{x}" for x in "abcdef"]
    definition = next(k for k in by_refs.values() if k.endswith("Article 4 – Definitions > 11"))
    assert doc.section_refs[definition] == ["gdpr:art4", "gdpr:art4:11"]
    assert "‘consent’ of the data subject" in doc.text
    assert "(1)" not in doc.text[doc.text.index("Having regard to the opinion") :][:120]


def test_chunks_carry_their_own_unit_ids(gdpr_html):
    doc = parse_eurlex(gdpr_html, "gdpr")
    chunks = chunk_document(doc, doc.title, lambda t: len(t.split()) * 2, 380, 40)
    own = apply_unit_refs(doc, chunks)
    a33 = [c for c, o in zip(chunks, own, strict=True) if "gdpr:art33:1" in o]
    assert len(a33) == 1 and a33[0].refs[:2] == ["gdpr:art33", "gdpr:art33:1"]
    assert "gdpr:art55" in a33[0].refs  # mentioned in the text
    assert all("Recital" not in c.section_path or c.refs[0].startswith("gdpr:recital")
               for c in chunks)  # fmt: skip
    assert detect_format(gdpr_html) == "eurlex"


SV_SNIPPET = """<html><body>
<p class="oj-doc-ti">EUROPAPARLAMENTETS OCH RÅDETS FÖRORDNING (EU) 2016/679</p>
<p class="oj-normal">med beaktande av fördraget om Europeiska unionens funktionssätt,</p>
<div class="eli-subdivision" id="rct_85"><table><tr><td><p class="oj-normal">(85)</p></td>
<td><p class="oj-normal">En personuppgiftsincident som inte snabbt åtgärdas kan leda till
skada.</p></td></tr></table></div>
<p class="oj-normal">HÄRIGENOM FÖRESKRIVS FÖLJANDE.</p>
<p class="oj-ti-section-1"><span class="oj-italic">KAPITEL IV</span></p>
<div class="eli-title"><p class="oj-ti-section-2">Personuppgiftsansvarig och
personuppgiftsbiträde</p></div>
<p class="oj-ti-section-1"><span class="oj-expanded">Avsnitt 2</span></p>
<p class="oj-ti-section-2">Säkerhet för personuppgifter</p>
<div class="eli-subdivision" id="art_33"><p class="oj-ti-art">Artikel 33</p>
<div class="eli-title"><p class="oj-sti-art">Anmälan av en personuppgiftsincident</p></div>
<div id="033.001"><p class="oj-normal">1.   Vid en personuppgiftsincident ska den
personuppgiftsansvarige anmäla incidenten utan onödigt dröjsmål.</p></div>
<div id="033.003"><p class="oj-normal">3.   Den anmälan som avses i punkt 1 ska åtminstone</p>
<table><tr><td><p class="oj-normal">a)</p></td>
<td><p class="oj-normal">beskriva personuppgiftsincidentens art,</p></td></tr></table></div>
</div></body></html>"""


def test_swedish_markup():
    units = parse_units(SV_SNIPPET, "gdpr")
    doc = parse_eurlex(SV_SNIPPET, "gdpr")
    assert doc.title.startswith("Dataskyddsförordningen")
    assert count_units(units)["recital"] == 1
    paths = list(doc.section_refs)
    assert "Skäl > Skäl 85" in paths
    p1 = (
        "Kapitel IV – Personuppgiftsansvarig och personuppgiftsbiträde > "
        "Avsnitt 2 – Säkerhet för personuppgifter > "
        "Artikel 33 – Anmälan av en personuppgiftsincident > punkt 1"
    )
    assert doc.section_refs[p1] == ["gdpr:art33", "gdpr:art33:1"]
    p3 = p1.replace("punkt 1", "punkt 3")
    assert doc.section_refs[p3] == ["gdpr:art33", "gdpr:art33:3", "gdpr:art33:3:a"]
    assert "a) beskriva personuppgiftsincidentens art," in doc.text
