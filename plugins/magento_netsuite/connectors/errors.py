"""Errors the pipeline can act on, built from the real error bodies of both APIs.

Every error knows its ``error_class`` (the error queue's vocabulary), so the pipeline never has to
parse messages to decide what to do:

* ``AuthError``: never retried; fails the task and alerts at once (all syncs fail until fixed).
* ``TransientError``: timeouts, connection errors, 429, 5xx, concurrency limits; retried with
  backoff inside the hook, then by Airflow.
* ``RecordError``: the target rejected this one record (bad value, bad reference); it goes to the
  error queue with the exact field path and the run goes on.
* ``NotFoundError``: the record does not exist (e.g. NetSuite ``NONEXISTENT_ID``, Magento 404).
"""

from __future__ import annotations

from typing import Any


class SyncError(Exception):
    """Base class: a failure talking to Magento or NetSuite."""

    error_class = "unexpected"

    def __init__(
        self,
        message: str,
        *,
        system: str | None = None,
        status: int | None = None,
        code: str | None = None,
        field_path: str | None = None,
        details: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.system = system
        self.status = status
        self.code = code
        self.field_path = field_path
        self.details = details

    def __str__(self) -> str:
        parts = [self.message]
        if self.code:
            parts.append(f"code={self.code}")
        if self.field_path:
            parts.append(f"field={self.field_path}")
        if self.status:
            parts.append(f"http={self.status}")
        prefix = f"{self.system}: " if self.system else ""
        return prefix + " ".join(parts)


class AuthError(SyncError):
    """Credentials refused. Never retried: every sync fails until someone fixes the connection."""

    error_class = "auth"


class TransientError(SyncError):
    """Worth retrying later: timeout, connection reset, 429, 5xx, concurrency limit."""

    error_class = "transient_exhausted"


class RecordError(SyncError):
    """The target system rejected this record; ``field_path`` names the field when it is known."""

    error_class = "validation"


class NotFoundError(SyncError):
    """The addressed record does not exist."""

    error_class = "not_found"
