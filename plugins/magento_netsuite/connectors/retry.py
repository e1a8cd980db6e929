"""Retries inside a hook: exponential backoff with full jitter, bounded by attempts and elapsed time.

The hook retries what is worth retrying a few times on its own (a 429 burst, a short outage), then
raises :class:`TransientError` so Airflow's task retries (``retry_exponential_backoff``) take over.
The budget is small on purpose: a task that waits minutes inside one call hides the problem.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from magento_netsuite.connectors.errors import TransientError

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How long one call may keep trying.

    ``max_attempts`` counts every try (1 = no retry); ``max_elapsed`` (seconds) bounds the whole call,
    waits included: a retry whose wait would cross it is not made. Delays follow "full jitter"
    (a uniform draw in ``[0, min(max_delay, base_delay * 2**n)]``) so parallel workers that failed
    together do not retry together.
    """

    max_attempts: int = 5
    max_elapsed: float = 120.0
    base_delay: float = 0.5
    max_delay: float = 30.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.max_elapsed <= 0 or self.base_delay < 0 or self.max_delay < 0:
            raise ValueError("max_elapsed must be positive and delays non-negative")

    def backoff(self, failures: int) -> float:
        """The wait before the next try, after ``failures`` failed tries (1-based)."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** (failures - 1)))
        return random.uniform(0, ceiling)

    @classmethod
    def from_extras(cls, extras: dict, *, default_elapsed: float = 120.0) -> RetryPolicy:
        """Read ``max_attempts``, ``max_elapsed``, ``backoff_base``, ``backoff_max`` from connection extras."""
        return cls(
            max_attempts=int(extras.get("max_attempts", cls.max_attempts)),
            max_elapsed=float(extras.get("max_elapsed", default_elapsed)),
            base_delay=float(extras.get("backoff_base", cls.base_delay)),
            max_delay=float(extras.get("backoff_max", cls.max_delay)),
        )


class RetryableFailure(Exception):
    """Internal signal from one try: ``error`` is worth retrying.

    ``applied_safe`` is True when the server surely did not act on the request (429, concurrency
    limit, connection refused), so even a non-idempotent POST may be sent again.
    """

    def __init__(self, error: TransientError, *, applied_safe: bool = False, retry_after: float | None = None):
        super().__init__(str(error))
        self.error = error
        self.applied_safe = applied_safe
        self.retry_after = retry_after


def call_with_retries(
    attempt: Callable[[], T],
    policy: RetryPolicy,
    *,
    describe: str,
    log: logging.Logger,
    idempotent: bool = True,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """Run ``attempt`` until it returns, raises a non-retryable error, or the budget is spent.

    ``describe`` names the call in log lines and errors ("GET /V1/orders"); it must hold no secret.
    A non-idempotent call is retried only when the server surely did not apply it.
    """
    started = clock()
    tries = 0
    while True:
        tries += 1
        try:
            return attempt()
        except RetryableFailure as failure:
            error = failure.error
            what = error.message if error.message.startswith(describe) else f"{describe}: {error.message}"
            elapsed = clock() - started
            if not idempotent and not failure.applied_safe:
                raise _exhausted(error, f"{what} (not retried: the request may have been applied)") from error
            if tries >= policy.max_attempts:
                raise _exhausted(error, f"{what} (gave up after {tries} attempts in {elapsed:.1f}s)") from error
            delay = policy.backoff(tries)
            if failure.retry_after is not None:
                delay = max(delay, min(failure.retry_after, policy.max_delay))
            if elapsed + delay > policy.max_elapsed:
                raise _exhausted(
                    error,
                    f"{what} (gave up after {tries} attempts in {elapsed:.1f}s: retry budget "
                    f"{policy.max_elapsed:g}s spent)",
                ) from error
            log.warning(
                "%s; retry %d of %d in %.2fs",
                what,
                tries,
                policy.max_attempts - 1,
                delay,
            )
            sleep(delay)


def _exhausted(error: TransientError, message: str) -> TransientError:
    return TransientError(
        message,
        system=error.system,
        status=error.status,
        code=error.code,
        field_path=error.field_path,
        details=error.details,
    )
