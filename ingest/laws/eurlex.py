"""EUR-Lex HTML of a regulation → chapters, sections, articles, paragraphs, points, recitals.

Reads the Official Journal markup EUR-Lex serves for every language (CELEX …/TXT/HTML):
``ti-section-1`` ("CHAPTER IV" / "KAPITEL IV" / "Section 2" / "Avsnitt 2") with its title in
``ti-section-2``, ``ti-art`` ("Article 33" / "Artikel 33") with its title in ``sti-art``,
numbered paragraphs ("1.   In the case …") and points/definitions/recitals as two-column
tables ("(a)" | text, "(85)" | text). Newer pages prefix every class with ``oj-``; both work.
Footnote markers and footnotes are left out.

Every unit gets its own ids: an article ``gdpr:art33``, a paragraph ``gdpr:art33:1`` (plus
``gdpr:art33:3:a`` … for its points), a definition ``gdpr:art4:1``, a recital
``gdpr:recital85``. Paths read "Chapter IV – … > Article 33 – … > 1" (English) or
"Kapitel IV – … > Artikel 33 – … > punkt 1" (Swedish).
"""

from __future__ import annotations

import re

from ingest.laws.units import LawDocument, LawUnit, build_document
from ingest.loaders import LoadError

WORDS = {
    "en": {"chapter": "Chapter", "section": "Section", "article": "Article",
           "recital": "Recital", "recitals": "Recitals", "preamble": "Preamble",
           "paragraph": "{n}"},
    "sv": {"chapter": "Kapitel", "section": "Avsnitt", "article": "Artikel",
           "recital": "Skäl", "recitals": "Skäl", "preamble": "Ingress",
           "paragraph": "punkt {n}"},
}  # fmt: skip
TITLES = {
    "gdpr": {
        "en": "GDPR – Regulation (EU) 2016/679 (General Data Protection Regulation)",
        "sv": "Dataskyddsförordningen (GDPR) – förordning (EU) 2016/679",
    }
}
_CHAPTER = re.compile(r"^(?:chapter|kapitel)\s+([IVXLC]+|\d+)\b", re.IGNORECASE)
_SECTION = re.compile(r"^(?:section|avsnitt)\s+(\d+)\b", re.IGNORECASE)
_ARTICLE = re.compile(r"^(?:article|artikel)\s+(\d{1,3})\s*([a-z])?\b", re.IGNORECASE)
_PARAGRAPH = re.compile(r"^(\d{1,3})\.\s+\S")
_LABEL = re.compile(r"^\(?(\d{1,3}|[a-z]{1,5})\)$")
_SKIP = {"note", "signatory", "doc-ti", "hd-date", "hd-lg", "hd-ti", "hd-oj"}
_END_OF_RECITALS = re.compile(
    r"^(?:HAVE ADOPTED|HAS ADOPTED|HAR ANTAGIT|HÄRIGENOM FÖRESKRIVS)", re.IGNORECASE
)


def _classes(el) -> set[str]:
    return {c.removeprefix("oj-") for c in (el.get("class") or [])}


def _text(el) -> str:
    return " ".join(el.get_text(" ", strip=True).split())


def _clean(text: str) -> str:
    text = " ".join(text.split())
    return re.sub(r"\s+([,.;:)])", r"\1", text).replace("( ", "(")


def _cell_text(cell) -> str:
    """A table cell's paragraphs and nested point tables, as one line."""
    out: list[str] = []
    for el in cell.find_all(["p", "table"], recursive=True):
        if el.name == "table":
            if any(_classes(p) & _SKIP for p in el.find_all("p")):
                continue  # the Official Journal's page header
            label, body = _table_row(el)
            out.append(f"{label} {body}".strip())
        elif el.find_parent("table") is cell.find_parent("table"):
            out.append(_text(el))
    return _clean(" ".join(x for x in out if x))


def _table_row(table) -> tuple[str, str]:
    cells = [td for tr in table.find_all("tr") if tr.find_parent("table") is table
             for td in tr.find_all(["td", "th"], recursive=False)]  # fmt: skip
    if not cells:
        return "", ""
    if len(cells) == 1:
        return "", _cell_text(cells[0])
    return _text(cells[0]), " ".join(_cell_text(c) for c in cells[1:])


def parse_eurlex(html: str, act: str = "gdpr", lang: str | None = None) -> LawDocument:
    """The regulation in ``html`` as a ``LawDocument`` with per-unit reference ids."""
    return build_document(parse_units(html, act, lang), act, "förordning")


def parse_units(html: str, act: str = "gdpr", lang: str | None = None) -> list[LawUnit]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for a in soup.find_all("a", href=re.compile(r"^#ntr")):  # footnote markers
        a.decompose()
    root = soup.body or soup
    first_art = root.find("p", class_=re.compile(r"^(?:oj-)?ti-art$"))
    if first_art is None:
        raise LoadError("not a EUR-Lex act: no article headings (class ti-art) found")
    if lang is None:
        lang = "sv" if _text(first_art).lower().startswith("artikel") else "en"
    w = WORDS.get(lang, WORDS["en"])

    doc_ti = [_text(p) for p in root.find_all("p") if "doc-ti" in _classes(p)]
    title = TITLES.get(act, {}).get(lang) or (doc_ti[0] if doc_ti else act.upper())
    units: list[LawUnit] = [LawUnit("title", title, 1)]
    preamble = LawUnit("preamble", w["preamble"], 2)
    recitals = LawUnit("recitals", w["recitals"], 2)
    phase = "preamble"  # → "body" at the first chapter/article heading
    pending: LawUnit | None = None  # chapter/section/article waiting for its title
    article: LawUnit | None = None
    article_no = ""
    para: LawUnit | None = None
    para_from_table = False

    def container() -> LawUnit | None:
        return para or article

    for el in root.find_all(["p", "table"]):
        if el.find_parent("table") is not None:
            continue  # handled with its table
        if el.find_parent(class_=re.compile(r"(?:^|\s)(?:oj-)?final$")) is not None:
            break  # signatures
        cls = _classes(el)
        if cls & _SKIP:
            continue
        if el.name == "table":
            label, body = _table_row(el)
            m = _LABEL.match(label)
            if phase == "preamble":
                if m and m.group(1).isdigit():
                    n = int(m.group(1))
                    if not recitals.texts and recitals not in units:
                        if preamble.texts:
                            units.append(preamble)
                        units.append(recitals)
                    units.append(
                        LawUnit("recital", f"{w['recital']} {n}", 3,
                                [f"{act}:recital{n}"], [f"({n}) {body}"])
                    )  # fmt: skip
                elif body:
                    preamble.texts.append(_clean(f"{label} {body}"))
                continue
            if article is None:
                continue
            if m and m.group(1).isdigit() and (para is None or para_from_table):
                n = int(m.group(1))  # a numbered definition/point directly in the article
                heading = w["paragraph"].format(n=n)
                para = LawUnit("paragraph", heading, 5, [article.refs[0], f"{article.refs[0]}:{n}"])
                para_from_table = True
                para.texts.append(f"({n}) {body}")
                units.append(para)
                continue
            text = _clean(f"{label} {body}" if label else body)
            target = container()
            if target is not None and text:
                target.texts.append(text)
                if para is not None and m and len(m.group(1)) == 1 and m.group(1).isalpha():
                    para.refs.append(f"{para.refs[1]}:{m.group(1)}")
            continue
        text = _text(el)
        if not text:
            continue
        if cls & {"ti-section-1"}:
            phase = "body"
            if mc := _CHAPTER.match(text):
                pending = LawUnit("chapter", f"{w['chapter']} {mc.group(1).upper()}", 2)
            elif ms := _SECTION.match(text):
                pending = LawUnit("section", f"{w['section']} {ms.group(1)}", 3)
            else:
                pending = LawUnit("chapter", text, 2)
            units.append(pending)
            article = para = None
            continue
        if cls & {"ti-section-2"}:
            if pending is not None and pending.kind in ("chapter", "section"):
                pending.heading = f"{pending.heading} – {text}"
            continue
        if cls & {"ti-art"}:
            phase = "body"
            ma = _ARTICLE.match(text)
            if ma is None:
                continue
            article_no = ma.group(1) + (ma.group(2) or "").lower()
            article = LawUnit(
                "article", f"{w['article']} {article_no}", 4, [f"{act}:art{int(ma.group(1))}"]
            )
            units.append(article)
            pending, para, para_from_table = article, None, False
            continue
        if cls & {"sti-art"}:
            if article is not None and pending is article:
                article.heading = f"{article.heading} – {text}"
            continue
        if phase == "preamble":
            if _END_OF_RECITALS.match(text):
                continue
            preamble.texts.append(_clean(text))
            continue
        if article is None:
            continue
        text = _clean(text)
        mp = _PARAGRAPH.match(text)
        if mp:
            n = int(mp.group(1))
            para = LawUnit(
                "paragraph", w["paragraph"].format(n=n), 5,
                [article.refs[0], f"{article.refs[0]}:{n}"], [text],
            )  # fmt: skip
            para_from_table = False
            units.append(para)
        else:
            target = container()
            if target is not None:
                target.texts.append(text)
    if preamble.texts and preamble not in units:
        units.insert(1, preamble)
    return units


def count_units(units: list[LawUnit]) -> dict[str, int]:
    out: dict[str, int] = {}
    for u in units:
        out[u.kind] = out.get(u.kind, 0) + 1
    return out
