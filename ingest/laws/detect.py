"""Which law a text is: its format (EUR-Lex HTML, Riksdagen SFS text/HTML) and its act.

``title_act`` reads the act from a title line in any publisher's layout ("Europaparlamentets
och rådets förordning (EU) 2016/679", "Dataskyddsförordningen", "Lag (2018:218) med …");
``gdpr_mentions`` counts a weaker sign (the identifier anywhere, links included) for texts
whose structure alone is unmistakable (``ingest/laws/content.py``).
"""

from __future__ import annotations

import re

from core.references import STATUTES

_SFS_ACT = re.compile(r"^sfs\s*:?\s*(\d{4}:\d{1,4})$", re.IGNORECASE)


def normalise_act(act: str) -> str:
    """ "sfs:2018:218" / "SFS 2018:218" / "2018:218" → "sfs2018:218"; "GDPR" → "gdpr"."""
    act = act.strip()
    if re.fullmatch(r"\d{4}:\d{1,4}", act):
        return f"sfs{act}"
    m = _SFS_ACT.match(act)
    if m:
        return f"sfs{m.group(1)}"
    if not re.fullmatch(r"[A-Za-z][\w-]{0,30}", act):
        raise ValueError(f"not an act name: {act!r} (use e.g. gdpr or sfs:2018:218)")
    return act.lower()


def sfs_number(act: str) -> str | None:
    """ "2018:218" of "sfs2018:218", else None."""
    return act[3:] if act.startswith("sfs") and ":" in act else None


def detect_format(text: str) -> str | None:
    """ "eurlex", "riksdagen" or None, from the text of an HTML or plain-text file."""
    if re.search(r"class=\"(?:oj-)?ti-art\"", text[:2_000_000]):
        return "eurlex"
    if _riksdagen_sfs(text) and len(re.findall(r"(?m)^\s*\d{1,3}\s*[a-z]?\s*§", text)) >= 3:
        return "riksdagen"
    if len(re.findall(r"class=\"paragraf\"", text)) >= 3:
        return "riksdagen"
    return None


def guess_act(fmt: str, text: str) -> str | None:
    """The act a text of format ``fmt`` states ("gdpr", "sfs2018:218"), or None."""
    if fmt == "eurlex":
        if re.search(r"32016R0679|2016/679", text[:200_000]):
            return "gdpr"
        return None
    sfs = _riksdagen_sfs(text)
    if not sfs:
        m = re.search(r"\((\d{4}:\d{1,4})\)", text[:2000])
        sfs = m.group(1) if m else None
    return f"sfs{sfs}" if sfs else None


def _riksdagen_sfs(text: str) -> str | None:
    m = re.search(r"SFS\s*nr\s*:\s*(\d{4}:\d{1,4})", text[:20_000])
    return m.group(1) if m else None


# The GDPR's formal title at the start of a line: "EUROPAPARLAMENTETS OCH RÅDETS FÖRORDNING
# (EU) 2016/679 av den …", "REGULATION (EU) 2016/679 OF THE EUROPEAN PARLIAMENT …".
_GDPR_FORMAL = re.compile(
    r"^(?:europaparlamentets\s+och\s+rådets\s+)?förordning\s*\(eu\)\s*(?:nr\s*)?2016/679\b"
    r"|^regulation\s*\(eu\)\s*(?:no\s*)?2016/679\b",
    re.IGNORECASE,
)
# Names of the GDPR; a title made of these alone (and punctuation) names the act.
_GDPR_NAMES = re.compile(
    r"(?:den\s+)?allmänna?\s+dataskyddsförordning(?:en)?|(?:eu:s\s+)?dataskyddsförordning(?:en)?"
    r"|general\s+data\s+protection\s+regulation|gdpr|(?:förordning(?:en)?|regulation)?\s*"
    r"\(eu\)\s*(?:nr\s*|no\s*)?2016/679",
    re.IGNORECASE,
)
_ONLY_PUNCTUATION = re.compile(r"^[\s()\[\]\-–—:,.|]*$")
# A Swedish statute's title: "Lag (2018:218) med …", "Cybersäkerhetslag (2025:1506)",
# "Offentlighets- och sekretesslag (2009:400)", "Förordning (2018:1175) om …".
_SFS_TITLE = re.compile(
    r"^((?:[A-ZÅÄÖ][a-zåäö]*-\s+och\s+[a-zåäö]*|[A-ZÅÄÖ][a-zåäö]*)"
    r"(?:lag|förordning|balk|kungörelse)|Lag|Förordning|Balk|Kungörelse)"
    r"\s*\((\d{4}:\d{1,4})\)(?:\s+(?:om|med|till|för|i|angående|rörande|mot)\s+\S.{0,300})?$"
)
_SFS_LINE = re.compile(r"^SFS(?:\s*nr)?\s*:?\s*(\d{4}:\d{1,4})$", re.IGNORECASE)
_STATUTE_NAME = re.compile(
    r"^([A-ZÅÄÖ][a-zåäö]+(?:-\s+och\s+[a-zåäö]+)?lagen)(?:\s*\((\d{4}:\d{1,4})\))?$"
)
_GDPR_ID = re.compile(r"32016R0679|\(EU\)\s*(?:nr\s*|no\s*)?2016/679")
# Another EU act's formal title: "EUROPAPARLAMENTETS OCH RÅDETS FÖRORDNING (EU) 2024/1689 …".
_EU_ACT_TITLE = re.compile(
    r"^(?:europaparlamentets\s+och\s+rådets\s+|kommissionens\s+|rådets\s+)?"
    r"(?:förordning|direktiv|beslut|regulation|directive|decision)\s*\((?:eu|eg|ec|eeg|eec)\)"
    r"\s*(?:nr\s*|no\s*)?(\d{2,4}/\d{1,4})\b",
    re.IGNORECASE,
)


def title_act(line: str) -> str | None:
    """The act a title line names ("gdpr", "sfs2018:218"), or None: the whole line must be
    the act's title (a sentence that cites an act is not)."""
    line = " ".join(line.split())
    if _GDPR_FORMAL.match(line) or (
        _GDPR_NAMES.search(line) and _ONLY_PUNCTUATION.match(_GDPR_NAMES.sub("", line))
    ):
        return "gdpr"
    if m := _SFS_TITLE.match(line):
        return f"sfs{m.group(2)}"
    if m := _SFS_LINE.match(line):
        return f"sfs{m.group(1)}"
    if m := _STATUTE_NAME.match(line):
        number = m.group(2) or STATUTES.get(m.group(1).lower())
        return f"sfs{number}" if number else None
    return None


def gdpr_mentions(text: str) -> int:
    """How often ``text`` (a page's source, links included) gives the GDPR's identifier."""
    return len(_GDPR_ID.findall(text))


def names_other_eu_act(line: str) -> bool:
    """A title line of an EU act other than the GDPR ("Regulation (EU) 2024/1689 …")."""
    m = _EU_ACT_TITLE.match(" ".join(line.split()))
    return m is not None and m.group(1) != "2016/679"
