"""Document metadata stated in the document itself: title, type, version and lifecycle.

Swedish governing documents open with lines such as "Dokumenttyp: Policy", "Version: 2.0",
"Fastställd: 2024-03-12", "Diarienummer: HLF 2024/017", "Gäller för: Aneby, Eksjö ...".
Those lines are read from the first blocks whatever the file format was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from core.text.headings import DOT_LEADER, URL
from core.text.normalise import clean_title, looks_like_file_name
from ingest.loaders import Block, LoadedDocument, is_generic_title, statute_book_title

MUNICIPALITIES = ["Aneby", "Eksjö", "Nässjö", "Sävsjö", "Vetlanda", "Höglandsförbundet"]

_DATE = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")
_MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "mars": 3, "mar": 3, "april": 4, "apr": 4,
    "maj": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "augusti": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "oktober": 10, "okt": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip
_TEXT_DATE = re.compile(
    rf"\b(\d{{1,2}})\s+({'|'.join(sorted(_MONTHS, key=len, reverse=True))})\.?\s+(\d{{4}})\b",
    re.IGNORECASE,
)
# Front-matter keys, longest first so "gäller till och med" wins over "gäller till".
_KEYS = {
    "doc_type": ("dokumenttyp", "typ av dokument", "document type", "dokumentkategori"),
    "version": ("version", "versionsnummer"),
    "adopted_by": ("beslutad av", "fastställd av", "antagen av", "beslutsinstans", "beslutande"),
    "adopted": ("fastställd", "fastställt", "beslutad", "beslutat", "antagen", "antaget",
                "beslutsdatum", "adopted", "datum för beslut"),
    "valid_from": ("gäller från och med", "gäller fr.o.m.", "gäller från", "giltig från",
                   "ikraftträdande", "träder i kraft"),
    "valid_to": ("gäller till och med", "gäller t.o.m.", "gäller till", "giltig till och med",
                 "giltig t.o.m.", "giltig till", "giltighetstid", "valid until"),
    "review_by": ("nästa revidering", "revideras senast", "revideras", "revidering",
                  "nästa översyn", "ses över", "översyn", "revideringsdatum"),
    "owner": ("dokumentansvarig", "dokumentägare", "ansvarig för dokumentet", "utgivare",
              "ägare", "document owner"),
    "diary_no": ("diarienummer", "dnr", "diarienr"),
    "applies_to": ("gäller för", "omfattning", "applies to"),
}  # fmt: skip
_ALIASES = {a: name for name, aliases in _KEYS.items() for a in aliases}
# A key at the start of a line or after a gap (PDF cover lines run several into one line).
_KEY = re.compile(
    r"(?:^|(?<=\s))("
    + "|".join(re.escape(a) for a in sorted(_ALIASES, key=len, reverse=True))
    + r")\s*:\s*",
    re.IGNORECASE,
)
# Prose statements: "fastställd av Sunets styrelse den 17 januari 2008".
_PROSE_ADOPTED = re.compile(
    r"\b(?:fastställd|fastställt|antagen|antaget|beslutad|beslutat)\s+av\s+(.{3,80}?)\s+"
    r"(?:den|på|vid sammanträde den)\s+(\d{4}-\d{2}-\d{2}|\d{1,2}\s+[a-zåäö]+\.?\s+\d{4})",
    re.IGNORECASE,
)
_DECISION_REF = re.compile(r"§\s*\d+[a-z]?")
_INTERVAL = {"årligen": 12, "varje år": 12, "vartannat år": 24, "vart tredje år": 36,
             "halvårsvis": 6, "varje halvår": 6}  # fmt: skip
_TYPES = [
    ("policy", "policy"),
    ("riktlinje", "riktlinje"),
    ("strategi", "strategi"),
    ("rutin", "rutin"),
    ("instruktion", "instruktion"),
    ("handbok", "handbok"),
    ("plan", "plan"),
    ("förordning", "förordning"),
    ("regulation", "förordning"),
    ("lag", "lag"),
]


@dataclass
class DocumentMetadata:
    """What a document says about itself. Dates are ISO (YYYY-MM-DD); ``valid_from`` keeps the
    stated text when it is not a date ("Lagakraftvunnet beslut")."""

    title: str
    doc_type: str
    version: str | None = None
    adopted: str | None = None
    adopted_by: str | None = None  # "Kommunfullmäktige"
    decision_ref: str | None = None  # "§ 98"
    valid_from: str | None = None
    valid_to: str | None = None
    review_by: str | None = None  # "nästa revidering", "revideras senast", or adopted + interval
    owner: str | None = None  # "Dokumentansvarig", "Dokumentägare", "Utgivare"
    diary_no: str | None = None
    municipalities: list[str] = field(default_factory=list)
    # access, never extracted: stated at ingest/upload or corrected (ingest/corrections.py)
    scope: list[str] = field(default_factory=list)  # organisations; [] = shared
    classification: str | None = None  # None = PA_DEFAULT_CLASSIFICATION


def _doc_type(text: str) -> str | None:
    lowered = text.lower()  # compounds count ("säkerhetspolicy"); short words start a word
    return next(
        (kind for word, kind in _TYPES
         if (re.search(rf"\b{word}", lowered) if len(word) <= 4 else word in lowered)),
        None,
    )  # fmt: skip


def parse_date(text: str) -> str | None:
    """The first date in ``text`` as ISO: "2018-06-18" or "17 januari 2008"; else None."""
    iso = _DATE.search(text)
    spelled = _TEXT_DATE.search(text)
    if spelled and (not iso or spelled.start() < iso.start()):
        day, month, year = int(spelled[1]), _MONTHS[spelled[2].lower()], int(spelled[3])
        try:
            return date(year, month, day).isoformat()
        except ValueError:
            return None
    if iso:
        try:
            return date.fromisoformat(iso[1]).isoformat()
        except ValueError:
            return None
    return None


def _fields(doc: LoadedDocument) -> dict[str, str]:
    """Stated front-matter fields of the first blocks: "Key: value" (several per line, as PDF
    cover pages run them together) and two-cell table rows ("Fastställd | 2024-03-12")."""
    found: dict[str, str] = {}
    for block in doc.blocks[:40]:
        for line in block.text.splitlines():
            cells = [c.strip() for c in line.split(" | ")]
            if len(cells) >= 2:
                for key, value in zip(cells, cells[1:], strict=False):
                    name = _ALIASES.get(key.rstrip(":").strip().lower())
                    if name and value and name not in found:
                        found[name] = value
                continue
            keys = list(_KEY.finditer(line))
            for k, nxt in zip(keys, [*keys[1:], None], strict=False):
                value = line[k.end() : nxt.start() if nxt else len(line)].strip(" ,;")
                name = _ALIASES[k[1].lower()]
                if value and name not in found and len(value) <= 200:
                    found[name] = value
    return found


def _add_months(iso: str, months: int) -> str:
    d = date.fromisoformat(iso)
    year, month = divmod(d.month - 1 + months, 12)
    return date(d.year + year, month + 1, min(d.day, 28 if month + 1 == 2 else 30)).isoformat()


def _review_by(stated: str | None, adopted: str | None) -> str | None:
    if not stated:
        return None
    if found := parse_date(stated):
        return found
    lowered = stated.lower()
    months = next((m for word, m in _INTERVAL.items() if word in lowered), None)
    return _add_months(adopted, months) if months and adopted else None


def _title(doc: LoadedDocument) -> str | None:
    """The title the document states: a statute book's number and name; else its own
    (metadata) title; else its first heading; else its first lines, when they read as a title.

    A metadata title that is really a file name ("Microsoft Word - policy.docx") or a generic
    word ("Författning", "Innehåll", "Sida 1"), and a first heading that is a generic word
    ("Inledning", "Syfte"), are no title.
    """
    own = doc.title if doc.title and not looks_like_file_name(doc.title) else None
    own = None if is_generic_title(clean_title(own)) else clean_title(own)
    stated = _statute_book_title(doc)
    if stated and not (own and own.endswith(stated)):  # a PDF's own has its number, if any
        return stated
    if own:
        return own
    first_heading = next((i for i, b in enumerate(doc.blocks[:5]) if b.kind == "heading"), None)
    if first_heading is not None and not is_generic_title(doc.blocks[first_heading].text):
        return doc.blocks[first_heading].text
    return _lead_title(doc.blocks[: 3 if first_heading is None else min(first_heading, 3)])


def _statute_book_title(doc: LoadedDocument) -> str | None:
    """A regulation's number and name as the first page of its statute book states them."""
    first = [b.text for b in doc.blocks[:80] if b.page in (None, 1)]
    return statute_book_title(" ".join(" ".join(first).split()))


def _lead_title(blocks: list[Block]) -> str | None:
    """The document's first lines, before any heading, when they read as a title: one, or
    two that continue it ("Mall för kontrakt" + "IT-konsulttjänster 2021")."""
    lines: list[str] = []
    for block in blocks:
        text = " ".join(block.text.split())
        if not lines and block.kind == "text" and not text[:1].isalnum():
            continue  # a page marker or rule before the first line ("<<<PAGE 1>>>")
        if block.kind != "text" or not _reads_as_title(text):
            break
        lines.append(text)
    if len(lines) >= 2 and len(lines[0]) + len(lines[1]) <= 100:
        return f"{lines[0]} – {lines[1]}"
    return lines[0] if lines else None


def _reads_as_title(text: str) -> bool:
    """A short line that is no sentence, field, list item, contents line or page marker."""
    words = text.split()
    return (
        0 < len(words) <= 12
        and len(text) <= 100
        and text[0].isalnum()
        and not text[0].islower()
        and text[-1] not in ".,;:!?"
        and ":" not in text
        and " | " not in text
        and not DOT_LEADER.search(text)
        and not URL.search(text)
        and any(sum(c.isalpha() for c in w) >= 3 for w in words)
        and not is_generic_title(text)
    )


def extract_metadata(doc: LoadedDocument, path: Path) -> DocumentMetadata:
    """Metadata of a loaded document; the title falls back to the file name.

    The title is the one the document states (``_title``); a metadata title that is really a
    file name ("Microsoft Word - policy.docx") gives way to the document's first heading; any
    title, whichever way it was found, is cleaned (``clean_title``: markup such as
    "<script>…</script>" or "<b>", such prefixes and extensions).
    Lifecycle fields come from front-matter lines, or from a prose statement in the first
    blocks ("fastställd av Sunets styrelse den 17 januari 2008").
    """
    stem = path.stem.replace("-", " ").replace("_", " ").strip().capitalize()
    title = clean_title(_title(doc)) or clean_title(doc.title) or clean_title(stem) or stem

    found = _fields(doc)
    stated = found.get("adopted", "")
    adopted = parse_date(stated) if stated else None
    by = found.get("adopted_by")
    ref = _DECISION_REF.search(stated) or _DECISION_REF.search(by or "")
    if stated and not by:  # "Antagen: Kommunfullmäktige 2018-06-18 § 98"
        rest = _DECISION_REF.sub("", _TEXT_DATE.sub("", _DATE.sub("", stated)))
        rest = rest.strip(" ,;-–")
        by = rest if rest and not rest[0].isdigit() and len(rest) <= 80 else None
    if adopted is None:
        for block in doc.blocks[:6]:
            if m := _PROSE_ADOPTED.search(block.text):
                adopted, by = parse_date(m[2]), by or m[1].strip()
                break
    if by:
        by = _DECISION_REF.sub("", by).strip(" ,;-–") or None
    valid_from = found.get("valid_from")
    valid_to = found.get("valid_to")
    applies = found.get("applies_to", "")
    return DocumentMetadata(
        title=title,
        doc_type=(_doc_type(found.get("doc_type", "")) or _doc_type(title) or "dokument"),
        version=found.get("version"),
        adopted=adopted,
        adopted_by=by,
        decision_ref=ref[0].replace("§", "§ ").replace("  ", " ") if ref else None,
        valid_from=(parse_date(valid_from) or valid_from[:80]) if valid_from else None,
        valid_to=parse_date(valid_to) if valid_to else None,
        review_by=_review_by(found.get("review_by"), adopted),
        owner=found.get("owner"),
        diary_no=found.get("diary_no"),
        municipalities=[m for m in MUNICIPALITIES if m.lower() in applies.lower()],
    )
