"""Person-name recognizer for Swedish text (part of :mod:`assistant.pii`).

First and last names come from the installed Faker ``sv_SE`` person provider (read at run
time, not copied). Names missing from those lists are still caught by capitalisation
(two capitalised words mid-sentence are a name in Swedish text), Swedish surname endings
("-kvist", "-ström") and person cues ("handläggare Lisa", "min kollega Per"). Places,
organisations, products, law/role words and English vocabulary are not names.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import regex
from presidio_analyzer import AnalysisExplanation, EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from spacy.lang.sv.stop_words import STOP_WORDS

from core.text.segment import split_sentences

LANGUAGE = "sv"


def words(text: str) -> frozenset[str]:
    """Whitespace-separated words of ``text`` as a set."""
    return frozenset(text.split())


# Words right before a name that make it a name ("min kollega Per", "handläggare Lisa").
PERSON_CUES = words(
    """kollega kollegan kollegor handläggare handläggaren chef chefen medarbetare medarbetaren
    anställd anställde anställda elev eleven elever lärare läraren rektor rektorn brukare
    brukaren patient patienten klient klienten sökande sökanden vårdnadshavare
    vårdnadshavaren mamma mamman pappa pappan son sonen dotter dottern make maken maka makan
    sambo sambon granne grannen heter herr fru fröken kontaktperson kontaktpersonen
    socialsekreterare socialsekreteraren enhetschef enhetschefen assistent assistenten
    konsult konsulten praktikant praktikanten vikarie vikarien användare användaren kund
    kunden invånare invånaren medborgare medborgaren barnet barn syster systern bror brodern
    pojken flickan hyresgäst hyresgästen förälder föräldern mentor mentorn sjuksköterska
    sjuksköterskan läkare läkaren namnet kallas handläggarna kollegorna chefer doktor dr
    professor advokat advokaten kurator kuratorn skolsköterska skolsköterskan sekreterare
    sekreteraren ordförande ordföranden ombudet hej hejsan mvh
    hälsningar"""
)

# Context words for Presidio's context enhancer (substring match on lower-case tokens).
NAME_CONTEXT = [
    "kollega", "handläggare", "chef", "medarbetare", "anställd", "eleven", "lärare", "rektor",
    "brukare", "patient", "vårdnadshavare", "sambo", "granne", "kontaktperson",
    "socialsekreterare", "assistenten", "konsulten", "praktikant", "vikarie", "mamma",
    "pappa", "dotter",
]  # fmt: skip

# Capitalised words that are never names: places, organisations, products, frequent
# sentence-initial words. Lower-case; genitive "-s" is stripped before lookup.
NOT_NAMES = words(
    """aneby eksjö gislaved gnosjö habo jönköping mullsjö nässjö sävsjö tranås vaggeryd
    vetlanda värnamo höglandet höglandets höglandsförbundet huskvarna bodafors
    sverige sveriges svenska svensk europa europeiska eu norden danmark norge finland
    region regionen kommun kommunen kommuner länsstyrelsen riksdagen regeringen
    försäkringskassan skatteverket polisen socialstyrelsen arbetsförmedlingen
    kronofogden migrationsverket skolverket skolinspektionen datainspektionen
    integritetsskyddsmyndigheten digg justitieombudsmannen kammarrätten förvaltningsrätten
    microsoft google apple amazon meta facebook instagram linkedin tiktok youtube whatsapp
    teams outlook office word excel sharepoint onedrive copilot gemini claude mistral llama
    zoom slack dropbox windows linux android azure entra intune defender chrome edge
    firefox safari visma tietoevry tieto procapita lifecare treserva pulsen combine unikum
    vklass edlevo hypergene ciceron platina evolution bankid frejaeid swish
    signal telegram messenger gmail hotmail yahoo github gitlab jira confluence
    atlassian oracle sap cisco fortinet sophos citrix vmware ubuntu debian python adobe
    acrobat purview sentinel workspace analytics teamviewer raindance skolon atea inera
    klassa esam nist icloud anyconnect fortigate palo alto crowdstrike okta sweden
    måndag tisdag onsdag torsdag fredag lördag söndag januari februari mars april
    juli augusti september oktober november december
    dataskyddsförordningen offentlighetsprincipen bilaga bilagan kapitel artikel avsnitt
    paragraf punkt tabell figur version nivå steg fas del sida
    lex hej hejsan tack jag vi ni du han hon den det de man enligt gäller vem vad hur när var
    varför vilken vilket vilka får kan ska måste bör behöver finns är om inom efter innan
    under för till från med utan och eller men så"""
)

# Endings of organisation, law, document and role words ("Dataskyddsombudet"). Short
# roots ("lag", "plan") only count when inflected, so "Kaplan" or "Lage" are not caught.
_INSTITUTION_RE = regex.compile(
    r"(?:(?:förbund|nämnd|styrelse|kommun|myndighet|kassa|inspektion|tjänst|förvaltning|"
    r"ombud|ombudsman|policy|förordning|enhet|avdelning|bolag|region|center|centrum|skola|"
    r"gymnasi|sjukhus|universitet|högskola|förening|domstol|departement|direktiv|riktlinje|"
    r"rutin|instruktion|strategi|program|system|portal|plattform|funktion|sekretariat|"
    r"kansli|byrå|organisation|avtal|handbok|ansvarig|förvaltare|samordnare|register|"
    r"process|central|kontor)(?:et|en|n|s|ens|ets|er|erna|arna|ar|ns|um|a|e|t|met|mets)?"
    r"|(?:lag|råd|rätt|verk|hus|plan|stöd|ansvar|grupp|arkiv|balk)"
    r"(?:et|en|ens|ets|ar|arna|er|erna))$"
)

# Endings typical of Swedish surnames ("Lindkvist", "Ahrén", "Afzelius").
_SURNAME_RE = regex.compile(
    r"(?:son|sen|berg|bergh|gren|ström|strom|qvist|kvist|quist|lund|holm|dahl|dal|lin|din|"
    r"blad|bäck|borg|stedt|fors|ius|ell|ér|én|ander|skog|löf|löv|vall|mark|ling|sköld|"
    r"stam|hed|hall|ros|hammar|man|lind|strand|roth|rot|blom|crantz|stierna|hielm|"
    r"dotter|heim|ner|ek|eus|sjö|mann)$"
)

# First names that are also ordinary words ("Per", "Bo", "Vera"): alone, a name only
# when capitalised mid-sentence; the _WORDLIKE_FIRST ones ("Max", "Siri") not even then.
_WORDLIKE_FIRST = words(
    """max mark maj juni may my love edit svea urban junior will bill frank siri nova luna
    saga vega viking"""
)
_AMBIGUOUS_FIRST = _WORDLIKE_FIRST | words(
    """per bo max mark dag del hans inga mina maj juni may my lo liv vide love edit svea
    urban junior tim will bill ben neo siri nova luna saga vega ted tom sam kim ian dan
    gun ann ina isa jon jan li thi mio noa viking frank rosa rose stella bella aurora
    iris ester vera ella alba alma ruth rut"""
)

# All-caps words that are abbreviations, not names ("NVIDIA GPU", "GDPR IMY").
ACRONYMS = words(
    """AB AES AI API BI BYOD CA CELEX CERT CIS CPU CSF CVSS DKIM DMARC DNS DPIA DPA DPO EDR
    EES EN EU EUR GB GDPR GGUF GIL GPU HLF HNSW HR HTML HTTP HTTPS ID IEC IEEE IMY IP ISO IT
    IVO JSON JWT KF KS KSL LIS LLM MB MDM MFA MSB NFS NIS NIST NVIDIA OK OSL OWASP PDF PEM
    PII PIN PMO PUB PUL PWD RAM RBAC REST RSS SDK SE SFS SITHS SKR SMB SMS SOSFS SOU SP SPF
    SS SSH SSL SV TF TLS TXT UI URL USA USB VPN WIFI YGL IVR SCB LISA SIEM SOC CSV XML"""
)

# Question and imperative words that start Swedish questions ("Skicka", "Ring", "Behöver").
SENTENCE_STARTERS = words(
    """skicka ring mejla maila kontakta kontrollera kolla förklara beskriv sammanfatta lista
    visa ge hjälp ange läs svara fråga glöm tänk notera observera obs använd spara radera
    ta lägg sätt gör fyll informera meddela boka stäng öppna logga anmäl rapportera
    omfattas krävs behövs gäller räcker stämmer fungerar används anses finns
    vilken vilket vilka varför vart"""
)
# Verbs of contact: a surname right after one is a person ("Fråga Nyqvist", "ring Berg").
_CONTACT_CUES = words("fråga kontakta ring ringa mejla maila mejlade skicka be hälsa träffa")
_VERB_ENDINGS = ("ar", "er", "ir", "ur", "as", "vs", "ks", "ps", "ts", "ds", "es")

_PARTICLES = frozenset({"von", "af", "av", "de", "van", "der", "la", "di", "el", "al", "bin"})

_AFTER_POSTCODE = regex.compile(r"\b\d{3} ?\d{2},? *$")
_WORD_RE = regex.compile(r"(?<![\p{L}\p{N}@._-])\p{L}[\p{L}'’]*(?:-\p{L}[\p{L}'’]*)*")
# A capital word right after these starts a clause; after ".!?" only where the project's
# sentence segmenter ends a sentence ("t.ex. Lisa" is mid-sentence, "det. Lisa" is not).
_CLAUSE_OPENERS = frozenset(":;\n\"'(«»–—•*>-")  # the scrubber turns every dash into "-"


@lru_cache(maxsize=1)
def faker_names() -> tuple[frozenset[str], frozenset[str]]:
    """Lower-case (first names, last names) from the installed Faker ``sv_SE`` provider."""
    from faker.providers.person.sv_SE import Provider

    first = {n.lower() for n in (*Provider.first_names_female, *Provider.first_names_male)}
    last = {n.lower() for n in Provider.last_names}
    return frozenset(first - STOP_WORDS), frozenset(last - STOP_WORDS)


# IT words that Faker's English vocabularies lack ("Active Directory", "Open ePlatform").
_IT_WORDS = words(
    """active directory online cloud server identity access endpoint platform open free
    pro premium enterprise business basic standard suite studio connect hub limited live
    workspace desktop mobile web app apps chat mail meet drive docs forms sheets sign"""
)


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Common English words and country names from Faker (en_US lorem, company and job
    vocabularies; en/sv country lists), spaCy's English stop words and a few IT words:
    product and standard names ("Zero Trust", "Data Act") are made of them."""
    from faker.providers.address.en import Provider as EnAddress
    from faker.providers.address.sv_SE import Provider as SvAddress
    from faker.providers.company.en_US import Provider as Company
    from faker.providers.job.en_US import Provider as Job
    from faker.providers.lorem.en_US import Provider as Lorem
    from spacy.lang.en.stop_words import STOP_WORDS as EN_STOP_WORDS

    phrases = [*Lorem.word_list, *EN_STOP_WORDS, *Job.jobs, *_IT_WORDS]
    phrases += [*Company.company_suffixes, *EnAddress.countries, *SvAddress.countries]
    for group in (*Company.catch_phrase_words, *Company.bsWords):
        phrases.extend(group)
    words = (w.strip(",()").lower() for p in phrases for w in p.replace("-", " ").split())
    return frozenset(w for w in words if w) - faker_names()[0] - faker_names()[1]


@lru_cache(maxsize=1)
def _faker_places() -> frozenset[str]:
    from faker.providers.address.sv_SE import Provider

    words = {w.lower() for place in (*Provider.cities, *Provider.states) for w in place.split()}
    return frozenset(words)


def _is_title(word: str) -> bool:
    """Capitalised like a name: "Anna", "Anna-Karin", "O'Brien"; not "IT" or "iPhone"."""
    return all(p[:1].isupper() and (len(p) == 1 or p[1:].islower()) for p in word.split("-"))


class SwedishNameRecognizer(EntityRecognizer):
    """Person names from Faker's Swedish name lists, capitalisation and context.

    Scores (before Presidio's context enhancer adds ``+0.35`` for a nearby cue word):
    a run of two or more capitalised words mid-sentence is a name (0.85 with a known
    first/last name, 0.75 with a surname ending, 0.4 with an English or stop word, else
    0.55); a known first name alone 0.6; a word right after a person cue ("kollega",
    "handläggare") 0.7; a known or surname-like single word 0.35. A known first + last
    name in lower case is 0.6. At a sentence start the first word only counts when it is
    a known name or clearly begins a two-word name. Places, organisations, products,
    law and role words are never names; nor is the locality after a postcode.
    """

    ENTITY = "NAMN"

    def __init__(self, allow_list: Iterable[str] = ()) -> None:
        self.first, self.last = faker_names()
        self.english = english_words()
        allowed = {w.lower() for term in allow_list for w in term.split()}
        self.not_names = NOT_NAMES | _faker_places() | allowed
        super().__init__(
            supported_entities=[self.ENTITY],
            supported_language=LANGUAGE,
            name="SwedishNameRecognizer",
            context=NAME_CONTEXT,
        )

    def load(self) -> None:
        pass

    # -- word classification ------------------------------------------------------------
    def _stem(self, word: str) -> str:
        """Lower-case word without a genitive -s when the rest is a (likely) name."""
        low = word.lower()
        if low.endswith("s") and not low.endswith("ss") and not self._known(low) and len(low) > 3:
            base = low[:-1]
            if self._known(base) or _SURNAME_RE.search(base):
                return base
        return low

    def _known(self, low: str) -> bool:
        parts = low.split("-")
        return all(p in self.first or p in self.last for p in parts)

    def _blocked(self, word: str, after_first_name: bool = False) -> bool:
        """Is ``word`` never part of a name? A place that is also a surname ("Lund") is
        allowed right after a known first name ("Mila Lunds")."""
        low = word.lower()
        if low in PERSON_CUES or _INSTITUTION_RE.search(low):
            return True
        if after_first_name:
            stem = self._stem(low)
            if stem in self.last or _SURNAME_RE.search(stem):
                return False
        stem = low[:-1] if low.endswith("s") else low
        return low in self.not_names or stem in self.not_names

    # -- analysis ------------------------------------------------------------------------
    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        """Find name candidates; see the class docstring for the scores."""
        words = self._uncap([(m.start(), m.end(), m.group()) for m in _WORD_RE.finditer(text)])
        starts = frozenset(s.start for s in split_sentences(text))
        results: list[RecognizerResult] = []
        i = 0
        while i < len(words):
            run = self._title_run(text, words, i)
            if run:
                results.extend(self._score_run(text, words, i, run, starts))
                i += run
                continue
            results.extend(self._lower_case_name(words, i))
            i += 1
        return results

    def _uncap(self, words: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
        """ "ANNA SVENSSON" → "Anna Svensson": an all-caps word is read as a capitalised one
        when it is a known name, or (unless the whole text is in capitals) when it stands
        next to another all-caps word; abbreviations, English and stop words never."""
        caps = [len(w) > 1 and w.isupper() for _, _, w in words]
        if not any(caps):
            return words
        shouting = sum(caps) > max(2, len(words) // 2)

        def plain(i: int) -> bool:  # an all-caps word that may be part of a name
            word = words[i][2]
            after_first = i > 0 and words[i - 1][2].lower() in self.first
            return (
                caps[i]
                and word not in ACRONYMS
                and not self._blocked(word, after_first)
                and (len(word) > 2 or word.lower() in self.first)
            )

        def strong(i: int) -> bool:  # a known or surname-like name
            stem = self._stem(words[i][2])
            if stem in self.english:
                return False
            return bool(
                (self._known(stem) and stem not in _AMBIGUOUS_FIRST) or _SURNAME_RE.search(stem)
            )

        def weak(i: int) -> bool:
            low = words[i][2].lower()
            return low not in STOP_WORDS and low not in self.english

        out = list(words)
        for i, (start, end, word) in enumerate(words):
            if not plain(i):
                continue
            neighbours = [j for j in (i - 1, i + 1) if 0 <= j < len(words) and plain(j)]
            if (strong(i) and weak(i)) or (
                not shouting
                and any(strong(j) or (weak(i) and weak(j)) for j in neighbours)
                and (strong(i) or weak(i) or any(strong(j) for j in neighbours))
            ):
                out[i] = (start, end, "-".join(p.capitalize() for p in word.split("-")))
        return out

    def _title_run(self, text: str, words: list[tuple[int, int, str]], i: int) -> int:
        """Length of the run of capitalised words (with particles) starting at ``i``."""
        n = 0
        while i + n < len(words):
            start, _, word = words[i + n]
            if n and not text[words[i + n - 1][1] : start].isspace():
                break
            if n and "\n" in text[words[i + n - 1][1] : start]:
                break
            if _is_title(word) or (
                n
                and word in _PARTICLES
                and i + n + 1 < len(words)
                and _is_title(words[i + n + 1][2])
            ):
                n += 1
            else:
                break
        return n

    def _score_run(
        self, text: str, words: list[tuple[int, int, str]], i: int, n: int, starts: frozenset[int]
    ) -> list[RecognizerResult]:
        run = words[i : i + n]
        if _AFTER_POSTCODE.search(text, 0, run[0][0]):
            return []  # the locality after a postcode ("575 31 Eksjö", "713 22 Nora")
        prev = words[i - 1][2].lower() if i else ""
        at_start = self._sentence_start(text, run[0][0], starts)
        if at_start and not self._keeps_first_word(run):
            prev, run, at_start = run[0][2].lower(), run[1:], False
        out: list[RecognizerResult] = []
        piece: list[tuple[int, int, str]] = []
        for item in [*run, None]:  # split the run at words that are never names
            after_first = bool(piece) and piece[-1][2].lower() in self.first
            if item is not None and (
                item[2] in _PARTICLES or not self._blocked(item[2], after_first)
            ):
                piece.append(item)
                continue
            if piece:
                out.extend(self._score_piece(piece, prev, at_start and piece[0] is run[0]))
            piece = []
            if item is not None:
                prev = item[2].lower()
        return out

    def _keeps_first_word(self, run: list[tuple[int, int, str]]) -> bool:
        """Is the capitalised word at a sentence start part of a name?

        Yes for a known first name; for an unknown word only if a second capitalised word
        follows and the first does not look like a verb ("Behöver", "Omfattas", "Skicka").
        """
        first = run[0][2].lower()
        if self._blocked(first) or first in SENTENCE_STARTERS or first in STOP_WORDS:
            return False
        if self._known(first):
            return True
        if len(run) < 2 or self._blocked(run[1][2]):
            return False
        second = self._stem(run[1][2])
        if self._known(second) or (_SURNAME_RE.search(second) and second not in self.english):
            return True
        return not first.endswith(_VERB_ENDINGS) and first not in self.english

    def _score_piece(
        self, piece: list[tuple[int, int, str]], prev: str, at_start: bool
    ) -> list[RecognizerResult]:
        while piece and piece[-1][2] in _PARTICLES:
            piece = piece[:-1]
        if not piece:
            return []
        stems = [self._stem(w) for _, _, w in piece]
        known = [self._known(s) for s in stems]
        cue = prev in PERSON_CUES and not (len(piece) == 1 and stems[0] in self.english)
        if len(piece) >= 2:
            if any(known):
                score = 0.85
            elif _SURNAME_RE.search(stems[-1]) and stems[-1] not in self.english:
                score = 0.75
            elif any(w.lower() in self.english or w.lower() in STOP_WORDS for _, _, w in piece):
                score = 0.4  # "Zero Trust", "Mina Sidor": only with a person cue nearby
            else:
                score = 0.55
        elif cue:
            score = 0.7
        elif (stems[0] in self.first and not at_start and stems[0] not in _WORDLIKE_FIRST) or (
            prev in _CONTACT_CUES
            and (stems[0] in self.last or _SURNAME_RE.search(stems[0]))
            and stems[0] not in self.english
        ):
            score = 0.6  # a first name mid-sentence, a surname after "fråga", "ring" …
        elif stems[0] in self.first and stems[0] not in _AMBIGUOUS_FIRST:
            score = 0.5  # "Anna undrar om ..." at a sentence start
        elif known[0] or _SURNAME_RE.search(stems[0]):
            score = 0.35
        else:
            return []
        start, end, last = piece[0][0], piece[-1][1], piece[-1][2]
        if stems[-1] != last.lower() and stems[-1] == last.lower()[:-1]:
            end -= 1  # keep the genitive -s outside the placeholder: "<NAMN>s"
        return [self._result(start, end, score)]

    def _lower_case_name(self, words: list[tuple[int, int, str]], i: int) -> list[RecognizerResult]:
        """ "anna svensson": a known first name followed by a known last name; a known name
        right after a person cue ("handläggare nyqvist")."""
        if i + 1 < len(words):
            first, last = words[i][2], words[i + 1][2]
            if (
                first.islower()
                and last.islower()
                and first in self.first
                and first not in _AMBIGUOUS_FIRST
                and self._stem(last) in self.last
            ):
                end = words[i + 1][1] - (1 if self._stem(last) != last else 0)
                return [self._result(words[i][0], end, 0.6)]
        word = words[i][2]
        if i and word.islower() and words[i - 1][2].lower() in PERSON_CUES:
            stem = self._stem(word)  # "handläggare nyqvist"
            surname_like = (
                len(stem) > 4 and _SURNAME_RE.search(stem) and not stem.endswith(_VERB_ENDINGS)
            )
            if (
                (
                    stem in self.last
                    or surname_like
                    or (stem in self.first and stem not in _AMBIGUOUS_FIRST)
                )
                and stem not in STOP_WORDS
                and stem not in self.english
                and not self._blocked(word)
            ):
                return [self._result(words[i][0], words[i][1] - len(word) + len(stem), 0.6)]
        return []

    @staticmethod
    def _sentence_start(text: str, pos: int, starts: frozenset[int]) -> bool:
        """Does the word at ``pos`` start a sentence (``starts``: the segmenter's) or a clause?"""
        j = pos - 1
        while j >= 0 and text[j] in " \t":
            j -= 1
        if j >= 0 and text[j] in ".!?":
            return pos in starts
        return j < 0 or text[j] in _CLAUSE_OPENERS

    def _result(self, start: int, end: int, score: float) -> RecognizerResult:
        return RecognizerResult(
            entity_type=self.ENTITY,
            start=start,
            end=end,
            score=score,
            analysis_explanation=AnalysisExplanation(
                recognizer=self.name, original_score=score, textual_explanation="namnheuristik"
            ),
            recognition_metadata={
                RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
            },
        )
