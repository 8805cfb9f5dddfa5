"""The project's one sentence segmenter: chunking, citations, the extractive answerer and the
PII name finder all split text here, so chunk boundaries and quote spans always agree.

``split_sentences`` returns sentences, paragraphs and list items of a text with their
character offsets (``text[span.start:span.end] == span.text``). Structure first: blank lines
and list items at a line start ("- ", "• ", "1. ", "a) ") are boundaries. Inside a block,
`sentencex` (Swedish rules) proposes sentence ends, and Swedish legal and administrative
usage vetoes the wrong ones: abbreviations ("t.ex.", "bl.a.", "fr.o.m."), references
("6 kap. 2 §", "prop. 2017/18:105"), inline enumerations ("följande: 1. Uppgifter") and any
end followed by a lower-case word. ``python -m eval.bench.segment`` measures it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sentencex

LANGUAGE = "sv"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Abbreviations (lower case, with their dots) after which a sentence never ends.
_NEVER_FINAL = _words(
    """t.ex. t.ex ex. bl.a. s.k. dvs. d.v.s. jfr. enl. resp. inkl. exkl. fr.o.m. t.o.m.
    f.o.m. ca. ang. f.d. p.g.a. pga. m.a.o. m.h.t. i.st.f. ev. jmf. obs. vs. tel. tfn."""
)
# Abbreviations that may end a sentence ("... loggar m.m. Därefter"): not before a capital.
_MAYBE_FINAL = _words("m.m. m.fl. osv. o.s.v. etc. o.d. e.d. o.dyl. m.a.")
# Reference words: never a sentence end before a number or an acronym ("6 kap. 2 §",
# "prop. 2017/18:105 s. 12", "21 kap. OSL"); a sentence may end in "... finns i 6 kap."
_REFERENCE = _words(
    """kap. st. p. art. nr. s. sid. avd. bil. mom. prop. dir. bet. rskr. kl. jan. feb. febr.
    aug. sept. okt. nov. dec. ff. f."""
)
_BLOCK_BREAK = re.compile(
    r"\n[ \t]*\n\s*"  # blank line
    r"|\n(?=[ \t]*(?:[-•–*]|\d{1,2}[.)]|[a-zåäö]\))[ \t])"  # a list item at a line start
)
# Sentence ends that sentencex's Swedish list misses: ordinary words it takes for
# abbreviations ("... begär det. Om") and a final "m.m." before a capital.
_WORD_END = re.compile(
    r"(?<![\w.])(?:det|del|med|kan|hon|ens|ord|ut|id|maj|art|i|m\.m|m\.fl|osv|o\.s\.v|etc)"
    r"[.!?]\s+(?=[\"'„(]?[A-ZÅÄÖ])"
)
_NUMERAL = re.compile(r"\d{1,2}\.")
_ACRONYM = re.compile(r"[A-ZÅÄÖ]{2,}\b")


@dataclass(frozen=True)
class Span:
    """A piece of a text: ``text`` is exactly ``source[start:end]``."""

    text: str
    start: int
    end: int


def split_sentences(text: str) -> list[Span]:
    """Sentences, paragraphs and list items of ``text`` with their offsets."""
    spans: list[Span] = []
    for a, b in _blocks(text):
        for s, e in sentence_bounds(text[a:b]):
            spans.append(Span(text[a + s : a + e], a + s, a + e))
    return spans


def _blocks(text: str) -> list[tuple[int, int]]:
    """(start, end) of the paragraphs and list items of ``text``."""
    out: list[tuple[int, int]] = []
    pos = 0
    for m in _BLOCK_BREAK.finditer(text):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, len(text)))
    return out


def sentence_bounds(block: str) -> list[tuple[int, int]]:
    """(start, end) of the stripped sentences of one paragraph (line breaks are spaces)."""
    cuts = [c for c in _candidate_cuts(block) if not joined(block, c)]
    out: list[tuple[int, int]] = []
    for a, b in zip([0, *cuts], [*cuts, len(block)], strict=True):
        piece = block[a:b]
        stripped = piece.strip()
        if stripped:
            lead = len(piece) - len(piece.lstrip())
            out.append((a + lead, a + lead + len(stripped)))
    return out


def _candidate_cuts(block: str) -> list[int]:
    """Sentence ends that sentencex proposes (offsets after the trailing whitespace), plus
    the ends after ordinary words that its Swedish list takes for abbreviations ("det.")."""
    if not any(ch in block for ch in ".!?…"):
        return []
    bounds = sentencex.get_sentence_boundaries(LANGUAGE, block.replace("\n", " "))
    cuts = [b["end_index"] for b in bounds[:-1]]
    extra = [m.end() for m in _WORD_END.finditer(block)]
    return sorted({*cuts, *extra}) if extra else cuts


def joined(block: str, cut: int) -> bool:
    """Does Swedish usage veto a sentence end at ``cut`` (after its whitespace)?"""
    after = block[cut : cut + 24].lstrip()
    before = block[max(0, cut - 48) : cut].split()
    if not after or not before:
        return False
    token = before[-1].lstrip("(\"'„”»«").lower()
    nxt = after[0]
    if nxt.islower() or nxt in ",;:)§":
        return True  # a Swedish sentence never starts in lower case
    if token in _NEVER_FINAL:
        return True
    if token in _MAYBE_FINAL:
        return not nxt.isupper()
    if token in _REFERENCE or (len(token) > 2 and "." in token[:-1]):
        return nxt.isdigit() or _ACRONYM.match(after) is not None  # "s.k. 2 §", "kap. OSL"
    if _NUMERAL.fullmatch(token):  # "följande: 1. Uppgifter", "skälen, 2. Att"
        if len(before) == 1:
            return cut <= 48  # at the start of the paragraph
        return before[-2][-1] in ",:;" or before[-2] in {"och", "eller"}
    return False
