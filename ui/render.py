"""Pure formatting helpers (HTML, Markdown, Swedish labels); no Streamlit, no network.

Everything that comes from the API or from a document is escaped here before it is put into
HTML, so the pages can render the results with ``unsafe_allow_html``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import Any

from ui.client import (
    Answer,
    Citation,
    GlossaryEntry,
    Lifecycle,
    Redaction,
    RelatedSource,
    Sentence,
)

MODE_LABELS = {
    "extractive": "Utdrag ur dokumenten (ingen språkmodell)",
    "openai": "Språkmodell (LLM, OpenAI-kompatibel server)",
    "ollama": "Språkmodell (LLM, Ollama)",
}
STATUS_LABELS = {
    "new": "ny",
    "changed": "uppdaterad",
    "unchanged": "oförändrad",
    "failed": "misslyckades",
    "removed": "borttagen",
    "cancelled": "avbruten",
    "queued": "väntar",
    "running": "läses in",
}
BAND_LABELS = {"answered": "Besvarad", "uncertain": "Osäker", "refused": "Nekad"}
UNCERTAIN_TITLE = "Inget säkert svar"
UNCERTAIN_HINT = "Det här är inte ett svar: läs avsnitten själv eller fråga på ett annat sätt."
SCORE_LABEL = "Sammanvägd svarbarhet (0–1)"
SIGNAL_LABELS = {
    "best_dense": "Bästa träff (cosinus)",
    "dense_z": "Avstånd till övriga träffar (z)",
    "best_sentence": "Bästa mening (cosinus)",
    "lexical": "Ordöverlapp",
    "coverage": "Frågans ord i källorna",
    "english": "Engelsk fråga",
    "type_match": "Efterfrågad uppgift (tid, belopp, ansvarig) finns i citatet",
    "missing_names": "Namn i frågan saknas i källorna",
    "heading_match": "Frågans ord i avsnittets rubrik",
}
_YES_NO = ("english", "type_match", "missing_names")
DISCLAIMER = (
    "Assistenten är ett stöd – den ersätter inte en juridisk bedömning. Svaren är utdrag ur "
    "eller sammanfattningar av styrdokumenten och kan vara ofullständiga: kontrollera alltid "
    "svaret mot den citerade källan innan du använder det."
)
CSS = """
<style>
.pa-answer p, .pa-answer ul { margin: 0 0 .5rem 0; }
.pa-ref { font-size: .75em; vertical-align: super; text-decoration: none; font-weight: 600;
  padding: 0 .15em; }
.pa-passage { white-space: pre-wrap; border-left: 3px solid #b9c4d0; padding: .5rem .75rem;
  background: rgba(127, 127, 127, .06); font-size: .9rem; line-height: 1.45;
  max-height: 24rem; overflow-y: auto; }
.pa-passage mark, .pa-quote mark { background: #ffe58a; color: inherit; padding: 0 .1em; }
.pa-law { border-left-color: #6a8caf; }
.pa-doc-label { font-weight: 700; }
.pa-meta { color: rgba(100, 110, 120, 1); font-size: .85rem; margin-bottom: .35rem; }
[data-testid="stAppDeployButton"] { display: none; }
</style>
"""
# Clicking an inline [n] opens source n's expander (keyed "kalla-<answer id>-<n>") and
# scrolls to it; without JavaScript the marker is still a plain in-page link.
REF_SCRIPT = """
<script>
if (!window.__paRefs) {
  window.__paRefs = true;
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("a.pa-ref");
    if (!link) return;
    event.preventDefault();
    const box = document.querySelector(".st-key-" + CSS.escape(link.hash.slice(1)));
    if (!box) return;
    const details = box.querySelector("details");
    if (details && !details.open) details.querySelector("summary").click();
    box.scrollIntoView({ behavior: "smooth", block: "center" });
  }, true);
}
</script>
"""
_REF = re.compile(r"\[(\d{1,3})\]")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def esc(text: object) -> str:
    """HTML-escaped text (quotes too)."""
    return html.escape("" if text is None else str(text), quote=True)


def md_escape(text: object) -> str:
    """Text that Streamlit's Markdown (labels, captions) shows literally."""
    return _MD_SPECIAL.sub(r"\\\1", "" if text is None else str(text))


def anchor_id(answer_id: str, n: int) -> str:
    return f"kalla-{re.sub(r'[^A-Za-z0-9_-]', '', answer_id)}-{n}"


def html_lines(escaped: str) -> str:
    """Newlines as character references: no blank line can end the HTML block in Markdown."""
    return escaped.replace("\r", "").replace("\n", "&#10;")


def merge_spans(spans: Iterable[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    """Sorted, non-overlapping spans clamped to ``[0, length]``; empty ones dropped."""
    clean = sorted((max(0, a), min(length, b)) for a, b in spans if b > a)
    out: list[tuple[int, int]] = []
    for a, b in clean:
        if b <= a:
            continue
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def highlight(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """``text`` escaped, with every span wrapped in ``<mark>``."""
    parts, pos = [], 0
    for a, b in merge_spans(spans, len(text)):
        parts += [esc(text[pos:a]), "<mark>", esc(text[a:b]), "</mark>"]
        pos = b
    parts.append(esc(text[pos:]))
    return "".join(parts)


def quote_spans(answer: Answer, citation: Citation) -> list[tuple[int, int]]:
    """Where the answer's sentences were found in this passage (else the citation's quote)."""
    spans = [
        (s["quote_start"], s["quote_end"])
        for s in answer.get("sentences", [])
        if s.get("quote_citation") == citation["n"]
        and s.get("quote_start") is not None
        and s.get("quote_end") is not None
    ]
    if not spans and citation["end"] > citation["start"]:
        spans = [(citation["start"], citation["end"])]
    return spans  # type: ignore[return-value]


def passage_html(answer: Answer, citation: Citation, marked: bool = True) -> str:
    """The whole passage with the quoted part(s) highlighted (``marked=False``: none)."""
    body = highlight(citation["text"], quote_spans(answer, citation) if marked else [])
    return f'<div class="pa-passage">{html_lines(body)}</div>'


def _refs(escaped: str, answer_id: str, by_n: dict[int, Citation]) -> str:
    def link(match: re.Match[str]) -> str:
        n = int(match.group(1))
        c = by_n.get(n)
        if c is None:
            return match.group(0)
        tip = esc(f"{c['title']} – {(c['section'] or 'inledning').replace(' > ', ' › ')}")
        return f'<a class="pa-ref" href="#{anchor_id(answer_id, n)}" title="{tip}">[{n}]</a>'

    return _REF.sub(link, escaped)


def _labelled(line: str, labels: Iterable[str], answer_id: str, by_n: dict[int, Citation]) -> str:
    """A paragraph; a leading document label ("Enligt … (7.4):") is set in bold."""
    for label in labels:
        if line.startswith(f"{label}:"):
            rest = _refs(esc(line[len(label) + 1 :].strip()), answer_id, by_n)
            return f'<strong class="pa-doc-label">{esc(label)}:</strong> {rest}'
    return _refs(esc(line), answer_id, by_n)


def answer_html(
    text: str,
    answer_id: str = "",
    citations: Iterable[Citation] = (),
    labels: Iterable[str | None] = (),
) -> str:
    """The answer as HTML: paragraphs, "- " lists, [n] linked to the source list, and the
    document labels of a several-document answer in bold."""
    by_n = {c["n"]: c for c in citations}
    known = sorted({lab for lab in labels if lab}, key=len, reverse=True)
    blocks, items = [], []
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith(("- ", "• ")):
            items.append(f"<li>{_refs(esc(line[2:]), answer_id, by_n)}</li>")
            continue
        if items:
            blocks.append("<ul>" + "".join(items) + "</ul>")
            items = []
        if line:
            blocks.append(f"<p>{_labelled(line, known, answer_id, by_n)}</p>")
    if items:
        blocks.append("<ul>" + "".join(items) + "</ul>")
    return '<div class="pa-answer">' + "".join(blocks) + "</div>"


def document_labels(answer: Answer) -> list[str | None]:
    """The sentences' document labels (None where a sentence has none)."""
    return [s.get("document_label") for s in answer.get("sentences", [])]


def sentence_html(sentence: Sentence, answer_id: str, citations: Iterable[Citation]) -> str:
    """One statement for the review page, its document label (if any) in bold before it."""
    label = sentence.get("document_label")
    text = f"{label}: {sentence['text']}" if label else sentence["text"]
    return answer_html(text, answer_id, citations, [label])


def band(answer: Answer) -> str:
    """answered / uncertain / refused (older answers: from ``refused``)."""
    value = answer.get("band")
    if value in BAND_LABELS:
        return str(value)
    return "refused" if answer.get("refused") else "answered"


def band_label(answer: Answer) -> str:
    return BAND_LABELS[band(answer)]


def uncertain_notice(text: str) -> str:
    """The notice of an uncertain answer without its list of sections."""
    lines = [ln.strip() for ln in text.splitlines()]
    return " ".join(ln for ln in lines if ln and not ln.startswith(("- ", "• ")))


def uncertain_markdown(text: str) -> str:
    """An uncertain answer for Streamlit Markdown: title, notice, the sections as a list."""
    items = [ln.strip()[2:] for ln in text.splitlines() if ln.strip().startswith(("- ", "• "))]
    head = f"**{UNCERTAIN_TITLE}:** {md_escape(uncertain_notice(text))}"
    return "\n\n".join([head, "\n".join(f"- {md_escape(i)}" for i in items), UNCERTAIN_HINT])


def closest_sections(answer: Answer) -> list[Citation]:
    """The passages an uncertain answer names ("- title – section [n]"), in its order;
    without such lines, every passage once per (document, section)."""
    by_n = {c["n"]: c for c in answer.get("citations", [])}
    named: list[int] = []
    for raw in answer.get("answer", "").splitlines():
        line = raw.strip()
        if line.startswith(("- ", "• ")):
            named += [n for n in map(int, _REF.findall(line)) if n in by_n and n not in named]
    if named:
        return [by_n[n] for n in named]
    seen: set[tuple[str, str]] = set()
    out = []
    for c in answer.get("citations", []):
        key = (c["document_id"], c.get("section") or "")
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


def fmt_signal(name: str, value: float | None) -> str:
    """A signal's value for people: cosines with three decimals, shares in per cent."""
    if value is None:
        return "–"
    if name in _YES_NO:
        return "ja" if value >= 0.5 else "nej"
    if name in ("lexical", "coverage"):
        return f"{round(value * 100)} %"
    if name == "dense_z":
        return f"{value:.2f}"
    return f"{value:.3f}"


def signal_rows(answerability: dict[str, float]) -> list[tuple[str, str]]:
    """(Swedish label, value) for the score and each signal behind it, known ones first."""
    rows = []
    if "score" in answerability:
        rows.append((SCORE_LABEL, fmt_signal("score", answerability["score"])))
    rows += [(lab, fmt_signal(k, answerability[k])) for k, lab in SIGNAL_LABELS.items()
             if k in answerability]  # fmt: skip
    rows += [(k, fmt_signal(k, v)) for k, v in answerability.items()
             if k != "score" and k not in SIGNAL_LABELS]  # fmt: skip
    return rows


def signals_markdown(answerability: dict[str, float]) -> str:
    """The score and signals as a Markdown table ("" when the API sent none)."""
    rows = signal_rows(answerability)
    if not rows:
        return ""
    body = [f"| {md_escape(label)} | {value} |" for label, value in rows]
    return "\n".join(["| Signal | Värde |", "|---|---|", *body])


def redaction_notice(redactions: Iterable[Redaction]) -> str | None:
    """ "Vi tog bort: personnummer, namn — frågan skickades utan dem" (None if nothing)."""
    types = [r["type"] for r in redactions if r.get("count", 0) > 0]
    if not types:
        return None
    return f"Vi tog bort: {', '.join(types)} — frågan skickades utan dem"


def mode_label(mode: str | None) -> str:
    if not mode:
        return "Okänt (tjänsten svarar inte)"
    return MODE_LABELS.get(mode, f"Språkmodell (LLM, {mode})")


def pages(c: Citation) -> str:
    if c.get("page") is None:
        return ""
    end = c.get("page_end")
    return f"s. {c['page']}–{end}" if end and end != c["page"] else f"s. {c['page']}"


NOTICE_ICONS = {"conflict": ":material/compare_arrows:", "superseded": ":material/history:"}


def notice_icon(kind: str) -> str:
    """The icon of a notice: documents that disagree, an earlier version, else a date."""
    return NOTICE_ICONS.get(kind, ":material/event_busy:")


def validity(life: Lifecycle | None) -> str:
    """ "utgången (gällde t.o.m. 2022-12-31)", "revision försenad (senast 2026-03-12)", …"""
    if not life or life.get("status") in (None, "unstated"):
        return ""
    status = life.get("status_sv") or ""
    if life.get("status") == "expired":
        return f"{status} (gällde t.o.m. {life.get('valid_to')})"
    if life.get("review_by"):
        return f"{status} (revideras senast {life['review_by']})"
    return f"{status} (gäller t.o.m. {life.get('valid_to')})"


def source_meta(c: Citation) -> str:
    """ "version 3.1 · fastställd 2023-11-28 av … · utgången (…) · 3 Autentisering › 3.1 · s. 4"."""
    parts = []
    life = c.get("lifecycle") or {}
    if c.get("version"):
        parts.append(f"version {c['version']}")
    if c.get("adopted"):
        by = life.get("adopted_by")
        ref = life.get("decision_ref")
        parts.append(
            " ".join(x for x in (f"fastställd {c['adopted']}", by and f"av {by}", ref) if x)
        )
    if whose := c.get("municipalities"):
        parts.append("gäller " + ", ".join(whose))
    if c.get("superseded_on"):
        parts.append(f"äldre version, ersatt {c['superseded_on']}")
    if state := validity(life):
        parts.append(state)
    parts.append((c.get("section") or "inledning").replace(" > ", " › "))
    if page := pages(c):
        parts.append(page)
    return " · ".join(parts)


def source_label(c: Citation) -> str:
    """Expander label (Markdown-escaped): "[1] Title – 3.1 Lösenord"."""
    last = (c.get("section") or "inledning").split(" > ")[-1]
    return f"\\[{c['n']}\\] {md_escape(c['title'])} – {md_escape(last)}"


RELATED_TITLE = "Lagtext som avsnittet hänvisar till"


def related_to(answer: Answer, n: int | None = None) -> list[RelatedSource]:
    """The law units (GDPR article, SFS paragraf) the cited passages refer to; with ``n``
    only those passage [n] refers to."""
    related = answer.get("related") or []
    return [r for r in related if n is None or n in r["cited_by"]]


def related_label(r: RelatedSource) -> str:
    """Expander label (Markdown-escaped): "Dataskyddsförordningen – Article 33 … (från [1])"."""
    parts = (r.get("section") or r["ref"]).split(" > ")
    # a numbered paragraph ("4") is named with its article: "Article 33 … › 4"
    last = " › ".join(parts[-2:]) if len(parts) > 1 and len(parts[-1]) <= 4 else parts[-1]
    cited_by = ", ".join(f"\\[{n}\\]" for n in r["cited_by"])
    tail = f" (från {cited_by})" if cited_by else ""
    return f"{md_escape(r['title'])} – {md_escape(last)}{tail}"


def related_html(r: RelatedSource) -> str:
    """The law unit's provenance and whole text (escaped)."""
    meta = " · ".join(x for x in ((r.get("section") or "").replace(" > ", " › "), r["source"]) if x)
    return (
        f'<div class="pa-meta">{esc(meta)}</div>'
        f'<div class="pa-passage pa-law">{html_lines(esc(r["text"]))}</div>'
    )


def fmt_score(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _md(text: object) -> str:
    """Text for the Markdown export: placeholders like <NAMN> must not read as HTML tags."""
    return str(text).replace("<", "\\<").replace(">", "\\>")


def answer_markdown(answer: Answer) -> str:
    """The answer, its verification and all retrieved passages as a Markdown report."""
    lines = [
        "# Granskning av svar",
        "",
        f"- Svars-id: `{answer['id']}`",
        f"- Fråga (utan personuppgifter): {_md(answer['redacted_query'])}",
        f"- Svarsläge: {mode_label(answer.get('mode'))}",
        f"- Utfall: {band_label(answer)}",
    ]
    if notice := redaction_notice(answer.get("redactions", [])):
        lines.append(f"- {notice}")
    for n in answer.get("notices") or []:
        lines.append(f"- {_md(n['message'])}")
    if table := signals_markdown(answer.get("answerability") or {}):
        lines += ["", "## Svarbarhet", "", table]
    lines += ["", "## Svar", ""]
    if band(answer) == "uncertain":
        lines += [f"**{UNCERTAIN_TITLE} (inte ett svar):** {_md(answer['answer'])}", ""]
    elif answer["refused"]:
        lines += [f"**Inget svar gavs:** {_md(answer['answer'])}", ""]
    else:
        lines += [_md(answer["answer"]), ""]
    lines += ["## Meningar", ""]
    for s in answer.get("sentences", []):
        badge = "Verifierad" if s["supported"] else "Ej verifierad"
        refs = ", ".join(f"[{n}]" for n in s["citations"]) or "inga"
        label = f"**{_md(s['document_label'])}:** " if s.get("document_label") else ""
        lines.append(
            f"- **{badge}** (poäng {s['score']:.2f}; källor {refs}): {label}{_md(s['text'])}"
        )
    if not answer.get("sentences"):
        lines.append("- (inga)")
    lines += ["", "## Hämtade avsnitt", ""]
    for c in answer.get("citations", []):
        lines += [
            f"### [{c['n']}] {_md(c['title'])}{'' if c['cited'] else ' (ej citerad)'}",
            "",
            f"- {_md(source_meta(c))}",
            f"- Källa: {_md(c['source'])} (dokument-id `{c['document_id']}`)",
            f"- Poäng: {fmt_score(c.get('score'))}, semantisk likhet: "
            f"{fmt_score(c.get('dense_score'))}",
            "",
        ]
        for a, b in merge_spans(quote_spans(answer, c), len(c["text"])):
            quoted = _md(c["text"][a:b]).replace("\n", "\n> ")
            lines += [f"> {quoted}", ""]
    if related := related_to(answer):
        lines += ["## Lagtext som avsnitten hänvisar till", ""]
    for r in related:
        cited_by = ", ".join(f"[{n}]" for n in r["cited_by"]) or "–"
        lines += [
            f"### {_md(r['title'])} – {_md(r['section'])}",
            "",
            f"- Hänvisas till av {cited_by} · Källa: {_md(r['source'])} (`{r['ref']}`)",
            "",
            "> " + _md(r["text"]).replace("\n", "\n> "),
            "",
        ]
    return "\n".join(lines).rstrip() + "\n"


_FILE_ERRORS = [
    ("unsupported", "filtypen stöds inte (PDF, DOCX, HTML, Markdown och TXT går bra)"),
    ("too large", "filen är för stor"),
    ("empty", "filen är tom"),
    ("encrypted", "filen är lösenordsskyddad"),
    ("no text", "filen innehåller ingen text (kanske en inskannad bild)"),
    ("binary", "filen ser inte ut att vara text"),
    ("does not look like text", "filen ser inte ut att vara text"),
    ("compression bomb", "filen packas upp till orimligt mycket mer än sin storlek"),
    ("unpacks to", "filen packas upp till mer än gränsen"),
    ("characters of text", "dokumentet har mer text än gränsen"),
    ("chunks (the limit", "dokumentet blir fler avsnitt än gränsen"),
    ("cancelled", "inläsningen avbröts"),
    ("not a readable", "filen kunde inte läsas (skadad eller fel format)"),
    ("no usable name", "filen saknar ett användbart namn"),
]


def file_error(error: str | None) -> str:
    """A per-file ingestion error in Swedish, with the technical reason after it."""
    if not error:
        return ""
    lowered = error.lower()
    for needle, swedish in _FILE_ERRORS:
        if needle in lowered:
            return f"{swedish.capitalize()} (teknisk orsak: {error})"
    return f"Filen kunde inte läsas in (teknisk orsak: {error})"


def interpreted(answer: dict) -> str | None:
    """ "Tolkat som: publik AI-tjänst (ChatGPT)" — how the glossary read the question."""
    seen: dict[str, list[str]] = {}
    for x in answer.get("interpreted_as") or []:
        seen.setdefault(x["concept"], []).append(x["word"])
    if not seen:
        return None
    parts = [f"{md_escape(c)} ({', '.join(md_escape(w) for w in dict.fromkeys(words))})"
             for c, words in seen.items()]  # fmt: skip
    return "Tolkat som: " + "; ".join(parts)


def glossary_rows(entries: list[GlossaryEntry]) -> list[dict[str, str]]:
    """Glossary entries as editable rows (words comma-separated)."""
    return [{"Begrepp": e["concept"], "Ord": ", ".join(e["words"]), "Var": e.get("note", "")}
            for e in entries]  # fmt: skip


def glossary_entries(rows: list[dict[str, Any]]) -> list[GlossaryEntry]:
    """Edited rows back as entries; rows without a concept or words are left out."""
    out: list[GlossaryEntry] = []
    for r in rows:
        concept = _cell(r.get("Begrepp"))
        words = [w.strip() for w in _cell(r.get("Ord")).split(",") if w.strip()]
        if concept and words:
            out.append({"concept": concept, "words": words, "note": _cell(r.get("Var"))})
    return out


def _cell(value: object) -> str:
    """An edited cell as text: an empty cell (None, or NaN from the table) is ""."""
    return "" if value is None or value != value else str(value).strip()
