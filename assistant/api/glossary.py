"""/v1/glossary: the organisation's glossary — everyday words mapped to the documents'
concepts (``core/concepts.py``).

Everyone who may ask reads it (it explains "Tolkat som: …" under an answer); a redaktör or
an administrator replaces it. A saved glossary applies to the next question, is written to
``data_dir/glossary.json`` and every change is an event in the audit trail.
"""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import APIRouter

from assistant.access import Principal
from assistant.api import security
from assistant.api.deps import ComponentsDep, require
from core import concepts

router = APIRouter(prefix="/v1", tags=["glossary"])
MAX_BODY = 1_000_000  # bytes: ~2000 entries
_write = threading.Lock()


@router.get("/glossary", response_model=concepts.GlossaryFile, summary="The glossary",
            responses={**security.AUTH})  # fmt: skip
def read(
    components: ComponentsDep, _: Annotated[Principal, require("ask")]
) -> concepts.GlossaryFile:
    glossary = components.service.retriever.glossary
    return glossary.as_file() if glossary else concepts.GlossaryFile()


@router.get(
    "/glossary/definitions",
    response_model=list[concepts.Entry],
    summary="The definitions the documents state themselves (read with the glossary)",
    responses={**security.AUTH},
)  # fmt: skip
def document_definitions(
    components: ComponentsDep, _: Annotated[Principal, require("ask")]
) -> list[concepts.Entry]:
    """ "Med X avses … t.ex. Y", "Bring Your Own Device (BYOD)": read from the documents
    every user may read; an organisation's entry for the same word wins."""
    return components.service.definitions.entries()


def changes(before: list[concepts.Entry], after: list[concepts.Entry]) -> str:
    """What a save changed, for the audit trail: how many concepts were added, removed and
    edited, then which (+added, -removed, ~edited; cut at 2000 characters)."""
    old = {e.concept: e for e in before}
    new = {e.concept: e for e in after}
    added = [c for c in new if c not in old]
    removed = [c for c in old if c not in new]
    edited = [c for c in new if c in old and new[c] != old[c]]
    counts = f"{len(added)} tillagda, {len(removed)} borttagna, {len(edited)} ändrade"
    names = [f"+{c}" for c in added] + [f"-{c}" for c in removed] + [f"~{c}" for c in edited]
    return f"{counts}: {', '.join(names)}"[:2000] if names else "oförändrad"


@router.put(
    "/glossary",
    response_model=concepts.GlossaryFile,
    summary="Replace the glossary (redaktör, administratör)",
    responses={**security.AUTH, **security.TOO_LARGE, **security.INVALID},
)  # fmt: skip
def replace(
    body: concepts.GlossaryFile,
    components: ComponentsDep,
    user: Annotated[Principal, require("glossary")],
) -> concepts.GlossaryFile:
    with _write:
        service = components.service
        before = service.retriever.glossary.entries if service.retriever.glossary else []
        concepts.save(components.settings.data_dir, body)
        service.retriever.glossary = concepts.Glossary(body.entries)
        components.audit.record_event(user, "glossary", "glossary", changes(before, body.entries))
    return body
