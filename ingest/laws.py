"""Law texts as first-class sources: EUR-Lex regulations and Swedish statutes (SFS).

A law is parsed into ``LawUnit``s (chapter, section, article, paragraph, recital, paragraf),
each with its heading, depth, own canonical reference ids (``core/references.py`` format:
``gdpr:art33:1``, ``gdpr:recital85``, ``sfs2018:218:3kap5§``) and text. ``build_document``
turns the units into the project's ``LoadedDocument`` (one heading block per unit, so the
chunker cuts a law at unit boundaries) and records every section path's own ids in
``LoadedDocument.section_refs``; the pipeline stores them as ``refs``/``unit_refs``.

Acts are named ``gdpr`` (or another short name for an EU act) or ``sfs:2018:218``. Texts
are read from files downloaded once (see docs/laws.md); nothing is fetched at run time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from core import index
from core.references import parse_references
from core.text.headings import SEPARATOR
from ingest.chunking import Chunk
from ingest.loaders import Block, LoadedDocument, LoadError

_SFS_ACT = re.compile(r"^sfs\s*:?\s*(\d{4}:\d{1,4})$", re.IGNORECASE)


@dataclass
class LawUnit:
    kind: str  # title, chapter, section, article, paragraph, recital, group, paragraf, ...
    heading: str
    level: int  # heading depth: 1 = the act's title, 2 = chapter, ...
    refs: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # amendment notes, e.g. "Lag (2021:1174)."


def normalise_act(act: str) -> str:
    """ "sfs:2018:218" / "SFS 2018:218" / "2018:218" → "sfs2018:218"; "GDPR" → "gdpr"."""
    act = act.strip()
    if re.fullmatch(r"\d{4}:\d{1,4}", act):
        return f"sfs{act}"
    m = _SFS_ACT.match(act)
    if m:
        return f"sfs{m.group(1)}"
    if not re.fullmatch(r"[A-Za-z][\w-]{0,30}", act):
        raise ValueError(f"not an act name: {act!r} (use e.g. gdpr or sfs:2018:218)")
    return act.lower()


def sfs_number(act: str) -> str | None:
    """ "2018:218" of "sfs2018:218", else None."""
    return act[3:] if act.startswith("sfs") and ":" in act else None


def build_document(units: list[LawUnit], act: str, doc_type: str) -> LoadedDocument:
    """The units as a ``LoadedDocument`` with each section path's own reference ids."""
    parts: list[str] = []
    blocks: list[Block] = []
    pos = 0

    def add(kind: str, text: str, level: int = 0) -> None:
        nonlocal pos
        text = text.strip()
        if not text:
            return
        if parts:
            parts.append("\n\n")
            pos += 2
        blocks.append(Block(kind, text, level, None, pos, pos + len(text)))  # type: ignore[arg-type]
        parts.append(text)
        pos += len(text)

    section_refs: dict[str, list[str]] = {}
    stack: list[LawUnit] = []
    title = None
    for unit in units:
        if unit.level == 1:
            title = title or unit.heading
            add("heading", unit.heading, 1)
        else:
            while stack and stack[-1].level >= unit.level:
                stack.pop()
            stack.append(unit)
            add("heading", unit.heading, unit.level)
            if unit.refs:
                section_refs[SEPARATOR.join(u.heading for u in stack)] = list(unit.refs)
        for text in unit.texts:
            add("text", text)
    if not any(b.kind == "text" for b in blocks):
        raise LoadError("no law text could be extracted")
    doc = LoadedDocument("".join(parts), blocks, title=title)
    doc.act, doc.doc_type, doc.section_refs = act, doc_type, section_refs
    return doc


def apply_unit_refs(doc: LoadedDocument, chunks: list[Chunk]) -> list[list[str]]:
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


# --- format detection and loading -------------------------------------------------------


def detect_format(text: str) -> str | None:
    """ "eurlex", "riksdagen" or None, from the text of an HTML or plain-text file."""
    if re.search(r"class=\"(?:oj-)?ti-art\"", text[:2_000_000]):
        return "eurlex"
    if _riksdagen_sfs(text) and len(re.findall(r"(?m)^\s*\d{1,3}\s*[a-z]?\s*§", text)) >= 3:
        return "riksdagen"
    if len(re.findall(r"class=\"paragraf\"", text)) >= 3:
        return "riksdagen"
    return None


def _riksdagen_sfs(text: str) -> str | None:
    m = re.search(r"SFS\s*nr\s*:\s*(\d{4}:\d{1,4})", text[:20_000])
    return m.group(1) if m else None


def _guess_act(fmt: str, text: str) -> str | None:
    if fmt == "eurlex":
        if re.search(r"32016R0679|2016/679", text[:200_000]):
            return "gdpr"
        return None
    sfs = _riksdagen_sfs(text)
    if not sfs:
        m = re.search(r"\((\d{4}:\d{1,4})\)", text[:2000])
        sfs = m.group(1) if m else None
    return f"sfs{sfs}" if sfs else None


def read_text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def load_law(
    path: Path, act: str | None = None, lang: str | None = None, fmt: str | None = None
) -> LoadedDocument:
    """Load a downloaded law text (EUR-Lex HTML, Riksdagen HTML or plain text)."""
    from ingest.eurlex import parse_eurlex
    from ingest.statutes import parse_statute

    text = read_text(path)
    fmt = fmt or detect_format(text)
    if fmt is None:
        fmt = "riksdagen" if act and normalise_act(act).startswith("sfs") else None
    if fmt is None:
        raise LoadError("not a recognised law text (EUR-Lex HTML or Riksdagen SFS text)")
    act = normalise_act(act) if act else _guess_act(fmt, text)
    if not act:
        raise LoadError("cannot tell which act this is; pass --act (e.g. gdpr, sfs:2018:218)")
    if fmt == "eurlex":
        return parse_eurlex(text, act=act, lang=lang)
    number = sfs_number(act)
    if number is None:
        raise LoadError(f"a Swedish statute needs an SFS act id (sfs:YYYY:NNN), not {act!r}")
    html = path.suffix.lower() in (".html", ".htm") or "<html" in text[:2000].lower()
    return parse_statute(text, number, html=html)


def load_if_law(path: Path) -> LoadedDocument | None:
    """The dispatch hook of ``ingest.loaders.load``: a law text whose act is evident, else None."""
    try:
        text = read_text(path)
    except OSError:
        return None
    fmt = detect_format(text)
    if fmt is None:
        return None
    act = _guess_act(fmt, text)
    if act is None:
        return None
    return load_law(path, act=act, fmt=fmt)


# --- ingestion ---------------------------------------------------------------------------

LAW_ORIGIN = "law"  # documents ingested with `python -m ingest law`: never pruned by folders


def ingest_law(ingestor, path: Path, act: str | None = None, lang: str | None = None,
               dry_run: bool = False):  # fmt: skip
    """Ingest one downloaded law text as its own document (id "law-<act>[-<lang>]")."""
    from ingest.pipeline import FileResult, document_id_for, file_hash

    doc = load_law(path, act, lang)
    act = doc.act or "law"
    relative = f"law-{act}" + (f"-{lang}" if lang else "")
    document_id = document_id_for(relative)
    stored = ingestor.kb.document(document_id)
    if (
        stored is not None
        and stored.complete
        and stored.content_hash == file_hash(path)
        and stored.chunker == ingestor.chunker
    ):
        return FileResult(document_id, relative, "unchanged", stored.chunk_count)
    built = ingestor.build_nodes(path, relative, LAW_ORIGIN, doc=doc)
    for node in built.nodes:  # the source shown to users: the downloaded file's name
        node.metadata[index.SOURCE] = path.name
    if not dry_run:
        ingestor.replace_document(document_id, built)
    status = "new" if stored is None else "changed"
    return FileResult(document_id, relative, status, len(built.nodes))
