"""How uvicorn serves the app: proxy headers trusted only from ``PA_FORWARDED_ALLOW_IPS``.

uvicorn by default rewrites the client address from ``X-Forwarded-For`` when the request
comes from 127.0.0.1, so any local caller could give itself a new rate-limit budget per
request. Here no address is trusted unless configured.
"""

from __future__ import annotations

import uvicorn
from fastapi import FastAPI

from core.settings import Settings


def config(app: FastAPI, settings: Settings, host: str, port: int) -> uvicorn.Config:
    """The server configuration ``python -m assistant serve`` runs with."""
    proxies = settings.forwarded_allow_ips
    return uvicorn.Config(
        app, host=host, port=port, log_config=None, access_log=False,
        proxy_headers=bool(proxies), forwarded_allow_ips=list(proxies) or None,
        server_header=False,
    )  # fmt: skip
