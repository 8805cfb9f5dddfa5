"""The one sentence segmenter (``core.text.segment``) on Swedish statutes and official text."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from core.text.segment import split_sentences
from ingest.chunking import _pieces
from ingest.loaders import Block
from tests.conftest import POLICIES

REFERENCE = re.compile(r"\d+\s*[a-z]?\s*kap\.\s+\d+\s*[a-z]?\s*§")


def texts_of(text: str) -> list[str]:
    spans = split_sentences(text)
    for s in spans:
        assert text[s.start : s.end] == s.text
    return [s.text for s in spans]


@pytest.fixture(scope="module")
def statutes() -> list[str]:
    """The text of every paragraf of every statute in ../shared/corpus/sfs_sv."""
    shared = Path(__file__).resolve().parents[3].parent / "shared" / "corpus" / "sfs_sv"
    files = sorted(shared.glob("*.json"))
    if not files:
        pytest.skip("../shared/corpus is not available")
    out = []
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        out += [p["content"] for p in data.get("provisions", []) if p.get("content")]
    assert len(out) > 500
    return out


def test_statutes_keep_references_and_exact_offsets(statutes):
    refs = 0
    for text in statutes:
        spans = split_sentences(text)
        assert spans, text
        for a, b in zip(spans, spans[1:], strict=False):
            assert text[a.start : a.end] == a.text and a.end <= b.start
            gap = text[a.end : b.start]
            assert not gap.strip(), (a.text, b.text)  # nothing is lost between sentences
            assert not (re.search(r"\bkap\.$", a.text) and b.text[:1].isdigit()), a.text[-60:]
            assert not b.text[:1].islower(), (a.text[-40:], b.text[:40])
        for m in REFERENCE.finditer(text):
            refs += 1
            assert any(s.start <= m.start() and m.end() <= s.end for s in spans), m.group()
    assert refs > 300  # the corpus really exercises "N kap. M §"


def test_statute_text_as_one_document_splits_at_paragraf_breaks(statutes):
    text = "\n\n".join(statutes[:200])
    spans = split_sentences(text)
    assert all(text[s.start : s.end] == s.text for s in spans)
    assert len(spans) >= 200
    starts = {s.start for s in spans}
    pos = 0
    for t in statutes[:200]:  # every paragraf starts a sentence
        assert pos in starts
        pos += len(t) + 2


@pytest.mark.parametrize(
    "text",
    [
        "Enligt 6 kap. 2 § OSL gäller sekretess för uppgifter om hälsa.",
        "Bestämmelser finns i 4 kap. 3 § och 21 kap. 7 § offentlighets- och sekretesslagen.",
        "Behandlingen är laglig enligt artikel 6.1 e dataskyddsförordningen.",
        "Av 3 § första stycket framgår att nämnden ansvarar, jfr prop. 2017/18:105 s. 45.",
        "Sekretess gäller enligt 21 kap. OSL för uppgifter om hälsa.",
        "Den gäller enl. 2 kap. 3 § 2 st. 1 p. lagen (2018:218).",
    ],
)
def test_numbered_references_are_never_split(text):
    assert texts_of(text) == [text]


@pytest.mark.parametrize(
    "text",
    [
        "Använd t.ex. Microsoft Teams eller bl.a. krypterad e-post för sådana uppgifter.",
        "Ett s.k. biträdesavtal krävs, dvs. ett avtal enligt artikel 28.",
        "Kraven gäller fr.o.m. den 1 januari 2026 t.o.m. den 31 december 2027.",
        "Loggar m.m. ska sparas i minst sex månader.",
        "Uppgifter om hälsa, etnicitet m.fl. är känsliga, inkl. uppgifter i journaler.",
        "Kontakta f.d. chefen resp. ersättaren ang. behörigheter, ca 10 st.",
        "Det gäller bl.a. Försäkringskassan och t.ex. Skatteverket.",
    ],
)
def test_swedish_abbreviations_do_not_end_sentences(text):
    assert texts_of(text) == [text]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Det gäller alla. Ingen undantas.", ["Det gäller alla.", "Ingen undantas."]),
        ("Får jag det? Ja! Då gör vi så.", ["Får jag det?", "Ja!", "Då gör vi så."]),
        (  # ordinary words that sentencex's Swedish list takes for abbreviations
            "Sekretess gäller om en part begär det. Om ett ombud anlitas gäller samma sak.",
            ["Sekretess gäller om en part begär det.", "Om ett ombud anlitas gäller samma sak."],
        ),
        (
            "Indrivning av statliga fordringar m.m. Vid indrivning får verkställighet ske.",
            ["Indrivning av statliga fordringar m.m.", "Vid indrivning får verkställighet ske."],
        ),
        (
            "Bestämmelser om detta finns i 21 kap. Sekretess gäller då.",
            ["Bestämmelser om detta finns i 21 kap.", "Sekretess gäller då."],
        ),
        (  # an inline enumeration is one sentence
            "I lagen avses med 1. nätverk: ett nät, 2. Säkerhet: förmågan att stå emot.",
            ["I lagen avses med 1. nätverk: ett nät, 2. Säkerhet: förmågan att stå emot."],
        ),
    ],
)
def test_ordinary_sentences_still_split(text, expected):
    assert texts_of(text) == expected


def test_paragraphs_and_list_items_are_boundaries():
    text = (
        "Rubrik\n\nFöljande krav gäller för\nalla system:\n- lösenord om minst 14 tecken\n"
        "• tvåfaktorsinloggning\n1. loggning av behörigheter\na) spårbarhet\n\n\nSista stycket."
    )
    assert texts_of(text) == [
        "Rubrik",
        "Följande krav gäller för\nalla system:",
        "- lösenord om minst 14 tecken",
        "• tvåfaktorsinloggning",
        "1. loggning av behörigheter",
        "a) spårbarhet",
        "Sista stycket.",
    ]


def test_empty_and_whitespace():
    assert split_sentences("") == []
    assert split_sentences("  \n\n ") == []
    assert texts_of("  Utan punkt  ") == ["Utan punkt"]


def test_offsets_are_exact_on_the_policies():
    for path in sorted((POLICIES / "src").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        spans = split_sentences(text)
        assert len(spans) > 20
        assert all(text[s.start : s.end] == s.text and s.text == s.text.strip() for s in spans)


def test_chunking_cuts_long_paragraphs_at_the_segmenters_sentence_ends():
    sentence = "Enligt 6 kap. 2 § gäller sekretess, t.ex. för uppgifter om hälsa hos nämnden. "
    text = (sentence * 12).strip()
    block = Block("text", text, 0, None, 100, 100 + len(text))
    pieces = _pieces(block, 40, lambda s: len(s.split()))
    assert len(pieces) > 1
    ends = {s.end for s in split_sentences(text)}
    for p in pieces:
        assert text[p.start - 100 : p.end - 100] == p.text
        assert p.end - 100 in ends  # never after "kap." or "t.ex."
