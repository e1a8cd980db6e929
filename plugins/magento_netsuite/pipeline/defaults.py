"""What every flow DAG shares: default_args (owner, retry policy, failure alert), the NetSuite pool and its
slots, and the Params of the trigger form.

The ``netsuite_api`` pool bounds *requests*, not tasks: a task that talks to NetSuite takes as many
slots as the parallel requests it makes (``MNS_NETSUITE_REQUEST_SLOTS``, read at parse time, default
2), and the kit caps the hook's parallelism at the task's ``pool_slots``. A pool of 5 slots then keeps
our share of the account's concurrency limit at 5 in-flight requests, across every DAG and worker.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

from airflow.sdk import ExceptionRetryPolicy, Param, RetryAction, RetryRule

from magento_netsuite.alerts import task_failure_alert
from magento_netsuite.config import NETSUITE_POOL
from magento_netsuite.connectors.errors import AuthError, TransientError

OWNER = "integrations"
REQUEST_SLOTS_ENV = "MNS_NETSUITE_REQUEST_SLOTS"


def netsuite_request_slots() -> int:
    """Parallel NetSuite requests per task, i.e. the ``netsuite_api`` pool slots each such task takes."""
    raw = os.environ.get(REQUEST_SLOTS_ENV, "2")
    try:
        slots = int(raw)
    except ValueError:
        raise ValueError(f"environment variable {REQUEST_SLOTS_ENV} must be a whole number, got {raw!r}") from None
    if slots < 1:
        raise ValueError(f"environment variable {REQUEST_SLOTS_ENV} must be at least 1, got {slots}")
    return slots


def netsuite_pool() -> dict[str, Any]:
    """``@task(**netsuite_pool())``: the task runs in ``netsuite_api`` with one slot per parallel request."""
    return {"pool": NETSUITE_POOL, "pool_slots": netsuite_request_slots()}


def retry_policy(*fail_at_once: tuple[type[Exception], str]) -> ExceptionRetryPolicy:
    """Auth errors fail at once (every retry would fail the same way); transient ones back off.
    ``fail_at_once`` adds the flow's own (exception, reason) pairs that no retry can fix."""
    rules = [RetryRule(exception=AuthError, action=RetryAction.FAIL, reason="credentials refused: fix the connection")]
    rules += [RetryRule(exception=exc, action=RetryAction.FAIL, reason=why) for exc, why in fail_at_once]
    rules.append(RetryRule(exception=TransientError, action=RetryAction.RETRY, reason="API busy or down: back off"))
    return ExceptionRetryPolicy(rules=rules)


def default_args(
    *,
    retries: int = 3,
    retry_delay: timedelta = timedelta(seconds=30),
    max_retry_delay: timedelta = timedelta(minutes=10),
    fail_at_once: tuple[tuple[type[Exception], str], ...] = (),
) -> dict[str, Any]:
    """Owner, exponential backoff (Airflow 3.3 takes the multiplier as a float), the retry policy and
    the failure alert (Slack, with what/why/how and the links)."""
    return {
        "owner": OWNER,
        "retries": retries,
        "retry_delay": retry_delay,
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": max_retry_delay,
        "retry_policy": retry_policy(*fail_at_once),
        "on_failure_callback": task_failure_alert,
    }


def since_param() -> Param:
    """The backfill Param of every flow's trigger form: read from this time instead of the cursor."""
    return Param(
        None,
        type=["null", "string"],
        format="date-time",
        title="Backfill since",
        description=(
            "Leave empty for a normal run (everything changed after the flow's cursor). A date-time "
            "(ISO-8601, UTC) re-reads from there; the cursor never moves backwards, and nothing is "
            "written twice."
        ),
    )
