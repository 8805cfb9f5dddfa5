"""/v1/documents: list, upload (an ingest job), job status and cancel, approve, delete.

Everyone who may ask sees the documents within their reach (organisation scope and
classification, the same conditions as retrieval); a redaktör writes only documents scoped to
their own organisations; an administrator writes any.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, Query, Response, UploadFile
from qdrant_client import models as qm

from assistant.access import Principal
from assistant.api import security
from assistant.api.deps import ComponentsDep, require
from assistant.api.ratelimit import UploadRateLimit
from assistant.components import Components
from assistant.lifecycle import lifecycle_of
from assistant.retrieval import access_conditions
from assistant.schemas import (
    ApprovalOut,
    DeletedOut,
    DocumentOut,
    MetadataCorrection,
    UploadJobOut,
    VersionOut,
)
from assistant.uploads import Job, UploadRefused
from core import index, review
from core.store import DocumentInfo, doc_filter
from ingest import corrections, trust

router = APIRouter(prefix="/v1/documents", tags=["documents"])
Reader = Annotated[Principal, require("ask")]


def _visible(components: Components, user: Principal, document_id: str | None = None) -> Any:
    """The store filter of the documents ``user`` may read (one of them, if given)."""
    must = access_conditions(user, components.settings)
    if document_id is not None:
        must += doc_filter(document_id).must
    return qm.Filter(must=must or None)


def _readable(components: Components, user: Principal, document_id: str) -> DocumentInfo:
    """The document, if ``user`` may read it (else 404: its existence is not revealed)."""
    doc = components.kb.documents(_visible(components, user, document_id)).get(document_id)
    if doc is None:
        raise _no_document(document_id)
    return doc


def _writable(components: Components, user: Principal, document_id: str) -> DocumentInfo:
    doc = _readable(components, user, document_id)
    if not user.writes(doc.scope):
        raise HTTPException(403, detail=security.OUT_OF_SCOPE)
    return doc


def _checked_access(
    components: Components, user: Principal, scope: list[str] | None, classification: str | None
) -> tuple[list[str] | None, str | None]:
    """A stated scope and classification, valid and within what ``user`` may give."""
    s = components.settings
    if scope is not None:
        scope = [] if index.SHARED in scope else sorted(set(scope))
        unknown = set(scope) - set(s.organisations)
        if unknown:
            raise HTTPException(422, detail="Unknown organisation. / Okänd organisation: "
                                + ", ".join(sorted(unknown)))  # fmt: skip
        if not user.writes(scope or [index.SHARED]):
            raise HTTPException(403, detail=security.OUT_OF_SCOPE)
    if classification is not None:
        if classification not in s.classifications:
            levels = ", ".join(s.classifications)
            raise HTTPException(422, detail=f"Unknown classification. / Okänd "
                                f"informationsklass (välj {levels}).")  # fmt: skip
        if classification not in user.classifications:
            raise HTTPException(403, detail=security.FORBIDDEN)
    return scope, classification


@router.get(
    "",
    response_model=list[DocumentOut],
    summary="The documents the user may read",
    responses={**security.AUTH, **security.BUSY},
)
def list_documents(components: ComponentsDep, user: Reader) -> list[DocumentOut]:
    docs = components.kb.documents(_visible(components, user)).values()
    reviews = review.document_trust(components.kb)
    fixed = corrections.load(components.settings.data_dir)
    default = components.settings.default_classification
    return [_document_out(d, reviews, fixed, default)
            for d in sorted(docs, key=lambda d: d.title.lower())]  # fmt: skip


def _document_out(d: DocumentInfo, reviews: dict, fixed: dict, default: str) -> DocumentOut:
    return DocumentOut(
        document_id=d.document_id, title=d.title, source=d.source, doc_type=d.doc_type,
        version=d.version, adopted=d.adopted, lifecycle=lifecycle_of(d.lifecycle, date.today()),
        municipalities=d.municipalities, scope=d.scope,
        classification=d.classification or default,
        corrected=sorted(fixed.get(d.document_id, {})),
        chunks=d.stored_chunks, origin=d.origin,
        review=reviews.get(d.document_id, (None, []))[0],
        flags=reviews.get(d.document_id, (None, []))[1], ingested_at=d.ingested_at,
    )  # fmt: skip


@router.patch(
    "/{document_id}/metadata",
    response_model=DocumentOut,
    summary="Correct a document's metadata (redaktör: own organisation; administrator)",
    description="Title, type, version, adoption, validity, review date, owner, diary number, "
    "the organisations it names, and who may read it (scope, classification) as an "
    "authorised person states them: written into the document's current chunks at once and "
    "applied again at every later ingest (new versions too). `reset` returns fields to what "
    "the document itself says (scope: shared; classification: the default). An upload's "
    "title may not become an official document's, nor an official document's an upload's "
    "(409; compared without markup, case and spacing).",
    responses={
        409: security.error("The title is an official document's (or an upload's)"),
        **security.AUTH, **security.NOT_FOUND, **security.INVALID, **security.BUSY,
    },
)  # fmt: skip
def correct(
    document_id: str,
    body: MetadataCorrection,
    components: ComponentsDep,
    user: Annotated[Principal, require("correct")],
) -> DocumentOut:
    kb, s = components.kb, components.settings
    doc = _writable(components, user, document_id)
    values = body.values()
    scope, _ = _checked_access(components, user, values.get("scope"), values.get("classification"))
    if scope is not None:
        values["scope"] = scope
    if "scope" in body.reset and not user.writes([index.SHARED]):
        raise HTTPException(403, detail=security.OUT_OF_SCOPE)  # reset = shared by all
    own = {"title": doc.title, "doc_type": doc.doc_type, "version": doc.version,
           "adopted": doc.adopted, "municipalities": doc.municipalities, "scope": [],
           "classification": None, **doc.lifecycle}  # fmt: skip
    with kb.write_lock:  # not while a replacement of the document is being written
        _refuse_title_clash(components, doc, _new_title(components, doc, values, body.reset))
        try:
            written = corrections.update(s.data_dir, document_id, values, own, body.reset)
        except ValueError:
            raise HTTPException(422, detail=_EMPTY_TITLE) from None
        kb.set_payload(document_id, corrections.payload(written, s.default_classification))
    components.audit.record_event(user, "correct", document_id, ", ".join(sorted(written)))
    fresh = kb.document(document_id) or doc
    return _document_out(fresh, review.document_trust(kb), corrections.load(s.data_dir),
                         s.default_classification)  # fmt: skip


_EMPTY_TITLE = (
    "The title has no text once its markup is removed. / Titeln saknar text när märkkoden "
    "tagits bort."
)


def _new_title(
    components: Components, doc: DocumentInfo, values: dict[str, Any], reset: list[str]
) -> str | None:
    """The title a correction gives the document (reset: what it says itself); None: kept."""
    if "title" in values:
        return str(values["title"])
    if "title" in reset:
        fixed = corrections.load(components.settings.data_dir).get(doc.document_id, {})
        return fixed["title"].get("extracted") if "title" in fixed else None
    return None


def _refuse_title_clash(components: Components, doc: DocumentInfo, title: str | None) -> None:
    """409 when the title would be shared by an upload and an official document."""
    if title is None:
        return
    upload = doc.origin == trust.UPLOAD
    if trust.same_title(components.kb, title, uploads=not upload, exclude=doc.document_id):
        message = trust.official_title_message if upload else trust.upload_title_message
        raise HTTPException(409, detail=message(title))


@router.get(
    "/{document_id}/versions",
    response_model=list[VersionOut],
    summary="A document's versions, oldest first (the last is current)",
    description="Earlier versions are kept when a document's content changes (up to "
    "PA_KEEP_VERSIONS). They never appear in normal answers; ask with filters.as_of to search "
    "the versions in force on a date.",
    responses={**security.AUTH, **security.NOT_FOUND, **security.BUSY},
)
def versions(document_id: str, components: ComponentsDep, user: Reader) -> list[VersionOut]:
    kb = components.kb
    _readable(components, user, document_id)
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
    dependencies=[UploadRateLimit],
    summary="Upload files; they are ingested as a job (poll GET /v1/documents/jobs/{id})",
    description="Needs a redaktör (their organisations' documents) or an administrator. "
    "`scope` (organisations; 'alla' = shared) and `classification` say who may read the "
    "documents; a redaktör's default is their own organisations, an administrator's shared. "
    "The files are checked and stored at once; one "
    "worker ingests them afterwards, within the ingest limits (DOCX unpacked size and "
    "compression ratio, characters and chunks per document), and the job can be cancelled. "
    "Uploads are held as 'ej granskad' (review 'pending', not used in answers) until approved "
    "when PA_UPLOADS_REQUIRE_APPROVAL is on. A name that maps to a folder document or another "
    "upload's document id is refused (409), and a name with personal data (422), before "
    "anything is written. The request may be as large as the file limit (PA_MAX_FILE_MB) plus "
    "PA_MAX_REQUEST_BYTES.",
    responses={
        409: security.error("The name clashes with a folder document or another upload"),
        **security.AUTH, **security.TOO_LARGE, **security.INVALID, **security.BUSY,
        **security.RATE_LIMITED,
    },
)  # fmt: skip
def upload(
    components: ComponentsDep,
    response: Response,
    user: Annotated[Principal, require("upload")],
    files: Annotated[list[UploadFile], File(min_length=1, description="one or more files")],
    scope: Annotated[list[str] | None, Form(max_length=20)] = None,
    classification: Annotated[str | None, Form(max_length=40)] = None,
) -> UploadJobOut:
    if scope is None and not user.every_organisation:
        scope = list(user.organisations)
    scope, classification = _checked_access(components, user, scope, classification)
    try:
        for doc_id in components.uploads.document_ids([f.filename for f in files]):
            stored = components.kb.document(doc_id)  # re-uploading replaces it: may they?
            if stored is not None and not (
                user.writes(stored.scope) and user.sees(stored.scope, stored.classification,
                                                        components.settings)
            ):  # fmt: skip
                raise HTTPException(403, detail=security.OUT_OF_SCOPE)
        job = components.uploads.submit(
            [(f.filename, f.file) for f in files], scope, classification
        )
    except UploadRefused as exc:
        raise HTTPException(exc.status, detail=exc.detail) from None
    for f in job.files:
        components.audit.record_event(user, "upload", f.document_id, f.file)
    response.headers["Location"] = f"/v1/documents/jobs/{job.id}"
    return job.out()


@router.get(
    "/jobs/{job_id}",
    response_model=UploadJobOut,
    summary="An upload job's status and its files' outcomes",
    responses={**_JOB_NOT_FOUND, **security.AUTH, **security.INVALID},
)
def job_status(job_id: str, components: ComponentsDep, _: Reader) -> UploadJobOut:
    """The job id (random, 128 bits) is known only to whoever uploaded."""
    return _job_out(components.uploads.get(job_id))


@router.post(
    "/jobs/{job_id}/cancel",
    response_model=UploadJobOut,
    dependencies=[require("upload")],
    summary="Cancel an upload job (redaktör, administrator)",
    description="The file being ingested stops at its next embedding batch and nothing of it "
    "is stored; files not yet started are not ingested; files already done stay. Poll the job "
    "until its status is 'cancelled'.",
    responses={**_JOB_NOT_FOUND, **security.AUTH, **security.INVALID},
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
    summary="Approve a document for answers (redaktör: own organisation; administrator)",
    description="Releases an upload held as 'ej granskad', and passages flagged as "
    "instructions to an assistant, for use in answers. A document with such passages needs "
    "`confirm_instructions=true` as a second confirmation (409 without it).",
    responses={
        409: security.error("The document has text like instructions to an assistant: "
                            "confirm with confirm_instructions=true"),
        **security.AUTH, **security.NOT_FOUND, **security.INVALID, **security.BUSY,
    },
)  # fmt: skip
def approve(
    document_id: str,
    components: ComponentsDep,
    user: Annotated[Principal, require("approve")],
    confirm_instructions: Annotated[
        bool, Query(description="the second confirmation for a document flagged 'instructions'")
    ] = False,
) -> ApprovalOut:
    _writable(components, user, document_id)
    _, flags = review.document_trust(components.kb, [document_id]).get(document_id, (None, []))
    if review.INSTRUCTIONS in flags and not confirm_instructions:
        raise HTTPException(409, detail=CONFIRM_INSTRUCTIONS)
    review.approve(components.kb, document_id)
    components.audit.record_event(user, "approve", document_id)
    return ApprovalOut(approved=document_id, chunks=len(components.kb.point_ids(document_id)))


CONFIRM_INSTRUCTIONS = (
    "The document has passages that read like instructions to an assistant; read them and "
    "confirm the approval (confirm_instructions=true). / Dokumentet har avsnitt som liknar "
    "instruktioner till en assistent; läs dem och bekräfta godkännandet en gång till."
)


@router.delete(
    "/{document_id}",
    response_model=DeletedOut,
    summary="Delete a document (administrator)",
    responses={**security.AUTH, **security.NOT_FOUND, **security.INVALID, **security.BUSY},
)
def delete(
    document_id: str, components: ComponentsDep, user: Annotated[Principal, require("delete")]
) -> DeletedOut:
    doc = _writable(components, user, document_id)
    if doc.origin == "upload":  # the file first: a crash in between is repaired at start-up
        (components.settings.uploads_dir / doc.source).unlink(missing_ok=True)
    components.kb.delete_document(document_id)
    corrections.forget(components.settings.data_dir, document_id)
    components.audit.record_event(user, "delete", document_id, doc.title)
    return DeletedOut(deleted=document_id, chunks=doc.stored_chunks)
