"""Answerability: answered, uncertain or refused — decided in code from several signals.

One cosine floor cannot decide it (e5 squeezes answerable and off-topic questions into one
narrow band), so the decision combines signals that cost nothing extra on the ask path:

- ``best_dense``: the best cosine of the question to a chunk;
- ``dense_z``: how far that best cosine stands out from the question's own top-40 cosines
  (a floor relative to the collection's score distribution for this question);
- ``best_sentence``: the best cosine of a single passage sentence (from the answerer);
- ``lexical``: share of the question's terms in that sentence;
- ``coverage``: share of the question's content terms that occur in the retrieved context at
  all (a word the corpus never uses — "parkering", "semester" — is a strong "not here");
- ``english``: English questions are compared cross-lingually and score lower;
- ``type_match``: 0 when the question asks for a time, an amount or a responsible body and no
  quoted sentence states one ("Hur stor budget …?" answered by a sentence without a number);
- ``missing_names``: 1 when the question names something (a capitalised word: "Tranås
  kommun", "Region Jönköpings län") that the retrieved context never mentions.

A logistic model over these (weights fitted on the calibration half of the golden set with
``python -m eval.calibrate``) gives a score in 0..1; two thresholds cut it into three bands.
A question naming a unit that is in the index (exact reference) is always answered.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Literal

Band = Literal["answered", "uncertain", "refused"]
FEATURES = (
    "best_dense", "dense_z", "best_sentence", "lexical", "coverage", "english", "type_match",
    "missing_names", "heading_match",
)  # fmt: skip


@dataclass(frozen=True)
class Signals:
    best_dense: float
    dense_z: float
    best_sentence: float
    lexical: float
    coverage: float
    english: float
    type_match: float
    missing_names: float
    heading_match: float = 0.0

    def vector(self) -> list[float]:
        return [getattr(self, name) for name in FEATURES]

    def as_dict(self) -> dict[str, float]:
        return {k: round(v, 4) for k, v in asdict(self).items()}


@dataclass(frozen=True)
class Model:
    """Logistic model: score = sigmoid(bias + Σ weight·feature)."""

    weights: tuple[float, ...]
    bias: float

    def score(self, signals: Signals) -> float:
        z = self.bias + sum(w * x for w, x in zip(self.weights, signals.vector(), strict=True))
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


# Fitted by ``python -m eval.calibrate`` on the calibration halves of both golden sets
# (policies + shared: our examples and real public documents), weights in FEATURES order.
DEFAULT_MODEL = Model(
    weights=(-4.289, 0.532, 49.871, -0.704, 4.679, -0.222, 1.301, 0.545, 0.0), bias=-45.785
)


def decide(
    score: float, answer_threshold: float, uncertain_threshold: float, exact: bool = False
) -> Band:
    """The band of a question with answerability ``score``."""
    if exact or score >= answer_threshold:
        return "answered"
    return "uncertain" if score >= uncertain_threshold else "refused"
