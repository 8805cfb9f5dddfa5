"""Law texts as first-class sources: EUR-Lex regulations and Swedish statutes (SFS).

A law is parsed (``eurlex``, ``statutes``) into ``LawUnit``s — chapter, section, article,
paragraph, recital, paragraf — each with its heading, depth, own canonical reference ids
(``core/references.py`` format: ``gdpr:art33:1``, ``gdpr:recital85``, ``sfs2018:218:3kap5§``)
and text. ``units.build_document`` turns them into a ``LawDocument``: a ``LoadedDocument``
with one heading block per unit (so the chunker cuts a law at unit boundaries), its act, its
document type and each section path's own ids; the pipeline stores those as
``act``/``refs``/``unit_refs`` (``units.apply_unit_refs``).

Acts are named ``gdpr`` (or another short name for an EU act) or ``sfs:2018:218``
(``detect``). Texts are read from files downloaded once (``reader``, docs/laws.md); nothing is
fetched at run time. A law in any other publisher's layout (an HTML page, a PDF print) is
recognised from its content: the act's title and a law's structure (``content``).
"""

from ingest.laws.content import law_in
from ingest.laws.detect import detect_format, normalise_act, sfs_number
from ingest.laws.reader import LAW_ORIGIN, load_if_law, load_law
from ingest.laws.units import LawDocument, LawUnit, apply_unit_refs, build_document

__all__ = [
    "LAW_ORIGIN",
    "LawDocument",
    "LawUnit",
    "apply_unit_refs",
    "build_document",
    "detect_format",
    "law_in",
    "load_if_law",
    "load_law",
    "normalise_act",
    "sfs_number",
]
