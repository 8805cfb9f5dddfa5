"""A document's status today from what it states about itself, and the notices answers carry.

The dates come from the document's own front matter (ingest/metadata.py): "Gäller till och med:
2022-12-31" makes it expired after that day, "Nästa revidering: 2026-03-12" overdue for review.
A notice never changes the answer; it tells the reader how far the source can be relied on.
Both work on domain types (``assistant/result.py``); the API shows them as its schemas.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from assistant.result import Lifecycle, Notice, Source
from core import index

REVIEW_SOON = timedelta(days=90)
_SV = {
    "current": "gällande",
    "review_soon": "revideras snart",
    "review_overdue": "revision försenad",
    "expired": "utgången",
    "unstated": "ej angiven",
}


def _date(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def lifecycle_of(payload: Mapping[str, object], today: date) -> Lifecycle:
    """The lifecycle fields of a chunk payload (or DocumentInfo.lifecycle) and today's status."""
    values = {key: payload.get(key) for key in index.LIFECYCLE}
    valid_to, review_by = _date(values[index.VALID_TO]), _date(values[index.REVIEW_BY])
    if valid_to and valid_to < today:
        status = "expired"
    elif review_by and review_by < today:
        status = "review_overdue"
    elif review_by and review_by - today <= REVIEW_SOON:
        status = "review_soon"
    elif valid_to or review_by:
        status = "current"
    else:
        status = "unstated"
    fields = {k: (str(v) if v is not None else None) for k, v in values.items()}
    return Lifecycle(**fields, status=status, status_sv=_SV[status])


def notices(sources: list[Source], as_of: date | None = None) -> list[Notice]:
    """One notice per cited document that is an earlier version (as-of search), expired or
    overdue for review (statuses as of ``as_of`` when given)."""
    out: list[Notice] = []
    seen: set[str] = set()
    for c in sources:
        life = c.lifecycle
        if not c.cited or c.document_id in seen:
            continue
        if c.superseded_on:
            version = f" version {c.version}" if c.version else " en äldre version"
            day = f" (sökt per {as_of.isoformat()})" if as_of else ""
            message = (
                f"Obs: citatet är ur{version} av «{c.title}», som ersattes av en nyare version "
                f"{c.superseded_on}{day}. Den gäller inte längre."
            )
            kind = "superseded"
        elif life.status == "expired":
            message = (
                f"Obs: «{c.title}» gällde enligt dokumentet självt till och med {life.valid_to}. "
                "Kontrollera om det har ersatts av ett nyare beslut innan du stödjer dig på det."
            )
            kind = "expired"
        elif life.status == "review_overdue":
            message = (
                f"Obs: «{c.title}» skulle enligt dokumentet självt ha reviderats senast "
                f"{life.review_by}. Kontrollera att det fortfarande gäller."
            )
            kind = "review_overdue"
        else:
            continue
        seen.add(c.document_id)
        out.append(Notice(c.document_id, kind, message))
    return out
