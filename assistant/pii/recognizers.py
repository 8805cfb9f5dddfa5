"""Swedish Presidio recognizers for the PII scrubber (:mod:`assistant.pii`).

Built-in Presidio recognizers are reused where they exist (Swedish personnummer and
organisationsnummer, IBAN, e-mail, phone via ``phonenumbers``); the rest are small
``PatternRecognizer``s. Person names come from :class:`SwedishNameRecognizer`, which uses
Faker's ``sv_SE`` name lists plus capitalisation and context heuristics
(:mod:`assistant.pii.names`).

Entity types are the Swedish placeholder names (``PERSONNUMMER`` → ``<PERSONNUMMER>``).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable

import regex
import tldextract
from presidio_analyzer import (
    EntityRecognizer,
    Pattern,
    PatternRecognizer,
    RecognizerResult,
)
from presidio_analyzer.nlp_engine import NlpArtifacts
from presidio_analyzer.predefined_recognizers import (
    EmailRecognizer,
    IbanRecognizer,
    PhoneRecognizer,
    SeOrganisationsnummerRecognizer,
    SePersonnummerRecognizer,
)

from assistant.pii.names import LANGUAGE, SwedishNameRecognizer, words

_CASE_SENSITIVE = regex.DOTALL | regex.MULTILINE

# Entity type → Swedish label used in ``Redaction.type``; the order is the report order.
ENTITY_LABELS: dict[str, str] = {
    "PERSONNUMMER": "personnummer",
    "SAMORDNINGSNUMMER": "samordningsnummer",
    "NAMN": "namn",
    "ADRESS": "adress",
    "POSTNUMMER": "postnummer",
    "TELEFON": "telefonnummer",
    "EPOST": "e-postadress",
    "IBAN": "IBAN",
    "BANKGIRO": "bankgironummer",
    "PLUSGIRO": "plusgironummer",
    "ORGANISATIONSNUMMER": "organisationsnummer",
    "REGNUMMER": "registreringsnummer",
    "ÄRENDENUMMER": "ärendenummer",
}

# Placeholder → neutral words for retrieval: "<NAMN>" would otherwise be embedded and matched
# as a token of its own ("… om <NAMN>, <PERSONNUMMER>?" drifts away from the policies).
NEUTRAL_WORDS: dict[str, str] = {
    "PERSONNUMMER": "ett personnummer",
    "SAMORDNINGSNUMMER": "ett samordningsnummer",
    "NAMN": "en person",
    "ADRESS": "en adress",
    "POSTNUMMER": "ett postnummer",
    "TELEFON": "ett telefonnummer",
    "EPOST": "en e-postadress",
    "IBAN": "ett kontonummer",
    "BANKGIRO": "ett bankgironummer",
    "PLUSGIRO": "ett plusgironummer",
    "ORGANISATIONSNUMMER": "ett organisationsnummer",
    "REGNUMMER": "ett registreringsnummer",
    "ÄRENDENUMMER": "ett ärendenummer",
}


def luhn_ok(digits: str) -> bool:
    """Luhn (mod 10) check over a string of digits."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


# --- identity numbers -------------------------------------------------------------------

_PNR_REGEX = r"(?<![\d-])(?:(?:18|19|20)\d{6}|\d{6})[-+ ]?\d{4}(?![\d-])"


class _SwedishIdRecognizer(SePersonnummerRecognizer):
    """Presidio's Swedish personnummer recognizer, split by day range and made stricter.

    The match must stand alone (no neighbouring digits), a 12-digit form must start with
    18/19/20, the date must exist (day + 60 for samordningsnummer) and Luhn must hold.
    """

    DAY_OFFSET = 0
    ENTITY = "PERSONNUMMER"
    CONTEXT = ["personnummer", "personnr", "pnr", "födelsenummer", "samordningsnummer"]

    def __init__(self) -> None:
        super().__init__(
            patterns=[Pattern(f"{self.ENTITY} (strikt)", _PNR_REGEX, 0.5)],
            context=self.CONTEXT,
            supported_language=LANGUAGE,
            supported_entity=self.ENTITY,
            name=f"{self.ENTITY.title()}Recognizer",
        )

    def validate_result(self, pattern_text: str) -> bool:
        """True when date (with this recognizer's day offset) and Luhn are valid."""
        digits = "".join(ch for ch in pattern_text if ch.isdigit())
        if len(digits) == 12 and digits[:2] not in ("18", "19", "20"):
            return False
        num = digits[-10:]
        month, day = int(num[2:4]), int(num[4:6]) - self.DAY_OFFSET
        if not 1 <= month <= 12:
            return False
        year = int(digits[:4]) if len(digits) == 12 else 2000  # 2000: leap year, allow 29 Feb
        if not 1 <= day <= calendar.monthrange(year, month)[1]:
            return False
        return self._is_luhn_valid(num)


class PersonnummerRecognizer(_SwedishIdRecognizer):
    """Personnummer: YYMMDD-NNNN, YYYYMMDD-NNNN, with/without separator, ``+`` for 100+."""


class SamordningsnummerRecognizer(_SwedishIdRecognizer):
    """Samordningsnummer: like a personnummer but with 60 added to the day."""

    DAY_OFFSET = 60
    ENTITY = "SAMORDNINGSNUMMER"


class OrganisationsnummerRecognizer(SeOrganisationsnummerRecognizer):
    """Presidio's organisationsnummer recognizer, without its unbounded weak pattern."""

    def __init__(self) -> None:
        super().__init__(
            patterns=[
                Pattern(
                    "Organisationsnummer (strikt)",
                    r"(?<![\d-])(?:16)?\d{6}-?\d{4}(?![\d-])",
                    0.6,
                )
            ],
            context=["organisationsnummer", "orgnr", "org.nr", "företag", "firma"],
            supported_language=LANGUAGE,
            supported_entity="ORGANISATIONSNUMMER",
        )

    def validate_result(self, pattern_text: str) -> bool | None:
        """Strip the optional ``16`` prefix; the group digit is never 0 (mobile numbers)."""
        digits = "".join(ch for ch in pattern_text if ch.isdigit())[-10:]
        return digits[0] != "0" and super().validate_result(digits)


class _GiroRecognizer(PatternRecognizer):
    """Bankgiro/plusgiro: a Luhn-valid number that needs a context word to be reported.

    A valid checksum keeps the pattern score (``None``) instead of raising it to 1.0,
    because one in ten random numbers of this shape passes Luhn.
    """

    def validate_result(self, pattern_text: str) -> bool | None:  # noqa: D102
        return None if luhn_ok("".join(ch for ch in pattern_text if ch.isdigit())) else False


def _bankgiro() -> PatternRecognizer:
    return _GiroRecognizer(
        supported_entity="BANKGIRO",
        name="BankgiroRecognizer",
        supported_language=LANGUAGE,
        patterns=[Pattern("Bankgiro", r"(?<![\d-])\d{3,4}-\d{4}(?![\d-])", 0.3)],
        context=["bankgiro", "bg", "inbetalning"],
    )


def _plusgiro() -> PatternRecognizer:
    return _GiroRecognizer(
        supported_entity="PLUSGIRO",
        name="PlusgiroRecognizer",
        supported_language=LANGUAGE,
        patterns=[
            Pattern(
                "Plusgiro",
                r"(?<![\d-])(?:\d{1,2}(?: \d\d){1,3}|\d{1,7})-\d(?![\d-])",
                0.2,
            )
        ],
        context=["plusgiro", "postgiro", "pg"],
    )


# --- contact data -----------------------------------------------------------------------

_TLD = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)  # bundled list, no network


class SwedishEmailRecognizer(EmailRecognizer):
    """Presidio's e-mail recognizer with an offline ``tldextract`` (no suffix-list fetch)."""

    def __init__(self) -> None:
        super().__init__(
            context=["e-post", "epost", "mejl", "mail", "adress"],
            supported_language=LANGUAGE,
            supported_entity="EPOST",
        )

    def validate_result(self, pattern_text: str) -> bool:  # noqa: D102
        return _TLD(pattern_text).fqdn != ""


class SwedishPhoneRecognizer(PhoneRecognizer):
    """Swedish numbers (national and +46) found and validated by ``phonenumbers``."""

    SCORE = 0.6  # a number that ``phonenumbers`` validates for SE is reported without context

    def __init__(self) -> None:
        super().__init__(
            context=["telefon", "tel", "mobil", "ring", "sms", "nummer", "nå"],
            supported_language=LANGUAGE,
            supported_entity="TELEFON",
            supported_regions=("SE",),
            leniency=1,
        )

    def analyze(  # noqa: D102
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        results = super().analyze(text, entities, nlp_artifacts)
        for r in results:  # "(070-123 45 67)" → without the unbalanced bracket
            if text[r.start] == "(" and ")" not in text[r.start : r.end]:
                r.start += 1
        return results


def _iban() -> PatternRecognizer:
    return IbanRecognizer(
        context=["iban", "bank", "konto"], supported_language=LANGUAGE, supported_entity="IBAN"
    )


# --- places, vehicles, case numbers ----------------------------------------------------

_STREET_SUFFIX = (
    "gatan|gata|vägen|väg|gränd|gränden|stigen|stig|backen|backe|torget|torg|allén|allé|"
    "leden|gången|stråket|slingan|svängen|liden|kroken|ringen|kajen|parken|länken|"
    "plan|gård|gården|torpet|hagen|lyckan|udden|vik|viken|bron"
)
_DIRECTION = r"(?:Norra|Södra|Östra|Västra|Stora|Lilla|Gamla|Nya|Övre|Nedre|Sankt|S:t)"
_HOUSE_NO = r"\s\d{1,3}(?:\s?[A-Ka-k](?![\p{L}\d]))?(?![\d,.]\d)"
_UPPER_WORD = r"\p{Lu}[\p{Ll}\p{Lu}/'’-]*"
# Capitalised words + number that are document references, not places ("Bilaga 2").
_NOT_STREETS = words(
    """bilaga bilagan kapitel artikel avsnitt paragraf punkt tabell figur version nivå
    steg fas del sida klass skyddsklass säkerhetsnivå iso sfs nis windows office år
    vecka dag rum sal hus plan våning etapp fastighet"""
)


class _AddressRecognizer(PatternRecognizer):
    def invalidate_result(self, pattern_text: str) -> bool:  # noqa: D102
        return pattern_text.split()[0].lower() in _NOT_STREETS


def _address() -> PatternRecognizer:
    one_word = rf"(?:{_DIRECTION}\s)?\p{{Lu}}\p{{Ll}}*(?:{_STREET_SUFFIX}){_HOUSE_NO}"
    two_word = rf"(?:{_UPPER_WORD}\s){{1,3}}(?i:{_STREET_SUFFIX}){_HOUSE_NO}"
    generic = rf"{_UPPER_WORD}(?:\s{_UPPER_WORD}){{0,2}}{_HOUSE_NO}"
    return _AddressRecognizer(
        supported_entity="ADRESS",
        name="AdressRecognizer",
        supported_language=LANGUAGE,
        patterns=[
            Pattern("Gatuadress", rf"(?<![\p{{L}}\d]){one_word}", 0.6),
            Pattern("Gatuadress (flera ord)", rf"(?<![\p{{L}}\d]){two_word}", 0.6),
            # any capitalised place name + number; needs a context word ("bor på", "adress")
            Pattern("Adress (med kontext)", rf"(?<![\p{{L}}\d]){generic}", 0.3),
            Pattern(
                "Lägenhetsnummer",
                r"(?<![\p{L}\d])(?i:lgh\.?|lägenhet(?:snummer|snr)?)\s?(?:nr\.?\s?)?\d{1,4}"
                r"(?![\p{L}\d])",
                0.7,
            ),
        ],
        context=["adress", "bor", "boende", "folkbokförd", "skicka", "flyttat", "hemma"],
        global_regex_flags=_CASE_SENSITIVE,
    )


def _postnummer() -> PatternRecognizer:
    return PatternRecognizer(
        supported_entity="POSTNUMMER",
        name="PostnummerRecognizer",
        supported_language=LANGUAGE,
        patterns=[
            Pattern("Postnummer SE-", r"(?<![\p{L}\d])SE-?\s?[1-9]\d{2}\s?\d{2}(?!\d)", 0.8),
            Pattern("Postnummer", r"(?<![\d,.:/-])[1-9]\d{2} \d{2}(?![\d,.:/-]?\d)", 0.55),
            Pattern(
                "Postnummer (utan mellanslag)", r"(?<![\d,.:/-])[1-9]\d{4}(?![\d,.:/-]?\d)", 0.2
            ),
        ],
        context=["postnummer", "postnr", "postort", "adress"],
        global_regex_flags=_CASE_SENSITIVE,
    )


# Three-letter acronyms common in IT-security text that look like "ABC 123".
_NOT_PLATES = words(
    """AES SHA RSA DES MD5 TLS SSL SSH ECC DSA RAM CPU GPU USB LAN VPN DNS API SMS PDF
    DPA DPO KSL OSL SFS SOU NIS ISO IEC SKR MSB IMY EDPB"""
)


class _PlateRecognizer(PatternRecognizer):
    def invalidate_result(self, pattern_text: str) -> bool:  # noqa: D102
        return pattern_text[:3] in _NOT_PLATES


def _regnummer() -> PatternRecognizer:
    letters = "[A-HJ-PR-UW-Z]"
    return _PlateRecognizer(
        supported_entity="REGNUMMER",
        name="RegnummerRecognizer",
        supported_language=LANGUAGE,
        patterns=[
            Pattern(
                "Registreringsnummer",
                rf"(?<![\p{{L}}\d-]){letters}{{3}} ?\d\d[\dA-HJ-PR-UW-Z](?![\p{{L}}\d-])",
                0.4,
            )
        ],
        context=[
            "regnummer",
            "registreringsnummer",
            "reg.nr",
            "regnr",
            "bil",
            "fordon",
            "skylt",
            "körjournal",
            "parkering",
            "fordonet",
        ],  # fmt: skip
        global_regex_flags=_CASE_SENSITIVE,
    )


def _arendenummer() -> PatternRecognizer:
    """Case numbers only when tied to a person ("mitt ärendenummer 2024-4711")."""
    owner = r"(?:mitt|min|mina|vårt|vår|hans|hennes|deras|sonens|dotterns|barnets|jag\s+har)"
    noun = (
        r"(?:ärende(?:t|nummer|numret|nr|-?id)?|referens(?:nummer)?|kundnummer|"
        r"diarienummer|dnr|ansökan|anmälan|klagomål(?:et)?)"
    )
    glue = r"(?:\s+(?:är|har|med|nummer|nr|numret|id)|\s*[:.#])*\s*"
    number = r"(?:[\p{L}]{1,4}[ -]?)?\d{2,8}(?:[-/:]\d{1,8})*(?![\p{L}\d])"
    return PatternRecognizer(
        supported_entity="ÄRENDENUMMER",
        name="ArendenummerRecognizer",
        supported_language=LANGUAGE,
        patterns=[
            Pattern(
                "Personligt ärendenummer",
                rf"(?<=(?i:\b{owner}\s+(?:\p{{L}}+\s+){{0,2}}?{noun}){glue}){number}",
                0.85,
            )
        ],
        global_regex_flags=_CASE_SENSITIVE,
    )


def deny_list_recognizer(terms: Iterable[str]) -> PatternRecognizer | None:
    """Terms that are always removed as ``NAMN`` (case-insensitive), or None if empty."""
    words = sorted({t.strip() for t in terms if t.strip()}, key=len, reverse=True)
    if not words:
        return None
    return PatternRecognizer(
        supported_entity="NAMN",
        name="NamnDenyListRecognizer",
        supported_language=LANGUAGE,
        deny_list=words,
    )


def build_recognizers(allow_list: Iterable[str] = ()) -> list[EntityRecognizer]:
    """All recognizers for Swedish text (deny-list recognizer excluded)."""
    return [
        PersonnummerRecognizer(),
        SamordningsnummerRecognizer(),
        OrganisationsnummerRecognizer(),
        SwedishPhoneRecognizer(),
        SwedishEmailRecognizer(),
        _iban(),
        _bankgiro(),
        _plusgiro(),
        _postnummer(),
        _address(),
        _regnummer(),
        _arendenummer(),
        SwedishNameRecognizer(allow_list),
    ]
