"""Rate limits per client: questions (``POST /v1/ask``, ``/v1/ask/stream``) and uploads.

- The limits are ``PA_RATE_LIMIT_ASK`` and ``PA_RATE_LIMIT_UPLOADS`` in the ``limits``
  library's syntax ("60/minute", "10 per minute", "60/minute;600/hour"); "" or "0" turns one
  off. A moving window: at most N requests in any window of that length, per client.
- The two question endpoints share one budget per client, so switching between them gives no
  extra questions. A refused request is a 429 with ``Retry-After`` (whole seconds until the
  oldest request in the window expires) before any work is done (before validation, scrubbing,
  retrieval or reading the upload).
- The client is the connecting address (``request.client.host``), never ``X-Forwarded-For``
  (which any client can set). Everything behind one address shares its budget: the Streamlit UI
  asks for all its users from one address, and so does a reverse proxy in front of the API —
  size ``PA_RATE_LIMIT_ASK`` for that, and let the proxy limit per user when it has them.
- One limiter per app (``app.state.rate_limiter``, made in ``create_app``), in memory: the
  counts are per API process (replicas each count on their own) and are lost on restart.
"""

from __future__ import annotations

import math
import time

import limits
from fastapi import Depends, HTTPException, Request, status
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from core.settings import Settings, rate_limits

ASK_LIMITED = (
    "Too many requests; try again in {n} s. / "
    "För många frågor på kort tid; försök igen om {n} sekunder."
)
UPLOADS_LIMITED = (
    "Too many uploads; try again in {n} s. / "
    "För många uppladdningar på kort tid; försök igen om {n} sekunder."
)


class RateLimiter:
    """The configured limits per kind of request ("ask", "uploads"), counted per client."""

    def __init__(self, ask: list[limits.RateLimitItem], uploads: list[limits.RateLimitItem]):
        self.items = {"ask": ask, "uploads": uploads}
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimiter:
        return cls(rate_limits(settings.rate_limit_ask), rate_limits(settings.rate_limit_uploads))

    def retry_after(self, kind: str, client: str) -> int | None:
        """Count one request of ``kind`` from ``client``: None if allowed, else the whole
        seconds until it would be (at least 1)."""
        for item in self.items[kind]:
            if not self.limiter.hit(item, kind, client):
                reset = self.limiter.get_window_stats(item, kind, client).reset_time
                return max(1, math.ceil(reset - time.time()))
        return None


def client_key(request: Request) -> str:
    """The connecting address (not X-Forwarded-For, which the client chooses)."""
    return request.client.host if request.client else "unknown"


def _limited(kind: str, message: str):
    def dependency(request: Request) -> None:
        limiter: RateLimiter = request.app.state.rate_limiter
        wait = limiter.retry_after(kind, client_key(request))
        if wait is not None:
            raise HTTPException(
                status.HTTP_429_TOO_MANY_REQUESTS,
                detail=message.format(n=wait),
                headers={"Retry-After": str(wait)},
            )

    dependency.__name__ = f"rate_limit_{kind}"
    return dependency


rate_limit_ask = _limited("ask", ASK_LIMITED)
rate_limit_uploads = _limited("uploads", UPLOADS_LIMITED)
AskRateLimit = Depends(rate_limit_ask)  # route: dependencies=[AskRateLimit]
UploadRateLimit = Depends(rate_limit_uploads)  # route: dependencies=[UploadRateLimit]

__all__ = ["AskRateLimit", "RateLimiter", "UploadRateLimit", "client_key"]
