"""The UI's copy of the API contract (ui/client.py) against the running API's /openapi.json:
a field added, renamed or dropped on either side fails here, not in front of a lawyer."""

from __future__ import annotations

import types
from typing import Any, NotRequired, Required, Union, get_args, get_origin, get_type_hints

import httpx
import pytest

from ui import client as ui

pytestmark = pytest.mark.slow  # real servers (API, browser, OIDC provider, LLM) or laws

# UI type → the schema the API declares for it.
PAIRS: dict[type, str] = {
    ui.Answer: "AskResponse",
    ui.Sentence: "SentenceOut",
    ui.Citation: "Citation",
    ui.RelatedSource: "RelatedSource",
    ui.Lifecycle: "Lifecycle",
    ui.Notice: "Notice",
    ui.Conflict: "Conflict",
    ui.ConflictSide: "ConflictSide",
    ui.Redaction: "Redaction",
    ui.Document: "DocumentOut",
    ui.Me: "MeOut",
    ui.Version: "VersionOut",
    ui.FileOutcome: "FileOutcome",
    ui.UploadJob: "UploadJobOut",
    ui.AuditAnswer: "AuditAnswer",
    ui.AuditFeedback: "AuditFeedback",
    ui.Turn: "Turn",
    ui.Interpretation: "Interpretation",
    ui.GlossaryEntry: "Entry",
    ui.Glossary: "GlossaryFile",
}
BY_TYPE = {t.__name__: name for t, name in PAIRS.items()}


@pytest.fixture(scope="module")
def schemas(api_server) -> dict[str, Any]:
    spec = (
        httpx.get(f"{api_server.ensure_running().url}/openapi.json", timeout=30)
        .raise_for_status()
        .json()
    )
    return spec["components"]["schemas"]


def _refs(schema: dict[str, Any]) -> set[str]:
    """The component names a property's schema refers to (through arrays and anyOf)."""
    found: set[str] = set()
    if "$ref" in schema:
        found.add(schema["$ref"].rsplit("/", 1)[-1])
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            found |= _refs(schema[key])
    for option in schema.get("anyOf", []) + schema.get("allOf", []):
        found |= _refs(option)
    return found


def _typed_dicts(annotation: Any) -> set[str]:
    """The TypedDicts a UI annotation refers to (through list, Optional, NotRequired)."""
    origin = get_origin(annotation)
    if origin in (NotRequired, Required, list, dict, Union, types.UnionType):
        return set().union(*(_typed_dicts(a) for a in get_args(annotation)))
    if isinstance(annotation, type) and hasattr(annotation, "__required_keys__"):
        return {annotation.__name__}
    return set()


@pytest.mark.parametrize("ui_type", PAIRS, ids=lambda t: t.__name__)
def test_ui_types_have_the_fields_the_api_declares(schemas, ui_type):
    schema = schemas[PAIRS[ui_type]]
    hints = get_type_hints(ui_type, include_extras=True)
    assert set(hints) == set(schema["properties"]), (
        f"ui.{ui_type.__name__} vs {PAIRS[ui_type]}: only in the UI "
        f"{sorted(set(hints) - set(schema['properties']))}, only in the API "
        f"{sorted(set(schema['properties']) - set(hints))}"
    )
    for field, annotation in hints.items():  # nested objects are the paired types
        ui_refs = {BY_TYPE[name] for name in _typed_dicts(annotation)}
        api_refs = _refs(schema["properties"][field]) & set(PAIRS.values())
        assert ui_refs == api_refs, (ui_type.__name__, field, ui_refs, api_refs)


def test_every_response_object_the_ui_reads_is_paired(schemas):
    """The API's answer and document schemas refer only to types the UI has a copy of."""
    reachable, todo = set(), ["AskResponse", "DocumentOut", "VersionOut", "UploadJobOut", "MeOut"]
    while todo:
        name = todo.pop()
        if name in reachable:
            continue
        reachable.add(name)
        for prop in schemas[name].get("properties", {}).values():
            todo += _refs(prop)
    assert reachable <= set(PAIRS.values()), sorted(reachable - set(PAIRS.values()))


def test_request_bodies_use_only_declared_fields(schemas):
    body = ui.ApiClient._ask_body(
        "Fråga?", [{"role": "user", "content": "x"}], ["it"], ["policy"], 5, "2024-01-01", "Eksjö"
    )
    assert set(body) <= set(schemas["AskRequest"]["properties"])
    assert set(body["filters"]) <= set(schemas["SearchFilters"]["properties"])
