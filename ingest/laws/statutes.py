"""Swedish statutes (SFS) as published by Riksdagen: chapters, paragrafer, stycken, punkter.

Input is Riksdagen's plain text (``…/dokument/sfs-2018-218.text``) or HTML. Structure:

- "3 kap. Känsliga personuppgifter" starts a chapter (a statute may have none);
- a short line without a full stop just before a paragraf is a group heading ("Arkiv");
- "5 §", "5 a §" starts a paragraf; its lines are stycken, lines "1. …" its punkter;
- "Övergångsbestämmelser" starts the transitional provisions, each under its SFS number;
- amendment notes ("Lag (2021:1174).") and in-force markers ("/Träder i kraft I:…/") are
  kept out of the running text and recorded on the unit (``LawUnit.notes``);
- the header lines Riksdagen puts first ("SFS nr: 2018:218", "Utfärdad: …") are skipped.

Each paragraf gets its canonical id ``sfs2018:218:3kap5§`` (``sfs2017:900:28§`` without
chapters).
"""

from __future__ import annotations

import re

from core.references import sfs_id
from ingest.laws.units import LawDocument, LawUnit, build_document
from ingest.loaders import LoadError

_CHAPTER = re.compile(r"^(\d{1,2})\s*kap\.(?:\s+(.{0,150}))?$")
_PARAGRAF = re.compile(r"^(\d{1,3})\s*([a-z])?\s*§(?:\s+(.*))?$")
_TRANSITIONAL = re.compile(r"^Övergångsbestämmelser\s*$", re.IGNORECASE)
_AMENDMENT_NO = re.compile(r"^(?:SFS\s*)?(\d{4}:\d{1,4})\s*$")
_NOTE = re.compile(
    r"\s*((?:Lag|Förordning|Kungörelse|Balk)\s*\(\d{4}:\d{1,4}\)\.)\s*$", re.IGNORECASE
)
_MARKER = re.compile(r"^/[^/]{3,80}/$")  # "/Träder i kraft I:2025-07-01/", "/Upphör att gälla/"
_HEADER = re.compile(
    r"^(?:SFS\s*nr|Departement(?:/myndighet)?|Utfärdad|Ändrad|Ikraft|Upphävd|Omtryck|"
    r"Källa|Senast hämtad|Ändringsregister|Författningen har upphävts genom|Övrigt)\s*:",
    re.IGNORECASE,
)
_ITEM = re.compile(r"^\d{1,2}\.\s+\S")


def html_to_lines(html: str) -> list[str]:
    """Riksdagen's statute HTML as text lines (one per block element or line break)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "nav", "header", "footer", "noscript"]):
        tag.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    root = soup.find(id="content") or soup.body or soup
    lines: list[str] = []
    blocks = root.find_all(["h1", "h2", "h3", "h4", "h5", "p", "pre", "li", "div"])
    for el in blocks:
        if el.find(["h1", "h2", "h3", "h4", "h5", "p", "pre", "li", "div"]) is not None:
            continue  # only innermost blocks
        for line in el.get_text(" ").split("\n"):
            lines.append(" ".join(line.split()))
        lines.append("")
    return lines


def parse_statute(text: str, sfs: str, html: bool = False, title: str | None = None) -> LawDocument:
    """A statute (plain text or HTML) as a ``LawDocument`` with per-paragraf ids."""
    return build_document(parse_units(text, sfs, html, title), f"sfs{sfs}", "lag")


def parse_units(text: str, sfs: str, html: bool = False, title: str | None = None) -> list[LawUnit]:
    raw = html_to_lines(text) if html else text.splitlines()
    lines = [" ".join(x.replace("\u00a0", " ").split()) for x in raw]
    units: list[LawUnit] = []
    chapter: str | None = None
    current: LawUnit | None = None  # where running text goes
    transitional = False
    started = False
    head: list[str] = []

    def next_line(i: int) -> str:
        return next((x for x in lines[i + 1 :] if x), "")

    for i, line in enumerate(lines):
        if not line:
            continue
        if _HEADER.match(line) or _MARKER.match(line):
            if _MARKER.match(line) and current is not None:
                current.notes.append(line)
            continue
        if _TRANSITIONAL.match(line):
            transitional, started = True, True
            current = LawUnit("transitional", "Övergångsbestämmelser", 2)
            units.append(current)
            continue
        if transitional:
            if m := _AMENDMENT_NO.match(line):
                current = LawUnit("amendment", m.group(1), 3)
                units.append(current)
            elif current is not None:
                current.texts.append(line)
            continue
        if m := _CHAPTER.match(line):
            started = True
            chapter = m.group(1)
            heading = f"{chapter} kap." + (f" {m.group(2)}" if m.group(2) else "")
            current = LawUnit("chapter", heading, 2)
            units.append(current)
            continue
        if m := _PARAGRAF.match(line):
            started = True
            number, letter, rest = m.groups()
            label = f"{int(number)}{' ' + letter if letter else ''} §"
            current = LawUnit("paragraf", label, 4, [sfs_id(sfs, chapter, number, letter)])
            units.append(current)
            if rest:
                _add_text(current, rest)
            continue
        if not started:
            head.append(line)
            continue
        is_heading = (
            len(line) <= 120
            and line[-1] not in ".,;:"
            and not _ITEM.match(line)
            and _PARAGRAF.match(next_line(i)) is not None
        )
        if is_heading:
            current = LawUnit("group", line, 3)
            units.append(current)
        elif current is not None:
            _add_text(current, line)
    if not any(u.kind == "paragraf" for u in units):
        raise LoadError('no paragrafer ("1 §") found: not a Swedish statute text')
    title = title or next((x for x in head if re.search(r"\(\d{4}:\d{1,4}\)", x)), None)
    title = title or (head[0] if head else f"SFS {sfs}")
    intro = [x for x in head if x != title]
    first = LawUnit("title", title, 1, texts=intro)
    return [first, *units]


def _add_text(unit: LawUnit, line: str) -> None:
    """A stycke or punkt; an amendment note at its end goes to ``unit.notes``."""
    m = _NOTE.search(line)
    if m:
        unit.notes.append(m.group(1))
        line = line[: m.start()].rstrip()
    if line:
        unit.texts.append(line)
