"""Dependencies: the assembled components, the user, and the permission an endpoint needs."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from assistant.access import Principal
from assistant.api.security import current_user, require
from assistant.components import Components


def get_components(request: Request) -> Components:
    return request.app.state.components


ComponentsDep = Annotated[Components, Depends(get_components)]
UserDep = Annotated[Principal, Depends(current_user)]

__all__ = ["ComponentsDep", "UserDep", "current_user", "get_components", "require"]
