"""Pure formatting helpers of the UI: escaping, highlighting, links, notices, export."""

from __future__ import annotations

from ui.render import (
    UNCERTAIN_HINT,
    answer_html,
    answer_markdown,
    band,
    band_label,
    closest_sections,
    document_labels,
    file_error,
    highlight,
    md_escape,
    merge_spans,
    mode_label,
    notice_icon,
    passage_html,
    redaction_notice,
    related_html,
    related_label,
    related_to,
    sentence_html,
    signal_rows,
    signals_markdown,
    source_meta,
    uncertain_markdown,
    uncertain_notice,
    validity,
)

LABEL_A = "Enligt Höglandsgemensam informationssäkerhetspolicy (7.4)"
LABEL_B = "Enligt Riktlinjer för behandling av personuppgifter <8.1>"
UNCERTAIN = (
    "Jag hittar inget säkert svar. De här avsnitten ligger närmast:\n"
    "- IT-policy <v3> – 3 Autentisering > 3.1 Lösenord, s. 4 [2]\n"
    "- IT-policy <v3> – 3 Autentisering > 3.1 Lösenord [1]"
)
SIGNALS = {
    "score": 0.2541, "best_dense": 0.8227, "dense_z": 2.2863, "best_sentence": 0.8163,
    "lexical": 0.0, "coverage": 0.75, "english": 1.0,
}  # fmt: skip


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


def test_validity_and_meta_carry_the_documents_own_lifecycle() -> None:
    expired = {"status": "expired", "status_sv": "utgången", "valid_to": "2022-12-31",
               "adopted_by": "Kommunfullmäktige", "decision_ref": "§ 98"}  # fmt: skip
    overdue = {"status": "review_overdue", "status_sv": "revision försenad",
               "review_by": "2025-11-28"}  # fmt: skip
    current = {"status": "current", "status_sv": "gällande", "valid_to": "2030-06-30"}
    assert validity(expired) == "utgången (gällde t.o.m. 2022-12-31)"
    assert validity(overdue) == "revision försenad (revideras senast 2025-11-28)"
    assert validity(current) == "gällande (gäller t.o.m. 2030-06-30)"
    assert validity({"status": "unstated", "status_sv": "ej angiven"}) == ""
    assert validity(None) == ""
    assert source_meta(_citation(adopted="2018-06-18", lifecycle=expired)) == (
        "version 3.1 · fastställd 2018-06-18 av Kommunfullmäktige § 98 · "
        "utgången (gällde t.o.m. 2022-12-31) · 3 Autentisering › 3.1 Lösenord · s. 4–5"
    )
    assert "äldre version, ersatt 2025-03-01 · " in source_meta(
        _citation(superseded_on="2025-03-01")
    )
    assert notice_icon("conflict") != notice_icon("expired")
    message = "Obs: «IT-policy» gällde enligt dokumentet självt till och med 2022-12-31."
    md = answer_markdown(
        _answer(notices=[{"document_id": "it", "kind": "expired", "message": message}])
    )
    assert f"- {message}" in md


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


GDPR_33 = {
    "ref": "gdpr:art33", "cited_by": [1], "chunk_id": "c-33", "document_id": "law-gdpr",
    "title": "Dataskyddsförordningen <GDPR>", "source": "eurlex_CELEX_32016R0679_EN_TXT.html",
    "act": "gdpr", "section": "CHAPTER IV > Article 33 Notification of a personal data breach",
    "text": "1. In the case of a personal data breach, the controller shall <without undue delay>",
}  # fmt: skip


def test_related_law_units_belong_to_the_passages_that_cite_them() -> None:
    other = {**GDPR_33, "ref": "gdpr:art34", "cited_by": [2], "section": "Article 34"}
    answer = _answer(related=[GDPR_33, other])
    assert related_to(answer, 1) == [GDPR_33] and related_to(answer, 2) == [other]
    assert related_to(answer) == [GDPR_33, other] and related_to(_answer(), 1) == []
    label = related_label(GDPR_33)
    assert label == (
        "Dataskyddsförordningen \\<GDPR\\> – Article 33 Notification of a personal data "
        "breach (från \\[1\\])"
    )
    paragraph = {**GDPR_33, "section": "CHAPTER IV > Article 33 Notification > 4"}
    assert related_label(paragraph).startswith(
        "Dataskyddsförordningen \\<GDPR\\> – Article 33 Notification › 4 (från"
    )
    html_ = related_html(GDPR_33)
    assert "&lt;without undue delay&gt;" in html_ and "<without" not in html_
    assert "CHAPTER IV › Article 33" in html_ and 'class="pa-passage pa-law"' in html_


def test_markdown_export_quotes_the_related_law_text() -> None:
    md = answer_markdown(_answer(related=[GDPR_33]))
    assert "## Lagtext som avsnitten hänvisar till" in md
    assert "### Dataskyddsförordningen \\<GDPR\\> – CHAPTER IV \\> Article 33" in md
    assert "Hänvisas till av [1]" in md and "`gdpr:art33`" in md
    assert "> 1. In the case of a personal data breach" in md
    assert "Lagtext" not in answer_markdown(_answer())


def _two_documents():
    """An answer quoting two documents: each statement "<label>: <quote> [n]"."""
    sentences = [
        {"text": "Lösenord ska ha minst 14 tecken.", "citations": [1], "document_label": LABEL_A,
         "supported": True, "score": 1.0, "quote_citation": 1, "quote_start": 14,
         "quote_end": 46},
        {"text": "Punkt <två>.", "citations": [2], "document_label": LABEL_B, "supported": True,
         "score": 1.0, "quote_citation": 2, "quote_start": 0, "quote_end": 5},
    ]  # fmt: skip
    text = "\n\n".join(f"{s['document_label']}: {s['text']} [{s['citations'][0]}]"
                        for s in sentences)  # fmt: skip
    return _answer(answer=text, sentences=sentences, band="answered")


def test_document_labels_are_bold_before_each_statement() -> None:
    a = _two_documents()
    assert document_labels(a) == [LABEL_A, LABEL_B]
    html = answer_html(a["answer"], a["id"], a["citations"], document_labels(a))
    assert html.count('<strong class="pa-doc-label">') == 2
    assert f'<p><strong class="pa-doc-label">{LABEL_A}:</strong> Lösenord ska' in html
    assert "Riktlinjer för behandling av personuppgifter &lt;8.1&gt;:</strong> Punkt &lt;" in html
    assert 'href="#kalla-abc123-2"' in html  # the [n] after a labelled statement still links
    assert "pa-doc-label" not in answer_html(a["answer"], a["id"], a["citations"])  # no labels
    one = sentence_html(a["sentences"][0], a["id"], a["citations"])
    assert f'<strong class="pa-doc-label">{LABEL_A}:</strong> Lösenord' in one
    plain = sentence_html(_answer()["sentences"][0], "abc123", [])
    assert "pa-doc-label" not in plain and "Lösenord ska ha minst 14 tecken." in plain


def test_band_defaults_from_refused() -> None:
    assert band(_answer()) == "answered" and band_label(_answer()) == "Besvarad"
    assert band(_answer(refused=True)) == "refused" and band_label(_answer(refused=True)) == "Nekad"
    assert band(_answer(band="uncertain", refused=True)) == "uncertain"
    assert band_label(_answer(band="uncertain", refused=True)) == "Osäker"
    assert band(_answer(band="something-new", refused=True)) == "refused"


def test_uncertain_answer_lists_the_closest_sections() -> None:
    a = _answer(answer=UNCERTAIN, band="uncertain", refused=True, sentences=[])
    assert uncertain_notice(UNCERTAIN) == (
        "Jag hittar inget säkert svar. De här avsnitten ligger närmast:"
    )
    assert [c["n"] for c in closest_sections(a)] == [2, 1]  # the answer's order
    unnamed = _answer(
        answer="Jag hittar inget säkert svar.",
        band="uncertain",
        refused=True,
        citations=[_citation(), _citation(n=2), _citation(n=3, section="4 Nät")],
    )
    assert [c["n"] for c in closest_sections(unnamed)] == [1, 3]  # once per section
    md = uncertain_markdown(UNCERTAIN)
    assert md.startswith("**Inget säkert svar:** Jag hittar inget säkert svar\\.")
    assert "\n- IT\\-policy \\<v3\\> – 3 Autentisering \\> 3\\.1 Lösenord, s\\. 4 \\[2\\]" in md
    assert md.endswith(UNCERTAIN_HINT)
    unmarked = passage_html(a, _citation(), marked=False)
    assert "<mark>" not in unmarked and "Lösenord ska ha minst 14 tecken." in unmarked


def test_signals_table_in_swedish() -> None:
    assert signal_rows(SIGNALS) == [
        ("Sammanvägd svarbarhet (0–1)", "0.254"),
        ("Bästa träff (cosinus)", "0.823"),
        ("Avstånd till övriga träffar (z)", "2.29"),
        ("Bästa mening (cosinus)", "0.816"),
        ("Ordöverlapp", "0 %"),
        ("Frågans ord i källorna", "75 %"),
        ("Engelsk fråga", "ja"),
    ]
    assert signal_rows({"english": 0.0, "new_signal": 0.5})[0] == ("Engelsk fråga", "nej")
    assert signal_rows({"missing_names": 1.0}) == [("Namn i frågan saknas i källorna", "ja")]
    assert signal_rows({"new_signal": 0.5}) == [("new_signal", "0.500")]  # never hidden
    table = signals_markdown(SIGNALS)
    assert table.splitlines()[:3] == [
        "| Signal | Värde |", "|---|---|", "| Sammanvägd svarbarhet \\(0–1\\) | 0.254 |",
    ]  # fmt: skip
    assert signals_markdown({}) == ""


def test_markdown_export_has_band_signals_and_labels() -> None:
    md = answer_markdown({**_two_documents(), "answerability": SIGNALS})
    assert "- Utfall: Besvarad" in md
    assert "## Svarbarhet" in md and "| Ordöverlapp | 0 % |" in md
    assert f"): **{LABEL_A}:** Lösenord ska ha minst 14 tecken." in md
    assert "**Enligt Riktlinjer för behandling av personuppgifter \\<8.1\\>:** Punkt" in md
    uncertain = answer_markdown(
        _answer(answer=UNCERTAIN, band="uncertain", refused=True, sentences=[])
    )
    assert "- Utfall: Osäker" in uncertain
    assert "**Inget säkert svar (inte ett svar):** Jag hittar inget säkert svar." in uncertain
    assert "Inget svar gavs" not in uncertain and "## Svarbarhet" not in uncertain
    assert "- Utfall: Nekad" in answer_markdown(_answer(refused=True, sentences=[]))
