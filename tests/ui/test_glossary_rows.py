"""The glossary table of the Dokument page (rows ⇄ entries) and the "Tolkat som" caption."""

from __future__ import annotations

from ui.render import glossary_entries, glossary_rows, interpreted

ENTRIES = [
    {"concept": "publik AI-tjänst", "words": ["chatgpt", "copilot"], "note": "AI-riktlinjer"},
    {"concept": "bärbar dator", "words": ["jobbdator*"], "note": ""},
]


def test_entries_become_rows_with_comma_separated_words() -> None:
    assert glossary_rows(ENTRIES) == [
        {"Begrepp": "publik AI-tjänst", "Ord": "chatgpt, copilot", "Var": "AI-riktlinjer"},
        {"Begrepp": "bärbar dator", "Ord": "jobbdator*", "Var": ""},
    ]
    assert glossary_rows([{"concept": "lösenord", "words": ["kod"]}])[0]["Var"] == ""


def test_rows_round_trip_to_the_same_entries() -> None:
    assert glossary_entries(glossary_rows(ENTRIES)) == ENTRIES


def test_edited_rows_split_words_on_commas_and_drop_empty_rows() -> None:
    rows = [
        *glossary_rows(ENTRIES),
        {"Begrepp": "  säkerhetskopiering ", "Ord": " backup* ,, backupen ,", "Var": None},
        {"Begrepp": None, "Ord": None, "Var": None},  # a row added and left empty
        {"Begrepp": "utan ord", "Ord": " , ", "Var": "x"},
        {"Begrepp": "", "Ord": "ord utan begrepp", "Var": ""},
        {"Begrepp": float("nan"), "Ord": float("nan"), "Var": float("nan")},  # empty table cells
    ]
    assert glossary_entries(rows) == [
        *ENTRIES,
        {"concept": "säkerhetskopiering", "words": ["backup*", "backupen"], "note": ""},
    ]


def test_no_interpretation_gives_no_caption() -> None:
    assert interpreted({"answer": "…"}) is None
    assert interpreted({"interpreted_as": []}) is None


def test_one_concept_read_from_two_words() -> None:
    answer = {
        "interpreted_as": [
            {"word": "ChatGPT", "concept": "publik AI-tjänst"},
            {"word": "Copilot", "concept": "publik AI-tjänst"},
            {"word": "ChatGPT", "concept": "publik AI-tjänst"},  # said twice, shown once
            {"word": "jobbdatorn", "concept": "bärbar dator"},
        ]
    }
    assert interpreted(answer) == (  # md_escape: "-" would not start a list item
        r"Tolkat som: publik AI\-tjänst (ChatGPT, Copilot); bärbar dator (jobbdatorn)"
    )


def test_markdown_in_words_and_concepts_is_shown_literally() -> None:
    answer = {"interpreted_as": [{"word": "*backup*", "concept": "[säkerhets]_kopiering_"}]}
    caption = interpreted(answer)
    assert caption == r"Tolkat som: \[säkerhets\]\_kopiering\_ (\*backup\*)"
