"""A law recognised from its content, whoever published it (any HTML, PDF, DOCX or text).

The format loader reads the file as any other; ``law_in`` then reads the loaded lines as a
law when both hold:

- the act is named by a title line (the document's title, its first heading or a line
  before it): "Europaparlamentets och rådets förordning (EU) 2016/679", "Dataskyddsförordningen",
  "Lag (2018:218) med kompletterande bestämmelser …" (``detect.title_act``); for the GDPR,
  the identifier anywhere in the source is enough when its structure is unmistakable (ten
  or more article headings in sequence, e.g. a table of contents linking to EUR-Lex);
- its structure is a law's: "Artikel N" headings in ascending order that make up the
  document's headings (an EU act), or "N §" paragrafer in order, chapter by chapter (a
  Swedish statute).

A policy that cites "artikel 6" or "3 kap. 5 §" is no law: its lines that cite do not start
with the unit, nor is its title the act's. Units get the ids the publishers' own readers
give them (``eurlex``, ``statutes``): ``gdpr:art17``, ``gdpr:art33:1``,
``sfs2018:218:3kap5§``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ingest.laws.detect import gdpr_mentions, names_other_eu_act, sfs_number, title_act
from ingest.laws.eurlex import TITLES, WORDS
from ingest.laws.statutes import parse_statute
from ingest.laws.units import LawDocument, LawUnit, build_document
from ingest.loaders import LoadedDocument, LoadError

_SEP = r"(?:\s*[-–—:.]\s*|\s+)"
_CHAPTER = re.compile(rf"^(?:kapitel|chapter)\s+([IVXLC]+|\d{{1,2}})\b{_SEP}?(.*)$", re.I)
_SECTION = re.compile(rf"^(?:avsnitt|section)\s+(\d{{1,2}})\b{_SEP}?(.*)$", re.I)
_ARTICLE = re.compile(rf"^(artikel|article)\s+(\d{{1,3}})(?![.,]?\d)\b{_SEP}?(.*)$", re.I)
# A table of contents entry: "Rätt till radering - (Artikel 17)".
_TOC_ARTICLE = re.compile(r"^(\S.{0,250}?)\s*[-–—]\s*\((artikel|article)\s+(\d{1,3})\)$", re.I)
_PARAGRAPH = re.compile(r"^(?:(\d{1,3})\.|\((\d{1,3})\))\s+\S")
_POINT = re.compile(r"^\(?([a-z])\)\s+\S")
_RECITAL = re.compile(r"^\((\d{1,3})\)\s+\S")
_LABEL = re.compile(r"^(?:\(?[0-9a-z]{1,3}\)|\d{1,3}\.)$")
# A label in a cell of its own, as tables of points come out of a page: "(a) | text".
_LABEL_CELL = re.compile(r"^(\(?[0-9a-z]{1,3}\)|\d{1,3}\.)\s*\|\s*")
# The signatures that end an EU act ("Done at Brussels, 27 April 2016."): notes follow.
_SIGNED = re.compile(r"^(?:done at|utfärdad i)\s+[A-ZÅÄÖ]\w+", re.IGNORECASE)
_SFS_CHAPTER = re.compile(r"^(\d{1,2})\s*kap\.(?:\s+.{0,150})?$")
_SFS_PARAGRAF = re.compile(r"^(\d{1,3})\s*(?:[a-z]\s*)?§(?:\s+.*)?$")
# A paragraf or chapter (and a group heading before it) that a PDF's reflow ran on into the
# paragraph before: "… gäller. Arkiv 2 § Denna …" (not "… enligt 2 kap. 3 § Beslut …").
_RUN_ON = re.compile(
    r"(?<=[.:])(?<!kap\.)\s+(?=(?:[A-ZÅÄÖ][^.:;§]{0,100}?\s)?\d{1,3}(?:\s[a-z])?\s§\s+[A-ZÅÄÖ]"
    r"|\d{1,2}\s*kap\.\s+[A-ZÅÄÖ])"
)
_HEADED = re.compile(r"^([A-ZÅÄÖ][^.:;§]{0,100}?)\s+(\d{1,3}(?:\s[a-z])?\s§\s+[A-ZÅÄÖ].*)$")
_TITLE_SPLIT = re.compile(r"\s+[|–—-]\s+")
_HEAD_BLOCKS = 10  # title lines are looked for among the first blocks
_MIN_ARTICLES = 2  # with the act's title
_MIN_ARTICLES_UNTITLED = 10  # with the act's identifier only
_MAX_OTHER_HEADINGS = 0.3  # other headings per structural line, between the first and last article


@dataclass
class _Line:
    text: str  # as loaded, a list item's dash removed
    heading: bool
    page: int | None
    block: int


@dataclass
class _Item:
    kind: str  # "chapter", "section", "article"
    number: str
    title: str  # "" when none
    word: str = ""  # an article's: "artikel" (Swedish) or "article"
    toc: bool = False  # a table of contents entry: its line is its only text
    title_at: int | None = None  # the line its title was taken from (the next one)


def law_in(
    doc: LoadedDocument, path: Path | None = None, act: str | None = None
) -> LawDocument | None:
    """``doc`` (loaded by its format loader) as a law, if it is one; else None.

    ``act`` ("gdpr", "sfs2018:218"): the act the caller knows this is (``load_law``); its
    structure must still be a law's.
    """
    lines = _lines(doc)
    named = _named_act(doc, lines)
    if named is None:  # another EU act's title: not one we know
        return None
    named.strong = named.strong or act is not None
    try:
        if (act or named.act or "").startswith("sfs"):
            return _statute(doc, lines, act or named.act or "", named.line)
        return _eu_act(doc, path, lines, act or named.act, named)
    except LoadError:  # no text in its units
        return None


def _lines(doc: LoadedDocument) -> list[_Line]:
    """The document's lines; a point's or recital's label on a line of its own ("(a)", a
    table cell) is joined to the text after it."""
    out: list[_Line] = []
    for i, block in enumerate(doc.blocks):
        for raw in block.text.splitlines():
            text = " ".join(raw.split())
            if block.kind == "text":
                text = _LABEL_CELL.sub(r"\1 ", text[2:] if text.startswith("- ") else text)
            if not text:
                continue
            last = out[-1] if out else None
            if last and not last.heading and block.kind == "text" and _LABEL.match(last.text):
                last.text = f"{last.text} {text}"
            else:
                out.append(_Line(text, block.kind == "heading", block.page, i))
    return out


@dataclass
class _Named:
    act: str | None  # "gdpr", "sfs2018:218"; None: no title names one
    line: int | None = None  # the title line (None: the document's own title)
    strong: bool = False  # the whole title is the act's ("GDPR - Some site": not strong)


def _named_act(doc: LoadedDocument, lines: list[_Line]) -> _Named | None:
    """The act the document's title lines name; None when they name another EU act."""
    first_heading = next((i for i, x in enumerate(lines) if x.heading), None)
    top = next(
        (i for i, x in enumerate(lines) if x.heading and doc.blocks[x.block].level <= 1), None
    )
    candidates = [i for i in (first_heading, top) if i is not None]
    candidates += [
        i for i, x in enumerate(lines)
        if x.block < _HEAD_BLOCKS and (first_heading is None or i < first_heading)
        and not doc.blocks[x.block].text.startswith("- ")
    ]  # fmt: skip
    for i in sorted(set(candidates)):
        if act := title_act(lines[i].text):
            return _Named(act, i, True)
        if names_other_eu_act(lines[i].text):
            return None
    title = " ".join((doc.title or "").split())
    if act := title_act(title):
        return _Named(act, None, True)
    first, *rest = _TITLE_SPLIT.split(title, maxsplit=1)
    return _Named(title_act(first) if rest else None)


# --- an EU act ----------------------------------------------------------------------------


def _title_like(text: str) -> bool:
    """A heading's title: short, capitalised, not a sentence."""
    return not text or (
        (text[0].isupper() or text[0] in "(”\"'")
        and len(text) <= 250
        and not text.endswith((",", ";"))
        and not (text.endswith(".") and len(text) > 120)
    )


def _items(lines: list[_Line], start: int) -> dict[int, _Item]:
    """Chapter, section and article headings from ``start`` by line index (an article's
    number above the last one's; a bare heading's title line is recorded as used)."""
    found: dict[int, _Item] = {}
    used: set[int] = set()
    last = 0
    chapter = False
    for i in range(start, len(lines)):
        if i in used:
            continue
        text = lines[i].text
        item: _Item | None = None
        if (m := _CHAPTER.match(text)) and _title_like(m.group(2)):
            item, chapter = _Item("chapter", m.group(1).upper(), m.group(2)), True
        elif chapter and (m := _SECTION.match(text)) and _title_like(m.group(2)):
            item = _Item("section", m.group(1), m.group(2))
        elif (m := _ARTICLE.match(text)) and _title_like(m.group(3)) and int(m.group(2)) > last:
            item = _Item("article", m.group(2), m.group(3), m.group(1).lower())
        elif (m := _TOC_ARTICLE.match(text)) and int(m.group(3)) > last:
            item = _Item("article", m.group(3), m.group(1), m.group(2).lower(), toc=True)
        if item is None:
            continue
        found[i] = item
        last = int(item.number) if item.kind == "article" else last
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if not item.title and nxt is not None and _is_title_line(nxt):
            item.title, item.title_at = nxt.text, i + 1
            used.add(i + 1)
    return found


def _is_title_line(line: _Line) -> bool:
    """The line after a bare "Artikel 17" / "KAPITEL III" that is its title."""
    text = line.text
    structural = _CHAPTER.match(text) or _SECTION.match(text) or _ARTICLE.match(text)
    return (
        not structural
        and not _PARAGRAPH.match(text)
        and not _POINT.match(text)
        and text[-1] not in ".,;:"
        and _title_like(text)
    )


def _in_sequence(numbers: list[int], least: int, consecutive: float) -> bool:
    steps = [b - a for a, b in zip(numbers, numbers[1:], strict=False)]
    return len(numbers) >= least and sum(s == 1 for s in steps) >= consecutive * len(steps)


def _eu_act(
    doc: LoadedDocument, path: Path | None, lines: list[_Line], act: str | None, named: _Named
) -> LawDocument | None:
    """An EU act: the GDPR, named by a title line, or by its identifier where its structure
    is unmistakable (ten or more article headings, nearly all in sequence)."""
    start = named.line
    begin = 0 if start is None else start + 1
    items = _items(lines, begin)
    articles = [i for i, x in items.items() if x.kind == "article"]
    numbers = [int(items[i].number) for i in articles]
    if not (act and named.strong):
        if not _in_sequence(numbers, _MIN_ARTICLES_UNTITLED, 0.8):
            return None
        if act is None and gdpr_mentions(_source(path) or doc.text) >= len(numbers) // 2:
            act = "gdpr"
    if act is None or not _in_sequence(numbers, _MIN_ARTICLES, 0.5) or not _dominant(lines, items):
        return None
    if start is None:
        begin = min(items)
    lang = "sv" if items[articles[0]].word == "artikel" else "en"
    title = TITLES.get(act, {}).get(lang) or (lines[start].text if start is not None else act)
    units = _eu_units(lines, items, begin, act, WORDS[lang], title, lines[begin].page)
    if len(numbers) < _MIN_ARTICLES_UNTITLED and not _numbered(units):
        return None  # a few "Artikel N" headings over prose: an explanation, not the act
    return build_document(units, act, "förordning", doc.pages)


def _numbered(units: list[LawUnit]) -> bool:
    """At least half the articles have numbered paragraphs ("1. …"), as an act's do."""
    kinds = [u.kind for u in units if u.kind in ("article", "paragraph")]
    articles = kinds.count("article")
    with_paragraphs = sum(
        1 for a, b in zip(kinds, kinds[1:], strict=False) if (a, b) == ("article", "paragraph")
    )
    return 2 * with_paragraphs >= articles


def _dominant(lines: list[_Line], items: dict[int, _Item]) -> bool:
    """Between the first and last article, headings are the act's own (few others)."""
    articles = [i for i, x in items.items() if x.kind == "article"]
    first, last = articles[0], articles[-1]
    structural = [i for i in items if first <= i <= last]
    titles = {items[i].title_at for i in structural}
    other = [
        i for i in range(first, last + 1)
        if lines[i].heading and i not in items and i not in titles
    ]  # fmt: skip
    return len(other) <= _MAX_OTHER_HEADINGS * len(structural)


def _eu_units(
    lines: list[_Line],
    items: dict[int, _Item],
    begin: int,
    act: str,
    w: dict[str, str],
    title: str,
    page: int | None,
) -> list[LawUnit]:
    units = [LawUnit("title", title, 1, page=page)]
    preamble = LawUnit("preamble", w["preamble"], 2, page=page)
    recitals: LawUnit | None = None
    article: LawUnit | None = None
    para: LawUnit | None = None
    last_para, style = 0, ""  # an article's paragraphs are numbered "1." or "(1)"
    body = False  # past the preamble: at the first chapter or article
    skip = {x.title_at for x in items.values()}
    for i in range(begin, len(lines)):
        line = lines[i]
        if i in skip:
            continue
        if (item := items.get(i)) is not None:
            unit = _structure_unit(item, act, w, line)
            units.append(unit)
            article = unit if item.kind == "article" else None
            para, last_para, style, body = None, 0, "", True
            continue
        text = line.text
        if body and _SIGNED.match(text):
            break
        if article is None:
            if not body and (m := _RECITAL.match(text)):
                if recitals is None:
                    recitals = LawUnit("recitals", w["recitals"], 2, page=line.page)
                    units.append(recitals)
                n = int(m.group(1))
                units.append(
                    LawUnit("recital", f"{w['recital']} {n}", 3, [f"{act}:recital{n}"], [text],
                            page=line.page)
                )  # fmt: skip
            elif not body and recitals is None:
                preamble.texts.append(text)
            else:  # a chapter's or recital's own lines
                units[-1].texts.append(text)
            continue
        m = _PARAGRAPH.match(text)
        n = int(m.group(1) or m.group(2)) if m else 0
        if m and n == last_para + 1 and style in ("", "." if m.group(1) else "()"):
            style = "." if m.group(1) else "()"
            ref = article.refs[0]
            para = LawUnit(
                "paragraph", w["paragraph"].format(n=n), 5, [ref, f"{ref}:{n}"], [text],
                page=line.page,
            )  # fmt: skip
            units.append(para)
            last_para = n
            continue
        target = para or article
        target.texts.append(text)
        if para is not None and (mp := _POINT.match(text)):
            para.refs.append(f"{para.refs[1]}:{mp.group(1)}")
    if preamble.texts:
        units.insert(1, preamble)
    return units


def _structure_unit(item: _Item, act: str, w: dict[str, str], line: _Line) -> LawUnit:
    suffix = f" – {item.title}" if item.title else ""
    if item.kind == "chapter":
        return LawUnit("chapter", f"{w['chapter']} {item.number}{suffix}", 2, page=line.page)
    if item.kind == "section":
        return LawUnit("section", f"{w['section']} {item.number}{suffix}", 3, page=line.page)
    ref = f"{act}:art{int(item.number)}"
    texts = [line.text] if item.toc else []
    return LawUnit("article", f"{w['article']} {item.number}{suffix}", 4, [ref], texts,
                   page=line.page)  # fmt: skip


def _source(path: Path | None) -> str:
    """The raw text of an HTML or text file (its links name the act), else ""."""
    if path is None or path.suffix.lower() not in (".html", ".htm", ".txt"):
        return ""
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


# --- a Swedish statute ----------------------------------------------------------------------


def _statute(
    doc: LoadedDocument, lines: list[_Line], act: str, start: int | None
) -> LawDocument | None:
    number = sfs_number(act)
    if number is None:
        return None
    texts: list[str] = []
    begin = 0
    for i, line in enumerate(lines):
        if i == start:
            begin = len(texts)
        texts.extend(_split_run_on(line.text))
    first = next((i for i in range(begin, len(texts)) if _SFS_PARAGRAF.match(texts[i])), None)
    if first is None or not _paragrafs_in_order(texts[first:]):
        return None
    if start is not None:
        title = None if texts[begin].upper().startswith("SFS") else texts[begin]
    else:  # named by the document's title: from the first paragraf (and its heading)
        begin = first - 1 if first > 0 and len(texts[first - 1]) <= 120 else first
        title = _TITLE_SPLIT.split(" ".join((doc.title or "").split()))[0]
    law = parse_statute("\n".join(texts[begin:]), number, title=title or None)
    law.pages = doc.pages
    return law


def _split_run_on(text: str) -> list[str]:
    """A line with the paragrafer a PDF's reflow ran into it split off, each on its own."""
    parts = _RUN_ON.split(text)
    out = parts[:1]
    for part in parts[1:]:
        m = _HEADED.match(part)
        out.extend(m.groups() if m else [part])
    return out


def _paragrafs_in_order(texts: list[str]) -> bool:
    """Three or more "N §" lines, mostly numbered one after another within each chapter."""
    numbers: list[int] = []
    good = 0
    for text in texts:
        if _SFS_CHAPTER.match(text):
            numbers.append(0)
            continue
        if m := _SFS_PARAGRAF.match(text):
            n = int(m.group(1))
            prev = numbers[-1] if numbers else 0
            good += prev == 0 or 0 <= n - prev <= 3
            numbers.append(n)
    count = sum(1 for n in numbers if n)
    return count >= 3 and good >= 0.7 * count
