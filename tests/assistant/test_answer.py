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

    return ExtractiveAnswerer(
        vectors, make_settings(tmp_path_factory.mktemp("a"), yes_no_framing=True)
    )


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


def test_a_yes_no_question_gets_the_deciding_quote_first(answerer, embedder):
    how = passage(
        1, "Program på tjänstedatorn installeras av användaren själv via programkatalogen.",
        doc="it", title="IT-säkerhetspolicy", section="5 Program",
    )  # fmt: skip
    rule = passage(
        2, "Användaren får inte installera program på tjänstedatorn utanför programkatalogen.",
        doc="ai", title="Riktlinje för program", section="3 Installation", rank=1,
    )  # fmt: skip
    question = "Får jag installera program på min tjänstedator?"
    found = ask(answerer, embedder, question, [how, rule])
    assert [c.citations for c in found.claims] == [[2], [1]]  # "får inte" decides it
    # the same question not phrased as yes/no: the windows in the order of their scores
    ranked = ask(answerer, embedder, f"Jag undrar: {question.lower()}", [how, rule])
    assert [c.citations for c in ranked.claims] == [[1], [2]]


def test_statements_from_two_documents_are_labelled_per_document(answerer, embedder):
    question = "Hur långt ska ett lösenord vara?"
    it = passage(1, "Lösenord ska bestå av minst 14 tecken.", doc="it",
                 title="IT-säkerhetspolicy", section="3.1 Lösenord")  # fmt: skip
    other = passage(2, "Ett lösenord måste vara minst tolv tecken långt.", doc="is",
                    title="Informationssäkerhetspolicy", section="7.2 Konton", rank=1)  # fmt: skip
    found = ask(answerer, embedder, question, [it, other])
    assert {c.citations[0]: c.label for c in found.claims} == {
        1: "Enligt IT-säkerhetspolicy (3.1)",
        2: "Enligt Informationssäkerhetspolicy (7.2)",
    }
    assert render(found.claims).count("\n\nEnligt ") == 1  # each document's statement apart
    alone = ask(answerer, embedder, question, [it])
    assert [c.label for c in alone.claims] == [None]  # one document: nothing to tell apart


def test_a_list_item_far_from_its_lead_in_is_quoted_with_the_lead_in_only(answerer, embedder):
    items = [
        "lösenordet ska vara unikt för varje system och får aldrig återanvändas mellan tjänster",
        "lösenordet får inte skrivas ned på papper, lappar eller i okrypterade filer på datorn",
        "lösenordet ska bytas omedelbart om någon annan kan ha fått kännedom om det",
        "lösenordet får inte lämnas ut till kollegor, chefer eller IT-supporten vid felsökning",
        "lösenordshanterare som kommunen tillhandahåller får användas för att lagra lösenord",
        "tvåfaktorsautentisering ska användas för alla konton som nås utanför kommunens nätverk",
    ]
    text = "Följande gäller för lösenord:\n\n" + "\n\n".join(f"- {t}" for t in items)
    found = ask(answerer, embedder, "Ska tvåfaktorsautentisering användas utanför nätverket?",
                [passage(1, text, section="3 Lösenord")])  # fmt: skip
    quoted = render(found.claims)
    assert quoted.startswith("Ja. Följande gäller för lösenord:")  # the rule decides it
    assert items[-1] in quoted and items[2] not in quoted  # the lead-in and the item alone
    for claim in found.claims:  # each a verbatim run of the passage, ending at a sentence end
        assert text[claim.start : claim.end] == claim.text
        assert claim.end in {s.end for s in split_sentences(text)}
