"""A small, typed HTTP client for the assistant's API (httpx only; no project imports).

Every failure becomes an :class:`ApiError` whose ``message`` is a Swedish sentence that the
interface can show as it is, so no page ever has to show a traceback.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal, NotRequired, TypedDict
from urllib.parse import quote

import httpx
from httpx_sse import EventSource

DEFAULT_URL = "http://127.0.0.1:8000"
Context = Literal[
    "ask",
    "documents",
    "upload",
    "delete",
    "feedback",
    "status",
    "correct",
    "me",
    "audit",
    "glossary",
]
Band = Literal["answered", "uncertain", "refused"]
BANDS: tuple[Band, ...] = ("answered", "uncertain", "refused")


class Redaction(TypedDict):
    type: str
    count: int


class Sentence(TypedDict):
    """One statement; ``document_label`` ("Enligt … (7.4)") when several documents are quoted."""

    text: str
    citations: list[int]
    document_label: str | None
    supported: bool
    score: float
    quote_citation: int | None
    quote_start: int | None
    quote_end: int | None


class Lifecycle(TypedDict):
    """What a document states about its validity; ``status_sv`` as the UI shows it."""

    adopted_by: str | None
    decision_ref: str | None
    valid_from: str | None
    valid_to: str | None
    review_by: str | None
    owner: str | None
    diary_no: str | None
    status: str  # current, review_soon, review_overdue, expired, unstated
    status_sv: str


class Notice(TypedDict):
    """A warning about a cited document (expired, overdue for review, an earlier version, a
    conflict with another document), in Swedish."""

    document_id: str
    kind: str
    message: str


class ConflictSide(TypedDict):
    n: int
    document_id: str
    title: str
    adopted: str | None
    text: str
    value: str


class Conflict(TypedDict):
    """Two current documents state the same rule with different values."""

    kind: str  # quantity, permission
    sides: list[ConflictSide]
    message: str


class Citation(TypedDict):
    n: int
    chunk_id: str
    document_id: str
    title: str
    source: str
    doc_type: str | None
    version: str | None
    adopted: str | None
    lifecycle: NotRequired[Lifecycle]
    superseded_on: NotRequired[str | None]  # an earlier version: when a newer one took over
    municipalities: NotRequired[list[str]]  # the organisations it applies to ([] = not stated)
    section: str
    page: int | None
    page_end: int | None
    quote: str
    start: int
    end: int
    doc_start: int | None
    doc_end: int | None
    score: float
    dense_score: float | None
    cited: bool
    origin: NotRequired[str]  # "folder" (administrator), "upload" or "law"
    text: str


class RelatedSource(TypedDict):
    """A law unit (GDPR article, SFS paragraf) that cited passages refer to."""

    ref: str
    cited_by: list[int]
    chunk_id: str
    document_id: str
    title: str
    source: str
    act: str | None
    section: str
    text: str


class Interpretation(TypedDict):
    """A word of the question read as the documents' concept (the glossary)."""

    word: str
    concept: str


class GlossaryEntry(TypedDict):
    """One entry of the organisation's glossary: the documents' concept, the words people
    use for it (lower case; a trailing * allows any ending) and where the documents use it."""

    concept: str
    words: list[str]
    note: NotRequired[str]


class Glossary(TypedDict):
    version: NotRequired[int]
    language: NotRequired[str]
    entries: list[GlossaryEntry]


class Answer(TypedDict):
    """``band``: answered, uncertain (closest passages, never an answer) or refused."""

    id: str
    answer: str
    band: Band
    refused: bool
    mode: str
    sentences: list[Sentence]
    citations: list[Citation]
    redacted_query: str
    standalone_query: str
    interpreted_as: NotRequired[list[Interpretation]]
    redactions: list[Redaction]
    timings_ms: dict[str, float]
    retrieval: NotRequired[dict[str, Any]]
    answerability: dict[str, float]
    related: list[RelatedSource]
    notices: NotRequired[list[Notice]]
    conflicts: NotRequired[list[Conflict]]


class Document(TypedDict):
    document_id: str
    title: str
    source: str
    doc_type: str
    version: str | None
    adopted: str | None
    lifecycle: NotRequired[Lifecycle]
    municipalities: NotRequired[list[str]]
    scope: NotRequired[list[str]]  # organisations whose users may read it; [] = shared
    classification: NotRequired[str]  # öppen, intern, begränsad
    corrected: NotRequired[list[str]]  # fields an administrator corrected
    chunks: int
    origin: str
    review: NotRequired[str | None]  # "pending" = ej granskad (not used in answers)
    flags: NotRequired[list[str]]  # "citation_markers", "instructions"
    ingested_at: str | None


class Me(TypedDict):
    """``GET /v1/me``: who the API takes the caller to be."""

    sign_in: bool
    signed_in: bool
    user: str  # pseudonymous id
    role: str
    roles: list[str]
    organisations: list[str]
    every_organisation: bool
    classifications: list[str]
    permissions: list[str]  # ask, review, upload, correct, approve, delete, export


class Version(TypedDict):
    """One version of a document (``GET /v1/documents/{id}/versions``), oldest first."""

    generation: int
    current: bool
    applies_from: str | None
    applies_until: str | None
    title: str
    version: str | None
    adopted: str | None
    lifecycle: NotRequired[Lifecycle]
    content_hash: str
    chunks: int
    ingested_at: str | None


class FileOutcome(TypedDict):
    file: str
    document_id: str
    status: str
    chunks: int
    error: str | None
    review: str | None  # "pending" = waits for approval
    flags: list[str]


class UploadJob(TypedDict):
    job_id: str
    status: str  # queued, running, done, cancelled
    files: list[FileOutcome]
    created_at: str
    finished_at: str | None


class AuditFeedback(TypedDict):
    ts: str
    rating: str
    comment: str  # scrubbed


class AuditAnswer(TypedDict):
    """One answer of the audit trail: redacted text and pseudonyms only."""

    id: str
    ts: str
    user: str  # pseudonymous id
    role: str
    organisations: list[str]
    redacted_query: str
    standalone_query: str
    answer: str
    refused: bool
    mode: str
    citations: list[dict[str, Any]]
    feedback: list[AuditFeedback]


class Turn(TypedDict):
    role: Literal["user", "assistant"]
    content: str


@dataclass(frozen=True)
class StreamEvent:
    """One Server-Sent Event: ``meta`` (dict), ``token`` (str) or ``done`` (:class:`Answer`)."""

    kind: Literal["meta", "token", "done"]
    data: Any


class ApiError(Exception):
    """A failed call; ``message`` is Swedish and meant for the user."""

    def __init__(self, kind: str, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.kind, self.message, self.status = kind, message, status


UNREACHABLE = (
    "Policyassistentens tjänst går inte att nå just nu. Kontrollera att den är startad och "
    "försök igen om en stund."
)
TIMEOUT = "Tjänsten svarade inte i tid. Försök igen om en stund."
UNAUTHORIZED = (
    "Åtgärden kräver en API-nyckel. Be administratören att ange PA_API_KEY för gränssnittet."
)
UNKNOWN_HOST = (
    "Tjänsten svarar inte under det namn gränssnittet använder. Be administratören lägga till "
    "värdnamnet i PA_API_URL i tjänstens PA_ALLOWED_HOSTS."
)
SIGNED_OUT = "Din inloggning har gått ut eller gäller inte längre. Logga ut och logga in igen."
FORBIDDEN = "Din roll får inte göra detta."
INTERRUPTED = "Svaret avbröts innan det var klart. Försök igen."
NO_ANSWER = (
    "Tjänsten avslutade svaret utan innehåll. Kontrollera att frågan inte är för lång "
    "(högst 2 000 tecken) och försök igen."
)
_TOO_LARGE = {
    "ask": "Frågan är för stor för att skickas. Korta ner den och försök igen.",
    "upload": "Filerna är för stora för att laddas upp. Ladda upp färre eller mindre filer.",
}
_INVALID = {
    "ask": "Frågan kunde inte tas emot. Kontrollera att den inte är tom eller för lång "
    "(högst 2 000 tecken).",
    "feedback": "Bedömningen kunde inte tas emot. Kontrollera kommentaren (högst 4 000 tecken).",
    "correct": "Rättelsen kunde inte sparas. Datum skrivs ÅÅÅÅ-MM-DD och varje fält får vara "
    "högst 200 tecken.",
    "glossary": "Ordlistan kunde inte sparas. Varje begrepp behöver 2–80 tecken och minst ett "
    "ord (2–60 tecken, * bara sist).",
}
_NOT_FOUND = {
    "feedback": "Svaret finns inte längre hos tjänsten (det kan ha gallrats). Ställ frågan igen "
    "för att kunna lämna en bedömning.",
    "delete": "Dokumentet finns inte längre.",
}
_RATE_LIMITED = {
    "ask": "Du har ställt många frågor på kort tid. Vänta en stund och försök igen.",
    "upload": "Många uppladdningar på kort tid. Vänta en stund och försök igen.",
}
_UNAVAILABLE = "Tjänsten kan inte svara just nu (språkmodellen eller kunskapsbasen svarar inte)."


def swedish_part(detail: object) -> str:
    """The Swedish half of a bilingual API message ("English / Svenska" or the reverse)."""
    if not isinstance(detail, str) or not detail.strip():
        return ""
    parts = [p.strip() for p in detail.split(" / ") if p.strip()]
    return max(reversed(parts), key=lambda p: sum(ch in "åäöÅÄÖ" for ch in p), default="")


def error_for_status(status: int, detail: object, context: Context) -> ApiError:
    """The Swedish error for an HTTP error status in a given kind of call."""
    sv = swedish_part(detail)
    if status == 502:  # a gateway in front of the API could not reach it
        return ApiError("unreachable", UNREACHABLE, status)
    if status == 504:
        return ApiError("timeout", TIMEOUT, status)
    if status == 400 and "värdnamn" in sv.lower():  # PA_API_URL's host not in PA_ALLOWED_HOSTS
        return ApiError("misconfigured", UNKNOWN_HOST, status)
    if status == 401 and "logga in" in sv.lower():  # a token: expired, invalid, none
        return ApiError("signed_out", SIGNED_OUT, status)
    if status == 403 and sv and "nyckel" not in sv.lower():  # a role or organisation refusal
        return ApiError("forbidden", sv, status)
    if status in (401, 403):
        return ApiError("unauthorized", UNAUTHORIZED, status)
    if status == 413:
        return ApiError("too_large", _TOO_LARGE.get(context, _TOO_LARGE["upload"]), status)
    if status == 422:
        base = _INVALID.get(context, "Begäran kunde inte tas emot av tjänsten.")
        return ApiError("invalid", f"{base} ({sv})" if sv else base, status)
    if status == 409:
        return ApiError("conflict", sv or "Det finns redan ett dokument med det namnet.", status)
    if status == 404:
        return ApiError(
            "not_found", _NOT_FOUND.get(context, "Det efterfrågade finns inte."), status
        )
    if status == 429:
        base = _RATE_LIMITED.get(context, "För många begäranden på kort tid. Försök igen snart.")
        return ApiError("rate_limited", base, status)
    if status == 503:
        return ApiError("unavailable", f"{_UNAVAILABLE} {sv}".strip(), status)
    return ApiError(
        "server", f"Ett oväntat fel uppstod i tjänsten (HTTP {status}). Försök igen.", status
    )


def normalize_answer(data: Any) -> Answer:
    """The answer with the fields older API versions did not send (band from ``refused``)."""
    if not isinstance(data, dict):
        raise ApiError("server", "Tjänsten gav ett oväntat svar.")
    if data.get("band") not in BANDS:
        data["band"] = "refused" if data.get("refused") else "answered"
    data.setdefault("answerability", {})
    data.setdefault("related", [])
    for sentence in data.get("sentences") or []:
        sentence.setdefault("document_label", None)
    for citation in data.get("citations") or []:
        citation.setdefault("doc_start", None)
        citation.setdefault("doc_end", None)
    return data  # type: ignore[return-value]


def _detail(response: httpx.Response) -> object:
    try:
        return response.json().get("detail")
    except (ValueError, AttributeError):
        return None


class ApiClient:
    """The API at ``base_url``; ``token`` (the signed-in user's ID token) is sent as a bearer
    token on every call, else ``api_key`` as ``X-API-Key`` on write calls."""

    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float = 120.0,
        connect_timeout: float = 5.0,
        token: str | None = None,
    ) -> None:
        self.base_url = (base_url or DEFAULT_URL).rstrip("/")
        self.api_key = api_key or None
        self.token = token or None
        self.timeout = httpx.Timeout(timeout, connect=connect_timeout)

    @classmethod
    def from_env(cls) -> ApiClient:
        """Configured by ``PA_API_URL`` and ``PA_API_KEY``."""
        return cls(os.environ.get("PA_API_URL") or DEFAULT_URL, os.environ.get("PA_API_KEY"))

    def _headers(self, write: bool) -> dict[str, str]:
        if self.token:
            return {"Authorization": f"Bearer {self.token}"}
        return {"X-API-Key": self.api_key} if write and self.api_key else {}

    def _request(self, method: str, path: str, context: Context, **kwargs: Any) -> Any:
        write = method != "GET"
        try:
            with httpx.Client(timeout=self.timeout, headers=self._headers(write)) as http:
                response = http.request(method, self.base_url + path, **kwargs)
        except httpx.TimeoutException:
            raise ApiError("timeout", TIMEOUT) from None
        except httpx.HTTPError:
            raise ApiError("unreachable", UNREACHABLE) from None
        if response.status_code >= 400:
            raise error_for_status(response.status_code, _detail(response), context)
        try:
            return response.json()
        except ValueError:
            raise ApiError(
                "server", "Tjänsten gav ett oväntat svar.", response.status_code
            ) from None

    # --- reading ------------------------------------------------------------------------

    def me(self) -> Me:
        """Who the API takes this client to be: role, organisations, permissions."""
        return self._request("GET", "/v1/me", "me")

    def audit_answers(self, limit: int = 50) -> list[AuditAnswer]:
        """The latest answers of the audit trail the user may review (jurist: users of their
        organisations), newest first: redacted text and pseudonyms only."""
        return self._request("GET", "/v1/audit/answers", "audit", params={"limit": limit})

    def ready(self) -> dict[str, Any]:
        """``GET /readyz``: ``{"ready": bool, "answer_mode": …, "chunks": …}``."""
        try:
            return self._request("GET", "/readyz", "status")
        except ApiError as exc:
            if exc.status == 503:
                return {"ready": False, "answer_mode": None}
            raise

    def documents(self) -> list[Document]:
        return self._request("GET", "/v1/documents", "documents")

    # --- asking -------------------------------------------------------------------------

    @staticmethod
    def _ask_body(
        question: str,
        history: list[Turn] | None,
        document_ids: list[str] | None,
        doc_types: list[str] | None,
        top_k: int | None,
        as_of: str | None = None,
        municipality: str | None = None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"question": question, "history": list(history or [])}
        if document_ids or doc_types or as_of or municipality:
            body["filters"] = {"document_ids": document_ids or [], "doc_types": doc_types or []}
            if as_of:
                body["filters"]["as_of"] = as_of
            if municipality:
                body["filters"]["municipality"] = municipality
        if top_k:
            body["top_k"] = top_k
        return body

    def ask(
        self,
        question: str,
        history: list[Turn] | None = None,
        document_ids: list[str] | None = None,
        doc_types: list[str] | None = None,
        top_k: int | None = None,
        as_of: str | None = None,
        municipality: str | None = None,
    ) -> Answer:
        """``as_of`` (ISO date): answer from each document's version in force that day;
        ``municipality``: only its documents and those that name no organisation."""
        body = self._ask_body(question, history, document_ids, doc_types, top_k, as_of,
                              municipality)  # fmt: skip
        return normalize_answer(self._request("POST", "/v1/ask", "ask", json=body))

    def ask_stream(
        self,
        question: str,
        history: list[Turn] | None = None,
        document_ids: list[str] | None = None,
        doc_types: list[str] | None = None,
        top_k: int | None = None,
        as_of: str | None = None,
        municipality: str | None = None,
    ) -> Iterator[StreamEvent]:
        """``meta``, ``token``… then ``done``; raises :class:`ApiError` on any failure."""
        body = self._ask_body(question, history, document_ids, doc_types, top_k, as_of,
                              municipality)  # fmt: skip
        started = False
        try:
            with (
                httpx.Client(timeout=self.timeout, headers=self._headers(False)) as http,
                http.stream("POST", f"{self.base_url}/v1/ask/stream", json=body) as response,
            ):
                if response.status_code >= 400:
                    response.read()
                    raise error_for_status(response.status_code, _detail(response), "ask")
                for sse in EventSource(response).iter_sse():
                    event, payload = sse.event, json.loads(sse.data)
                    if event == "error":
                        detail = payload.get("detail") if isinstance(payload, dict) else None
                        raise error_for_status(503, detail, "ask")
                    if event == "done":
                        payload = normalize_answer(payload)
                    if event in ("meta", "token", "done"):
                        started = True
                        yield StreamEvent(event, payload)
                        if event == "done":
                            return
        except httpx.TimeoutException:
            raise ApiError("timeout", TIMEOUT) from None
        except httpx.HTTPError:
            if started:
                raise ApiError("interrupted", INTERRUPTED) from None
            raise ApiError("unreachable", UNREACHABLE) from None
        except ValueError:
            raise ApiError("server", "Tjänsten gav ett oväntat svar.") from None
        raise ApiError("interrupted", INTERRUPTED if started else NO_ANSWER)

    # --- writing ------------------------------------------------------------------------

    def start_upload(self, files: list[tuple[str, bytes]]) -> UploadJob:
        """``POST /v1/documents`` with one or more (file name, content) pairs: the job."""
        parts = [("files", (name, content)) for name, content in files]
        return self._request("POST", "/v1/documents", "upload", files=parts)

    def versions(self, document_id: str) -> list[Version]:
        """``GET /v1/documents/{id}/versions``: oldest first, the current one last."""
        path = "/v1/documents/" + quote(document_id, safe="") + "/versions"
        return self._request("GET", path, "documents")

    def upload_job(self, job_id: str) -> UploadJob:
        """``GET /v1/documents/jobs/{id}``: the job's status and its files' outcomes."""
        return self._request("GET", "/v1/documents/jobs/" + quote(job_id, safe=""), "upload")

    def cancel_upload(self, job_id: str) -> UploadJob:
        """``POST /v1/documents/jobs/{id}/cancel`` (administrator key)."""
        path = "/v1/documents/jobs/" + quote(job_id, safe="") + "/cancel"
        return self._request("POST", path, "upload")

    def upload(self, files: list[tuple[str, bytes]], poll_s: float = 0.3) -> list[FileOutcome]:
        """Upload and wait until the job has finished: each file's outcome."""
        job = self.start_upload(files)
        while job["status"] in ("queued", "running"):
            time.sleep(poll_s)
            job = self.upload_job(job["job_id"])
        return job["files"]

    def approve_document(
        self, document_id: str, confirm_instructions: bool = False
    ) -> dict[str, Any]:
        """``POST /v1/documents/{id}/approve`` (administrator key): release it for answers; a
        document flagged "instructions" needs ``confirm_instructions`` (409 without)."""
        path = "/v1/documents/" + quote(document_id, safe="") + "/approve"
        params = {"confirm_instructions": "true"} if confirm_instructions else None
        return self._request("POST", path, "documents", params=params)

    def correct_document(
        self, document_id: str, values: dict[str, Any], reset: list[str] | None = None
    ) -> Document:
        """``PATCH /v1/documents/{id}/metadata`` (administrator key): the corrected document."""
        path = "/v1/documents/" + quote(document_id, safe="") + "/metadata"
        return self._request("PATCH", path, "correct", json={**values, "reset": reset or []})

    def glossary(self) -> Glossary:
        """``GET /v1/glossary``: the organisation's glossary (everyday words → concepts)."""
        return self._request("GET", "/v1/glossary", "glossary")

    def save_glossary(self, entries: list[GlossaryEntry]) -> Glossary:
        """``PUT /v1/glossary`` (redaktör or administratör): replace the glossary."""
        return self._request("PUT", "/v1/glossary", "glossary", json={"entries": entries})

    def delete_document(self, document_id: str) -> dict[str, Any]:
        return self._request("DELETE", "/v1/documents/" + quote(document_id, safe=""), "delete")

    def feedback(
        self, answer_id: str, rating: Literal["correct", "incorrect"], comment: str = ""
    ) -> dict[str, Any]:
        body = {"answer_id": answer_id, "rating": rating, "comment": comment}
        return self._request("POST", "/v1/feedback", "feedback", json=body)
