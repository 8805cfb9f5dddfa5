"""Documents page: what is ingested (version, chunks) and upload of new files."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ui import shared
from ui.client import ApiError
from ui.render import STATUS_LABELS, file_error, md_escape

FILE_TYPES = ["pdf", "docx", "html", "htm", "md", "markdown", "txt"]
ORIGINS = {"folder": "mapp", "upload": "uppladdad"}


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
            "Avsnitt": d["chunks"],
            "Fil": d["source"],
            "Ursprung": ORIGINS.get(d["origin"], d["origin"]),
            "Inläst": (d["ingested_at"] or "")[:16].replace("T", " "),
        }
        for d in docs
    ]
    st.dataframe(rows, hide_index=True, width="stretch")
    st.caption(f"{len(docs)} dokument, {sum(d['chunks'] for d in docs)} avsnitt i kunskapsbasen.")


def upload(files: list[Any]) -> list[dict[str, Any]]:
    """Upload one file at a time (progress per file); errors are kept per file."""
    results: list[dict[str, Any]] = []
    bar = st.progress(0.0)
    for i, f in enumerate(files):
        bar.progress(i / len(files), text=f"Läser in {f.name} ({i + 1} av {len(files)}) …")
        try:
            results += shared.client().upload([(f.name, f.getvalue())])
        except ApiError as exc:
            results.append({"file": f.name, "status": "failed", "error": exc.message,
                            "chunks": 0, "api_error": True})  # fmt: skip
            if exc.kind in ("unauthorized", "unreachable"):
                break
    bar.progress(1.0, text="Klart.")
    shared.clear_cache()
    return results


def show_results(results: list[dict[str, Any]]) -> None:
    for r in results:
        status = STATUS_LABELS.get(r["status"], r["status"])
        if r["status"] == "failed":
            reason = r["error"] if r.get("api_error") else file_error(r.get("error"))
            st.error(
                f"**{md_escape(r['file'])}**: {status}. {md_escape(reason)}",
                icon=":material/error:",
            )
        else:
            st.success(
                f"**{md_escape(r['file'])}**: {status} ({r.get('chunks', 0)} avsnitt).",
                icon=":material/check_circle:",
            )


st.title("Dokument")
st.caption("Styrdokumenten som assistenten svarar utifrån.")
document_table()
st.subheader("Ladda upp dokument")
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
