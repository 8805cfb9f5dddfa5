"""Review page for lawyers: every sentence's verification, all retrieved passages,
Markdown export and feedback (correct / incorrect + comment)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ui import shared
from ui.client import ApiClient, ApiError
from ui.render import (
    BAND_LABELS,
    RELATED_TITLE,
    answer_markdown,
    band,
    esc,
    fmt_score,
    md_escape,
    mode_label,
    notice_icon,
    passage_html,
    redaction_notice,
    related_html,
    related_label,
    related_to,
    sentence_html,
    signals_markdown,
    source_meta,
    uncertain_markdown,
)

RATINGS = {"correct": "Korrekt", "incorrect": "Felaktigt"}
BAND_BADGES = {
    "answered": (":material/check_circle:", "green"),
    "uncertain": (":material/help:", "orange"),
    "refused": (":material/block:", "red"),
}


def pick_answer(answers: list[dict[str, Any]]) -> dict[str, Any]:
    """The answer to review: the latest by default, or any of this session's answers."""
    order = list(range(len(answers)))[::-1]
    idx = st.selectbox(
        "Svar att granska",
        order,
        format_func=lambda i: f"{i + 1}. {answers[i]['redacted_query'][:100]}",
        help="Alla svar från den här sessionen; det senaste visas först.",
    )
    return answers[idx]


def summary(a: dict[str, Any]) -> None:
    sentences = a["sentences"]
    supported = sum(s["supported"] for s in sentences)
    cols = st.columns(4)
    cols[0].metric("Verifierade meningar", f"{supported} av {len(sentences)}")
    cols[1].metric("Hämtade avsnitt", len(a["citations"]))
    cols[2].metric("Citerade avsnitt", sum(c["cited"] for c in a["citations"]))
    short = "Utdrag" if a["mode"] == "extractive" else "Språkmodell"
    cols[3].metric("Svarsläge", short, help=mode_label(a["mode"]))
    st.markdown(f"**Fråga (utan personuppgifter):** {md_escape(a['redacted_query'])}")
    if a.get("standalone_query") and a["standalone_query"] != a["redacted_query"]:
        st.caption(f"Tolkad med samtalets sammanhang som: {md_escape(a['standalone_query'])}")
    if notice := redaction_notice(a.get("redactions", [])):
        st.info(notice, icon=":material/shield:")
    for n in a.get("notices") or []:  # validity, earlier versions, documents that disagree
        st.warning(md_escape(n["message"]), icon=notice_icon(n["kind"]))


def answerability(a: dict[str, Any]) -> None:
    """The band as a badge, and the score and signals the decision was made from."""
    st.subheader("Svarbarhet")
    name = band(a)
    icon, color = BAND_BADGES[name]
    left, right = st.columns([1, 5], vertical_alignment="center")
    with left:
        st.badge(BAND_LABELS[name], icon=icon, color=color)
    signals = a.get("answerability") or {}
    if "score" in signals:
        right.caption(
            f"Sammanvägd svarbarhet {signals['score']:.2f} av 1 – ett värde som vägs samman av "
            "signalerna nedan och avgör om frågan besvaras, besvaras osäkert eller nekas."
        )
    if table := signals_markdown(signals):
        st.markdown(table)
    else:
        st.caption("Tjänsten redovisade inga signaler för det här svaret.")


def sentences(a: dict[str, Any]) -> None:
    st.subheader("Meningar och verifiering")
    if band(a) == "uncertain":
        st.warning(uncertain_markdown(a["answer"]), icon=":material/help:")
    elif a["refused"]:
        st.warning(f"Inget svar gavs: {a['answer']}", icon=":material/search_off:")
    if not a["sentences"]:
        st.caption("Svaret innehåller inga meningar att verifiera.")
    for s in a["sentences"]:
        with st.container(border=True):
            badge, body = st.columns([1, 5], vertical_alignment="center")
            with badge:
                if s["supported"]:
                    st.badge("Verifierad", icon=":material/check_circle:", color="green")
                else:
                    st.badge("Ej verifierad", icon=":material/error:", color="orange")
            body.markdown(sentence_html(s, a["id"], a["citations"]), unsafe_allow_html=True)
            refs = ", ".join(f"[{n}]" for n in s["citations"]) or "inga"
            found = f" · citatet hittat i [{s['quote_citation']}]" if s["quote_citation"] else ""
            body.caption(f"Stödpoäng {s['score']:.2f} · hänvisar till {refs}{found}")


def passages(a: dict[str, Any]) -> None:
    st.subheader("Hämtade avsnitt")
    st.caption("Alla avsnitt som sökningen gav, citerade eller inte; citerade delar är markerade.")
    for c in a["citations"]:
        with st.container(border=True):
            left, right = st.columns([5, 1])
            left.markdown(f"**\\[{c['n']}\\] {md_escape(c['title'])}**")
            with right:
                if c["cited"]:
                    st.badge("Citerad", color="blue")
                else:
                    st.badge("Ej citerad", color="gray")
            laws = related_to(a, c["n"])
            policy, law = st.columns(2) if laws else (st.container(), None)
            policy.markdown(
                f'<div class="pa-meta">{esc(source_meta(c))}<br>'
                f"Källa: {esc(c['source'])} · poäng {fmt_score(c['score'])} · semantisk "
                f"likhet {fmt_score(c.get('dense_score'))}</div>{passage_html(a, c)}",
                unsafe_allow_html=True,
            )
            if law is not None:  # the law text the passage cites, beside it
                law.markdown(f"**{RELATED_TITLE}**")
                for r in laws:
                    law.markdown(f"**{related_label(r)}**")
                    law.markdown(related_html(r), unsafe_allow_html=True)


def reviewer(permission: str) -> ApiClient | None:
    """Who reads the audit trail or rates an answer: the user, when their role may; with
    sign-in off, this session's administrator key; else None (the API would refuse)."""
    if shared.may(permission):
        return shared.client()
    return None if shared.sign_in_enabled() else shared.admin_client()


def needs_key(what: str) -> None:
    """Sign-in off and no key: say what the key is for (the form is on the documents page)."""
    st.info(f"{what} kräver administratörsnyckeln när inloggning är avstängd. Ange den på "
            "sidan Dokument.", icon=":material/key:")  # fmt: skip


def feedback(a: dict[str, Any]) -> None:
    st.subheader("Bedömning")
    api = reviewer("feedback")
    if api is None:
        needs_key("Att lämna en bedömning")
        return
    sent = st.session_state.setdefault("feedback_sent", {})
    if a["id"] in sent:
        st.success(f"Tack! Din bedömning ({RATINGS[sent[a['id']]].lower()}) är sparad.")
    with st.form(key=f"feedback-{a['id']}"):
        rating = st.radio(
            "Är svaret korrekt?", list(RATINGS), format_func=RATINGS.get, horizontal=True
        )
        comment = st.text_area(
            "Kommentar (valfri)",
            max_chars=4000,
            help="Personuppgifter i kommentaren tas bort innan den sparas.",
        )
        submitted = st.form_submit_button("Skicka bedömning", type="primary")
    if submitted:
        try:
            api.feedback(a["id"], rating, comment)
        except ApiError as exc:
            st.error(exc.message, icon=":material/error:")
        else:
            sent[a["id"]] = rating
            st.rerun()


def organisation_log(api: ApiClient) -> None:
    """The audit trail's latest answers the user may review (their organisations' users)."""
    with st.expander("Granskningslogg: senaste frågorna i din organisation",
                     icon=":material/history:"):  # fmt: skip
        try:
            rows = api.audit_answers(limit=50)
        except ApiError as exc:
            st.error(exc.message, icon=":material/error:")
            return
        if not rows:
            st.caption("Inga sparade svar ännu.")
            return
        st.dataframe(
            [{"Tid": r["ts"][:16].replace("T", " "), "Roll": r["role"] or "–",
              "Organisation": ", ".join(r["organisations"]) or "–",
              "Fråga (utan personuppgifter)": r["redacted_query"],
              "Besvarad": "nej" if r["refused"] else "ja",
              "Bedömning": ", ".join(RATINGS.get(f["rating"], f["rating"])
                                     for f in r["feedback"]) or "–"}
             for r in rows],
            hide_index=True, width="stretch",
        )  # fmt: skip
        st.caption("Användare visas bara som pseudonymer; frågorna sparas utan personuppgifter.")


st.title("Granskning")
st.caption(
    "För jurister och granskare: varje mening i svaret, om den kunde verifieras mot källan, "
    "och alla avsnitt som hämtades."
)
if (log_reader := reviewer("review")) is not None:
    organisation_log(log_reader)
elif not shared.sign_in_enabled():
    needs_key("Granskningsloggen (alla användares frågor)")
answers = shared.answers()
if not answers:
    st.info(
        "Det finns inga svar att granska ännu. Ställ en fråga på sidan Fråga.",
        icon=":material/chat:",
    )
    st.stop()
current = pick_answer(answers)
summary(current)
answerability(current)
sentences(current)
passages(current)
st.subheader("Exportera")
st.download_button(
    "Ladda ner granskningen (Markdown)",
    answer_markdown(current),
    file_name=f"granskning-{current['id'][:8]}.md",
    mime="text/markdown",
    icon=":material/download:",
)
feedback(current)
