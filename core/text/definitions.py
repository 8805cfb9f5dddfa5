"""Definitions a document states itself: the concepts it names and the words it gives.

``definitions(text)`` reads a document's text (Markdown or the loaders' plain text, Swedish or
English) and returns what the document itself says a term means, for the concept glossary:

- definition sentences: "Med X avses …", "Med X menas …", "X definieras som …", English
  "'X' means …" and "X is defined as …"; the words are the examples the sentence gives
  ("t.ex. ChatGPT, Copilot", "såsom …", "exempelvis …", "till exempel …", "such as …");
- abbreviations and names: "Bring Your Own Device (BYOD)", "BYOD (bring your own device)",
  "dataskyddsombud (DSO)", "Privat utrustning, så kallad BYOD", "X (även kallad Y eller Z)",
  "X, ofta kallat Y", "X, på engelska Y", "X, som i … kallas Y": the concept is the long form,
  the words are the short form and the other names;
- definition lists under a heading "Definitioner", "Begrepp", "Ordlista" … (or after a lead-in
  "… följande begrepp:"): "Term – förklaring", "Term: förklaring", "Term | förklaring"; the
  words are the examples in the explanation, another name it gives ("kan också benämnas Y")
  or a synonym in the term ("Riskbedömning/ riskanalys"); a term without any is skipped.

Conservative by design: a concept has at most six words and never starts with a pronoun or a
preposition, an example has one to three words and a name at most four, an abbreviation's
long form must spell it (each content word holding one of its letters), and nothing is taken
from ordinary sentences. A definition sentence without examples still names its concept (with
no words); the caller decides what to keep.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.sparse import terms
from core.text.segment import split_sentences

MAX_CONCEPT_WORDS = 6
MAX_EXAMPLE_WORDS = 3
MAX_NAME_WORDS = 4


@dataclass(frozen=True)
class Definition:
    """A concept a document defines, with the words (examples, other names) it gives."""

    concept: str
    words: tuple[str, ...] = ()


def definitions(text: str) -> list[Definition]:
    """The definitions ``text`` states, one per concept (words merged), in text order."""
    units = _units(text)
    found = _list_definitions(units)
    for unit in units:
        if unit.kind != "heading":
            for span in split_sentences(unit.text):
                found.extend(_sentence_definitions(span.text))
    return _merged(found)


# --- words ------------------------------------------------------------------------------
def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_DETERMINERS = _set(
    """en ett den det de dessa denna detta sådan sådant sådana varje alla all samtliga
    a an the this these"""
)
# Qualifiers that are not part of the concept ("Ett skriftligt personuppgiftsbiträdesavtal").
_QUALIFIERS = _set(
    """skriftlig skriftligt skriftliga muntlig muntligt muntliga särskild särskilt särskilda
    eventuell eventuellt eventuella viss visst vissa"""
)
# Words a concept never starts with.
_NOT_FIRST = _set(
    """med av för från i på om till under över vid och eller men som att när där här hur vad
    vilket vilka vi man hen han hon de den det detta dessa denna dem sig även också inte andra
    annan annat enligt genom utan hit dit så to of in on for with by and or that which it this"""
)
# Words that show a phrase is a clause, not a name.
_CLAUSE = _set(
    """är var vara varit har hade ska skall kan kunde får fick måste bör blir blev finns fanns
    som att inte ej vi man sig hen is are was were be has have shall should must may can which
    that"""
)
# An example list ends at an item that starts a clause ("…, för att hantera information").
_CLAUSE_START = _set(
    """att för som där när om eftersom vilket vilka men så genom utan då medan inom to that which
    where when because while by"""
)
# Words of a long form that need not hold a letter of the short form.
_FUNCTION_WORDS = _set("och för av i om med till på samt of and the for in on to")
_TABLE_HEADS = _set("begrepp term termer definition förkortning ord förklaring")
_TRAILING = re.compile(r"\s*(?:m\.m\.?|m\.fl\.?|osv\.?|o\.s\.v\.?|etc\.?|med mera|mm)$", re.I)
_LETTER = re.compile(r"[^\W\d_]")


def _clean(phrase: str) -> str:
    """``phrase`` without quotes, Markdown emphasis and surrounding punctuation."""
    phrase = re.sub(r"[*_`\"“”„»«‘’]|(?<!\w)'|'(?!\w)", "", phrase)
    return " ".join(phrase.split()).strip(" .,;:()[]–—-")


def _strip_leading(words: list[str], drop: frozenset[str]) -> list[str]:
    while words and words[0].lower() in drop:
        words = words[1:]
    return words


def _concept(phrase: str, sentence_start: bool = False) -> str | None:
    """``phrase`` as a concept (determiners dropped), or None when it is no name."""
    words = _strip_leading(_clean(phrase).split(), _DETERMINERS)
    if len(words) > 1:
        words = _strip_leading(words, _QUALIFIERS)
    if not words or len(words) > MAX_CONCEPT_WORDS or len(words[0]) < 2:
        return None
    lower = [w.lower() for w in words]
    if not _LETTER.match(words[0]) or lower[0] in _NOT_FIRST or _CLAUSE.intersection(lower):
        return None
    if sentence_start and words[0][1:].islower() and all(w.islower() for w in words[1:]):
        words[0] = words[0].lower()  # "Tvåfaktorsautentisering (…)", not "European Union"
    return " ".join(words)


def _name(phrase: str, max_words: int = MAX_NAME_WORDS) -> str | None:
    """``phrase`` as a word for a concept: lower case, determiners dropped, 1..max words."""
    words = _strip_leading(_TRAILING.sub("", _clean(phrase)).split(), _DETERMINERS)
    if not words or len(words) > max_words or not _LETTER.match(words[0]):
        return None
    lower = [w.lower() for w in words]
    if lower[0] in _CLAUSE_START or _CLAUSE.intersection(lower):
        return None
    return " ".join(lower)


_NAME_END = re.compile(r"\s(?:för att|så att|som|att|där|när|vilket|eftersom|which|that|to)\s.*$")
_LIST_SPLIT = re.compile(r",\s*|\s+(?:och|eller|samt|and|or)\s+")


def _names(phrase: str) -> list[str]:
    """ "flerfaktorsautentisering eller MFA" → its names ("riskbehandlingsplan för att …" is
    cut before the clause)."""
    return [n for p in _LIST_SPLIT.split(_NAME_END.sub("", phrase)) if (n := _name(p))]


# --- examples ---------------------------------------------------------------------------
_MARKER = re.compile(
    r"(?<![\w.])(?P<paren>\(\s*)?(?:t\.\s?ex\.?|till exempel|exempelvis|såsom|så som|"
    r"e\.\s?g\.|such as|for example|for instance)(?!\w)\s*:?\s*",
    re.I,
)
_ALIAS = re.compile(
    r"(?:kan (?:också|även) benämnas|benämns (?:även|också)|kallas (?:även|också)|"
    r"(?:även|också) kall(?:ad|at|ade)|also called|also known as)\s+(?P<name>[^.,;:()]+)",
    re.I,
)


def _examples(text: str) -> list[str]:
    """The examples ``text`` gives after "t.ex.", "såsom", "such as" …"""
    out: list[str] = []
    for m in _MARKER.finditer(text):
        rest = text[m.end() :]
        end = re.search(r"\)" if m.group("paren") else r"[.;:!?](?:\s|$)|;", rest)
        for item in _LIST_SPLIT.split(rest[: end.start()] if end else rest):
            if item.strip().split(" ", 1)[0].lower() in _CLAUSE_START:
                break
            if (name := _name(item, MAX_EXAMPLE_WORDS)) and name not in out:
                out.append(name)
    return out


def _aliases(text: str) -> list[str]:
    return [n for m in _ALIAS.finditer(text) for n in _names(m.group("name"))]


# --- units: headings, paragraphs, list items, table rows ----------------------------------
@dataclass(frozen=True)
class _Unit:
    text: str
    kind: str  # "heading", "paragraph", "item" or "row"
    level: int = 0  # a Markdown heading's level
    number: str = ""  # a numbered heading's number ("2.3")


_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*$")
_ITEM = re.compile(r"^\s*(?:[-*•–]|\d{1,2}[.)]|[a-zåäö]\))\s+")
_NUMBERED = re.compile(r"^(?:§\s*)?(\d+(?:\.\d+)*)\.?\s+(?=\S)")
_RULE = re.compile(r"[|:\-\s]+|\*{3,}")
_MARKUP = re.compile(r"\{%.*?%\}|!\[[^\]]*\]\([^)]*\)")  # Markdoc tags, images
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")


def _units(text: str) -> list[_Unit]:
    """Headings, paragraphs, list items and table rows of ``text``, Markdown removed."""
    units: list[_Unit] = []
    lines: list[str] = []
    kind = "paragraph"

    def flush() -> None:
        nonlocal lines, kind
        joined = " ".join(" ".join(lines).split())
        if joined:
            plain = kind == "paragraph" and _heading_like(joined)
            units.append(_heading(joined) if plain else _Unit(joined, kind))
        lines, kind = [], "paragraph"

    for raw in _LINK.sub(r"\1", _MARKUP.sub("", text)).splitlines():
        line = raw.strip()
        heading = _MD_HEADING.match(line)
        if not line or _RULE.fullmatch(line):
            flush()
        elif heading:
            flush()
            units.append(_heading(_clean(heading.group(2)), len(heading.group(1))))
        elif "|" in line.strip("|") and (line.startswith("|") or " | " in line):
            flush()
            units.append(_Unit(line.strip("|").strip(), "row"))
        elif _ITEM.match(line) and not _heading_like(line):
            flush()
            lines, kind = [_ITEM.sub("", line, count=1)], "item"
        else:
            lines.append(line)
    flush()
    return units


def _heading(text: str, level: int = 0) -> _Unit:
    m = _NUMBERED.match(text)
    return _Unit(text[m.end() :] if m else text, "heading", level, m.group(1) if m else "")


def _heading_like(text: str) -> bool:
    """A short line without sentence punctuation: a heading in plain text ("2.3 Molntjänster",
    "Definitioner", "Begreppsförklaringar:")."""
    m = _NUMBERED.match(text)
    body = text[m.end() :] if m else text
    if _HEAD.match(body):
        return True
    return (
        bool(body)
        and (body[0].isupper() or body[0].isdigit())
        and len(body.split()) <= (10 if m else 6)
        and not re.search(r"[.!?;|]$|[:–—]|\s-{1,2}\s", body)
    )


# --- definition lists -------------------------------------------------------------------
_HEAD = re.compile(
    r"^(?:definitioner(?: och (?:begrepp|förkortningar))?|begrepp(?: och definitioner)?"
    r"|begreppsförklaringar|ordlista|ordförklaringar|termer(?: och definitioner)?|förkortningar"
    r"|definitions|glossary|terms(?: and definitions)?|abbreviations)\s*:?$",
    re.I,
)
_LEAD_IN = re.compile(
    r"(?:följande|dessa|nedanstående) (?:begrepp|definitioner|termer|förkortningar)"
    r"(?: [^.:]{0,60})?:$|the following (?:definitions|terms)[^.:]{0,40}:$",
    re.I,
)
_TERM = re.compile(r"^(?P<term>[^:|–—]{1,80}?)\s*(?::\s|\s--?\s|--\s*|\s[–—]\s)\s*(?P<expl>\S.*)$")
# "IT-plattform Utrustning och system …": a plain-text list without a separator.
_BARE = re.compile(r"^(?P<term>[^\W\d][\w/-]*(?:\s[a-zåäö][\w/-]*){0,2})\s+(?P<expl>[A-ZÅÄÖ].*)$")


def _list_definitions(units: list[_Unit]) -> list[Definition]:
    out: list[Definition] = []
    for i, unit in enumerate(units):
        if unit.kind == "heading" and _HEAD.match(unit.text):
            plain = not (unit.level or unit.number)
            out.extend(_region_definitions(_region(units, i), bare=plain))
        elif unit.kind == "paragraph" and _LEAD_IN.search(unit.text):
            items = []
            for u in units[i + 1 :]:
                if u.kind not in ("item", "row"):
                    break
                items.append(u)
            out.extend(_region_definitions(items, bare=False))
    return out


def _region(units: list[_Unit], start: int) -> list[_Unit]:
    """The units under the definitions heading ``units[start]``, up to the next section
    (by Markdown level, else by number, else at the next heading)."""
    head = units[start]
    region: list[_Unit] = []
    for u in units[start + 1 :]:
        if u.kind == "heading":
            if head.level and u.level:
                if u.level <= head.level:
                    break
            elif head.number and u.number:
                if not u.number.startswith(head.number + "."):
                    break
            else:
                break
        region.append(u)
    return region[:60]


def _region_definitions(region: list[_Unit], bare: bool) -> list[Definition]:
    """The definitions of a region's term–explanation lines (one run of list items, table
    rows or paragraphs: the list ends where text of another kind begins); the bare layout only
    in a plain-text region without separators where two lines or more use it."""
    pairs: list[tuple[str, str]] = []
    run = ""
    for u in region:
        if run and u.kind not in (run, "heading"):
            break
        if pair := _term_and_explanation(u):
            pairs.append(pair)
            run = u.kind
    if bare and not pairs:
        loose = [m for u in region if u.kind == "paragraph" and (m := _BARE.match(u.text))]
        loose = [m for m in loose if m.group("term").split()[0].lower() not in _NOT_FIRST]
        if len(loose) >= 2:
            pairs = [(m.group("term"), m.group("expl")) for m in loose]
    return [d for term, explanation in pairs if (d := _listed(term, explanation))]


def _term_and_explanation(unit: _Unit) -> tuple[str, str] | None:
    if unit.kind == "row":
        cells = [c.strip() for c in unit.text.split("|")]
        if len(cells) >= 2 and cells[1] and _clean(cells[0]).lower() not in _TABLE_HEADS:
            return cells[0], cells[1]
        return None
    m = _TERM.match(unit.text) if unit.kind in ("item", "paragraph") else None
    return (m.group("term"), m.group("expl")) if m else None


def _listed(term: str, explanation: str) -> Definition | None:
    """One list entry: the term (or an abbreviation's long form) and the words given."""
    parts = [p for p in re.split(r"\s*/\s*", _clean(term)) if p]
    if not parts or len(term.split()) > MAX_CONCEPT_WORDS:
        return None
    concept = _concept(parts[0], sentence_start=True)
    if concept is None:
        return None
    words = [n for p in parts[1:] if (n := _name(p))]
    if len(parts) == 1 and _is_abbreviation(parts[0]):
        head = re.split(r"[.,;:(]", explanation, maxsplit=1)[0]
        long_form = _leading_long_form(parts[0], head)
        if long_form and (long := _concept(long_form, sentence_start=True)):
            concept, words = long, [parts[0].lower(), *words]
    words += _examples(explanation) + _aliases(explanation)
    return Definition(concept, tuple(words)) if words else None


# --- abbreviations ------------------------------------------------------------------------
_SHORT = r"[A-ZÅÄÖ][A-Za-zÅÄÖåäö0-9]{0,7}(?:-[a-zåäö]{2,10})?"  # "DSO", "IoT", "PUB-avtal"
_SHORT_FORM = re.compile(rf"^{_SHORT}$")
_AFTER_LONG = re.compile(rf"\((?P<sf>{_SHORT})\)")
_AFTER_SHORT = re.compile(rf"(?<![\w-])(?P<sf>{_SHORT})\s+\((?P<lf>[^()]{{3,80}})\)")
_SHORT_THEN_LONG = re.compile(rf"\((?P<sf>{_SHORT}),\s*(?P<lf>[^()]{{3,80}})\)")
_BOUNDARY = re.compile(r"[,;()\[\]]|:(?!\w)|\s[–—-]\s|\d")


def _is_abbreviation(word: str) -> bool:
    letters = word.split("-", 1)[0]
    return bool(_SHORT_FORM.match(word)) and sum(c.isupper() for c in letters) >= 2


def _long_form(short: str, text: str, anchored: bool = False) -> str | None:
    """The long form of ``short`` at the end of ``text`` (Schwartz & Hearst: the short
    form's letters in order, its first letter starting a word, and here also each content
    word of the long form holding one of them, so "Europaparlamentets och rådets förordning"
    is not "EU"); ``anchored``: the long form must be all of ``text``."""
    letters = [c.lower() for c in short if c.isalnum()]
    words = text.split()
    if not anchored:
        words = words[-min(len(letters) + 5, 2 * len(letters) + 1) :]
    candidate = " ".join(words)
    hits: list[int] = []
    s, i = len(letters) - 1, len(candidate) - 1
    while s >= 0:
        while i >= 0 and (
            candidate[i].lower() != letters[s] or (s == 0 and i > 0 and candidate[i - 1].isalnum())
        ):
            i -= 1
        if i < 0:
            return None
        hits.append(i)
        s, i = s - 1, i - 1
    begin = candidate.rfind(" ", 0, i + 1) + 1
    long_form = candidate[begin:]
    if (anchored and begin) or len(long_form.split()) > MAX_CONCEPT_WORDS:
        return None
    pos = begin
    for word in long_form.split():
        if word.lower() not in _FUNCTION_WORDS and not any(
            pos <= h < pos + len(word) for h in hits
        ):
            return None
        pos += len(word) + 1
    return long_form if len(long_form) > len(short) else None


def _leading_long_form(short: str, text: str) -> str | None:
    """The longest run of ``text``'s first words that spells ``short`` ("LIS: ledningssystem
    för informationssäkerhet, det vill säga …")."""
    words = text.split()
    for n in range(min(len(words), MAX_CONCEPT_WORDS), 0, -1):
        if long_form := _long_form(short, " ".join(words[:n]), anchored=True):
            return long_form
    return None


def _abbreviations(sentence: str) -> list[Definition]:
    out = []
    for m in _AFTER_LONG.finditer(sentence):
        sf = m.group("sf")
        before = _BOUNDARY.split(sentence[: m.start()])[-1]
        if _is_abbreviation(sf) and (lf := _long_form(sf, before)):
            lf = " ".join(_strip_leading(lf.split(), _NOT_FIRST))
            at_start = sentence[: m.start()].strip() == lf
            if concept := _concept(lf, sentence_start=at_start):
                out.append(Definition(concept, (sf.lower(),)))
    for pattern in (_AFTER_SHORT, _SHORT_THEN_LONG):
        for m in pattern.finditer(sentence):
            sf, lf = m.group("sf"), m.group("lf").strip()
            ok = _is_abbreviation(sf) and _long_form(sf, lf, anchored=True)
            if ok and (concept := _concept(lf)):
                out.append(Definition(concept, (sf.lower(),)))
    return out


# --- sentences ----------------------------------------------------------------------------
_X = r"(?P<x>[^,;:]{2,80}?)"
_MED_AVSES = re.compile(rf"^Med\s+{_X}\s+(?:avses|menas|förstås)\b(?P<rest>.*)$")
_DEFINIERAS = re.compile(rf"^{_X}\s+definieras\s+(?:[^,;:]{{0,40}}\s)?som\b(?P<rest>.*)$")
_QUOTED_DEFINIERAS = re.compile(
    r"definieras\s+[\"“”'](?P<x>[^\"“”']{2,60})[\"“”']\s+som\b(?P<rest>.*)$"
)
_MEANS = re.compile(
    r"^(?:\(?\d+\)?\.?\s*)?(?:for the purposes? of [^,]{1,80},\s*)?[\"“‘'](?P<x>[^\"”’']{2,60})"
    r"[\"”’']\s+(?:means|shall mean|is defined as)\b(?P<rest>.*)$",
    re.I,
)
_IS_DEFINED = re.compile(rf"^(?:the term\s+)?{_X}\s+is defined as\b(?P<rest>.*)$", re.I)
_CALLED = r"kall(?:ad|ade|at|as)"
# "X, så kallad Y" / "X (även kallad Y eller Z)" / "X, ofta kallat Y," / "X, på engelska Y,"
# (not "nedan kallad": in contracts the comma before it does not start the named thing)
_SO_CALLED = re.compile(
    rf"(?:,\s*|\s*\(\s*)(?:(?:så|även|också|ofta) {_CALLED}|s\.\s?k\.|på engelska|so-called|"
    r"also called)\s+(?P<y>[^,;:()]+?)\s*(?=[,;:()]|[.]\s|[.]?$)",
    re.I,
)
_SEGMENT_END = re.compile(r"[,;()]|:(?!\w)")
# "en dokumenthanteringsplan, som i informationssäkerhetspolicyn kallas informationshanteringsplan"
_WHICH_IS_CALLED = re.compile(
    r"(?P<x>[^\W\d_][\w-]{5,}),\s+som\s+(?:[^,.;:]{0,60}\s)?kallas\s+(?:för\s+)?(?P<y>[^,.;:()]+)"
)
_SENTENCE_PATTERNS = ((_MED_AVSES, False), (_DEFINIERAS, True), (_MEANS, False))


def _sentence_definitions(sentence: str) -> list[Definition]:
    sentence = " ".join(re.sub(r"\*\*|__|(?<!\w)_(?=\w)|(?<=\w)_(?!\w)", "", sentence).split())
    out = _abbreviations(sentence)
    for pattern, at_start in (*_SENTENCE_PATTERNS, (_IS_DEFINED, True)):
        if (m := pattern.match(sentence)) and (concept := _concept(m.group("x"), at_start)):
            out.append(Definition(concept, tuple(_examples(m.group("rest")))))
    if (m := _QUOTED_DEFINIERAS.search(sentence)) and (concept := _concept(m.group("x"))):
        out.append(Definition(concept, tuple(_examples(m.group("rest")))))
    for m in _SO_CALLED.finditer(sentence):
        before = sentence[: m.start()]
        cut = max((b.end() for b in _SEGMENT_END.finditer(before)), default=0)
        x, at_start = before[cut:], not before[:cut].strip()
        if (concept := _concept(x, at_start)) and (names := _names(m.group("y"))):
            out.append(Definition(concept, tuple(names)))
    for m in _WHICH_IS_CALLED.finditer(sentence):
        if (concept := _concept(m.group("x"))) and (names := _names(m.group("y"))):
            out.append(Definition(concept, tuple(names)))
    return out


# --- merging ------------------------------------------------------------------------------
def _merged(found: list[Definition]) -> list[Definition]:
    """One definition per concept (case-insensitive), words in order without repeats; a word
    that is the concept itself (the same BM25 terms) is dropped."""
    spelling: dict[str, str] = {}
    words: dict[str, list[str]] = {}
    for d in found:
        key = d.concept.lower()
        spelling.setdefault(key, d.concept)
        bucket = words.setdefault(key, [])
        own = terms(d.concept)
        bucket.extend(w for w in dict.fromkeys(d.words) if w not in bucket and terms(w) != own)
    return [Definition(spelling[k], tuple(words[k])) for k in spelling]
