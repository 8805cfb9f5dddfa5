"""The concept glossary: reading questions into the documents' concepts, and its file."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from core import concepts
from core.concepts import Entry, Glossary

ENTRIES = [
    Entry(concept="publik AI-tjänst", words=("chatgpt", "chat gpt", "copilot")),
    Entry(concept="bärbar dator", words=("jobbdator*", "laptop")),
    Entry(concept="förlorad eller stulen enhet", words=("tappat", "tappat bort", "borttappad")),
    Entry(concept="utlandsresa", words=("utomlands",)),
]


def test_words_are_read_as_concepts_whole_word_case_and_diacritics_folded():
    g = Glossary(ENTRIES)
    found = g.read("Får jag ta hem JOBBDATORN på semester utomlands? Och ChatGPT?")
    assert [(m.word, m.concept) for m in found] == [
        ("JOBBDATORN", "bärbar dator"), ("utomlands", "utlandsresa"),
        ("ChatGPT", "publik AI-tjänst"),
    ]  # fmt: skip
    assert g.read("en chatgptliknande tjänst") == []  # whole words only (no '*')
    assert [m.concept for m in g.read("jag har tappat bort min telefon")] == [
        "förlorad eller stulen enhet"
    ]  # the longer phrase wins, once


def test_offsets_point_into_the_original_text():
    text = "Kan jag använda Chat  GPT på jobbdatorn?"
    for m in Glossary(ENTRIES).read(text):
        assert text[m.start : m.end] == m.word
    assert [m.word for m in Glossary(ENTRIES).read(text)] == ["Chat  GPT", "jobbdatorn"]


def test_a_word_whose_concept_the_question_states_is_no_match():
    assert Glossary(ENTRIES).read("Får en bärbar dator (laptop) tas med?") == []


def test_expanded_text():
    text = "Får jag använda ChatGPT utomlands?"
    found = Glossary(ENTRIES).read(text)
    assert concepts.expanded(text, found) == f"{text} (publik AI-tjänst; utlandsresa)"
    assert concepts.expanded(text, []) == text


def test_entries_are_validated():
    with pytest.raises(ValidationError):
        Entry(concept="x", words=("ord",))  # concept too short
    with pytest.raises(ValidationError):
        Entry(concept="e-post", words=())
    with pytest.raises(ValidationError):
        Entry(concept="e-post", words=("m*ejl",))  # '*' only at the end
    with pytest.raises(ValidationError):
        Entry(concept="e-post\x00", words=("mejl",))
    assert Entry(concept=" e-post ", words=("Mejl", "mejl ")).words == ("mejl",)
    with pytest.raises(ValidationError):
        concepts.parse(b'{"entries": [{"concept": "e-post", "words": ["mejl"], "x": 1}]}')


def test_the_organisations_glossary_replaces_the_default(tmp_path):
    default = concepts.load(tmp_path)  # no own file: the shipped default
    assert default.entries and default.read("Får jag använda ChatGPT?")
    concepts.save(tmp_path, concepts.GlossaryFile(entries=ENTRIES[:1]))
    own = concepts.load(tmp_path)
    assert own.entries == ENTRIES[:1]
    assert own.read("jobbdatorn") == []
    assert not list(tmp_path.glob(".glossary-*"))  # no temporary file left
