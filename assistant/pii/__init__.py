"""Swedish personal-data scrubber: the first step for every user question.

Presidio's analyzer runs fully offline on a blank spaCy Swedish pipeline
(tokens only, no NER model, nothing downloaded) with the Swedish recognizers in
:mod:`assistant.pii.recognizers` and :mod:`assistant.pii.names`.
The text is normalised first (:mod:`assistant.pii.normalize`: NFKC, every dash variant,
no-break and zero-width spaces, control characters) and findings are mapped back to the
original characters. Each finding is replaced by a typed placeholder (``<PERSONNUMMER>``,
``<NAMN>`` …) so the question stays answerable; control characters are removed. Only
types and counts are reported, never values, and this module logs nothing about the text.

    >>> get_scrubber().scrub("Får jag mejla Anna Svenssons personnummer 19811218-9876?").text
    'Får jag mejla <NAMN>s personnummer <PERSONNUMMER>?'
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import spacy
from presidio_analyzer import AnalyzerEngine, RecognizerRegistry, RecognizerResult
from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer
from presidio_analyzer.nlp_engine import NlpArtifacts, SpacyNlpEngine
from spacy.lang.sv.stop_words import STOP_WORDS

from assistant.pii.normalize import Normalized, normalize, strip_controls
from assistant.pii.recognizers import (
    ENTITY_LABELS,
    LANGUAGE,
    NEUTRAL_WORDS,
    build_recognizers,
    deny_list_recognizer,
)
from core.settings import Settings, get_settings

__all__ = [
    "PiiScrubError", "PiiScrubber", "Redaction", "ScrubResult", "Span", "get_scrubber",
    "neutral_text",
]  # fmt: skip

# Presidio logs context words and match details at DEBUG: keep raw text out of all logs.
for _name in ("presidio-analyzer", "presidio-anonymizer"):
    logging.getLogger(_name).setLevel(logging.WARNING)


_PLACEHOLDER = re.compile(r"<(" + "|".join(map(re.escape, NEUTRAL_WORDS)) + r")>(s\b)?")


def neutral_text(redacted: str) -> str:
    """Redacted text with its placeholders as neutral words, for retrieval only:
    "Får jag mejla <NAMN>s personnummer?" → "Får jag mejla en persons personnummer?"."""
    return _PLACEHOLDER.sub(lambda m: NEUTRAL_WORDS[m.group(1)] + (m.group(2) or ""), redacted)


@dataclass(frozen=True)
class Redaction:
    """One kind of personal data that was removed: Swedish label and count, never values."""

    type: str
    count: int


@dataclass(frozen=True)
class ScrubResult:
    """Redacted text with typed placeholders and what was removed (one entry per type)."""

    text: str
    redactions: list[Redaction]

    @property
    def summary_sv(self) -> str:
        """Removed types as plain Swedish, e.g. ``"personnummer, namn"`` ("" if none)."""
        return ", ".join(r.type for r in self.redactions)

    @property
    def total(self) -> int:
        """Number of removed items."""
        return sum(r.count for r in self.redactions)


@dataclass(frozen=True)
class Span:
    """Where a finding is (for evaluation); holds positions, never the value."""

    type: str
    start: int
    end: int
    score: float


class PiiScrubError(RuntimeError):
    """Scrubbing failed; the text must not be used. The message never contains the text."""


class _BlankSwedishNlpEngine(SpacyNlpEngine):
    """Presidio spaCy engine around an already loaded blank ``sv`` pipeline.

    Tokens only (no NER, no model files); the lower-cased token stands in for the lemma so
    Presidio's context enhancer can match Swedish context words.
    """

    def __init__(self, nlp: spacy.language.Language) -> None:
        super().__init__(models=[{"lang_code": LANGUAGE, "model_name": "blank:sv"}])
        self.nlp = {LANGUAGE: nlp}

    def load(self) -> None:
        pass

    def get_supported_entities(self) -> list[str]:
        return []

    def is_stopword(self, word: str, language: str) -> bool:
        return word.lower() in STOP_WORDS

    def _doc_to_nlp_artifact(self, doc: spacy.tokens.Doc, language: str) -> NlpArtifacts:
        return NlpArtifacts(
            entities=[],
            tokens=doc,
            tokens_indices=[t.idx for t in doc],
            lemmas=[t.lemma_ or t.lower_ for t in doc],
            nlp_engine=self,
            language=language,
            scores=[],
        )


@lru_cache(maxsize=1)
def _nlp_engine() -> _BlankSwedishNlpEngine:
    return _BlankSwedishNlpEngine(spacy.blank(LANGUAGE))


def _read_terms(path: Path | None) -> list[str]:
    """Lines of a deny-list file (blank lines and ``#`` comments skipped)."""
    if path is None:
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [s for line in lines if (s := line.strip()) and not s.startswith("#")]


def resolve_overlaps(results: list[RecognizerResult]) -> list[RecognizerResult]:
    """Make findings disjoint: a finding inside a longer one is dropped (the higher score
    wins on equal spans); on a partial overlap the higher score keeps the shared part.
    Every character that any finding covered stays covered.
    """
    ranked = sorted(results, key=lambda r: (r.start, -r.end, -r.score))
    kept: list[RecognizerResult] = []
    for r in ranked:
        if kept and r.end <= kept[-1].end:
            continue  # contained in (or equal to) an earlier, longer finding
        if kept and r.start < kept[-1].end:
            last = kept[-1]
            if r.score > last.score:
                last.end = r.start
                if last.end <= last.start:
                    kept.pop()
            else:
                r.start = last.end
        kept.append(r)
    return kept


class PiiScrubber:
    """Finds and replaces Swedish personal data. Build once (see :func:`get_scrubber`)."""

    def __init__(self, settings: Settings | None = None) -> None:
        settings = settings or get_settings()
        self.threshold = settings.pii_score_threshold
        self.allow_list = [t for t in settings.pii_allow_list if t.strip()]
        registry = RecognizerRegistry(supported_languages=[LANGUAGE])
        for recognizer in build_recognizers(self.allow_list):
            registry.add_recognizer(recognizer)
        deny = deny_list_recognizer(
            [*settings.pii_deny_list, *_read_terms(settings.pii_deny_list_file)]
        )
        if deny is not None:
            registry.add_recognizer(deny)
        self._analyzer = AnalyzerEngine(
            registry=registry,
            nlp_engine=_nlp_engine(),
            supported_languages=[LANGUAGE],
            log_decision_process=False,
            context_aware_enhancer=LemmaContextAwareEnhancer(context_prefix_count=5),
        )
        self._entities = list(ENTITY_LABELS)

    def find(self, text: str) -> list[Span]:
        """Disjoint findings in ``text`` (offsets into ``text`` itself), in text order."""
        return self._find(text)

    def scrub(self, text: str) -> ScrubResult:
        """Replace personal data in ``text`` with typed placeholders.

        Raises :class:`PiiScrubError` (without the text) if analysis fails, so callers can
        refuse the question instead of passing raw text on.
        """
        if not text.strip():
            return ScrubResult(text=strip_controls(text), redactions=[])
        spans = self._find(text)
        try:
            parts: list[str] = []
            pos = 0
            counts: dict[str, int] = {}
            for span in spans:
                parts += [strip_controls(text[pos : span.start]), f"<{span.type}>"]
                counts[span.type] = counts.get(span.type, 0) + 1
                pos = span.end
            parts.append(strip_controls(text[pos:]))
        except Exception:  # noqa: BLE001 - fail closed: no text leaves unscrubbed
            raise PiiScrubError("anonymisering misslyckades") from None
        redactions = [
            Redaction(type=label, count=counts[entity])
            for entity, label in ENTITY_LABELS.items()
            if entity in counts
        ]
        return ScrubResult(text="".join(parts), redactions=redactions)

    def _find(self, text: str) -> list[Span]:
        """Analyse the normalised text; spans mapped back to ``text``, disjoint, in order."""
        try:
            norm: Normalized = normalize(text)
        except Exception:  # noqa: BLE001 - fail closed: no text leaves unscrubbed
            raise PiiScrubError("normalisering misslyckades") from None
        spans: list[Span] = []
        for r in self._analyze(norm.text):
            if r.end <= r.start:
                continue
            start, end = norm.span(r.start, r.end)
            if spans and start < spans[-1].end:  # two findings in one expanded character
                start = spans[-1].end
            if end > start:
                spans.append(Span(r.entity_type, start, end, r.score))
        return spans

    def _analyze(self, text: str) -> list[RecognizerResult]:
        if not text.strip():
            return []
        try:
            results = self._analyzer.analyze(
                text=text,
                language=LANGUAGE,
                entities=self._entities,
                score_threshold=self.threshold,
                allow_list=self.allow_list or None,
            )
        except Exception:  # noqa: BLE001 - fail closed: no text leaves unscrubbed
            # Presidio's messages can quote the text; drop them (and the chained cause).
            raise PiiScrubError("analys av personuppgifter misslyckades") from None
        return resolve_overlaps(results)


_SCRUBBERS: dict[str, PiiScrubber] = {}
_LOCK = threading.Lock()


def get_scrubber(settings: Settings | None = None) -> PiiScrubber:
    """Process-wide scrubber, one per distinct PII configuration (built on first use)."""
    settings = settings or get_settings()
    key = settings.model_dump_json(
        include={"pii_score_threshold", "pii_allow_list", "pii_deny_list", "pii_deny_list_file"}
    )
    with _LOCK:
        scrubber = _SCRUBBERS.get(key)
        if scrubber is None:
            scrubber = _SCRUBBERS[key] = PiiScrubber(settings)
        return scrubber
