"""The API's request and response models (pydantic): what clients send and get.

The service works on domain types (``assistant/question.py``, ``assistant/result.py``);
``assistant/api/present.py`` maps between the two.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

_ID = Annotated[str, Field(min_length=1, max_length=200)]
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(value: object) -> object:
    """Only an ISO date "2024-05-01" (or a ``date``): never a number read as a timestamp."""
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        return value
    raise ValueError("an ISO date (YYYY-MM-DD) is needed")


_DATE = Annotated[date, BeforeValidator(_iso_date)]


class Turn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["user", "assistant"]
    content: str = Field(..., max_length=20_000)


class SearchFilters(BaseModel):
    """Metadata filters (all optional, combined with AND)."""

    model_config = ConfigDict(extra="forbid")
    document_ids: list[_ID] = Field(default_factory=list, max_length=50)
    doc_types: list[_ID] = Field(default_factory=list, max_length=20)
    municipality: str | None = Field(
        None,
        max_length=100,
        description="the asker's organisation ('Eksjö', 'Höglandsförbundet'): search its "
        "documents and those that name no organisation (they apply to all)",
    )
    adopted_from: _DATE | None = None
    adopted_to: _DATE | None = None
    as_of: _DATE | None = Field(
        None,
        description="search each document's version in force on this date (earlier versions: "
        "GET /v1/documents/{id}/versions) instead of the current ones",
    )


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(
        ...,
        min_length=1,
        pattern=r"[^\W_]",
        description="The question, in Swedish or English: at least one letter or digit (not "
        "only white space, punctuation or control characters).",
    )
    history: list[Turn] = Field(default_factory=list, max_length=20)
    filters: SearchFilters | None = None
    top_k: int | None = Field(None, ge=1, le=20)

    @field_validator("question")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not re.search(r"[^\W_]", v):  # the same rule as the schema's pattern
            raise ValueError("the question has no letter or digit")
        return v


class Redaction(BaseModel):
    type: str
    count: int


Origin = Literal["folder", "upload", "law"]
Review = Literal["pending", "approved"]
Status = Literal["current", "review_soon", "review_overdue", "expired", "unstated"]


class Lifecycle(BaseModel):
    """What the document states about its own validity, and its status today."""

    model_config = ConfigDict(from_attributes=True)  # also read from the domain dataclass

    adopted_by: str | None = Field(None, description="who adopted it: 'Kommunfullmäktige'")
    decision_ref: str | None = Field(None, description="the decision's paragraph: '§ 98'")
    valid_from: str | None = Field(None, description="ISO date, or the stated text")
    valid_to: str | None = Field(None, description="ISO date: 'gäller till och med'")
    review_by: str | None = Field(None, description="ISO date: 'nästa revidering'")
    owner: str | None = Field(None, description="'Dokumentansvarig', 'Dokumentägare', 'Utgivare'")
    diary_no: str | None = None
    status: Status = Field(
        "unstated",
        description="expired = past valid_to; review_overdue = past review_by; review_soon = "
        "review_by within 90 days; current = a stated date still ahead; unstated = no dates",
    )
    status_sv: str = Field("ej angiven", description="the status in Swedish, as the UI shows it")


class Notice(BaseModel):
    """A warning about a cited document (expired, overdue for review, an earlier version)."""

    document_id: str
    kind: Literal["expired", "review_overdue", "superseded", "conflict"]
    message: str = Field(..., description="Swedish, shown with the answer")


class ConflictSide(BaseModel):
    """One document's statement of a rule another cited document states differently."""

    n: int = Field(..., description="the citation number of the passage it is quoted from")
    document_id: str
    title: str
    adopted: str | None = None
    text: str = Field(..., description="the statement, verbatim from the passage")
    value: str = Field(..., description="the value it gives: 'minst 14 tecken', 'får inte'")


class Conflict(BaseModel):
    """Two current documents give different values for the same rule (assistant/conflicts.py)."""

    kind: Literal["quantity", "permission"]
    sides: list[ConflictSide] = Field(..., min_length=2, max_length=2)
    message: str = Field(..., description="Swedish: 'Dokumenten skiljer sig åt: …'")


class Citation(BaseModel):
    """A numbered source passage; ``quote`` is exactly ``text[start:end]`` of the stored chunk."""

    n: int
    chunk_id: str
    document_id: str
    title: str
    source: str
    origin: Origin = Field(
        "folder",
        description="folder = ingested by an administrator from the policy folder; "
        "upload = uploaded through the API; law = a law text (python -m ingest law)",
    )
    doc_type: str | None = None
    version: str | None = None
    adopted: str | None = None
    lifecycle: Lifecycle = Field(default_factory=Lifecycle)
    municipalities: list[str] = Field(
        default_factory=list,
        description="the organisations the document says it applies to ([] = not stated)",
    )
    superseded_on: str | None = Field(
        None, description="an earlier version (as-of search): the date a newer one took over"
    )
    section: str
    page: int | None = None
    page_end: int | None = None
    quote: str
    start: int
    end: int
    doc_start: int | None = Field(None, description="quote offsets in the document's text")
    doc_end: int | None = None
    score: float
    dense_score: float | None = None
    cited: bool = Field(True, description="False: retrieved as context but not cited.")
    text: str = Field(..., description="The whole chunk text the quote was taken from.")


class RelatedSource(BaseModel):
    """A law unit (GDPR article, SFS paragraf) that a cited passage refers to (cross-link)."""

    ref: str = Field(..., description="canonical id, e.g. gdpr:art33 or sfs2018:218:3kap5§")
    cited_by: list[int] = Field(default_factory=list, description="citation numbers citing it")
    chunk_id: str
    document_id: str
    title: str
    source: str
    act: str | None = None
    section: str
    text: str


Band = Literal["answered", "uncertain", "refused"]


class SentenceOut(BaseModel):
    """One statement of the answer: in extractive mode a verbatim window of one passage."""

    text: str
    citations: list[int]
    document_label: str | None = Field(
        None, description="Which document says it, when the answer quotes several documents."
    )
    supported: bool
    score: float
    quote_citation: int | None = None
    quote_start: int | None = None
    quote_end: int | None = None


class Interpretation(BaseModel):
    """A word of the question read as a concept of the documents (the glossary)."""

    word: str = Field(..., description="the word as the (redacted) question has it")
    concept: str = Field(..., description="the documents' concept it was searched as")


class AskResponse(BaseModel):
    id: str
    answer: str
    band: Band = Field(
        "answered",
        description="answered; uncertain = no sure answer, the closest passages are shown "
        "(never presented as an answer); refused = no support in the documents.",
    )
    refused: bool = Field(..., description="True unless band is 'answered'.")
    mode: str
    sentences: list[SentenceOut]
    citations: list[Citation]
    redacted_query: str
    standalone_query: str
    interpreted_as: list[Interpretation] = Field(
        default_factory=list,
        description="how the question was read: glossary words and the documents' concepts "
        "they were searched as (shown as 'Tolkat som: …')",
    )
    redactions: list[Redaction]
    timings_ms: dict[str, float]
    retrieval: dict[str, float | str] = Field(default_factory=dict)
    answerability: dict[str, float] = Field(
        default_factory=dict,
        description="how the band was decided: the score (0..1) and the signals behind it",
    )
    related: list[RelatedSource] = Field(
        default_factory=list, description="law units the cited passages refer to"
    )
    notices: list[Notice] = Field(
        default_factory=list,
        description="cited documents past their validity or review date, earlier versions, "
        "and documents that disagree (one notice per conflict)",
    )
    conflicts: list[Conflict] = Field(
        default_factory=list,
        description="cited passages of two current documents that state the same rule with "
        "different values; both passages are cited",
    )


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answer_id: str = Field(..., min_length=1, max_length=64)
    rating: Literal["correct", "incorrect"]
    comment: str = Field("", max_length=4000)


_REVIEW = (
    "pending = held as 'ej granskad' (not used in answers) until an administrator approves it; "
    "approved = released by an administrator; null = no review needed (folder document)"
)
_FLAGS = (
    "what ingest neutralised or held back: citation_markers ('[1]' in the text, rewritten as "
    "'(1)'), instructions (text addressed to an assistant; those passages are not used in "
    "answers until an administrator approves the document)"
)


class DocumentOut(BaseModel):
    document_id: str
    title: str
    source: str
    doc_type: str
    version: str | None
    adopted: str | None
    lifecycle: Lifecycle = Field(default_factory=Lifecycle)
    municipalities: list[str] = Field(
        default_factory=list, description="the organisations the document names"
    )
    scope: list[str] = Field(
        default_factory=list,
        description="organisations whose users may read it; [] = shared by all",
    )
    classification: str = Field(..., description="öppen, intern, begränsad (PA_CLASSIFICATIONS)")
    corrected: list[str] = Field(
        default_factory=list, description="fields an administrator corrected (PATCH …/metadata)"
    )
    chunks: int
    origin: str = Field(..., description="folder (administrator) or upload (through the API)")
    review: Review | None = Field(None, description=_REVIEW)
    flags: list[str] = Field(default_factory=list, description=_FLAGS)
    ingested_at: str | None


_TEXT = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Correctable = Literal["title", "doc_type", "version", "adopted", "adopted_by", "decision_ref",
                      "valid_from", "valid_to", "review_by", "owner", "diary_no",
                      "municipalities", "scope", "classification"]  # fmt: skip


class MetadataCorrection(BaseModel):
    """An administrator's correction of what a document says about itself. Given fields
    replace the extracted ones (now and at every later ingest, new versions included);
    ``reset`` fields go back to what the document says."""

    model_config = ConfigDict(extra="forbid")
    title: _TEXT | None = None
    doc_type: _TEXT | None = None
    version: _TEXT | None = None
    adopted: _DATE | None = None
    adopted_by: _TEXT | None = None
    decision_ref: _TEXT | None = None
    valid_from: _TEXT | None = Field(None, description="ISO date, or the stated condition")
    valid_to: _DATE | None = None
    review_by: _DATE | None = None
    owner: _TEXT | None = None
    diary_no: _TEXT | None = None
    municipalities: list[_TEXT] | None = Field(None, max_length=20)
    scope: list[_TEXT] | None = Field(
        None, max_length=20,
        description="organisations whose users may read it (PA_ORGANISATIONS); [] or "
        "['alla'] = shared by all",
    )  # fmt: skip
    classification: _TEXT | None = Field(None, description="one of PA_CLASSIFICATIONS")
    reset: list[Correctable] = Field(default_factory=list)

    def values(self) -> dict[str, object]:
        """The corrected fields, dates as ISO text."""
        given = self.model_dump(exclude={"reset"}, exclude_none=True)
        return {k: v.isoformat() if isinstance(v, date) else v for k, v in given.items()}


class VersionOut(BaseModel):
    """One version of a document, oldest first; the last is the current one."""

    generation: int = Field(..., description="the version's id in the store")
    current: bool
    applies_from: str | None = Field(
        None, description="ISO date: its stated valid-from or adoption date, else when it was "
        "written; null = not known (applies as far back as an as-of search asks)",
    )  # fmt: skip
    applies_until: str | None = Field(None, description="ISO date a newer version took over")
    title: str
    version: str | None
    adopted: str | None
    lifecycle: Lifecycle = Field(default_factory=Lifecycle)
    content_hash: str
    chunks: int
    ingested_at: str | None


class FileOutcome(BaseModel):
    file: str
    document_id: str
    status: str
    chunks: int = 0
    error: str | None = None
    review: Review | None = Field(None, description=_REVIEW)
    flags: list[str] = Field(default_factory=list, description=_FLAGS)


class UploadJobOut(BaseModel):
    """An upload's ingest job: its files' outcomes so far (GET /v1/documents/jobs/{id})."""

    job_id: str
    status: Literal["queued", "running", "done", "cancelled"] = Field(
        ..., description="done/cancelled: every file has its final status"
    )
    files: list[FileOutcome] = Field(
        ..., description="per file: queued, running, then new/changed/unchanged/failed/cancelled"
    )
    created_at: str
    finished_at: str | None = None


class ErrorOut(BaseModel):
    """Every error response: a bilingual message (English / Svenska)."""

    detail: str


class FieldError(BaseModel):
    loc: list[str | int] = Field(default_factory=list)
    msg: str = ""
    type: str = ""


class ValidationErrorOut(BaseModel):
    """422: the request does not match the schema or the limits; the input is never echoed."""

    detail: str
    errors: list[FieldError] = Field(default_factory=list)


class ApprovalOut(BaseModel):
    approved: str
    chunks: int


class DeletedOut(BaseModel):
    deleted: str
    chunks: int


class FeedbackOut(BaseModel):
    status: str
    redactions: list[Redaction]


class MeOut(BaseModel):
    """Who the API takes the caller to be, and what they may do."""

    sign_in: bool = Field(..., description="whether users sign in (PA_OIDC_ISSUER is set)")
    signed_in: bool = Field(..., description="false: the local user or the administrator key")
    user: str = Field(..., description="pseudonymous id (never a name)")
    role: str
    roles: list[str]
    organisations: list[str]
    every_organisation: bool
    classifications: list[str] = Field(..., description="the levels the user may read")
    permissions: list[str]


class AuditFeedback(BaseModel):
    ts: str
    rating: str
    comment: str = Field(..., description="scrubbed")


class AuditAnswer(BaseModel):
    """One answer as the audit trail keeps it: redacted text and pseudonyms only."""

    id: str
    ts: str
    user: str = Field(..., description="pseudonymous id of who asked")
    role: str
    organisations: list[str]
    redacted_query: str
    standalone_query: str
    answer: str
    refused: bool
    mode: str
    citations: list[dict]
    feedback: list[AuditFeedback]


class AuditEvent(BaseModel):
    """Who uploaded, corrected, approved or deleted a document, or changed the glossary
    (``document_id`` "glossary")."""

    ts: str
    user: str
    role: str
    action: Literal["upload", "correct", "approve", "delete", "glossary"]
    document_id: str
    detail: str


class AuditExport(BaseModel):
    """Everything the audit trail holds, for the data protection officer."""

    exported_at: str
    retention_days: int
    answers: list[AuditAnswer]
    events: list[AuditEvent]
