"""The question's language: Swedish or English (for retrieval and the fixed answer texts)."""

from __future__ import annotations

import re

from spacy.lang.en.stop_words import STOP_WORDS as EN_STOP
from spacy.lang.sv.stop_words import STOP_WORDS as SV_STOP

_WORD = re.compile(r"[^\W\d_]+")
_SWEDISH_LETTERS = re.compile(r"[åäöÅÄÖ]")
_EN_ONLY = EN_STOP - SV_STOP
_SV_ONLY = SV_STOP - EN_STOP


def is_english(text: str) -> bool:
    """More English than Swedish function words (spaCy's stop-word lists) and no Swedish
    letters: "Can I install software myself?" is English, "far jag salja datorn" is not."""
    if _SWEDISH_LETTERS.search(text):
        return False
    words = [w.lower() for w in _WORD.findall(text)]
    english = sum(w in _EN_ONLY for w in words)
    return english > 0 and english > sum(w in _SV_ONLY for w in words)
