"""The glossary edited as a person would: on the Dokument page with the administrator key, in
headless Chromium against the real API and Streamlit (subprocesses, no mocks); the save is
checked through the API (the glossary, the audit trail) and in the chat ("Tolkat som: …")."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.ui.conftest import API_KEY, ApiServer
from tests.ui.test_webui import (
    ANSWER_TIMEOUT_MS,
    ANY_REPLY,
    ask,
    browser,  # noqa: F401 (the browser fixture of the web UI tests)
    expect,
    idle,
    no_traceback,
    streamlit,
)

pytestmark = pytest.mark.slow  # real servers (API, Streamlit, browser)

CONCEPT = "säkerhetskopiering"
WORDS = "backup*"
NOTE = "Rutiner för säkerhetskopior"
QUESTION = "Hur länge sparas backuper?"
CAPTION = "Tolkat som: säkerhetskopiering (backuper)"
SCREENSHOT = Path("/tmp/glossary.png")


@pytest.fixture(scope="module")
def ui_url(api_server: ApiServer, tmp_path_factory) -> Iterator[str]:
    with streamlit(api_server.url, tmp_path_factory.mktemp("glossary-ui")) as url:
        yield url


def put_glossary(api: ApiServer, entries: list[dict]) -> None:
    r = httpx.put(f"{api.url}/v1/glossary", json={"entries": entries},
                  headers={"X-API-Key": API_KEY}, timeout=30)  # fmt: skip
    assert r.status_code == 200, r.text


@pytest.fixture
def glossary_without_concept(api: ApiServer) -> Iterator[list[dict]]:
    """The glossary without CONCEPT (the default has it: the person adds it back); the
    original is put back afterwards (the API is shared by the test session)."""
    original = httpx.get(f"{api.url}/v1/glossary", timeout=30).raise_for_status().json()
    assert original["entries"], "the default glossary (core/data/glossary.json) is empty"
    without = [e for e in original["entries"] if e["concept"] != CONCEPT]
    put_glossary(api, without)
    yield without
    put_glossary(api.ensure_running(), original["entries"])


def cell(grid, text: str) -> object:
    """The grid's cells that show exactly ``text``."""
    return grid.locator("td").filter(has_text=re.compile(f"^{re.escape(text)}$"))


def selected_cell(grid) -> object:
    """The grid's selected cell, as its accessibility table shows it."""
    return grid.locator('td[role="gridcell"][aria-selected="true"]')


def show_last_rows(page, editor) -> None:
    """Scroll the table to its last row (select a cell, Ctrl+End-like: Ctrl+ArrowDown)."""
    box = editor.get_by_test_id("data-grid-canvas").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 60, box["y"] + 35 + 17)  # a cell of the first shown row
    page.keyboard.press("ControlOrMeta+ArrowDown")


def add_row(page, editor, row: int, values: list[str]) -> None:
    """Add a row to the data editor and type ``values`` into its cells, as by keyboard:
    "Add row" in the table's toolbar, go to the last row, Enter opens a cell, Tab saves it."""
    editor.hover()
    editor.get_by_role("button", name="Add row").click()
    show_last_rows(page, editor)  # the last row: the one just added
    for col, value in enumerate(values, start=1):
        expect(selected_cell(editor)).to_have_attribute("id", f"glide-cell-{col}-{row}")
        page.keyboard.press("Enter")
        cell_editor = page.locator("textarea.gdg-input")
        expect(cell_editor).to_be_visible()
        cell_editor.fill(value)
        page.keyboard.press("Tab")
        expect(cell_editor).to_have_count(0)
        expect(cell(editor, value)).to_have_count(1)  # the table shows what was typed


def test_an_administrator_adds_a_concept_and_the_chat_reads_questions_with_it(
    browser,  # noqa: F811 (the imported fixture)
    ui_url: str,
    api: ApiServer,
    glossary_without_concept: list[dict],
    artifacts: Path,
) -> None:
    entries = glossary_without_concept
    before = httpx.post(f"{api.url}/v1/ask", json={"question": QUESTION}, timeout=120).json()
    assert CONCEPT not in {x["concept"] for x in before["interpreted_as"]}, before
    context = browser.new_context(viewport={"width": 1360, "height": 1400}, locale="sv-SE")
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto(f"{ui_url}/dokument")
        expect(page.get_by_role("heading", name="Dokument", exact=True)).to_be_visible()
        page.get_by_label("Administratörsnyckel", exact=True).fill(API_KEY)
        page.get_by_role("button", name="Använd nyckeln").click()
        expect(page.get_by_text("Administratörsnyckeln är angiven")).to_be_visible()
        idle(page)

        section = page.locator(".st-key-glossary")
        expect(section.get_by_role("heading", name="Ordlista")).to_be_visible()
        expect(section).to_contain_text("Skriv orden med små bokstäver")
        editor = section.locator('[data-testid="stDataFrame"]')
        grid = editor.locator('table[role="grid"]')  # the canvas's accessibility table
        expect(grid.locator("th")).to_have_text(["Begrepp", "Ord (kommaseparerade)", "Var"])
        first = entries[0]  # the default entries, the first row shown at the top
        expect(cell(grid, first["concept"])).to_have_count(1)
        expect(cell(grid, ", ".join(first["words"]))).to_have_count(1)
        expect(grid).to_have_attribute("aria-rowcount", str(len(entries) + 2))  # + head, "add"

        add_row(page, editor, len(entries), [CONCEPT, WORDS, NOTE])
        section.get_by_role("button", name="Spara ordlistan").click()
        expect(section.get_by_text(f"Ordlistan är sparad ({len(entries) + 1} begrepp)."))\
            .to_be_visible()  # fmt: skip
        idle(page)
        expect(grid).to_have_attribute("aria-rowcount", str(len(entries) + 3))
        show_last_rows(page, editor)
        expect(cell(grid, CONCEPT)).to_have_count(1)
        expect(cell(grid, WORDS)).to_have_count(1)
        section.get_by_role("heading", name="Ordlista").scroll_into_view_if_needed()
        section.screenshot(path=str(SCREENSHOT), animations="disabled")
        section.screenshot(path=str(artifacts / "ordlista.png"), animations="disabled")
        no_traceback(page)

        saved = httpx.get(f"{api.url}/v1/glossary", timeout=30).json()["entries"]
        assert saved[-1] == {"concept": CONCEPT, "words": [WORDS], "note": NOTE}, saved[-1]
        assert saved[:-1] == entries  # the other rows as they were
        export = httpx.get(f"{api.url}/v1/audit/export", headers={"X-API-Key": API_KEY},
                           timeout=60)  # fmt: skip
        assert export.status_code == 200, export.text[:500]
        events = [e for e in export.json()["events"] if e["action"] == "glossary"]
        assert events and f"+{CONCEPT}" in events[-1]["detail"], events[-3:]  # added by the UI
        assert events[-1]["role"] == "administratör", events[-1]

        page.get_by_role("link", name="Fråga").click()
        expect(page.get_by_role("heading", name="Fråga policyassistenten")).to_be_visible()
        reply = ask(page, QUESTION, ANY_REPLY)
        expect(reply.get_by_text(CAPTION, exact=True)).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
        expect(reply.get_by_text(re.compile("^Tolkat som"))).to_have_count(1)
        reply.screenshot(path=str(artifacts / "chat-tolkat-som.png"), animations="disabled")
        no_traceback(page)
    finally:
        context.close()
