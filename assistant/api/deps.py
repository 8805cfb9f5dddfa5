"""Dependencies: the assembled components and the administrator key for write endpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from assistant.api.security import AdminAccess, require_admin
from assistant.components import Components


def get_components(request: Request) -> Components:
    return request.app.state.components


ComponentsDep = Annotated[Components, Depends(get_components)]
WriteAccess = AdminAccess  # upload, delete, approve: the administrator key (security.py)

__all__ = ["ComponentsDep", "WriteAccess", "get_components", "require_admin"]
