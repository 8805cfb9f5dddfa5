"""Read any supported file: a law text whose act is evident by the law reader, else by format.

The one ``load`` every caller uses (pipeline, tests, benchmarks). ``ingest/loaders.py`` knows
formats only; the readers tried before a file's format loader are chosen here, by suffix:
an EUR-Lex HTML or Riksdagen text/HTML file that states its act is read as a law
(``ingest/laws/``) wherever ``load`` is called. Any other file, once loaded by its format, is
a law when its content says so — a law is a law whoever published it (``laws.law_in``).
"""

from __future__ import annotations

from pathlib import Path

from ingest.laws import LawDocument, law_in, load_if_law
from ingest.loaders import Limits, LoadedDocument, Reader, load_file

READERS: dict[str, tuple[Reader, ...]] = {
    ".html": (load_if_law,),
    ".htm": (load_if_law,),
    ".txt": (load_if_law,),
}


def load(path: Path, limits: Limits | None = None) -> LoadedDocument:
    """Load any supported file within ``limits``; raise ``LoadError`` with a clear reason."""
    doc = load_file(path, limits, READERS.get(path.suffix.lower(), ()))
    if isinstance(doc, LawDocument):
        return doc
    return law_in(doc, path) or doc
