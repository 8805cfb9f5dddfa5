"""A law is a law whoever published it: laws recognised from their content (laws/content.py).

Positives are other publishers' layouts of the GDPR and the dataskyddslagen (hand-made, or
derived in a temporary folder from ../shared/corpus files); negatives are real policies that
cite laws, and hand-made pages that explain or cite articles.
"""

from __future__ import annotations

import html
import json
import re
import textwrap
from pathlib import Path

import pytest

from eval.corpus import riksdagen_text
from ingest.chunking import chunk_document
from ingest.laws import LawDocument, apply_unit_refs, load_law
from ingest.laws.eurlex import parse_eurlex
from ingest.laws.statutes import parse_units as statute_units
from ingest.loaders import LoadError
from ingest.reading import load
from tests.conftest import POLICIES, SHARED

GDPR_TOC_SV = SHARED / "eu_sv" / "gdpr_toc_sv.html"
GDPR_EN = SHARED / "eu_en" / "eurlex_CELEX_32016R0679_EN_TXT.html"
DSL_JSON = SHARED / "sfs_sv" / "dataskyddslagen.json"

# Another publisher's markup: site chrome, the act's heading as <h1>, articles as <h3> with
# their titles in <h4>, points as a list.
OTHER_PUBLISHER = """<html><head><title>Dataskyddsförordningen | Lagtexter</title></head>
<body><div class="crumbs"><a href="/">Start</a> / <a href="/eu">EU-rätt</a></div>
<h1>Europaparlamentets och rådets förordning (EU) 2016/679</h1>
<p>om skydd för fysiska personer med avseende på behandling av personuppgifter</p>
<h2>Kapitel I Allmänna bestämmelser</h2>
<h3>Artikel 1</h3><h4>Syfte</h4>
<p>1. Denna förordning fastställer bestämmelser om skydd för personuppgifter.</p>
<p>2. Denna förordning skyddar fysiska personers rättigheter.</p>
<h3>Artikel 2</h3><h4>Materiellt tillämpningsområde</h4>
<p>1. Denna förordning ska tillämpas på behandling av personuppgifter.</p>
<p>2. Denna förordning ska inte tillämpas på behandling av personuppgifter</p>
<ul><li>a) som ett led i en verksamhet utanför unionsrätten,</li>
<li>b) som en fysisk person utför som ett led i verksamhet av rent privat natur.</li></ul>
<div class="footer-note">Sidan uppdaterades 2024-01-01.</div>
</body></html>"""

# A municipality's page that explains two articles under the act's name: not the act.
EXPLAINER = """<html><head><title>Dataskyddsförordningen</title></head><body>
<h1>Dataskyddsförordningen</h1>
<p>Här förklarar vi vad förordningen betyder för kommunens verksamhet.</p>
<h2>Artikel 5 – Principer</h2>
<p>Vi behandlar bara de uppgifter vi behöver för ärendet.</p>
<h3>Vad innebär det för dig?</h3>
<p>Du kan alltid fråga oss vilka uppgifter vi har om dig.</p>
<h2>Artikel 6 – Laglig grund</h2>
<p>Kommunen behandlar personuppgifter med stöd av allmänt intresse.</p>
<h3>Kontakta oss</h3><p>Skriv till dataskyddsombudet.</p>
</body></html>"""

# A policy that cites articles and paragrafer, some lines starting with them.
CITING_POLICY = """# Riktlinje för personuppgifter

## 1 Syfte

Kommunen behandlar personuppgifter enligt artikel 6.1 e i dataskyddsförordningen.

Artikel 6 i dataskyddsförordningen anger när behandling är laglig.

3 kap. 5 § dataskyddslagen gäller för känsliga personuppgifter.

## 2 Ansvar

1 § Nämnden ansvarar för behandlingen.

Artikel 33 kräver att incidenter anmäls inom 72 timmar.

Se även 2 kap. 2 § dataskyddslagen och artikel 9.2 g.
"""


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _shared(path: Path) -> Path:
    if not path.is_file():
        pytest.skip("../shared/corpus is not available")
    return path


def _all_refs(doc: LawDocument) -> set[str]:
    return {r for refs in doc.section_refs.values() for r in refs}


def test_another_publishers_gdpr_page_is_the_gdpr(tmp_path: Path):
    path = _write(tmp_path, "gdpr-lagtexter.html", OTHER_PUBLISHER)
    doc = load(path)
    assert isinstance(doc, LawDocument)
    assert (doc.act, doc.doc_type) == ("gdpr", "förordning")
    assert doc.title == "Dataskyddsförordningen (GDPR) – förordning (EU) 2016/679"
    article1 = "Kapitel I – Allmänna bestämmelser > Artikel 1 – Syfte"
    assert doc.section_refs[f"{article1} > punkt 2"] == ["gdpr:art1", "gdpr:art1:2"]
    article2 = "Kapitel I – Allmänna bestämmelser > Artikel 2 – Materiellt tillämpningsområde"
    assert doc.section_refs[f"{article2} > punkt 2"] == [
        "gdpr:art2", "gdpr:art2:2", "gdpr:art2:2:a", "gdpr:art2:2:b"
    ]  # fmt: skip
    assert "Start" not in doc.text, "the site's chrome before the act's heading is left out"
    chunks = chunk_document(doc, doc.title, lambda t: len(t.split()))
    own = apply_unit_refs(doc, chunks)
    assert ["gdpr:art2", "gdpr:art2:2", "gdpr:art2:2:a", "gdpr:art2:2:b"] in own
    assert load_law(path).section_refs == doc.section_refs  # `python -m ingest law` too


def test_a_page_explaining_articles_is_no_law(tmp_path: Path):
    doc = load(_write(tmp_path, "dataskydd.html", EXPLAINER))
    assert type(doc) is not LawDocument
    with pytest.raises(LoadError, match="not a recognised law text"):
        load_law(tmp_path / "dataskydd.html")


def test_a_policy_citing_articles_and_paragrafs_is_no_law(tmp_path: Path):
    for name in ("riktlinje.md", "riktlinje.txt"):
        assert type(load(_write(tmp_path, name, CITING_POLICY))) is not LawDocument


def test_another_eu_acts_articles_are_not_the_gdpr(tmp_path: Path):
    articles = "".join(
        f"<h3>Artikel {n}</h3><p>1. Denna förordning hänvisar till förordning (EU) 2016/679.</p>"
        for n in range(1, 13)
    )
    page = (
        "<html><body><h1>Europaparlamentets och rådets förordning (EU) 2024/1689</h1>"
        f"{articles}</body></html>"
    )
    assert type(load(_write(tmp_path, "ai.html", page))) is not LawDocument


def test_the_swedish_gdpr_contents_page_is_the_gdpr():
    doc = load(_shared(GDPR_TOC_SV))
    assert isinstance(doc, LawDocument) and doc.act == "gdpr"
    assert doc.title == "Dataskyddsförordningen (GDPR) – förordning (EU) 2016/679"
    articles = {refs[0] for refs in doc.section_refs.values()}
    assert articles == {f"gdpr:art{n}" for n in range(1, 100)}
    art17 = next(p for p, refs in doc.section_refs.items() if refs == ["gdpr:art17"])
    assert art17.startswith("Kapitel III – Den registrerades rättigheter > Avsnitt 3 – ")
    assert "> Artikel 17 – Rätt till radering" in art17
    chunks = chunk_document(doc, doc.title, lambda t: len(t.split()))
    own = apply_unit_refs(doc, chunks)
    assert own.count(["gdpr:art17"]) == 1


@pytest.mark.slow
def test_which_article_finds_the_contents_pages_article(kb, tmp_path: Path):
    """ "Vad säger artikel 17?" finds article 17 of the ingested contents page first."""
    from assistant.retrieval import Retriever
    from core import index
    from ingest.pipeline import Ingestor
    from tests.conftest import EVERYONE

    path = tmp_path / GDPR_TOC_SV.name
    path.write_bytes(_shared(GDPR_TOC_SV).read_bytes())
    report = Ingestor(kb).ingest([path], prune=False)
    assert report.ok, report.results
    payloads = [p.payload for p in kb.scroll()]
    assert {pl[index.ACT] for pl in payloads} == {"gdpr"}
    result = Retriever(kb, kb.settings).search("Vad säger artikel 17?", top_k=5, user=EVERYONE)
    assert result.hits[0].payload[index.UNIT_REFS] == ["gdpr:art17"]
    assert result.hits[0].id in result.exact


def test_the_contents_page_without_its_links_is_no_law(tmp_path: Path):
    """Its only sign of the act is its links to EUR-Lex: without them, no act is named; a
    site's page title that starts with the act's name is enough for its 99 articles."""
    text = re.sub(r'href="[^"]*"', "", _shared(GDPR_TOC_SV).read_text(encoding="utf-8"))
    assert type(load(_write(tmp_path, "toc.html", text))) is not LawDocument
    titled = f"<html><head><title>GDPR - Transform Review</title></head><body>{text}</body>"
    doc = load(_write(tmp_path, "toc-titled.html", titled))
    assert isinstance(doc, LawDocument) and doc.act == "gdpr"


def test_the_eurlex_gdpr_in_plain_markup_reads_as_eurlex_does(tmp_path: Path):
    """EUR-Lex's page without its class names: a page of another publisher's markup."""
    source = _shared(GDPR_EN).read_text(encoding="utf-8")
    plain = _write(tmp_path, "gdpr-en.html", re.sub(r'\sclass="[^"]*"', "", source))
    doc = load(plain)
    assert isinstance(doc, LawDocument) and doc.act == "gdpr"
    expected = parse_eurlex(source, "gdpr")
    assert list(doc.section_refs) == list(expected.section_refs)
    missing = _all_refs(expected) - _all_refs(doc)
    assert not missing
    assert "gdpr:recital85" in _all_refs(doc) and "gdpr:art33:1" in _all_refs(doc)


def _dsl_provisions() -> dict:
    return json.loads(_shared(DSL_JSON).read_text(encoding="utf-8"))


def test_a_statute_in_another_publishers_html(tmp_path: Path):
    data = _dsl_provisions()
    parts = [
        f"<html><head><title>{data['title']} | Lagsamling</title></head><body>",
        "<div class='menu'><a href='/'>Start</a> <a href='/sok'>Sök</a></div>",
        f"<h1>{html.escape(data['title'])}</h1>",
    ]
    chapter = None
    for p in data["provisions"]:
        if p["chapter"] != chapter:
            chapter = p["chapter"]
            parts.append(f"<h2>{chapter} kap.</h2>")
        parts.append(f"<p><b>{p['section']} §</b> {html.escape(p['content'])}</p>")
    doc = load(_write(tmp_path, "dataskyddslagen.html", "\n".join(parts) + "</body></html>"))
    assert isinstance(doc, LawDocument)
    assert (doc.act, doc.doc_type) == ("sfs2018:218", "lag")
    assert doc.title.startswith("Lag (2018:218) med kompletterande bestämmelser")
    ids = [refs[0] for refs in doc.section_refs.values()]
    expected = [u.refs[0] for u in statute_units(riksdagen_text(data), "2018:218")
                if u.kind == "paragraf"]  # fmt: skip
    assert ids == expected
    assert doc.section_refs["3 kap. > 5 §"] == ["sfs2018:218:3kap5§"]


@pytest.mark.slow
def test_a_statute_printed_to_pdf(tmp_path: Path):
    """A PDF print of the dataskyddslagen (made here): paragrafer the reflow ran into the
    paragraph before are split off again; pages are kept."""
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    data = _dsl_provisions()
    text = riksdagen_text(data)
    lines = [
        wrapped
        for line in text.splitlines()
        if not re.match(r"^(?:SFS nr|Utfärdad):", line)
        for wrapped in (textwrap.wrap(line, 95) or [""])
    ]
    path = tmp_path / "dataskyddslagen.pdf"
    with PdfPages(path) as pdf:
        for first in range(0, len(lines), 48):
            fig = plt.figure(figsize=(8.27, 11.69))
            for i, line in enumerate(lines[first : first + 48]):
                bold = line == data["title"] or re.fullmatch(r"\d+ kap\.", line)
                fig.text(0.08, 0.95 - i * 0.019, line, fontsize=9,
                         weight="bold" if bold else "normal")  # fmt: skip
            pdf.savefig(fig)
            plt.close(fig)
    doc = load(path)
    assert isinstance(doc, LawDocument) and doc.act == "sfs2018:218"
    assert doc.pages is not None and doc.pages > 3
    ids = [refs[0] for refs in doc.section_refs.values()]
    expected = [u.refs[0] for u in statute_units(text, "2018:218") if u.kind == "paragraf"]
    assert len(set(expected) - set(ids)) <= 1, sorted(set(expected) - set(ids))
    assert not set(ids) - set(expected)
    group = "1 kap. > Avvikande bestämmelser i annan författning > 6 §"
    assert doc.section_refs[group] == ["sfs2018:218:1kap6§"]


# --- negatives: real documents that cite laws --------------------------------------------

_NEGATIVE_DIRS = ("kommun_sv_more", "sv_public_3", "kommun_sv", "regeringen_g0vse_sv")
_SUFFIXES = {".md", ".docx", ".pdf", ".html", ".htm", ".txt"}


def _negatives() -> list:
    files = sorted(p for p in POLICIES.iterdir() if p.suffix in _SUFFIXES)
    for folder in _NEGATIVE_DIRS:
        if (SHARED / folder).is_dir():
            files += sorted(
                p for p in (SHARED / folder).iterdir()
                if p.suffix in _SUFFIXES and p.name not in ("README.md", "PROVENANCE.md")
            )  # fmt: skip
    slow = pytest.mark.slow
    return [
        pytest.param(p, id=f"{p.parent.name}/{p.name}",
                     marks=[slow] if p.stat().st_size > 500_000 else [])
        for p in files
    ]  # fmt: skip


@pytest.mark.parametrize("path", _negatives())
def test_policies_and_other_real_documents_are_no_laws(path: Path):
    assert type(load(path)) is not LawDocument
