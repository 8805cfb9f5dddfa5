"""What an extractive quote carries besides its verbatim text: whom a subjectless quote is
about, the opening sentence of a law's point, one paragraph number, a window stating the
asked-for time or body, and the "Ja."/"Nej." a yes/no question gets from its deciding rule."""

from __future__ import annotations

import re

import numpy as np
import pytest

from assistant.answer import (
    ACTOR,
    STATES_TIME,
    Claim,
    ExtractiveAnswerer,
    Passage,
    _asked,
    _Sentence,
    framed_verdict,
    framing,
    render,
    verdict_of,
)
from assistant.retrieval import Hit
from core import index
from core.text.segment import split_sentences
from tests.conftest import make_settings

ROLES = "IT-policy > Organisation - Roller och ansvar"
BOARD = (
    "Kommunstyrelsen\n\n"
    "Kommunstyrelsen är ägare av de gemensamma IT-systemen.\n\n"
    "Ansvarar för:\n\n"
    "- att besluta om kommunövergripande riktlinjer inom IT-området,\n\n"
    "- att besluta i ärenden som rör kommunövergripande system."
)
TECHNICAL = (
    "Tekniska nämnden\n\n"
    "Ansvarar för:\n\n"
    "- att genom IT-verksamheten tillse drift och underhåll av de gemensamma IT-systemen."
)
ERASURE = (
    "1\n\n"
    "1. The data subject shall have the right to obtain from the controller the erasure of "
    "personal data without undue delay where one of the following grounds applies:\n\n"
    "(a) the personal data are no longer necessary for the purposes they were collected for;\n\n"
    "(b) the data subject withdraws consent on which the processing is based;\n\n"
    "(c) the data subject objects to the processing."
)
SECRECY = (
    "5\n\n5. The data protection officer shall be bound by secrecy or confidentiality "
    "concerning the performance of his or her tasks."
)


def passage(n: int, text: str, section: str, doc: str = "it-policy", rank: int = 0,
            title: str = "IT-policy") -> Passage:  # fmt: skip
    payload = {index.DOC_ID: doc, index.TITLE: title, index.SECTION_PATH: section,
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
        vectors, make_settings(tmp_path_factory.mktemp("framing"), yes_no_framing=True)
    )


def ask(answerer, embedder, question: str, passages: list[Passage]):
    return answerer.answer(question, embedder.get_query_embedding(question), passages)


def verbatim(found, passages: list[Passage]) -> None:
    for claim in found.claims:
        source = passages[claim.citations[0] - 1].hit.text
        assert source[claim.start : claim.end] == claim.text


def test_a_subjectless_lead_in_is_quoted_with_the_heading_that_names_who(answerer, embedder):
    ps = [passage(1, BOARD, f"{ROLES} > Kommunstyrelsen"),
          passage(2, TECHNICAL, f"{ROLES} > Tekniska nämnden", rank=1)]  # fmt: skip
    found = ask(answerer, embedder,
                "Vem ansvarar för att besluta om kommunövergripande riktlinjer inom IT-området?",
                ps)  # fmt: skip
    verbatim(found, ps)
    first = found.claims[0]
    assert first.text.startswith("Ansvarar för:") and first.about == "Kommunstyrelsen"
    assert render(found.claims).startswith("Kommunstyrelsen — ansvarar för:\n- att besluta om")
    assert found.type_match == 1.0  # the quote names who: the body it is about
    found = ask(answerer, embedder, "Vem ansvarar för drift och underhåll av IT-systemen?", ps)
    duty = next(c for c in found.claims if "drift och underhåll" in c.text)
    assert duty.about == "Tekniska nämnden"  # the list's own heading, not the other body


def test_a_lead_in_with_a_subject_or_topic_gets_nothing_added(answerer, embedder):
    text = "Kommunstyrelsen ska:\n\n- fastställa riktlinjer för informationssäkerhet"
    found = ask(answerer, embedder, "Vem fastställer riktlinjer för informationssäkerhet?",
                [passage(1, text, "4 Ansvar")])  # fmt: skip
    assert [c.about for c in found.claims] == [None]
    assert render(found.claims).startswith("Kommunstyrelsen ska:")
    generic = "Ansvarar för:\n\n- att fastställa riktlinjer för informationssäkerhet"
    found = ask(answerer, embedder, "Vem fastställer riktlinjer för informationssäkerhet?",
                [passage(1, generic, "4 Roller och ansvar")])  # fmt: skip
    assert [c.about for c in found.claims] == [None]  # the heading does not say who either


def test_a_point_of_a_law_comes_with_its_paragraphs_opening_sentence(answerer, embedder):
    section = "Chapter III > Article 17 – Right to erasure > 1"
    ps = [passage(1, ERASURE, section, doc="gdpr", title="GDPR")]
    found = ask(
        answerer,
        embedder,
        "Can I have my data erased when I withdraw consent to the processing?",
        ps,
    )
    verbatim(found, ps)
    text = render(found.claims)
    assert text.startswith("1. The data subject shall have the right to obtain")
    assert "(b) the data subject withdraws consent" in text
    assert not re.match(r"1\s+1\.", text)


def test_a_numbered_paragraph_is_quoted_with_its_number_once(answerer, embedder):
    ps = [passage(1, SECRECY, "Article 38 – Position of the data protection officer > 5",
                  doc="gdpr", title="GDPR")]  # fmt: skip
    found = ask(answerer, embedder, "Is the data protection officer bound by secrecy?", ps)
    verbatim(found, ps)
    assert render(found.claims).startswith("5. The data protection officer shall be bound")
    recital = "Recital 66\n\n(66) To strengthen the right to be forgotten online, the right to "
    recital += "erasure should also be extended to controllers who made the data public."
    ps = [passage(1, recital, "Recitals > Recital 66", doc="gdpr", title="GDPR")]
    found = ask(answerer, embedder, "How is the right to be forgotten strengthened online?", ps)
    assert render(found.claims).startswith("(66) To strengthen")  # not "Recital 66 (66) …"


def test_an_item_is_quoted_whole_and_no_sentence_of_it_leads_in_the_next(answerer, embedder):
    text = (
        "Följande gäller för lösenord:\n\n"
        "- Lösenordet är personligt och får aldrig lämnas ut till någon annan, inte heller till "
        "chef, kollega, leverantör eller IT-servicedesken, och inte heller i ett mejl eller i "
        "ett telefonsamtal som verkar komma från kommunen. IT-servicedesken frågar aldrig "
        "efter lösenord och ringer aldrig upp för att be om det.\n\n"
        "- Tjänstelösenord får inte användas för privata konton, sociala medier, webbutiker "
        "eller andra tjänster utanför kommunen, och ett lösenord får inte återanvändas.\n\n"
        "- Lösenordet ska bytas omedelbart vid misstanke om att någon annan känner till det. "
        "Regelbundet tvingande lösenordsbyte tillämpas inte för konton med tvåfaktor."
    )
    ps = [passage(1, text, "3 Lösenord")]
    found = ask(answerer, embedder, "Hur ofta ska jag byta lösenord?", ps)
    verbatim(found, ps)
    quoted = render(found.claims)
    assert "ska bytas omedelbart" in quoted
    assert "IT-servicedesken frågar aldrig" not in quoted  # not taken for the item's lead-in
    assert "Regelbundet tvingande lösenordsbyte" in quoted  # the rest of the item comes along
    assert quoted.startswith("Följande gäller för lösenord:")


def _scored(p: Passage, scores: list[float], answerer: ExtractiveAnswerer) -> list[_Sentence]:
    sents = answerer._sentences(p)
    for s, score in zip(sents, scores, strict=True):
        s.score, s.cosine = score, 0.9
    return sents


def test_a_time_question_quotes_a_window_stating_the_time_first(answerer):
    text = ("IT-servicedesken frågar aldrig efter ditt lösenord. "
            "Lösenordet ska bytas minst en gång per år.")  # fmt: skip
    p = passage(1, text, "3 Lösenord")
    within = _scored(p, [0.80, 0.75], answerer)  # the time within the margin of the best
    chosen = answerer._choose(sorted(within, key=lambda s: -s.score), {id(p): within},
                              STATES_TIME)  # fmt: skip
    assert STATES_TIME.search(chosen[0][0].span.text)
    further = _scored(p, [0.80, 0.65], answerer)  # beyond the margin, within the wider one
    chosen = answerer._choose(sorted(further, key=lambda s: -s.score), {id(p): further},
                              STATES_TIME)  # fmt: skip
    assert [w[0].index for w in chosen] == [1, 0]
    far = _scored(p, [0.80, 0.50], answerer)  # too far: as without a kind
    chosen = answerer._choose(sorted(far, key=lambda s: -s.score), {id(p): far}, STATES_TIME)
    assert [w[0].index for w in chosen] == [0]


def test_the_actor_pattern_names_bodies_and_roles_not_the_verb():
    for actor in (
        "Kommunstyrelsen",
        "Tekniska nämnden",
        "IT-chefen",
        "systemägaren",
        "personuppgiftsansvarig",
        "E-rådet",
        "IT-servicedesken",
        "the controller",
    ):
        assert ACTOR.search(actor), actor  # fmt: skip
    for other in ("Ansvarar för:", "ovan nämnda", "inom IT-området", "vägledning"):
        assert not ACTOR.search(other), other
    assert _asked("Vem beslutar om undantag?") is not None
    assert _asked("Kan jag begära en kontroll av vem som har läst journalen?") is None  # yes/no


@pytest.mark.parametrize(
    ("question", "rule", "verdict"),
    [
        ("Får jag installera program på min tjänstedator?",
         "Användaren får inte installera program på tjänstedatorn.", "nej"),
        ("Får man spara lösenord i webbläsaren?",
         "Lösenord får aldrig sparas i webbläsarens lösenordsfunktion.", "nej"),
        ("Får jag ansluta min privata dator till gästnätet?",
         "Privata datorer får anslutas till gästnätet om de har aktuella uppdateringar.",
         "villkor"),
        ("Får jag använda USB-minnen på jobbdatorn?",
         "Endast krypterade USB-minnen får användas på jobbdatorn.", "villkor"),
        ("Får jag installera program på jobbdatorn?",
         "Program får inte installeras på jobbdatorn utan IT-chefens godkännande.", "villkor"),
        ("Får vi använda privat e-post i tjänsten?",
         "Privat e-post får användas i tjänsten om inte chefen beslutar annat.", "villkor"),
        ("Får jag använda ChatGPT för att förbättra språket i ett pressmeddelande?",
         "ChatGPT får användas för att förbättra språket i texter som pressmeddelanden.", "ja"),
        ("Måste jag använda tvåfaktorsautentisering hemifrån?",
         "Tvåfaktorsautentisering ska användas för alla konton som nås hemifrån.", "ja"),
        ("Behöver jag märka interna dokument som skrivits med AI?",
         "Interna dokument som skrivits med AI behöver inte märkas.", "nej"),
        ("Behöver interna dokument märkas om jag har använt AI?",
         "Interna dokument behöver inte märkas.", "nej"),
        ("Ska jag ge mitt lösenord till IT-servicedesken?",
         "Lösenordet får aldrig lämnas ut till IT-servicedesken.", "nej"),
        ("Ska jag stänga av datorn om den har fått virus?",
         "Vid misstanke om virus ska användaren:\n\n- koppla bort datorn från nätverket\n\n"
         "- inte stänga av datorn, eftersom spår då kan försvinna", "nej"),  # item + lead-in
        # a rule about another level, or a prohibition the quote makes an exception to
        ("Får jag skicka nivå 3-information med vanlig e-post?",
         "Nivå 0 och 1 får skickas med vanlig e-post.", None),
        ("Får vi använda riktiga personuppgifter i testmiljön?",
         "Verkliga personuppgifter får inte användas i testmiljöer. Om det är nödvändigt att "
         "testa med verklig information ska uppgifterna avidentifieras.", None),
        ("Must the processor notify the controller of a personal data breach?",
         "The processor shall notify the controller of a personal data breach.", "ja"),
        ("Får vi testa systemet med riktiga personuppgifter?",
         "Riktiga personuppgifter får inte användas i testmiljöer om det inte är absolut "
         "nödvändigt.", "villkor"),
        # a modal of a relative clause is no rule; a compound is not the word it begins with
        ("Ska man köra Label Studio med latest-taggen?",
         "Label Studio erbjuder flera sätt att läsa in den data som ska taggas.", None),
        ("Får vi lämna vårt anbud på engelska?",
         "Endast intyg som anbudsgivaren bifogar får vara på engelska.", None),
        # the subject a genitive names; a special case a general rule does not decide
        ("Får Sunets styrelse göra undantag från reglerna för tillåten användning?",
         "Användning som strider mot Sunets etiska regler är inte tillåten.", None),
        ("Måste jag dokumentera i ärendet om jag bara använt AI för stavningskontroll?",
         "När AI har använts i handläggningen av ett ärende ska detta dokumenteras i ärendet.",
         None),
        # a permission the next sentence limits, a duty next to a closer "inte"
        ("Får en förvaltning ta fram egna rutiner som är mer tillåtande än riktlinjerna?",
         "Förvaltningar får ta fram egna rutiner för sitt område. Sådana rutiner får vara "
         "strängare än riktlinjerna men aldrig mer tillåtande.", None),
        ("Måste jag byta lösenord regelbundet när jag har tvåfaktorsinloggning?",
         "Lösenordet ska bytas omedelbart vid misstanke om intrång. Regelbundet tvingande "
         "lösenordsbyte tillämpas inte för konton med tvåfaktorsinloggning.", None),
        # a duty does not answer whether one may; a permission not whether one must
        ("Får jag använda USB-minnen på jobbdatorn?",
         "USB-minnen på jobbdatorn ska vara krypterade.", None),
        ("Måste jag använda lösenordshanteraren för lösenord?",
         "Lösenordshanteraren får användas för att lagra lösenord.", None),
        # a rule about something else, or not a yes/no question
        ("Får jag installera program på min tjänstedator?",
         "Lösenord får inte skrivas ned på papper.", None),
        ("Får jag installera program på min tjänstedator?",
         "Användaren får tillgång till programkatalogen på tjänstedatorn.", None),
        ("Hur långt ska lösenordet vara?", "Lösenordet får inte vara kortare än 14 tecken.", None),
    ],
)  # fmt: skip
def test_the_verdict_of_a_rule_over_the_asked_thing(question, rule, verdict):
    assert verdict_of(question, rule) == verdict


def test_rules_that_disagree_give_no_verdict():
    rules = ("Privata datorer får inte anslutas till nätverket. "
             "Privata datorer får anslutas till nätverket.")  # fmt: skip
    assert verdict_of("Får jag ansluta privata datorer till nätverket?", rules) is None


def test_framing_follows_the_questions_language():
    rule = "Users may not install software on the laptop."
    assert framing("Can I install software on my laptop?", rule) == "No."
    assert framing("Får jag installera program på tjänstedatorn?",
                   "Program får installeras på tjänstedatorn.") == "Ja."  # fmt: skip


def test_render_shows_the_verdict_and_whom_the_quote_is_about_outside_the_quote():
    claims = [Claim("Ansvarar för:\n\n- att besluta om riktlinjer,", [1], about="Kommunstyrelsen",
                    lead="Ja."), Claim("Nämnderna ska följa dem.", [2])]  # fmt: skip
    text = render(claims)
    assert text == ("Ja. Kommunstyrelsen — ansvarar för:\n- att besluta om riktlinjer, [1] "
                    "Nämnderna ska följa dem. [2]")  # fmt: skip
    assert claims[0].text.startswith("Ansvarar för:")  # the quote itself is untouched
    assert framed_verdict(text) == "ja"
    assert framed_verdict("Ja, under villkor: Privata datorer får anslutas om …") == "villkor"
    assert framed_verdict("Yes, if: …") == "villkor" and framed_verdict("No. Users …") == "nej"
    assert framed_verdict("Jag hittar inget stöd för det.") is None


def test_a_yes_no_answer_opens_with_its_verdict_and_keeps_the_quote_verbatim(answerer, embedder):
    text = ("Tjänstedatorer får inte lånas ut till familjemedlemmar. "
            "Gästnätet är öppet för besökare.")  # fmt: skip
    ps = [passage(1, text, "5 Utrustning")]
    found = ask(answerer, embedder, "Får jag låna ut min tjänstedator till familjemedlemmar?", ps)
    verbatim(found, ps)
    assert found.claims[0].lead == "Nej."
    assert render(found.claims).startswith("Nej. Tjänstedatorer får inte lånas ut")
    assert found.claims[0].end in {s.end for s in split_sentences(text)}
    found = ask(answerer, embedder, "Vilka får använda gästnätet?", ps)
    assert all(c.lead is None for c in found.claims)  # not a yes/no question
