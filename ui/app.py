"""Höglandets policyassistent – Streamlit interface (``streamlit run ui/app.py``).

The entry point: page navigation, and the sidebar parts every page shares (answer mode,
disclaimer). All data comes from the API over HTTP (``PA_API_URL``).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `streamlit run ui/app.py` puts only ui/ on the path
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from ui import shared  # noqa: E402
from ui.render import DISCLAIMER, mode_label  # noqa: E402

VIEWS = Path(__file__).parent / "views"  # not pages/: Streamlit would serve those alone


def _icon() -> Image.Image:
    """A small page icon drawn locally (a Material icon would be fetched from the internet)."""
    icon = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    draw = ImageDraw.Draw(icon)
    draw.rounded_rectangle((4, 4, 60, 60), radius=12, fill=(31, 78, 121))
    draw.rectangle((20, 14, 44, 50), fill=(255, 255, 255))
    for y in (22, 30, 38):
        draw.line((25, y, 39, y), fill=(31, 78, 121), width=3)
    return icon


def sign_in_page() -> None:
    """Before anything else when sign-in is on: only the button to the provider."""
    st.title("Höglandets policyassistent")
    st.write("Logga in med ditt konto i kommunen för att ställa frågor om policyer och GDPR.")
    if st.button("Logga in", type="primary", icon=":material/login:"):
        st.login()
    st.stop()


def user_box(me: dict | None) -> None:
    """Who is signed in (role, organisations), or that sign-in is off."""
    if me is None:
        error = st.session_state.get("me_error")
        st.warning(getattr(error, "message", "Tjänsten kunde inte säga vem du är."),
                   icon=":material/person_off:")  # fmt: skip
        if shared.sign_in_enabled() and st.button("Logga ut"):
            st.logout()
        return
    orgs = "alla organisationer" if me["every_organisation"] else (
        ", ".join(me["organisations"]) or "ingen organisation")  # fmt: skip
    if me["signed_in"]:
        st.caption(f"Inloggad som **{me['role']}** · {orgs}")
        if st.button("Logga ut", icon=":material/logout:"):
            st.logout()
    else:
        st.caption(f"Inloggning är avstängd: alla som når tjänsten har rollen **{me['role']}** "
                   f"och ser {orgs}s dokument.")  # fmt: skip


st.set_page_config(page_title="Policyassistenten", page_icon=_icon(), layout="wide")
if shared.sign_in_enabled() and not st.user.is_logged_in:
    sign_in_page()
me = shared.me()
pages = [st.Page(VIEWS / "chatt.py", title="Fråga", icon=":material/chat:", default=True)]
# the API refuses what the role may not; with sign-in off the page checks this session's own
# answers, and the audit trail and ratings ask for the administrator key
if me is None or "review" in me["permissions"] or not shared.sign_in_enabled():
    pages.append(st.Page(VIEWS / "granskning.py", title="Granskning", icon=":material/gavel:"))
pages.append(st.Page(VIEWS / "dokument.py", title="Dokument", icon=":material/description:"))
navigation = st.navigation(pages)
shared.inject_css()
with st.sidebar:
    st.markdown("**Höglandets policyassistent**")
    st.caption("Aneby · Eksjö · Nässjö · Sävsjö · Vetlanda · Höglandsförbundet")
    user_box(me)
try:
    navigation.run()
except Exception:  # never a traceback for the user (st.rerun/st.stop are BaseExceptions)
    logging.getLogger("ui").exception("a page failed")
    st.error(
        "Något gick fel i gränssnittet. Ladda om sidan och försök igen; kvarstår felet, "
        "kontakta IT-supporten.",
        icon=":material/error:",
    )
with st.sidebar:
    st.divider()
    st.markdown(f"**Svarsläge:** {mode_label(shared.answer_mode())}")
    st.caption(DISCLAIMER)
