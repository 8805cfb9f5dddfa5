"""Legal references in Swedish and English text, normalised to canonical ids.

One module, used by ingest (chunk payload ``refs``) and by the assistant (questions that name
an article). Canonical ids:

- GDPR article / paragraph / point: ``gdpr:art33``, ``gdpr:art33:1``, ``gdpr:art6:1:e``
- GDPR recital: ``gdpr:recital85``
- Swedish statute paragraph: ``sfs2018:218:3kap5§`` (or ``sfs2018:218:5§`` without chapters)

A reference to an article is also indexed at every coarser level, so a filter on
``gdpr:art33`` finds a chunk that cites "artikel 33.1".
"""

from __future__ import annotations

import re

# Swedish statutes by the names used in running text.
STATUTES: dict[str, str] = {
    "dataskyddslagen": "2018:218",
    "dsl": "2018:218",
    "offentlighets- och sekretesslagen": "2009:400",
    "osl": "2009:400",
    "förvaltningslagen": "2017:900",
    "fl": "2017:900",
    "kommunallagen": "2017:725",
    "kl": "2017:725",
    "arkivlagen": "1990:782",
    "säkerhetsskyddslagen": "2018:585",
    "kamerabevakningslagen": "2018:1200",
    "patientdatalagen": "2008:355",
    "brottsdatalagen": "2018:1177",
    "cybersäkerhetslagen": "2025:1506",
}

_POINT = r"(?:\s*\(?([a-h])\)?(?![\wåäö]))?"
_SV_ARTICLE = re.compile(
    r"\bart(?:ikel|iklarna|ikeln|\.)?\s*(\d{1,3})(?:\s*\.\s*(\d{1,2})|\s*\((\d{1,2})\))?" + _POINT,
    re.IGNORECASE,
)
_EN_ARTICLE = re.compile(r"\barticles?\s+(\d{1,3})(?:\s*\((\d{1,2})\))?(?:\s*\(([a-h])\))?", re.I)
_AND_MORE = re.compile(r"^\s*(?:,|och|and|eller|or|–|-)\s*(\d{1,3})\b(?!\s*(?:kap|§))", re.I)
_RECITAL = re.compile(r"\b(?:skäl|skälen|recitals?)\s*(?:nr\.?\s*)?\(?(\d{1,3})\)?", re.I)
_SFS = re.compile(
    r"\b(?:(\d{1,2})\s*kap\.?\s*)?(\d{1,3})\s*([a-h])?\s*§(?:\s*(?:i\s+)?"
    r"(dataskyddslagen|dsl|offentlighets-\s*och\s*sekretesslagen|osl|förvaltningslagen|fl|"
    r"kommunallagen|kl|arkivlagen|säkerhetsskyddslagen|kamerabevakningslagen|"
    r"patientdatalagen|brottsdatalagen|cybersäkerhetslagen)\b"
    r"|\s*\((\d{4}:\d{1,4})\))?",
    re.I,
)
_SFS_PREFIX = re.compile(
    r"\b(osl|dsl|fl|kl)\s+(\d{1,2})\s*kap\.?\s*(\d{1,3})\s*([a-h])?\s*§", re.IGNORECASE
)
_OTHER_ACT = re.compile(r"^\W{0,3}(?:i\s+)?(ai-förordningen|ai act|nis2|dataakten)", re.I)


def _article_ids(article: str, para: str | None, point: str | None) -> list[str]:
    ids = [f"gdpr:art{int(article)}"]
    if para:
        ids.append(f"{ids[0]}:{int(para)}")
        if point:
            ids.append(f"{ids[1]}:{point.lower()}")
    return ids


def _sfs_id(sfs: str, chapter: str | None, para: str, letter: str | None) -> str:
    unit = f"{int(chapter)}kap" if chapter else ""
    return f"sfs{sfs}:{unit}{int(para)}{(letter or '').lower()}§"


def parse_references(text: str) -> list[str]:
    """All canonical reference ids in ``text``, in order of first appearance, no duplicates."""
    found: list[str] = []
    for m in list(_SV_ARTICLE.finditer(text)) + list(_EN_ARTICLE.finditer(text)):
        if _OTHER_ACT.match(text[m.end() : m.end() + 30]):
            continue
        if m.re is _SV_ARTICLE:
            article, dot_para, paren_para, point = m.groups()
            found.extend(_article_ids(article, dot_para or paren_para, point))
        else:
            found.extend(_article_ids(*m.groups()))
        rest = text[m.end() :]
        while (more := _AND_MORE.match(rest)) is not None:
            found.append(f"gdpr:art{int(more.group(1))}")
            rest = rest[more.end() :]
    for m in _RECITAL.finditer(text):
        found.append(f"gdpr:recital{int(m.group(1))}")
    for m in _SFS.finditer(text):
        chapter, para, letter, name, number = m.groups()
        sfs = number or (STATUTES.get(re.sub(r"\s+", " ", name.lower())) if name else None)
        if sfs:
            found.append(_sfs_id(sfs, chapter, para, letter))
    for m in _SFS_PREFIX.finditer(text):
        name, chapter, para, letter = m.groups()
        found.append(_sfs_id(STATUTES[name.lower()], chapter, para, letter))
    return list(dict.fromkeys(found))
