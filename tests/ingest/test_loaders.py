"""Every loader on real files: the committed sample policies and files made here."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfWriter

from ingest.loaders import LoadError, load
from ingest.metadata import extract_metadata
from tests.conftest import POLICIES


def _headings(doc):
    return [b.text for b in doc.blocks if b.kind == "heading"]


def _assert_offsets(doc):
    for block in doc.blocks:
        assert doc.text[block.start : block.end] == block.text


def test_markdown_structure_and_metadata():
    path = POLICIES / "riktlinjer-personuppgifter.md"
    doc = load(path)
    _assert_offsets(doc)
    assert doc.blocks[0].kind == "heading" and doc.blocks[0].level == 1
    assert "8 Personuppgiftsincidenter" in _headings(doc)
    assert any(b.text.startswith("- ") for b in doc.blocks), "bullets keep a list marker"
    assert "**" not in doc.text, "inline Markdown is rendered to plain text"
    meta = extract_metadata(doc, path)
    assert meta.title == "Riktlinjer för behandling av personuppgifter"
    assert meta.doc_type == "riktlinje"
    assert meta.version == "2.3" and meta.adopted == "2024-09-03"
    assert meta.municipalities == ["Aneby", "Eksjö", "Nässjö", "Sävsjö", "Vetlanda",
                                   "Höglandsförbundet"]  # fmt: skip


def test_pdf_pages_outline_headings_and_no_running_footer():
    path = POLICIES / "informationssakerhetspolicy.pdf"
    doc = load(path)
    _assert_offsets(doc)
    assert doc.pages and doc.pages >= 8
    assert doc.title == "Höglandsgemensam informationssäkerhetspolicy"
    headings = _headings(doc)
    assert "4 Informationsklassning" in headings and "4.2 Skyddsnivåer" in headings
    pages = {b.page for b in doc.blocks}
    assert min(pages) == 1 and max(pages) == doc.pages
    assert "Exempeldokument – sida" not in doc.text, "page footers are removed"
    meta = extract_metadata(doc, path)
    assert (meta.doc_type, meta.version, meta.adopted) == ("policy", "2.0", "2024-03-12")


def test_docx_headings_title_and_page_break():
    path = POLICIES / "riktlinjer-generativ-ai.docx"
    doc = load(path)
    _assert_offsets(doc)
    assert doc.title == "Riktlinjer för användning av AI och generativ AI"
    assert doc.blocks[0].kind == "heading" and doc.blocks[0].level == 0
    first_section = next(b for b in doc.blocks if b.kind == "heading" and b.level == 1)
    assert first_section.text.startswith("1 ")
    assert first_section.page == 2, "the cover page ends with a hard page break"
    assert extract_metadata(doc, path).version == "1.2"


def test_html_headings_and_title():
    path = POLICIES / "it-sakerhetspolicy.html"
    doc = load(path)
    _assert_offsets(doc)
    assert doc.title == "Höglandsgemensam IT-säkerhetspolicy"
    assert [b.level for b in doc.blocks if b.kind == "heading"][:2] == [1, 2]
    assert extract_metadata(doc, path).doc_type == "policy"


def test_plain_text_numbered_headings(tmp_path: Path):
    path = tmp_path / "rutin.txt"
    path.write_text(
        "Rutin för lösenordsbyte\n\n1 Inledning\n\nDenna rutin gäller alla.\n\n"
        "1.1 Ansvar\n\nIT-chefen ansvarar för rutinen.\n",
        encoding="utf-8",
    )
    doc = load(path)
    _assert_offsets(doc)
    assert [(b.text, b.level) for b in doc.blocks if b.kind == "heading"] == [
        ("1 Inledning", 2), ("1.1 Ansvar", 3)
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("tom.md", b"", "empty"),
        ("trasig.pdf", b"%PDF-1.7\n this is not really a pdf", "not a readable PDF"),
        ("trasig.docx", b"PK\x03\x04 definitely not a zip", "not a readable DOCX"),
        ("bild.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("tabell.xlsx", b"PK\x03\x04", "unsupported file type"),
    ],
)
def test_bad_files_get_clear_errors(tmp_path: Path, name: str, content: bytes, reason: str):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(LoadError, match=reason):
        load(path)


def test_encrypted_pdf_is_refused(tmp_path: Path):
    writer = PdfWriter(clone_from=POLICIES / "informationssakerhetspolicy.pdf")
    writer.encrypt(user_password="hemligt", algorithm="AES-128")
    path = tmp_path / "krypterad.pdf"
    writer.write(path)
    with pytest.raises(LoadError, match="encrypted"):
        load(path)


def test_oversized_file_is_refused(tmp_path: Path):
    path = tmp_path / "stor.md"
    path.write_text("# Stor\n\n" + "text " * 1000, encoding="utf-8")
    with pytest.raises(LoadError, match="too large"):
        load(path, max_bytes=1000)


def test_real_municipal_pdf_from_shared_corpus(shared_corpus: Path):
    path = shared_corpus / "kommun_sv" / "karlshamn_7.54-IT-och-informationssakerhetspolicy-1.pdf"
    doc = load(path)
    _assert_offsets(doc)
    assert doc.pages and doc.pages >= 2
    assert {b.page for b in doc.blocks} >= {1, 2}
    assert "informationssäkerhet" in doc.text.lower()
