"""/v1/documents: list, upload (an ingest job), job status and cancel, approve, delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, HTTPException, Response, UploadFile

from assistant.api import security
from assistant.api.deps import ComponentsDep, WriteAccess
from assistant.api.ratelimit import UploadRateLimit
from assistant.schemas import ApprovalOut, DeletedOut, DocumentOut, UploadJobOut
from assistant.uploads import Job, UploadRefused
from ingest import trust

router = APIRouter(prefix="/v1/documents", tags=["documents"])


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


_JOB_NOT_FOUND = {404: security.error("No such upload job (jobs are kept in memory)")}


@router.post(
    "",
    response_model=UploadJobOut,
    status_code=202,
    dependencies=[UploadRateLimit, WriteAccess],
    summary="Upload files; they are ingested as a job (poll GET /v1/documents/jobs/{id})",
    description="Needs the administrator key. The files are checked and stored at once; one "
    "worker ingests them afterwards, within the ingest limits (DOCX unpacked size and "
    "compression ratio, characters and chunks per document), and the job can be cancelled. "
    "Uploads are held as 'ej granskad' (review 'pending', not used in answers) until approved "
    "when PA_UPLOADS_REQUIRE_APPROVAL is on. A name that maps to a folder document or another "
    "upload's document id is refused (409), and a name with personal data (422), before "
    "anything is written. The request may be as large as the file limit (PA_MAX_FILE_MB) plus "
    "PA_MAX_REQUEST_BYTES.",
    responses={
        409: security.error("The name clashes with a folder document or another upload"),
        **security.ADMIN, **security.TOO_LARGE, **security.INVALID, **security.BUSY,
        **security.RATE_LIMITED,
    },
)  # fmt: skip
def upload(
    components: ComponentsDep,
    response: Response,
    files: Annotated[list[UploadFile], File(min_length=1, description="one or more files")],
) -> UploadJobOut:
    try:
        job = components.uploads.submit([(f.filename, f.file) for f in files])
    except UploadRefused as exc:
        raise HTTPException(exc.status, detail=exc.detail) from None
    response.headers["Location"] = f"/v1/documents/jobs/{job.id}"
    return job.out()


@router.get(
    "/jobs/{job_id}",
    response_model=UploadJobOut,
    summary="An upload job's status and its files' outcomes",
    responses={**_JOB_NOT_FOUND, **security.INVALID},
)
def job_status(job_id: str, components: ComponentsDep) -> UploadJobOut:
    return _job_out(components.uploads.get(job_id))


@router.post(
    "/jobs/{job_id}/cancel",
    response_model=UploadJobOut,
    dependencies=[WriteAccess],
    summary="Cancel an upload job (administrator)",
    description="The file being ingested stops at its next embedding batch and nothing of it "
    "is stored; files not yet started are not ingested; files already done stay. Poll the job "
    "until its status is 'cancelled'.",
    responses={**_JOB_NOT_FOUND, **security.ADMIN, **security.INVALID},
)
def cancel_job(job_id: str, components: ComponentsDep) -> UploadJobOut:
    return _job_out(components.uploads.cancel(job_id))


def _job_out(job: Job | None) -> UploadJobOut:
    if job is None:
        raise HTTPException(404, detail="No such upload job. / Uppladdningsjobbet finns inte.")
    return job.out()


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
