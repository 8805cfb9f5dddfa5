"""Structure-aware chunking on the real sample policies (PDF, DOCX, Markdown, HTML)."""

from __future__ import annotations

import pytest

from core.text.headings import section_number
from ingest.chunking import chunk_document
from ingest.metadata import extract_metadata
from ingest.reading import load
from tests.conftest import POLICIES

FILES = [
    "informationssakerhetspolicy.pdf",
    "riktlinjer-generativ-ai.docx",
    "riktlinjer-personuppgifter.md",
    "it-sakerhetspolicy.html",
]
MAX_TOKENS = 380


@pytest.fixture(scope="module")
def chunked(embedder):
    out = {}
    for name in FILES:
        doc = load(POLICIES / name)
        title = extract_metadata(doc, POLICIES / name).title
        out[name] = (doc, chunk_document(doc, title, embedder.count_tokens, MAX_TOKENS, 40))
    return out


@pytest.mark.parametrize("name", FILES)
def test_chunks_are_exact_slices_within_the_token_budget(chunked, embedder, name):
    doc, chunks = chunked[name]
    assert len(chunks) >= 20
    for c in chunks:
        assert doc.text[c.start : c.end] == c.text
        assert embedder.count_tokens(f"{c.heading}\n\n{c.text}") <= MAX_TOKENS + 8


@pytest.mark.parametrize("name", FILES)
def test_no_chunk_crosses_a_top_level_section(chunked, name):
    doc, chunks = chunked[name]
    headings = [b for b in doc.blocks if b.kind == "heading"][1:]  # after the title
    tops = [b for b in headings if b.level == min(h.level for h in headings)]
    assert len(tops) >= 8
    bounds = [t.start for t in tops] + [len(doc.text) + 1]
    for c in chunks:
        if c.top_section is None:  # the preamble before section 1
            assert c.end <= tops[0].start
            continue
        i = [t.text for t in tops].index(c.top_section)
        assert bounds[i] <= c.start and c.end < bounds[i + 1], c.section_path


@pytest.mark.parametrize("name", [FILES[0], FILES[1]])
def test_pdf_and_docx_chunks_carry_section_path_and_pages(chunked, name):
    _, chunks = chunked[name]
    body = [c for c in chunks if c.top_section]
    assert all(c.section_path and c.page_start and c.page_end >= c.page_start for c in body)
    assert chunks[0].top_section is None and chunks[0].page_start == 1  # the cover page
    if name.endswith(".pdf"):
        assert len({c.page_start for c in body}) >= 8
        assert any(c.page_end > c.page_start for c in body), "a chunk can span a page break"
    else:  # a DOCX knows only the page breaks stored in it: here the one after the cover
        assert {c.page_start for c in body} == {2}


def test_section_path_numbers_and_references(chunked):
    _, chunks = chunked["informationssakerhetspolicy.pdf"]
    levels = [c for c in chunks if c.section_path == "4 Informationsklassning > 4.2 Skyddsnivåer"]
    assert levels and levels[0].section_number == "4.2"
    assert levels[0].heading.startswith("Höglandsgemensam informationssäkerhetspolicy > 4 ")
    _, chunks = chunked["riktlinjer-personuppgifter.md"]
    assert any("gdpr:art33" in c.refs for c in chunks)


def test_section_number_forms():
    assert section_number("4.2 Skyddsnivåer") == "4.2"
    assert section_number("Artikel 33 Anmälan") == "33"
    assert section_number("3 kap. Behandling") == "3 kap."
    assert section_number("Inledning") is None


def test_long_paragraph_is_cut_at_sentence_ends(tmp_path, embedder):
    sentence = "Varje nämnd ska dokumentera sina behandlingar av personuppgifter noggrant. "
    path = tmp_path / "lang.md"
    path.write_text(f"# Lång\n\n## 1 Avsnitt\n\n{sentence * 80}\n", encoding="utf-8")
    doc = load(path)
    chunks = chunk_document(doc, "Lång", embedder.count_tokens, 120, 20)
    assert len(chunks) >= 4
    for c in chunks:
        assert c.text.endswith(".") and doc.text[c.start : c.end] == c.text
        assert embedder.count_tokens(f"{c.heading}\n\n{c.text}") <= 128
