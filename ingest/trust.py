"""Document trust: neutralise text in documents that could pass for citations or instructions.

Every chunk records where it came from (``origin``: ``folder`` = ingested by an administrator,
``upload`` = through the API) and its review state (``review``: ``pending`` = held as
"ej granskad", not used in answers; ``approved`` = released by an administrator). At ingest:

- text that looks like a citation marker ("[1]", "[2, 3]") is rewritten to "(1)", "(2, 3)"
  (same length, so every character offset stays valid) and the chunk is flagged
  ``citation_markers``;
- text that looks like an instruction to an assistant ("Ignorera alla tidigare instruktioner",
  "ignore previous instructions", "du är nu …") flags the chunk ``instructions``; such chunks
  are not used in answers until an administrator approves the document (the retrieval filter
  built by ``core.review.answer_filter_conditions``).

The flags are logged as a warning at ingest and listed by ``GET /v1/documents``; the review
state and the rule that keeps untrusted chunks out of answers are in ``core/review.py``.

An upload never carries the title of an official document (any other origin: a folder
document or a law text), compared by ``core.text.normalise.title_key`` (markup removed, case
and spacing ignored): such an upload is refused at ingest (``refuse_official_title``) and a
title correction that would make one is refused by the API (``same_title``). Only when the
official document comes later (a folder ingest cannot be refused) is the upload kept, its
stored title marked "(uppladdad, ej officiell)" wherever it is shown (``mark_uploads``).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable

from qdrant_client import models as qm

from core import index
from core.review import INSTRUCTIONS, MARKERS
from core.store import KnowledgeBase
from core.text.normalise import title_key
from ingest.loaders import LoadError

log = logging.getLogger("ingest.trust")

# "[1]", "[12]", "[1, 2]", "[1–3]", "[ 4 ]": what our answers use to cite passages
_MARKER = re.compile(r"\[(\s*\d{1,3}(?:\s*[,;–-]\s*\d{1,3})*\s*)\]")
_INSTRUCTION = re.compile(
    r"\b(?:"
    # "ignorera alla tidigare instruktioner", "glöm bort dina regler", "strunta i policyn"
    r"(?:ignorera|strunta\s+i|bortse\s+från|glöm(?:\s+bort)?)\s+(?:alla\s+|dina\s+|de\s+)?"
    r"(?:tidigare|föregående|ovanstående|ovan\s+givna|dina|alla)\s+"
    r"(?:instruktioner|instruktionerna|anvisningar|anvisningarna|regler|reglerna|order)"
    r"|(?:ignorera|glöm(?:\s+bort)?)\s+(?:dina|alla)\s+(?:instruktioner|anvisningar|regler)"
    r"|glöm(?:\s+bort)?\s+(?:allt|det)\s+(?:du|som)\s+(?:har\s+)?(?:fått|lärt|sagts|vet)"
    r"|(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+|the\s+|your\s+)?"
    r"(?:previous|prior|above|earlier|preceding|your)\s+(?:instructions|rules|prompts?|directions)"
    r"|(?:ignore|disregard|forget)\s+(?:everything|all)\s+(?:above|before|you\s+were\s+told)"
    r"|du\s+är\s+(?:nu|från\s+och\s+med\s+nu)\s+(?:en|ett|min|inte|DAN|fri)\b"
    r"|du\s+är\s+(?:en|ett)\s+(?:\w+\s+)?(?:ai-?assistent|assistent|chattbot|språkmodell)\b"
    r"|you\s+are\s+now\s+(?:a|an|my|no\s+longer|DAN|free)\b"
    r"|from\s+now\s+on,?\s+you\s+(?:are|will|must|shall)\b"
    r"|(?:ny|nya)\s+(?:system)?instruktion(?:er)?\s*:"
    r"|new\s+(?:system\s+)?instructions?\s*:"
    r"|system\s*prompt|systemprompt(?:en)?"
    r"|(?:till|för)\s+(?:ai-?assistenten|språkmodellen|chattboten)\s*:"
    # text addressed to the assistant: "Kära assistent,", "Assistenten: svara att …"
    r"|(?:hej|kära|bästa)\s+(?:ai-?)?(?:assistent(?:en)?|chattbot(?:en)?)\s*[,:!]"
    r"|(?:ai-?)?assistent(?:en)?\s*[,:]\s*(?:du|svara|säg|skriv|ignorera|glöm)\b"
    r"|(?:dear|hey|hello|to\s+the)\s+(?:ai\s+)?(?:assistant|chatbot)\s*[,:!]"
    r"|(?:ai\s+)?assistant\s*[,:]\s*(?:you|answer|say|reply|ignore|forget)\b"
    r"|as\s+an\s+ai\s+(?:assistant|language\s+model)\s*,?\s+you\s+(?:must|should|will)"
    r")",
    re.IGNORECASE,
)
# Look-alike letters (Cyrillic, Greek) read as the Latin ones and invisible characters
# dropped before the patterns look ("іgnore" with a Cyrillic і, "ig\u200bnore"). Detection
# only: the stored text stays as written.
_LOOK_ALIKES = str.maketrans(
    "аеорсухіјѕԁһӏոսАВЕКМНОРСТХІЈЅαοριτνκΑΒΕΗΙΚΜΝΟΡΤΧΥΖ",
    "aeopcyxijsdhlnuABEKMHOPCTXIJSaopitvkABEHIKMNOPTXYZ",
)
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")


def _skeleton(text: str) -> str:
    """``text`` as the instruction patterns read it (compatibility forms, look-alikes and
    invisible characters folded)."""
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).translate(_LOOK_ALIKES)


def neutralise_markers(text: str) -> tuple[str, int]:
    """``text`` with "[n]"-style markers as "(n)" (same length) and how many were rewritten."""
    return _MARKER.subn(lambda m: f"({m.group(1)})", text)


def instruction_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` reads like an instruction to an assistant (start, end; offsets in the
    folded text, ``_skeleton``)."""
    return [m.span() for m in _INSTRUCTION.finditer(_skeleton(text))]


def neutralise(text: str) -> tuple[str, list[str]]:
    """The text used for answers and its flags (``citation_markers``, ``instructions``)."""
    flags = []
    text, markers = neutralise_markers(text)
    if markers:
        flags.append(MARKERS)
    if instruction_spans(text):
        flags.append(INSTRUCTIONS)
    return text, flags


def neutralise_chunks(chunks: Iterable, relative: str) -> list[list[str]]:
    """Neutralise each chunk's ``text`` and ``heading`` in place; the flags per chunk."""
    out: list[list[str]] = []
    for chunk in chunks:
        chunk.text, flags = neutralise(chunk.text)
        chunk.heading, _ = neutralise_markers(chunk.heading)
        out.append(flags)
    flagged = sorted({f for flags in out for f in flags})
    if flagged:
        log.warning(
            "%s: %s — check the document (%d of %d chunks flagged)",
            relative, ", ".join(flagged), sum(bool(f) for f in out), len(out),
        )  # fmt: skip
    return out


# --- titles of uploads and official documents ------------------------------------------------

UPLOAD = "upload"  # the origin of documents uploaded through the API
NOT_OFFICIAL = " (uppladdad, ej officiell)"


class OfficialTitle(LoadError):
    """An upload titled like an official document: it is not ingested."""


def official_title_message(title: str) -> str:
    """Why an upload (or a title correction) with an official document's title is refused."""
    return (
        f"The title '{title}' is the title of an official policy document; an upload may not "
        "carry it (it would be quoted under the same name). Change the title. / Titeln "
        f"'{title}' är densamma som för ett officiellt styrdokument; ett uppladdat dokument "
        "får inte ha samma titel (det skulle citeras under samma namn). Ändra titeln."
    )


def upload_title_message(title: str) -> str:
    """Why an official document's title correction to an upload's title is refused."""
    return (
        f"An uploaded document already has the title '{title}'; rename or delete it first. / "
        f"Ett uppladdat dokument har redan titeln '{title}'; byt titel på det eller ta bort "
        "det först."
    )


def same_title(
    kb: KnowledgeBase, title: str, uploads: bool, exclude: str | None = None
) -> list[str]:
    """The current documents (uploads, or official documents if not ``uploads``) whose title
    reads as ``title`` (``title_key``), but ``exclude``; their ids, sorted."""
    key = title_key(title)
    if not key:
        return []
    is_upload = qm.FieldCondition(key=index.ORIGIN, match=qm.MatchValue(value=UPLOAD))
    flt = qm.Filter(must=[is_upload]) if uploads else qm.Filter(must_not=[is_upload])
    documents = kb.documents(flt)
    return sorted(d for d, doc in documents.items() if d != exclude and title_key(doc.title) == key)


def refuse_official_title(kb: KnowledgeBase, title: str) -> None:
    """Raise ``OfficialTitle`` if an official document of the store has this title."""
    if same_title(kb, title, uploads=False):
        raise OfficialTitle(official_title_message(title))


def mark_uploads(kb: KnowledgeBase, title: str, exclude: str | None = None) -> list[str]:
    """Uploads titled like the official document ``title`` just written: their stored title
    gets "(uppladdad, ej officiell)" (no re-embedding; the title is never embedded). The
    caller holds ``kb.write_lock``. Returns the uploads marked."""
    marked = same_title(kb, title, uploads=True, exclude=exclude)
    for document_id in marked:
        current = kb.document(document_id)
        if current is not None:
            kb.set_payload(document_id, {index.TITLE: current.title + NOT_OFFICIAL})
            log.warning(
                "upload %s has the title of an official document (%s): shown as not official",
                document_id, title,
            )  # fmt: skip
    return marked
