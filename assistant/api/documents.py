"""GET/POST/DELETE /v1/documents: list, upload (→ ingest), delete."""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, HTTPException, UploadFile

from assistant.api import security
from assistant.api.deps import ComponentsDep, WriteAccess
from assistant.schemas import ApprovalOut, DeletedOut, DocumentOut, FileOutcome
from ingest import trust
from ingest.loaders import SUPPORTED
from ingest.pipeline import Ingestor, document_id_for, file_hash
from ingest.store import KnowledgeBase

router = APIRouter(prefix="/v1/documents", tags=["documents"])
_SAFE = re.compile(r"[^\w.\- ]+", re.UNICODE)
_STAGING = ".staging-"  # + the writing process's pid + "-" + a random suffix
log = logging.getLogger("assistant.api.documents")


@router.get(
    "", response_model=list[DocumentOut], summary="Ingested documents", responses=security.BUSY
)
def list_documents(components: ComponentsDep) -> list[DocumentOut]:
    docs = components.kb.documents().values()
    reviews = trust.document_trust(components.kb)
    return [
        DocumentOut(
            document_id=d.document_id, title=d.title, source=d.source, doc_type=d.doc_type,
            version=d.version, adopted=d.adopted, chunks=d.stored_chunks, origin=d.origin,
            review=reviews.get(d.document_id, (None, []))[0],
            flags=reviews.get(d.document_id, (None, []))[1], ingested_at=d.ingested_at,
        )
        for d in sorted(docs, key=lambda d: d.title.lower())
    ]  # fmt: skip


def _safe_name(name: str | None, limit: int = 150) -> str:
    """A plain file name: path parts joined ("../../etc/x.md" → "etc_x.md", never "x.md"),
    no leading dots, at most ``limit`` characters with the extension kept."""
    parts = [p for p in re.split(r"[\\/]+", name or "") if p not in ("", ".", "..")]
    cleaned = _SAFE.sub("_", "_".join(parts)).strip(" ._")
    if not cleaned:
        raise HTTPException(422, detail="The file has no usable name. / Filen saknar namn.")
    if len(cleaned) > limit:
        suffix = Path(cleaned).suffix if len(Path(cleaned).suffix) <= 16 else ""
        cleaned = cleaned[: limit - len(suffix)].rstrip(" ._") + suffix
    return cleaned


def _refuse_clashes(components: ComponentsDep, names: list[str]) -> None:
    """409 before anything is written: an upload never replaces a folder document or another
    upload whose name maps to the same document id; re-uploading the same name updates it."""
    seen: dict[str, str] = {}
    for name in names:
        doc_id = document_id_for(name)
        if doc_id in seen:
            raise HTTPException(409, detail=f"'{name}' and '{seen[doc_id]}' map to the same "
                                f"document id '{doc_id}'; rename one. / Två filer får samma "
                                "dokument-id; byt namn på en av dem.")  # fmt: skip
        seen[doc_id] = name
        stored = components.kb.document(doc_id)
        if stored is None or (stored.origin == "upload" and stored.source == name):
            continue
        if stored.origin != "upload":
            raise HTTPException(409, detail=f"'{name}' has the name of a policy document from "
                                "the policy folder; an upload never replaces it. / Filen har "
                                "samma namn som ett styrdokument från mappen och ersätter det "
                                "inte; byt namn på filen.")  # fmt: skip
        raise HTTPException(409, detail=f"'{name}' maps to the document id '{doc_id}' of the "
                            f"uploaded '{stored.source}'; rename it or delete that one first. / "
                            "Namnet krockar med ett uppladdat dokument; byt namn på "
                            "filen.")  # fmt: skip


@router.post(
    "",
    response_model=list[FileOutcome],
    dependencies=[WriteAccess],
    summary="Upload files; each is ingested (per-file result)",
    description="Needs the administrator key. Uploads are held as 'ej granskad' (review "
    "'pending', not used in answers) until approved when PA_UPLOADS_REQUIRE_APPROVAL is on. "
    "A name that maps to a folder document or another upload's document id is refused (409) "
    "before anything is written. The request may be as large as the file limit "
    "(PA_MAX_FILE_MB) plus PA_MAX_REQUEST_BYTES.",
    responses={
        409: security.error("The name clashes with a folder document or another upload"),
        **security.ADMIN, **security.TOO_LARGE, **security.INVALID, **security.BUSY,
    },
)  # fmt: skip
def upload(
    components: ComponentsDep,
    files: Annotated[list[UploadFile], File(min_length=1, description="one or more files")],
) -> list[FileOutcome]:
    settings = components.settings
    target = settings.uploads_dir
    target.mkdir(parents=True, exist_ok=True)
    limit = int(settings.max_file_mb * 1_000_000)
    names = [_safe_name(f.filename) for f in files]
    _refuse_clashes(components, names)
    outcomes = []
    for upload_file, name in zip(files, names, strict=True):
        outcomes.append(_ingest_upload(components, upload_file, name, target, limit))
    ids = [o.document_id for o in outcomes if o.document_id]
    reviews = trust.document_trust(components.kb, ids)
    for out in outcomes:
        out.review, out.flags = reviews.get(out.document_id, (None, []))
    return outcomes


def _ingest_upload(
    components: ComponentsDep, upload_file: UploadFile, name: str, target: Path, limit: int
) -> FileOutcome:
    """Stage the upload, ingest it, and keep it in uploads/ only when it was ingested."""
    if Path(name).suffix.lower() not in SUPPORTED:
        error = f"unsupported file type (supported: {', '.join(sorted(SUPPORTED))})"
        return FileOutcome(file=name, document_id="", status="failed", error=error)
    with tempfile.TemporaryDirectory(dir=target, prefix=f"{_STAGING}{os.getpid()}-") as staging:
        staged = Path(staging) / name
        size = 0
        with staged.open("wb") as out:
            while chunk := upload_file.file.read(1 << 20):
                size += len(chunk)
                if size > limit:
                    error = f"the file is too large (limit {limit / 1e6:g} MB)"
                    return FileOutcome(file=name, document_id="", status="failed", error=error)
                out.write(chunk)
        result = components.ingestor.ingest_file(staged, name, origin="upload")
        if result.status != "failed":
            shutil.move(staged, target / name)
    return FileOutcome(file=name, document_id=result.document_id, status=result.status,
                       chunks=result.chunks, error=result.error)  # fmt: skip


@router.post(
    "/{document_id}/approve",
    response_model=ApprovalOut,
    dependencies=[WriteAccess],
    summary="Approve a document for answers (administrator)",
    description="Releases an upload held as 'ej granskad', and passages flagged as "
    "instructions to an assistant, for use in answers.",
    responses={**security.ADMIN, **security.NOT_FOUND, **security.INVALID, **security.BUSY},
)
def approve(document_id: str, components: ComponentsDep) -> ApprovalOut:
    doc = components.kb.document(document_id)
    if doc is None:
        raise HTTPException(404, detail=f"No document '{document_id}'. / Dokumentet finns inte.")
    trust.approve(components.kb, document_id)
    return ApprovalOut(approved=document_id, chunks=len(components.kb.point_ids(document_id)))


@router.delete(
    "/{document_id}",
    response_model=DeletedOut,
    dependencies=[WriteAccess],
    summary="Delete a document",
    responses={**security.ADMIN, **security.NOT_FOUND, **security.INVALID, **security.BUSY},
)
def delete(document_id: str, components: ComponentsDep) -> DeletedOut:
    doc = components.kb.document(document_id)
    if doc is None:
        raise HTTPException(404, detail=f"No document '{document_id}'. / Dokumentet finns inte.")
    if doc.origin == "upload":  # the file first: a crash in between is repaired at start-up
        (components.settings.uploads_dir / doc.source).unlink(missing_ok=True)
    components.kb.delete_document(document_id)
    return DeletedOut(deleted=document_id, chunks=doc.stored_chunks)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stale_staging(target: Path, exclusive: bool) -> list[Path]:
    """Staging folders no running upload owns: all of them when this process holds the store
    exclusively (embedded), else those whose writer's pid is gone."""
    stale = []
    for folder in sorted(target.glob(f"{_STAGING}*")):
        pid = folder.name[len(_STAGING) :].split("-", 1)[0]
        if folder.is_dir() and (exclusive or not pid.isdigit() or not _pid_alive(int(pid))):
            stale.append(folder)
    return stale


def recover_uploads(kb: KnowledgeBase, ingestor: Ingestor, target: Path) -> list[str]:
    """Start-up: make ``uploads/`` and the index agree after a crash (returns what was done).

    The index was already repaired when the store opened (no half-replaced documents). An
    upload committed to the index but killed before its file was moved into place is rolled
    forward from its staging folder; stale staging folders are removed; an uploaded document
    whose file is gone is deleted from the index; one whose file differs is re-ingested.
    """
    if not target.is_dir():
        return []
    done: list[str] = []
    uploads = {d.source: d for d in kb.documents().values() if d.origin == "upload"}
    for folder in _stale_staging(target, exclusive=not kb.server):
        for staged in (p for p in folder.iterdir() if p.is_file()):
            doc = uploads.get(staged.name)
            kept = target / staged.name
            if doc is None or file_hash(staged) != doc.content_hash:
                continue
            if not kept.is_file() or file_hash(kept) != doc.content_hash:
                os.replace(staged, kept)
                done.append(f"kept {staged.name} (its upload was interrupted after indexing)")
        shutil.rmtree(folder, ignore_errors=True)
        done.append(f"removed {folder.name}")
    running = kb.server and any(target.glob(f"{_STAGING}*"))  # another process's upload
    for source, doc in {} if running else uploads.items():
        kept = target / source
        if not kept.is_file():
            kb.delete_document(doc.document_id)
            done.append(f"deleted {doc.document_id} (its file is gone)")
        elif file_hash(kept) != doc.content_hash:
            result = ingestor.ingest_file(kept, source, origin="upload")
            done.append(f"re-ingested {source}: {result.status}")
    for line in done:
        log.warning("uploads recovery: %s", line)
    return done
