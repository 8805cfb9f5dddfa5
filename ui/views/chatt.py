"""Chat page: ask in Swedish, watch the answer stream in, open the cited passages."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ui import shared
from ui.client import ApiError
from ui.render import (
    UNCERTAIN_HINT,
    UNCERTAIN_TITLE,
    anchor_id,
    answer_html,
    band,
    closest_sections,
    document_labels,
    esc,
    interpreted,
    md_escape,
    mode_label,
    notice_icon,
    passage_html,
    redaction_notice,
    related_html,
    related_label,
    related_to,
    source_label,
    source_meta,
    uncertain_notice,
)

REFUSAL_HINT = "Prova att formulera om frågan, eller ta bort filtren i sidomenyn."
NOT_SHOWN = "Frågan kunde inte behandlas och visas därför inte."


def _persisted_multiselect(label: str, options: list[str], key: str, **kwargs: Any) -> list[str]:
    """A multiselect whose value survives visits to other pages (and stale options)."""
    keep = f"_keep_{key}"
    current = st.session_state.get(key, st.session_state.get(keep, []))
    st.session_state[key] = [v for v in current if v in options]
    value = st.multiselect(label, options, key=key, **kwargs)
    st.session_state[keep] = value
    return value


ORGANISATIONS = ["Aneby", "Eksjö", "Nässjö", "Sävsjö", "Vetlanda", "Höglandsförbundet"]


def sidebar_filters() -> tuple[list[str], list[str], str | None, str | None]:
    """Organisation, document, document-type and as-of filters; returns (document_ids,
    doc_types, as_of, municipality). The choices are kept for the browser session."""
    docs, error = shared.documents()
    with st.sidebar:
        st.subheader("Avgränsa sökningen")
        st.session_state.setdefault("filter_org", st.session_state.get("_keep_filter_org"))
        org = st.selectbox(
            "Min organisation", ORGANISATIONS, key="filter_org", index=None,
            placeholder="Alla organisationer",
            help="Sök i organisationens egna dokument och i dem som inte anger någon "
            "organisation (de gäller alla).",
        )  # fmt: skip
        st.session_state["_keep_filter_org"] = org
        if error:
            st.warning(f"Dokumentlistan kunde inte hämtas. {error}")
        titles = {d["document_id"]: f"{d['title']} (v. {d['version'] or '–'})" for d in docs}
        ids = _persisted_multiselect(
            "Dokument", list(titles), "filter_docs", format_func=titles.get,
            placeholder="Alla dokument",
        )  # fmt: skip
        types = sorted({d["doc_type"] for d in docs if d.get("doc_type")})
        chosen = _persisted_multiselect(
            "Dokumenttyp", types, "filter_types", format_func=str.capitalize,
            placeholder="Alla dokumenttyper",
        )  # fmt: skip
        st.session_state.setdefault("filter_as_of", st.session_state.get("_keep_filter_as_of"))
        as_of = st.date_input(
            "Vad gällde den", key="filter_as_of", format="YYYY-MM-DD",
            help="Tomt: de gällande versionerna. Med ett datum svarar assistenten ur den version "
            "av varje dokument som gällde då (äldre versioner sparas när ett dokument ändras).",
        )  # fmt: skip
        st.session_state["_keep_filter_as_of"] = as_of
        if st.button("Rensa samtalet", icon=":material/delete:", disabled=not shared.messages()):
            shared.messages().clear()
            st.rerun()
    return ids, chosen, as_of.isoformat() if as_of else None, org


def show_user(message: dict[str, Any]) -> None:
    if message.get("text"):
        st.markdown(md_escape(message["text"]))
    else:
        st.caption(NOT_SHOWN)
    if notice := redaction_notice(message.get("redactions", [])):
        st.info(notice, icon=":material/shield:")


def _passages(answer: dict[str, Any], shown: list[dict[str, Any]], marked: bool) -> None:
    """One expander per passage: its provenance and text (quotes marked if ``marked``)."""
    keys: set[str] = set()
    for i, c in enumerate(shown):
        key = anchor_id(answer["id"], c["n"])  # the target of the inline [n] links
        key = key if key not in keys else f"{key}-{i}"  # repeated numbers must not crash
        keys.add(key)
        with st.expander(source_label(c), key=key):
            st.markdown(
                f'<div class="pa-meta">{esc(source_meta(c))}</div>'
                f"{passage_html(answer, c, marked)}",
                unsafe_allow_html=True,
            )


def show_sources(answer: dict[str, Any]) -> None:
    cited = [c for c in answer["citations"] if c["cited"]]
    if not cited:
        return
    st.markdown("**Källor**")
    _passages(answer, cited, marked=True)
    if related := related_to(answer):
        st.markdown("**Lagtext som källorna hänvisar till**")
        for r in related:
            with st.expander(related_label(r)):
                st.markdown(related_html(r), unsafe_allow_html=True)


def show_uncertain(answer: dict[str, Any]) -> None:
    """No sure answer: a notice and the closest sections to read, never styled as an answer."""
    st.warning(
        f"**{UNCERTAIN_TITLE}**  \n{md_escape(uncertain_notice(answer['answer']))}",
        icon=":material/help:",
    )
    closest = closest_sections(answer)
    if not closest:
        return
    st.markdown("**Närmaste avsnitt**")
    st.caption(UNCERTAIN_HINT)
    _passages(answer, closest, marked=False)


def show_assistant(message: dict[str, Any]) -> None:
    if message.get("error"):
        st.error(message["error"], icon=":material/error:")
        return
    answer = message["answer"]
    if reading := interpreted(answer):
        st.caption(reading)
    if band(answer) == "uncertain":
        show_uncertain(answer)
        return
    if answer["refused"]:
        st.warning(f"{answer['answer']} {REFUSAL_HINT}", icon=":material/search_off:")
        return
    html = answer_html(answer["answer"], answer["id"], answer["citations"],
                       document_labels(answer))  # fmt: skip
    st.markdown(html, unsafe_allow_html=True)
    unsupported = sum(not s["supported"] for s in answer["sentences"])
    if unsupported:
        st.warning(
            f"{unsupported} mening(ar) kunde inte verifieras mot källorna – se sidan Granskning.",
            icon=":material/error:",
        )
    for notice in answer.get("notices") or []:
        st.warning(md_escape(notice["message"]), icon=notice_icon(notice["kind"]))
    st.caption(f"Svarsläge: {mode_label(answer['mode'])}")
    show_sources(answer)


def ask(
    prompt: str,
    document_ids: list[str],
    doc_types: list[str],
    as_of: str | None,
    municipality: str | None,
) -> None:
    """Stream one answer; the raw question is never stored, only the redacted one."""
    history = shared.history()
    user: dict[str, Any] = {"role": "user", "text": None, "redactions": []}
    reply: dict[str, Any] = {"role": "assistant"}
    with st.chat_message("user"):
        user_slot = st.empty()
        user_slot.caption("Kontrollerar frågan för personuppgifter …")
    with st.chat_message("assistant"):
        slot = st.empty()
        slot.caption("Söker i styrdokumenten …")
        tokens: list[str] = []
        try:
            stream = shared.client().ask_stream(
                prompt, history, document_ids, doc_types, as_of=as_of, municipality=municipality
            )
            for event in stream:
                if event.kind == "meta":
                    user["text"] = event.data.get("redacted_query")
                    user["redactions"] = event.data.get("redactions", [])
                    with user_slot.container():
                        show_user(user)
                elif event.kind == "token":
                    tokens.append(str(event.data))
                    slot.markdown(answer_html("".join(tokens) + " ▌"), unsafe_allow_html=True)
                else:
                    reply["answer"] = event.data
        except ApiError as exc:
            reply["error"] = exc.message
        if user["text"] is None:
            with user_slot.container():
                show_user(user)
        with slot.container():
            show_assistant(reply)
    shared.messages().extend([user, reply])


st.title("Fråga policyassistenten")
st.caption(
    "Frågor om kommunernas IT- och informationssäkerhet, AI-användning och GDPR. Varje svar "
    "bygger på citat ur styrdokumenten – klicka på en källa för att se det citerade stycket."
)
filters = sidebar_filters()
prompt = st.chat_input("Skriv din fråga …", max_chars=2000)
for msg in shared.messages():
    with st.chat_message(msg["role"]):
        (show_user if msg["role"] == "user" else show_assistant)(msg)
if not shared.messages() and not prompt:
    st.info(
        "Exempel: *Hur långt måste ett lösenord vara?* · *Hur snabbt ska en "
        "personuppgiftsincident anmälas till IMY?* · *Får jag använda ChatGPT i tjänsten?*",
        icon=":material/lightbulb:",
    )
if prompt:
    ask(prompt, *filters)
