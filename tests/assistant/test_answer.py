"""The extractive answerer: coherent windows, labels, duplicates; language and bands."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.answer import ExtractiveAnswerer, Passage, near_duplicate, render
from assistant.answerability import DEFAULT_MODEL, FEATURES, Signals, decide
from assistant.language import is_english
from assistant.pii import neutral_text
from assistant.retrieval import Hit, search_text
from core import index
from core.text.segment import split_sentences
from tests.conftest import make_settings

COMMITTEES = (
    "Kommunstyrelsen ska:\n\n"
    "- leda och samordna arbetet med informationssäkerhet i hela kommunen\n\n"
    "- fastställa riktlinjer för informationssäkerhet\n\n"
    "Tekniska nämnden ska:\n\n"
    "- att genom IT-verksamheten tillse drift och underhåll av kommunens IT-system\n\n"
    "- att ansvara för säkerhetskopiering av servrar"
)
PRIVATE = (
    "Tjänstedatorer får inte lånas ut till familjemedlemmar. "
    "Privat utrustning får heller inte anslutas till det interna nätverket. "
    "Gästnätet är öppet för besökare."
)


def passage(n: int, text: str, doc: str = "it-policy", title: str = "IT-policy",
            section: str = "4 Ansvar", rank: int = 0) -> Passage:  # fmt: skip
    payload = {index.DOC_ID: doc, index.TITLE: title, index.SECTION_PATH: section,
               index.SECTION_NUMBER: section.split()[0],
               index.HEADING: f"{title} > {section}"}  # fmt: skip
    return Passage(n, Hit(f"{doc}-{n}", 1.0, 0.9, text, payload), rank)


@pytest.fixture(scope="module")
def answerer(embedder, tmp_path_factory) -> ExtractiveAnswerer:
    def vectors(passages: list[Passage]) -> list[np.ndarray]:  # as at ingest, for every sentence
        return [
            np.asarray(embedder.get_text_embedding_batch(
                index.sentence_texts(p.hit.payload[index.HEADING], p.hit.text)
            ), dtype=np.float32)
            for p in passages
        ]  # fmt: skip

    return ExtractiveAnswerer(vectors, make_settings(tmp_path_factory.mktemp("a")))


def ask(answerer, embedder, question: str, passages: list[Passage]):
    return answerer.answer(question, embedder.get_query_embedding(question), passages)


def test_a_list_duty_is_quoted_with_the_lead_in_that_names_who(answerer, embedder):
    found = ask(answerer, embedder, "Vem ansvarar för drift och underhåll av IT-systemen?",
                [passage(1, COMMITTEES)])  # fmt: skip
    text = render(found.claims)
    assert "drift och underhåll" in text
    duty = text.index("drift och underhåll")
    # the nearest lead-in before the duty is the committee it belongs to
    assert text.rfind("Tekniska nämnden ska:", 0, duty) > text.rfind(
        "Kommunstyrelsen ska:", 0, duty
    )


def test_an_elliptic_sentence_comes_with_the_one_it_depends_on(answerer, embedder):
    found = ask(answerer, embedder, "Får jag ansluta min privata dator till nätverket?",
                [passage(1, PRIVATE)])  # fmt: skip
    text = render(found.claims)
    assert "Privat utrustning får heller inte" in text
    assert "Tjänstedatorer får inte lånas ut" in text  # what "heller" refers back to


def test_a_sentence_referring_back_comes_along(answerer, embedder):
    text = "Strategin revideras var fjärde år. För detta ansvarar informationssäkerhetsansvarig."
    found = ask(answerer, embedder, "Hur ofta revideras strategin?", [passage(1, text)])
    assert "För detta ansvarar informationssäkerhetsansvarig." in render(found.claims)


def test_windows_are_verbatim_and_end_at_a_sentence_end(answerer, embedder):
    ps = [passage(1, COMMITTEES), passage(2, PRIVATE, section="5 Utrustning", rank=1)]
    found = ask(answerer, embedder, "Vad ska Tekniska nämnden göra?", ps)
    assert found.claims
    for claim in found.claims:
        source = ps[claim.citations[0] - 1].hit.text
        assert source[claim.start : claim.end] == claim.text
        assert claim.end in {s.end for s in split_sentences(source)}


def test_two_documents_are_named_and_near_duplicates_cited_once(answerer, embedder):
    same = "Policyn ska revideras senast den 31 december 2026."
    ps = [
        passage(1, same, doc="a", title="Informationssäkerhetspolicy", section="12 Förvaltning"),
        passage(2, same, doc="b", title="IT-säkerhetspolicy", section="14 Revision", rank=1),
        passage(
            3,
            "IT-policyn ska revideras senast 2025.",
            doc="b",
            title="IT-säkerhetspolicy",
            section="14 Revision",
            rank=1,
        ),  # fmt: skip
    ]
    found = ask(answerer, embedder, "När ska policyn revideras?", ps)
    texts = [c.text for c in found.claims]
    assert texts.count(same) == 1  # one statement ...
    assert next(c for c in found.claims if c.text == same).citations == [1, 2]  # ... both sources
    merged = next(c for c in found.claims if c.text == same)
    assert merged.label == "Enligt Informationssäkerhetspolicy (12) och IT-säkerhetspolicy (14)"


def test_near_duplicate():
    assert near_duplicate("Lösenord ska ha minst 14 tecken.", "Lösenord ska ha minst 14 tecken")
    assert not near_duplicate("Lösenord ska ha minst 14 tecken.", "Loggar sparas i ett år.")


def test_language_of_questions():
    assert is_english("Can I install software on my work laptop myself?")
    assert not is_english("far jag salja min gamla jobbdator")  # Swedish without å/ä/ö
    assert not is_english("Hur långt måste ett lösenord vara?")


def test_placeholders_become_neutral_words_for_retrieval():
    assert neutral_text("Får jag mejla <NAMN>s uppgifter?") == "Får jag mejla en persons uppgifter?"
    assert "<" not in neutral_text("Ring <TELEFON> eller skriv till <EPOST>.")
    assert search_text("Får jag mejla <NAMN>s uppgifter?") == (
        "Får jag skicka e-post en persons uppgifter?"
    )
    assert search_text("ett misstänkt nätfiskemejl") == "ett misstänkt nätfiske e-post"
    assert search_text("Can I forward my work e-mail?") == "Can I forward my work e-mail?"


def test_bands_follow_the_thresholds_and_exact_references_answer():
    signals = Signals(**dict.fromkeys(FEATURES, 0.0))
    score = DEFAULT_MODEL.score(signals)
    assert 0.0 <= score <= 1.0
    assert decide(0.9, 0.6, 0.2) == "answered"
    assert decide(0.4, 0.6, 0.2) == "uncertain"
    assert decide(0.1, 0.6, 0.2) == "refused"
    assert decide(0.1, 0.6, 0.2, exact=True) == "answered"
