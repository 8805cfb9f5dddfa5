"""The answerability signals of a question (``assistant/answerability.py``), from what
retrieval and the extractive answerer found."""

from __future__ import annotations

import numpy as np

from assistant.answer import Extraction
from assistant.answerability import Signals
from assistant.language import is_english
from assistant.retrieval import Retrieval, read_question


def signals_of(question: str, retrieval: Retrieval, found: Extraction) -> Signals:
    """The signals for the (redacted, standalone) ``question``: a glossary word counts as
    present when the sources use its concept (the retrieval's reading of the question)."""
    r = retrieval
    scores = np.asarray(r.dense_scores or [r.best_dense], dtype=np.float64)
    spread = float(scores.std()) or 1e-3
    english = is_english(question)
    reading = r.reading or read_question(question, None)
    return Signals(
        best_dense=r.best_dense,
        dense_z=(r.best_dense - float(scores.mean())) / spread,
        best_sentence=found.best_cosine,
        lexical=found.best_lexical,
        # an English question's words are not the Swedish corpus's: no evidence either way
        coverage=1.0 if english else r.coverage(reading),
        english=float(english),
        type_match=found.type_match,
        missing_names=r.missing_names(reading),
        heading_match=r.heading_match(reading),
    )
