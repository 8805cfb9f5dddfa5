"""Lifecycle metadata read from real front matter in its layouts (ingest/metadata.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.metadata import extract_metadata, parse_date
from ingest.reading import load
from tests.conftest import POLICIES

KARLSHAMN = "kommun_sv/karlshamn_7.54-IT-och-informationssakerhetspolicy-1.pdf"


def _meta(path: Path):
    return extract_metadata(load(path), path)


def test_the_karlshamn_cover_page(shared_corpus: Path):
    meta = _meta(shared_corpus / KARLSHAMN)
    assert (meta.adopted, meta.adopted_by, meta.decision_ref) == (
        "2018-06-18", "Kommunfullmäktige", "§ 98"
    )  # fmt: skip
    assert meta.valid_to == "2022-12-31"
    assert meta.valid_from == "Lagakraftvunnet beslut", "a stated non-date is kept as text"
    assert meta.owner == "Kommunledningsförvaltningen Kansli"
    assert meta.doc_type == "policy"


@pytest.mark.parametrize(
    ("name", "adopted", "by"),
    [
        ("kommun_sv_more/sunet_it_sakerhetspolicy_2008.md", "2008-01-17", "Sunets styrelse"),
        ("kommun_sv_more/sunet_policy_tillaten_anvandning_etiska_regler_2010.md", "2010-05-25",
         "Sunets styrelse"),
    ],
)  # fmt: skip
def test_a_prose_adoption_statement(shared_corpus: Path, name, adopted, by):
    meta = _meta(shared_corpus / name)
    assert (meta.adopted, meta.adopted_by) == (adopted, by)
    assert meta.valid_to is None and meta.review_by is None


def test_real_documents_without_front_matter_get_no_invented_dates(shared_corpus: Path):
    for name in ("falkenberg_kunskapsportal_dpia.md", "digg_opensource_checklista_sakerhet.md",
                 "kungsbacka_ai_bygglovshandlingar_annoteringsverktyget.docx",
                 "sambruk_stimma_PUB_AVTAL_KOMPLETT.docx"):  # fmt: skip
        meta = _meta(shared_corpus / "kommun_sv_more" / name)
        assert (meta.adopted, meta.valid_to, meta.review_by, meta.owner) == (None,) * 4, name
    bilaga = _meta(shared_corpus / "kommun_sv/sambruk_stimma_PUB_BILAGA_2_UNDERBITRADEN.md")
    assert bilaga.doc_type == "dokument", "'lag' is not a word in 'Bilaga'"


@pytest.mark.parametrize(
    ("name", "review_by", "owner"),
    [
        ("informationssakerhetspolicy.pdf", "2026-03-12",
         "Informationssäkerhetssamordnare, Höglandsförbundet"),  # fields run into one PDF line
        ("it-sakerhetspolicy.html", "2025-11-28", "IT-chef, Höglandsförbundet"),
        ("riktlinjer-generativ-ai.docx", "2026-02-18", "Digitaliseringsstrateg, Höglandsförbundet"),
        ("riktlinjer-personuppgifter.md", "2026-09-03", "Förbundsjurist, Höglandsförbundet"),
    ],
)  # fmt: skip
def test_the_sample_policies(name, review_by, owner):
    meta = _meta(POLICIES / name)
    assert (meta.review_by, meta.owner) == (review_by, owner)
    assert meta.adopted_by == "Höglandsförbundets förbundsdirektion (fiktivt beslut)"
    assert meta.diary_no and meta.diary_no.startswith("HLF 20")
    assert len(meta.municipalities) == 6


def test_table_rows_and_review_intervals(tmp_path: Path):
    path = tmp_path / "rutin.md"
    path.write_text(
        "# Rutin för loggning\n\n| Fält | Uppgift |\n|---|---|\n| Antagen av | Kommunstyrelsen |\n"
        "| Beslutsdatum | 3 mars 2024 |\n| Dokumentansvarig | IT-chef |\n"
        "| Revideras | årligen |\n\n## 1 Syfte\n\nLoggar sparas.\n",
        encoding="utf-8",
    )
    meta = _meta(path)
    assert (meta.adopted, meta.adopted_by) == ("2024-03-03", "Kommunstyrelsen")
    assert meta.owner == "IT-chef"
    assert meta.review_by == "2025-03-03", "'årligen' from the adoption date"


def test_parse_date():
    assert parse_date("den 8 sept 2015") == "2015-09-08"
    assert parse_date("Kommunfullmäktige 2018-06-18 § 98") == "2018-06-18"
    assert parse_date("2022-02-30") is None and parse_date("31 februari 2020") is None
    assert parse_date("Lagakraftvunnet beslut") is None


# --- titles: the one the document states, never a generic heading word ----------------------

MSBFS = "sv_public_3/msbfs_2025-9_upphavande_informationssakerhet_samhallsviktiga_tjanster.pdf"
MCFFS = "sv_public_3/mcffs_2026-1_anmalan_identifiering_vasentliga_viktiga_verksamhetsutovare.pdf"


def test_agency_regulations_are_titled_by_their_number_and_name(shared_corpus: Path):
    """Their PDFs' metadata title is "Författning": the number and the stated name win."""
    msbfs = _meta(shared_corpus / MSBFS).title
    assert msbfs.startswith("MSBFS 2025:9 Myndigheten för samhällsskydd")
    assert "föreskrifter om upphävande" in msbfs
    assert msbfs.endswith(" …") and len(msbfs) <= 220, "a long name is cut at a word"
    mcffs = _meta(shared_corpus / MCFFS).title
    assert mcffs.startswith("MCFFS 2026:1 Myndigheten för civilt försvars föreskrifter")
    assert mcffs.endswith("viktiga verksamhetsutövare")
    assert load(shared_corpus / MCFFS).title == mcffs, "the PDF loader states it too"


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("sv_public_3/adda_mall-for-avropsforfragan-resursuppdrag_it-konsulttjanster-2021.docx",
         "Avropsmall IT-konsulttjänster 2021"),  # not its first heading, "Inledning"
        ("sv_public_3/adda_mall-for-kontrakt_it-konsulttjanster-2021.docx",
         "Mall för kontrakt – IT-konsulttjänster 2021"),  # two cover lines, no heading
        ("sv_public_3/inera_avrop_sakerhetsstrateg_2023110007.pdf", "Avropsförfrågan"),
        ("kommun_sv/karlshamn_7.54-IT-och-informationssakerhetspolicy-1.txt",
         "IT- och informationssäkerhetspolicy"),  # after a "<<<PAGE 1>>>" marker
        ("sv_public_3/datasektionen_pm_informationshantering_body_sv.md",
         "Datasektionen pm informationshantering body sv"),  # not "Syfte"
        ("kommun_sv_more/sunet_it_sakerhetspolicy_2008.md",
         "Sunet it sakerhetspolicy 2008"),  # not "Ansvarsfördelning"
        ("sv_public_3/adda_avropsvagledning_it-konsulttjanster-2021_2025-11-21.pdf",
         "Ramavtal för IT-konsulttjänster 2021"),
        ("kommun_sv/sambruk_stimma_PUB_BILAGA_1_INSTRUKTION.md",
         "Bilaga 1 – Instruktion för behandling av personuppgifter"),
    ],
)  # fmt: skip
def test_real_documents_titles(shared_corpus: Path, name: str, title: str):
    assert _meta(shared_corpus / name).title == title


@pytest.mark.slow
def test_a_cover_line_before_the_contents_is_the_title(shared_corpus: Path):
    path = shared_corpus / "kommun_sv_more" / "helsingborg_samsynsguiden_bygglov_2023-10-10.pdf"
    assert _meta(path).title.startswith("Samsynsguiden – Hantering av bygglovs")


def test_a_generic_metadata_title_and_heading_give_way(tmp_path: Path):
    import docx

    document = docx.Document()
    document.core_properties.title = "Författning"
    document.add_paragraph("Riktlinje för loggning")
    document.add_heading("Inledning", level=1)
    document.add_paragraph("Loggar sparas i ett år.")
    path = tmp_path / "loggning.docx"
    document.save(str(path))
    assert _meta(path).title == "Riktlinje för loggning"
    assert _meta(POLICIES / "riktlinjer-personuppgifter.md").title == (
        "Riktlinjer för behandling av personuppgifter"
    )


def test_a_statute_book_regulation_in_any_format(tmp_path: Path):
    path = tmp_path / "skvfs.md"
    path.write_text(
        "Skatteverkets författningssamling\n\nSKVFS 2030:1\n\nUtkom från trycket den 2 januari"
        " 2030\n\nSkatteverkets föreskrifter om provning av exempel (SKVFS 2029:4);\n\n"
        "beslutade den 1 januari 2030.\n\n1 § Dessa föreskrifter gäller prov.\n",
        encoding="utf-8",
    )
    assert _meta(path).title == (
        "SKVFS 2030:1 Skatteverkets föreskrifter om provning av exempel (SKVFS 2029:4)"
    )
    decided = tmp_path / "riktlinje.md"
    decided.write_text(
        "# Riktlinje för loggning\n\nRiktlinje om loggar;\n\nbeslutade den 1 januari 2030.\n",
        encoding="utf-8",
    )
    assert _meta(decided).title == "Riktlinje för loggning", "no föreskrifter: no statute book"
