"""GET /v1/me (who the caller is), the audit trail for lawyers, and its export for the DPO."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from assistant.access import Principal
from assistant.api import security
from assistant.api.deps import ComponentsDep, UserDep, require
from assistant.schemas import AuditAnswer, AuditEvent, AuditExport, MeOut

router = APIRouter(prefix="/v1", tags=["access"])


@router.get("/me", response_model=MeOut, summary="The caller's role, organisations and rights",
            responses=security.AUTH)  # fmt: skip
def me(user: UserDep, components: ComponentsDep) -> MeOut:
    return MeOut(
        sign_in=components.settings.sign_in, signed_in=user.signed_in, user=user.subject,
        role=user.role, roles=list(user.roles), organisations=list(user.organisations),
        every_organisation=user.every_organisation,
        classifications=list(user.classifications), permissions=sorted(user.permissions),
    )  # fmt: skip


@router.get(
    "/audit/answers",
    response_model=list[AuditAnswer],
    summary="Latest answers with feedback (jurist: users of their organisations; administrator)",
    description="Redacted questions and answers, with the asker's pseudonymous id, role and "
    "organisations. A jurist sees answers to users all of whose organisations are theirs.",
    responses={**security.AUTH, **security.INVALID},
)
def answers(
    components: ComponentsDep,
    user: Annotated[Principal, require("review")],
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AuditAnswer]:
    orgs = None if user.every_organisation else list(user.organisations)
    return [AuditAnswer(**row) for row in components.audit.answers(orgs, limit)]


@router.get(
    "/audit/export",
    response_model=AuditExport,
    summary="The whole audit trail (administrator; for the data protection officer)",
    responses=security.AUTH,
)
def export(components: ComponentsDep, _: Annotated[Principal, require("export")]) -> AuditExport:
    audit = components.audit
    return AuditExport(
        exported_at=datetime.now(UTC).isoformat(timespec="seconds"),
        retention_days=components.settings.audit_retention_days,
        answers=[AuditAnswer(**row) for row in audit.answers(None, limit=10**9)],
        events=[AuditEvent(**row) for row in audit.events()],
    )
