"""The one ``load``: law texts by the law reader, everything else by its format loader."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from ingest.laws import LawDocument
from ingest.loaders import LoadedDocument, LoadError, TextBuilder, load_file, read_text
from ingest.reading import load

EURLEX = """<html><body>
<p class="oj-doc-ti">EUROPAPARLAMENTETS OCH RÅDETS FÖRORDNING (EU) 2016/679</p>
<p class="oj-ti-section-1">KAPITEL IV</p>
<p class="oj-ti-section-2">Personuppgiftsansvarig och personuppgiftsbiträde</p>
<p class="oj-ti-art">Artikel 33</p>
<p class="oj-sti-art">Anmälan av en personuppgiftsincident</p>
<p class="oj-normal">1.   Vid en personuppgiftsincident ska den personuppgiftsansvarige
anmäla incidenten utan onödigt dröjsmål.</p>
</body></html>"""

RIKSDAGEN = """Lag (2099:1) om prov

SFS nr: 2099:1
Utfärdad: 2099-01-01

1 kap. Inledande bestämmelser

1 §   Denna lag gäller prov.

2 §   Med prov avses ett test.

3 §   Ett prov ska dokumenteras. Lag (2099:2).
"""


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_generic_document_has_no_law_fields():
    fields = {f.name for f in dataclasses.fields(LoadedDocument)}
    assert fields == {"text", "blocks", "title", "pages"}
    law_fields = {f.name for f in dataclasses.fields(LawDocument)} - fields
    assert law_fields == {"act", "doc_type", "section_refs"}


def test_a_eurlex_page_is_read_as_a_law(tmp_path: Path):
    path = _write(tmp_path, "gdpr.html", EURLEX)
    doc = load(path)
    assert isinstance(doc, LawDocument)
    assert (doc.act, doc.doc_type) == ("gdpr", "förordning")
    assert ["gdpr:art33", "gdpr:art33:1"] in doc.section_refs.values()
    plain = load_file(path)  # the format loader alone: an HTML page like any other
    assert type(plain) is LoadedDocument and "Artikel 33" in plain.text


def test_a_riksdagen_text_is_read_as_a_law(tmp_path: Path):
    doc = load(_write(tmp_path, "sfs-2099-1.txt", RIKSDAGEN))
    assert isinstance(doc, LawDocument)
    assert (doc.act, doc.doc_type) == ("sfs2099:1", "lag")
    assert ["sfs2099:1:1kap3§"] in doc.section_refs.values()
    assert "Lag (2099:2)." not in doc.text
    for block in doc.blocks:
        assert doc.text[block.start : block.end] == block.text


def test_other_files_are_read_by_their_format(tmp_path: Path):
    policy = load(_write(tmp_path, "policy.txt", "Rutin\n\nLösenord byts varje år.\n"))
    assert type(policy) is LoadedDocument


def test_a_law_in_any_format_is_a_law(tmp_path: Path):
    """A statute's text as Markdown: no publisher's format, but its title and paragrafer."""
    path = _write(tmp_path, "lag.md", RIKSDAGEN)
    doc = load(path)
    assert isinstance(doc, LawDocument) and doc.act == "sfs2099:1"
    assert doc.title == "Lag (2099:1) om prov"
    assert ["sfs2099:1:1kap3§"] in doc.section_refs.values()
    assert type(load_file(path)) is LoadedDocument  # the format loader alone: a document


def test_read_text_refuses_binary_unless_asked_not_to(tmp_path: Path):
    path = tmp_path / "x.txt"
    path.write_bytes(b"text\x00more")
    with pytest.raises(LoadError, match="NUL bytes"):
        read_text(path)
    assert read_text(path, refuse_binary=False) == "text\x00more"
    with pytest.raises(LoadError, match="NUL bytes"):
        load(path)  # not a law: the text loader refuses it


def test_text_builder_normalises_unless_told_not_to():
    for normalise, expected in ((True, "- final"), (False, "• ﬁnal")):
        b = TextBuilder(normalise=normalise)
        b.add("heading", "  Rubrik ", 1)
        b.add("text", "• ﬁnal")
        assert b.text == f"Rubrik\n\n{expected}"
        assert [(x.start, x.end) for x in b.blocks] == [(0, 6), (8, 8 + len(expected))]
