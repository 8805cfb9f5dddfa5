"""Swedish statutes: Riksdagen-style text built from a third party's JSON (eval/corpus.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.corpus import riksdagen_text
from ingest.laws import detect_format, load_law
from ingest.laws.statutes import parse_statute, parse_units

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "corpus"
DSL_JSON = SHARED / "sfs_sv" / "dataskyddslagen.json"


@pytest.fixture(scope="module")
def dsl_text() -> str:
    if not DSL_JSON.is_file():
        pytest.skip("../shared/corpus is not available")
    return riksdagen_text(json.loads(DSL_JSON.read_text(encoding="utf-8")))


def test_chapters_and_paragrafs(dsl_text):
    units = parse_units(dsl_text, "2018:218")
    assert units[0].heading.startswith("Lag (2018:218) med kompletterande bestämmelser")
    chapters = [u.heading for u in units if u.kind == "chapter"]
    assert chapters == [f"{n} kap." for n in range(1, 8)]
    ids = [u.refs[0] for u in units if u.kind == "paragraf"]
    assert len(ids) == 45
    assert ids[:2] == ["sfs2018:218:1kap1§", "sfs2018:218:1kap2§"]
    assert "sfs2018:218:3kap5§" in ids and "sfs2018:218:7kap3a§" in ids
    assert len(set(ids)) == len(ids)
    p13 = next(u for u in units if u.refs == ["sfs2018:218:1kap3§"])
    assert p13.notes == ["Lag (2021:1174)."]
    assert not any("Lag (2021:1174)" in t for t in p13.texts)
    group = next(u for u in units if u.kind == "group")
    assert group.heading == "Lagens territoriella tillämpningsområde"
    transitional = [u for u in units if u.kind in ("transitional", "amendment")]
    assert [u.heading for u in transitional] == ["Övergångsbestämmelser", "2018:218"]


def test_document_paths_and_refs(dsl_text, tmp_path):
    doc = parse_statute(dsl_text, "2018:218")
    assert doc.act == "sfs2018:218" and doc.doc_type == "lag"
    path = next(p for p, ids in doc.section_refs.items() if ids == ["sfs2018:218:3kap5§"])
    assert path.startswith("3 kap. >") and path.endswith("> 5 §")
    assert "Lag (2021:1174)." not in doc.text
    assert "SFS nr:" not in doc.text
    # the same text as a downloaded file: detected and loaded by act
    file = tmp_path / "sfs-2018-218.txt"
    file.write_text(dsl_text, encoding="utf-8")
    assert detect_format(dsl_text) == "riksdagen"
    loaded = load_law(file)
    assert loaded.act == "sfs2018:218"
    assert loaded.section_refs == doc.section_refs


def test_riksdagen_html():
    html = """<html><body><div id="content"><h3>1 kap. Inledande bestämmelser</h3>
    <h4>Lagens syfte</h4>
    <p><a class="paragraf" name="K1P1"><b>1 §</b></a> Denna lag gäller.<br>
    Andra stycket. Lag (2020:1).</p>
    <p><a class="paragraf" name="K1P2"><b>2 §</b></a> Med X avses<br>1. a,<br>2. b.</p>
    <p><a class="paragraf" name="K1P2a"><b>2 a §</b></a> Mer.</p></div></body></html>"""
    units = parse_units(html, "2099:1", html=True, title="Lag (2099:1) om test")
    assert [u.heading for u in units] == [
        "Lag (2099:1) om test", "1 kap. Inledande bestämmelser", "Lagens syfte",
        "1 §", "2 §", "2 a §",
    ]  # fmt: skip
    assert units[3].texts == ["Denna lag gäller.", "Andra stycket."]
    assert units[3].notes == ["Lag (2020:1)."]
    assert units[4].texts == ["Med X avses", "1. a,", "2. b."]
    assert units[5].refs == ["sfs2099:1:1kap2a§"]
