"""The ``/_sandbox/`` control endpoints both sandboxes share (faults, metrics, config).

``instrument(app, renderer)`` wires the fault and metrics middleware into an app and returns the
:class:`Instruments`; ``control_router(instruments, on_config=...)`` returns the router:

* ``POST /_sandbox/faults``: a :class:`Fault` or ``{"faults": [Fault, ...]}`` → ``{"ids": [...]}``
* ``GET /_sandbox/faults``: active faults, latency and counters (injected per kind, served)
* ``DELETE /_sandbox/faults``: clear faults and latency (counters stay)
* ``GET /_sandbox/metrics`` / ``POST /_sandbox/metrics/reset``
* ``POST /_sandbox/config``: ``latency_ms``, ``jitter_ms``, ``latency_path`` plus whatever keys the
  app's ``on_config`` hook accepts (it gets the remaining keys, returns its current settings and
  raises ``ValueError`` for keys it does not know).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Body, FastAPI, HTTPException
from pydantic import ValidationError

from magento_netsuite.sandbox.common.faults import ErrorRenderer, Fault, FaultInjector, FaultMiddleware, LatencyConfig
from magento_netsuite.sandbox.common.metrics import Metrics, MetricsMiddleware

ConfigHook = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass
class Instruments:
    injector: FaultInjector
    metrics: Metrics = field(default_factory=Metrics)


def instrument(app: FastAPI, renderer: ErrorRenderer, seed: int = 0) -> Instruments:
    """Add fault injection (inner) and metrics (outer, so injected errors are counted too) to ``app``."""
    instruments = Instruments(FaultInjector(renderer, seed=seed))
    app.add_middleware(FaultMiddleware, injector=instruments.injector)
    app.add_middleware(MetricsMiddleware, metrics=instruments.metrics, router=app.router)
    return instruments


def _bad_request(message: str) -> HTTPException:
    return HTTPException(status_code=400, detail=message)


def control_router(instruments: Instruments, on_config: ConfigHook | None = None) -> APIRouter:
    router = APIRouter(prefix="/_sandbox", tags=["sandbox control"])
    injector, metrics = instruments.injector, instruments.metrics

    @router.post("/faults")
    async def add_faults(body: dict[str, Any] = Body(...)) -> dict[str, Any]:  # ruff: ignore[function-call-in-default-argument] - FastAPI idiom
        raw = body.get("faults", [body])
        try:
            faults = [Fault.model_validate(item) for item in raw]
        except ValidationError as exc:
            raise _bad_request(f"invalid fault: {exc.errors(include_url=False)}") from exc
        return {"ids": [injector.add(fault) for fault in faults]}

    @router.get("/faults")
    async def list_faults() -> dict[str, Any]:
        return injector.describe()

    @router.delete("/faults")
    async def clear_faults() -> dict[str, Any]:
        injector.clear()
        injector.set_latency(LatencyConfig())
        return injector.describe()

    @router.get("/metrics")
    async def get_metrics() -> dict[str, Any]:
        return metrics.snapshot()

    @router.post("/metrics/reset")
    async def reset_metrics() -> dict[str, Any]:
        metrics.reset()
        return metrics.snapshot()

    @router.post("/config")
    async def set_config(body: dict[str, Any] = Body(...)) -> dict[str, Any]:  # ruff: ignore[function-call-in-default-argument] - FastAPI idiom
        latency_keys = set(LatencyConfig.model_fields)
        latency_part = {k: v for k, v in body.items() if k in latency_keys}
        rest = {k: v for k, v in body.items() if k not in latency_keys}
        if latency_part:
            try:
                injector.set_latency(LatencyConfig.model_validate(injector.latency.model_dump() | latency_part))
            except (ValidationError, re.error) as exc:
                raise _bad_request(f"invalid latency config: {exc.errors(include_url=False)}") from exc
        app_config: dict[str, Any] = {}
        if on_config is not None:
            try:
                app_config = on_config(rest)
            except ValueError as exc:
                raise _bad_request(str(exc)) from exc
        elif rest:
            raise _bad_request(f"unknown config keys: {sorted(rest)}")
        return injector.latency.model_dump() | app_config

    return router
