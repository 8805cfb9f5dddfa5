"""Dependencies: the assembled components and the optional API key for write endpoints."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request, status

from assistant.components import Components


def get_components(request: Request) -> Components:
    return request.app.state.components


ComponentsDep = Annotated[Components, Depends(get_components)]


def require_api_key(
    components: ComponentsDep,
    x_api_key: Annotated[str | None, Header()] = None,
    authorization: Annotated[str | None, Header()] = None,
) -> None:
    """When PA_API_KEY is set, write endpoints need it (X-API-Key or Bearer)."""
    expected = components.settings.api_key
    if expected is None:
        return
    given = x_api_key or (authorization or "").removeprefix("Bearer ").strip()
    if not given or not secrets.compare_digest(given, expected.get_secret_value()):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="API key missing or wrong (X-API-Key). / API-nyckel saknas eller är fel.",
        )


WriteAccess = Depends(require_api_key)
