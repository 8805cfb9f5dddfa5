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


st.set_page_config(page_title="Policyassistenten", page_icon=_icon(), layout="wide")
navigation = st.navigation(
    [
        st.Page(VIEWS / "chatt.py", title="Fråga", icon=":material/chat:", default=True),
        st.Page(VIEWS / "granskning.py", title="Granskning", icon=":material/gavel:"),
        st.Page(VIEWS / "dokument.py", title="Dokument", icon=":material/description:"),
    ]
)
shared.inject_css()
with st.sidebar:
    st.markdown("**Höglandets policyassistent**")
    st.caption("Aneby · Eksjö · Nässjö · Sävsjö · Vetlanda · Höglandsförbundet")
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
