"""Recall and false-positive metrics for the Swedish PII scrubber.

Test questions are generated at run time (fixed seed) from the shared corpus
``shared/corpus/pii_sv`` (Skatteverket test personnummer, mimesis/Faker names and
streets, postcodes) and the hand-written material in :mod:`eval.pii_cases`; no corpus
text is kept in the repository. Run ``python -m eval.pii_metrics`` to print the table.
"""

from __future__ import annotations

import csv
import json
import random
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from eval.pii_cases import POLICY_QUESTIONS, TEMPLATES, TRICKY

DEFAULT_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "pii_sv"
SEED = 20240604

# Metric rows: kind → entity type of the placeholder expected for it.
KINDS: dict[str, str] = {
    "personnummer": "PERSONNUMMER",
    "samordningsnummer": "SAMORDNINGSNUMMER",
    "namn (ej i Faker)": "NAMN",
    "namn (i Faker)": "NAMN",
    "telefonnummer": "TELEFON",
    "e-postadress": "EPOST",
    "IBAN": "IBAN",
    "bankgiro": "BANKGIRO",
    "plusgiro": "PLUSGIRO",
    "organisationsnummer": "ORGANISATIONSNUMMER",
    "adress": "ADRESS",
    "postnummer": "POSTNUMMER",
    "registreringsnummer": "REGNUMMER",
    "ärendenummer": "ÄRENDENUMMER",
}
_KIND_OF_TYPE = {t: k for k, t in KINDS.items() if t != "NAMN"}
_PARTICLES = frozenset({"von", "af", "av", "de", "van", "der", "la", "di", "el", "al", "bin"})


@lru_cache(maxsize=1)
def faker_sv_names() -> tuple[frozenset[str], frozenset[str]]:
    """Lower-case (first names, last names) of the installed Faker ``sv_SE`` person provider
    (read as :func:`assistant.pii.names.faker_names` reads it)."""
    from faker.providers.person.sv_SE import Provider

    first = {n.lower() for n in (*Provider.first_names_female, *Provider.first_names_male)}
    return frozenset(first), frozenset(n.lower() for n in Provider.last_names)


def name_kind(name: str) -> str:
    """The metric row of a hand-written name: "namn (i Faker)" when its first name(s) are in
    Faker's sv_SE first names and its last name in its last names (a single name: in
    either; a double name "Anna-Karin": as a whole or each part), else "namn (ej i Faker)"."""
    first, last = faker_sv_names()

    def known(word: str, names: frozenset[str]) -> bool:
        return word in names or all(part in names for part in word.split("-"))

    words = [w for w in name.lower().split() if w not in _PARTICLES]
    if len(words) == 1:
        inside = known(words[0], first) or known(words[0], last)
    else:
        inside = all(known(w, first) for w in words[:-1]) and known(words[-1], last)
    return "namn (i Faker)" if inside else "namn (ej i Faker)"


@dataclass(frozen=True)
class Entity:
    """One expected piece of personal data in a case (``value`` = ``text[start:end]``)."""

    kind: str
    start: int
    end: int


@dataclass(frozen=True)
class PiiCase:
    """A question and the personal data it contains (empty for policy questions)."""

    text: str
    entities: tuple[Entity, ...] = ()
    source: str = "korpus"

    def values(self) -> list[str]:
        """The raw values (for leak checks in tests)."""
        return [self.text[e.start : e.end] for e in self.entities]


class _Finder(Protocol):
    def find(self, text: str) -> Sequence[object]: ...


# --- corpus ------------------------------------------------------------------------------


@dataclass
class Corpus:
    """Values read from ``shared/corpus/pii_sv``."""

    personnummer: list[str]
    first_other: list[str]  # first names not in Faker's sv_SE lists
    last_other: list[str]
    first_faker: list[str]
    last_faker: list[str]
    streets: list[str]
    postcodes: list[tuple[str, str]]  # (postcode, locality)
    municipalities: list[str]


def load_corpus(root: Path = DEFAULT_CORPUS) -> Corpus:
    """Read the corpus; raises FileNotFoundError if it is absent."""
    from faker.providers.person.sv_SE import Provider

    if not root.is_dir():
        raise FileNotFoundError(root)
    pnr: set[str] = set()
    for f in sorted((root / "skatteverket_testpersonnummer").iterdir()):
        for line in f.read_text(encoding="utf-8").splitlines():
            if re.fullmatch(r"\d{12}", line.strip()):
                pnr.add(line.strip())
    faker_json = json.loads((root / "faker_sv_SE" / "faker_sv_SE_person.json").read_text())

    def values(items: list) -> set[str]:
        return {i["value"] if isinstance(i, dict) else i for i in items}

    first_f = values(faker_json["first_names_female"]) | values(faker_json["first_names_male"])
    last_f = values(faker_json["last_names"])
    faker_lower = {n.lower() for n in (*first_f, *last_f)} | {
        n.lower()
        for n in (*Provider.first_names_female, *Provider.first_names_male, *Provider.last_names)
    }
    mimesis = json.loads((root / "mimesis_sv" / "person.json").read_text())
    single = re.compile(r"[^\W\d_]{2,}", re.UNICODE)

    def other(names: Iterable[str]) -> list[str]:
        return sorted(
            {n for n in names if single.fullmatch(n) and n[0].isupper()}
            - {n for n in names if n.lower() in faker_lower}
        )

    address = json.loads((root / "mimesis_sv" / "address.json").read_text())
    with (root / "swedish_geodata" / "postal_to_municipality.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    with (root / "swedish_geodata" / "municipalities.csv").open(encoding="utf-8") as fh:
        munis = [r["municipality_name_short"] for r in csv.DictReader(fh)]
    return Corpus(
        personnummer=sorted(pnr),
        first_other=other(mimesis["names"]["male"] + mimesis["names"]["female"]),
        last_other=other(mimesis["surnames"]),
        first_faker=sorted(first_f),
        last_faker=sorted(last_f),
        streets=sorted(address["street"]["name"]),
        postcodes=[(r["postal_code"], r["locality"]) for r in rows],
        municipalities=munis,
    )


# --- value generators ---------------------------------------------------------------------


def _luhn_digit(digits: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (1 if i % 2 else 2)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def _format_pnr(digits12: str, rng: random.Random) -> str:
    """12-digit number in one of the common written forms (``+`` for age 100+)."""
    year = int(digits12[:4])
    style = rng.randrange(4)
    if style == 0:
        return f"{digits12[:8]}-{digits12[8:]}"
    if style == 1:
        return digits12
    sep = "+" if date.today().year - year >= 100 else "-"
    return f"{digits12[2:8]}{sep}{digits12[8:]}" if style == 2 else digits12[2:]


def samordningsnummer(digits12: str) -> str:
    """Personnummer → samordningsnummer: day + 60 and a recomputed check digit."""
    day = int(digits12[6:8]) + 60
    body = f"{digits12[2:6]}{day:02d}{digits12[8:11]}"
    return f"{digits12[:2]}{body}{_luhn_digit(body)}"


def _ascii(s: str) -> str:
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode().lower()


_LANDLINE3 = ["031", "036", "040", "013", "018", "019", "021", "035", "046", "054", "060", "090"]
_MOBILE = ["070", "072", "073", "076", "079"]
_LANDLINE4 = ["0380", "0381", "0382", "0383", "0370", "0470", "0480", "0520", "0611", "0920"]


def _phone(rng: random.Random) -> str:
    def d(n: int) -> str:
        return str(rng.randint(1, 9)) + "".join(str(rng.randrange(10)) for _ in range(n - 1))

    style = rng.randrange(9)
    if style == 0:
        return f"08-{d(3)} {d(3)[:3]} {d(2)}"
    if style == 1:
        return f"08-{d(3)} {d(2)} {d(2)}"
    if style == 2:
        return f"{rng.choice(_MOBILE)}-{d(3)} {d(2)} {d(2)}"
    if style == 3:
        return f"{rng.choice(_LANDLINE3)}-{d(2)} {d(2)} {d(2)}"
    if style == 4:
        return f"{rng.choice(_LANDLINE4)}-{d(3)} {d(2)}"
    if style == 5:
        return f"{rng.choice(_LANDLINE4)}-{d(2)} {d(2)} {d(2)}"
    if style == 6:
        return f"+46 {rng.choice(_MOBILE)[1:]} {d(3)} {d(2)} {d(2)}"
    if style == 7:
        return f"+46 (0){rng.choice(_LANDLINE3)[1:]} {d(2)} {d(2)} {d(2)}"
    return f"{rng.choice(_MOBILE)}{d(7)}"


def _iban(rng: random.Random) -> str:
    bban = rng.choice(["500", "800", "600", "300", "120"]) + "".join(
        str(rng.randrange(10)) for _ in range(17)
    )
    check = 98 - int(bban + "281400") % 97  # "SE00" moved last, S=28 E=14
    iban = f"SE{check:02d}{bban}"
    return " ".join(iban[i : i + 4] for i in range(0, 24, 4)) if rng.random() < 0.7 else iban


def _giro(rng: random.Random, length: int) -> str:
    body = str(rng.randint(1, 9)) + "".join(str(rng.randrange(10)) for _ in range(length - 2))
    return body + _luhn_digit(body)


def _bankgiro(rng: random.Random) -> str:
    n = _giro(rng, rng.choice([7, 8]))
    return f"{n[:-4]}-{n[-4:]}"


def _plusgiro(rng: random.Random) -> str:
    n = _giro(rng, rng.choice([6, 7]))
    if len(n) == 7 and rng.random() < 0.5:
        return f"{n[:2]} {n[2:4]} {n[4:6]}-{n[6]}"
    return f"{n[:-1]}-{n[-1]}"


def _orgnr(rng: random.Random) -> str:
    body = rng.choice("25789") + str(rng.randrange(10)) + str(rng.randint(2, 9))
    body += "".join(str(rng.randrange(10)) for _ in range(6))
    n = body + _luhn_digit(body)
    return f"{n[:6]}-{n[6:]}"


_PLATE_LETTERS = "ABCDEFGHJKLMNOPRSTUWXYZ"


def _regnr(rng: random.Random) -> str:
    letters = "".join(rng.choice(_PLATE_LETTERS) for _ in range(3))
    last = rng.choice("0123456789" + _PLATE_LETTERS)
    return f"{letters}{rng.choice([' ', ''])}{rng.randint(10, 99)}{last}"


def _arende(rng: random.Random) -> str:
    return rng.choice(
        [f"{rng.randint(2019, 2025)}-{rng.randint(100, 99999)}", f"BYGG {rng.randint(2019, 2025)}"
         f"/{rng.randint(10, 9999)}", f"{rng.randint(100000, 9999999)}"]
    )  # fmt: skip


# --- case generation ------------------------------------------------------------------------

_SLOT = re.compile(r"\{(\w+)\}")


def _fill(template: str, corpus: Corpus, rng: random.Random) -> PiiCase:
    """Fill one template's slots; each slot yields one expected entity."""
    text, entities, pos = "", [], 0
    person: tuple[str, str] | None = None

    def name() -> tuple[str, str, str]:
        other = rng.random() < 0.7
        if other:
            full = f"{rng.choice(corpus.first_other)} {rng.choice(corpus.last_other)}"
        else:
            full = f"{rng.choice(corpus.first_faker)} {rng.choice(corpus.last_faker)}"
        return full, "namn (ej i Faker)" if other else "namn (i Faker)", ""

    for m in _SLOT.finditer(template):
        text += template[pos : m.start()]
        slot = m.group(1)
        suffix = ""
        if slot in ("namn", "namn2", "namn_gen"):
            value, kind, _ = name()
            person = tuple(value.split(" ", 1))  # type: ignore[assignment]
            suffix = "s" if slot == "namn_gen" and not value.endswith(("s", "x", "z")) else ""
        elif slot in ("pnr", "snr"):
            digits = rng.choice(corpus.personnummer)
            if slot == "snr":
                digits = samordningsnummer(digits)
            value, kind = _format_pnr(digits, rng), KIND_BY_SLOT[slot]
        elif slot == "epost":
            first, last = person or (rng.choice(corpus.first_other), rng.choice(corpus.last_other))
            local = rng.choice([f"{first}.{last}", f"{first}{last[0]}", f"{first[0]}{last}"])
            domain = rng.choice(corpus.municipalities)
            value, kind = f"{_ascii(local)}@{_ascii(domain).replace(' ', '')}.se", "e-postadress"
        elif slot == "adress":
            value = f"{rng.choice(corpus.streets)} {rng.randint(1, 120)}"
            value += rng.choice(["", "", "", " B", "A"])
            kind = "adress"
        elif slot == "lgh":
            value, kind = f"{rng.choice(['Lgh', 'lgh'])} {rng.randint(1001, 1603)}", "adress"
        elif slot == "postnr":
            code, locality = rng.choice(corpus.postcodes)
            value, kind = f"{code[:3]} {code[3:]}", "postnummer"
            if rng.random() < 0.2:
                value = "SE-" + value
            suffix = f" {locality.title()}"
        else:
            value, kind = GENERATORS[slot](rng), KIND_BY_SLOT[slot]
        entities.append(Entity(kind, len(text), len(text) + len(value)))
        text += value + suffix
        pos = m.end()
    text += template[pos:]
    return PiiCase(text=text, entities=tuple(entities))


GENERATORS = {
    "tel": _phone,
    "iban": _iban,
    "bg": _bankgiro,
    "pg": _plusgiro,
    "orgnr": _orgnr,
    "regnr": _regnr,
    "arende": _arende,
}
KIND_BY_SLOT = {
    "pnr": "personnummer",
    "snr": "samordningsnummer",
    "tel": "telefonnummer",
    "iban": "IBAN",
    "bg": "bankgiro",
    "pg": "plusgiro",
    "orgnr": "organisationsnummer",
    "regnr": "registreringsnummer",
    "arende": "ärendenummer",
}


def generate_cases(corpus: Corpus, n: int = 300, seed: int = SEED) -> list[PiiCase]:
    """``n`` questions from :data:`TEMPLATES` filled with corpus values (deterministic)."""
    rng = random.Random(seed)
    return [_fill(TEMPLATES[i % len(TEMPLATES)], corpus, rng) for i in range(n)]


def parse_marked(text: str, source: str = "handskriven") -> PiiCase:
    """``"Ring [[TELEFON:070-123 45 67]]"`` → case with one expected entity (a ``NAMN``'s
    kind by :func:`name_kind`)."""
    out, entities, pos = "", [], 0
    for m in re.finditer(r"\[\[([^:\]]+):([^\]]+)\]\]", text):
        out += text[pos : m.start()]
        kind = name_kind(m.group(2)) if m.group(1) == "NAMN" else _KIND_OF_TYPE[m.group(1)]
        entities.append(Entity(kind, len(out), len(out) + len(m.group(2))))
        out += m.group(2)
        pos = m.end()
    return PiiCase(text=out + text[pos:], entities=tuple(entities), source=source)


def tricky_cases() -> list[PiiCase]:
    """The hand-written hard cases."""
    return [parse_marked(t) for t in TRICKY]


def policy_cases() -> list[PiiCase]:
    """Policy questions without personal data."""
    return [PiiCase(text=q, source="policy") for q in POLICY_QUESTIONS]


# --- metrics ---------------------------------------------------------------------------------


@dataclass
class Row:
    """Per-kind counts: found = every character covered; typed = by the right type."""

    kind: str
    total: int = 0
    found: int = 0
    typed: int = 0

    @property
    def recall(self) -> float:
        return self.found / self.total if self.total else 1.0

    @property
    def typed_recall(self) -> float:
        return self.typed / self.total if self.total else 1.0


@dataclass
class Report:
    """Result of :func:`evaluate`."""

    rows: dict[str, Row]
    policy_total: int
    policy_flagged: int
    extra_findings: int  # findings in PII questions that overlap no expected entity
    misses: list[tuple[str, str]] = field(default_factory=list)  # (kind, case text)
    false_positives: list[str] = field(default_factory=list)

    @property
    def fp_rate(self) -> float:
        """Share of policy questions with at least one finding."""
        return self.policy_flagged / self.policy_total if self.policy_total else 0.0


def evaluate(scrubber: _Finder, cases: Iterable[PiiCase], policy: Iterable[PiiCase]) -> Report:
    """Recall per kind on ``cases`` and the false-positive rate on ``policy``."""
    rows = {k: Row(k) for k in KINDS}
    report = Report(rows=rows, policy_total=0, policy_flagged=0, extra_findings=0)
    for case in cases:
        spans = scrubber.find(case.text)
        for ent in case.entities:
            need = {i for i in range(ent.start, ent.end) if not case.text[i].isspace()}
            covered = {i for s in spans for i in range(s.start, s.end)}  # type: ignore[attr-defined]
            typed = {
                i
                for s in spans
                if s.type == KINDS[ent.kind]  # type: ignore[attr-defined]
                for i in range(s.start, s.end)  # type: ignore[attr-defined]
            }
            row = rows[ent.kind]
            row.total += 1
            row.found += need <= covered
            row.typed += need <= typed
            if not need <= covered:
                report.misses.append((ent.kind, case.text))
        report.extra_findings += sum(
            not any(s.start < e.end and e.start < s.end for e in case.entities)  # type: ignore[attr-defined]
            for s in spans
        )
    for case in policy:
        report.policy_total += 1
        if scrubber.find(case.text):
            report.policy_flagged += 1
            report.false_positives.append(case.text)
    return report


def format_table(report: Report) -> str:
    """Plain-text table: kind, n, recall, typed recall; then the false-positive rate."""
    lines = [f"{'typ':<22}{'antal':>7}{'recall':>9}{'rätt typ':>10}", "-" * 48]
    for row in report.rows.values():
        if row.total:
            lines.append(f"{row.kind:<22}{row.total:>7}{row.recall:>9.3f}{row.typed_recall:>10.3f}")
    lines += [
        "-" * 48,
        f"falska positiva (policyfrågor): {report.policy_flagged}/{report.policy_total}"
        f" = {report.fp_rate:.1%}",
        f"extra fynd i frågor med personuppgifter: {report.extra_findings}",
    ]
    return "\n".join(lines)


def run(corpus_root: Path = DEFAULT_CORPUS, n: int = 300, seed: int = SEED) -> Report:
    """Generate all cases and evaluate the default scrubber."""
    from assistant.pii import get_scrubber

    cases = generate_cases(load_corpus(corpus_root), n=n, seed=seed) + tricky_cases()
    return evaluate(get_scrubber(), cases, policy_cases())


if __name__ == "__main__":
    result = run()
    print(format_table(result))
    for kind, text in result.misses:
        print(f"MISS {kind}: {text}")
    for text in result.false_positives:
        print(f"FP: {text}")
