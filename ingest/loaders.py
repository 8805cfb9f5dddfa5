"""Load a file into plain text plus its structure (headings, paragraphs, pages).

Parsing is done by kept libraries: markdown-it-py (Markdown), pypdf (PDF, per page),
python-docx (DOCX, heading styles and page breaks), BeautifulSoup (HTML). Each loader
returns a ``LoadedDocument`` whose ``text`` is the extracted text and whose ``blocks`` are
headings and paragraphs with their character offsets in ``text`` and their page number.

This module knows formats only. ``load_file`` takes the readers to try before the format
loader; ``ingest/reading.py`` passes the law reader (``ingest/laws/``) and is what callers use.
"""

from __future__ import annotations

import math
import re
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Literal

from core.text.headings import DOT_LEADER, URL, footnote, numbered_heading_level
from core.text.normalise import (
    BULLET_GLYPHS,
    clean_title,
    join_lines,
    looks_like_file_name,
    normalise_bullets,
    normalise_chars,
    normalise_text,
)

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


@dataclass
class TextBuilder:
    """Joins blocks into one text, an empty line between two, recording each block's offsets.

    ``normalise``: pass each block through ``normalise_text`` (the format loaders); off for
    text that its parser has cleaned already (law units, ``ingest/laws/units.py``).
    """

    normalise: bool = True
    parts: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    pos: int = 0

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def add(self, kind: str, text: str, level: int = 0, page: int | None = None) -> None:
        text = (normalise_text(text) if self.normalise else text).strip()
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
        return LoadedDocument(self.text, self.blocks, title, pages)


# --- Markdown ---------------------------------------------------------------------------


_TASK_BOX = re.compile(r"^\[([ xX])\]\s+")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_FRONT_TITLE = re.compile(r"^title:\s*(.+?)\s*$", re.MULTILINE)


def _task_item(text: str) -> str:
    """A task-list item's box as text: "[ ] Krav" → "Krav", "[x] Krav" → "✓ Krav"."""
    m = _TASK_BOX.match(text)
    if not m:
        return text
    return ("✓ " if m.group(1) != " " else "") + text[m.end() :]


def _front_matter(source: str) -> tuple[str, str | None]:
    """The Markdown without its YAML front matter, and the front matter's title."""
    m = _FRONT_MATTER.match(source)
    if not m:
        return source, None
    title = _FRONT_TITLE.search(m.group(1))
    value = title.group(1).strip().strip("\"'") if title else None
    return source[m.end() :], value or None


_INLINE_TAG = re.compile(r"<(/?)([A-Za-z][\w-]*)\b[^>]*?(/?)>", re.DOTALL)
_VOID_TAGS = frozenset({"br", "img", "input", "wbr", "hr", "meta", "link", "source"})
_UNSHOWN_TAGS = frozenset({"script", "style", "noscript", "template"})  # contents never shown


def _inline_text(token) -> str:
    """Inline Markdown as the reader sees it: emphasis, links and code as their text; inline
    HTML tags are markup (not text), and what a hidden element encloses is dropped, as in
    ``load_html`` (``<span style="display:none">…</span>``)."""
    out = []
    hidden: list[str] = []  # the open hidden elements (their tag names, innermost last)
    for child in token.children or []:
        if child.type == "html_inline":
            m = _INLINE_TAG.fullmatch(child.content.strip())
            if m is None:  # a comment or a stray "<": neither is shown
                continue
            closing, name = m.group(1) == "/", m.group(2).lower()
            if name == "br" and not hidden:
                out.append(" ")
            elif closing and hidden and hidden[-1] == name:
                hidden.pop()
            elif (
                not closing
                and name not in _VOID_TAGS
                and not m.group(3)
                and (hidden or name in _UNSHOWN_TAGS or _hides_inline(child.content))
            ):
                hidden.append(name)
        elif hidden:
            continue
        elif child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append(" " if child.type == "softbreak" else "\n")
        elif child.type == "image":
            out.append(child.content)
    return "".join(out)


def _hides_inline(markup: str) -> bool:
    """Whether the element one opening tag starts is hidden (its attributes parsed by
    BeautifulSoup, judged by ``_hidden_element``)."""
    from bs4 import BeautifulSoup

    tag = BeautifulSoup(markup, "html.parser").find()
    return tag is not None and _hidden_element(tag)


_MARKDOC_TAG = re.compile(r"\{%.*?%\}")


def load_markdown(path: Path) -> LoadedDocument:
    from markdown_it import MarkdownIt

    source, title = _front_matter(read_text(path))
    source = _MARKDOC_TAG.sub("", source)  # "{% table %}", "{% /callout %}": markup, not text
    tokens = MarkdownIt("commonmark").enable("table").parse(source)
    b = TextBuilder()
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
                text = _task_item(text)
                if ordinal and ordinal[-1] >= 0:
                    ordinal[-1] += 1
                    b.add("text", f"{ordinal[-1]}. {text}")
                else:
                    b.add("text", f"- {text}")
            else:
                b.add("text", text)
        elif tok.type in ("fence", "code_block"):
            b.add("text", tok.content)
    return b.build(title=title)


# --- plain text and PDF ------------------------------------------------------------------

_BULLET = re.compile(r"^([-•–*]|\d{1,2}[.)])\s+")
_SENTENCE_END = ".!?:;"
_NOTE_MARK = re.compile(r"-{2,}footnote(\d{1,3})-{2,}", re.IGNORECASE)
# A note reference: a number (or superscript) glued to the end of a word ("uppfylla1.").
_NOTE_REF = re.compile(r"(?<=[a-zåäö]{3})(\d{1,2}|[¹²³⁴⁵⁶⁷⁸⁹⁰]{1,2})(?=[.,;:]?(?:\s|$))")


def _clean_line(line: str) -> str:
    """A line normalised (characters, bullets, note marks) with its spaces folded."""
    line = normalise_bullets(normalise_chars(line))
    line = _NOTE_MARK.sub(r" [\1]", line)
    line = _NOTE_REF.sub(lambda m: f"[{unicodedata.normalize('NFKC', m.group(1))}]", line)
    return " ".join(line.split())


@dataclass
class _Line:
    text: str
    page: int | None
    blanks: int = 0  # empty lines before it (-1: the first line of a new page)
    raw: str = ""  # as extracted, before normalisation


@dataclass
class _Layout:
    """How a document wraps its lines, decided from its own line statistics."""

    width: int  # a full line
    blank_is_soft: bool  # "line, empty line, line": single empty lines are wraps
    gap_marks_paragraph: bool = False  # ... and two or more empty lines end a paragraph


def _mid_sentence(prev: str, nxt: str) -> bool:
    """``nxt`` continues a sentence ``prev`` left open (or a word it hyphenated)."""
    return prev[-1] not in _SENTENCE_END and nxt[0].islower()


def _layout(lines: list[_Line]) -> _Layout:
    """Decide per document whether single empty lines are soft wraps.

    They are when most blank-separated "paragraphs" are one line and many of them end in the
    middle of a sentence that the next one goes on with in lower case (a double-spaced
    plain-text export), which real paragraph breaks do not do. Such a document's real
    paragraph breaks are then the runs of two or more empty lines, if it has them.
    """
    lengths = sorted(len(x.text) for x in lines)
    width = lengths[int(0.95 * (len(lengths) - 1))] if lengths else 0
    single = [(a.text, b.text) for a, b in pairwise(lines) if b.blanks == 1]
    one_line = sum(1 for a, b in pairwise(lines) if a.blanks >= 1 and b.blanks >= 1)
    open_ends = sum(_mid_sentence(a, b) for a, b in single)
    soft = (
        len(single) >= 4
        and open_ends >= 0.25 * len(single)
        and one_line >= 0.5 * sum(1 for x in lines if x.blanks >= 1)
    )
    gaps = sum(1 for x in lines if x.blanks >= 2)
    return _Layout(width, soft, soft and gaps >= 2)


def _continues(prev: str, line: _Line, layout: _Layout) -> bool:
    """Whether ``line`` goes on with the paragraph whose last line is ``prev``."""
    nxt = line.text
    soft_blank = line.blanks == 1 and layout.blank_is_soft
    if _mid_sentence(prev, nxt):
        return line.blanks <= 0 or soft_blank
    if line.blanks < 0 or line.blanks > 1 or (line.blanks == 1 and not soft_blank):
        return False
    if line.blanks == 1:  # a soft empty line
        if layout.gap_marks_paragraph:
            return True
        # without paragraph gaps: a wrap if the next word did not fit on the line
        return len(prev) + 1 + len(nxt.split()[0]) > layout.width and prev[-1] != ":"
    width = layout.width
    return not (len(prev) < 0.6 * width or (prev[-1] in ".:!?" and len(prev) < 0.85 * width))


def _dash_goes_on(para: list[str], line: _Line, layout: _Layout) -> bool:
    """A wrapped line that starts with a dash in mid-sentence ("... bedriva\n-- och hur").

    Not a list item: the paragraph is no list, its last line is full and open, and the words
    after the dash go on in lower case.
    """
    prev, text = para[-1], line.text
    return (
        line.raw.lstrip()[:1] in "-–—"
        and text.startswith("- ")
        and text[2:3].islower()
        and not para[0].startswith("- ")
        and prev[-1] not in _SENTENCE_END
        and len(prev) >= 0.8 * layout.width
        and _continues(prev, _Line(text[2:], line.page, line.blanks), layout)
    )


def _lines_to_blocks(
    b: TextBuilder,
    raw: list[_Line],
    heading_level: Callable[[str], int | None],
    note: Callable[[str], str | None] = footnote,
    style: Callable[[str], object] = lambda line: None,
) -> None:
    """Group lines into headings, notes and paragraphs, reflowing hard-wrapped text.

    Whether a line break (or an empty line) is a soft wrap is decided from the document's own
    line statistics (``_layout``). A heading, a bullet or a footnote starts a new block;
    consecutive unnumbered heading lines of one level are one heading; a change of ``style``
    (a PDF line's font size) ends a paragraph.
    """
    lines = [_Line(t, x.page, x.blanks, x.text) for x in raw if (t := _clean_line(x.text))]
    layout = _layout(lines)
    para: list[str] = []
    page: int | None = None
    heading: list[str] = []
    heading_at: tuple[int, int | None] = (0, None)

    def flush() -> None:
        if heading:
            b.add("heading", " ".join(heading), level=heading_at[0], page=heading_at[1])
            heading.clear()
        if para:
            b.add("text", join_lines(para), page=page)
            para.clear()

    for i, line in enumerate(lines):
        text = line.text
        level = heading_level(text)
        after = lines[i + 1] if i + 1 < len(lines) else None
        if level and after and after.blanks == 0 and _mid_sentence(text, after.text):
            level = None  # "1 Med klimatneutrala livsmiljöer menas ..." + "noll eller ...": prose
        if level:
            same = heading and line.blanks == 0 and heading_at == (level, line.page)
            if not (same and numbered_heading_level(text) is None):
                flush()
                heading_at = (level, line.page)
            heading.append(text)
            continue
        as_note = note(text)
        if para and _dash_goes_on(para, line, layout):
            text = " ".join(normalise_chars(line.raw).split())  # "-- och hur", not a bullet
            para.append(text)
            continue
        if (
            heading
            or as_note
            or _BULLET.match(text)
            or not (para and _continues(para[-1], line, layout))
            or style(para[-1]) != style(text)
        ):
            flush()
        if not para:
            page = line.page
        para.append(as_note or text)
    flush()


def _text_lines(text: str, page: int | None = None) -> list[_Line]:
    """Non-empty lines of a text with the number of empty lines before each."""
    out: list[_Line] = []
    blanks = 0
    for raw in text.splitlines():
        if raw.strip():
            out.append(_Line(raw, page, blanks))
            blanks = 0
        else:
            blanks += 1
    return out


def load_text(path: Path) -> LoadedDocument:
    b = TextBuilder()
    _lines_to_blocks(b, _text_lines(read_text(path)), numbered_heading_level)
    return b.build()


def load_pdf(path: Path) -> LoadedDocument:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise LoadError("the PDF is encrypted (password protected)")
        styles = _FontStyles()
        pages = [styles.read(page) for page in reader.pages]
    except LoadError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise LoadError(f"not a readable PDF ({exc.__class__.__name__}: {exc})") from exc
    except Exception as exc:  # pypdf raises many kinds on corrupt input
        if "encrypt" in str(exc).lower() or "crypt" in exc.__class__.__name__.lower():
            raise LoadError("the PDF is encrypted and cannot be read") from exc
        raise LoadError(f"not a readable PDF ({exc.__class__.__name__}: {exc})") from exc

    meta_title = None
    if reader.metadata and reader.metadata.title:
        meta_title = clean_title(str(reader.metadata.title))
        if meta_title and looks_like_file_name(str(reader.metadata.title)):
            meta_title = None  # "Microsoft Word - 7.54 policy.docx": the document's own wins
        if is_generic_title(meta_title):
            meta_title = None  # "Författning": a template's word, not this document's name
    outline = _pdf_outline(reader)
    levels = styles.heading_levels()
    first_page = " ".join(_clean_line(x) for x in (pages[0] if pages else "").splitlines())
    stated_title = statute_book_title(" ".join(first_page.split()))  # before running lines go
    pages = _drop_running_lines(pages)
    lines: list[_Line] = []
    for number, page_text in enumerate(pages, start=1):
        page_lines = _text_lines(page_text, number)
        if page_lines and number > 1:
            page_lines[0].blanks = -1
        lines.extend(page_lines)
    first = _norm(_clean_line(lines[0].text)) if lines else ""
    is_title = bool(meta_title) and first == _norm(meta_title or "")

    def heading_level(line: str) -> int | None:
        key = _norm(line)
        if is_title and key == first:
            return 1
        if outline:
            return outline.get(key)
        if styles.is_small(line):
            return None
        return numbered_heading_level(line) or levels.get(key)

    def note(line: str) -> str | None:
        found = footnote(line)
        if found or not styles.is_small(line):
            return found
        m = re.match(r"^(\d{1,3})\s+(\S.*)$", line)
        return f"Fotnot {m.group(1)}: {m.group(2)}" if m else None

    b = TextBuilder()
    _lines_to_blocks(b, lines, heading_level, note, styles.size)
    title = stated_title or meta_title or _first_title(b.blocks)
    return b.build(title=title, pages=len(pages))


def _first_title(blocks: list[Block]) -> str | None:
    """The document's own title: its top-level heading on the first page, if it has one (a
    generic word is none; a section number is not part of it: "1. Avropsförfrågan")."""
    first = [x for x in blocks if x.kind == "heading" and x.page == 1]
    top = min(first, key=lambda x: x.level, default=None)
    if top is None or top.level > 1:
        return None
    title = _SECTION_PREFIX.sub("", top.text)
    return None if is_generic_title(title) else title


# Words that head a part or kind of document, never name one: "Författning" (a PDF's
# metadata title in a whole statute book), "Innehåll", "Bilaga", "Sida 1", "Inledning".
_GENERIC_TITLE = re.compile(
    r"^(?:författning(?:ar|en)?|författningssamling|föreskrift(?:er(?:na)?)?|allmänna råd|"
    r"innehåll(?:sförteckning)?|bilag(?:a|or)(?:\s+\d{1,2})?|sid(?:a|an)?\s*\d{1,4}"
    r"(?:\s*(?:av|/|\()\s*\d{1,4}\)?)?|page\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?|"
    r"inledning|syfte|bakgrund|sammanfattning|ansvar(?:sfördelning)?|definitioner|"
    r"omfattning|dokumentinformation|upphandlingsdokument|mall|rubrik|titel|"
    r"contents|table of contents|introduction|summary|untitled|namnlös|dokument\d*)$",
    re.IGNORECASE,
)
_SECTION_PREFIX = re.compile(r"^(?:§\s*)?\d{1,2}(?:\.\d{1,2})*\.?\s+(?=[A-ZÅÄÖ])")


# A statute book's (författningssamling's) own number: "MSBFS 2025:9", "MCFFS 2026:1" — not
# one its text cites in parentheses ("(MSBFS 2018:8)").
_FS_NUMBER = re.compile(r"(?<![(\w])([A-ZÅÄÖ]{2,10}FS)\s+(\d{4}:\d{1,4})\b(?!\s*\))")
# Its name ends at "; beslutade den …" and starts at the issuer's "… föreskrifter".
_FS_DECIDED = re.compile(r";\s*beslutade\s+den\b", re.IGNORECASE)
_FS_NAME = re.compile(r"[A-ZÅÄÖ][\w-]*(?:\s+[a-zåäö][\w-]*){0,6}\s+föreskrifter\b|Föreskrifter\b")
_SENTENCE_GAP = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ0-9])")
_MAX_TITLE = 200  # characters of a stated name kept in a title


def statute_book_title(first_page: str) -> str | None:
    """ "MSBFS 2025:9 Myndigheten för … föreskrifter om …": a regulation of an agency's statute
    book by its number and name, from its first page's text (spaces folded); else None."""
    end = _FS_DECIDED.search(first_page)
    if end is None:
        return None
    gaps = [m.end() for m in _SENTENCE_GAP.finditer(first_page, 0, end.start())]
    name = _FS_NAME.search(first_page, gaps[-1] if gaps else 0, end.start())
    if name is None or end.start() - name.start() > 2000:
        return None
    text = first_page[name.start() : end.start()].strip()
    if len(text) > _MAX_TITLE:
        text = text[: text.rfind(" ", 0, _MAX_TITLE)].rstrip(" ,;") + " …"
    number = _FS_NUMBER.search(first_page)
    return f"{number[1]} {number[2]} {text}" if number else text


def is_generic_title(title: str | None) -> bool:
    """A heading word that is no document's title ("Författning", "Innehåll", "Sida 1")."""
    text = " ".join((title or "").split()).strip(" .:–-")
    return not text or _GENERIC_TITLE.match(_SECTION_PREFIX.sub("", text)) is not None


class _FontStyles:
    """Font size and boldness of each PDF line (pypdf's text visitor), for unnumbered headings.

    The body size is the size most characters have; a short line in a clearly larger size is a
    heading (the larger, the higher), a short line set entirely in bold a heading below those,
    a line in a clearly smaller size is never a heading (a footnote, a caption).
    """

    def __init__(self) -> None:
        self.lines: dict[str, tuple[float, bool]] = {}
        self.sizes: Counter[float] = Counter()

    def read(self, page) -> str:
        """The page's text, recording the style of each of its lines."""
        pieces: list[tuple[str, float, bool]] = []

        def visit(text, cm, tm, font, size) -> None:
            if text:
                scale = math.hypot(tm[2], tm[3]) * math.hypot(cm[2], cm[3])
                name = str((font or {}).get("/BaseFont", "")).lower()
                pieces.append((text, round(size * scale, 1), "bold" in name or "black" in name))

        text = page.extract_text(visitor_text=visit) or ""
        self._record(pieces)
        return text

    def _record(self, pieces: list[tuple[str, float, bool]]) -> None:
        line: list[tuple[str, float, bool]] = []
        for text, size, bold in pieces:
            parts = text.split("\n")
            for i, part in enumerate(parts):
                if part.strip():
                    line.append((part, size, bold))
                if i < len(parts) - 1:
                    self._close(line)
                    line = []
        self._close(line)

    def _close(self, line: list[tuple[str, float, bool]]) -> None:
        if not line:
            return
        weight: Counter[float] = Counter()
        for part, size, _ in line:
            weight[size] += len(part.strip())
        self.sizes.update(weight)
        key = _norm(_clean_line("".join(p for p, _, _ in line)))
        if key and key not in self.lines:
            bold = all(b for p, _, b in line if p.strip())
            self.lines[key] = (weight.most_common(1)[0][0], bold)

    @property
    def body(self) -> float:
        return self.sizes.most_common(1)[0][0] if self.sizes else 0.0

    def size(self, line: str) -> float | None:
        style = self.lines.get(_norm(line))
        return style[0] if style else None

    def is_small(self, line: str) -> bool:
        style = self.lines.get(_norm(line))
        return bool(style and self.body and style[0] < 0.9 * self.body)

    def heading_levels(self) -> dict[str, int]:
        """Heading lines mapped to levels: larger sizes first (1, 2, ...), then bold lines."""
        body = self.body
        found = {k: v for k, v in self.lines.items() if _heading_like(k)}
        sizes = sorted({s for s, _ in found.values() if s >= 1.15 * body}, reverse=True)
        levels: dict[str, int] = {}
        for key, (size, bold) in found.items():
            if size in sizes:
                levels[key] = sizes.index(size) + 1
            elif bold and abs(size - body) < 0.5:
                levels[key] = len(sizes) + 1
        return levels


def _heading_like(key: str) -> bool:
    """A line that could be a heading by its looks: short, no sentence end, no URL or leader."""
    return (
        0 < len(key.split()) <= 12
        and key[-1] not in ".,;:"
        and not key.startswith("- ")
        and not URL.search(key)
        and not DOT_LEADER.search(key)
        and not footnote(key)
        and any(c.isalpha() for c in key)
    )


def _drop_running_lines(pages: list[str]) -> list[str]:
    """Remove running headers/footers: first/last lines that recur (numbers aside) on most pages."""
    if len(pages) < 3:
        return pages
    shape = lambda line: re.sub(r"\d+", "#", _norm(line))  # noqa: E731
    edges = Counter()
    for text in pages:
        lines = [x for x in text.splitlines() if x.strip()]
        edges.update({shape(x) for x in lines[:4] + lines[-3:]})
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
    except Exception as exc:  # python-docx raises zipfile/KeyError/ValueError variants
        raise LoadError(f"not a readable DOCX file ({exc.__class__.__name__})") from exc

    b = TextBuilder()
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

# Elements that start a paragraph of their own. A text node belongs to its nearest such
# ancestor; td/th count only outside a table row (inside one, the row is the paragraph).
_HTML_BLOCKS = frozenset({
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "pre", "tr", "dt", "dd", "caption", "div",
    "section", "article", "blockquote", "body", "main", "aside", "figure", "figcaption",
    "address", "details", "summary", "ul", "ol", "dl", "table", "thead", "tbody", "tfoot",
    "form", "fieldset", "legend", "center", "dialog", "hgroup", "menu", "search", "html",
    "td", "th",
})  # fmt: skip


# Inline style declarations that hide an element: "display: none", "visibility: hidden"
# (or collapse), "font-size: 0" (in any unit), "opacity: 0" — any case, spacing, !important.
_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|\Z)", re.DOTALL)
_CSS_DECLARATION = re.compile(r"\s*([a-z-]+)\s*:\s*(.*?)\s*(?:!\s*important\s*)?")
_CSS_ZERO = r"[+-]?(?:0+(?:\.0*)?|\.0+)"
_HIDING = {
    "display": re.compile(r"none"),
    "visibility": re.compile(r"hidden|collapse"),
    "font-size": re.compile(rf"{_CSS_ZERO}(?:[a-z]{{1,4}}|%)?"),
    "opacity": re.compile(rf"{_CSS_ZERO}%?"),
}


def hides(style: str) -> bool:
    """Whether an inline ``style`` attribute hides its element: any one of its declarations
    does (one that a later declaration overrides too: text a browser might hide is dropped)."""
    for declaration in _CSS_COMMENT.sub("", style).lower().split(";"):
        m = _CSS_DECLARATION.fullmatch(declaration)
        if m and m.group(1) in _HIDING and _HIDING[m.group(1)].fullmatch(m.group(2)):
            return True
    return False


def _hidden_element(tag) -> bool:
    """An element a browser does not show: ``hidden``, ``aria-hidden="true"``, an inline
    style that hides it (``hides``) or ``<input type="hidden">``."""
    return (
        tag.has_attr("hidden")
        or str(tag.get("aria-hidden", "")).strip().lower() == "true"
        or hides(str(tag.get("style", "")))
        or (tag.name == "input" and str(tag.get("type", "")).strip().lower() == "hidden")
    )


def load_html(path: Path) -> LoadedDocument:
    """Every visible text of a page, in document order, one paragraph per block element.

    Dropped: script, style, noscript, template, nav, header, footer, comments and hidden
    elements (``_hidden_element``: ``hidden``, ``aria-hidden="true"``, an inline style with
    display:none, visibility:hidden, font-size:0 or opacity:0, ``<input type="hidden">``).
    The ``<title>`` is the document's title (its markup removed by ``extract_metadata``).
    Text directly in a div, section, body, ...
    is kept as its own paragraph (text before and after a nested <p> gives three). A <br> is
    a space, except before a bullet-like line or as a double <br>: a new paragraph.
    """
    from bs4 import BeautifulSoup, NavigableString, PageElement, Tag
    from bs4.element import PreformattedString  # comments, doctype, CDATA, declarations

    source = re.sub(r"</br\s*>", "<br>", read_text(path), flags=re.IGNORECASE)
    soup = BeautifulSoup(source, "html.parser")
    for tag in soup(["script", "style", "nav", "header", "footer", "noscript", "template"]):
        tag.decompose()
    title = " ".join(soup.title.get_text().split()) if soup.title else None
    root = soup.body or soup
    for tag in root.find_all(True):
        if not tag.decomposed and _hidden_element(tag):
            tag.decompose()

    def in_row(cell: Tag) -> bool:
        for parent in cell.parents:
            if parent.name in ("tr", "table"):
                return parent.name == "tr"
        return False

    def block_of(node: PageElement) -> Tag | None:
        """The nearest block ancestor; None for text that is not shown (a <title>)."""
        for parent in node.parents:
            if parent.name == "title":
                return None
            if parent is root:
                return root
            if parent.name in _HTML_BLOCKS and not (parent.name in ("td", "th") and in_row(parent)):
                return parent
        return root

    def cell_of(node: PageElement, row: Tag) -> Tag | None:
        for parent in node.parents:
            if parent is row:
                return None
            if parent.name in ("td", "th"):
                return parent
        return None

    b = TextBuilder()
    listed: set[int] = set()  # <li> elements whose "- " has been written

    def flush(block: Tag | None, pieces: list[tuple[Tag | None, str]]) -> None:
        if block is None or not pieces:
            return
        cells: list[tuple[Tag | None, list[str]]] = []
        for cell, piece in pieces:
            if not cells or cells[-1][0] is not cell:
                cells.append((cell, []))
            cells[-1][1].append(piece)
        if block.name == "pre":
            texts = ["".join(parts).strip() for _, parts in cells]
        else:
            texts = [" ".join("".join(parts).split()) for _, parts in cells]
        text = " | ".join(t for t in texts if t)
        if not text:
            return
        name = block.name or ""
        if len(name) == 2 and name[0] == "h" and name[1] in "123456":
            b.add("heading", text, level=int(name[1]))
        elif name == "li" and id(block) not in listed:
            listed.add(id(block))
            b.add("text", f"- {text}")
        else:
            b.add("text", text)

    item = re.compile(rf"[{BULLET_GLYPHS}\ue000-\uf8ff]|[-–—*]\s|(?:\d{{1,3}}[.)]|[a-zåäö]\))\s")
    spacers = {"img", "input", "button", "select", "option", "label", "textarea", "hr",
               "iframe", "object", "embed", "video", "audio", "svg", "canvas", "math"}  # fmt: skip
    current: Tag | None = None
    pieces: list[tuple[Tag | None, str]] = []
    breaks, space = 0, False
    for node in root.descendants:
        if isinstance(node, Tag):
            if node.name == "br":
                breaks += 1
            elif node.name in spacers:
                space = True
            continue
        if not isinstance(node, NavigableString) or isinstance(node, PreformattedString):
            continue
        text = str(node)
        block = block_of(node)
        if block is None or text.lstrip().startswith("<!--"):  # an unterminated comment
            continue
        cell = cell_of(node, block) if block.name == "tr" else None
        if not text.strip():  # layout whitespace: a space inside the current paragraph only
            if block is current:
                pieces.append((cell, text))
            continue
        if block is not current:
            flush(current, pieces)
            current, pieces = block, []
        elif breaks and (breaks >= 2 or item.match(text.lstrip())) and block.name != "pre":
            flush(current, pieces)
            pieces = []
        elif breaks:
            pieces.append((cell, "\n" * breaks if block.name == "pre" else " "))
        elif space:
            pieces.append((cell, " "))
        breaks, space = 0, False
        pieces.append((cell, text))
    flush(current, pieces)
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


def read_text(path: Path, *, refuse_binary: bool = True) -> str:
    """The text of a .md/.txt/.html file (UTF-8, else cp1252); binary junk is refused.

    Refused, unless ``refuse_binary`` is off (the law reader: a file that is no law text goes
    on to its format loader, which refuses it): a NUL byte anywhere, or more than 1 % control
    characters (other than tab, line feed, carriage return, form feed, vertical tab) and
    undecodable characters (U+FFFD).
    """
    data = path.read_bytes()
    if refuse_binary and b"\x00" in data:
        raise LoadError("looks like a binary file, not text (it contains NUL bytes)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if not refuse_binary:
        return text
    bad = sum(1 for _ in re.finditer("[\x01-\x08\x0e-\x1f\x7f-\x9f\ufffd]", text))
    if text and bad / len(text) > 0.01:
        raise LoadError(
            "looks like a binary file, not text "
            f"({100 * bad / len(text):.1f} % control or undecodable characters)"
        )
    return text


@dataclass(frozen=True)
class Limits:
    """Bounds on the work one file may cause (from settings; ``None`` = unbounded)."""

    max_bytes: int | None = None
    max_unpacked_bytes: int | None = None  # DOCX: all parts unpacked
    max_ratio: float | None = None  # DOCX: unpacked / packed size
    max_chars: int | None = None  # text of the loaded document


def check_archive(path: Path, limits: Limits) -> None:
    """Refuse a ZIP container (DOCX) that would unpack beyond the limits, before unpacking.

    The sizes are read from the archive's directory; a lying directory is caught by
    ``zipfile`` itself, which stops reading a member at its declared size.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise LoadError(f"not a readable DOCX file ({exc.__class__.__name__})") from exc
    unpacked = sum(m.file_size for m in members)
    packed = max(sum(m.compress_size for m in members), 1)
    if limits.max_unpacked_bytes is not None and unpacked > limits.max_unpacked_bytes:
        raise LoadError(
            f"the file unpacks to {unpacked / 1e6:.1f} MB "
            f"(the limit is {limits.max_unpacked_bytes / 1e6:.1f} MB)"
        )
    if limits.max_ratio is not None and unpacked / packed > limits.max_ratio:
        raise LoadError(
            f"the file unpacks to {unpacked / packed:.0f} times its size "
            f"(the limit is {limits.max_ratio:g}); it looks like a compression bomb"
        )


Reader = Callable[[Path], LoadedDocument | None]
"""A reader of one kind of text within a format: its document, or None (not of its kind)."""


def load_file(
    path: Path, limits: Limits | None = None, readers: Sequence[Reader] = ()
) -> LoadedDocument:
    """Load a supported file within ``limits``; raise ``LoadError`` with a clear reason.

    ``readers`` are tried in order after the size checks; the first document one returns is
    used, else the format loader of the file's suffix.
    """
    limits = limits or Limits()
    max_bytes = limits.max_bytes
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
    for reader in readers:
        doc = reader(path)
        if doc is not None:
            return _within(doc, limits)
    if suffix == ".docx":
        check_archive(path, limits)
    return _within(_LOADERS[suffix](path), limits)


def _within(doc: LoadedDocument, limits: Limits) -> LoadedDocument:
    chars = sum(len(b.text) for b in doc.blocks)
    if limits.max_chars is not None and chars > limits.max_chars:
        raise LoadError(
            f"the document has {chars:,} characters of text (the limit is {limits.max_chars:,})"
        )
    return doc
