"""Law units and the document made of them: one heading block per unit, own ids per path."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.references import parse_references
from core.text.headings import SEPARATOR
from ingest.chunking import Chunk
from ingest.loaders import LoadedDocument, LoadError, TextBuilder


@dataclass
class LawUnit:
    kind: str  # title, chapter, section, article, paragraph, recital, group, paragraf, ...
    heading: str
    level: int  # heading depth: 1 = the act's title, 2 = chapter, ...
    refs: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # amendment notes, e.g. "Lag (2021:1174)."
    page: int | None = None  # where it starts, when the source has pages (a PDF print)


@dataclass(kw_only=True)
class LawDocument(LoadedDocument):
    """A loaded law text: its act, its document type and each section path's own ids."""

    act: str  # "gdpr", "sfs2018:218"
    doc_type: str  # "förordning", "lag"
    section_refs: dict[str, list[str]] = field(default_factory=dict)


def build_document(
    units: list[LawUnit], act: str, doc_type: str, pages: int | None = None
) -> LawDocument:
    """The units as a ``LawDocument`` with each section path's own reference ids.

    Unit texts are used as parsed (not normalised again): the parsers clean them.
    """
    b = TextBuilder(normalise=False)
    section_refs: dict[str, list[str]] = {}
    stack: list[LawUnit] = []
    title = None
    for unit in units:
        if unit.level == 1:
            title = title or unit.heading
            b.add("heading", unit.heading, 1, unit.page)
        else:
            while stack and stack[-1].level >= unit.level:
                stack.pop()
            stack.append(unit)
            b.add("heading", unit.heading, unit.level, unit.page)
            if unit.refs:
                section_refs[SEPARATOR.join(u.heading for u in stack)] = list(unit.refs)
        for text in unit.texts:
            b.add("text", text, page=unit.page)
    if not any(block.kind == "text" for block in b.blocks):
        raise LoadError("no law text could be extracted")
    return LawDocument(
        b.text, b.blocks, title=title, pages=pages, act=act, doc_type=doc_type,
        section_refs=section_refs,
    )  # fmt: skip


def apply_unit_refs(doc: LawDocument, chunks: list[Chunk]) -> list[list[str]]:
    """Give each chunk of a law its unit's own ids first, then the ids its text mentions.

    Mentions are parsed from the text only (not the path). In an EU act other than the GDPR,
    "Article 5" means that act's article, so mentioned GDPR ids are dropped there. Returns
    each chunk's own ids (stored as ``unit_refs``).
    """
    own_all = []
    for chunk in chunks:
        own = doc.section_refs.get(chunk.section_path, [])
        mentioned = parse_references(chunk.text)
        if doc.act != "gdpr":
            mentioned = [r for r in mentioned if not r.startswith("gdpr:")]
        chunk.refs = list(dict.fromkeys(own + mentioned))
        own_all.append(list(own))
    return own_all
