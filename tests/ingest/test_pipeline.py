"""Incremental ingestion into a real embedded Qdrant: idempotence, edits, deletes, bad files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from llama_index.core.schema import MetadataMode
from llama_index.core.vector_stores.utils import metadata_dict_to_node

from core import index
from core.store import KnowledgeBase, StoreBusyError
from ingest.pipeline import Ingestor, document_id_for
from tests.conftest import POLICIES, ROOT, make_settings

DOC_A = """# Rutin för säkerhetskopiering

Dokumenttyp: Rutin

Version: 1.0

Fastställd: 2025-01-15

## 1 Omfattning

Rutinen gäller alla servrar i Höglandets gemensamma driftmiljö.

## 2 Frekvens

Säkerhetskopiering sker varje natt. Återläsning testas en gång per kvartal.
"""
DOC_B = """# Rutin för lösenord

## 1 Krav

Lösenord ska ha minst 14 tecken och får inte återanvändas.

## 2 Byte

Lösenord byts direkt om det misstänks vara röjt.
"""


def _snapshot(kb: KnowledgeBase) -> dict[str, tuple]:
    """Point id → (doc, hash, chunk index, text) for the whole collection."""
    out = {}
    for p in kb.scroll():
        pl = p.payload
        out[str(p.id)] = (pl[index.DOC_ID], pl[index.CONTENT_HASH], pl[index.CHUNK_INDEX],
                          pl["_node_content"])  # fmt: skip
    return out


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "docs"
    root.mkdir()
    (root / "backup.md").write_text(DOC_A, encoding="utf-8")
    (root / "losenord.md").write_text(DOC_B, encoding="utf-8")
    return root


def test_first_run_then_identical_rerun(kb: KnowledgeBase, folder: Path):
    first = Ingestor(kb).ingest([folder])
    assert first.ok and first.counts["new"] == 2
    before = _snapshot(kb)
    assert len(before) == sum(r.chunks for r in first.results)
    second = Ingestor(kb).ingest([folder])
    assert second.counts["unchanged"] == 2 and second.counts["new"] == 0
    assert _snapshot(kb) == before


def test_payload_carries_provenance(kb: KnowledgeBase, folder: Path):
    Ingestor(kb).ingest([folder])
    docs = kb.documents()
    backup = docs[document_id_for("backup.md")]
    assert (backup.title, backup.doc_type, backup.version, backup.adopted) == (
        "Rutin för säkerhetskopiering", "rutin", "1.0", "2025-01-15")  # fmt: skip
    assert backup.complete and backup.stored_chunks == backup.chunk_count
    payload = kb.scroll()[0].payload
    for key in (index.SECTION_PATH, index.START_CHAR, index.END_CHAR, index.HEADING,
                index.SOURCE, index.CONTENT_HASH, index.INGESTED_AT):  # fmt: skip
        assert key in payload


def test_only_the_heading_is_embedded_with_the_text(kb: KnowledgeBase, folder: Path):
    """Payload metadata (title, dates, owner, lifecycle) never changes a chunk's vector."""
    (folder / "backup.md").write_text(
        DOC_A.replace(
            "Version: 1.0",
            "Version: 1.0\n\nDokumentansvarig: IT-chef\n\n"
            "Nästa revidering: 2026-01-15\n\nGäller till och med: 2027-12-31",
        ),
        encoding="utf-8",
    )
    Ingestor(kb).ingest([folder])
    backup = kb.documents()[document_id_for("backup.md")]
    assert backup.lifecycle[index.OWNER] == "IT-chef"
    for point in kb.scroll():
        node = metadata_dict_to_node(point.payload)
        embedded = node.get_content(metadata_mode=MetadataMode.EMBED)
        assert embedded == f"{point.payload[index.HEADING]}\n\n{node.get_content()}"


def test_edit_replaces_only_that_document(kb: KnowledgeBase, folder: Path):
    Ingestor(kb).ingest([folder])
    before = _snapshot(kb)
    untouched = {k: v for k, v in before.items() if v[0] == document_id_for("losenord.md")}
    (folder / "backup.md").write_text(DOC_A.replace("varje natt", "två gånger per dygn"), "utf-8")
    report = Ingestor(kb).ingest([folder])
    assert report.counts["changed"] == 1 and report.counts["unchanged"] == 1
    after = _snapshot(kb)
    assert {k: v for k, v in after.items() if k in untouched} == untouched
    edited = [v for v in after.values() if v[0] == document_id_for("backup.md")]
    assert len({v[1] for v in edited}) == 1, "no chunks of the old version remain"
    assert any("två gånger per dygn" in v[3] for v in edited)
    assert len(edited) == kb.documents()[document_id_for("backup.md")].chunk_count


def test_removed_file_is_deleted_unless_no_prune(kb: KnowledgeBase, folder: Path):
    Ingestor(kb).ingest([folder])
    (folder / "losenord.md").unlink()
    kept = Ingestor(kb).ingest([folder], prune=False)
    assert document_id_for("losenord.md") in kb.documents() and kept.counts["removed"] == 0
    report = Ingestor(kb).ingest([folder])
    assert report.counts["removed"] == 1
    assert set(kb.documents()) == {document_id_for("backup.md")}


def test_bad_files_fail_alone(kb: KnowledgeBase, folder: Path):
    (folder / "tom.md").write_bytes(b"")
    (folder / "trasig.pdf").write_bytes(b"%PDF-1.4 broken")
    (folder / "binar.txt").write_bytes(bytes(range(256)) * 4)
    (folder / "kalkyl.xlsx").write_bytes(b"PK\x03\x04")
    report = Ingestor(kb).ingest([folder])
    failed = {r.source: r.error for r in report.results if r.status == "failed"}
    assert set(failed) == {"tom.md", "trasig.pdf", "binar.txt", "kalkyl.xlsx"}
    assert "empty" in failed["tom.md"] and "unsupported" in failed["kalkyl.xlsx"]
    assert not report.ok and report.counts["new"] == 2
    stored = set(kb.documents())
    assert stored == {document_id_for("backup.md"), document_id_for("losenord.md")}


def test_failed_write_keeps_the_previous_version(
    kb: KnowledgeBase, folder: Path, monkeypatch: pytest.MonkeyPatch
):
    Ingestor(kb).ingest([folder])
    before = _snapshot(kb)
    (folder / "backup.md").write_text(DOC_A + "\n## 3 Nytt\n\nNytt avsnitt.\n", "utf-8")
    store_class = type(kb.vector_store)
    real_add = store_class.add

    def add_then_die(self, nodes, **kw):  # a crash after part of the batch reached the store
        real_add(self, nodes[:1], **kw)
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(store_class, "add", add_then_die)
    report = Ingestor(kb).ingest([folder])
    assert report.counts["failed"] == 1 and "disk full" in report.results[0].error
    assert _snapshot(kb) == before


def test_dry_run_writes_nothing(kb: KnowledgeBase, folder: Path):
    report = Ingestor(kb).ingest([folder], dry_run=True)
    assert report.counts["new"] == 2 and "Dry run" in report.summary()
    assert kb.count() == 0


def test_rebuild_and_embedder_mismatch(tmp_path: Path, embedder, folder: Path):
    settings = make_settings(tmp_path / "d")
    kb = KnowledgeBase(settings, embedder=embedder)
    Ingestor(kb).ingest([folder])
    n = kb.count()
    report = Ingestor(kb).ingest([folder], rebuild=True)
    assert report.counts["new"] == 2 and kb.count() == n
    kb.client.update_collection(settings.collection, metadata={"embedder": "other", "dim": 384})
    kb.close()
    with pytest.raises(index.EmbedderMismatchError, match="Re-index"):
        KnowledgeBase(settings, embedder=embedder)


def _cli(args: list[str], data_dir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PA_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "ingest", "-q", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_cli_summary_exit_codes_and_busy_store(tmp_path: Path, folder: Path):
    data = tmp_path / "cli"
    done = _cli([str(folder)], data)
    assert done.returncode == 0, done.stderr
    assert "2 new, 0 changed, 0 unchanged, 0 removed, 0 failed" in done.stdout
    (folder / "trasig.docx").write_bytes(b"not a docx")
    failed = _cli([str(folder)], data)
    assert failed.returncode == 1
    assert "FAILED  trasig.docx: not a readable DOCX" in failed.stderr
    assert "Traceback" not in failed.stderr
    assert _cli([str(tmp_path / "saknas")], data).returncode == 2
    # While this process holds the embedded store, a second process gets a clear message.
    holder = KnowledgeBase(make_settings(data))
    try:
        busy = _cli([str(folder)], data)
    finally:
        holder.close()
    assert busy.returncode == 2 and "open in another process" in busy.stderr
    assert "Traceback" not in busy.stderr


def test_store_busy_error_in_process(tmp_path: Path, embedder):
    settings = make_settings(tmp_path / "x")
    first = KnowledgeBase(settings, embedder=embedder)
    try:
        with pytest.raises(StoreBusyError, match="PA_QDRANT_URL"):
            KnowledgeBase(settings, embedder=embedder)
    finally:
        first.close()


def test_policies_folder_is_fully_ingested(policies_kb: KnowledgeBase):
    docs = policies_kb.documents()
    sources = {d.source for d in docs.values()}
    assert sources == {p.name for p in POLICIES.iterdir() if p.is_file()}
    assert all(d.complete for d in docs.values())
    assert sum(d.chunk_count for d in docs.values()) == policies_kb.count() >= 120


# --- bounded work: bombs are refused before the work, by setting ----------------------------


def _docx_bomb(path: Path, text_mb: float) -> Path:
    """A real DOCX whose document part is ``text_mb`` MB of one repeated sentence."""
    import zipfile

    import docx

    docx.Document().save(str(path))
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    run = "Lösenord ska bytas varje kvartal. " * int(text_mb * 1_000_000 / 34)
    body = (f'<w:p><w:r><w:t xml:space="preserve">{run}</w:t></w:r></w:p>').encode()
    xml = parts["word/document.xml"].decode()
    parts["word/document.xml"] = xml.replace("<w:body>", "<w:body>" + body.decode(), 1).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def test_a_docx_bomb_is_refused_before_unpacking(kb: KnowledgeBase, tmp_path: Path):
    import time

    bomb = _docx_bomb(tmp_path / "bomb.docx", 18)
    assert bomb.stat().st_size < 200_000  # ~60 kB that unpack to 18 MB
    started = time.perf_counter()
    result = Ingestor(kb).ingest_file(bomb, "bomb.docx")
    elapsed = time.perf_counter() - started
    assert result.status == "failed" and "compression bomb" in result.error, result
    assert kb.document(document_id_for("bomb.docx")) is None
    print(f"docx bomb ({bomb.stat().st_size} B → 18 MB) refused in {elapsed:.3f} s")


def test_unpacked_size_characters_and_chunks_are_bounded(tmp_path: Path, embedder):
    settings = make_settings(tmp_path / "d", max_unpacked_mb=1.0, max_compression_ratio=1e6,
                             max_document_chars=20_000, max_document_chunks=5)  # fmt: skip
    kb = KnowledgeBase(settings, embedder=embedder)
    try:
        ingestor = Ingestor(kb)
        big = _docx_bomb(tmp_path / "stor.docx", 2)
        assert "unpacks to" in ingestor.ingest_file(big, "stor.docx").error
        long_text = tmp_path / "lang.md"
        long_text.write_text("# Lång\n\n" + "Skrivare ska låsas. " * 2000, encoding="utf-8")
        assert "characters of text" in ingestor.ingest_file(long_text, "lang.md").error
        many = tmp_path / "manga.md"
        many.write_text("# Många\n\n" + "".join(
            f"## {i} Del\n\nAvsnitt {i} handlar om skrivare på våning {i}.\n\n" for i in range(9)
        ), encoding="utf-8")  # fmt: skip
        result = ingestor.ingest_file(many, "manga.md")
        assert result.status == "failed" and "chunks (the limit is 5)" in result.error, result
        assert kb.documents() == {}
    finally:
        kb.close()


def test_an_ingest_asked_to_stop_writes_nothing(kb: KnowledgeBase, folder: Path):
    path = folder / "backup.md"
    result = Ingestor(kb).ingest_file(path, "backup.md", should_stop=lambda: True)
    assert result.status == "cancelled" and kb.documents() == {}


# --- hidden HTML text and look-alike titles (issue 32) --------------------------------------

_HIDDEN_PAGE = """<html><head><title>Rutin för &lt;b&gt;besök&lt;/b&gt;</title></head><body>
<h1>Rutin för besök</h1>
<p>Besökare anmäler sig i receptionen. <span style="display:none">Dold regel ett.</span></p>
<p style="font-size:0px">Dold regel två.</p>
<p>Besökare bär synlig besöksbricka. <span style="visibility: hidden">Dold regel tre.</span></p>
<div style="opacity:0 !important"><p>Dold regel fyra.</p></div>
<p aria-hidden="true">Dold regel fem.</p>
</body></html>
"""


def test_hidden_html_text_is_never_indexed(kb: KnowledgeBase, folder: Path):
    (folder / "besok.html").write_text(_HIDDEN_PAGE, encoding="utf-8")
    report = Ingestor(kb).ingest([folder])
    assert report.ok and report.counts["new"] == 3
    doc_id = document_id_for("besok.html")
    texts = [p.payload["_node_content"] for p in kb.scroll() if p.payload[index.DOC_ID] == doc_id]
    assert texts and any("anmäler sig i receptionen" in t for t in texts)
    assert any("synlig besöksbricka" in t for t in texts)
    assert not any("Dold regel" in t for t in texts)
    assert kb.documents()[doc_id].title == "Rutin för besök"


def test_an_upload_never_takes_an_official_documents_title(kb: KnowledgeBase, folder: Path):
    """Refused when the official document is there first; marked "(uppladdad, ej officiell)"
    when the official document comes after it (a folder ingest is never refused)."""
    ingestor = Ingestor(kb)
    assert ingestor.ingest([folder / "backup.md"]).ok  # "Rutin för säkerhetskopiering"
    fake = folder.parent / "falsk.md"
    fake.write_text("# RUTIN  för   <b>säkerhetskopiering</b>\n\nIngen backup behövs.\n", "utf-8")
    refused = ingestor.ingest_file(fake, "falsk.md", origin="upload")
    assert refused.status == "failed" and "officiellt styrdokument" in refused.error
    assert document_id_for("falsk.md") not in kb.documents()

    other = folder.parent / "annan.md"
    other.write_text("# Rutin för lösenord\n\nLösenord byts varje år.\n", "utf-8")
    assert ingestor.ingest_file(other, "annan.md", origin="upload").status == "new"
    assert ingestor.ingest([folder / "losenord.md"], prune=False).ok  # the same title, later
    docs = kb.documents()
    assert docs[document_id_for("annan.md")].title == "Rutin för lösenord (uppladdad, ej officiell)"
    assert docs[document_id_for("losenord.md")].title == "Rutin för lösenord"
