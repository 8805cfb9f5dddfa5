"""Reading a downloaded law file: EUR-Lex HTML, Riksdagen HTML or plain text, or any other
publisher's page or print of a law (``content``)."""

from __future__ import annotations

from pathlib import Path

from ingest.laws.content import law_in
from ingest.laws.detect import detect_format, guess_act, normalise_act, sfs_number
from ingest.laws.eurlex import parse_eurlex
from ingest.laws.statutes import parse_statute
from ingest.laws.units import LawDocument
from ingest.loaders import LoadError, load_file, read_text

_TEXT_SUFFIXES = (".html", ".htm", ".txt")
_NOT_A_LAW = "not a recognised law text (EUR-Lex HTML or Riksdagen SFS text)"

LAW_ORIGIN = "law"  # documents ingested with `python -m ingest law`: never pruned by folders


def load_law(
    path: Path, act: str | None = None, lang: str | None = None, fmt: str | None = None
) -> LawDocument:
    """Load a downloaded law text (EUR-Lex HTML, Riksdagen HTML or plain text).

    ``act``, ``lang`` and ``fmt`` ("eurlex", "riksdagen") are detected when not given. A file
    in neither format (another publisher's page, a PDF print) is read by its content.
    """
    if fmt is None and path.suffix.lower() not in _TEXT_SUFFIXES:
        return _by_content(path, act)
    text = read_text(path, refuse_binary=False)
    sfs = bool(act) and normalise_act(act).startswith("sfs")
    if fmt is None and detect_format(text) is None and not sfs:
        return _by_content(path, act)
    return _parse(path, text, act, lang, fmt)


def _by_content(path: Path, act: str | None) -> LawDocument:
    """The law in a file of any format, recognised by its title and structure."""
    doc = law_in(load_file(path), path, normalise_act(act) if act else None)
    if doc is None:
        raise LoadError(_NOT_A_LAW)
    return doc


def load_if_law(path: Path) -> LawDocument | None:
    """A law text whose format and act are evident from the file, else None (not a law)."""
    try:
        text = read_text(path, refuse_binary=False)
    except OSError:
        return None
    fmt = detect_format(text)
    if fmt is None:
        return None
    act = guess_act(fmt, text)
    if act is None:
        return None
    return _parse(path, text, act, None, fmt)


def _parse(
    path: Path, text: str, act: str | None, lang: str | None, fmt: str | None
) -> LawDocument:
    """The law in ``text`` (read from ``path``), its format and act detected when not given."""
    fmt = fmt or detect_format(text)
    if fmt is None:
        fmt = "riksdagen" if act and normalise_act(act).startswith("sfs") else None
    if fmt is None:
        raise LoadError(_NOT_A_LAW)
    act = normalise_act(act) if act else guess_act(fmt, text)
    if not act:
        raise LoadError("cannot tell which act this is; pass --act (e.g. gdpr, sfs:2018:218)")
    if fmt == "eurlex":
        return parse_eurlex(text, act=act, lang=lang)
    number = sfs_number(act)
    if number is None:
        raise LoadError(f"a Swedish statute needs an SFS act id (sfs:YYYY:NNN), not {act!r}")
    html = path.suffix.lower() in (".html", ".htm") or "<html" in text[:2000].lower()
    return parse_statute(text, number, html=html)
