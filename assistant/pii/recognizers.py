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
import ipaddress
from collections.abc import Iterable

import regex
import tldextract
from presidio_analyzer import (
    AnalysisExplanation,
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
    "BANKKONTO": "bankkontonummer",
    "IPADRESS": "IP-adress",
    "PASSNUMMER": "passnummer",
    "FÖDELSEDATUM": "födelsedatum",
}

# Placeholder → neutral words for retrieval: "<NAMN>" would otherwise be embedded and matched
# as a token of its own ("… om <NAMN>, <PERSONNUMMER>?" drifts away from the policies).
NEUTRAL_WORDS: dict[str, str] = {
    # a personnummer in a question says "personal data is involved": "ett personnummer" pulled
    # such questions to the personnummer rules instead of, e.g., the AI guidelines (measured)
    "PERSONNUMMER": "personuppgifter",
    "SAMORDNINGSNUMMER": "personuppgifter",
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
    "BANKKONTO": "ett kontonummer",
    "IPADRESS": "en IP-adress",
    "PASSNUMMER": "ett passnummer",
    "FÖDELSEDATUM": "ett födelsedatum",
}


def luhn_ok(digits: str) -> bool:
    """Luhn (mod 10) check over a string of digits."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


# --- identity numbers -------------------------------------------------------------------

_SEP = r"(?:[ \t]{0,3}[-+.][ \t]{0,3}|[ \t]{1,3})"
_PNR_REGEX = regex.compile(
    # compact or with a separator: 811218-9876, 19811218 9876, 811218 - 9876, 811218.9876
    rf"(?<![\d-])(?:18|19|20)?\d{{6}}{_SEP}?\d{{4}}(?![\d-])"
    # digit by digit: 8 1 1 2 1 8 - 9 8 7 6
    r"|(?<![\d-])(?<!\d )(?:\d ){5}(?:\d \d )?\d(?: ?[-+] ?| )(?:\d ){3}\d(?! ?\d)"
    # in pairs with a dash: 81 12 18-9876
    r"|(?<![\d-])(?:18|19|20)?\d\d[ .]\d\d[ .]\d\d ?[-+] ?\d{4}(?![\d-])"
)
# A word before or after the number that says it is an identity number ("personnumret",
# "pnr", "samordningsnr"): then a wrong check digit is a typo, not another kind of number.
_ID_CUE = regex.compile(
    r"(?i:person|pers\.?\s?nr|\bp-?nr|födelsenum|födelsenr|samordningsn|\bsnr\b|"
    r"identitetsnum|id-num|personal\s?id)"
)

# "telefonnumret 0708259684": a bare 0-prefixed number after a phone word is a phone number
_PHONE_CUE = regex.compile(r"(?i:\b(?:telefon\w*|mobil\w*|tel|ring|ringa|sms\w*))\W{0,12}$")


class SwedishIdRecognizer(EntityRecognizer):
    """Personnummer and samordningsnummer (day + 60) in all common written forms.

    The match stands alone (no neighbouring digits), a 12-digit form starts with 18/19/20
    and the date must exist. A valid check digit gives 1.0. With a wrong check digit the
    number is still reported (a typo is still someone's personnummer): 0.85 next to an
    identity-number cue word, 0.6 when written with a separator (``811218-9875``); a bare
    digit string with a wrong check digit needs the cue.
    """

    ENTITIES = ("PERSONNUMMER", "SAMORDNINGSNUMMER")

    def __init__(self) -> None:
        super().__init__(
            supported_entities=list(self.ENTITIES),
            supported_language=LANGUAGE,
            name="SwedishIdRecognizer",
            context=["personnum", "personnr", "pnr", "födelsenum", "samordningsn"],
        )

    def load(self) -> None:
        pass

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        results = []
        for m in _PNR_REGEX.finditer(text):
            found = self._classify(m.group())
            if found is None:
                continue
            entity, luhn = found
            bare = m.group().isdigit() and len(m.group()) == 10 and m.group()[0] == "0"
            if bare and _PHONE_CUE.search(text, max(0, m.start() - 40), m.start()):
                continue
            if entity not in entities:
                continue
            if luhn:
                score = 1.0
            elif _ID_CUE.search(text, max(0, m.start() - 60), m.start()) or _ID_CUE.search(
                text, m.end(), m.end() + 30
            ):
                score = 0.85
            elif any(not ch.isdigit() for ch in m.group()):
                score = 0.6
            else:
                continue
            results.append(self._result(entity, m.start(), m.end(), score))
        return results

    @staticmethod
    def _classify(candidate: str) -> tuple[str, bool] | None:
        """(entity, check digit valid) when the date exists, else None."""
        digits = "".join(ch for ch in candidate if ch.isdigit())
        if len(digits) not in (10, 12):
            return None
        if len(digits) == 12 and digits[:2] not in ("18", "19", "20"):
            return None
        num = digits[-10:]
        month, day = int(num[2:4]), int(num[4:6])
        entity = "PERSONNUMMER"
        if day > 60:
            entity, day = "SAMORDNINGSNUMMER", day - 60
        if not 1 <= month <= 12:
            return None
        year = int(digits[:4]) if len(digits) == 12 else 2000  # 2000: leap year, allow 29 Feb
        if not 1 <= day <= calendar.monthrange(year, month)[1]:
            return None
        return entity, luhn_ok(num)

    def _result(self, entity: str, start: int, end: int, score: float) -> RecognizerResult:
        return RecognizerResult(
            entity_type=entity,
            start=start,
            end=end,
            score=score,
            analysis_explanation=AnalysisExplanation(
                recognizer=self.name, original_score=score, textual_explanation="id-nummer"
            ),
            recognition_metadata={
                RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
            },
        )


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

    A valid checksum keeps the pattern score instead of raising it to 1.0, because one in
    ten random numbers of this shape passes Luhn. A number with a wrong checksum is still
    reported (0.7) when the word right before it names the giro ("bankgiro 5050-1056").
    """

    def __init__(self, cue: str, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._cue = regex.compile(rf"(?i:\b(?:{cue}))\W{{0,12}}$")

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
        regex_flags: int | None = None,
    ) -> list[RecognizerResult]:
        results = super().analyze(text, entities, nlp_artifacts, regex_flags)
        kept = []
        for r in results:
            if luhn_ok("".join(ch for ch in text[r.start : r.end] if ch.isdigit())):
                kept.append(r)
            elif self._cue.search(text, max(0, r.start - 40), r.start):
                r.score = 0.7
                kept.append(r)
        return kept


def _bankgiro() -> PatternRecognizer:
    return _GiroRecognizer(
        r"bankgiro(?:t|nummer|numret|nr)?|bg(?:-?nr)?",
        supported_entity="BANKGIRO",
        name="BankgiroRecognizer",
        supported_language=LANGUAGE,
        patterns=[Pattern("Bankgiro", r"(?<![\d-])\d{3,4}-\d{4}(?![\d-])", 0.3)],
        context=["bankgiro", "bg", "inbetalning"],
    )


def _plusgiro() -> PatternRecognizer:
    return _GiroRecognizer(
        r"(?:plus|post)giro(?:t|nummer|numret|nr)?|pg(?:-?nr)?",
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

    def validate_result(self, pattern_text: str) -> bool:
        return _TLD(pattern_text).fqdn != ""


class SwedishPhoneRecognizer(PhoneRecognizer):
    """Swedish numbers (national and +46) found and validated by ``phonenumbers``."""

    SCORE = 0.6  # a number that ``phonenumbers`` validates for SE is reported without context

    def __init__(self) -> None:
        super().__init__(
            context=["telefon", "tel", "mobil", "ring", "sms", "nummer", "numret", "nå"],
            supported_language=LANGUAGE,
            supported_entity="TELEFON",
            supported_regions=("SE",),
            leniency=1,
        )

    def analyze(
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
# Suffixes safe in lower case: compounds like "handlingsplan" or "arbetsgården" are not.
_LOWER_SUFFIX = (
    "gatan|vägen|väg|gränd|gränden|stigen|backen|torget|allén|leden|gången|stråket|slingan|"
    "svängen|liden|kroken|länken"
)
_DIRECTION = r"(?:Norra|Södra|Östra|Västra|Stora|Lilla|Gamla|Nya|Övre|Nedre|Sankt|S:t)"
# "12 B", "12b"; not "12 i Eksjö"
_HOUSE_NO = r"\s\d{1,3}(?:\s?[A-K](?![\p{L}\d])|[a-k](?![\p{L}\d]))?(?![\d,.]\d)"
_UPPER_WORD = r"\p{Lu}[\p{Ll}\p{Lu}/'’-]*"
# Capitalised words + number that are document references, not places ("Bilaga 2").
_NOT_STREETS = words(
    """bilaga bilagan kapitel artikel avsnitt paragraf punkt tabell figur version nivå
    steg fas del sida klass skyddsklass säkerhetsnivå iso sfs nis windows office år
    vecka dag rum sal hus plan våning etapp fastighet"""
)


class _AddressRecognizer(PatternRecognizer):
    def invalidate_result(self, pattern_text: str) -> bool:
        return pattern_text.split()[0].lower() in _NOT_STREETS


def _address() -> PatternRecognizer:
    one_word = rf"(?:{_DIRECTION}\s)?\p{{Lu}}\p{{Ll}}*(?:{_STREET_SUFFIX}){_HOUSE_NO}"
    two_word = rf"(?:{_UPPER_WORD}\s){{1,3}}(?i:{_STREET_SUFFIX}){_HOUSE_NO}"
    generic = rf"{_UPPER_WORD}(?:\s{_UPPER_WORD}){{0,2}}{_HOUSE_NO}"
    lower = (
        rf"\p{{Ll}}{{2,}}(?:{_LOWER_SUFFIX})\s\d{{1,3}}(?:[a-k](?![\p{{L}}\d]))?"
        r"(?![\d,.]?\d)"
    )
    return _AddressRecognizer(
        supported_entity="ADRESS",
        name="AdressRecognizer",
        supported_language=LANGUAGE,
        patterns=[
            Pattern("Gatuadress", rf"(?<![\p{{L}}\d]){one_word}", 0.6),
            Pattern("Gatuadress (flera ord)", rf"(?<![\p{{L}}\d]){two_word}", 0.6),
            # any capitalised place name + number; needs a context word ("bor på", "adress")
            Pattern("Adress (med kontext)", rf"(?<![\p{{L}}\d]){generic}", 0.3),
            # "storgatan 12": a lower-case compound street name (never the bare suffix)
            Pattern("Gatuadress (gemener)", rf"(?<![\p{{L}}\d]){lower}", 0.55),
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
        context=["postnum", "postnr", "postort", "adress"],
        global_regex_flags=_CASE_SENSITIVE,
    )


# Three-letter acronyms common in IT-security text that look like "ABC 123".
_NOT_PLATES = words(
    """AES SHA RSA DES MD5 TLS SSL SSH ECC DSA RAM CPU GPU USB LAN VPN DNS API SMS PDF
    DPA DPO KSL OSL SFS SOU NIS ISO IEC SKR MSB IMY EDPB"""
)


class _PlateRecognizer(PatternRecognizer):
    def invalidate_result(self, pattern_text: str) -> bool:
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


# --- obfuscated e-mail, bank accounts, IP addresses, passports, birth dates -------------

_OB_OPEN, _OB_CLOSE = r"[\(\[\{<]\s*", r"\s*[\)\]\}>]"
_OB_AT = (
    rf"(?:\s*{_OB_OPEN}(?:at|snabel-?a|@){_OB_CLOSE}\s*|\s+(?:at|snabel-?a)\s+"
    r"|\s*@\s*)"
)
_OB_DOT = rf"(?:\s*{_OB_OPEN}(?:dot|punkt|\.){_OB_CLOSE}\s*|\s+(?:dot|punkt)\s+|\.)"
_OB_LABEL = r"[\p{L}\d](?:[\p{L}\d-]{0,61}[\p{L}\d])?"
_OB_SEP = regex.compile(rf"{_OB_DOT}", regex.IGNORECASE)
_OB_AT_RE = regex.compile(_OB_AT, regex.IGNORECASE)


class _ObfuscatedEmailRecognizer(PatternRecognizer):
    """ "anna(at)eksjo.se", "anna [at] eksjo [dot] se", "anna snabel-a eksjo punkt se"."""

    def validate_result(self, pattern_text: str) -> bool | None:
        parts = _OB_AT_RE.split(pattern_text, maxsplit=1)
        domain = _OB_SEP.sub(".", parts[-1]) if len(parts) == 2 else ""
        return None if domain and _TLD(domain).fqdn else False


def _obfuscated_email() -> PatternRecognizer:
    local = r"[\p{L}\d][\p{L}\d._%+-]*"
    domain = rf"{_OB_LABEL}(?:{_OB_DOT}{_OB_LABEL}){{0,3}}{_OB_DOT}\p{{L}}{{2,6}}"
    return _ObfuscatedEmailRecognizer(
        supported_entity="EPOST",
        name="ObfuskeradEpostRecognizer",
        supported_language=LANGUAGE,
        patterns=[
            Pattern(
                "E-post (omskriven)",
                rf"(?<![\p{{L}}\d._%+-]){local}(?:{_OB_AT}){domain}(?![\p{{L}}\d])",
                0.6,
            )
        ],
        context=["e-post", "epost", "mejl", "mail", "adress"],
    )


class _BankAccountRecognizer(PatternRecognizer):
    def validate_result(self, pattern_text: str) -> bool | None:
        return None if 11 <= sum(ch.isdigit() for ch in pattern_text) <= 15 else False


def _bank_account() -> PatternRecognizer:
    """Clearing number + account number ("8327-9, 123 456 789-0", "6000 123 456 789");
    only reported next to a context word (konto, kontonummer, clearing …)."""
    return _BankAccountRecognizer(
        supported_entity="BANKKONTO",
        name="BankkontoRecognizer",
        supported_language=LANGUAGE,
        patterns=[
            Pattern(
                "Clearing + konto",
                r"(?<![\d-])[1-9]\d{3}(?:[- ]?\d)?"
                r"(?:,? |-|, ?|,?\s+(?i:konto(?:nummer|numret|nr)?|kto)\.?:?\s+)"
                r"(?:\d[ -]?){6,10}\d(?![\d-])",
                0.3,
            )
        ],
        context=[
            "konto",
            "clearing",
            "bank",
            "lön",
            "utbetalning",
            "insättning",
            "swedbank",
            "nordea",
            "handelsbanken",
            "seb",
        ],
        global_regex_flags=_CASE_SENSITIVE,
    )


_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"


_VERSION_CUE = regex.compile(r"(?i:\b(?:version|versionen|ver|v|build|release))\.?\s*$")


class _IpRecognizer(PatternRecognizer):
    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
        regex_flags: int | None = None,
    ) -> list[RecognizerResult]:
        results = super().analyze(text, entities, nlp_artifacts, regex_flags)
        return [r for r in results if not _VERSION_CUE.search(text, max(0, r.start - 12), r.start)]

    def validate_result(self, pattern_text: str) -> bool | None:
        if ":" in pattern_text:
            try:
                ipaddress.IPv6Address(pattern_text)
            except ValueError:
                return False
            return None
        # "3.1.2.4" is a section number, not an address: one part must have two digits
        return None if any(len(p) > 1 for p in pattern_text.split(".")) else False


def _ip_address() -> PatternRecognizer:
    return _IpRecognizer(
        supported_entity="IPADRESS",
        name="IpAdressRecognizer",
        supported_language=LANGUAGE,
        patterns=[
            Pattern(
                "IPv4",
                rf"(?<![\d.]){_OCTET}(?:\.{_OCTET}){{3}}(?:/\d{{1,2}})?(?![\d]|\.\d)",
                0.6,
            ),
            Pattern(
                "IPv6",
                r"(?<![\p{L}\d:])(?=[0-9a-f:]*:[0-9a-f]*:)[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}"
                r"(?![\p{L}\d:])",
                0.6,
            ),
        ],
        context=["ip", "adress", "dator", "logg", "router", "server", "nätverk"],
    )


def _passnummer() -> PatternRecognizer:
    """Passport and national id card numbers after a cue word ("passnummer AA1234567")."""
    cue = (
        r"(?i:\b(?:pass|passet|passets|passnummer|passnumret|passnr|pass-?nummer|"
        r"passport(?:\s+number)?|id-kort(?:et|ets|snummer|snumret)?|nationellt\s+id-kort))"
    )
    glue = r"(?:\s+(?:är|har|med|nummer|nr|numret|nr\.|no\.?))*\s*[:.#]?\s*"
    return PatternRecognizer(
        supported_entity="PASSNUMMER",
        name="PassnummerRecognizer",
        supported_language=LANGUAGE,
        patterns=[
            Pattern(
                "Passnummer",
                rf"(?<={cue}{glue})(?:[A-Z]{{1,2}} ?)?\d{{6,9}}(?![\p{{L}}\d])",
                0.95,
            )
        ],
        global_regex_flags=_CASE_SENSITIVE,
    )


_MONTHS = (
    r"(?i:jan(?:uari)?|feb(?:ruari)?|mar(?:s)?|apr(?:il)?|maj|jun(?:i)?|jul(?:i)?|"
    r"aug(?:usti)?|sep(?:t(?:ember)?)?|okt(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)


def _fodelsedatum() -> PatternRecognizer:
    """Dates after a birth cue ("född 1981-12-18", "födelsedatum 18 december 1981")."""
    cue = (
        r"(?i:\b(?:född|födda|föddes|födelsedatum(?:et)?|födelsedag(?:en)?|födelsedatumet|"
        r"f\.|date\s+of\s+birth|birth\s?date|dob))"
    )
    glue = r"(?:\s+(?:den|är|var|på|:e|år))*\s*[:]?\s*"
    year = r"(?:18|19|20)\d\d"
    date = (
        rf"(?:{year}[-./]\d{{1,2}}[-./]\d{{1,2}}"
        rf"|\d{{1,2}}(?::[ae])?\s+{_MONTHS}\.?\s+(?:{year}|'?\d\d)"
        rf"|\d{{1,2}}[-./]\d{{1,2}}[-./ ]\s?(?:{year}|\d\d)"
        rf"|(?:{year})?\d{{6}})"
    )
    return PatternRecognizer(
        supported_entity="FÖDELSEDATUM",
        name="FodelsedatumRecognizer",
        supported_language=LANGUAGE,
        patterns=[Pattern("Födelsedatum", rf"(?<={cue}{glue}){date}(?![\d])", 0.9)],
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
        SwedishIdRecognizer(),
        OrganisationsnummerRecognizer(),
        SwedishPhoneRecognizer(),
        SwedishEmailRecognizer(),
        _iban(),
        _bankgiro(),
        _plusgiro(),
        _obfuscated_email(),
        _bank_account(),
        _ip_address(),
        _passnummer(),
        _fodelsedatum(),
        _postnummer(),
        _address(),
        _regnummer(),
        _arendenummer(),
        SwedishNameRecognizer(allow_list),
    ]
