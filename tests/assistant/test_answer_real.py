"""Extractive answers over real documents (skipped without ../shared/corpus): a "vem"-answer
names the body its list belongs to, a GDPR point comes with its paragraph's opening
sentence, and paragraph numbers appear once."""

from __future__ import annotations

import re
import shutil

import pytest

from assistant.components import Components
from assistant.question import Question
from core.store import KnowledgeBase
from ingest.pipeline import Ingestor
from tests.conftest import EVERYONE, SHARED, make_settings

KARLSHAMN = SHARED / "kommun_sv" / "karlshamn_7.54-IT-och-informationssakerhetspolicy-1.pdf"
GDPR = SHARED / "eu_en" / "eurlex_CELEX_32016R0679_EN_TXT.html"
DOUBLED = re.compile(r"(?:^|\s)(\d{1,3})\s+\1\.\s")  # "1 1. In the case …"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def service(tmp_path_factory, embedder):
    if not (KARLSHAMN.is_file() and GDPR.is_file()):
        pytest.skip("../shared/corpus is not available")
    docs = tmp_path_factory.mktemp("real-docs")
    for source in (KARLSHAMN, GDPR):
        shutil.copy(source, docs / source.name)
    settings = make_settings(tmp_path_factory.mktemp("real"))
    kb = KnowledgeBase(settings, embedder=embedder)
    assert Ingestor(kb).ingest([docs]).ok
    components = Components.build(settings, kb=kb)
    yield components.service
    components.close()


def ask(service, question: str) -> str:
    answer = service.ask(Question(question), EVERYONE)
    assert answer.band == "answered", answer.text
    assert all(s.supported for s in answer.statements)  # every quote still verbatim
    return answer.text


def test_a_vem_answer_names_the_body_its_list_belongs_to(service):
    text = ask(service, "Vem ansvarar för att besluta om kommunövergripande riktlinjer inom "
                        "IT-området?")  # fmt: skip
    duty = text.index("att besluta om kommunövergripande riktlinjer")
    assert "Kommunstyrelsen" in text[:duty]


def test_a_gdpr_point_comes_with_its_paragraphs_opening_sentence(service):
    text = ask(service, "What does Article 17 say about the right to erasure?")
    assert text.startswith("1. The data subject shall have the right to obtain from the "
                           "controller the erasure")  # fmt: skip


@pytest.mark.parametrize(
    "question",
    [
        "What does Article 33 say about notification of a personal data breach?",
        "What does Article 38 say about the position of the data protection officer?",
        "Is the data protection officer bound by secrecy under Article 38?",
    ],
)
def test_paragraph_numbers_appear_once(service, question):
    text = ask(service, question)
    assert not DOUBLED.search(text), text
    assert not re.match(r"\d{1,3}\n", text)  # no bare number line before the paragraph
