"""The answer-kind metrics: yes/no framing against the golden verdict, an actor named for
"vem"-questions, a time stated for "hur ofta / när"-questions."""

from __future__ import annotations

import pytest

from eval import metrics


def _record(**kw) -> dict:
    base = {"id": "x", "kind": "answerable", "style": "formal", "expected": [["d", "1"]],
            "key_phrase": None, "should_refuse": False, "refused": False, "error": None,
            "cited_relevant": [True], "key_phrase_hit": None, "sentences": [], "pii_types": [],
            "pii_leaked": [], "pii_partial_leaks": [], "pii_missing_types": [], "redactions": {},
            "timings": {"total": 100.0}, "retrieval": {}, "mode": "extractive", "answer": "",
            "answer_words": 0, "fact_hit": None, "band": "answered"}  # fmt: skip
    return base | kw


def test_yes_no_precision_is_over_framed_answers_and_coverage_over_verdict_items():
    results = [
        _record(verdict="nej", answer="Nej. Lösenord får inte lämnas ut [1]."),
        _record(verdict="ja", answer="Ja. Program får installeras via portalen [1]."),
        _record(verdict="villkor", answer="Ja, under villkor: USB-minnen får användas om … [1]"),
        _record(verdict="villkor", answer="Ja. Privata datorer får anslutas [2]."),  # wrong
        _record(verdict="nej", answer="Tjänstedatorer lånas inte ut [1]."),  # no framing
        _record(verdict="ja", answer="Yes. Users may … [1]"),  # English framing
        _record(verdict="nej", band="uncertain", refused=True, answer="Ja. …"),  # not answered
        _record(answer="Nej. Ingen verdict i facit [1]."),  # not a verdict item
    ]
    m = metrics.compute(results, modes=("hybrid",), k=5)
    assert m["answer.yes_no.precision"] == pytest.approx(4 / 5)
    assert m["answer.yes_no.coverage"] == pytest.approx(5 / 6)


def test_who_answers_name_an_actor_and_time_answers_state_a_time():
    results = [
        _record(asks="who", answer="Kommunstyrelsen — ansvarar för: att besluta … [1]"),
        _record(asks="who", answer="Ansvarar för:\n- att besluta om riktlinjer, [1]"),
        _record(asks="time", answer="Lösenordet ska bytas minst en gång per år [1]."),
        _record(asks="time", answer="Lösenordet ska bytas vid misstanke om intrång [1]."),
        _record(asks="time", answer="Loggar sparas i 12 månader [2]."),
        _record(asks="who", refused=True, band="refused", answer=""),  # not answered
        _record(asks="amount", answer="Minst 14 tecken [1]."),
    ]
    m = metrics.compute(results, modes=("hybrid",), k=5)
    assert m["answer.who.actor"] == pytest.approx(1 / 2)
    assert m["answer.time.stated"] == pytest.approx(2 / 3)


def test_the_kind_metrics_are_none_without_such_items():
    m = metrics.compute([_record(answer="Ja. [1]")], modes=("hybrid",), k=5)
    assert m["answer.yes_no.precision"] is None and m["answer.yes_no.coverage"] is None
    assert m["answer.who.actor"] is None and m["answer.time.stated"] is None
