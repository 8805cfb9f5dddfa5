"""Real processes for the UI tests: a copy of the sample policies ingested once per test run
(``policies_kb``) in a temporary PA_DATA_DIR, the API on it as a subprocess (behind a
recording proxy for the UI) and, for the browser tests, one Streamlit server. Nothing is
mocked."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from eval import corpus
from tests.conftest import POLICIES
from tests.ui.proxy import RecordingProxy

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "ui"
API_KEY = "ui-test-key"
START_TIMEOUT_S = 180
# Questions over policies/ for the three answer bands (chosen by asking the running API; the
# tests ask the API again and skip with a reason if the band thresholds have moved).
TWO_DOCUMENTS = "Vem ska informeras vid en personuppgiftsincident?"
UNCERTAIN_CANDIDATES = (
    "Vad tjänar en IT-tekniker i kommunen?",
    "Vad gäller för informationssäkerhet i Region Jönköpings län?",
    "Hur mycket kostar en ny dator till en medarbetare?",
    "Vilka regler gäller i Jönköpings kommun för informationssäkerhet?",
    "Var får jag parkera bilen vid kommunhuset?",
)
REFUSED_CANDIDATES = ("Vem vann fotbolls-VM 1958?", "Vad är huvudstaden i Frankrike?")


def first_in_band(url: str, questions: tuple[str, ...], band: str) -> tuple[str, dict]:
    """The first question the API at ``url`` puts in ``band`` (and its answer), else skip."""
    seen = {}
    for question in questions:
        response = httpx.post(f"{url}/v1/ask", json={"question": question}, timeout=120)
        response.raise_for_status()  # an API error is a failure, not a reason to skip
        answer = response.json()
        if answer.get("band") == band:
            return question, answer
        seen[question] = answer.get("band")
    pytest.skip(f"no candidate question is {band!r} with the current thresholds: {seen}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(**extra: str) -> dict[str, str]:
    """The current environment without any PA_* setting, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PA_")}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(extra)
    return env


def wait_for(url: str, proc: subprocess.Popen, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{what} exited with {proc.returncode} before it was ready")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    proc.kill()
    pytest.fail(f"{what} was not ready within {timeout:.0f} s")


def stop(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


@dataclass
class ApiServer:
    """The real API as a subprocess over an ingested data dir; can be stopped and restarted."""

    data_dir: Path
    workdir: Path
    port: int
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with (self.workdir / "api.log").open("ab") as log:  # the child keeps its own copy
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "assistant", "serve", "--host", "127.0.0.1",
                 "--port", str(self.port)],
                cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT,
                env=clean_env(PA_DATA_DIR=str(self.data_dir), PA_API_KEY=API_KEY,
                              PA_ANSWER_MODE="extractive"),
            )  # fmt: skip
        wait_for(f"{self.url}/readyz", self.proc, START_TIMEOUT_S, "the API")

    def stop(self) -> None:
        stop(self.proc)

    def ensure_running(self) -> ApiServer:
        if self.proc is None or self.proc.poll() is not None:
            self.start()
        return self


@pytest.fixture(scope="session")
def api_server(tmp_path_factory: pytest.TempPathFactory, policies_kb) -> Iterator[ApiServer]:
    """The API over a copy of the session's ingested sample policies (tests/conftest.py: the
    corpus is ingested once per test run; a store is opened by one process at a time): of
    the closed store in the store cache when there is one (eval/corpus.py; ``policies_kb``
    has confirmed it current), else of the session's open store."""
    workdir = tmp_path_factory.mktemp("ui-api")
    data = workdir / "data"
    store = policies_kb.settings.qdrant_location
    cached = corpus.cached_store(corpus.store_cache(), POLICIES, policies_kb.settings)
    corpus.copy_store(cached or store, data / store.name)
    server = ApiServer(data, workdir, free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def api(api_server: ApiServer) -> ApiServer:
    """The running API (restarted if a test stopped it)."""
    return api_server.ensure_running()


@pytest.fixture(scope="session")
def recording_proxy(api_server: ApiServer) -> Iterator[RecordingProxy]:
    proxy = RecordingProxy(api_server.url).start()
    yield proxy
    proxy.stop()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def copy_screenshot(src: Path, name: str) -> None:
    """With PA_UPDATE_SCREENSHOTS=1 the screenshot also goes to docs/screenshots/."""
    if os.environ.get("PA_UPDATE_SCREENSHOTS") == "1":
        target = ROOT / "docs" / "screenshots"
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target / name)
