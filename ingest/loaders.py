"""Load a file into plain text plus its structure (headings, paragraphs, pages).

Parsing is done by kept libraries: markdown-it-py (Markdown), pypdf (PDF, per page),
python-docx (DOCX, heading styles and page breaks), BeautifulSoup (HTML). Each loader
returns a ``LoadedDocument`` whose ``text`` is the extracted text and whose ``blocks`` are
headings and paragraphs with their character offsets in ``text`` and their page number.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

SUPPORTED = {".md", ".markdown", ".txt", ".pdf", ".docx", ".html", ".htm"}


class LoadError(Exception):
    """A file that cannot be ingested; the message says why, in plain words."""


@dataclass
class Block:
    kind: Literal["heading", "text"]
    text: str
    level: int = 0  # heading depth: 1 = h1 (0 = a DOCX "Title"), 2 = h2, ...
    page: int | None = None
    start: int = 0
    end: int = 0


@dataclass
class LoadedDocument:
    text: str
    blocks: list[Block]
    title: str | None = None  # from the file's own metadata, when it has one
    pages: int | None = None
    # Law texts only (ingest/laws.py): the act ("gdpr", "sfs2018:218"), the document type
    # ("förordning", "lag") and each section path's own canonical reference ids.
    act: str | None = None
    doc_type: str | None = None
    section_refs: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class _Builder:
    """Joins blocks into one text, recording each block's offsets."""

    parts: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    pos: int = 0

    def add(self, kind: str, text: str, level: int = 0, page: int | None = None) -> None:
        text = text.strip()
        if not text:
            return
        if self.parts:
            self.parts.append("\n\n")
            self.pos += 2
        self.blocks.append(Block(kind, text, level, page, self.pos, self.pos + len(text)))  # type: ignore[arg-type]
        self.parts.append(text)
        self.pos += len(text)

    def build(self, title: str | None = None, pages: int | None = None) -> LoadedDocument:
        if not self.blocks:
            raise LoadError("no text could be extracted (empty, or a scanned image without text)")
        return LoadedDocument("".join(self.parts), self.blocks, title, pages)


# --- Markdown ---------------------------------------------------------------------------


def _inline_text(token) -> str:
    out = []
    for child in token.children or []:
        if child.type in ("text", "code_inline", "html_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append(" " if child.type == "softbreak" else "\n")
        elif child.type == "image":
            out.append(child.content)
    return "".join(out)


def load_markdown(path: Path) -> LoadedDocument:
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable("table").parse(_read_text(path))
    b = _Builder()
    stack: list[str] = []  # enclosing block tokens
    ordinal: list[int] = []  # counters of ordered lists
    row: list[str] = []
    for tok in tokens:
        if tok.type.endswith("_open"):
            stack.append(tok.tag)
            if tok.type == "ordered_list_open":
                ordinal.append(int(tok.attrGet("start") or 1) - 1)
            elif tok.type == "bullet_list_open":
                ordinal.append(-1)
            elif tok.type == "tr_open":
                row = []
        elif tok.type.endswith("_close"):
            stack.pop()
            if tok.type in ("ordered_list_close", "bullet_list_close"):
                ordinal.pop()
            elif tok.type == "tr_close":
                b.add("text", " | ".join(row))
        elif tok.type == "inline":
            text = _inline_text(tok)
            parent = stack[-1] if stack else ""
            if parent in ("h1", "h2", "h3", "h4", "h5", "h6"):
                b.add("heading", text, level=int(parent[1]))
            elif parent in ("th", "td"):
                row.append(text.strip())
            elif "li" in stack:
                if ordinal and ordinal[-1] >= 0:
                    ordinal[-1] += 1
                    b.add("text", f"{ordinal[-1]}. {text}")
                else:
                    b.add("text", f"- {text}")
            else:
                b.add("text", text)
        elif tok.type in ("fence", "code_block"):
            b.add("text", tok.content)
    return b.build()


# --- plain text and PDF ------------------------------------------------------------------

_NUMBERED_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\s+([A-ZÅÄÖ].{1,90})$")
_BULLET = re.compile(r"^([-•–*]|\d{1,2}[.)])\s+")


def numbered_heading_level(line: str) -> int | None:
    """Level of a numbered heading line like "4.2 Skyddsnivåer" (2 + depth - 1), else None."""
    m = _NUMBERED_HEADING.match(line.strip())
    if not m or line.rstrip()[-1] in ".,;:" or len(m.group(2).split()) > 12:
        return None
    number = m.group(1)
    if int(number.split(".")[0]) > 40:
        return None
    return number.count(".") + 2


def _lines_to_blocks(
    b: _Builder,
    lines: list[str],
    page: int | None,
    heading_level: Callable[[str], int | None],
) -> None:
    """Group lines into headings and paragraphs.

    A blank line, a heading or a bullet starts a new paragraph; so does a line after one that
    is clearly shorter than a full line (the last line of a paragraph, or a "Key: value" line).
    Runs of spaces (justified PDF text) are folded.
    """
    lines = [" ".join(x.split()) for x in lines]
    width = max((len(x) for x in lines), default=0)
    para: list[str] = []

    def flush() -> None:
        if para:
            b.add("text", " ".join(para), page=page)
            para.clear()

    for raw in lines:
        line = raw.strip()
        if not line:
            flush()
            continue
        level = heading_level(line)
        if level:
            flush()
            b.add("heading", line, level=level, page=page)
            continue
        if _BULLET.match(line):
            flush()
        para.append(line)
        if len(line) < 0.6 * width or (line[-1] in ".:!?" and len(line) < 0.85 * width):
            flush()
    flush()


def load_text(path: Path) -> LoadedDocument:
    b = _Builder()
    _lines_to_blocks(b, _read_text(path).splitlines(), None, numbered_heading_level)
    return b.build()


def load_pdf(path: Path) -> LoadedDocument:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise LoadError("the PDF is encrypted (password protected)")
        pages = [page.extract_text() or "" for page in reader.pages]
    except LoadError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise LoadError(f"not a readable PDF ({exc.__class__.__name__}: {exc})") from exc
    except Exception as exc:  # pypdf raises many kinds on corrupt input  # noqa: BLE001
        if "encrypt" in str(exc).lower() or "crypt" in exc.__class__.__name__.lower():
            raise LoadError("the PDF is encrypted and cannot be read") from exc
        raise LoadError(f"not a readable PDF ({exc.__class__.__name__}: {exc})") from exc

    meta_title = None
    if reader.metadata and reader.metadata.title:
        meta_title = str(reader.metadata.title).strip() or None
    outline = _pdf_outline(reader)

    def heading_level(line: str) -> int | None:
        key = _norm(line)
        if outline:
            return outline.get(key)
        return numbered_heading_level(line)

    pages = _drop_running_lines(pages)
    b = _Builder()
    for number, page_text in enumerate(pages, start=1):
        lines = page_text.splitlines()
        if number == 1 and meta_title and lines and _norm(lines[0]) == _norm(meta_title):
            b.add("heading", lines[0], level=1, page=1)
            lines = lines[1:]
        _lines_to_blocks(b, lines, number, heading_level)
    return b.build(title=meta_title, pages=len(pages))


def _drop_running_lines(pages: list[str]) -> list[str]:
    """Remove running headers/footers: first/last lines that recur (numbers aside) on most pages."""
    if len(pages) < 3:
        return pages
    shape = lambda line: re.sub(r"\d+", "#", _norm(line))  # noqa: E731
    edges = Counter()
    for text in pages:
        lines = [x for x in text.splitlines() if x.strip()]
        edges.update({shape(x) for x in lines[:2] + lines[-2:]})
    running = {k for k, n in edges.items() if n >= max(3, len(pages) // 2)}
    return [
        "\n".join(x for x in text.splitlines() if not x.strip() or shape(x) not in running)
        for text in pages
    ]


def _pdf_outline(reader) -> dict[str, int]:
    """Bookmark titles mapped to heading levels (top bookmarks = level 2)."""
    found: dict[str, int] = {}

    def walk(items, depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            elif getattr(item, "title", None):
                found[_norm(item.title)] = depth + 2

    try:
        walk(reader.outline, 0)
    except Exception:  # noqa: BLE001 - a broken outline only costs us the heading hints
        return {}
    return found


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


# --- DOCX --------------------------------------------------------------------------------

_HEADING_STYLE = re.compile(r"^(?:heading|rubrik)\s*(\d)$", re.IGNORECASE)


def load_docx(path: Path) -> LoadedDocument:
    import docx
    from docx.oxml.ns import qn
    from docx.table import Table

    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises zipfile/KeyError/ValueError variants  # noqa: BLE001
        raise LoadError(f"not a readable DOCX file ({exc.__class__.__name__})") from exc

    b = _Builder()
    page = 1
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            for r in item.rows:
                b.add("text", " | ".join(c.text.strip() for c in r.cells), page=page)
            continue
        style = (item.style.name if item.style is not None else "") or ""
        hard_break = any(br.get(qn("w:type")) == "page" for br in item._p.iter(qn("w:br"))) or bool(
            item.rendered_page_breaks
        )
        if hard_break or item.paragraph_format.page_break_before:
            page += 1
        text = item.text
        m = _HEADING_STYLE.match(style)
        if style.lower() in ("title", "rubrik"):
            b.add("heading", text, level=0, page=page)
        elif m:
            b.add("heading", text, level=int(m.group(1)), page=page)
        elif "list" in style.lower() or "lista" in style.lower():
            prefix = "" if _BULLET.match(text.strip()) else "- "
            b.add("text", prefix + text, page=page)
        else:
            b.add("text", text, page=page)
    title = (document.core_properties.title or "").strip() or None
    return b.build(title=title, pages=page)


# --- HTML --------------------------------------------------------------------------------

_HTML_BLOCKS = ["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "pre", "tr", "dt", "dd", "caption"]


def load_html(path: Path) -> LoadedDocument:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(_read_text(path), "html.parser")
    for tag in soup(["script", "style", "nav", "header", "footer", "noscript", "template"]):
        tag.decompose()
    title = soup.title.get_text(" ", strip=True) if soup.title else None
    root = soup.body or soup
    b = _Builder()
    selected = root.find_all(_HTML_BLOCKS)
    chosen = set(map(id, selected))
    for el in selected:
        if any(id(parent) in chosen for parent in el.parents):
            continue
        if el.name == "tr":
            text = " | ".join(c.get_text(" ", strip=True) for c in el.find_all(["td", "th"]))
        else:
            text = el.get_text(" ", strip=True)
        if el.name[0] == "h" and el.name[1:].isdigit():
            b.add("heading", text, level=int(el.name[1]))
        elif el.name == "li":
            b.add("text", f"- {text}")
        else:
            b.add("text", text)
    return b.build(title=title or None)


# --- dispatch ----------------------------------------------------------------------------

_LOADERS: dict[str, Callable[[Path], LoadedDocument]] = {
    ".md": load_markdown,
    ".markdown": load_markdown,
    ".txt": load_text,
    ".pdf": load_pdf,
    ".docx": load_docx,
    ".html": load_html,
    ".htm": load_html,
}


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    if b"\x00" in data[:8192]:
        raise LoadError("looks like a binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def load(path: Path, max_bytes: int | None = None) -> LoadedDocument:
    """Load any supported file; raise ``LoadError`` with a clear reason otherwise."""
    suffix = path.suffix.lower()
    if suffix not in _LOADERS:
        raise LoadError(
            f"unsupported file type '{suffix or path.name}' "
            f"(supported: {', '.join(sorted(SUPPORTED))})"
        )
    size = path.stat().st_size
    if size == 0:
        raise LoadError("the file is empty")
    if max_bytes is not None and size > max_bytes:
        raise LoadError(
            f"the file is too large ({size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.1f} MB)"
        )
    if suffix in (".html", ".htm", ".txt"):  # law texts (EUR-Lex, Riksdagen): own structure
        from ingest.laws import load_if_law

        law = load_if_law(path)
        if law is not None:
            return law
    return _LOADERS[suffix](path)
