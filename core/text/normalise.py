"""The project's one text normaliser: text as it was written, whatever the file format.

Every loader passes its text through here (``ingest.loaders.TextBuilder`` and the line reflow of
plain text and PDF pages), so the chunker, the index and the answerer all see the same text:

- compatibility characters made plain where that is safe (NFKC for ligatures, spaces, full-width
  forms, non-breaking hyphens; superscripts, fractions and "…" are kept), then NFC;
- invisible characters (zero-width spaces and joiners, word joiners, BOM, soft hyphens) removed;
- list bullets, including the private-use glyphs of Symbol/Wingdings fonts in PDFs, written as
  "- " at the start of a line; other private-use glyphs removed;
- words hyphenated across a line end joined again ("informa-\\ntion" → "information") while
  real compounds keep their hyphen ("IT-\\npolicy" → "IT-policy", "e-\\npost" → "e-post") and
  a coordinated compound keeps its space ("informations-\\noch" → "informations- och").
"""

from __future__ import annotations

import re
import unicodedata

# Characters whose NFKC form is the same text in plain letters: ligatures (ﬁ ﬂ ﬀ ﬃ ﬄ ﬅ ﬆ),
# space characters, non-breaking hyphens, full-width/half-width forms, mathematical letters.
_COMPAT = re.compile(
    "[\ufb00-\ufb06\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\u2010\u2011\uff01-\uff5e"
    "\U0001d400-\U0001d7ff]"
)
_HYPHENS = {"\u2010": "-", "\u2011": "-"}
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SOFT_HYPHEN_BREAK = re.compile(r"\u00ad[ \t]*\r?\n[ \t]*")
PRIVATE_USE = re.compile("[\ue000-\uf8ff]")

BULLET_GLYPHS = "•▪▫◦‣●○■□◆◇◊►▸▹➢➣➤✓✔✗❖⁃∙·"
# A bullet at the start of a line: a glyph (with or without a space after it), a private-use
# font glyph, a dash or an asterisk followed by a space (an en dash before a number is a range).
_BULLET_AT_START = re.compile(
    rf"^[ \t]*(?:[{BULLET_GLYPHS}\ue000-\uf8ff]+|--?(?=[ \t])|[–—](?=[ \t]+\D)|\*(?=[ \t]))"
    r"[ \t]*(?=\S)",
    re.MULTILINE,
)

# "word-" at a line end followed by the next word (across at most the line break).
_HYPHEN_BREAK = re.compile(r"(\w+)-[ \t]*\r?\n[ \t]*(\w+)")
_COORDINATORS = {"och", "eller", "samt", "respektive", "resp", "som", "till", "and", "or"}


def normalise_chars(text: str) -> str:
    """Compatibility characters made plain, invisible characters removed, NFC composed."""
    text = _SOFT_HYPHEN_BREAK.sub("", text)
    text = text.translate(_INVISIBLE)
    text = _COMPAT.sub(_plain, text)
    return unicodedata.normalize("NFC", text)


def _plain(m: re.Match[str]) -> str:
    ch = m.group()
    if ch in _HYPHENS:
        return _HYPHENS[ch]
    if unicodedata.category(ch) == "Zs":
        return " "
    return unicodedata.normalize("NFKC", ch)


def normalise_bullets(text: str) -> str:
    """Every line-initial bullet written as "- "; other private-use glyphs removed."""
    text = _BULLET_AT_START.sub("- ", text)
    return PRIVATE_USE.sub("", text)


def join_hyphenated(text: str) -> str:
    """Join words hyphenated across line ends, keeping the hyphen of real compounds."""
    return _HYPHEN_BREAK.sub(_join, text)


def _join(m: re.Match[str]) -> str:
    before, after = m.group(1), m.group(2)
    if after.casefold() in _COORDINATORS:
        return f"{before}- {after}"  # "informations- och kommunikationsteknik"
    if keeps_hyphen(before, after):
        return f"{before}-{after}"
    return before + after


def keeps_hyphen(before: str, after: str) -> bool:
    """Whether "before-" + "after" is a hyphen compound rather than a word split at a line end.

    The hyphen is kept after an abbreviation (upper case: "IT-", "EU-"), a digit ("2019-"), a
    single letter ("e-post") and before a capital or a digit ("Microsoft-Word", "covid-19").
    """
    return (
        len(before) == 1
        or any(c.isdigit() for c in before)
        or sum(c.isupper() for c in before) > 1
        or not after[0].islower()
    )


def join_lines(lines: list[str]) -> str:
    """One paragraph from its wrapped lines: hyphenated words joined, lines joined by a space."""
    text = join_hyphenated("\n".join(line.strip() for line in lines))
    return " ".join(text.split())


def normalise_text(text: str) -> str:
    """The full normalisation of a piece of text (idempotent)."""
    return join_hyphenated(normalise_bullets(normalise_chars(text)))


# --- titles ------------------------------------------------------------------------------

_APP_PREFIX = re.compile(
    r"^\s*Microsoft\s+(?:Word|PowerPoint|Excel)\s*-\s*|^\s*(?:untitled|namnlös)\s*$",
    re.IGNORECASE,
)
_EXTENSION = re.compile(r"\.(?:docx?|pdf|odt|rtf|txt|xlsx?|pptx?|md|html?)\s*$", re.IGNORECASE)


def looks_like_file_name(title: str) -> bool:
    """A metadata title that is really a file name ("Microsoft Word - policy.docx", "a_b_c")."""
    title = title.strip()
    return bool(
        _APP_PREFIX.search(title)
        or _EXTENSION.search(title)
        or (" " not in title and re.search(r"\w[_.]\w", title))
    )


# Markup in a title: script/style elements with their content (to the end if unclosed),
# comments, then any other tag ("<b>", "</span>", "<img src=x onerror=...>"). A "<" not
# followed by a letter, "/" or "!" is text ("Avgifter < 5 000 kr").
_SCRIPT = re.compile(
    r"<(script|style)\b[^>]*>.*?(?:</\1\s*>|\Z)|<!--.*?(?:-->|\Z)", re.IGNORECASE | re.DOTALL
)
_TAG = re.compile(r"</?([A-Za-z][\w:-]*)[^<>]*>|<![^<>]*>")
_INLINE = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "font", "i", "kbd",
    "mark", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "time", "u",
    "var", "wbr",
})  # fmt: skip


def strip_markup(text: str) -> str:
    """``text`` without HTML/XML tags, comments and script or style contents (text kept).

    An inline tag goes without a trace ("IT-<b>säkerhet</b>" → "IT-säkerhet"); any other
    tag leaves a space ("Del 1<br>Syfte" → "Del 1 Syfte").
    """
    previous = None
    while previous != text:  # "<scr<b>ipt>" leaves "<script>" after one pass
        previous = text
        text = _TAG.sub(_tag_gap, _SCRIPT.sub(" ", text))
    return text


def _tag_gap(m: re.Match[str]) -> str:
    return "" if (m.group(1) or "").lower() in _INLINE else " "


def clean_title(title: str | None) -> str | None:
    """A title without markup, "Microsoft Word - " prefixes, file extensions and odd spacing.

    Every document title goes through here (``ingest.metadata.extract_metadata``, corrected
    titles in ``ingest.corrections``).
    """
    if not title:
        return None
    title = _EXTENSION.sub("", _APP_PREFIX.sub("", normalise_chars(strip_markup(title))))
    title = " ".join(title.split()).strip(" -–_")
    return title or None


def title_key(title: str | None) -> str:
    """What two titles must share to read as the same document's: the cleaned title with its
    spaces folded, case-insensitive ("" for no title)."""
    return " ".join((clean_title(title) or "").split()).casefold()
