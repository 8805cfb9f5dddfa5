"""Uploads through the API: checked names, staged files, ingest as a cancellable job.

A request only checks and stages its files (``Uploads.submit``); one worker thread ingests
them (``Job``), so the work is bounded by the ingest limits, can be cancelled, and a client
that disconnects does not leave work nobody can stop. Start-up makes ``uploads/`` and the
index agree after a crash (``recover_uploads``).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
import threading
import uuid
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, Literal

from assistant.pii import PiiScrubber
from assistant.schemas import FileOutcome, UploadJobOut
from core import review
from core.settings import Settings
from core.store import KnowledgeBase
from ingest import corrections
from ingest.loaders import SUPPORTED
from ingest.pipeline import Ingestor, document_id_for, file_hash

STAGING = ".staging-"  # + the writing process's pid + "-" + a random suffix
KEPT_JOBS = 200  # finished jobs remembered for GET /v1/documents/jobs/{id}
_SAFE = re.compile(r"[^\w.\- ]+", re.UNICODE)
_DEVICE_NAMES = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)),
                           *(f"LPT{i}" for i in range(10))})  # fmt: skip
log = logging.getLogger("assistant.uploads")

JobStatus = Literal["queued", "running", "done", "cancelled"]


class UploadRefused(Exception):
    """The request is refused before anything is written (``status``: the HTTP status)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def safe_name(name: str | None, limit: int = 150) -> str:
    """A plain file name: path parts joined ("../../etc/x.md" → "etc_x.md", never "x.md"),
    no leading dots, no Windows device name ("CON.md" → "CON-fil.md"), at most ``limit``
    characters with the extension kept. A name with no letter or digit is refused (422)."""
    parts = [p for p in re.split(r"[\\/]+", name or "") if p not in ("", ".", "..")]
    cleaned = _SAFE.sub("_", "_".join(parts)).strip(" ._-")
    if not re.search(r"[^\W_]", cleaned):
        raise UploadRefused(422, "The file has no usable name. / Filen saknar ett användbart "
                            "namn (bokstäver eller siffror); byt namn på filen.")  # fmt: skip
    stem, dot, rest = cleaned.partition(".")
    if stem.upper() in _DEVICE_NAMES:
        cleaned = f"{stem}-fil{dot}{rest}"
    if len(cleaned) > limit:
        suffix = Path(cleaned).suffix if len(Path(cleaned).suffix) <= 16 else ""
        cleaned = cleaned[: limit - len(suffix)].rstrip(" ._") + suffix
    return cleaned


@dataclass
class Job:
    """One upload request's files, ingested one after the other by the worker."""

    id: str
    staging: Path
    files: list[FileOutcome]
    staged: dict[int, Path]  # index in ``files`` → staged copy (files refused at once: none)
    status: JobStatus = "queued"
    created_at: str = field(default_factory=lambda: _now())
    finished_at: str | None = None
    cancel: threading.Event = field(default_factory=threading.Event)

    def out(self) -> UploadJobOut:
        return UploadJobOut(
            job_id=self.id, status=self.status, files=[f.model_copy() for f in self.files],
            created_at=self.created_at, finished_at=self.finished_at,
        )  # fmt: skip


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Uploads:
    """Checks, stages and ingests uploads; one job at a time, in submission order."""

    def __init__(
        self, settings: Settings, kb: KnowledgeBase, ingestor: Ingestor, scrubber: PiiScrubber
    ) -> None:
        self.settings = settings
        self.kb = kb
        self.ingestor = ingestor
        self.scrubber = scrubber
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="upload")

    # --- the request -------------------------------------------------------------------

    @staticmethod
    def document_ids(names: list[str | None]) -> list[str]:
        """The document ids the files of these names become."""
        return [document_id_for(safe_name(name)) for name in names]

    def submit(
        self,
        files: list[tuple[str | None, BinaryIO]],
        scope: list[str] | None = None,
        classification: str | None = None,
    ) -> Job:
        """Check every name (raises ``UploadRefused``), stage the files, state who may read
        them (``scope``, ``classification``; None: as before, or shared at the default level),
        queue the job."""
        names = [safe_name(name) for name, _ in files]
        for (given, _), name in zip(files, names, strict=True):
            self._refuse_personal_data(given or "")  # "anna@eksjo.se.md" before "_" for "@"
            self._refuse_personal_data(name)
        self._refuse_clashes(names)
        target = self.settings.uploads_dir
        target.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=target, prefix=f"{STAGING}{os.getpid()}-"))
        job = Job(id=uuid.uuid4().hex, staging=staging, files=[], staged={})
        try:
            for i, (name, (_, stream)) in enumerate(zip(names, files, strict=True)):
                outcome, staged = self._stage(name, stream, staging)
                job.files.append(outcome)
                if staged is not None:
                    job.staged[i] = staged
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        # before the worker can write a chunk: none is ever readable by more than stated
        staged_ids = [job.files[i].document_id for i in job.staged]
        corrections.state_access(self.kb, staged_ids, scope, classification)
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > KEPT_JOBS:
                oldest = next(iter(self._jobs.values()))
                if oldest.status in ("queued", "running"):
                    break
                self._jobs.popitem(last=False)
        self._worker.submit(self._run, job)
        return job

    def _refuse_personal_data(self, name: str) -> None:
        """A file name is listed to everyone and shown in every citation: none with
        personal data ("Utredning Anna Svensson 811218-9876.md")."""
        found = self.scrubber.scrub(name.replace("_", " "))
        if found.redactions:
            raise UploadRefused(
                422,
                f"The file name contains personal data ({found.summary_sv}); rename the file. "
                f"/ Filnamnet innehåller personuppgifter ({found.summary_sv}); byt namn på filen.",
            )

    def _refuse_clashes(self, names: list[str]) -> None:
        """409 before anything is written: an upload never replaces a folder document or another
        upload whose name maps to the same document id; re-uploading the same name updates it."""
        seen: dict[str, str] = {}
        for name in names:
            doc_id = document_id_for(name)
            if doc_id in seen:
                raise UploadRefused(409, f"'{name}' and '{seen[doc_id]}' map to the same "
                                    f"document id '{doc_id}'; rename one. / Två filer får samma "
                                    "dokument-id; byt namn på en av dem.")  # fmt: skip
            seen[doc_id] = name
            stored = self.kb.document(doc_id)
            if stored is None or (stored.origin == "upload" and stored.source == name):
                continue
            if stored.origin != "upload":
                raise UploadRefused(409, f"'{name}' has the name of a policy document from the "
                                    "policy folder; an upload never replaces it. / Filen har "
                                    "samma namn som ett styrdokument från mappen och ersätter "
                                    "det inte; byt namn på filen.")  # fmt: skip
            raise UploadRefused(409, f"'{name}' maps to the document id '{doc_id}' of the "
                                f"uploaded '{stored.source}'; rename it or delete that one "
                                "first. / Namnet krockar med ett uppladdat dokument; byt namn "
                                "på filen.")  # fmt: skip

    def _stage(self, name: str, stream: BinaryIO, staging: Path) -> tuple[FileOutcome, Path | None]:
        """Copy one file into the staging folder within the file limit."""
        doc_id = document_id_for(name)
        if Path(name).suffix.lower() not in SUPPORTED:
            error = f"unsupported file type (supported: {', '.join(sorted(SUPPORTED))})"
            return FileOutcome(file=name, document_id=doc_id, status="failed", error=error), None
        limit = int(self.settings.max_file_mb * 1_000_000)
        staged = staging / name
        size = 0
        with staged.open("wb") as out:
            while chunk := stream.read(1 << 20):
                size += len(chunk)
                if size > limit:
                    out.close()
                    staged.unlink()
                    error = f"the file is too large (limit {limit / 1e6:g} MB)"
                    return (
                        FileOutcome(file=name, document_id=doc_id, status="failed", error=error),
                        None,
                    )
                out.write(chunk)
        return FileOutcome(file=name, document_id=doc_id, status="queued"), staged

    # --- the job -----------------------------------------------------------------------

    def _run(self, job: Job) -> None:
        """Ingest the staged files; keep each in uploads/ only when it was ingested."""
        job.status = "running"
        try:
            for i, staged in job.staged.items():
                outcome = job.files[i]
                if job.cancel.is_set():
                    outcome.status, outcome.error = "cancelled", "the job was cancelled"
                    continue
                outcome.status = "running"
                try:
                    result = self.ingestor.ingest_file(
                        staged, outcome.file, origin="upload", should_stop=job.cancel.is_set
                    )
                    if result.status not in ("failed", "cancelled"):
                        shutil.move(staged, self.settings.uploads_dir / outcome.file)
                except Exception as exc:  # noqa: BLE001 - reported per file, never a trace
                    log.error("upload job %s: %s", job.id, exc.__class__.__name__)
                    outcome.status, outcome.error = "failed", "could not be ingested"
                    continue
                outcome.status, outcome.chunks, outcome.error = (
                    result.status, result.chunks, result.error,
                )  # fmt: skip
            ids = [f.document_id for f in job.files if f.status in ("new", "changed", "unchanged")]
            reviews = review.document_trust(self.kb, ids) if ids else {}
            for outcome in job.files:
                outcome.review, outcome.flags = reviews.get(outcome.document_id, (None, []))
        finally:
            shutil.rmtree(job.staging, ignore_errors=True)
            job.finished_at = _now()
            job.status = "cancelled" if job.cancel.is_set() else "done"

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def cancel(self, job_id: str) -> Job | None:
        """Ask the job to stop: the file being embedded stops at its next batch (nothing of
        it is written), files not started are not ingested; finished files stay."""
        job = self.get(job_id)
        if job is not None and job.status in ("queued", "running"):
            job.cancel.set()
        return job

    def close(self) -> None:
        """Cancel what is left and wait for the worker (staging folders are removed)."""
        with self._lock:
            jobs = list(self._jobs.values())
        for job in jobs:
            job.cancel.set()
        self._worker.shutdown(wait=True, cancel_futures=True)
        for job in jobs:
            shutil.rmtree(job.staging, ignore_errors=True)


# --- start-up ------------------------------------------------------------------------------


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
    for folder in sorted(target.glob(f"{STAGING}*")):
        pid = folder.name[len(STAGING) :].split("-", 1)[0]
        if folder.is_dir() and (exclusive or not pid.isdigit() or not _pid_alive(int(pid))):
            stale.append(folder)
    return stale


def recover_uploads(kb: KnowledgeBase, ingestor: Ingestor, target: Path) -> list[str]:
    """Start-up: make ``uploads/`` and the index agree after a crash (returns what was done).

    The index was already repaired when the store opened (no half-replaced documents). An
    upload committed to the index but killed before its file was moved into place is rolled
    forward from its staging folder; stale staging folders are removed (their queued files
    are lost: upload them again); an uploaded document whose file is gone is deleted from the
    index; one whose file differs is re-ingested.
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
    running = kb.server and any(target.glob(f"{STAGING}*"))  # another process's upload
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
