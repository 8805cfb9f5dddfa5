"""GET /healthz (the process is alive) and GET /readyz (it can answer)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from assistant.api.deps import ComponentsDep

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness")
def healthz() -> dict:
    return {"status": "ok"}


_READY = {"type": "object", "properties": {"ready": {"type": "boolean"}}, "required": ["ready"]}


@router.get(
    "/readyz",
    summary="Readiness: store, embedder and scrubber answer",
    responses={
        200: {"description": "Ready", "content": {"application/json": {"schema": _READY}}},
        503: {"description": "Not ready (see the checks and the hint)",
              "content": {"application/json": {"schema": _READY}}},
    },
)  # fmt: skip
def readyz(components: ComponentsDep) -> JSONResponse:
    checks: dict[str, object] = {}
    try:
        checks["chunks"] = components.kb.count()
        checks["store"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any store failure means not ready
        checks["store"] = f"error: {exc.__class__.__name__}"
    checks["embedder"] = components.kb.embedder_id
    checks["answer_mode"] = components.service.mode
    ready = checks["store"] == "ok" and bool(checks.get("chunks"))
    if not checks.get("chunks"):
        checks["hint"] = "No documents are ingested: run `python -m ingest policies/`."
    return JSONResponse({"ready": ready, **checks}, status_code=200 if ready else 503)
