"""Headings and section paths as both sides read them.

A numbered heading line ("4.2 Skyddsnivåer"), a section's number ("4.2", "Artikel 33",
"3 kap.", "5 §"), the separator of a section path ("4 Informationsklassning > 4.2
Skyddsnivåer") and footnote lines, which are never headings.
"""

from __future__ import annotations

import re

SEPARATOR = " > "  # between the headings of a section path

_SECTION_NUMBER = re.compile(
    r"^(?:(\d+\s*kap\.)|(\d+\s*[a-z]?\s*§)|(?:artikel|article)\s+(\d+)|(\d{1,2}(?:\.\d{1,2})*)\s)",
    re.IGNORECASE,
)
_NUMBERED_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\s+([A-ZÅÄÖ].{1,90})$")
URL = re.compile(r"https?://|www\.", re.IGNORECASE)
DOT_LEADER = re.compile(r"(?:\.{4,}|…{2,}|(?:\. ){4,})\s*\d*\s*$")
# A footnote line: "footnote1) text" (text exports), "1Knappt tre av tio ..." (a superscript
# glued to its note), "13 Urban Twin Transition Center: https://..." (a number and a URL).
_NOTE_LINE = re.compile(
    r"^(?:footnote(\d{1,3})\)\s*|(\d{1,3})(?=[A-ZÅÄÖ][a-zåäö]{2})"
    r"|(\d{1,3})\s+(?=\S.*(?:https?://|www\.)))(\S.*)$",
    re.IGNORECASE,
)


def footnote(line: str) -> str | None:
    """A footnote line written as a note ("Fotnot 13: …"), else None."""
    m = _NOTE_LINE.match(line.strip())
    if not m:
        return None
    number = next(g for g in m.groups()[:3] if g)
    return f"Fotnot {number}: {m.group(4)}"


def numbered_heading_level(line: str) -> int | None:
    """Level of a numbered heading line like "4.2 Skyddsnivåer" (2 + depth - 1), else None.

    Footnotes ("13 Urban Twin Transition Center: https://…") and table-of-contents lines with
    dot leaders are never headings.
    """
    line = line.strip()
    m = _NUMBERED_HEADING.match(line)
    if not m or line[-1] in ".,;:" or len(m.group(2).split()) > 12:
        return None
    if URL.search(line) or DOT_LEADER.search(line) or footnote(line):
        return None
    number = m.group(1)
    if int(number.split(".")[0]) > 40:
        return None
    return number.count(".") + 2


def section_number(heading: str) -> str | None:
    """ "4.2" of "4.2 Skyddsnivåer"; "33" of "Artikel 33"; "3 kap." / "5 §" for statutes."""
    m = _SECTION_NUMBER.match(heading.strip())
    if not m:
        return None
    return next(g for g in m.groups() if g).replace("  ", " ")
