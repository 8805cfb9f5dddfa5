"""Hostile formats for the PII scrubber (issue 13): personal data typed the way people
really type it — odd dashes and spaces, invisible characters, wrong check digits, capitals,
obfuscated e-mail, bank accounts, IP addresses, passports, birth dates.

The large set is generated here from the Skatteverket test personnummer and the name,
street and postcode lists in ``../shared/corpus/pii_sv`` (skipped when absent); a smaller
hand-written set always runs. Run with ``-s`` for the per-type table.
"""

from __future__ import annotations

import json
import os
import random
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from assistant.pii import PiiScrubber, get_scrubber
from assistant.pii.normalize import normalize, strip_controls
from assistant.pii.recognizers import ENTITY_LABELS, NEUTRAL_WORDS, luhn_ok
from core.settings import Settings
from eval.pii_cases import POLICY_QUESTIONS
from eval.pii_metrics import Corpus, load_corpus, samordningsnummer

REPO = Path(__file__).resolve().parents[3]
CORPUS = REPO.parent / "shared" / "corpus" / "pii_sv"
GOLDEN = REPO / "eval" / "golden" / "policies.jsonl"
SEED = 13

# --- cases ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hostile:
    """A question and the expected (type, start, end) findings; ``form`` names the trick."""

    text: str
    entities: tuple[tuple[str, int, int], ...]
    form: str


def build(form: str, *parts: str | tuple[str, str]) -> Hostile:
    """Concatenate ``parts``; a ``(TYPE, value)`` part is an expected finding."""
    text, entities = "", []
    for part in parts:
        if isinstance(part, tuple):
            entities.append((part[0], len(text), len(text) + len(part[1])))
            part = part[1]
        text += part
    return Hostile(text, tuple(entities), form)


def _invisible(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) in ("Cf", "Cc") or ch in "\u00ad"


@dataclass
class Row:
    """Counts for one entity type: found = all characters covered, typed = by that type."""

    total: int = 0
    found: int = 0
    typed: int = 0


def evaluate(
    scrubber: PiiScrubber, cases: list[Hostile]
) -> tuple[dict[str, Row], list[tuple[str, str]]]:
    """Per-type recall rows and the misses (type, form + text)."""
    rows: dict[str, Row] = {}
    misses: list[tuple[str, str]] = []
    for case in cases:
        spans = scrubber.find(case.text)
        covered = {i for s in spans for i in range(s.start, s.end)}
        for kind, start, end in case.entities:
            need = {i for i in range(start, end) if not _invisible(case.text[i])}
            typed = {i for s in spans if s.type == kind for i in range(s.start, s.end)}
            row = rows.setdefault(kind, Row())
            row.total += 1
            row.found += need <= covered
            row.typed += need <= typed
            if not need <= typed:
                misses.append((kind, f"[{case.form}] {case.text!r}"))
    return rows, misses


def table(rows: dict[str, Row], fp: tuple[int, int] | None = None) -> str:
    """Plain-text per-type table (and the false-positive rate)."""
    lines = [f"{'typ':<22}{'antal':>7}{'recall':>9}{'rätt typ':>10}", "-" * 48]
    for kind in ENTITY_LABELS:
        if kind in rows:
            r = rows[kind]
            lines.append(
                f"{ENTITY_LABELS[kind]:<22}{r.total:>7}{r.found / r.total:>9.3f}"
                f"{r.typed / r.total:>10.3f}"
            )
    if fp is not None:
        rate = f"{fp[0]}/{fp[1]} = {fp[0] / fp[1]:.1%}"
        lines += ["-" * 48, f"falska positiva (policyfrågor): {rate}"]
    return "\n".join(lines)


def _settings() -> Settings:
    return Settings(
        _env_file=None,
        pii_score_threshold=0.5,
        pii_allow_list=[],
        pii_deny_list=[],
        pii_deny_list_file=None,
    )


@pytest.fixture(scope="module")
def scrubber() -> PiiScrubber:
    return get_scrubber(_settings())


# --- generated from the corpus ----------------------------------------------------------

DASHES = ["\u2013", "\u2011", "\u2212", "\u2012", "\u2014", "\u2010", "\uff0d"]
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _wrong_check(digits: str) -> str:
    return digits[:-1] + str((int(digits[-1]) + 1) % 10)


def id_forms(d: str, rng: random.Random) -> list[tuple[str, str, bool]]:
    """(form, written number, needs a cue word) for a 12-digit personnummer ``d``."""
    short, tail, long_ = d[2:8], d[8:], d[:8]
    wrong = _wrong_check(d)
    forms = [
        ("streck " + hex(ord(c := rng.choice(DASHES))), f"{short}{c}{tail}", False),
        ("streck (12 siffror)", f"{long_}{rng.choice(DASHES)}{tail}", False),
        ("tankstreck med mellanslag", f"{short} \u2013 {tail}", False),
        ("två mellanslag", f"{short}  {tail}", False),
        ("punkt", f"{short}.{tail}", False),
        ("siffra för siffra", " ".join(short) + " - " + " ".join(tail), False),
        ("siffra för siffra (12)", " ".join(long_) + " " + " ".join(tail), False),
        ("nollbreddsmellanslag", f"{short[:3]}\u200b{short[3:]}-{tail}", False),
        ("nollbredd vid strecket", f"{short}\u200b-\u200b{tail}", False),
        ("hårt mellanslag", f"{short}\u00a0{tail}", False),
        ("smalt hårt mellanslag", f"{short}\u202f-\u202f{tail}", False),
        ("mjukt bindestreck", f"{short}\u00ad{tail}", False),
        ("helbreddssiffror", f"{short}-{tail}".translate(FULLWIDTH), False),
        ("NUL-tecken", f"{short}\x00-{tail}", False),
        ("par", f"{short[:2]} {short[2:4]} {short[4:]}-{tail}", False),
        ("fel kontrollsiffra", f"{wrong[2:8]}-{wrong[8:]}", False),
        ("fel kontrollsiffra, ihopskrivet", wrong[2:], True),
        ("fel kontrollsiffra, 12 siffror", wrong, True),
    ]
    if date.today().year - int(d[:4]) >= 100:
        forms.append(("plus (100+)", f"{short}+{tail}", False))
    return forms


CUE_TEMPLATES = [
    "Mitt personnummer är {v}, kan ni rätta det?",
    "Personnumret {v} syns i loggen från skolplattformen.",
    "Eleven med pnr {v} har flyttat, vad gör vi?",
    "Får jag skicka personnummer {v} i ett mejl?",
    "Telefonnumret stämmer men personnumret {v} är fel i Procapita.",
]
PLAIN_TEMPLATES = [
    "Kan ni kolla {v} i registret?",
    "{v} står på listan som låg i Teams.",
    "Hur raderar vi {v} ur elevregistret?",
    *CUE_TEMPLATES,
]
SNR_TEMPLATES = [
    "Samordningsnumret {v} står i ansökan.",
    "Han har samordningsnummer {v} men ingen e-legitimation.",
    "Kan vi söka på {v} i folkbokföringen?",
]


def _in_template(template: str, kind: str, value: str, form: str) -> Hostile:
    before, after = template.split("{v}")
    return build(form, before, (kind, value), after)


def gen_ids(corpus: Corpus, rng: random.Random) -> list[Hostile]:
    cases = []
    for digits in rng.sample(corpus.personnummer, 6):
        for form, value, cue in id_forms(digits, rng):
            template = rng.choice(CUE_TEMPLATES if cue else PLAIN_TEMPLATES)
            cases.append(_in_template(template, "PERSONNUMMER", value, form))
    for digits in rng.sample(corpus.personnummer, 2):
        for form, value, cue in id_forms(samordningsnummer(digits), rng):
            template = rng.choice(SNR_TEMPLATES[:2] if cue else SNR_TEMPLATES)
            cases.append(_in_template(template, "SAMORDNINGSNUMMER", value, form))
    return cases


def _ascii(s: str) -> str:
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode().lower()


def _name(corpus: Corpus, rng: random.Random) -> tuple[str, str]:
    if rng.random() < 0.6:
        return rng.choice(corpus.first_other), rng.choice(corpus.last_other)
    return rng.choice(corpus.first_faker), rng.choice(corpus.last_faker)


def gen_names(corpus: Corpus, rng: random.Random) -> list[Hostile]:
    cases = []
    for _ in range(12):
        first, last = _name(corpus, rng)
        full = f"{first} {last}".upper()
        cases.append(build("VERSALER", "Kan ", ("NAMN", full), " få ut sina uppgifter?"))
    for _ in range(4):
        first, last = _name(corpus, rng)
        full = f"{first} {last}".upper()
        cases.append(build("VERSALER, genitiv", "Får jag mejla ", ("NAMN", full), "S betyg?"))
    cues = ["handläggare", "handläggaren", "kollegan", "rektor", "socialsekreteraren", "chefen"]
    for _ in range(12):
        last = rng.choice(corpus.last_other + corpus.last_faker)
        cases.append(
            build("efternamn med ledord", f"Kan {rng.choice(cues)} ", ("NAMN", last), " se det?")
        )
    for _ in range(4):
        last = rng.choice(corpus.last_faker)
        cases.append(build("efternamn efter verb", "Fråga ", ("NAMN", last), " om beslutet."))
    for _ in range(6):
        first, last = _name(corpus, rng)
        cases.append(
            build("hårt mellanslag", "Vi fick ett mejl från ", ("NAMN", f"{first}\u00a0{last}"),
                  " i går.")
        )  # fmt: skip
    for _ in range(6):
        first, last = _name(corpus, rng)
        cut = max(1, len(first) // 2)
        hidden = f"{first[:cut]}\u200b{first[cut:]} {last}"
        cases.append(build("nollbredd i namnet", "Har ", ("NAMN", hidden), " behörighet?"))
    for _ in range(4):
        first, last = _name(corpus, rng)
        nfd = unicodedata.normalize("NFD", f"{first} {last}")
        cases.append(build("NFD", "Kan ", ("NAMN", nfd), " få ut sina uppgifter?"))
    return cases


LOWER_SUFFIXES = (
    "gatan", "vägen", "väg", "gränd", "gränden", "stigen", "backen", "torget", "allén",
    "leden", "gången", "stråket", "slingan", "svängen", "liden", "kroken", "länken",
)  # fmt: skip


def gen_places(corpus: Corpus, rng: random.Random) -> list[Hostile]:
    cases = []
    streets = [s for s in corpus.streets if " " not in s and s.lower().endswith(LOWER_SUFFIXES)]
    for street in rng.sample(streets, 14):
        no = str(rng.randint(1, 120))
        cases.append(
            build("gemener", "Jag bor på ", ("ADRESS", f"{street.lower()} {no}"), " i stan.")
        )
    for street in rng.sample(streets, 6):
        value = f"{street}\u00a0{rng.randint(1, 99)}"
        cases.append(build("hårt mellanslag", "Adressen är ", ("ADRESS", value), ", skicka dit."))
    for code, locality in rng.sample(corpus.postcodes, 8):
        cases.append(build("postnumret", "Postnumret ", ("POSTNUMMER", code), " gäller."))
        cases.append(
            build("hårt mellanslag", "Hon bor i ", ("POSTNUMMER", f"{code[:3]}\u00a0{code[3:]}"),
                  f" {locality.title()}.")
        )  # fmt: skip
    return cases


def gen_contact(corpus: Corpus, rng: random.Random) -> list[Hostile]:
    cases = []
    ats = ["(at)", " (at) ", "[at]", " [at] ", "{at}", " at ", " snabel-a ", " @ ", "＠"]
    dots = [".", " [dot] ", "(dot)", " dot ", " punkt ", "(punkt)"]
    for i in range(18):
        first, last = _name(corpus, rng)
        domain = _ascii(rng.choice(corpus.municipalities)).replace(" ", "")
        at, dot = ats[i % len(ats)], rng.choice(dots)
        value = f"{_ascii(first)}.{_ascii(last)}{at}{domain}{dot}se"
        cases.append(build(f"e-post {at.strip()}", "Mejla ", ("EPOST", value), " om saken."))
    for _ in range(10):
        mobile = f"07{rng.choice('02369')}"
        digits = [str(rng.randrange(10)) for _ in range(7)]
        number = f"{mobile}{rng.choice(DASHES)}{''.join(digits[:3])} {''.join(digits[3:5])}"
        number += f"\u00a0{''.join(digits[5:])}"
        cases.append(build("telefon, streck", "Ring ", ("TELEFON", number), " i morgon."))
    for _ in range(6):
        number = f"07{rng.choice('02369')}" + "".join(str(rng.randrange(10)) for _ in range(7))
        cases.append(
            build("telefonnumret", "Telefonnumret ", ("TELEFON", number), " står i listan.")
        )
    return cases


def _digits(rng: random.Random, n: int) -> str:
    return "".join(str(rng.randrange(10)) for _ in range(n))


def _luhn_tail(body: str) -> str:
    return next(body + str(d) for d in range(10) if luhn_ok(body + str(d)))


def gen_money(rng: random.Random) -> list[Hostile]:
    cases = []
    cues = ["Mitt konto är", "Kontonummer", "Lönen ska till kontonumret", "Bankkonto:",
            "Sätt in på lönekonto"]  # fmt: skip
    for i in range(20):
        cue = cues[i % len(cues)]
        style = i % 4
        if style == 0:  # Swedbank: 8327-9, 123 456 789-0
            acc = _digits(rng, 10)
            clearing = f"8{_digits(rng, 3)}-{rng.randrange(10)}"
            value = f"{clearing}, {acc[:3]} {acc[3:6]} {acc[6:9]}-{acc[9]}"
        elif style == 1:  # Handelsbanken: 6000 123 456 789
            acc = _digits(rng, 9)
            value = f"6{_digits(rng, 3)} {acc[:3]} {acc[3:6]} {acc[6:]}"
        elif style == 2:  # SEB: 5000-1234567
            value = f"5{_digits(rng, 3)}-{_digits(rng, 7)}"
        else:  # with a dash variant
            value = f"3{_digits(rng, 3)}{rng.choice(DASHES)}{_digits(rng, 8)}"
        cases.append(build(f"bankkonto {style}", f"{cue} ", ("BANKKONTO", value), "."))
    for _ in range(4):
        clearing, acc = f"9{_digits(rng, 3)}", _digits(rng, 7)
        cases.append(
            build("clearing + konto", "Clearing ", ("BANKKONTO", clearing), " konto ",
                  ("BANKKONTO", acc), " gäller.")
        )  # fmt: skip
    for i in range(10):
        body = str(rng.randint(1, 9)) + _digits(rng, rng.choice([5, 6]))
        number = _wrong_check(_luhn_tail(body)) if i % 2 else _luhn_tail(body)
        sep = "-" if i % 3 else rng.choice(DASHES)
        value = f"{number[:-4]}{sep}{number[-4:]}"
        cue = ["Betala till bankgiro", "Bankgironummer:", "Fakturan anger bg"][i % 3]
        cases.append(build("bankgiro" + (" fel kontrollsiffra" if i % 2 else ""), f"{cue} ",
                           ("BANKGIRO", value), " senast fredag."))  # fmt: skip
    return cases


def gen_technical(corpus: Corpus, rng: random.Random) -> list[Hostile]:
    cases = []
    for i in range(12):
        if i % 3 == 0:
            ip = f"192.168.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        elif i % 3 == 1:
            ip = f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        else:
            ip = ".".join(str(rng.randint(11, 223)) for _ in range(4))
        lead = ["Datorn med IP ", "Loggen visar inloggning från ", "IP-adressen "][i % 3]
        cases.append(build("IPv4", lead, ("IPADRESS", ip), " i går kväll."))
    for i in range(8):
        groups = [f"{rng.randrange(1, 0xFFFF):x}" for _ in range(8)]
        ip = ":".join(groups) if i % 2 else f"2001:db8::{groups[0]}:{groups[1]}"
        cases.append(build("IPv6", "Anslutningen kom från ", ("IPADRESS", ip), ", är det okej?"))
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    for i in range(12):
        prefix = "" if i % 2 else rng.choice(letters) + rng.choice(letters)
        value = prefix + _digits(rng, 8 if i % 2 else 7)
        cue = ["Mitt passnummer är", "Passnumret", "Passet har nummer", "Pass nr"][i % 4]
        cases.append(build("pass", f"{cue} ", ("PASSNUMMER", value), " har gått ut."))
    months = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
              "september", "oktober", "november", "december"]  # fmt: skip
    for i, d in enumerate(rng.sample(corpus.personnummer, 14)):
        y, m, day = d[:4], d[4:6], d[6:8]
        value = [
            f"{y}-{m}-{day}",
            f"{int(day)} {months[int(m) - 1]} {y}",
            f"{day}/{m} {y}",
            f"{y}{rng.choice(DASHES)}{m}{rng.choice(DASHES)}{day}",
            f"{day}.{m}.{y}",
            f"{int(day)} {months[int(m) - 1][:3]} {y}",
            f"{y[2:]}{m}{day}",
        ][i % 7]
        cue = ["Hon är född", "Födelsedatum:", "Barnet föddes den", "Han är född den"][i % 4]
        cases.append(build("födelsedatum", f"{cue} ", ("FÖDELSEDATUM", value), " enligt listan."))
    return cases


def generate(corpus: Corpus, seed: int = SEED) -> list[Hostile]:
    """All generated hostile cases (deterministic)."""
    rng = random.Random(seed)
    return (
        gen_ids(corpus, rng)
        + gen_names(corpus, rng)
        + gen_places(corpus, rng)
        + gen_contact(corpus, rng)
        + gen_money(rng)
        + gen_technical(corpus, rng)
    )


# --- hand-written (always runs) ---------------------------------------------------------

# Skatteverket test numbers (811218-9876, 19530206-2699, 770915-2388, 121212-1212) and
# invented names and values.
HAND: list[tuple[str, str]] = [
    ("Mitt personnummer är 811218\u20139876.", "Mitt personnummer är <PERSONNUMMER>."),
    ("Pnr 811218\u20119876 gäller.", "Pnr <PERSONNUMMER> gäller."),
    ("Pnr 811218\u22129876 gäller.", "Pnr <PERSONNUMMER> gäller."),
    ("Han har 811218 – 9876 i listan.", "Han har <PERSONNUMMER> i listan."),
    ("Han har 811218  9876 i listan.", "Han har <PERSONNUMMER> i listan."),
    ("Han har 811218.9876 i listan.", "Han har <PERSONNUMMER> i listan."),
    ("Han har 8 1 1 2 1 8 - 9 8 7 6 i listan.", "Han har <PERSONNUMMER> i listan."),
    ("Han har 811218\u200b-9876 i listan.", "Han har <PERSONNUMMER> i listan."),
    ("Han har 19530206\u00a02699 i listan.", "Han har <PERSONNUMMER> i listan."),
    ("Pnr ７７０９１５-２３８８.", "Pnr <PERSONNUMMER>."),
    ("Personnumret 811218-9875 är felskrivet.", "Personnumret <PERSONNUMMER> är felskrivet."),
    ("personnumret 8112189875 står där", "personnumret <PERSONNUMMER> står där"),
    ("Eleven 770915-2389 har flyttat.", "Eleven <PERSONNUMMER> har flyttat."),
    ("Pnr 811218\x00-9876 gäller.\x00\x07", "Pnr <PERSONNUMMER> gäller."),
    ("Samordningsnumret 701063\u20132391 står i ansökan.",
     "Samordningsnumret <SAMORDNINGSNUMMER> står i ansökan."),
    ("Kan ANNA SVENSSON få ut sina uppgifter?", "Kan <NAMN> få ut sina uppgifter?"),
    ("HEJ! JAG HETER ANNA SVENSSON OCH UNDRAR OM GDPR.",
     "HEJ! JAG HETER <NAMN> OCH UNDRAR OM GDPR."),
    ("Kan handläggare Nyqvist se det?", "Kan handläggare <NAMN> se det?"),
    ("Kan handläggaren nyqvist se det?", "Kan handläggaren <NAMN> se det?"),
    ("Fråga Lindqvist om beslutet.", "Fråga <NAMN> om beslutet."),
    ("Vi fick mejl från Anna\u00a0Svensson.", "Vi fick mejl från <NAMN>."),
    ("Hon bor på storgatan 12 i Eksjö.", "Hon bor på <ADRESS> i Eksjö."),
    ("Mejla anna(at)eksjo.se i dag.", "Mejla <EPOST> i dag."),
    ("Mejla anna [at] eksjo [dot] se i dag.", "Mejla <EPOST> i dag."),
    ("Mejla anna.svensson snabel-a nassjo punkt se.", "Mejla <EPOST>."),
    ("Mitt konto är 8327-9, 123 456 789-0.", "Mitt konto är <BANKKONTO>."),
    ("Kontonummer 6000 123 456 789 på Handelsbanken.",
     "Kontonummer <BANKKONTO> på Handelsbanken."),
    ("Clearing 8327-9 konto 123 456 789-0.", "Clearing <BANKKONTO>."),
    ("Datorn hade IP 192.168.1.23 i loggen.", "Datorn hade IP <IPADRESS> i loggen."),
    ("Anslutning från 2001:db8::8a2e:370:7334 i natt.", "Anslutning från <IPADRESS> i natt."),
    ("Mitt passnummer är AA1234567.", "Mitt passnummer är <PASSNUMMER>."),
    ("Passet 12345678 har gått ut.", "Passet <PASSNUMMER> har gått ut."),
    ("Hon är född 1981-12-18.", "Hon är född <FÖDELSEDATUM>."),
    ("Födelsedatum 18 december 1981 står i ansökan.",
     "Födelsedatum <FÖDELSEDATUM> står i ansökan."),
    ("Postnumret 57131 gäller.", "Postnumret <POSTNUMMER> gäller."),
    ("Telefonnumret 0701234567 står i listan.", "Telefonnumret <TELEFON> står i listan."),
    ("Ring 070\u2013123\u00a045\u00a067 i morgon.", "Ring <TELEFON> i morgon."),
    ("Betala till bankgiro 5050-1056.", "Betala till bankgiro <BANKGIRO>."),
    ("Betala till bankgiro 5050\u20131055.", "Betala till bankgiro <BANKGIRO>."),
]  # fmt: skip

# Policy wording with the same tricks (dashes, invisible characters, numbers): untouched.
HOSTILE_POLICY = [
    "Samarbetet Aneby \u2013 Eksjö \u2013 Nässjö gäller 2024\u20132026.",
    "Support är öppen kl. 08\u201317 och svarar inom 2\u20133 dagar.",
    "Se avsnitt 8.3.1 och 3.1.2.4 i ISO/IEC 27001:2022.",
    "Klienten ska ha version 10.0.19045.3803 eller senare.",
    "Mötet börjar 10:30:00 i sal 3, sidan 12\u201314 i bilagan.",
    "Krypteringen ska vara AES\u2011256 och TLS\u00a01.3.",
    "Policyn antogs 2024\u201306\u201304 av KS, Dnr KS 2024/123.",
    "Lösenord ska ha minst 12\u201316 tecken\u200b enligt riktlinjen.",
    "Vad gäller för GDPR, IMY och MSB när NIS2 införs?",
    "Får vi använda NVIDIA GPU i molnet enligt AI-policyn?",
    "Hur många konton får en användare ha i Microsoft 365?",
    "Passar policyn för passerkort och besökare?",
    "Vilka som är födda efter 2010 omfattas av riktlinjen?",
]


def test_hand_written_hostile_formats(scrubber):
    got = [(t, scrubber.scrub(t).text, want) for t, want in HAND]
    wrong = [(t, out, want) for t, out, want in got if out != want]
    assert not wrong, "\n".join(f"{t!r}: {got!r} != {want!r}" for t, got, want in wrong)


def test_hostile_policy_wording_is_kept(scrubber):
    for text in HOSTILE_POLICY:
        result = scrubber.scrub(text)
        assert result.redactions == [], (text, result.text)
        assert result.text == strip_controls(text)


# --- the generated set ------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    if not CORPUS.is_dir():
        pytest.skip(f"corpus not found: {CORPUS}")
    return load_corpus(CORPUS)


def policy_questions() -> list[str]:
    """The false-positive set: hand-written policy questions and the golden answerable ones."""
    golden = [json.loads(line) for line in GOLDEN.read_text(encoding="utf-8").splitlines()]
    return [*POLICY_QUESTIONS, *(g["question"] for g in golden if g["kind"] == "answerable")]


def test_generated_hostile_recall_and_false_positives(scrubber, corpus):
    cases = generate(corpus)
    assert len(cases) >= 200
    rows, misses = evaluate(scrubber, cases)
    questions = policy_questions()
    flagged = [q for q in questions if scrubber.find(q)]
    print("\n" + table(rows, (len(flagged), len(questions))))
    for kind, text in misses:
        print(f"MISS {kind}: {text}")
    for q in flagged:
        print(f"FP: {q}")
    for kind in ("PERSONNUMMER", "SAMORDNINGSNUMMER"):
        assert rows[kind].typed == rows[kind].total, kind
    for kind, row in rows.items():
        assert row.found / row.total >= 0.98, kind
        assert row.typed / row.total >= 0.98, kind
    assert len(flagged) <= 0.01 * len(questions), flagged


def test_generated_values_never_in_output(scrubber, corpus):
    """Nothing typed as personal data survives in the redacted text, nor any control or
    invisible character."""
    for case in generate(corpus):
        out = scrubber.scrub(case.text).text
        assert not any(unicodedata.category(c) in ("Cc", "Cf") and c not in "\t\n\r" for c in out)
        for kind, start, end in case.entities:
            value = case.text[start:end]
            digits = "".join(c for c in normalize(value).text if c.isdigit())
            if len(digits) >= 6:
                assert digits not in "".join(c for c in normalize(out).text if c.isdigit())
            assert strip_controls(value) not in out or len(value) <= 3, (kind, case.form)


# --- normalisation and offsets ----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Pnr 811218\u200b\u2013\u200b9876 och Anna\u00a0Svensson.",
        "A\u030asa Nyqvist har pnr ８１１２１８-９８７６\x00.",
        "Ring \ufeff070\u2011123 45 67 eller mejla anna\u200b@eksjo.se.",
        "ﬁnns det? Pnr 811218\u22129876.",
    ],
)
def test_offsets_map_back_to_the_original(scrubber, text):
    spans = scrubber.find(text)
    assert spans and all(0 <= s.start < s.end <= len(text) for s in spans)
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:], strict=False))
    out = scrubber.scrub(text).text
    kept = text
    for s in reversed(spans):
        kept = kept[: s.start] + f"<{s.type}>" + kept[s.end :]
    assert out == strip_controls(kept)
    for s in spans:  # each span starts and ends on visible characters of the finding
        assert not text[s.start].isspace() and not text[s.end - 1].isspace()


def test_normalize_identity_fast_path():
    norm = normalize("Vad gäller för lösenord på Höglandet?")
    assert norm.starts is None and norm.span(3, 8) == (3, 8)
    odd = normalize("a\u2013b\u200bc\u00a0d\x00e")
    assert odd.text == "a-bc de"
    assert [odd.span(i, i + 1) for i in range(len(odd.text))] == [
        (0, 1), (1, 2), (2, 3), (4, 5), (5, 6), (6, 7), (8, 9)
    ]  # fmt: skip


def test_new_types_have_labels_and_neutral_words():
    for entity in ("BANKKONTO", "IPADRESS", "PASSNUMMER", "FÖDELSEDATUM"):
        assert entity in ENTITY_LABELS and entity in NEUTRAL_WORDS
    assert set(ENTITY_LABELS) == set(NEUTRAL_WORDS)


def test_validation_error_never_echoes_keys_or_values(tmp_path):
    from fastapi.testclient import TestClient

    from assistant.api.app import create_app

    app = create_app(Settings(_env_file=None, data_dir=tmp_path))
    app.state.components = None  # validation fails before any component is used
    client = TestClient(app)
    r = client.post(
        "/v1/ask",
        json={"question": "hej", "811218-9876": 1, "Anna Svensson": "Storgatan 12", "top_k": "x"},
    )
    assert r.status_code == 422
    for secret in ("811218", "9876", "Anna", "Svensson", "Storgatan"):
        assert secret not in r.text
