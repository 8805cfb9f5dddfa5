"""FastAPI backend: routers per feature, one service underneath."""

from assistant.api.app import create_app

__all__ = ["create_app"]
