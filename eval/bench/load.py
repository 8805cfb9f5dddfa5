"""Load test of the real HTTP API: concurrent clients, throughput, p50/p95, errors, RSS.

    python -m eval.bench.load [--concurrency 20] [--requests 200] [--duration 120]
    python -m eval.bench.load --url http://127.0.0.1:8000 [--pid PID]

Without ``--url`` it ingests ``policies/`` into a temporary ``PA_DATA_DIR`` (embedded Qdrant,
``python -m ingest policies/ -q``), starts ``python -m assistant serve`` on a free loopback
port with that data dir and the rate limit on questions off (``PA_RATE_LIMIT_ASK=0``: all
clients come from one address) and waits for ``/readyz``. With ``--url`` it targets a running
API (start it with ``PA_RATE_LIMIT_ASK=0``, or the 429s count as errors); only loopback
addresses are accepted. ``--pid`` (or the started server) gives the process
whose memory is read from ``/proc/<pid>/status`` (VmRSS, VmHWM).

Questions: ``--questions`` distinct ones from ``eval/golden/policies.jsonl`` (all kinds
round robin, follow-ups with their history). Phases: one warm-up request; a sequential
baseline over the first ``--baseline`` questions (single-client latency and reference
answers); then ``--concurrency`` threads, one keep-alive ``httpx.Client`` each, send
``POST /v1/ask`` for the questions in order (cycling) until ``--requests`` were sent or
``--duration`` seconds passed, whichever comes first. So the load phase re-asks the
baseline questions and then asks questions the server has not seen (the service caches
passage-sentence embeddings, so repeated questions alone would flatter the numbers).

Errors are transport failures, timeouts and non-200 answers. Consistency: every answer
under load to a baseline question is compared with its sequential answer (answer text,
refusal, cited chunks); that catches a backend that is not safe under concurrent threads
but still answers 200. The exit code is 1 on any error or difference.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import numpy as np

from core import cli

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "eval" / "golden" / "policies.jsonl"


# --- questions -----------------------------------------------------------------------------


def question_pool(n: int, seed: int = 0) -> list[dict]:
    """``n`` request bodies spread over all kinds of golden questions (deterministic)."""
    items = [json.loads(line) for line in GOLDEN.read_text(encoding="utf-8").splitlines()]
    by_kind: dict[str, list[dict]] = {}
    for item in items:
        by_kind.setdefault(item["kind"], []).append(item)
    rng = random.Random(seed)
    for group in by_kind.values():
        rng.shuffle(group)
    pool: list[dict] = []
    while len(pool) < n and any(by_kind.values()):
        for group in by_kind.values():  # round robin: every kind is represented
            if group and len(pool) < n:
                pool.append(group.pop())
    bodies = []
    for item in pool:
        body: dict = {"question": item["question"]}
        if item.get("history"):
            body["history"] = item["history"]
        bodies.append(body)
    return bodies


# --- process and memory --------------------------------------------------------------------


def proc_memory(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak RSS) of ``pid`` in bytes; empty when unreadable."""
    out: dict[str, int] = {}
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return out
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0]) * 1024
    return out


def mib(n: int | None) -> str:
    return "n/a" if n is None else f"{n / 2**20:.0f} MiB"


class RssSampler(threading.Thread):
    """Samples VmRSS of a process every ``interval`` seconds; keeps the maximum."""

    def __init__(self, pid: int | None, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak: int | None = None
        self._stop_event = threading.Event()

    def run(self) -> None:
        while self.pid and not self._stop_event.is_set():
            rss = proc_memory(self.pid).get("VmRSS")
            if rss is not None:
                self.peak = max(self.peak or 0, rss)
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=2)


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def require_loopback(url: str) -> None:
    """Refuse any target that is not on this machine's loopback interface."""
    host = urlsplit(url).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except socket.gaierror as exc:
        raise SystemExit(f"cannot resolve {host!r}: {exc}") from None
    if not addresses or not all(ipaddress.ip_address(a).is_loopback for a in addresses):
        raise SystemExit(f"refusing to load-test {url}: only loopback addresses are allowed")


@dataclass
class Server:
    url: str
    proc: subprocess.Popen
    log_path: Path

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()  # uvicorn shuts down gracefully on SIGTERM
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def start_server(data_dir: Path, policies: Path, ready_timeout: float) -> Server:
    """Ingest ``policies`` into ``data_dir`` and start the API on a free loopback port."""
    env = dict(os.environ)
    env.update(
        PA_DATA_DIR=str(data_dir),
        PA_QDRANT_URL="",  # the embedded store in data_dir
        PA_LOG_LEVEL="WARNING",
        PA_RATE_LIMIT_ASK="0",  # every client of the load test is 127.0.0.1
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
    )
    env.pop("PA_QDRANT_PATH", None)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "ingest", str(policies), "-q"], env=env, cwd=ROOT, check=True
    )
    print(f"ingested {policies} in {time.perf_counter() - started:.0f} s")
    port = free_port()
    log_path = data_dir / "server.log"
    with log_path.open("wb") as log:
        cmd = [sys.executable, "-m", "assistant", "serve", "--host", "127.0.0.1"]
        proc = subprocess.Popen(
            [*cmd, "--port", str(port)], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
        )
    server = Server(f"http://127.0.0.1:{port}", proc, log_path)
    started = time.perf_counter()
    deadline = started + ready_timeout
    while time.perf_counter() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the API exited with {proc.returncode}:\n{server.log_tail()}")
        try:
            if httpx.get(f"{server.url}/readyz", timeout=5).status_code == 200:
                print(f"API ready after {time.perf_counter() - started:.0f} s (pid {proc.pid})")
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    server.stop()
    raise SystemExit(f"the API was not ready after {ready_timeout:.0f} s:\n{server.log_tail()}")


# --- requests ------------------------------------------------------------------------------


@dataclass
class Result:
    question: int
    latency_s: float
    status: int | None = None  # None: transport error / timeout
    error: str | None = None
    signature: str | None = None  # what the answer says and cites
    refused: bool = False


def signature(data: dict) -> str:
    cited = sorted(c["chunk_id"] for c in data.get("citations", []) if c.get("cited"))
    return json.dumps([data.get("answer"), data.get("refused"), cited], ensure_ascii=False)


def ask(client: httpx.Client, url: str, body: dict, index: int) -> Result:
    started = time.perf_counter()
    try:
        response = client.post(f"{url}/v1/ask", json=body)
    except httpx.HTTPError as exc:
        return Result(index, time.perf_counter() - started, error=exc.__class__.__name__)
    latency = time.perf_counter() - started
    if response.status_code != 200:
        return Result(index, latency, response.status_code, error=f"HTTP {response.status_code}")
    try:
        data = response.json()
        return Result(index, latency, 200, signature=signature(data), refused=data["refused"])
    except (ValueError, KeyError) as exc:
        return Result(index, latency, 200, error=f"bad body: {exc.__class__.__name__}")


@dataclass
class LoadRun:
    results: list[Result] = field(default_factory=list)
    elapsed_s: float = 0.0
    stopped_by: str = "count"


def run_load(
    url: str, bodies: list[dict], concurrency: int, requests: int, duration: float, timeout: float
) -> LoadRun:
    run = LoadRun()
    lock = threading.Lock()
    issued = 0
    started = time.perf_counter()
    deadline = started + duration

    def worker() -> None:
        nonlocal issued
        with httpx.Client(timeout=timeout) as client:
            while True:
                with lock:
                    if issued >= requests:
                        return
                    if time.perf_counter() >= deadline:
                        run.stopped_by = "time"
                        return
                    index = issued
                    issued += 1
                result = ask(client, url, bodies[index % len(bodies)], index % len(bodies))
                with lock:
                    run.results.append(result)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    run.elapsed_s = time.perf_counter() - started
    return run


def percentiles(latencies_s: list[float]) -> str:
    if not latencies_s:
        return "no successful requests"
    ms = np.asarray(latencies_s) * 1000
    p50, p95, p99 = np.percentile(ms, [50, 95, 99])
    return f"p50 {p50:.0f} ms  p95 {p95:.0f} ms  p99 {p99:.0f} ms  max {ms.max():.0f} ms"


# --- main ----------------------------------------------------------------------------------


def build_parser() -> cli.Parser:
    parser = cli.Parser(prog="python -m eval.bench.load", description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="target a running API (loopback only)")
    parser.add_argument("--pid", type=int, help="process id of the API at --url (for RSS)")
    parser.add_argument("--policies", type=Path, default=ROOT / "policies")
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--requests", type=int, default=200, help="stop after this many")
    parser.add_argument("--duration", type=float, default=120.0, help="… or after this many s")
    parser.add_argument("--questions", type=int, default=200, help="distinct questions")
    parser.add_argument("--baseline", type=int, default=30, help="sequential requests first")
    parser.add_argument("--timeout", type=float, default=120.0, help="per request, seconds")
    parser.add_argument("--ready-timeout", type=float, default=300.0)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.concurrency < 1 or args.requests < 1 or args.duration <= 0:
        parser.error("--concurrency, --requests and --duration must be positive")

    server: Server | None = None
    tmp = None
    if args.url:
        url, pid = args.url.rstrip("/"), args.pid
    else:
        tmp = tempfile.TemporaryDirectory(prefix="pa-load-")
        server = start_server(Path(tmp.name), args.policies, args.ready_timeout)
        url, pid = server.url, server.proc.pid
    require_loopback(url)
    try:
        return _bench(url, pid, args)
    finally:
        if server:
            server.stop()
        if tmp:
            tmp.cleanup()


def _bench(url: str, pid: int | None, args: argparse.Namespace) -> int:
    ready = httpx.get(f"{url}/readyz", timeout=30).json()
    print(f"target: {url}  answer mode {ready.get('answer_mode')}  embedder "
          f"{ready.get('embedder')}  chunks {ready.get('chunks')}")  # fmt: skip
    bodies = question_pool(args.questions)
    print(f"machine: {os.cpu_count()} CPUs, load average {load_average()} before the run")
    idle = proc_memory(pid) if pid else {}

    with httpx.Client(timeout=args.timeout) as client:
        ask(client, url, bodies[0], 0)  # warm-up (lazy model and analyzer loading)
        started = time.perf_counter()
        baseline = [ask(client, url, body, i) for i, body in enumerate(bodies[: args.baseline])]
        baseline_s = time.perf_counter() - started
    reference = {r.question: r.signature for r in baseline if r.signature}
    after_baseline = proc_memory(pid) if pid else {}

    sampler = RssSampler(pid)
    sampler.start()
    run = run_load(url, bodies, args.concurrency, args.requests, args.duration, args.timeout)
    sampler.stop()
    after_load = proc_memory(pid) if pid else {}

    ok = [r for r in run.results if r.error is None]
    errors = Counter(r.error for r in run.results if r.error is not None)
    base_errors = Counter(r.error for r in baseline if r.error is not None)
    differing = {
        r.question for r in ok if r.question in reference and r.signature != reference[r.question]
    }
    refused = sum(r.refused for r in ok)

    rate = len(baseline) / baseline_s
    print(f"\nsequential baseline: 1 client, {len(baseline)} requests in {baseline_s:.1f} s, "
          f"{rate:.2f} req/s, errors {sum(base_errors.values())}")  # fmt: skip
    print(f"  latency: {percentiles([r.latency_s for r in baseline if r.error is None])}")
    print(f"\nload: {args.concurrency} concurrent clients, {len(run.results)} requests in "
          f"{run.elapsed_s:.1f} s (stopped by {run.stopped_by}; limits {args.requests} "
          f"requests / {args.duration:.0f} s)")  # fmt: skip
    print(f"  throughput: {len(ok) / run.elapsed_s:.2f} answers/s")
    print(f"  latency: {percentiles([r.latency_s for r in ok])}")
    print(f"  errors: {sum(errors.values())}" + (f"  {dict(errors)}" if errors else ""))
    print(f"  refusals (answered 200, no support found): {refused}")
    print(f"  consistency: {len(differing)} of {len(reference)} questions answered differently "
          "under load than sequentially")  # fmt: skip
    print(f"\nload average after the run: {load_average()}")
    if pid:
        print(f"\nAPI memory (pid {pid}): RSS idle after start {mib(idle.get('VmRSS'))}, after "
              f"baseline {mib(after_baseline.get('VmRSS'))}, peak during load "
              f"{mib(sampler.peak)}, after load {mib(after_load.get('VmRSS'))}, process peak "
              f"(VmHWM) {mib(after_load.get('VmHWM'))}")  # fmt: skip
    else:
        print("\nAPI memory: unknown (pass --pid for a running API)")
    return 1 if errors or base_errors or differing else 0


if __name__ == "__main__":
    raise SystemExit(main())
