"""Documents page: what is ingested (origin, review, version, chunks, who may read it),
upload and approval.

With sign-in, the signed-in user's role decides what they may write (the API checks it).
Without, writes need the administrator key, asked for once per browser session
(``st.session_state``): the interface never sends a server-side key on behalf of every user.
"""

from __future__ import annotations

import time
from typing import Any

import streamlit as st

from ui import shared
from ui.client import ApiError, GlossaryEntry
from ui.render import (
    STATUS_LABELS,
    file_error,
    glossary_entries,
    glossary_rows,
    md_escape,
    validity,
)

FILE_TYPES = ["pdf", "docx", "html", "htm", "md", "markdown", "txt"]
ORIGINS = {"folder": "Mapp", "upload": "Uppladdad", "law": "Lagtext"}
REVIEW = {"pending": "Ej granskad", "approved": "Godkänd"}
FLAGS = {
    "citation_markers": "källhänvisningar i texten (neutraliserade)",
    "instructions": "text som liknar instruktioner till en assistent",
}
JOB = "upload_job"  # the upload job being waited for (cancel button)


def readers(d: dict[str, Any]) -> str:
    """Who may read the document: its organisations (or all) and its classification."""
    scope = ", ".join(d.get("scope") or []) or "alla"
    level = d.get("classification")
    return f"{scope} · {level}" if level else scope


def origin_badge(d: dict[str, Any]) -> str:
    """The origin badge: Mapp, Uppladdad or Uppladdad · Ej granskad."""
    label = ORIGINS.get(d["origin"], d["origin"])
    review = REVIEW.get(d.get("review") or "")
    return f"{label} · {review}" if review == "Ej granskad" else label


def document_table() -> None:
    docs, error = shared.documents()
    if error:
        st.error(error, icon=":material/error:")
        return
    if not docs:
        st.info("Inga dokument är inlästa ännu. Ladda upp styrdokument nedan.")
        return
    rows = [
        {
            "Titel": d["title"],
            "Typ": (d["doc_type"] or "").capitalize(),
            "Version": d["version"] or "–",
            "Fastställd": d["adopted"] or "–",
            "Status": validity(d.get("lifecycle")) or "ej angiven",
            "Ansvarig": (d.get("lifecycle") or {}).get("owner") or "–",
            "Avsnitt": d["chunks"],
            "Fil": d["source"],
            "Får läsas av": readers(d),
            "Ursprung": origin_badge(d),
            "Flaggor": ", ".join(FLAGS.get(f, f) for f in d.get("flags") or []) or "–",
            "Inläst": (d["ingested_at"] or "")[:16].replace("T", " "),
        }
        for d in docs
    ]
    st.dataframe(rows, hide_index=True, width="stretch")
    caption, refresh = st.columns([4, 1], vertical_alignment="center")
    caption.caption(
        f"{len(docs)} dokument, {sum(d['chunks'] for d in docs)} avsnitt i kunskapsbasen."
    )
    if refresh.button("Uppdatera listan", icon=":material/refresh:"):  # the list is cached 30 s
        shared.clear_cache()
        st.rerun()
    pending = [d for d in docs if d.get("review") == "pending"]
    flagged = [d for d in docs if "instructions" in (d.get("flags") or [])
               and d.get("review") != "approved"]  # fmt: skip
    if (pending or flagged) and _may("approve"):
        review_section(pending, flagged)
    chosen = version_history(docs)
    if chosen is not None and _may("correct"):
        correction_form(next(d for d in docs if d["document_id"] == chosen))


GLOSSARY_HELP = (
    "Ordlistan kopplar ord som medarbetare använder (”ChatGPT”, ”jobbdatorn”, ”tappat "
    "telefonen”) till de begrepp dokumenten använder (”publik AI-tjänst”, ”bärbar dator”, "
    "”förlorad eller stulen enhet”). Frågan söks då även med begreppet och svaret visar "
    "”Tolkat som: …”. Skriv orden med små bokstäver, åtskilda av kommatecken; * sist betyder "
    "valfri ändelse (jobbdator*). Varje ändring sparas i granskningsloggen."
)


GLOSSARY_COLUMNS = {
    "Begrepp": st.column_config.TextColumn(
        "Begrepp", help="Ordet dokumenten använder, t.ex. publik AI-tjänst", width="medium"
    ),
    "Ord": st.column_config.TextColumn(
        "Ord (kommaseparerade)",
        width="large",
        help="Orden medarbetare skriver, åtskilda av kommatecken; * sist = valfri ändelse",
    ),
    "Var": st.column_config.TextColumn("Var", help="Var dokumenten använder begreppet"),
}


def glossary_section() -> None:
    """The organisation's glossary: everyone reads it, a redaktör or administrator edits."""
    st.subheader("Ordlista")
    st.caption(GLOSSARY_HELP)
    try:
        entries = shared.client().glossary()["entries"]
    except ApiError as exc:
        st.error(exc.message, icon=":material/error:")
        return
    rows = glossary_rows(entries)
    if not _may("glossary"):
        st.dataframe(rows, hide_index=True, width="stretch")
        return
    with st.form("glossary_form"):
        edited = st.data_editor(
            rows, num_rows="dynamic", hide_index=True, width="stretch", key="glossary_editor",
            column_config=GLOSSARY_COLUMNS, height=min(35 * (len(rows) + 2) + 3, 600),
        )  # fmt: skip
        submitted = st.form_submit_button("Spara ordlistan", icon=":material/save:")
    if submitted:
        save_glossary(glossary_entries(edited))
    if saved := st.session_state.pop("glossary_saved", None):
        st.success(saved, icon=":material/check:")


def save_glossary(entries: list[GlossaryEntry]) -> None:
    api = shared.admin_client()
    if api is None:  # without sign-in the key form is in the upload section above
        st.warning("Ange administratörsnyckeln ovan först.", icon=":material/key:")
        return
    try:
        saved = api.save_glossary(entries)
    except ApiError as exc:
        st.error(_write_error(exc), icon=":material/error:")
        return
    st.session_state["glossary_saved"] = f"Ordlistan är sparad ({len(saved['entries'])} begrepp)."
    st.rerun()


def _may(permission: str) -> bool:
    """With sign-in, what the role allows; without, the key form decides at the API."""
    return not shared.sign_in_enabled() or shared.may(permission)


def version_history(docs: list[dict[str, Any]]) -> str | None:
    """One document's versions: which applied when (earlier ones are kept on a change).
    Returns the chosen document's id."""
    st.subheader("Versionshistorik")
    titles = {d["document_id"]: d["title"] for d in docs}
    chosen = st.selectbox(
        "Dokument att visa", list(titles), format_func=titles.get, key="history_doc"
    )
    if chosen is None:
        return None
    try:
        versions = shared.client().versions(chosen)
    except ApiError as exc:
        st.error(exc.message, icon=":material/error:")
        return chosen
    rows = [
        {
            "Version": v["version"] or "–",
            "Fastställd": v["adopted"] or "–",
            "Gällde från": v["applies_from"] or "okänt",
            "Gällde till": v["applies_until"] or "gäller nu",
            "Status": "gällande version" if v["current"] else "ersatt",
            "Avsnitt": v["chunks"],
            "Inläst": (v["ingested_at"] or "")[:16].replace("T", " "),
        }
        for v in reversed(versions)
    ]
    with st.container(key="versions"):  # .st-key-versions in the page
        st.dataframe(rows, hide_index=True, width="stretch")
    st.caption(
        f"{len(versions)} version(er). Äldre versioner används aldrig i vanliga svar; välj "
        "”Vad gällde den” i chatten för att fråga om vad som gällde ett visst datum."
    )
    return chosen


# Correctable fields as the form shows them: (field, label, help).
CORRECTABLE = [
    ("title", "Titel", None), ("version", "Version", None),
    ("adopted", "Fastställd (ÅÅÅÅ-MM-DD)", None), ("adopted_by", "Fastställd av", None),
    ("decision_ref", "Paragraf", "t.ex. § 98"), ("valid_from", "Gäller från", None),
    ("valid_to", "Gäller till och med (ÅÅÅÅ-MM-DD)", None),
    ("review_by", "Revideras senast (ÅÅÅÅ-MM-DD)", None),
    ("owner", "Dokumentansvarig", None), ("diary_no", "Diarienummer", None),
]  # fmt: skip
ORGANISATIONS = ["Aneby", "Eksjö", "Nässjö", "Sävsjö", "Vetlanda", "Höglandsförbundet"]
CLASSIFICATIONS = ["öppen", "intern", "begränsad"]


def _current(d: dict[str, Any], name: str) -> str:
    life = d.get("lifecycle") or {}
    return str(d.get(name) or life.get(name) or "")


def correction_form(d: dict[str, Any]) -> None:
    """Correct what the document says about itself (kept at every later ingest)."""
    with st.expander("Rätta dokumentets uppgifter", icon=":material/edit:"):
        st.caption(
            "Rättelser gäller direkt i svaren och även när dokumentet läses in igen eller får en "
            "ny version. Tomma fält lämnas orörda; markera ”Återställ” för att gå tillbaka till "
            "det som står i dokumentet."
            + (f" Rättat nu: {', '.join(d['corrected'])}." if d.get("corrected") else "")
        )
        with st.form(f"correct-{d['document_id']}"):
            given = {name: st.text_input(label, value=_current(d, name), help=tip)
                     for name, label, tip in CORRECTABLE}  # fmt: skip
            orgs = st.multiselect("Gäller för", ORGANISATIONS, default=d.get("municipalities"))
            scope = st.multiselect(
                "Får läsas av", ORGANISATIONS, default=d.get("scope") or [],
                help="Användare i dessa organisationer ser dokumentet; tomt = alla.",
            )  # fmt: skip
            levels = (shared.me() or {}).get("classifications") or CLASSIFICATIONS
            level = st.selectbox(
                "Informationsklass", levels,
                index=levels.index(d["classification"]) if d.get("classification") in levels
                else 0,
            )  # fmt: skip
            reset = st.multiselect("Återställ", d.get("corrected") or [])
            submitted = st.form_submit_button("Spara rättelsen")
        if submitted:
            values: dict[str, Any] = {
                k: v.strip() for k, v in given.items() if v.strip() and v.strip() != _current(d, k)
            }
            if sorted(orgs) != sorted(d.get("municipalities") or []):
                values["municipalities"] = orgs
            if sorted(scope) != sorted(d.get("scope") or []):
                values["scope"] = scope or ["alla"]
            if level != d.get("classification"):
                values["classification"] = level
            correct(d["document_id"], values, reset)


def correct(document_id: str, values: dict[str, Any], reset: list[str]) -> None:
    api = shared.admin_client()
    if api is None:
        st.warning("Ange administratörsnyckeln nedan först.", icon=":material/key:")
        return
    if not values and not reset:
        st.info("Inget att ändra.")
        return
    try:
        api.correct_document(document_id, values, reset)
    except ApiError as exc:
        st.error(_write_error(exc), icon=":material/error:")
        return
    shared.clear_cache()
    st.rerun()


def review_section(pending: list[dict[str, Any]], flagged: list[dict[str, Any]]) -> None:
    """Uploads held as "ej granskad" and flagged documents: approve them for answers."""
    st.subheader("Att granska")
    st.caption(
        "Uppladdade dokument används inte i svar förrän en administratör har godkänt dem. "
        "Avsnitt med text som liknar instruktioner till en assistent används inte förrän "
        "dokumentet är godkänt."
    )
    for d in {d["document_id"]: d for d in pending + flagged}.values():
        flags = ", ".join(FLAGS.get(f, f) for f in d.get("flags") or [])
        text = f"**{md_escape(d['title'])}** ({md_escape(d['source'])}, {origin_badge(d)})"
        col, button = st.columns([4, 1])
        col.markdown(text + (f"  \n:warning: Flaggat: {md_escape(flags)}" if flags else ""))
        confirmed = "instructions" in (d.get("flags") or []) and col.checkbox(
            "Jag har läst avsnitten som liknar instruktioner och godkänner ändå",
            key=f"confirm-{d['document_id']}",
        )  # the API asks for this second confirmation (409 without it)
        if button.button("Godkänn", key=f"approve-{d['document_id']}"):
            approve(d["document_id"], confirmed)


def approve(document_id: str, confirm_instructions: bool = False) -> None:
    api = shared.admin_client()
    if api is None:
        st.warning("Ange administratörsnyckeln nedan först.", icon=":material/key:")
        return
    try:
        api.approve_document(document_id, confirm_instructions)
    except ApiError as exc:
        st.error(_write_error(exc), icon=":material/error:")
        return
    shared.clear_cache()
    st.rerun()


def _write_error(exc: ApiError) -> str:
    if exc.kind == "unauthorized" and not shared.sign_in_enabled():
        return (
            "Administratörsnyckeln saknas eller är fel (eller så har tjänsten ingen nyckel "
            "konfigurerad). Ange nyckeln från datamappens fil admin-key."
        )
    return exc.message


def upload(files: list[Any]) -> list[dict[str, Any]]:
    """Upload one file at a time as a job (progress per file, cancellable); errors are kept
    per file."""
    results: list[dict[str, Any]] = []
    api = shared.admin_client()
    if api is None:
        return [{"file": f.name, "status": "failed", "chunks": 0, "api_error": True,
                 "error": "Ange administratörsnyckeln först."} for f in files]  # fmt: skip
    bar = st.progress(0.0)
    button = st.empty()
    for i, f in enumerate(files):
        text = f"Läser in {f.name} ({i + 1} av {len(files)}) …"
        bar.progress(i / len(files), text=text)
        try:
            job = api.start_upload([(f.name, f.getvalue())])
            st.session_state[JOB] = job["job_id"]
            if i == 0:  # shown once a job exists: a click reruns the page, cancel() stops it
                button.button("Avbryt inläsningen", key="cancel_upload")
            started = time.monotonic()
            while job["status"] in ("queued", "running"):
                time.sleep(0.5)
                # an element call each turn: a click on the cancel button stops this run here
                bar.progress(i / len(files), text=f"{text} {time.monotonic() - started:.0f} s")
                job = api.upload_job(job["job_id"])
            results += job["files"]
        except ApiError as exc:
            results.append({"file": f.name, "status": "failed", "error": _write_error(exc),
                            "chunks": 0, "api_error": True})  # fmt: skip
            if exc.kind in ("unauthorized", "unreachable"):
                break
    st.session_state.pop(JOB, None)
    bar.progress(1.0, text="Klart.")
    shared.clear_cache()
    return results


def cancel() -> None:
    """The cancel button was clicked during an upload: stop its job on the server."""
    job_id = st.session_state.pop(JOB, None)
    api = shared.admin_client()
    if not (st.session_state.get("cancel_upload") and job_id and api):
        return
    try:
        job = api.cancel_upload(job_id)
        for _ in range(60):  # the file being embedded stops at its next batch
            if job["status"] not in ("queued", "running"):
                break
            time.sleep(0.5)
            job = api.upload_job(job_id)
    except ApiError as exc:
        st.error(_write_error(exc), icon=":material/error:")
        return
    shared.clear_cache()
    st.info("Inläsningen avbröts. Filer som redan var inlästa finns kvar i listan.",
            icon=":material/cancel:")  # fmt: skip
    show_results(job["files"])


def show_results(results: list[dict[str, Any]]) -> None:
    for r in results:
        status = STATUS_LABELS.get(r["status"], r["status"])
        if r["status"] == "cancelled":
            st.warning(f"**{md_escape(r['file'])}**: {status}. Inget av filen sparades.",
                       icon=":material/cancel:")  # fmt: skip
        elif r["status"] == "failed":
            reason = r["error"] if r.get("api_error") else file_error(r.get("error"))
            st.error(
                f"**{md_escape(r['file'])}**: {status}. {md_escape(reason)}",
                icon=":material/error:",
            )
        else:
            held = " Ej granskad: används inte i svar förrän den är godkänd." if (
                r.get("review") == "pending") else ""  # fmt: skip
            flags = ", ".join(FLAGS.get(f, f) for f in r.get("flags") or [])
            flagged = f" Flaggat: {flags}." if flags else ""
            st.success(
                f"**{md_escape(r['file'])}**: {status} ({r.get('chunks', 0)} avsnitt)."
                + md_escape(held + flagged),
                icon=":material/check_circle:",
            )


st.title("Dokument")
st.caption("Styrdokumenten som assistenten svarar utifrån.")
cancel()
document_table()


def upload_section() -> None:
    st.subheader("Ladda upp dokument")
    shared.key_form()
    with st.form("upload", clear_on_submit=True):
        chosen = st.file_uploader(
            "Välj en eller flera filer (PDF, DOCX, HTML, Markdown, TXT)",
            type=FILE_TYPES,
            accept_multiple_files=True,
            max_upload_size=25,
        )
        submitted = st.form_submit_button("Ladda upp och läs in", type="primary")
    if submitted and chosen:
        st.session_state["upload_results"] = upload(chosen)
        st.rerun()
    elif submitted:
        st.warning("Välj minst en fil först.")
    if results := st.session_state.pop("upload_results", None):
        show_results(results)


if _may("upload"):  # a role that may only read sees the list
    upload_section()
with st.container(key="glossary"):  # .st-key-glossary in the page
    glossary_section()
