"""Questions in staff's own words over the sample policies: the glossary connects their
words to the documents' concepts, and the answer says how the question was read.

The four questions a new user asked (issue: everyday answers); each was answered wrongly or
"inget säkert svar" before the glossary."""

from __future__ import annotations

import pytest

from assistant.components import Components
from assistant.question import Question
from tests.assistant.test_retrieval import AI, IS, IT, PU
from tests.conftest import EVERYONE, make_settings


@pytest.fixture(scope="module")
def components(policies_kb, tmp_path_factory):
    built = Components.build(make_settings(tmp_path_factory.mktemp("everyday")), kb=policies_kb)
    yield built
    built.audit.close()


def _cited(answer) -> list[tuple[str, str | None]]:
    """(document, section number) of each cited source, in citation order."""
    return [(s.document_id, s.hit.payload.get("section_number")) for s in answer.sources
            if s.cited]  # fmt: skip


def test_chatgpt_is_read_as_a_public_ai_service_and_answered_from_the_ai_guidelines(components):
    answer = components.service.ask(
        Question("Får jag använda ChatGPT för att skriva ett beslut om en namngiven person?"),
        EVERYONE,
    )
    assert ("ChatGPT", "publik AI-tjänst") in answer.interpreted
    assert answer.band == "answered", answer.text
    assert _cited(answer)[0][0] == AI, _cited(answer)
    assert "personuppgifter" in answer.text.lower()


def test_the_work_laptop_abroad_is_answered_from_travel_rules(components):
    answer = components.service.ask(
        Question("Får jag ta hem jobbdatorn på semester utomlands?"), EVERYONE
    )
    assert {c for _, c in answer.interpreted} >= {"bärbar dator"}
    assert answer.band == "answered", answer.text
    assert (IT, "4.5") in _cited(answer), _cited(answer)


def test_a_lost_work_phone_is_an_incident(components):
    answer = components.service.ask(
        Question("Vem ska jag kontakta om jag tappat min jobbtelefon?"), EVERYONE
    )
    assert answer.interpreted, "tappat / jobbtelefon not read as concepts"
    assert answer.band == "answered", answer.text
    assert {d for d, _ in _cited(answer)} & {PU, IS, IT}


def test_how_often_to_change_a_password_quotes_the_change_rule(components):
    answer = components.service.ask(Question("Hur ofta ska jag byta lösenord?"), EVERYONE)
    assert answer.band == "answered", answer.text
    first = answer.statements[0].text.lower()
    assert "byt" in first, answer.text
