"""Streamlit helpers shared by the pages: sign-in, the client, cached reads, session state."""

from __future__ import annotations

import os
from typing import Any

import streamlit as st

from ui.client import Answer, ApiClient, ApiError, Document, Me, Turn
from ui.render import CSS, REF_SCRIPT

HISTORY_TURNS = 10  # the API accepts at most 20


def sign_in_enabled() -> bool:
    """Users sign in through the organisation's identity provider (PA_OIDC_ISSUER is set;
    ``python -m ui`` gives Streamlit the provider's settings)."""
    return bool(os.environ.get("PA_OIDC_ISSUER"))


def token() -> str | None:
    """The signed-in user's ID token (what the API checks), None when not signed in."""
    if not sign_in_enabled() or not st.user.is_logged_in:
        return None
    return st.user.tokens.get("id")


def client() -> ApiClient:
    """The API client (PA_API_URL) as this browser session's user."""
    base = ApiClient.from_env()
    return ApiClient(base.base_url, base.api_key, token=token())


def me() -> Me | None:
    """Who the API takes this session's user to be (asked once per token), None on error."""
    key = ("me", token())
    if st.session_state.get("me_for") != key:
        try:
            st.session_state["me"] = client().me()
        except ApiError as exc:
            st.session_state["me_error"] = exc
            return None
        st.session_state["me_for"] = key
        st.session_state.pop("me_error", None)
    return st.session_state["me"]


def may(permission: str) -> bool:
    """Whether this session's user has ``permission`` (ask, review, upload, approve …)."""
    user = me()
    return bool(user) and permission in user["permissions"]


@st.cache_data(ttl=30, show_spinner=False)
def _documents(base_url: str, user_token: str | None) -> list[Document]:
    return ApiClient(base_url, token=user_token).documents()  # each user sees their own


@st.cache_data(ttl=30, show_spinner=False)
def _ready(base_url: str) -> dict[str, Any]:
    return ApiClient(base_url, timeout=5).ready()


def documents() -> tuple[list[Document], str | None]:
    """Ingested documents (cached for 30 s) and a Swedish error message, if any."""
    try:
        return _documents(client().base_url, token()), None
    except ApiError as exc:
        return [], exc.message


def answer_mode() -> str | None:
    """The API's answer mode ("extractive", "openai", "ollama"), None if unknown."""
    try:
        return _ready(client().base_url).get("answer_mode")
    except ApiError:
        return None


def clear_cache() -> None:
    _documents.clear()
    _ready.clear()


def messages() -> list[dict[str, Any]]:
    """This session's conversation: user turns (redacted) and answers or errors."""
    return st.session_state.setdefault("messages", [])


def answers() -> list[Answer]:
    return [m["answer"] for m in messages() if m.get("answer")]


def history() -> list[Turn]:
    """The conversation as the API's ``history``: redacted questions and answer texts only."""
    turns: list[Turn] = []
    msgs = messages()
    for question, reply in zip(msgs, msgs[1:], strict=False):
        if question["role"] == "user" and question.get("text") and reply.get("answer"):
            turns.append({"role": "user", "content": question["text"]})
            turns.append({"role": "assistant", "content": reply["answer"]["answer"]})
    return turns[-HISTORY_TURNS:]


def inject_css() -> None:
    """Styles for every page, and the script that opens a source from its [n] marker."""
    st.html(CSS)
    with st.sidebar:
        st.html(REF_SCRIPT, unsafe_allow_javascript=True)


KEY = "admin_key"  # the administrator key of this browser session (sign-in off)


def admin_client() -> ApiClient | None:
    """A client for writes: the signed-in user's, else one with this browser session's
    administrator key, None without either."""
    if sign_in_enabled():
        return client()
    key = st.session_state.get(KEY)
    return ApiClient(client().base_url, api_key=key) if key else None


def key_form() -> None:
    """Ask for the administrator key once per browser session (not with sign-in)."""
    if sign_in_enabled():
        return
    if st.session_state.get(KEY):
        col, button = st.columns([4, 1])
        col.caption("Administratörsnyckeln är angiven för den här webbläsarsessionen.")
        if button.button("Glöm nyckeln"):
            st.session_state.pop(KEY, None)
            st.rerun()
        return
    with st.form("admin_key_form"):  # not KEY: a form is a widget with its own state
        key = st.text_input(
            "Administratörsnyckel",
            type="password",
            help="Krävs för att ladda upp och godkänna dokument, läsa granskningsloggen och "
            "lämna bedömningar. Nyckeln finns i datamappen "
            "(admin-key) och sparas bara i den här webbläsarsessionen.",
        )
        if st.form_submit_button("Använd nyckeln") and key.strip():
            st.session_state[KEY] = key.strip()
            st.rerun()
