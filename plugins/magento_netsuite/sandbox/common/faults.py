"""Fault injection shared by both sandboxes.

A :class:`FaultInjector` holds the active faults and the latency setting; :class:`FaultMiddleware`
(pure ASGI, so concurrent requests overlap) applies them to every API request (paths under
``/_sandbox/`` are never faulted). Record-level rejections are not applied by the middleware: the
app asks :meth:`FaultInjector.record_rejection` with the record key wherever that key appears
(an order increment id, a SKU, an externalId ...) and renders the error with its renderer.

Kinds (``Fault.kind``):

* ``latency``: add ``seconds`` (+ uniform ``jitter`` seconds) before answering matching requests.
* ``timeout``: hold matching requests ``seconds`` before answering (clients with a shorter
  timeout see a timeout).
* ``status``: answer ``status`` (429, 500, 503 ...) with the system's error body.
* ``auth``: answer the system's 401.
* ``record``: reject the record whose key equals ``key`` with the system's record error.
* ``lost_answer``: the request is carried out in full (a POST creates its record), then the answer
  is dropped: the client waits ``seconds`` and then sees ``status`` (503 by default) instead, the
  "outcome unknown" case of a timeout after the body went out, a connection reset or a gateway 5xx.

Scope: ``path`` (regex searched in the request path, optional), ``method`` (optional), ``count``
(apply to the next N matching requests; ``None`` = until cleared), ``share`` (probability
0..1 per matching request, drawn from a seeded generator so runs repeat).
"""

from __future__ import annotations

import asyncio
import itertools
import random
import re
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

FaultKind = Literal["latency", "timeout", "status", "auth", "record", "lost_answer"]
CONTROL_PREFIX = "/_sandbox"


class Fault(BaseModel):
    """One injected fault, as posted to ``POST /_sandbox/faults``."""

    kind: FaultKind
    path: str | None = Field(default=None, description="regex searched in the request path; None = every path")
    method: str | None = None
    count: int | None = Field(default=None, ge=1, description="next N matching requests; None = until cleared")
    share: float = Field(default=1.0, ge=0.0, le=1.0)
    status: int = Field(default=503, ge=400, le=599)
    seconds: float = Field(default=0.0, ge=0.0, le=600.0)
    jitter: float = Field(default=0.0, ge=0.0, le=600.0)
    key: str | None = None
    message: str | None = None
    field: str | None = None

    @field_validator("path")
    @classmethod
    def _valid_regex(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"path is not a valid regex: {exc}") from exc
        return value

    def model_post_init(self, _context: Any) -> None:
        if self.kind == "record" and not self.key:
            raise ValueError("a 'record' fault needs the record 'key' to reject")


class LatencyConfig(BaseModel):
    """Latency added to every API request (``POST /_sandbox/config``)."""

    latency_ms: float = Field(default=0.0, ge=0.0)
    jitter_ms: float = Field(default=0.0, ge=0.0)
    latency_path: str | None = None


@dataclass
class ErrorRenderer:
    """How a system spells its errors; each callable returns the complete response."""

    status_error: Callable[[int], Response]
    auth_error: Callable[[], Response]
    record_error: Callable[[str, str | None, str | None], Response]
    """(record key, message or None for the default, field path or None) → response."""


@dataclass
class ActiveFault:
    id: int
    fault: Fault
    pattern: re.Pattern[str] | None
    remaining: int | None
    injected: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.remaining == 0:
            return False
        if self.fault.method and self.fault.method.upper() != method.upper():
            return False
        return self.pattern is None or self.pattern.search(path) is not None

    def describe(self) -> dict[str, Any]:
        return {"id": self.id, **self.fault.model_dump(), "remaining": self.remaining, "injected": self.injected}


class FaultInjector:
    """The active faults and latency of one sandbox, plus counters of what was injected and served."""

    def __init__(self, renderer: ErrorRenderer, seed: int = 0) -> None:
        self.renderer = renderer
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._rng = random.Random(seed)
        self._faults: list[ActiveFault] = []
        self.latency = LatencyConfig()
        self._latency_pattern: re.Pattern[str] | None = None
        self.injected: Counter[str] = Counter()
        self.served = 0
        self.delayed = 0
        self.delayed_ms = 0.0
        self.in_flight = 0
        self.peak_in_flight = 0

    # -- configuration
    def add(self, fault: Fault) -> int:
        with self._lock:
            active = ActiveFault(next(self._ids), fault, re.compile(fault.path) if fault.path else None, fault.count)
            self._faults.append(active)
            return active.id

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def set_latency(self, latency: LatencyConfig) -> None:
        with self._lock:
            self.latency = latency
            self._latency_pattern = re.compile(latency.latency_path) if latency.latency_path else None

    def reset(self) -> None:
        """Clear faults, latency and counters."""
        with self._lock:
            self._faults.clear()
            self.latency = LatencyConfig()
            self._latency_pattern = None
            self.injected.clear()
            self.served = 0
            self.delayed = 0
            self.delayed_ms = 0.0
            self.peak_in_flight = self.in_flight

    def describe(self) -> dict[str, Any]:
        with self._lock:
            return {
                "faults": [active.describe() for active in self._faults],
                "latency": self.latency.model_dump(),
                "counters": {
                    "injected": dict(self.injected),
                    "served": self.served,
                    "delayed": self.delayed,
                    "delayed_ms": round(self.delayed_ms, 3),
                    "in_flight": self.in_flight,
                    "peak_in_flight": self.peak_in_flight,
                },
            }

    # -- decisions
    def _take(self, kinds: tuple[str, ...], method: str, path: str, key: str | None = None) -> ActiveFault | None:
        with self._lock:
            for active in self._faults:
                if active.fault.kind not in kinds or not active.matches(method, path):
                    continue
                if key is not None and active.fault.key != key:
                    continue
                if active.fault.share < 1.0 and self._rng.random() >= active.fault.share:
                    continue
                if active.remaining is not None:
                    active.remaining -= 1
                active.injected += 1
                self.injected[active.fault.kind] += 1
                return active
            return None

    def delay_for(self, method: str, path: str) -> float:
        """Seconds of latency to add to this request (configured latency + latency faults)."""
        delay = 0.0
        with self._lock:
            latency, pattern = self.latency, self._latency_pattern
        if (latency.latency_ms or latency.jitter_ms) and (pattern is None or pattern.search(path)):
            delay += (latency.latency_ms + self._rng.uniform(0, latency.jitter_ms)) / 1000
        active = self._take(("latency",), method, path)
        if active is not None:
            delay += active.fault.seconds + self._rng.uniform(0, active.fault.jitter)
        if delay > 0:
            with self._lock:
                self.delayed += 1
                self.delayed_ms += delay * 1000
        return delay

    def request_fault(self, method: str, path: str) -> ActiveFault | None:
        """The timeout / status / auth / lost-answer fault this request hits, if any (consumes one use)."""
        return self._take(("timeout", "auth", "status", "lost_answer"), method, path)

    def record_fault(self, key: str, method: str = "", path: str = "") -> Fault | None:
        """The ``record`` fault targeting ``key`` (consumes one use), for apps that report it in-band."""
        active = self._take(("record",), method, path, key=key)
        return None if active is None else active.fault

    def record_rejection(self, key: str, method: str = "", path: str = "") -> Response | None:
        """The error response if a ``record`` fault targets ``key`` (consumes one use), else None."""
        fault = self.record_fault(key, method, path)
        if fault is None:
            return None
        return self.renderer.record_error(key, fault.message, fault.field)

    def count_served(self) -> None:
        with self._lock:
            self.served += 1

    def entered(self) -> None:
        """A request is being answered (``peak_in_flight``: the most answered at once, for overlap tests)."""
        with self._lock:
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)

    def left(self) -> None:
        with self._lock:
            self.in_flight -= 1


class FaultMiddleware:
    """ASGI middleware applying latency, timeout, status and auth faults to API requests."""

    def __init__(self, app: ASGIApp, injector: FaultInjector) -> None:
        self.app = app
        self.injector = injector

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        self.injector.entered()
        try:
            await self._answer(scope, receive, send)
        finally:
            self.injector.left()

    async def _answer(self, scope: Scope, receive: Receive, send: Send) -> None:
        method, path = scope["method"], scope["path"]
        delay = self.injector.delay_for(method, path)
        if delay > 0:
            await asyncio.sleep(delay)
        active = self.injector.request_fault(method, path)
        self.injector.count_served()
        if active is None:
            await self.app(scope, receive, send)
            return
        kind = active.fault.kind
        if kind == "lost_answer":
            await self.app(scope, receive, _discard)
            await asyncio.sleep(active.fault.seconds)
            await self.injector.renderer.status_error(active.fault.status)(scope, receive, send)
            return
        if kind == "timeout":
            await asyncio.sleep(active.fault.seconds)
            await self.app(scope, receive, send)
            return
        response = (
            self.injector.renderer.auth_error()
            if kind == "auth"
            else self.injector.renderer.status_error(active.fault.status)
        )
        await response(scope, receive, send)


async def _discard(_message: Any) -> None:
    """An ASGI ``send`` that drops the answer (the request itself was carried out)."""


def json_error(status: int, body: Any, headers: dict[str, str] | None = None) -> JSONResponse:
    """A JSON error response (helper for renderers)."""
    return JSONResponse(body, status_code=status, headers=headers)
