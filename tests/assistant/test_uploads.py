"""``assistant.uploads.safe_name`` over arbitrary names (hypothesis): a plain stored name or a
clear refusal, never an exception of another kind (issue 31)."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.uploads import UploadRefused, safe_name

_PARTS = st.sampled_from(["..", ".", "/", "\\", "_", " ", "-", "CON", "nul", "com1", "LPT9",
                          ".md", ".pdf", "\x00", "\x1f", "\u202e", "\u200b", "ä", "Ö"])  # fmt: skip
NAMES = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(_PARTS, st.text(string.ascii_letters, max_size=5)), max_size=12).map(
        "".join
    ),
)


@settings(max_examples=400, deadline=None)
@given(NAMES)
def test_any_name_is_a_safe_name_or_refused(name: str) -> None:
    try:
        stored = safe_name(name)
    except UploadRefused as exc:
        assert exc.status == 422 and "namn" in exc.detail
        return
    assert stored and len(stored) <= 150
    assert "/" not in stored and "\\" not in stored and not stored.startswith((".", " ", "-"))
    assert stored == stored.strip()
    assert all(c.isalnum() or c in "._- " for c in stored), stored
    assert stored.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL", "COM1", "LPT9"}
    assert safe_name(stored) == stored  # stable: a stored name stays what it is
