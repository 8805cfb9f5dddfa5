"""A tiny recording reverse proxy: the UI talks to the API through it, so a test can read
every request the UI sent and every response body the API returned (streams included)."""

from __future__ import annotations

import http.server
import threading
from dataclasses import dataclass, field

import httpx

_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


@dataclass
class Exchange:
    method: str
    path: str
    request: bytes
    status: int = 0
    response: bytes = b""


@dataclass
class RecordingProxy:
    upstream: str
    exchanges: list[Exchange] = field(default_factory=list)
    server: http.server.ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_port}"

    def start(self) -> RecordingProxy:
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"  # close-delimited bodies: streams pass straight on

            def _forward(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                record = Exchange(self.command, self.path, body)
                proxy.exchanges.append(record)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
                try:
                    with (
                        httpx.Client(timeout=httpx.Timeout(300, connect=5)) as http_client,
                        http_client.stream(
                            self.command, proxy.upstream + self.path, content=body, headers=headers
                        ) as r,
                    ):
                        record.status = r.status_code
                        self.send_response(r.status_code)
                        for k, v in r.headers.items():
                            if k.lower() not in _HOP:
                                self.send_header(k, v)
                        self.end_headers()
                        for chunk in r.iter_raw():
                            record.response += chunk
                            self.wfile.write(chunk)
                            self.wfile.flush()
                except httpx.ConnectError:  # the API is down: answer like a gateway would
                    record.status = 502
                    self.send_response(502)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(b'{"detail": "Bad gateway"}')

            do_GET = do_POST = do_PATCH = do_DELETE = _forward

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
