"""Text normalisation for the PII scrubber, with offsets back to the original text.

Personal data is often typed in forms that defeat plain patterns: an en dash or a
non-breaking hyphen in a personnummer, a no-break or zero-width space inside it,
full-width digits, a NUL byte. :func:`normalize` turns the text into a canonical form
(NFKC, ASCII hyphen, plain space, no invisible or control characters) and remembers for
every character where it came from, so findings can be mapped back and the placeholders
replace the right characters of the original text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import regex

# Every dash and hyphen variant → "-" (hyphen, non-breaking hyphen, figure/en/em dash,
# horizontal bar, minus sign, small and full-width hyphen-minus, hyphen bullet).
_DASHES = frozenset(
    "\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\u2e3a\u2e3b\ufe58\ufe63\uff0d"
)
# Dropped: category Cf (zero-width space/joiners, soft hyphen, word joiner, BOM, bidi
# controls) and control characters other than tab and newlines.
_KEEP_CONTROLS = frozenset("\t\n\r")
# Fast path: text with none of these needs no normalisation.
_NEEDS_WORK = re.compile(r"[^\t\n\r\x20-\x7e\u00c0-\u017f]")
_ASCII_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROLS = regex.compile(r"(?![\t\n\r])[\p{Cc}\p{Cf}]")


@dataclass(frozen=True)
class Normalized:
    """Normalised text; ``starts[i]``/``ends[i]`` = original span of normalised char ``i``."""

    text: str
    starts: list[int] | None = None  # None: identical to the original
    ends: list[int] | None = None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original ``[start, end)`` of the normalised ``[start, end)`` (``end > start``)."""
        if self.starts is None or self.ends is None:
            return start, end
        return self.starts[start], self.ends[end - 1]


def _map_char(group: str) -> str:
    """Canonical form of one character with its combining marks."""
    ch = group[0]
    if ch in _DASHES:
        return "-"
    if _dropped(ch):
        return ""
    cat = unicodedata.category(ch)
    if cat == "Zs":
        return " "
    if cat == "Zl" or cat == "Zp":
        return "\n"
    out = unicodedata.normalize("NFKC", group)
    if cat == "Nd" and not ch.isascii():
        return str(unicodedata.digit(ch, 0))
    return "".join("-" if c in _DASHES else c for c in out)


def normalize(text: str) -> Normalized:
    """NFKC, dashes → ``-``, spaces → `` ``, invisible/control characters dropped."""
    if not _NEEDS_WORK.search(text) and unicodedata.is_normalized("NFKC", text):
        return Normalized(text)
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1  # a base character and its combining marks are normalised together
        mapped = _map_char(text[i:j])
        out.append(mapped)
        starts.extend([i] * len(mapped))
        ends.extend([j] * len(mapped))
        i = j
    return Normalized("".join(out), starts, ends)


def _dropped(ch: str) -> bool:
    cat = unicodedata.category(ch)
    return cat == "Cf" or (cat == "Cc" and ch not in _KEEP_CONTROLS)


def strip_controls(text: str) -> str:
    """``text`` without control and invisible format characters (tab and newlines kept)."""
    return (_ASCII_CONTROLS if text.isascii() else _CONTROLS).sub("", text)
