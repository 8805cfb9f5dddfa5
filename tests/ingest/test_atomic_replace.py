"""Atomic replacement and recovery: real processes killed with SIGKILL, then the store checked.

After any kill the store opens, every document has exactly one generation (the current one,
complete), search never shows two versions, and ingesting the folder again gives the same
documents and chunk counts as a clean ingest of it. Also: uploads/ agrees with the index
after a crash, prune touches only documents from the PATH folders, old collections migrate.
"""

from __future__ import annotations

import hashlib
import os
import queue
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from assistant.retrieval import Retriever
from assistant.uploads import recover_uploads
from core import index
from core.store import KnowledgeBase
from ingest.pipeline import Ingestor, document_id_for
from tests.conftest import EVERYONE, ROOT, make_settings
from tests.ingest import reingest_worker as worker

PASSWORD = document_id_for("losenord.md")
QUESTION = "Hur många tecken ska ett lösenord ha?"


def _env() -> dict[str, str]:
    return {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}


def _worker(data: Path, folder: Path, mode: str, start: int = 0) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.ingest.reingest_worker", str(data), str(folder), mode,
         str(start)],
        cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def _lines(proc: subprocess.Popen) -> queue.Queue:
    """The process's output lines, read by a thread (never blocks the test)."""
    out: queue.Queue = queue.Queue()

    def pump() -> None:
        for line in proc.stdout:  # type: ignore[union-attr]
            out.put(line.rstrip("\n"))
        out.put(None)

    threading.Thread(target=pump, daemon=True).start()
    return out


def _wait_for(lines: queue.Queue, prefix: str, timeout: float) -> list[str]:
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=max(0.01, deadline - time.monotonic()))
        except queue.Empty:
            break
        if line is None:
            raise AssertionError(f"worker ended before '{prefix}':\n" + "\n".join(seen))
        seen.append(line)
        if line.startswith(prefix):
            return seen
    raise AssertionError(f"no '{prefix}' within {timeout} s:\n" + "\n".join(seen))


def _one_version_each(kb: KnowledgeBase) -> None:
    """Every stored chunk belongs to a complete version its document's record lists (the
    current one or a kept earlier one); search shows one version of the password rule."""
    keys = [index.DOC_ID, index.GENERATION, index.CONTENT_HASH, index.CHUNK_COUNT]
    grouped: dict[tuple[str, int], list[dict]] = {}
    for p in kb.scroll(fields=keys, current_only=False):
        grouped.setdefault((p.payload[index.DOC_ID], p.payload[index.GENERATION]), []).append(
            p.payload
        )
    current = kb.current_generations()
    for (doc, gen), payloads in grouped.items():
        listed = {v.generation for v in kb.versions(doc)}
        assert gen in listed, f"chunks of {doc} of no version survived recovery"
        assert len({p[index.CONTENT_HASH] for p in payloads}) == 1, doc
        assert len(payloads) == payloads[0][index.CHUNK_COUNT], f"{doc} is incomplete"
    visible = sum(len(v) for (doc, gen), v in grouped.items() if current.get(doc) == gen)
    assert visible == kb.count()
    texts = [
        h.text for h in Retriever(kb, kb.settings).search(QUESTION, top_k=10, user=EVERYONE).hits
    ]
    both = any("minst 12" in t for t in texts) and any("minst 16" in t for t in texts)
    assert not both, "two versions of the password rule are searchable"


def _state(kb: KnowledgeBase) -> tuple[dict[str, tuple[str, int]], int]:
    docs = {d.document_id: (d.content_hash, d.stored_chunks) for d in kb.documents().values()}
    return docs, kb.count()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "docs"
    root.mkdir()
    worker.set_round(root, 0)
    return root


@pytest.mark.parametrize("mode", ["after-add", "before-delete"])
def test_kill_between_write_new_and_delete_old_shows_one_version(
    tmp_path: Path, embedder, folder: Path, mode: str
):
    data = tmp_path / "data"
    kb = KnowledgeBase(make_settings(data), embedder=embedder)
    Ingestor(kb).ingest([folder])
    kb.close()
    proc = _worker(data, folder, mode)
    out, _ = proc.communicate(timeout=240)
    assert proc.returncode == -signal.SIGKILL, out
    kb = KnowledgeBase(make_settings(data), embedder=embedder)
    try:
        texts = [
            h.text
            for h in Retriever(kb, kb.settings).search(QUESTION, top_k=10, user=EVERYONE).hits
        ]
        assert not (any("minst 12" in t for t in texts) and any("minst 16" in t for t in texts))
        doc = kb.document(PASSWORD)
        assert doc is not None and doc.complete and doc.stored_chunks == doc.chunk_count
        expected = "minst 16" if mode == "before-delete" else "minst 12"  # committed or not
        assert any(expected in t for t in texts)
    finally:
        kb.close()


@pytest.mark.slow
def test_random_sigkills_during_reingest_leave_one_version(tmp_path: Path, embedder, folder: Path):
    """10 SIGKILLs of a real ``reingest_worker`` process (seeded): every other one after a
    random delay anywhere in its run, the rest a few ms after it starts a write (the window
    in which the old code left two versions). Bounded by the timeouts (about 1–2 minutes)."""
    rng = random.Random(13)
    data = tmp_path / "data"
    clean: dict[tuple[str, str], tuple[str, int]] = {}
    started = time.monotonic()
    kills, repaired, rounds = 0, 0, 0
    while kills < 10:
        proc = _worker(data, folder, "loop", start=rng.randrange(16))
        lines = _lines(proc)
        try:
            _wait_for(lines, "ready", timeout=120)
            if kills % 2:
                _wait_for(lines, "write", timeout=60)
                time.sleep(rng.uniform(0.0, 0.005))
            else:
                time.sleep(rng.uniform(0.0, 2.5))
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        kills += 1
        while (line := lines.get(timeout=10)) is not None:
            rounds += line.startswith("round")
        kb = KnowledgeBase(make_settings(data), embedder=embedder)  # opening repairs
        try:
            repaired += bool(kb.repaired)
            _one_version_each(kb)
            Ingestor(kb).ingest([folder])
            _one_version_each(kb)
            got = _state(kb)
        finally:
            kb.close()
        expected: dict[str, tuple[str, int]] = {}
        for path in sorted(p for p in folder.iterdir() if not p.name.startswith(".")):
            key = (path.name, hashlib.sha256(path.read_bytes()).hexdigest())
            if key not in clean:  # a clean ingest of this file version into an empty store
                copy = tmp_path / f"clean{len(clean)}"
                copy.mkdir()
                shutil.copy(path, copy / path.name)
                ref = KnowledgeBase(
                    make_settings(tmp_path / f"{copy.name}-data"), embedder=embedder
                )
                try:
                    Ingestor(ref).ingest([copy])
                    ((_, state),) = _state(ref)[0].items()
                    clean[key] = state
                finally:
                    ref.close()
            expected[document_id_for(path.name)] = clean[key]
        assert got == (expected, sum(n for _, n in expected.values()))
    elapsed = time.monotonic() - started
    print(f"\n{kills} SIGKILLs, {rounds} rounds completed, {repaired} opens repaired a "
          f"half-written document, {elapsed:.0f} s")  # fmt: skip


def test_stale_staging_removed_on_start(tmp_path: Path, embedder):
    """Start-up of the API's components removes staging folders a killed upload left."""
    from assistant.components import Components

    settings = make_settings(tmp_path / "data")
    stale = settings.uploads_dir / ".staging-999999-abc"
    stale.mkdir(parents=True)
    (stale / "rutin.md").write_text("# Rutin\n\nHalvt uppladdad.\n", encoding="utf-8")
    components = Components.build(settings, kb=KnowledgeBase(settings, embedder=embedder))
    try:
        assert not stale.exists()
        assert list(settings.uploads_dir.iterdir()) == []
        assert components.kb.documents() == {}
    finally:
        components.close()


def test_upload_indexed_but_not_moved_is_rolled_forward(tmp_path: Path, embedder):
    settings = make_settings(tmp_path / "data")
    kb = KnowledgeBase(settings, embedder=embedder)
    try:
        ingestor = Ingestor(kb)
        staging = settings.uploads_dir / ".staging-999999-x"
        staging.mkdir(parents=True)
        staged = staging / "rutin.md"
        staged.write_text(worker.EXTRA, encoding="utf-8")
        assert ingestor.ingest_file(staged, "rutin.md", origin="upload").status == "new"
        gone = settings.uploads_dir / "borta.md"  # indexed, but its file was deleted
        gone.write_text(worker.PASSWORD_SHORT, encoding="utf-8")
        ingestor.ingest_file(gone, "borta.md", origin="upload")
        gone.unlink()
        # the kill came after indexing, before the file was moved into uploads/
        done = recover_uploads(kb, ingestor, settings.uploads_dir)
        assert (settings.uploads_dir / "rutin.md").read_text(encoding="utf-8") == worker.EXTRA
        assert not staging.exists() and len(done) == 3
        assert set(kb.documents()) == {document_id_for("rutin.md")}
    finally:
        kb.close()


def test_prune_only_under_path(tmp_path: Path, kb: KnowledgeBase, folder: Path):
    other = tmp_path / "andra"
    other.mkdir()
    (other / "incident.md").write_text(worker.EXTRA.replace("skrivare", "incident"), "utf-8")
    upload = tmp_path / "upp.md"
    # another title than the folder's losenord.md: an upload never takes an official title
    upload.write_text(worker.PASSWORD_LONG.replace("# Rutin", "# Uppladdad rutin", 1), "utf-8")
    ingestor = Ingestor(kb)
    ingestor.ingest([folder])
    ingestor.ingest([other])
    ingestor.ingest_file(upload, "upp.md", origin="upload")
    (folder / "skrivare.md").unlink()
    told: list[str] = []
    report = ingestor.ingest([folder], on_prune=lambda docs: told.extend(d.source for d in docs))
    assert told == ["skrivare.md"]
    assert [r.source for r in report.results if r.status == "removed"] == ["skrivare.md"]
    kept = ("backup.md", "losenord.md", "incident.md", "upp.md")
    assert set(kb.documents()) == {document_id_for(n) for n in kept}
    assert ingestor.ingest([folder / "backup.md"]).counts["removed"] == 0  # a file: no scope


def test_cli_prunes_only_under_path_and_says_so(tmp_path: Path, folder: Path):
    other = tmp_path / "andra"
    other.mkdir()
    (other / "incident.md").write_text(worker.EXTRA, "utf-8")
    data = tmp_path / "cli"
    env = {**_env(), "PA_DATA_DIR": str(data)}

    def cli(*paths: Path) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "ingest", "-q", *map(str, paths)],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip

    (folder / "losenord.md").unlink()
    assert cli(folder, other).returncode == 0
    (folder / "skrivare.md").unlink()
    done = cli(folder)
    assert done.returncode == 0, done.stderr
    kb = KnowledgeBase(make_settings(data))
    try:
        assert set(kb.documents()) == {document_id_for("backup.md"), document_id_for("incident.md")}
    finally:
        kb.close()
    lines = done.stdout.splitlines()
    assert [line for line in lines if line.startswith("Removing")] == [
        f"Removing 1 document(s) whose file is gone from {folder}:"
    ]
    notice = lines.index(f"Removing 1 document(s) whose file is gone from {folder}:")
    assert "skrivare.md" in lines[notice + 1] and "removed   skrivare.md" in done.stdout
    assert notice < lines.index("removed   skrivare.md (0 chunks)")  # said before the summary
    assert "1 removed" in done.stdout and "incident" not in done.stdout


@pytest.mark.parametrize("server", [False, True])
def test_pending_and_replaced_generations_are_invisible(kb: KnowledgeBase, folder: Path, server):
    """Both filters (embedded: hide the generations in flight; server: show the current
    ones) hide a write in progress and the replaced version before it is deleted."""
    kb.server = server
    ingestor = Ingestor(kb)
    ingestor.ingest([folder])
    before = _state(kb)
    nodes = ingestor.build_nodes(folder / "losenord.md", "losenord.md").nodes
    generation = kb.begin(PASSWORD)
    for node in nodes:
        node.metadata[index.GENERATION] = generation
        node.id_ = str(uuid.uuid4())
    kb.add(nodes)
    assert _state(kb) == before  # written, not committed
    dropped = kb.commit(PASSWORD, generation)
    assert len(dropped) == 1 and kb.document(PASSWORD).generation == generation
    assert kb.count() == before[1]  # the old version is hidden before it is deleted
    kb.drop_generation(PASSWORD, dropped[0])
    assert len(kb.scroll(current_only=False)) == kb.count() == before[1]


def test_collection_without_generations_is_migrated(tmp_path: Path, embedder, folder: Path):
    """A schema-1 collection (no generations; one document left with two versions by an old
    crash) opens with every document at one complete generation."""
    settings = make_settings(tmp_path / "data")
    kb = KnowledgeBase(settings, embedder=embedder)
    ingestor = Ingestor(kb)
    ingestor.ingest([folder])
    expected = _state(kb)
    worker.write(folder / "losenord.md", worker.PASSWORD_LONG)
    newer = ingestor.build_nodes(folder / "losenord.md", "losenord.md").nodes
    for node in newer:
        node.metadata[index.INGESTED_AT] = "2999-01-01T00:00:00+00:00"
    kb.add(newer)  # the old code's crash: the new version written, the old one not deleted
    points = [p.id for p in kb.scroll(current_only=False, fields=False)]
    kb.client.delete_payload(kb.collection, keys=[index.GENERATION, index.ROOT], points=points)
    kb.client.delete_collection(kb.generations)
    kb.client.update_collection(kb.collection, metadata={"schema": None})
    kb.close()
    kb = KnowledgeBase(settings, embedder=embedder)
    try:
        assert kb.client.get_collection(kb.collection).config.metadata["schema"] == index.SCHEMA
        _one_version_each(kb)
        docs, count = _state(kb)
        assert docs[PASSWORD][1] == len(newer)  # the newest complete version won
        assert {k: v for k, v in docs.items() if k != PASSWORD} == {
            k: v for k, v in expected[0].items() if k != PASSWORD
        }
    finally:
        kb.close()
