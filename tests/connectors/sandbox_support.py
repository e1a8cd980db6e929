"""Helpers for the connector tests that run against the real sandboxes (never mocks)."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx


class Control:
    """The sandbox's ``/_sandbox/`` control endpoints."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")

    def fault(self, **fault: Any) -> None:
        httpx.post(f"{self.url}/_sandbox/faults", json=fault, timeout=10).raise_for_status()

    def config(self, **settings: Any) -> dict:
        response = httpx.post(f"{self.url}/_sandbox/config", json=settings, timeout=10)
        response.raise_for_status()
        return response.json()

    def clean(self) -> None:
        """No faults, no request still held (a timeout fault outlives the client that gave up), no counts."""
        httpx.delete(f"{self.url}/_sandbox/faults", timeout=10).raise_for_status()
        self.wait_idle()
        httpx.post(f"{self.url}/_sandbox/metrics/reset", timeout=10).raise_for_status()

    def counters(self) -> dict:
        return httpx.get(f"{self.url}/_sandbox/faults", timeout=10).json()["counters"]

    def wait_idle(self, patience: float = 30.0) -> None:
        """Until the sandbox answers no request (patience is a safety net, not a speed bound)."""
        deadline = time.monotonic() + patience
        while self.counters()["in_flight"] and time.monotonic() < deadline:
            time.sleep(0.05)

    def metrics(self) -> dict:
        return httpx.get(f"{self.url}/_sandbox/metrics", timeout=10).json()

    def calls(self, endpoint_part: str = "") -> int:
        """Calls served whose endpoint name contains ``endpoint_part`` (all calls when empty)."""
        return sum(s["calls"] for name, s in self.metrics()["endpoints"].items() if endpoint_part in name)

    def errors(self) -> int:
        return self.metrics()["totals"]["errors"]

    def injected(self) -> dict:
        return httpx.get(f"{self.url}/_sandbox/faults", timeout=10).json()["counters"]["injected"]


def set_connection(monkeypatch, conn_id: str, connection_json: str, **extra_overrides: Any) -> str:
    """Point ``AIRFLOW_CONN_<ID>`` at a sandbox connection JSON, with extras overridden."""
    conn = json.loads(connection_json)
    conn["extra"] = {**conn.get("extra", {}), **extra_overrides}
    monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(conn))
    return conn_id
