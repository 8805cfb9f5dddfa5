"""Pure formatting helpers of the UI: escaping, highlighting, links, notices, export."""

from __future__ import annotations

from ui.render import (
    answer_html,
    answer_markdown,
    file_error,
    highlight,
    md_escape,
    merge_spans,
    mode_label,
    passage_html,
    redaction_notice,
    source_meta,
)


def _citation(**overrides):
    text = "3.1 Lösenord\n\nLösenord ska ha minst 14 tecken. <script>alert(1)</script> & mer."
    c = {
        "n": 1, "chunk_id": "c1", "document_id": "it", "title": "IT-policy <v3>",
        "source": "it.html", "doc_type": "policy", "version": "3.1", "adopted": "2023-11-28",
        "section": "3 Autentisering > 3.1 Lösenord", "page": 4, "page_end": 5,
        "quote": "", "start": 14, "end": 46, "score": 1.0, "dense_score": 0.88,
        "cited": True, "text": text,
    }  # fmt: skip
    c["quote"] = text[c["start"] : c["end"]]
    c.update(overrides)
    return c


def _answer(**overrides):
    a = {
        "id": "abc123", "answer": "Lösenord ska ha minst 14 tecken. [1]\n- Punkt två [1] [9]",
        "refused": False, "mode": "extractive",
        "sentences": [
            {"text": "Lösenord ska ha minst 14 tecken.", "citations": [1], "supported": True,
             "score": 0.97, "quote_citation": 1, "quote_start": 14, "quote_end": 46},
            {"text": "Punkt två", "citations": [1], "supported": False, "score": 0.2,
             "quote_citation": None, "quote_start": None, "quote_end": None},
        ],
        "citations": [_citation(), _citation(n=2, cited=False, start=0, end=0, quote="")],
        "redacted_query": "Får <NAMN> byta lösenord?", "standalone_query": "Får <NAMN> byta?",
        "redactions": [{"type": "namn", "count": 1}], "timings_ms": {},
    }  # fmt: skip
    a.update(overrides)
    return a


def test_highlight_escapes_and_marks() -> None:
    text = "a <b> c & d"
    assert highlight(text, [(2, 5)]) == "a <mark>&lt;b&gt;</mark> c &amp; d"
    assert highlight(text, []) == "a &lt;b&gt; c &amp; d"
    assert merge_spans([(5, 9), (0, 2), (1, 3), (8, 50), (4, 4)], 10) == [(0, 3), (5, 10)]


def test_passage_highlights_the_quote_without_blank_lines() -> None:
    html = passage_html(_answer(), _citation())
    assert "<mark>Lösenord ska ha minst 14 tecken.</mark>" in html
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "\n" not in html  # a blank line would end the HTML block in Markdown


def test_answer_links_markers_and_escapes() -> None:
    html = answer_html("Se <här> [1]\n- punkt [2]\n- [7]", "id-1", [_citation(), _citation(n=2)])
    assert 'href="#kalla-id-1-1"' in html and 'href="#kalla-id-1-2"' in html
    assert "[7]" in html and "kalla-id-1-7" not in html  # no such source: left as text
    assert "&lt;här&gt;" in html and html.count("<li>") == 2
    assert 'title="IT-policy &lt;v3&gt; – 3 Autentisering › 3.1 Lösenord"' in html


def test_notice_labels_and_meta() -> None:
    redactions = [{"type": "personnummer", "count": 1}, {"type": "namn", "count": 2}]
    assert redaction_notice(redactions) == (
        "Vi tog bort: personnummer, namn — frågan skickades utan dem"
    )
    assert redaction_notice([]) is None
    assert mode_label("extractive") == "Utdrag ur dokumenten (ingen språkmodell)"
    assert "LLM" in mode_label("openai") and "LLM" in mode_label("ollama")
    assert source_meta(_citation()) == (
        "version 3.1 · fastställd 2023-11-28 · 3 Autentisering › 3.1 Lösenord · s. 4–5"
    )
    assert md_escape("[1] *a*_b_") == r"\[1\] \*a\*\_b\_"
    assert file_error("the file is empty").startswith("Filen är tom")
    assert file_error(None) == ""


def test_markdown_export() -> None:
    md = answer_markdown(_answer())
    assert md.startswith("# Granskning av svar")
    assert "**Verifierad** (poäng 0.97" in md and "**Ej verifierad** (poäng 0.20" in md
    assert "### [2] IT-policy \\<v3\\> (ej citerad)" in md  # not swallowed as an HTML tag
    assert "Får \\<NAMN\\> byta lösenord?" in md
    assert "> Lösenord ska ha minst 14 tecken." in md
    assert "Vi tog bort: namn" in md
    refused = answer_markdown(_answer(refused=True, answer="Jag hittar inget stöd.", sentences=[]))
    assert "**Inget svar gavs:** Jag hittar inget stöd." in refused
