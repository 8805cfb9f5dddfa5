"""/v1/documents: list, upload (an ingest job), job status and cancel, approve, delete."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, File, HTTPException, Response, UploadFile

from assistant.api import security
from assistant.api.deps import ComponentsDep, WriteAccess
from assistant.api.ratelimit import UploadRateLimit
from assistant.lifecycle import lifecycle_of
from assistant.schemas import (
    ApprovalOut,
    DeletedOut,
    DocumentOut,
    MetadataCorrection,
    UploadJobOut,
    VersionOut,
)
from assistant.uploads import Job, UploadRefused
from ingest import corrections, trust
from ingest.store import DocumentInfo

router = APIRouter(prefix="/v1/documents", tags=["documents"])


@router.get(
    "", response_model=list[DocumentOut], summary="Ingested documents", responses=security.BUSY
)
def list_documents(components: ComponentsDep) -> list[DocumentOut]:
    docs = components.kb.documents().values()
    reviews = trust.document_trust(components.kb)
    fixed = corrections.load(components.settings.data_dir)
    return [_document_out(d, reviews, fixed) for d in sorted(docs, key=lambda d: d.title.lower())]


def _document_out(d: DocumentInfo, reviews: dict, fixed: dict) -> DocumentOut:
    return DocumentOut(
        document_id=d.document_id, title=d.title, source=d.source, doc_type=d.doc_type,
        version=d.version, adopted=d.adopted, lifecycle=lifecycle_of(d.lifecycle, date.today()),
        municipalities=d.municipalities, corrected=sorted(fixed.get(d.document_id, {})),
        chunks=d.stored_chunks, origin=d.origin,
        review=reviews.get(d.document_id, (None, []))[0],
        flags=reviews.get(d.document_id, (None, []))[1], ingested_at=d.ingested_at,
    )  # fmt: skip


@router.patch(
    "/{document_id}/metadata",
    response_model=DocumentOut,
    dependencies=[WriteAccess],
    summary="Correct a document's metadata (administrator)",
    description="Title, type, version, adoption, validity, review date, owner, diary number "
    "and organisations as the administrator states them: written into the document's "
    "current chunks at once and applied again at every later ingest (new versions too). "
    "`reset` returns fields to what the document itself says.",
    responses={**security.ADMIN, **security.NOT_FOUND, **security.INVALID, **security.BUSY},
)
def correct(document_id: str, body: MetadataCorrection, components: ComponentsDep) -> DocumentOut:
    kb, data_dir = components.kb, components.settings.data_dir
    doc = kb.document(document_id)
    if doc is None:
        raise _no_document(document_id)
    values = body.values()
    own = {"title": doc.title, "doc_type": doc.doc_type, "version": doc.version,
           "adopted": doc.adopted, "municipalities": doc.municipalities,
           **doc.lifecycle}  # fmt: skip
    with kb.write_lock:  # not while a replacement of the document is being written
        written = corrections.update(data_dir, document_id, values, own, body.reset)
        kb.set_payload(document_id, corrections.payload(written))
    fresh = kb.document(document_id) or doc
    return _document_out(fresh, trust.document_trust(kb), corrections.load(data_dir))


@router.get(
    "/{document_id}/versions",
    response_model=list[VersionOut],
    summary="A document's versions, oldest first (the last is current)",
    description="Earlier versions are kept when a document's content changes (up to "
    "PA_KEEP_VERSIONS). They never appear in normal answers; ask with filters.as_of to search "
    "the versions in force on a date.",
    responses={**security.NOT_FOUND, **security.BUSY},
)
def versions(document_id: str, components: ComponentsDep) -> list[VersionOut]:
    kb = components.kb
    today = date.today()
    out = []
    for v in kb.versions(document_id):
        info = kb.version_info(document_id, v.generation)
        if info is None:  # dropped between the two reads
            continue
        out.append(VersionOut(
            generation=v.generation, current=v.applies_until is None,
            applies_from=v.applies_from, applies_until=v.applies_until, title=info.title,
            version=info.version, adopted=info.adopted,
            lifecycle=lifecycle_of(info.lifecycle, today), content_hash=info.content_hash,
            chunks=info.stored_chunks, ingested_at=info.ingested_at,
        ))  # fmt: skip
    if not out:
        raise _no_document(document_id)
    return out


def _no_document(document_id: str) -> HTTPException:
    return HTTPException(404, detail=f"No document '{document_id}'. / Dokumentet finns inte.")


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
        raise _no_document(document_id)
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
        raise _no_document(document_id)
    if doc.origin == "upload":  # the file first: a crash in between is repaired at start-up
        (components.settings.uploads_dir / doc.source).unlink(missing_ok=True)
    components.kb.delete_document(document_id)
    corrections.forget(components.settings.data_dir, document_id)
    return DeletedOut(deleted=document_id, chunks=doc.stored_chunks)
