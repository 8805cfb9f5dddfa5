"""The verifier (assistant/citations.py) with the real embedder: a statement is supported only
by the passage it cites, and its quote span points at the sentence it came from."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.citations import Verifier, cited_numbers, lexical_overlap, semantic_score

PASSWORDS = (
    "3.1 Lösenord\n\nLösenord ska bestå av minst 14 tecken. Lösenord får aldrig lämnas ut till "
    "någon annan, inte heller till IT-avdelningen."
)
BACKUP = (
    "5.2 Säkerhetskopiering\n\nSäkerhetskopiering av verksamhetssystem sker varje natt. "
    "Återläsning testas en gång per kvartal."
)


@pytest.fixture(scope="module")
def verifier(embedder) -> Verifier:
    return Verifier(lambda texts: np.asarray(embedder.get_text_embedding_batch(texts)))


def test_markers_are_removed_and_numbers_kept_once_in_order():
    assert cited_numbers("Lösenord ska ha minst 14 tecken [2][1] [2].") == (
        "Lösenord ska ha minst 14 tecken.",
        [2, 1],
    )
    assert cited_numbers("Inga hänvisningar.") == ("Inga hänvisningar.", [])


def test_lexical_overlap_and_semantic_scale():
    same = "Säkerhetskopiering sker varje natt."
    assert lexical_overlap(same, BACKUP) == 1.0
    assert lexical_overlap("Fotbolls-VM vanns av Brasilien.", BACKUP) == 0.0
    assert lexical_overlap("och att", BACKUP) == 0.0  # only stop words: nothing to check
    assert semantic_score(0.70) == 0.0 and semantic_score(0.99) == 1.0
    assert semantic_score(0.865) == pytest.approx(0.5)


def test_a_quoted_statement_is_supported_by_its_passage_with_the_span(verifier):
    claim = "Återläsning testas en gång per kvartal."
    (support,) = verifier.verify([claim], [[2]], [PASSWORDS, BACKUP])
    assert support.supported and support.passage == 2 and support.score > 0.9
    assert BACKUP[support.start : support.end] == claim


def test_a_statement_is_not_supported_by_a_passage_it_does_not_cite(verifier):
    claim = "Lösenord ska bestå av minst 14 tecken."
    right, wrong = verifier.verify([claim, claim], [[1], [2]], [PASSWORDS, BACKUP])
    assert right.supported and right.passage == 1
    assert not wrong.supported and wrong.passage == 2 and wrong.score < right.score


def test_uncited_statements_are_checked_against_every_passage(verifier):
    supported, unrelated = verifier.verify(
        ["Säkerhetskopiering sker varje natt.", "Fotbolls-VM 1958 vanns av Brasilien."],
        [[], []],
        [PASSWORDS, BACKUP],
    )
    assert supported.supported and supported.passage == 2
    assert not unrelated.supported


def test_nothing_to_check_against(verifier):
    assert verifier.verify([], [], [PASSWORDS]) == []
    (support,) = verifier.verify(["Något."], [[]], [])
    assert not support.supported and support.passage is None
