"""The server as ``python -m assistant serve`` runs it (real uvicorn on a free port): a
client cannot reset its rate limit with ``X-Forwarded-For`` (issue 32)."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import httpx
import pytest
import uvicorn

from assistant.api import create_app, server
from assistant.components import Components
from core.store import KnowledgeBase
from tests.conftest import make_settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def serve(tmp_path: Path, embedder):
    """Start the app under uvicorn with ``server.config``; yields its URL."""
    running: list[tuple[uvicorn.Server, threading.Thread, Components]] = []

    def start(**overrides) -> str:
        settings = make_settings(tmp_path / f"data{len(running)}", rate_limit_ask="2/minute",
                                 **overrides)  # fmt: skip
        components = Components.build(settings, kb=KnowledgeBase(settings, embedder=embedder))
        port = _free_port()
        srv = uvicorn.Server(server.config(create_app(components=components), settings,
                                           "127.0.0.1", port))  # fmt: skip
        thread = threading.Thread(target=srv.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not srv.started:
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.05)
        running.append((srv, thread, components))
        return f"http://127.0.0.1:{port}"

    yield start
    for srv, thread, components in running:
        srv.should_exit = True
        thread.join(10)
        components.close()


def _statuses(url: str, forwarded: list[str]) -> list[int]:
    # an empty body: the limit is counted before validation (422 while within it)
    return [httpx.post(f"{url}/v1/ask", json={}, headers={"X-Forwarded-For": ip}).status_code
            for ip in forwarded]  # fmt: skip


def test_x_forwarded_for_does_not_reset_the_rate_limit(serve):
    url = serve()
    codes = _statuses(url, [f"203.0.113.{i}" for i in range(5)])
    assert codes[:2] == [422, 422] and codes[2:] == [429, 429, 429]


def test_a_configured_proxy_is_trusted(serve):
    url = serve(forwarded_allow_ips=["127.0.0.1"])  # as if a proxy on this machine sent them
    assert _statuses(url, ["203.0.113.1"] * 3) == [422, 422, 429]
    assert _statuses(url, ["203.0.113.2"]) == [422]  # another client behind the proxy


def test_an_oversized_body_is_a_413_with_or_without_content_length(serve):
    url = serve()
    body = b'{"question": "' + b"x" * 5_000_000 + b'"}'
    chunks = [body[i : i + 65536] for i in range(0, len(body), 65536)]
    for content in (body, iter(chunks)):  # iter: sent chunked, no Content-Length
        r = httpx.post(f"{url}/v1/ask", content=content, timeout=60,
                       headers={"Content-Type": "application/json"})  # fmt: skip
        assert r.status_code == 413 and "för stor" in r.json()["detail"]
