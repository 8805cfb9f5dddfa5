"""GET/POST/DELETE /v1/documents: list, upload (→ ingest), delete."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, HTTPException, UploadFile

from assistant.api.deps import ComponentsDep, WriteAccess
from assistant.schemas import DocumentOut, FileOutcome
from ingest.loaders import SUPPORTED

router = APIRouter(prefix="/v1/documents", tags=["documents"])
_SAFE = re.compile(r"[^\w.\- ]+", re.UNICODE)


@router.get("", response_model=list[DocumentOut], summary="Ingested documents")
def list_documents(components: ComponentsDep) -> list[DocumentOut]:
    docs = components.kb.documents().values()
    return [
        DocumentOut(
            document_id=d.document_id, title=d.title, source=d.source, doc_type=d.doc_type,
            version=d.version, adopted=d.adopted, chunks=d.stored_chunks, origin=d.origin,
            ingested_at=d.ingested_at,
        )
        for d in sorted(docs, key=lambda d: d.title.lower())
    ]  # fmt: skip


def _safe_name(name: str | None) -> str:
    base = Path(name or "").name
    cleaned = _SAFE.sub("_", base).strip(" .")
    if not cleaned:
        raise HTTPException(422, detail="The file has no usable name. / Filen saknar namn.")
    return cleaned[:150]


@router.post(
    "",
    response_model=list[FileOutcome],
    dependencies=[WriteAccess],
    summary="Upload files; each is ingested (per-file result)",
)
def upload(
    components: ComponentsDep, files: Annotated[list[UploadFile], File(...)]
) -> list[FileOutcome]:
    settings = components.settings
    target = settings.uploads_dir
    target.mkdir(parents=True, exist_ok=True)
    limit = int(settings.max_file_mb * 1_000_000)
    outcomes = []
    for upload_file in files:
        name = _safe_name(upload_file.filename)
        outcomes.append(_ingest_upload(components, upload_file, name, target, limit))
    return outcomes


def _ingest_upload(
    components: ComponentsDep, upload_file: UploadFile, name: str, target: Path, limit: int
) -> FileOutcome:
    """Stage the upload, ingest it, and keep it in uploads/ only when it was ingested."""
    if Path(name).suffix.lower() not in SUPPORTED:
        error = f"unsupported file type (supported: {', '.join(sorted(SUPPORTED))})"
        return FileOutcome(file=name, document_id="", status="failed", error=error)
    with tempfile.TemporaryDirectory(dir=target, prefix=".staging-") as staging:
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


@router.delete("/{document_id}", dependencies=[WriteAccess], summary="Delete a document")
def delete(document_id: str, components: ComponentsDep) -> dict:
    doc = components.kb.document(document_id)
    if doc is None:
        raise HTTPException(404, detail=f"No document '{document_id}'. / Dokumentet finns inte.")
    components.kb.delete_document(document_id)
    if doc.origin == "upload":
        (components.settings.uploads_dir / doc.source).unlink(missing_ok=True)
    return {"deleted": document_id, "chunks": doc.stored_chunks}
