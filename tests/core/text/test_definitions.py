"""Definitions documents state themselves: hand-written snippets, the sample AI guidelines and
real public documents (skipped without ../shared/corpus)."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.text.definitions import Definition, definitions
from ingest.reading import load

POLICIES = Path(__file__).resolve().parents[3] / "policies"


def found(text: str) -> dict[str, tuple[str, ...]]:
    return {d.concept: d.words for d in definitions(text)}


def assert_sane(result: list[Definition]) -> None:
    for d in result:
        assert d.concept.strip() and len(d.concept.split()) <= 6, d
        assert all(w == w.lower() and 1 <= len(w.split()) <= 4 for w in d.words), d
    concepts = [d.concept.lower() for d in result]
    assert len(concepts) == len(set(concepts)), "one definition per concept"


# --- definition sentences -----------------------------------------------------------------
def test_med_x_avses_with_examples() -> None:
    text = (
        "Med publik AI-tjänst avses i dessa riktlinjer en tjänst som är fritt tillgänglig på "
        "internet, t.ex. ChatGPT, Copilot eller Gemini."
    )
    assert found(text) == {"publik AI-tjänst": ("chatgpt", "copilot", "gemini")}


def test_med_x_menas_and_definieras_som() -> None:
    text = (
        "Med distansarbete menas arbete utanför kontoret, exempelvis hemma eller på ett hotell. "
        "Molntjänst definieras som en tjänst som levereras via internet, såsom Dropbox och "
        "Google Drive."
    )
    assert found(text) == {
        "distansarbete": ("hemma", "på ett hotell"),
        "molntjänst": ("dropbox", "google drive"),
    }


def test_a_definition_without_examples_names_its_concept() -> None:
    assert definitions("Med tredjeland avses ett land utanför EU/EES.") == [
        Definition("tredjeland", ())
    ]


def test_examples_stop_where_the_sentence_goes_on() -> None:
    text = (
        "Med IT-plattform avses utrustning, till exempel datorer och skrivare, för att "
        "hantera information som ska skyddas."
    )
    assert found(text) == {"IT-plattform": ("datorer", "skrivare")}


def test_long_examples_and_clauses_are_not_words() -> None:
    text = (
        "Med AI-agent avses en tjänst som kan utföra åtgärder, till exempel skicka e-post, "
        "ändra uppgifter i ett verksamhetssystem eller genom att boka möten."
    )
    assert found(text) == {"AI-agent": ("skicka e-post",)}


def test_english_means_and_is_defined_as() -> None:
    text = (
        "'Personal data' means any information relating to a person, such as a name or an "
        "identification number. Cloud service is defined as a service such as Dropbox."
    )
    assert found(text) == {
        "Personal data": ("name", "identification number"),
        "cloud service": ("dropbox",),
    }


# --- abbreviations and names ----------------------------------------------------------------
def test_abbreviation_after_its_long_form() -> None:
    text = (
        "Bring Your Own Device (BYOD) är inte tillåtet. Kontakta dataskyddsombudet (DSO) och "
        "Myndigheten för samhällsskydd och beredskap (MSB). Teckna ett "
        "personuppgiftsbiträdesavtal (PUB-avtal)."
    )
    assert found(text) == {
        "Bring Your Own Device": ("byod",),
        "dataskyddsombudet": ("dso",),
        "Myndigheten för samhällsskydd och beredskap": ("msb",),
        "personuppgiftsbiträdesavtal": ("pub-avtal",),
    }


def test_long_form_in_parentheses_or_after_a_comma() -> None:
    text = (
        "Privat utrustning, BYOD (bring your own device), får inte anslutas. Verktyg för "
        "beroendeanalys (SCA, Software Composition Analysis) används."
    )
    assert found(text) == {
        "bring your own device": ("byod",),
        "Software Composition Analysis": ("sca",),
    }


def test_letters_that_do_not_spell_the_abbreviation() -> None:
    text = (
        "Europaparlamentets och rådets förordning (EU) 2016/679 gäller. Skyddet har funktioner "
        "för upptäckt och respons (EDR). Ramverket mellan EU och USA (EU-U.S. Data Privacy "
        "Framework) gäller. Se avsnitt 5 (OBS) och (K) nedan."
    )
    assert found(text) == {}


def test_so_called_names() -> None:
    text = (
        "Privat utrustning, så kallad BYOD, får inte användas. "
        "Tvåfaktorsautentisering (även kallad flerfaktorsautentisering eller MFA) krävs. "
        "Ett skriftligt personuppgiftsbiträdesavtal, ofta kallat PUB-avtal, ska tecknas. "
        "Molntjänster, s.k. SaaS-tjänster, ska förhandsbedömas. "
        "En konsekvensbedömning avseende dataskydd, på engelska data protection impact "
        "assessment eller DPIA, ska göras. Varje nämnd ska ha en dokumenthanteringsplan, som "
        "i informationssäkerhetspolicyn kallas informationshanteringsplan, som anger gallring."
    )
    assert found(text) == {
        "privat utrustning": ("byod",),
        "tvåfaktorsautentisering": ("flerfaktorsautentisering", "mfa"),
        "personuppgiftsbiträdesavtal": ("pub-avtal",),
        "molntjänster": ("saas-tjänster",),
        "konsekvensbedömning avseende dataskydd": ("data protection impact assessment", "dpia"),
        "dokumenthanteringsplan": ("informationshanteringsplan",),
    }


def test_so_called_after_a_clause_is_not_a_definition() -> None:
    text = (
        "Även händelser som inte har fått några konsekvenser, så kallade nära-ögat-händelser, "
        "ska rapporteras. Denna så kallade fyraögonsprincip ska dokumenteras. Det vanligaste "
        "sättet är så kallad övervakad inlärning, där en modell tränas. Organisation, org. nr, "
        '"adress", nedan kallad "Leverantören".'
    )
    assert found(text) == {}


# --- ordinary sentences -------------------------------------------------------------------
def test_nothing_from_ordinary_sentences() -> None:
    text = (
        "Med stöd av denna policy får IT-chefen besluta om tekniska anvisningar, till exempel "
        "konfigurationskrav. Med det avses inget särskilt. Med andra ord menas att lösenord "
        "inte får lämnas ut. Det innebär att publika tjänster till exempel får användas för "
        "att förbättra språket. Lösenord: minst 14 tecken, t.ex. en lösenfras. "
        "Begrepp som inte definieras i avtalet ska ha samma innebörd som i lagen."
    )
    assert found(text) == {}


# --- definition lists ---------------------------------------------------------------------
def test_definition_list_under_a_heading() -> None:
    text = """## 2 Definitioner

- **Molntjänst**: en tjänst som levereras via internet, t.ex. Dropbox, Google Drive eller
  OneDrive.
- **Lösenord**: en hemlig teckensträng som används vid inloggning.
- Flyttbara lagringsmedia – t.ex. USB-minnen och externa hårddiskar.
- LIS: ledningssystem för informationssäkerhet, det vill säga arbetssätt och roller.

## 3 Regler

- Mejl: e-post, t.ex. Outlook.
"""
    assert found(text) == {
        "molntjänst": ("dropbox", "google drive", "onedrive"),
        "flyttbara lagringsmedia": ("usb-minnen", "externa hårddiskar"),
        "ledningssystem för informationssäkerhet": ("lis",),
    }


def test_definition_table_and_lead_in() -> None:
    text = """Begrepp

| Begrepp | Förklaring |
|---------|------------|
| **Chattbot** | Ett program som svarar på frågor, såsom ChatGPT och Copilot |
| **Behandling** | Varje åtgärd med personuppgifter |

I dessa riktlinjer används följande begrepp:

- Riskbedömning/ riskanalys -- arbetssätt för att identifiera risker.
- Åtgärdsplan -- dokument för beslutade åtgärder. Kan också benämnas riskbehandlingsplan för
  att visa att åtgärderna följer av en riskbedömning.

Därefter följer vanlig text: t.ex. annat.
"""
    assert found(text) == {
        "chattbot": ("chatgpt", "copilot"),
        "riskbedömning": ("riskanalys",),
        "åtgärdsplan": ("riskbehandlingsplan",),
    }


def test_plain_text_list_without_separators() -> None:
    text = """Definitioner

IT-system System som används för att lagra information.

IT-plattform Utrustning och system, så som arbetsdatorer, skrivare och surfplattor.

Mål

Kommunen Använder system, så som datorer.
"""
    assert found(text) == {"IT-plattform": ("arbetsdatorer", "skrivare", "surfplattor")}


# --- real documents -------------------------------------------------------------------------
def test_ai_guidelines_section_2_definitions() -> None:
    source = POLICIES / "src" / "riktlinjer-generativ-ai.md"
    for text in (source.read_text(encoding="utf-8"), load(source).text):
        result = definitions(text)
        assert_sane(result)
        got = {d.concept: d.words for d in result}
        assert got["AI-system"] == ("förutsägelser", "innehåll", "rekommendationer", "beslut")
        assert got["AI-agent"] == ("skicka e-post", "boka möten", "hämta filer")
        for concept in ("publik AI-tjänst", "godkänd intern AI-tjänst", "informationsklass"):
            assert concept in got


def test_sample_policies_names_and_abbreviations() -> None:
    isp = found(load(POLICIES / "informationssakerhetspolicy.pdf").text)
    assert isp["ledningssystem för informationssäkerhet"] == ("lis",)
    assert isp["Integritetsskyddsmyndigheten"] == ("imy",)
    assert isp["informationstillgång"] == ("ärendeslag", "register")
    itp = found(load(POLICIES / "it-sakerhetspolicy.html").text)
    assert itp["tvåfaktorsautentisering"] == ("flerfaktorsautentisering", "mfa")
    assert itp["privat utrustning"] == ("byod",)
    pu = found((POLICIES / "riktlinjer-personuppgifter.md").read_text(encoding="utf-8"))
    assert pu["personuppgiftsbiträdesavtal"] == ("pub-avtal",)
    assert pu["dokumenthanteringsplan"] == ("informationshanteringsplan",)


SHARED_EXPECTED = {
    "msb_metodstod_sv/utforma_riskhantering.md": {
        "riskbedömning": ("riskanalys",),
        "åtgärdsplan": ("riskbehandlingsplan",),
        "Förordningen om intern styrning och kontroll": ("fisk",),
    },
    "kommun_sv/sambruk_stimma_PUB_AVTAL.md": {"Integritetsskyddsmyndigheten": ("imy",)},
    "kommun_sv_more/digg_opensource_checklista_sakerhet.md": {
        "Software Composition Analysis": ("sca",)
    },
    "kommun_sv_more/falkenberg_kunskapsportal_dpia.md": {
        "personuppgiftsbiträdesavtal": ("pub-avtal",),
        "Data Privacy Framework": ("dpf",),
    },
    "kommun_sv/karlshamn_7.54-IT-och-informationssakerhetspolicy-1.txt": {
        "IT-plattform": ("arbetsdatorer", "serversystem", "datornätverk")
    },
}


@pytest.mark.parametrize("name", sorted(SHARED_EXPECTED))
def test_shared_corpus_documents(shared_corpus: Path, name: str) -> None:
    path = shared_corpus / name
    if not path.is_file():
        pytest.skip(f"{name} is not in the shared corpus")
    result = definitions(load(path).text)
    assert_sane(result)
    got = {d.concept: d.words for d in result}
    for concept, words in SHARED_EXPECTED[name].items():
        assert got[concept][: len(words)] == words, (concept, got.get(concept))


def test_shared_markdown_files_give_sane_definitions(shared_corpus: Path) -> None:
    files = sorted((shared_corpus / "msb_metodstod_sv").glob("*.md"))
    files += sorted((shared_corpus / "kommun_sv_more").glob("*.md"))
    if not files:
        pytest.skip("no Markdown files in the shared corpus")
    total = 0
    for path in files:
        result = definitions(path.read_text(encoding="utf-8"))
        assert_sane(result)
        total += len(result)
    assert total >= 10
