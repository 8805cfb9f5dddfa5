"""Streamlit helpers shared by the pages: the client, cached reads, session state."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ui.client import Answer, ApiClient, ApiError, Document, Turn
from ui.render import CSS, REF_SCRIPT

HISTORY_TURNS = 10  # the API accepts at most 20


def client() -> ApiClient:
    """The API client, configured from the environment (PA_API_URL, PA_API_KEY)."""
    return ApiClient.from_env()


@st.cache_data(ttl=30, show_spinner=False)
def _documents(base_url: str) -> list[Document]:
    return ApiClient(base_url).documents()


@st.cache_data(ttl=30, show_spinner=False)
def _ready(base_url: str) -> dict[str, Any]:
    return ApiClient(base_url, timeout=5).ready()


def documents() -> tuple[list[Document], str | None]:
    """Ingested documents (cached for 30 s) and a Swedish error message, if any."""
    try:
        return _documents(client().base_url), None
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
