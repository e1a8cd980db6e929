"""The account concurrency limit, shared by REST web services and RESTlets (in-flight requests).

Pure ASGI middleware, outermost in the app so injected latency holds a slot like a slow request
does. Request number ``limit + 1`` gets 429 ``CONCURRENCY_LIMIT_EXCEEDED`` (REST) or 400
``SSS_REQUEST_LIMIT_EXCEEDED`` (RESTlet). Control paths and the OAuth 2.0 token endpoint are not
counted. The middleware also records the request path (``errors.CURRENT_PATH``) so injected
faults answer in the REST or RESTlet shape.
"""

from __future__ import annotations

import threading
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from magento_netsuite.sandbox.common.metrics import Metrics
from magento_netsuite.sandbox.netsuite.errors import CURRENT_PATH, concurrency_exceeded

LIMITED_PREFIXES = ("/services/rest/record/", "/services/rest/query/", "/app/site/hosting/")


class ConcurrencyLimit:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.in_flight = 0
        self.peak = 0
        self.rejected = 0
        self._lock = threading.Lock()

    def acquire(self) -> bool:
        with self._lock:
            if self.in_flight >= self.limit:
                self.rejected += 1
                return False
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            return True

    def release(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def reset(self, limit: int | None = None) -> None:
        with self._lock:
            if limit is not None:
                self.limit = limit
            self.peak = self.in_flight
            self.rejected = 0

    def describe(self) -> dict[str, Any]:
        with self._lock:
            return {"limit": self.limit, "in_flight": self.in_flight, "peak": self.peak, "rejected": self.rejected}


class ConcurrencyMiddleware:
    def __init__(self, app: ASGIApp, limiter: ConcurrencyLimit, metrics: Metrics) -> None:
        self.app = app
        self.limiter = limiter
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            CURRENT_PATH.set(scope["path"])
        if scope["type"] != "http" or not scope["path"].startswith(LIMITED_PREFIXES):
            await self.app(scope, receive, send)
            return
        if not self.limiter.acquire():
            response = concurrency_exceeded(scope["path"])
            self.metrics.record(f"{scope['method']} {scope['path']}", 0, len(response.body), response.status_code)
            await response(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self.limiter.release()
