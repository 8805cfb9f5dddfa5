"""Sign-in in the browser: a real OIDC provider (oidc-provider-mock), the real API checking its
tokens, Streamlit's st.login started by ``python -m ui``. Nothing is mocked.

A handläggare of Eksjö signs in, asks, sees only sources Eksjö may read and no review page;
a jurist sees the review page.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from urllib.parse import quote

import httpx
import oidc_provider_mock
import pytest

from core.settings import Settings
from tests.ui.conftest import (
    API_KEY,
    START_TIMEOUT_S,
    ApiServer,
    clean_env,
    free_port,
    stop,
    wait_for,
)
from tests.ui.test_webui import ANSWER_TIMEOUT_MS, BROWSER_ARGS, CHROMIUM, expect, idle, sync_api

pytestmark = pytest.mark.slow  # real servers (API, browser, OIDC provider, LLM) or laws

VETLANDA_ONLY = "riktlinjer-generativ-ai-docx"
AI_QUESTION = "Får jag använda generativ AI för att skriva ett beslut?"
USERS = {
    "eksjo-handlaggare": {"roles": ["handläggare"], "organisation": "Eksjö"},
    "eksjo-jurist": {"roles": ["jurist"], "organisation": "Eksjö"},
}


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    with oidc_provider_mock.run_server_in_thread() as server:
        url = f"http://localhost:{server.server_port}"
        for sub, claims in USERS.items():
            assert httpx.put(f"{url}/users/{quote(sub)}", json=claims).status_code == 204
        yield url


@pytest.fixture(scope="module")
def signed_in_api(api_server: ApiServer, provider: str, tmp_path_factory) -> Iterator[str]:
    """A second API over a copy of the ingested data, with sign-in on."""
    workdir = tmp_path_factory.mktemp("signin-api")
    data = workdir / "data"
    store = Settings(_env_file=None, data_dir=api_server.data_dir).qdrant_location
    shutil.copytree(store, data / store.name)
    port = free_port()
    env = clean_env(PA_DATA_DIR=str(data), PA_API_KEY=API_KEY, PA_OIDC_ISSUER=provider,
                    PA_ANSWER_MODE="extractive")  # fmt: skip
    with (workdir / "api.log").open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "assistant", "serve", "--host", "127.0.0.1", "--port",
             str(port)], cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    wait_for(f"{url}/healthz", proc, START_TIMEOUT_S, "the API with sign-in")
    r = httpx.patch(f"{url}/v1/documents/{VETLANDA_ONLY}/metadata", headers={"X-API-Key": API_KEY},
                    json={"scope": ["Vetlanda"]}, timeout=60)  # fmt: skip
    assert r.status_code == 200, r.text
    yield url
    stop(proc)


@pytest.fixture(scope="module")
def ui_url(signed_in_api: str, provider: str, tmp_path_factory) -> Iterator[str]:
    workdir = tmp_path_factory.mktemp("signin-ui")
    port = free_port()
    url = f"http://localhost:{port}"
    env = clean_env(PA_API_URL=signed_in_api, PA_OIDC_ISSUER=provider, PA_DATA_DIR=str(workdir),
                    PA_OIDC_CLIENT_SECRET="ui-hemlighet", PA_UI_URL=url)  # fmt: skip
    with (workdir / "streamlit.log").open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "ui", "--server.headless", "true", "--server.address",
             "127.0.0.1", "--server.port", str(port), "--server.fileWatcherType", "none",
             "--client.toolbarMode", "viewer"],
            cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    wait_for(f"{url}/_stcore/health", proc, 90, "Streamlit")
    yield url
    stop(proc)
    assert (workdir / "ui-secrets.toml").stat().st_mode & 0o077 == 0  # secrets: owner only


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (scripts/install_browser.sh)")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        yield chromium
        chromium.close()


def sign_in(browser, ui_url: str, sub: str):
    context = browser.new_context(viewport={"width": 1360, "height": 1200}, locale="sv-SE")
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(ui_url)
    expect(page.get_by_text("Logga in med ditt konto")).to_be_visible()
    assert page.get_by_placeholder("Skriv din fråga").count() == 0  # nothing before sign-in
    page.get_by_role("button", name="Logga in").click()
    page.get_by_placeholder("sub").fill(sub)  # the provider's own sign-in form
    page.get_by_role("button", name="Authorize").click()
    expect(page.get_by_role("heading", name="Fråga policyassistenten")).to_be_visible()
    return context, page


def test_a_handlaggare_signs_in_asks_and_sees_only_permitted_sources(browser, ui_url: str):
    context, page = sign_in(browser, ui_url, "eksjo-handlaggare")
    try:
        expect(page.get_by_text(re.compile(r"Inloggad som\s+handläggare · Eksjö"))).to_be_visible()
        nav = page.locator('[data-testid="stSidebarNav"]')
        expect(nav.get_by_text("Fråga")).to_be_visible()
        assert nav.get_by_text("Granskning").count() == 0  # not for a handläggare
        page.get_by_placeholder("Skriv din fråga").fill(AI_QUESTION)
        page.get_by_placeholder("Skriv din fråga").press("Enter")
        reply = page.locator('[data-testid="stChatMessage"]').nth(1)
        expect(reply.get_by_text(re.compile("Källor|Inget säkert svar|Jag hittar inget stöd"))
               .first).to_be_visible(timeout=ANSWER_TIMEOUT_MS)  # fmt: skip
        idle(page)
        labels = reply.locator('[data-testid="stExpander"] summary').all_inner_texts()
        assert labels  # its sources (or closest sections) are shown …
        assert not any("användning av AI" in label for label in labels), labels  # … not V's
        assert "Traceback" not in page.locator("body").inner_text()
        page.goto(f"{ui_url}/granskning")  # a direct link: not a page for this role
        expect(page.get_by_role("heading", name="Fråga policyassistenten")).to_be_visible()
        page.goto(f"{ui_url}/dokument")
        expect(page.get_by_role("heading", name="Dokument")).to_be_visible()
        idle(page)
        body = page.locator("body").inner_text()
        assert "Riktlinjer för användning av AI" not in body  # not in the documents list
        assert "Ladda upp dokument" not in body  # a handläggare only reads the list
    finally:
        context.close()


def test_a_jurist_gets_the_review_page(browser, ui_url: str):
    context, page = sign_in(browser, ui_url, "eksjo-jurist")
    try:
        expect(page.get_by_text(re.compile(r"Inloggad som\s+jurist · Eksjö"))).to_be_visible()
        nav = page.locator('[data-testid="stSidebarNav"]')
        expect(nav.get_by_text("Granskning")).to_be_visible()
        nav.get_by_text("Granskning").click()
        page.get_by_text("Granskningslogg").click()  # the audit trail of Eksjö's users
        log = page.locator('[data-testid="stExpander"]').filter(has_text="Granskningslogg")
        expect(log.get_by_text("Inga sparade svar ännu.")).to_have_count(0)
        expect(log.locator('[data-testid="stDataFrame"]')).to_be_visible()
        page.get_by_role("button", name="Logga ut").click()
        page.get_by_role("button", name="End session").click()  # the provider's own page
        expect(page.get_by_text("Logga in med ditt konto")).to_be_visible()
        assert page.get_by_placeholder("Skriv din fråga").count() == 0
    finally:
        context.close()
