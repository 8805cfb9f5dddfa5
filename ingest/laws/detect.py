"""Which law a text is: its format (EUR-Lex HTML, Riksdagen SFS text/HTML) and its act."""

from __future__ import annotations

import re

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
