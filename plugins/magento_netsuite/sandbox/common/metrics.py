"""Calls and bytes served per endpoint, for the benchmarks (``GET /_sandbox/metrics``).

An endpoint is ``"<METHOD> <route template>"`` (e.g. ``GET /rest/{store}/V1/orders/{order_id}``);
requests answered before routing (an injected fault) are matched against the app's routes
afterwards; an unknown path counts under the raw path.
Control endpoints under ``/_sandbox/`` are not counted.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from starlette.routing import Match, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from magento_netsuite.sandbox.common.faults import CONTROL_PREFIX


@dataclass
class EndpointStats:
    calls: int = 0
    bytes_in: int = 0
    bytes_out: int = 0
    errors: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"calls": self.calls, "bytes_in": self.bytes_in, "bytes_out": self.bytes_out, "errors": self.errors}


class Metrics:
    """Thread-safe counters per endpoint and in total."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._endpoints: dict[str, EndpointStats] = {}

    def record(self, endpoint: str, bytes_in: int, bytes_out: int, status: int) -> None:
        with self._lock:
            stats = self._endpoints.get(endpoint)
            if stats is None:
                stats = self._endpoints[endpoint] = EndpointStats()
            stats.calls += 1
            stats.bytes_in += bytes_in
            stats.bytes_out += bytes_out
            if status >= 400:
                stats.errors += 1

    def reset(self) -> None:
        with self._lock:
            self._endpoints.clear()

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            endpoints = {name: stats.as_dict() for name, stats in sorted(self._endpoints.items())}
        totals = {
            key: sum(stats[key] for stats in endpoints.values()) for key in ("calls", "bytes_in", "bytes_out", "errors")
        }
        return {"endpoints": endpoints, "totals": totals}


class MetricsMiddleware:
    """Pure ASGI middleware feeding :class:`Metrics` (request body and response body bytes)."""

    def __init__(self, app: ASGIApp, metrics: Metrics, router: Router | None = None) -> None:
        self.app = app
        self.metrics = metrics
        self.router = router

    def _template(self, scope: Scope) -> str:
        route = scope.get("route")
        if route is None and self.router is not None:
            for candidate in self.router.routes:
                if candidate.matches(scope)[0] == Match.FULL:
                    route = candidate
                    break
        return getattr(route, "path", None) or scope["path"]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        counted = {"in": 0, "out": 0, "status": 500}

        async def counting_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                counted["in"] += len(message.get("body", b""))
            return message

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                counted["status"] = message["status"]
            elif message["type"] == "http.response.body":
                counted["out"] += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, counting_receive, counting_send)
        finally:
            self.metrics.record(
                f"{scope['method']} {self._template(scope)}", counted["in"], counted["out"], counted["status"]
            )
