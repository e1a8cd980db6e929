"""A thread-safe bound on how many requests one hook instance has in flight.

NetSuite counts concurrent requests per account (5 on many tiers) across every integration; the
Airflow pool ``netsuite_api`` caps our share across tasks, and this bound keeps the parallel calls
*inside* one task within that share. A slot is held for one HTTP attempt, never across a backoff wait.
"""

from __future__ import annotations

import threading
from collections.abc import Generator
from contextlib import contextmanager


class ConcurrencyBound:
    """At most ``limit`` holders at a time; also records the peak, for tests and benchmarks."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError(f"concurrency limit must be at least 1, got {limit}")
        self.limit = limit
        self._slots = threading.BoundedSemaphore(limit)
        self._lock = threading.Lock()
        self._in_flight = 0
        self.peak = 0

    @contextmanager
    def slot(self) -> Generator[None]:
        """Hold one slot for the duration of the block (blocks while all slots are taken)."""
        with self._slots:
            with self._lock:
                self._in_flight += 1
                self.peak = max(self.peak, self._in_flight)
            try:
                yield
            finally:
                with self._lock:
                    self._in_flight -= 1

    @property
    def in_flight(self) -> int:
        with self._lock:
            return self._in_flight
