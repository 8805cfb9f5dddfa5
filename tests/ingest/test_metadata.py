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
