"""Administrators' corrections of what a document says about itself (title, dates, owner …).

Kept per document id in ``data_dir/corrections.json`` (written atomically), applied to the
extracted metadata every time the document is ingested, so a correction survives re-ingest
and new versions, and written into the current chunks' payload at once (no re-embedding:
these keys are never embedded).
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

from core import index
from core.text.normalise import clean_title
from ingest.metadata import DocumentMetadata

# Correctable fields: the DocumentMetadata attribute and its payload key.
FIELDS = {
    "title": index.TITLE, "doc_type": index.DOC_TYPE, "version": index.VERSION,
    "adopted": index.ADOPTED, "adopted_by": index.ADOPTED_BY,
    "decision_ref": index.DECISION_REF, "valid_from": index.VALID_FROM,
    "valid_to": index.VALID_TO, "review_by": index.REVIEW_BY, "owner": index.OWNER,
    "diary_no": index.DIARY_NO, "municipalities": index.MUNICIPALITIES,
    "scope": index.SCOPE, "classification": index.CLASSIFICATION,
}  # fmt: skip
_LOCK = threading.Lock()


def _path(data_dir: Path) -> Path:
    return data_dir / "corrections.json"


def load(data_dir: Path) -> dict[str, dict[str, dict[str, Any]]]:
    """Document id → field → {"value": the correction, "extracted": what the document says}."""
    try:
        return json.loads(_path(data_dir).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}


def _save(data_dir: Path, data: dict[str, Any]) -> None:
    path = _path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)  # readers see the old file or the new one, never half


def corrected(data_dir: Path, document_id: str) -> dict[str, Any]:
    """The document's corrected fields and their values."""
    return {k: v["value"] for k, v in load(data_dir).get(document_id, {}).items()}


def update(
    data_dir: Path,
    document_id: str,
    values: dict[str, Any],
    extracted: dict[str, Any],
    reset: list[str] | None = None,
) -> dict[str, Any]:
    """Set ``values`` (``extracted``: the document's own values of those fields, kept for a
    reset) and drop the ``reset`` fields. Returns the payload to write: the new values, and
    the extracted values of the fields reset. A title is cleaned like an extracted one
    (``clean_title``: no markup); one with no text left raises ``ValueError``."""
    unknown = (set(values) | set(reset or [])) - set(FIELDS)
    if unknown:
        raise ValueError(f"not correctable: {', '.join(sorted(unknown))}")
    if "title" in values:
        values = {**values, "title": clean_title(str(values["title"]))}
        if not values["title"]:
            raise ValueError("the title has no text once its markup is removed")
    with _LOCK:
        data = load(data_dir)
        fields = data.get(document_id, {})
        out = {name: fields.pop(name)["extracted"] for name in reset or [] if name in fields}
        for name, value in values.items():
            original = fields[name]["extracted"] if name in fields else extracted.get(name)
            fields[name] = {"value": value, "extracted": original}
            out[name] = value
        if fields:
            data[document_id] = fields
        else:
            data.pop(document_id, None)
        _save(data_dir, data)
        return out


def forget(data_dir: Path, document_id: str) -> None:
    """Drop a deleted document's corrections."""
    with _LOCK:
        data = load(data_dir)
        if data.pop(document_id, None) is not None:
            _save(data_dir, data)


def apply(data_dir: Path, document_id: str, meta: DocumentMetadata) -> DocumentMetadata:
    """``meta`` (just extracted) with the corrected fields in place; what the document itself
    says is remembered for a later reset (a new version may say something new)."""
    with _LOCK:
        data = load(data_dir)
        fields = data.get(document_id)
        if not fields:
            return meta
        changed = False
        for name, entry in fields.items():
            own = getattr(meta, name)
            if entry.get("extracted") != own:
                entry["extracted"], changed = own, True
            setattr(meta, name, entry["value"])
        if changed:
            _save(data_dir, data)
        return meta


def payload(fields: dict[str, Any], default_classification: str) -> dict[str, Any]:
    """Fields as chunk payload keys (access fields reset to nothing: their defaults)."""
    out = {FIELDS[name]: value for name, value in fields.items() if name in FIELDS}
    if index.SCOPE in out and not out[index.SCOPE]:
        out[index.SCOPE] = [index.SHARED]
    if index.CLASSIFICATION in out and not out[index.CLASSIFICATION]:
        out[index.CLASSIFICATION] = default_classification
    return out


def state_access(
    kb: Any, document_ids: list[str], scope: list[str] | None, classification: str | None
) -> None:
    """Who may read these documents, as stated by whoever ingests them: kept like a
    correction (so every later ingest keeps it) and written into the current chunks."""
    values: dict[str, Any] = {}
    if scope is not None:
        values["scope"] = [] if index.SHARED in scope else sorted(set(scope))
    if classification is not None:
        values["classification"] = classification
    if not values:
        return
    data_dir = kb.settings.data_dir
    for document_id in document_ids:
        written = update(data_dir, document_id, values, {"scope": [], "classification": None})
        with kb.write_lock:
            kb.set_payload(document_id, payload(written, kb.settings.default_classification))
