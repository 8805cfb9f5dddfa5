"""Document metadata stated in the document itself: title, type, version, adoption date.

Swedish governing documents open with lines such as "Dokumenttyp: Policy", "Version: 2.0",
"Fastställd: 2024-03-12", "Diarienummer: HLF 2024/017", "Gäller för: Aneby, Eksjö ...".
Those lines are read from the first blocks whatever the file format was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ingest.loaders import LoadedDocument
from ingest.normalise import clean_title, looks_like_file_name

MUNICIPALITIES = ["Aneby", "Eksjö", "Nässjö", "Sävsjö", "Vetlanda", "Höglandsförbundet"]

_FIELD = re.compile(r"^\s*([A-ZÅÄÖa-zåäö][\wåäöÅÄÖ .\-]{1,30}?)\s*:\s*(.{1,200})$")
_DATE = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")
_KEYS = {
    "doc_type": ("dokumenttyp", "typ av dokument", "document type"),
    "version": ("version", "versionsnummer"),
    "adopted": ("fastställd", "beslutad", "antagen", "gäller från", "adopted", "beslutsdatum"),
    "diary_no": ("diarienummer", "dnr", "diarienr"),
    "applies_to": ("gäller för", "omfattning", "applies to"),
}
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
    title: str
    doc_type: str
    version: str | None = None
    adopted: str | None = None
    diary_no: str | None = None
    municipalities: list[str] = field(default_factory=list)


def _doc_type(text: str) -> str | None:
    lowered = text.lower()
    return next((kind for word, kind in _TYPES if word in lowered), None)


def extract_metadata(doc: LoadedDocument, path: Path) -> DocumentMetadata:
    """Metadata of a loaded document; the title falls back to the file name.

    A metadata title that is really a file name ("Microsoft Word - policy.docx") gives way to
    the document's first heading; any title is cleaned of such prefixes and extensions.
    """
    first_heading = next((b for b in doc.blocks[:5] if b.kind == "heading"), None)
    own = doc.title if doc.title and not looks_like_file_name(doc.title) else None
    title = clean_title(own) or (first_heading.text if first_heading else None)
    title = title or clean_title(doc.title)
    title = title or path.stem.replace("-", " ").replace("_", " ").strip().capitalize()

    found: dict[str, str] = {}
    for block in doc.blocks[:40]:
        for line in block.text.splitlines():
            m = _FIELD.match(line)
            if not m:
                continue
            key = m.group(1).strip().lower()
            for name, aliases in _KEYS.items():
                if key in aliases and name not in found:
                    found[name] = m.group(2).strip()

    adopted = None
    if "adopted" in found and (d := _DATE.search(found["adopted"])):
        adopted = d.group(1)
    applies = found.get("applies_to", "")
    return DocumentMetadata(
        title=title,
        doc_type=(_doc_type(found.get("doc_type", "")) or _doc_type(title) or "dokument"),
        version=found.get("version"),
        adopted=adopted,
        diary_no=found.get("diary_no"),
        municipalities=[m for m in MUNICIPALITIES if m.lower() in applies.lower()],
    )
