"""Do two statements from different documents give different values for the same rule?

Only what can be told reliably without a language model:

- **quantities**: a number with a unit (characters, durations, percent, kronor), a frequency
  ("två gånger per år") or an interval ("var 90:e dag", "årligen"), with its bound ("minst",
  "högst"/"inom"/"senast", or exact); durations are compared in days, so "inom 72 timmar" and
  "inom 3 dygn" agree;
- **permission**: the same statement with and without a negation ("får" / "får inte").

Values of one rule disagree when they cannot both hold: different values with the same bound,
an exact value outside the other's bound ("bara 4 tecken" / "minst 14 tecken"), or a minimum
above a maximum. "The same rule" means the same kind of value about the same subject: the
clause around the value, stop words, units and rule verbs ("ska", "sparas", "bytas") removed,
must share most of its terms with the other's (Jaccard ≥ ``SAME_SUBJECT``). A subject that is
wider or narrower ("lösenord" / "lösenord för administratörskonton") is not the same rule: an
honest miss is better than a false alarm. Measured on ``eval/golden/conflicts.jsonl``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import product

from assistant.result import Conflict, ConflictSide, Source, Statement
from core.sparse import terms
from core.text.segment import split_sentences

SAME_SUBJECT = 0.6  # Jaccard of the subject terms of two quantity clauses
SAME_STATEMENT = 0.75  # Jaccard of two permission statements without their negation
_TOLERANCE = 0.02  # relative: 12 months and one year are the same duration

_NUMBER_WORDS = {
    "en": 1, "ett": 1, "två": 2, "tre": 3, "fyra": 4, "fem": 5, "sex": 6, "sju": 7, "åtta": 8,
    "nio": 9, "tio": 10, "elva": 11, "tolv": 12, "femton": 15, "tjugo": 20, "trettio": 30,
    "fyrtio": 40, "femtio": 50, "sextio": 60, "nittio": 90, "hundra": 100,
}  # fmt: skip
_DAYS = {
    "sekund": 1 / 86400, "minut": 1 / 1440, "timm": 1 / 24, "dag": 1, "dygn": 1, "veck": 7,
    "månad": 30.44, "kvartal": 91.31, "år": 365.25,
}  # fmt: skip
_UNIT = (
    r"(?P<unit>tecken|sekund(?:er)?|minut(?:er)?|timm(?:e|ar)|dag(?:ar)?|dygn|veck(?:a|or)|"
    r"månad(?:er)?|kvartal|år|procent|%|kr(?:onor)?)\b"
)
_NUM = r"(?P<num>\d+(?:[,.]\d+)?|" + "|".join(_NUMBER_WORDS) + r")"
_BOUND = (
    r"(?:(?P<bound>minst|lägst|åtminstone|minimum|högst|max(?:imalt|imum)?|längst|inom|senast|"
    r"upp till|mer än|mindre än|under|över)\s+)?"
)
_QUANTITY = re.compile(rf"\b{_BOUND}{_NUM}\s*(?::e|:a)?\s*{_UNIT}", re.IGNORECASE)
_FREQUENCY = re.compile(
    rf"\b{_NUM}\s+gång(?:er)?\s+(?:per|om|i|varje|vart|var)\s+(?P<per>dag|dygn|vecka|månad|"
    r"kvartal|år|halvår)\b",
    re.IGNORECASE,
)
_PER = {"dag": 1, "dygn": 1, "vecka": 7, "månad": 30.44, "kvartal": 91.31, "halvår": 182.6,
        "år": 365.25}  # fmt: skip
_INTERVAL_WORDS = {
    "dagligen": 1, "veckovis": 7, "varje vecka": 7, "månadsvis": 30.44, "varje månad": 30.44,
    "kvartalsvis": 91.31, "varje kvartal": 91.31, "halvårsvis": 182.6, "årligen": 365.25,
    "varje år": 365.25, "vartannat år": 730.5,
}  # fmt: skip
_INTERVAL = re.compile(r"\b(" + "|".join(_INTERVAL_WORDS) + r")\b", re.IGNORECASE)
_EVERY = re.compile(r"\b(?:var|vart|varje)\s+" + _NUM + r"\s*(?::e|:a)?\s*" + _UNIT, re.I)
_MIN = {"minst", "lägst", "åtminstone", "minimum", "mer än", "över"}
_MAX = {"högst", "max", "maximalt", "maximum", "längst", "inom", "senast", "upp till",
        "mindre än", "under"}  # fmt: skip
_CLAUSE = re.compile(r"[,;:()]|\s(?:och|samt|men|eller)\s")
_NEGATION = re.compile(r"\b(?:inte|ej|aldrig|icke)\b|\bförbjud\w*", re.IGNORECASE)
_MODAL = re.compile(r"\b(får|ska|skall|måste|bör|kan|är tillåt\w*|tillåts)\b", re.IGNORECASE)
# Rule verbs and value words: they say how a rule is stated, not what it is about.
_RULE_WORDS = """ska skall måste bör får kan ha har vara är bestå består innehålla innehåller
    sparas spara sparad lagras lagra lagrad bevaras bevara gallras gallra bytas byta byts ändras
    ändra ske sker göras genomföras genomförs utföras utförs användas gälla gäller omfatta
    minst högst lägst längst maximalt minimum maximum inom senast efter var vart varje per gång
    gånger tid tiden period perioden längd längden upp till över under mer mindre än även
    alltid dock normalt tecken procent kronor kr inte ej aldrig icke tillåtet tillåten tillåts
    dagligen veckovis månadsvis kvartalsvis halvårsvis årligen vartannat
    förbjudet förbjuden lång långt ny nytt behöver behöva bara endast räcker räcka"""


@lru_cache(maxsize=1)
def _rule_terms() -> frozenset[str]:
    units = " ".join(["sekunder minuter timme timmar dagar dygn vecka veckor månad månader",
                      "kvartal år dag"])  # fmt: skip
    return frozenset(terms(_RULE_WORDS + " " + units))


@dataclass(frozen=True)
class Quantity:
    """A value a statement gives: its kind ("tecken", "duration", "frequency", "interval",
    "procent", "kr"), bound ("min", "max", "exact"), size (durations in days) and words."""

    kind: str
    bound: str
    size: float
    text: str
    subject: frozenset[str]


@dataclass(frozen=True)
class Difference:
    """Two statements that give different values for the same rule."""

    kind: str  # "quantity" or "permission"
    first: str  # the value (or "får"/"får inte") each statement gives
    second: str


def _number(raw: str) -> float:
    return float(_NUMBER_WORDS.get(raw.lower()) or raw.replace(",", "."))


def _kind_size(unit: str, size: float) -> tuple[str, float]:
    unit = unit.lower()
    if unit in ("procent", "%"):
        return "procent", size
    if unit.startswith("kr"):
        return "kr", size
    if unit == "tecken":
        return "tecken", size
    return "duration", size * next(v for k, v in _DAYS.items() if unit.startswith(k))


def _subject(clause: str) -> frozenset[str]:
    rule = _rule_terms()
    return frozenset(t for t in terms(clause) if t not in rule and not t[0].isdigit())


def _clauses(sentence: str) -> list[tuple[int, int]]:
    cuts = [0] + [m.end() for m in _CLAUSE.finditer(sentence)] + [len(sentence)]
    return [(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if b > a]


def quantities(sentence: str) -> list[Quantity]:
    """The values ``sentence`` gives, each with the subject of its clause (or, when its clause
    names none, of the sentence's first clause that does)."""
    spans = _clauses(sentence)
    subjects = [_subject(sentence[a:b]) for a, b in spans]
    fallback = next((s for s in subjects if s), frozenset())

    def subject_at(pos: int) -> frozenset[str]:
        i = next((i for i, (a, b) in enumerate(spans) if a <= pos < b), len(spans) - 1)
        return subjects[i] or fallback

    out: list[Quantity] = []
    taken: list[tuple[int, int]] = []
    for m in _EVERY.finditer(sentence):
        _, days = _kind_size(m["unit"], _number(m["num"]))
        out.append(Quantity("interval", "exact", days, m[0], subject_at(m.start())))
        taken.append(m.span())
    for m in _INTERVAL.finditer(sentence):
        days = _INTERVAL_WORDS[m[1].lower()]
        out.append(Quantity("interval", "exact", days, m[0], subject_at(m.start())))
    for m in _FREQUENCY.finditer(sentence):
        per_year = _number(m["num"]) * 365.25 / _PER[m["per"].lower()]
        out.append(Quantity("frequency", "exact", per_year, m[0], subject_at(m.start())))
        taken.append(m.span())
    for m in _QUANTITY.finditer(sentence):
        if any(a <= m.start() < b for a, b in taken):
            continue
        kind, size = _kind_size(m["unit"], _number(m["num"]))
        word = (m["bound"] or "").lower()
        bound = "min" if word in _MIN else "max" if word in _MAX else "exact"
        out.append(Quantity(kind, bound, size, m[0].strip(), subject_at(m.start())))
    return out


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _same_rule(a: Quantity, b: Quantity) -> bool:
    return a.kind == b.kind and _jaccard(a.subject, b.subject) >= SAME_SUBJECT


def _compatible(a: Quantity, b: Quantity) -> bool:
    """Whether two values of one rule can both hold: equal with the same bound, else an exact
    value within the other's bound ("4 tecken" is below "minst 14 tecken": they disagree),
    or a minimum not above a maximum."""
    close = abs(a.size - b.size) <= _TOLERANCE * max(a.size, b.size)
    if close or a.bound == b.bound:
        return close
    by = {a.bound: a, b.bound: b}
    if "exact" not in by:  # a minimum and a maximum
        return by["min"].size < by["max"].size
    exact, bound = by["exact"], by.get("min") or by["max"]
    return exact.size > bound.size if bound.bound == "min" else exact.size < bound.size


def _permission(sentence: str) -> tuple[bool, frozenset[str]] | None:
    """(negated, terms without the negation) of a statement with a modal verb, else None."""
    if not _MODAL.search(sentence):
        return None
    negated = bool(_NEGATION.search(sentence))
    words = frozenset(t for t in terms(_NEGATION.sub(" ", sentence)) if not t[0].isdigit())
    return negated, words


def difference(first: str, second: str) -> Difference | None:
    """How ``first`` and ``second`` disagree about one rule, or None (agree, or not the same
    rule, or not decidable here)."""
    qa, qb = quantities(first), quantities(second)
    pairs = [(a, b) for a, b in product(qa, qb) if _same_rule(a, b)]
    agreeing = {(a.kind, a.subject) for a, b in pairs if _compatible(a, b)}
    for a, b in pairs:
        if (a.kind, a.subject) in agreeing:
            continue
        return Difference("quantity", a.text, b.text)
    if qa or qb:
        return None
    pa, pb = _permission(first), _permission(second)
    if (
        pa
        and pb
        and pa[0] != pb[0]
        and len(pa[1] & pb[1]) >= 2
        and (_jaccard(pa[1], pb[1]) >= SAME_STATEMENT)
    ):
        modal = _MODAL.search(first)[1].lower()  # type: ignore[index]
        words = (f"{modal} inte", modal) if pa[0] else (modal, f"{modal} inte")
        return Difference("permission", *words)
    return None


def _label(title: str, adopted: str | None) -> str:
    return f"«{title}» (fastställd {adopted})" if adopted else f"«{title}»"


def between_documents(sources: list[Source], statements: list[Statement]) -> list[Conflict]:
    """Answer statements that another current document's retrieved passage contradicts: at
    most one conflict per pair of documents. The other passage becomes cited (its statement
    the quote, when it had none), so the reader sees both."""
    by_n = {c.n: c for c in sources}

    def current(c: Source) -> bool:
        return c.superseded_on is None and c.lifecycle.status != "expired"

    found: list[Conflict] = []
    pairs: set[frozenset[str]] = set()
    for s in statements:
        own = by_n.get(s.quote_citation or 0)
        if own is None or not s.supported or not current(own):
            continue
        for other in sources:
            pair = frozenset((own.document_id, other.document_id))
            if other.document_id == own.document_id or pair in pairs or not current(other):
                continue
            for span in split_sentences(other.text):
                diff = difference(s.text, span.text) if len(span.text) >= 12 else None
                if diff is None:
                    continue
                pairs.add(pair)
                if not other.cited or other.start == other.end:
                    other.cited, other.start, other.end = True, span.start, span.end
                sides = (
                    ConflictSide(own.n, own.document_id, own.title, own.adopted, s.text,
                                 diff.first),
                    ConflictSide(other.n, other.document_id, other.title, other.adopted,
                                 span.text, diff.second),
                )  # fmt: skip
                message = (
                    f"Dokumenten skiljer sig åt: {_label(own.title, own.adopted)} anger "
                    f"”{diff.first}” [{own.n}], {_label(other.title, other.adopted)} anger "
                    f"”{diff.second}” [{other.n}]. Kontrollera vilket som gäller innan du "
                    "stödjer dig på något av dem."
                )
                found.append(Conflict(diff.kind, sides, message))  # type: ignore[arg-type]
                break
    return found
