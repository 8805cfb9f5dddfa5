"""The store cache of eval/corpus.py: a folder ingested once, copied into every consumer's
data dir and confirmed current by the ordinary incremental ingest; a stale entry only costs
time. Small folders and the real embedder and store."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from eval import corpus
from ingest import corrections
from tests.conftest import make_settings

DOC = """# Riktlinje för {topic}

## 1 Syfte

Riktlinjen beskriver hur {topic} hanteras i kommunen. Alla medarbetare ska följa den.

## 2 Ansvar

Förvaltningschefen ansvarar för att {topic} följs upp varje år.
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "styrdokument"
    root.mkdir()
    (root / "backup.md").write_text(DOC.format(topic="säkerhetskopiering"), encoding="utf-8")
    (root / "losenord.md").write_text(DOC.format(topic="lösenord"), encoding="utf-8")
    return root


def consume(tmp_path: Path, name: str, folder: Path, embedder, cache: Path | None, **settings):
    """One consumer: a fresh data dir, ingested through the cache; returns statuses and the
    documents' chunk counts and recorded folders."""
    kb, report = corpus.open_ingested(
        make_settings(tmp_path / name, **settings), folder, embedder, cache
    )
    try:
        docs = {d.document_id: (d.chunk_count, d.root) for d in kb.documents().values()}
        return sorted(r.status for r in report.results), docs
    finally:
        kb.close()


def entries(cache: Path) -> list[str]:
    return sorted(p.name for p in cache.iterdir() if not p.name.startswith("."))


def test_the_key_follows_content_and_settings_not_the_location(folder: Path, tmp_path: Path):
    settings = make_settings(tmp_path / "data")
    key = corpus.store_key(folder, settings)
    assert key.startswith("styrdokument-") and key == corpus.store_key(folder, settings)
    assert corpus.store_key(folder, make_settings(tmp_path / "elsewhere")) == key
    moved = shutil.copytree(folder, tmp_path / "copy" / "styrdokument")
    assert corpus.store_key(moved, settings) == key  # the absolute path is not in the key
    assert corpus.store_key(folder, make_settings(tmp_path, chunk_max_tokens=200)) != key
    assert corpus.store_key(folder, make_settings(tmp_path, collection="other")) != key
    (moved / "backup.md").write_text(DOC.format(topic="arkivering"), encoding="utf-8")
    assert corpus.store_key(moved, settings) != key
    (folder / "ny.md").write_text(DOC.format(topic="loggning"), encoding="utf-8")
    assert corpus.store_key(folder, settings) != key


def test_ingested_once_then_copied_and_confirmed_unchanged(folder, tmp_path, embedder):
    cache = tmp_path / "cache"
    statuses, docs = consume(tmp_path, "first", folder, embedder, cache)
    assert statuses == ["new", "new"]
    (entry,) = entries(cache)
    assert entry == corpus.store_key(folder, make_settings(tmp_path))
    saved = (cache / entry).stat().st_mtime_ns
    for name in ("second", "third"):
        again, same = consume(tmp_path, name, folder, embedder, cache)
        assert again == ["unchanged", "unchanged"] and same == docs
    assert entries(cache) == [entry] and (cache / entry).stat().st_mtime_ns == saved
    # the cached store is a closed copy, never opened in place: no lock file in it
    assert not list((cache / entry).rglob(".lock"))


def test_a_changed_file_is_a_new_entry_and_replaces_the_old(folder, tmp_path, embedder):
    cache = tmp_path / "cache"
    consume(tmp_path, "first", folder, embedder, cache)
    (old,) = entries(cache)
    (folder / "backup.md").write_text(DOC.format(topic="arkivering"), encoding="utf-8")
    statuses, _ = consume(tmp_path, "second", folder, embedder, cache)
    assert statuses == ["new", "new"]  # a new key: ingested from scratch
    (new,) = entries(cache)
    assert new != old and new.startswith("styrdokument-")
    assert consume(tmp_path, "third", folder, embedder, cache)[0] == ["unchanged", "unchanged"]


def test_a_stale_entry_costs_time_not_correctness(folder, tmp_path, embedder):
    """An entry whose store does not match its key (planted here: the store of other file
    contents) is corrected by the incremental ingest and replaced in the cache."""
    cache = tmp_path / "cache"
    key = corpus.store_key(folder, make_settings(tmp_path))
    other = shutil.copytree(folder, tmp_path / "other" / "styrdokument")
    (other / "backup.md").write_text(DOC.format(topic="arkivering"), encoding="utf-8")
    (other / "gammal.md").write_text(DOC.format(topic="fax"), encoding="utf-8")
    consume(tmp_path, "other-data", other, embedder, cache)
    (planted,) = entries(cache)
    shutil.move(cache / planted, cache / key)
    planted_at = (cache / key).stat().st_mtime_ns
    statuses, docs = consume(tmp_path, "first", folder, embedder, cache)
    assert statuses == ["new", "new"]  # the copy was discarded: ingested from scratch
    assert docs == consume(tmp_path, "fresh", folder, embedder, None)[1]
    assert entries(cache) == [key] and (cache / key).stat().st_mtime_ns != planted_at
    assert consume(tmp_path, "second", folder, embedder, cache)[0] == ["unchanged", "unchanged"]


def test_the_recorded_folder_follows_the_consumer(folder, tmp_path, embedder):
    """A store cached from one path of the folder is unchanged for a copy elsewhere (the
    staged shared corpus lives in a new temporary folder every run): only ``root`` moves."""
    cache = tmp_path / "cache"
    consume(tmp_path, "first", folder, embedder, cache)
    moved = shutil.copytree(folder, tmp_path / "run2" / "styrdokument")
    statuses, docs = consume(tmp_path, "second", moved, embedder, cache)
    assert statuses == ["unchanged", "unchanged"]
    assert {root for _, root in docs.values()} == {str(moved.resolve())}


def test_no_cache_and_non_fresh_data_dirs_ingest_as_before(folder, tmp_path, embedder):
    assert consume(tmp_path, "plain", folder, embedder, None)[0] == ["new", "new"]
    cache = tmp_path / "cache"
    consume(tmp_path, "first", folder, embedder, cache)
    (entry,) = entries(cache)
    saved = (cache / entry).stat().st_mtime_ns
    # a data dir with corrections (applied at ingest) never takes a cached store
    data = tmp_path / "corrected"
    corrections.update(data, "backup-md", {"owner": "IT-chefen"}, {"owner": None})
    assert consume(tmp_path, "corrected", folder, embedder, cache)[0] == ["new", "new"]
    # a data dir that already holds a store is ingested in place and never saved
    assert consume(tmp_path, "plain", folder, embedder, cache)[0] == ["unchanged", "unchanged"]
    assert entries(cache) == [entry] and (cache / entry).stat().st_mtime_ns == saved


def test_the_cache_folder_comes_from_the_environment(monkeypatch, tmp_path: Path):
    monkeypatch.delenv(corpus.CACHE_ENV, raising=False)
    assert corpus.store_cache() is None
    monkeypatch.setenv(corpus.CACHE_ENV, "")
    assert corpus.store_cache() is None
    monkeypatch.setenv(corpus.CACHE_ENV, str(tmp_path / "stores"))
    assert corpus.store_cache() == tmp_path / "stores"


def test_stores_are_copied_sparse_and_without_their_lock(tmp_path: Path):
    store = tmp_path / "store"
    (store / "segment").mkdir(parents=True)
    data = b"\x00" * (3 << 20) + b"vektor" + b"\x00" * 1000  # preallocated, mostly zeros
    (store / "segment" / "chunk_0.mmap").write_bytes(data)
    (store / ".lock").write_text("")
    corpus.copy_store(store, tmp_path / "copy")
    copied = tmp_path / "copy" / "segment" / "chunk_0.mmap"
    assert copied.read_bytes() == data
    assert copied.stat().st_blocks * 512 < 2 << 20  # the zero MiBs are holes
    assert not (tmp_path / "copy" / ".lock").exists()
