"""The Streamlit interface in headless Chromium against the real API (subprocesses, no mocks).

The browser talks only to Streamlit (HTTP + a websocket); Streamlit's server talks to the API
through a recording proxy, so the personal-data test can check both sides.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from core.store import KnowledgeBase
from tests.conftest import SHARED, make_settings
from tests.ingest.test_law_retrieval import ingest_law_subset
from tests.ingest.test_metadata import KARLSHAMN
from tests.ui.conftest import (
    API_KEY,
    REFUSED_CANDIDATES,
    ROOT,
    TWO_DOCUMENTS,
    UNCERTAIN_CANDIDATES,
    ApiServer,
    clean_env,
    copy_screenshot,
    first_in_band,
    free_port,
    stop,
    wait_for,
)
from tests.ui.proxy import RecordingProxy
from ui.client import ApiClient

pytestmark = pytest.mark.slow  # real servers (API, browser, OIDC provider, LLM) or laws

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing (scripts/install_browser.sh)", allow_module_level=True)
pytest.importorskip("streamlit", reason="streamlit is not installed (pip install -e '.[ui]')")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
expect = sync_api.expect

BROWSER_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
ANSWER_TIMEOUT_MS = 120_000
PASSWORD = "Hur långt måste ett lösenord vara?"
PII = "Får jag mejla Anna Svenssons personnummer 19811218-9876 till Försäkringskassan?"
RAW_VALUES = ("Anna Svensson", "Svensson", "19811218-9876", "198112189876")
UPLOAD_MD = "# Rutin för skrivare\n\n## 1 Syfte\n\nUtskrift sker med kort.\n"
NOTICE = "Vi tog bort: personnummer, namn — frågan skickades utan dem"
UNCERTAIN_HINT = "Det här är inte ett svar: läs avsnitten själv eller fråga på ett annat sätt."
ANY_REPLY = re.compile("Källor|Inget säkert svar|Jag hittar inget stöd|I cannot find")
SIGNAL_LABELS = (
    "Bästa träff (cosinus)", "Avstånd till övriga träffar (z)", "Bästa mening (cosinus)",
    "Ordöverlapp", "Frågans ord i källorna", "Engelsk fråga",
)  # fmt: skip


@contextmanager
def streamlit(api_url: str, workdir: Path) -> Iterator[str]:
    """A Streamlit server of the UI against the API at ``api_url``; yields its URL."""
    port = free_port()
    env = clean_env(PA_API_URL=api_url, PA_API_KEY=API_KEY,
                    STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")  # fmt: skip
    with (workdir / "streamlit.log").open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "ui" / "app.py"),
             "--server.headless", "true", "--server.address", "127.0.0.1",
             "--server.port", str(port), "--server.fileWatcherType", "none",
             "--browser.gatherUsageStats", "false", "--client.toolbarMode", "viewer"],
            cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{url}/_stcore/health", proc, 90, "Streamlit")
        yield url
    finally:
        stop(proc)


@pytest.fixture(scope="module")
def streamlit_url(recording_proxy: RecordingProxy, tmp_path_factory) -> Iterator[str]:
    with streamlit(recording_proxy.url, tmp_path_factory.mktemp("streamlit")) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Traffic:
    """What the browser sent and received: HTTP requests and websocket frames."""

    requests: list[tuple[str, bytes]] = field(default_factory=list)
    frames_sent: list[bytes] = field(default_factory=list)
    frames_received: list[bytes] = field(default_factory=list)


def _bytes(payload: str | bytes) -> bytes:
    return payload.encode() if isinstance(payload, str) else payload


@pytest.fixture
def ui(browser, streamlit_url: str, api: ApiServer) -> Iterator[tuple[object, Traffic]]:
    """A fresh page (a new Streamlit session) with its network traffic recorded."""
    context = browser.new_context(viewport={"width": 1360, "height": 1200}, locale="sv-SE")
    page = context.new_page()
    traffic = Traffic()
    page.on("request", lambda r: traffic.requests.append((r.url, r.post_data_buffer or b"")))

    def on_websocket(ws) -> None:
        ws.on("framesent", lambda p: traffic.frames_sent.append(_bytes(p)))
        ws.on("framereceived", lambda p: traffic.frames_received.append(_bytes(p)))

    page.on("websocket", on_websocket)
    page.set_default_timeout(30_000)
    page.goto(streamlit_url)
    expect(page.get_by_role("heading", name="Fråga policyassistenten")).to_be_visible()
    yield page, traffic
    context.close()


def idle(page) -> None:
    page.wait_for_selector(".stApp[data-test-script-state=notRunning]", timeout=ANSWER_TIMEOUT_MS)


def ask(page, question: str, done_text: str | re.Pattern[str] = "Källor") -> object:
    """Type a question, wait until the answer (or message) is complete; the last bubble."""
    before = page.locator('[data-testid="stChatMessage"]').count()
    page.get_by_placeholder("Skriv din fråga").fill(question)
    page.get_by_placeholder("Skriv din fråga").press("Enter")
    reply = page.locator('[data-testid="stChatMessage"]').nth(before + 1)
    expect(reply.get_by_text(done_text).first).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    idle(page)
    return reply


def no_traceback(page) -> None:
    text = page.locator("body").inner_text()
    assert "Traceback" not in text and "Error" not in text and "Något gick fel" not in text


def test_question_gets_an_answer_with_citations(
    ui, artifacts: Path, recording_proxy: RecordingProxy
) -> None:
    page, traffic = ui
    first = len(recording_proxy.exchanges)
    reply = ask(page, PASSWORD)
    expect(reply).to_contain_text("14 tecken")
    markers = reply.locator("a.pa-ref")
    assert markers.count() >= 1
    sources = reply.locator('[data-testid="stExpander"]')
    assert sources.count() >= 1
    quote = sources.first.locator("mark").first
    expect(quote).to_be_hidden()
    markers.first.click()  # the inline [1] opens source 1
    expect(quote).to_be_visible()
    expect(quote).to_contain_text("minst 14 tecken")
    expect(sources.first).to_contain_text("fastställd 2023-11-28")
    expect(sources.first).to_contain_text("revision försenad (revideras senast 2025-11-28)")
    expect(reply).to_contain_text("skulle enligt dokumentet självt ha reviderats senast 2025-11-28")
    expect(page.get_by_text("Utdrag ur dokumenten (ingen språkmodell)").first).to_be_visible()
    # the answer reached the UI as a stream of tokens, and the stream ended (no cursor left);
    # an extractive answer streams in milliseconds, so Streamlit may merge the partial renders
    asks = [x for x in recording_proxy.exchanges[first:] if x.path == "/v1/ask/stream"]
    assert len(asks) == 1 and asks[0].status == 200
    assert b"event: token" in asks[0].response
    assert "▌" not in reply.inner_text()
    no_traceback(page)
    hosts = {urlsplit(url).hostname for url, _ in traffic.requests}
    assert hosts == {"127.0.0.1"}, hosts  # self-hosted: nothing is fetched from elsewhere
    shot = artifacts / "chat.png"
    page.screenshot(path=str(shot), animations="disabled")
    copy_screenshot(shot, "chat.png")


def test_personal_data_is_removed_before_anything_is_shown_or_stored(
    ui, recording_proxy: RecordingProxy, artifacts: Path
) -> None:
    page, traffic = ui
    first = len(recording_proxy.exchanges)
    reply = ask(page, PII)
    question = page.locator('[data-testid="stChatMessage"]').nth(0)
    expect(question.get_by_text(NOTICE)).to_be_visible()
    expect(question).to_contain_text("<PERSONNUMMER>")
    ask(page, "Hur ska personnummer skickas säkert?")  # the history goes along, redacted
    expect(reply).to_contain_text("personnummer")
    page.screenshot(path=str(artifacts / "chat-personuppgifter.png"), animations="disabled")
    no_traceback(page)

    text = page.locator("body").inner_text()
    assert not [v for v in RAW_VALUES if v in text], "raw personal data on the page"
    for url, body in traffic.requests:
        assert not [v for v in RAW_VALUES if v in url or v.encode() in body], url
    assert any(b"19811218-9876" in f for f in traffic.frames_sent), "the recorder saw no input"
    assert not [f for f in traffic.frames_received if b"19811218-9876" in f or b"Svensson" in f]

    asks = [x for x in recording_proxy.exchanges[first:] if x.path == "/v1/ask/stream"]
    assert len(asks) == 2 and all(x.status == 200 for x in asks)
    with_raw = [x for x in asks if b"19811218-9876" in x.request]
    assert with_raw == [asks[0]], "only the question itself may carry them (the API scrubs it)"
    assert b"<PERSONNUMMER>" in asks[1].request  # history: the redacted question
    for x in recording_proxy.exchanges[first:]:
        decoded = x.response.decode("utf-8", errors="replace")
        done = [json.loads(line[5:]) for line in decoded.splitlines() if line.startswith("data:")]
        seen = decoded + json.dumps(done, ensure_ascii=False)
        assert not [v for v in RAW_VALUES if v in seen], x.path


def test_refusal_is_shown_as_a_warning(ui, api: ApiServer) -> None:
    page, _ = ui
    question, _ = first_in_band(api.url, REFUSED_CANDIDATES, "refused")
    reply = ask(page, question, "Jag hittar inget stöd")
    expect(reply.locator('[data-testid="stAlertContentWarning"]')).to_contain_text(
        "Prova att formulera om frågan"
    )
    expect(reply.get_by_text("Inget säkert svar")).to_have_count(0)
    no_traceback(page)


def _api_answer(api: ApiServer, question: str) -> dict:
    return ApiClient(api.url).ask(question)  # type: ignore[return-value]


def _closest(answer: dict) -> list[str]:
    """The "- title – section [n]" lines an uncertain answer names."""
    return [ln for ln in answer["answer"].splitlines() if ln.startswith("- ")]


def _assert_uncertain_look(reply, answer: dict) -> None:
    """The notice box and the closest sections, nothing that looks like an answer."""
    box = reply.locator('[data-testid="stAlertContentWarning"]')
    expect(box).to_contain_text("Inget säkert svar")
    expect(box).to_contain_text("De här avsnitten ligger närmast")
    expect(reply.get_by_text("Närmaste avsnitt", exact=True)).to_be_visible()
    expect(reply.get_by_text(UNCERTAIN_HINT)).to_be_visible()
    sections = reply.locator('[data-testid="stExpander"]')
    expect(sections).to_have_count(len(_closest(answer)))
    expect(reply.locator(".pa-answer")).to_have_count(0)  # no answer styling
    expect(reply.locator("a.pa-ref")).to_have_count(0)
    expect(reply.get_by_text("Källor", exact=True)).to_have_count(0)
    expect(reply.get_by_text("Prova att formulera om frågan")).to_have_count(0)
    sections.first.locator("summary").click()
    expect(sections.first.locator(".pa-passage")).to_be_visible()
    expect(sections.first.locator("mark")).to_have_count(0)  # no quote is highlighted


def test_chat_look_matches_the_band_the_api_returns(ui, api: ApiServer) -> None:
    page, _ = ui
    question = UNCERTAIN_CANDIDATES[0]
    answer = _api_answer(api, question)
    reply = ask(page, question, ANY_REPLY)
    if answer["band"] == "uncertain":
        _assert_uncertain_look(reply, answer)
    elif answer["band"] == "refused":
        expect(reply.locator('[data-testid="stAlertContentWarning"]')).to_contain_text(
            "Prova att formulera om frågan"
        )
        expect(reply.get_by_text("Inget säkert svar")).to_have_count(0)
    else:
        expect(reply.locator(".pa-answer")).to_have_count(1)
        expect(reply.get_by_text("Inget säkert svar")).to_have_count(0)
    no_traceback(page)


def test_uncertain_answer_is_not_shown_as_an_answer(ui, api: ApiServer, artifacts: Path) -> None:
    page, _ = ui
    question, answer = first_in_band(api.url, UNCERTAIN_CANDIDATES, "uncertain")
    reply = ask(page, question, "Närmaste avsnitt")
    _assert_uncertain_look(reply, answer)
    first_title = _closest(answer)[0][2:].split(" – ")[0]
    expect(reply.locator('[data-testid="stExpander"] summary').first).to_contain_text(first_title)
    page.screenshot(path=str(artifacts / "chat-osaker.png"), animations="disabled")
    no_traceback(page)

    page.get_by_role("link", name="Granskning").click()
    expect(page.get_by_role("heading", name="Svarbarhet")).to_be_visible()
    idle(page)
    expect(page.get_by_text(re.compile(r"Osäker$")).first).to_be_visible()
    expect(page.locator('[data-testid="stAlertContentWarning"]').first).to_contain_text(
        "Inget säkert svar"
    )
    no_traceback(page)


def test_answer_from_two_documents_shows_the_document_labels(
    ui, api: ApiServer, artifacts: Path
) -> None:
    page, _ = ui
    answer = _api_answer(api, TWO_DOCUMENTS)
    labels = [s["document_label"] for s in answer["sentences"]]
    documents = {c["document_id"] for c in answer["citations"] if c["cited"]}
    if answer["band"] != "answered" or len(documents) < 2:
        pytest.skip(f"the API no longer answers {TWO_DOCUMENTS!r} from two documents "
                    f"(band {answer['band']}, documents {sorted(documents)})")  # fmt: skip
    reply = ask(page, TWO_DOCUMENTS)
    shown = reply.locator(".pa-answer .pa-doc-label")
    expect(shown).to_have_text([f"{label}:" for label in labels])
    assert len(set(labels)) >= 2
    for s in answer["sentences"]:  # each label stands before its own statement
        paragraph = reply.locator(".pa-answer p").filter(has_text=s["document_label"])
        expect(paragraph).to_contain_text(s["text"].split("\n")[0][:60])  # a list follows
    expect(reply.get_by_text("Inget säkert svar")).to_have_count(0)
    page.screenshot(path=str(artifacts / "chat-tva-dokument.png"), animations="disabled")
    no_traceback(page)


def test_review_page_shows_band_signals_and_labels(
    ui, api: ApiServer, artifacts: Path, tmp_path: Path
) -> None:
    page, _ = ui
    answer = _api_answer(api, TWO_DOCUMENTS)
    ask(page, TWO_DOCUMENTS, ANY_REPLY)
    page.get_by_role("link", name="Granskning").click()
    expect(page.get_by_role("heading", name="Svarbarhet")).to_be_visible()
    idle(page)
    badge = {"answered": "Besvarad", "uncertain": "Osäker", "refused": "Nekad"}[answer["band"]]
    expect(page.get_by_text(re.compile(f"{badge}$")).first).to_be_visible()
    table = page.locator("table").filter(has_text="Bästa träff (cosinus)")
    expect(table).to_have_count(1)
    for label in SIGNAL_LABELS:
        expect(table).to_contain_text(label)
    expect(table).to_contain_text(f"{answer['answerability']['best_dense']:.3f}")
    expect(page.get_by_text(re.compile(r"Sammanvägd svarbarhet \d\.\d\d av 1"))).to_be_visible()
    labels = [s["document_label"] for s in answer["sentences"] if s["document_label"]]
    expect(page.locator(".pa-doc-label")).to_have_text([f"{label}:" for label in labels])
    page.screenshot(path=str(artifacts / "granskning-svarbarhet.png"), full_page=True,
                    animations="disabled")  # fmt: skip

    with page.expect_download() as download:
        page.get_by_role("button", name="Ladda ner granskningen (Markdown)").click()
    report = tmp_path / "granskning.md"
    download.value.save_as(report)
    markdown = report.read_text(encoding="utf-8")
    assert f"- Utfall: {badge}" in markdown and "## Svarbarhet" in markdown
    assert all(f"**{label}:**" in markdown for label in labels)
    no_traceback(page)


def test_sidebar_filter_is_sent_with_the_question(ui, recording_proxy: RecordingProxy) -> None:
    page, _ = ui
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.locator('[data-testid="stMultiSelect"]').first.click()
    page.get_by_role("option", name=re.compile("Riktlinjer för användning av AI")).click()
    idle(page)
    page.keyboard.press("Escape")
    first = len(recording_proxy.exchanges)
    reply = ask(page, "Får jag använda generativ AI för att skriva ett beslut?")
    body = json.loads(next(x for x in recording_proxy.exchanges[first:]
                           if x.path == "/v1/ask/stream").request)  # fmt: skip
    assert body["filters"]["document_ids"] == ["riktlinjer-generativ-ai-docx"]
    labels = reply.locator('[data-testid="stExpander"] summary').all_inner_texts()
    assert labels and all("Riktlinjer för användning av AI" in label for label in labels)
    page.get_by_role("link", name="Granskning").click()
    idle(page)
    page.get_by_role("link", name="Fråga").click()
    idle(page)  # the filter survives a visit to another page
    expect(sidebar.locator('[data-testid="stMultiSelect"]').first).to_contain_text(
        "Riktlinjer för användning av AI"
    )
    no_traceback(page)


def test_review_page(ui, artifacts: Path, tmp_path: Path) -> None:
    page, _ = ui
    ask(page, PASSWORD)
    page.get_by_role("link", name="Granskning").click()
    expect(page.get_by_role("heading", name="Meningar och verifiering")).to_be_visible()
    idle(page)
    verified = page.get_by_text(re.compile(r"Verifierad$"))  # after the icon's ligature name
    expect(verified.first).to_be_visible()
    badges = page.get_by_text(re.compile(r"(Verifierad|Ej verifierad)$"))
    assert badges.count() == page.get_by_text("Stödpoäng").count() >= 1  # one per statement
    expect(page.get_by_text(re.compile(r"Ej citerad$")).first).to_be_visible()
    expect(page.locator(".pa-passage mark").first).to_contain_text("minst 14 tecken")
    expect(page.get_by_text("version 3.1 · fastställd 2023-11-28").first).to_be_visible()
    shot = artifacts / "granskning.png"
    page.set_viewport_size({"width": 1360, "height": 1900})
    page.screenshot(path=str(shot), animations="disabled")
    copy_screenshot(shot, "granskning.png")

    with page.expect_download() as download:
        page.get_by_role("button", name="Ladda ner granskningen (Markdown)").click()
    report = tmp_path / "granskning.md"
    download.value.save_as(report)
    markdown = report.read_text(encoding="utf-8")
    assert markdown.startswith("# Granskning av svar") and "**Verifierad**" in markdown
    assert "minst 14 tecken" in markdown

    # sign-in off: the audit trail and ratings need the administrator key (issue 32)
    expect(page.get_by_text("Att lämna en bedömning kräver administratörsnyckeln")).to_be_visible()
    expect(page.get_by_text("Granskningsloggen (alla användares frågor) kräver")).to_be_visible()
    expect(page.get_by_text("Granskningslogg: senaste frågorna")).to_have_count(0)
    page.get_by_role("link", name="Dokument").click()
    page.get_by_label("Administratörsnyckel", exact=True).fill(API_KEY)
    page.get_by_role("button", name="Använd nyckeln").click()
    expect(page.get_by_text("Administratörsnyckeln är angiven")).to_be_visible()
    page.get_by_role("link", name="Granskning").click()
    idle(page)
    expect(page.get_by_text("Granskningslogg: senaste frågorna")).to_be_visible()
    page.get_by_text("Felaktigt", exact=True).click()
    page.get_by_role("textbox", name="Kommentar (valfri)").fill(
        "Avsnitt 3.4 om tjänstekonton saknas."
    )
    page.get_by_role("button", name="Skicka bedömning").click()
    expect(page.get_by_text("Tack! Din bedömning (felaktigt) är sparad.")).to_be_visible()
    no_traceback(page)


@pytest.fixture(scope="module")
def law_ui_url(tmp_path_factory, embedder) -> Iterator[str]:
    """A second API and UI over the personal-data guideline plus the GDPR and
    dataskyddslagen subsets of tests/ingest/test_law_retrieval.py (real EUR-Lex text)."""
    workdir = tmp_path_factory.mktemp("law-ui")
    kb = KnowledgeBase(make_settings(workdir / "data"), embedder=embedder)
    try:
        ingest_law_subset(kb)  # skips without ../shared/corpus
    finally:
        kb.close()
    server = ApiServer(workdir / "data", workdir, free_port())
    server.start()
    try:
        with streamlit(server.url, workdir) as url:
            yield url
    finally:
        server.stop()


def test_review_page_shows_the_gdpr_article_beside_the_policy_passage(
    browser, law_ui_url: str, tmp_path: Path
) -> None:
    context = browser.new_context(viewport={"width": 1360, "height": 1200}, locale="sv-SE")
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto(law_ui_url)
        sidebar = page.locator('[data-testid="stSidebar"]')
        sidebar.locator('[data-testid="stMultiSelect"]').first.click()
        page.get_by_role("option", name=re.compile("Riktlinjer för behandling av perso")).click()
        idle(page)
        page.keyboard.press("Escape")
        reply = ask(page, "Hur snabbt ska en personuppgiftsincident anmälas till IMY?")
        expect(reply.get_by_text("Lagtext som källorna hänvisar till")).to_be_visible()
        law_link = reply.locator('[data-testid="stExpander"] summary').filter(
            has_text=re.compile(r"Article 33.*\(från \[\d")
        )
        expect(law_link.first).to_be_visible()

        page.get_by_role("link", name="Granskning").click()
        idle(page)
        beside = page.locator('[data-testid="stHorizontalBlock"]').filter(
            has_text="Lagtext som avsnittet hänvisar till"
        )
        expect(beside.first).to_be_visible()
        policy, law = beside.first.locator('[data-testid="stColumn"]').all()[:2]
        expect(policy.locator(".pa-passage mark").first).to_contain_text("72 timmar")
        expect(law).to_contain_text("Article 33 – Notification of a personal data breach")
        expect(law.locator(".pa-law").first).to_contain_text(re.compile(r"\w+ \w+ \w+"))

        with page.expect_download() as download:
            page.get_by_role("button", name="Ladda ner granskningen (Markdown)").click()
        report = tmp_path / "granskning.md"
        download.value.save_as(report)
        markdown = report.read_text(encoding="utf-8")
        assert "## Lagtext som avsnitten hänvisar till" in markdown and "gdpr:art33" in markdown
        no_traceback(page)
    finally:
        context.close()


def test_an_answer_from_an_expired_real_policy_shows_the_warning(ui, api: ApiServer) -> None:
    """The real Karlshamn policy states "Gäller till och med: 2022-12-31"."""
    if not (SHARED / KARLSHAMN).is_file():
        pytest.skip("../shared/corpus is not available")
    page, _ = ui
    client = ApiClient(api.url, api_key=API_KEY)
    pdf = SHARED / KARLSHAMN
    outcomes = client.upload([(pdf.name, pdf.read_bytes())])
    assert outcomes[0]["status"] == "new", outcomes
    try:
        for doc in client.documents():
            if doc["source"] == pdf.name and doc.get("review") == "pending":
                client.approve_document(doc["document_id"])
        reply = ask(page, "Vad avses med IT-plattform i Karlshamns kommun?")
        expect(reply).to_contain_text("gällde enligt dokumentet självt till och med 2022-12-31")
        expect(reply.locator('[data-testid="stExpander"]').first).to_contain_text(
            "fastställd 2018-06-18 av Kommunfullmäktige § 98 · utgången (gällde t.o.m. 2022-12-31)"
        )
        no_traceback(page)
    finally:
        for doc in client.documents():
            if doc["source"] == pdf.name:
                client.delete_document(doc["document_id"])


def test_documents_page_lists_and_uploads(ui, api: ApiServer, streamlit_url: str) -> None:
    page, _ = ui
    page.goto(f"{streamlit_url}/dokument")  # a direct link runs through app.py too
    expect(page.get_by_role("heading", name="Dokument", exact=True)).to_be_visible()
    expect(page.locator('[data-testid="stSidebar"]')).to_contain_text("Svarsläge")
    # the list is cached 30 s for all sessions: an earlier test deleted through the API
    page.get_by_role("button", name="Uppdatera listan").click()
    idle(page)
    expect(page.get_by_text(re.compile(r"^4 dokument, \d+ avsnitt"))).to_be_visible()
    page.get_by_label("Administratörsnyckel", exact=True).fill(API_KEY)  # per browser session
    page.get_by_role("button", name="Använd nyckeln").click()
    expect(page.get_by_text("Administratörsnyckeln är angiven")).to_be_visible()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        [
            {
                "name": "ui-webbtest.md",
                "mimeType": "text/markdown",
                "buffer": UPLOAD_MD.encode(),
            },
            {"name": "tom.txt", "mimeType": "text/plain", "buffer": b""},
        ]  # fmt: skip
    )
    uploader = page.locator('[data-testid="stFileUploader"]')
    expect(uploader).to_contain_text("ui-webbtest.md")  # sent to Streamlit before the submit
    expect(uploader).to_contain_text("tom.txt")
    page.get_by_role("button", name="Ladda upp och läs in").click()
    try:
        expect(page.get_by_text(re.compile(r"ui-webbtest\.md: ny \(\d+ avsnitt\)"))).to_be_visible(
            timeout=ANSWER_TIMEOUT_MS
        )
        expect(
            page.get_by_text(re.compile(r"tom\.txt: misslyckades\. Filen är tom"))
        ).to_be_visible()
        expect(page.get_by_text(re.compile(r"^5 dokument"))).to_be_visible()
    finally:
        client = ApiClient(api.url, api_key=API_KEY)
        for doc in client.documents():
            if doc["source"] == "ui-webbtest.md":
                client.delete_document(doc["document_id"])
    no_traceback(page)


def test_documents_page_shows_status_and_version_history(
    ui, api: ApiServer, streamlit_url: str
) -> None:
    page, _ = ui
    client = ApiClient(api.url, api_key=API_KEY)
    body = (
        "# Rutin för gästnät\n\nFastställd: {d}\n\n## 1 Gästnät\n\nGäster får nät i {h} timmar.\n"
    )
    doc_id = client.upload([("ui-versioner.md", body.format(d="2022-03-01", h=8).encode())])[0][
        "document_id"
    ]
    try:
        client.upload([("ui-versioner.md", body.format(d="2024-03-01", h=4).encode())])
        page.goto(f"{streamlit_url}/dokument")
        page.get_by_role("button", name="Uppdatera listan").click()  # uploaded elsewhere
        idle(page)
        table = page.locator('[data-testid="stDataFrame"]').first
        expect(table).to_contain_text("revision försenad (revideras senast 2025-11-28)")
        history = page.get_by_role("heading", name="Versionshistorik")
        expect(history).to_be_visible()
        page.get_by_role("combobox", name="Dokument att visa").fill("gästnät")
        page.get_by_role("option", name="Rutin för gästnät").click()
        idle(page)
        versions = page.locator('.st-key-versions [data-testid="stDataFrame"]')
        expect(versions).to_contain_text("ersatt")
        expect(versions).to_contain_text("2022-03-01")
        expect(page.get_by_text("2 version(er).")).to_be_visible()
        page.get_by_label("Administratörsnyckel", exact=True).fill(API_KEY)
        page.get_by_role("button", name="Använd nyckeln").click()
        expect(page.get_by_text("Administratörsnyckeln är angiven")).to_be_visible()
        page.get_by_text("Rätta dokumentets uppgifter").click()
        page.get_by_label("Dokumentansvarig", exact=True).fill("Receptionen i Eksjö")
        page.get_by_role("button", name="Spara rättelsen").click()
        idle(page)
        expect(page.locator('[data-testid="stDataFrame"]').first).to_contain_text(
            "Receptionen i Eksjö"
        )
        assert next(d for d in client.documents() if d["document_id"] == doc_id)["corrected"] == [
            "owner"
        ]
        no_traceback(page)
    finally:
        client.delete_document(doc_id)


def test_an_upload_can_be_cancelled_on_the_documents_page(ui, api: ApiServer, streamlit_url: str):
    page, _ = ui
    page.goto(f"{streamlit_url}/dokument")
    page.get_by_label("Administratörsnyckel", exact=True).fill(API_KEY)
    page.get_by_role("button", name="Använd nyckeln").click()
    expect(page.get_by_text("Administratörsnyckeln är angiven")).to_be_visible()
    sections = "".join(f"## {i} Avsnitt\n\n" + f"Skrivare {i} ska låsas efter arbetstid. " * 30
                       + "\n\n" for i in range(1, 301))  # fmt: skip
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        [
            {
                "name": "lang-ui.md",
                "mimeType": "text/markdown",
                "buffer": f"# Lång rutin\n\n{sections}".encode(),
            }
        ]  # fmt: skip
    )
    page.get_by_role("button", name="Ladda upp och läs in").click()
    page.get_by_role("button", name="Avbryt inläsningen").click()
    expect(page.get_by_text("Inläsningen avbröts")).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    expect(page.get_by_text(re.compile(r"lang-ui\.md: avbruten"))).to_be_visible()
    assert all(d["source"] != "lang-ui.md" for d in ApiClient(api.url).documents())
    no_traceback(page)


def test_api_stopped_gives_a_swedish_error(ui, api_server: ApiServer) -> None:
    page, _ = ui
    api_server.stop()  # the next test that needs the API restarts it
    reply = ask(page, PASSWORD, "går inte att nå")
    expect(reply.locator('[data-testid="stAlertContentError"]')).to_contain_text(
        "Policyassistentens tjänst går inte att nå just nu"
    )
    expect(page.get_by_text("Frågan kunde inte behandlas och visas därför inte.")).to_be_visible()
    no_traceback(page)
