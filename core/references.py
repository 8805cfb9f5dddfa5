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

_ORDINAL = r"(?:första|andra|tredje|fjärde|femte|sjätte|sjunde|åttonde|nionde|tionde)"
_POINT = r"(?:\s*\.?\s*(?:led\s+|lit\.\s*|point\s+)?\(?([a-h])\)?(?![\wåäö-]))?"
_SV_ARTICLE = re.compile(
    r"\bart(?:ikel|iklarna|iklar|ikeln|\.)?\s*(\d{1,3})"
    r"(?:\s*\.\s*(\d{1,2})(?!\d)|\s*\((\d{1,2})\)|\s+(?:punkt|p\.)\s*(\d{1,2}))?" + _POINT,
    re.IGNORECASE,
)
_EN_ARTICLE = re.compile(
    r"\barticles?\s+(\d{1,3})(?:\s*\((\d{1,2})\)|,?\s+paragraph\s+(\d{1,2}))?"
    r"(?:\s*\(([a-h])\)|,?\s+point\s+\(?([a-h])\)?(?![\w-]))?",
    re.I,
)
# "punkt 1 i artikel 33", "paragraph 1 of Article 33", "led e i artikel 6.1", "point (e) of
# Article 6(1)"
_REVERSED = re.compile(
    r"\b(?:(?:punkt|paragraph|stycke)\s+(\d{1,2})|(?:led|point)\s+\(?([a-h])\)?)\s+"
    r"(?:i|of)\s+(?:artikel|article|art\.)\s*(\d{1,3})(?:\s*\.\s*(\d{1,2})|\s*\((\d{1,2})\))?",
    re.I,
)
_AND_MORE = re.compile(
    r"^\s*(,|och|and|eller|or|–|-|to|till)\s*(\d{1,3})\b(?!\s*(?:kap|§|:\d))", re.I
)
_RECITAL = re.compile(
    r"\b(?:skäl|skälen|beaktandeskäl(?:en)?|recitals?)\s*(?:nr\.?\s*)?\(?(\d{1,3})\)?", re.I
)
_ACT_NAMES = (
    r"dataskyddslagen|dsl|offentlighets-\s*och\s*sekretesslagen|osl|förvaltningslagen|fl|"
    r"kommunallagen|kl|arkivlagen|säkerhetsskyddslagen|kamerabevakningslagen|"
    r"patientdatalagen|brottsdatalagen|cybersäkerhetslagen"
)
_SFS_TAIL = (
    rf"(?:\s+{_ORDINAL}\s+stycket(?:\s+(?:punkt\s+)?\d{{1,2}}(?=\s))?)?"
    rf"(?:\s*(?:i\s+)?({_ACT_NAMES})\b"
    r"|\s*(?:i\s+)?(?:lagen|förordningen)?\s*\((\d{4}:\d{1,4})\))?"
)
_SFS = re.compile(r"\b(?:(\d{1,2})\s*kap\.?\s*)?(\d{1,3})\s*([a-h])?\s*§(?!§)" + _SFS_TAIL, re.I)
# "3 kap. 5 och 6 §§ dataskyddslagen", "5–7 §§ förvaltningslagen"
_SFS_PLURAL = re.compile(
    r"\b(?:(\d{1,2})\s*kap\.?\s*)?(\d{1,3})\s*([a-h])?\s*(,|och|–|-)\s*(\d{1,3})\s*([a-h])?\s*§§"
    + _SFS_TAIL,
    re.I,
)
_SFS_PREFIX = re.compile(
    r"\b(osl|dsl|fl|kl)\s+(\d{1,2})\s*kap\.?\s*(\d{1,3})\s*([a-h])?\s*§", re.IGNORECASE
)
# Lawyers' colon notation: "21:7 OSL", "OSL 21:7", "3:5 DSL" (not "kl 13:30", a time)
_SFS_COLON = re.compile(
    r"\b(?:(osl|dsl|fl)\s+(\d{1,2}):(\d{1,3})\s*([a-h])?|(\d{1,2}):(\d{1,3})\s*([a-h])?\s+"
    r"(osl|dsl|fl|kl|offentlighets- och sekretesslagen|dataskyddslagen|förvaltningslagen|"
    r"kommunallagen))\b(?!\s*[:.]\d)",
    re.IGNORECASE,
)
_OTHER_ACT = re.compile(
    r"^\W{0,3}(?:(?:i|of|in|under|enligt)\s+(?:the\s+|eu:s\s+)?)?"
    r"(ai-förordningen|ai act|ai-akten|nis\s?2|dataakten|data act|treaty|tfeu|teu|fördraget|"
    r"charter|stadgan|direktiv|directive|regulation\s+\((?:ec|eu|eg)\)\s+(?:no\s+)?(?!2016/679)|"
    r"förordning(?:en)?\s+\((?:eu|eg)\)\s+(?:nr\s+)?(?!2016/679)|eidas|cybersäkerhetsakten|"
    r"cybersecurity act|europakonventionen|echr|regeringsformen|rf\b|tryckfrihetsförordningen|"
    r"tf\b|yttrandefrihetsgrundlagen|ygl\b)",
    re.I,
)
_RANGE = {"–", "-", "to", "till"}


def _article_ids(article: str, para: str | None, point: str | None) -> list[str]:
    ids = [f"gdpr:art{int(article)}"]
    if para:
        ids.append(f"{ids[0]}:{int(para)}")
        if point:
            ids.append(f"{ids[1]}:{point.lower()}")
    return ids


def sfs_id(sfs: str, chapter: str | None, para: str, letter: str | None = None) -> str:
    """ "sfs2018:218:3kap5§" for 3 kap. 5 § of SFS 2018:218 ("…:5a§" for "5 a §")."""
    unit = f"{int(chapter)}kap" if chapter else ""
    return f"sfs{sfs}:{unit}{int(para)}{(letter or '').lower()}§"


_sfs_id = sfs_id


def _more(first: int, rest: str, make) -> list[str]:
    """Ids of "…, 16 och 17" / "… 12–22" following a first number (ranges expanded)."""
    out: list[str] = []
    prev = first
    while (more := _AND_MORE.match(rest)) is not None:
        n = int(more.group(2))
        if more.group(1).lower() in _RANGE and 0 < n - prev <= 40:
            out.extend(make(i) for i in range(prev + 1, n + 1))
        else:
            out.append(make(n))
        prev = n
        rest = rest[more.end() :]
    return out


def _statute(name: str | None, number: str | None, default_sfs: str | None) -> str | None:
    if number:
        return number
    if name:
        return STATUTES.get(re.sub(r"\s+", " ", name.lower()))
    return default_sfs


def parse_references(text: str, default_sfs: str | None = None) -> list[str]:
    """All canonical reference ids in ``text``, in order of first appearance, no duplicates.

    ``default_sfs`` ("2018:218") resolves paragraf references that name no act ("5 a §",
    "3 kap. 5 §"); without it they are ignored (they could be any statute or regulation).
    """
    found: list[tuple[int, str]] = []
    for m in list(_SV_ARTICLE.finditer(text)) + list(_EN_ARTICLE.finditer(text)):
        if _OTHER_ACT.match(text[m.end() : m.end() + 40]):
            continue
        if m.re is _SV_ARTICLE:
            article, dot_para, paren_para, punkt_para, point = m.groups()
            ids = _article_ids(article, dot_para or paren_para or punkt_para, point)
        else:
            article, paren_para, word_para, paren_point, word_point = m.groups()
            ids = _article_ids(article, paren_para or word_para, paren_point or word_point)
        ids += _more(int(article), text[m.end() :], lambda n: f"gdpr:art{n}")
        found.extend((m.start(), i) for i in ids)
    for m in _REVERSED.finditer(text):
        if _OTHER_ACT.match(text[m.end() : m.end() + 40]):
            continue
        para, point, article, dot_para, paren_para = m.groups()
        if para:
            ids = _article_ids(article, para, None)
        else:
            ids = _article_ids(article, dot_para or paren_para, point)
        found.extend((m.start(), i) for i in ids)
    for m in _RECITAL.finditer(text):
        if _OTHER_ACT.match(text[m.end() : m.end() + 40]):
            continue
        first = int(m.group(1))
        ids = [f"gdpr:recital{first}"]
        ids += _more(first, text[m.end() :], lambda n: f"gdpr:recital{n}")
        found.extend((m.start(), i) for i in ids)
    for m in _SFS.finditer(text):
        chapter, para, letter, name, number = m.groups()
        sfs = _statute(name, number, default_sfs)
        if sfs:
            found.append((m.start(), sfs_id(sfs, chapter, para, letter)))
    for m in _SFS_PLURAL.finditer(text):
        chapter, a, a_letter, sep, b, b_letter, name, number = m.groups()
        sfs = _statute(name, number, default_sfs)
        if not sfs:
            continue
        ids = [sfs_id(sfs, chapter, a, a_letter)]
        if sep in ("–", "-") and 0 < int(b) - int(a) <= 40 and not (a_letter or b_letter):
            ids += [sfs_id(sfs, chapter, str(i)) for i in range(int(a) + 1, int(b) + 1)]
        else:
            ids.append(sfs_id(sfs, chapter, b, b_letter))
        found.extend((m.start(), i) for i in ids)
    for m in _SFS_PREFIX.finditer(text):
        name, chapter, para, letter = m.groups()
        found.append((m.start(), sfs_id(STATUTES[name.lower()], chapter, para, letter)))
    for m in _SFS_COLON.finditer(text):
        n1, c1, p1, l1, c2, p2, l2, n2 = m.groups()
        name, chapter, para, letter = (n1, c1, p1, l1) if n1 else (n2, c2, p2, l2)
        sfs = STATUTES.get(re.sub(r"\s+", " ", name.lower()))
        if sfs:
            found.append((m.start(), sfs_id(sfs, chapter, para, letter)))
    found.sort(key=lambda x: x[0])  # stable: ids of one match keep their order
    return list(dict.fromkeys(i for _, i in found))


def most_specific(ids: list[str]) -> list[str]:
    """The ids that are not a coarser level of another id in ``ids`` ("gdpr:art33:1", not
    "gdpr:art33")."""
    return [i for i in ids if not any(j != i and j.startswith(i + ":") for j in ids)]


def coarser(ref: str) -> str | None:
    """ "gdpr:art33" of "gdpr:art33:1"; None for a top-level id."""
    if ref.startswith("gdpr:") and ref.count(":") >= 2:
        return ref.rsplit(":", 1)[0]
    return None
