"""Read any supported file: a law text whose act is evident by the law reader, else by format.

The one ``load`` every caller uses (pipeline, tests, benchmarks). ``ingest/loaders.py`` knows
formats only; the readers tried before a file's format loader are chosen here, by suffix:
an EUR-Lex HTML or Riksdagen text/HTML file that states its act is read as a law
(``ingest/laws/``) wherever ``load`` is called.
"""

from __future__ import annotations

from pathlib import Path

from ingest.laws import load_if_law
from ingest.loaders import Limits, LoadedDocument, Reader, load_file

READERS: dict[str, tuple[Reader, ...]] = {
    ".html": (load_if_law,),
    ".htm": (load_if_law,),
    ".txt": (load_if_law,),
}


def load(path: Path, limits: Limits | None = None) -> LoadedDocument:
    """Load any supported file within ``limits``; raise ``LoadError`` with a clear reason."""
    return load_file(path, limits, READERS.get(path.suffix.lower(), ()))
