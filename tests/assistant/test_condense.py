"""Follow-up questions without an LLM (assistant/condense.py): an elliptic follow-up is joined
to the previous user question; a standalone question is left as it is."""

from __future__ import annotations

from assistant.condense import condense, needs_context
from assistant.question import Turn

HISTORY = [
    Turn(role="user", content="Hur långt måste ett lösenord vara?"),
    Turn(role="assistant", content="Lösenord ska bestå av minst 14 tecken. [1]"),
]


def test_elliptic_follow_ups_need_the_previous_question():
    for question in ("Och för tjänstekonton då?", "Gäller det även vikarier?",
                     "what about service accounts?"):  # fmt: skip
        assert needs_context(question), question
    assert not needs_context("Hur ofta ska säkerhetskopior tas av verksamhetssystemen?")


def test_a_follow_up_is_joined_to_the_last_user_question():
    assert condense("Och för tjänstekonton då?", HISTORY) == (
        "Hur långt måste ett lösenord vara? Och för tjänstekonton då?"
    )
    later = [*HISTORY, Turn(role="user", content="Vem ansvarar för <NAMN>s konto?")]
    assert condense("Gäller det även vikarier?", later) == (
        "Vem ansvarar för <NAMN>s konto? Gäller det även vikarier?"
    )


def test_standalone_questions_and_empty_histories_are_unchanged():
    standalone = "Hur ofta ska säkerhetskopior tas av verksamhetssystemen?"
    assert condense(standalone, HISTORY) == standalone
    assert condense("Och för tjänstekonton då?", []) == "Och för tjänstekonton då?"
    only_answers = [Turn(role="assistant", content="Hej!")]
    assert condense("Och för tjänstekonton då?", only_answers) == "Och för tjänstekonton då?"
