"""API budgets: a task's NetSuite hook never makes more parallel requests than its pool slots.

The ``netsuite_api`` pool counts slots, and a task takes ``pool_slots`` of them; this keeps the hook's
own concurrency bound (connection extra ``concurrency``) at or under that number, so the pool bounds
requests in flight across every DAG and worker, not merely tasks.
"""

from __future__ import annotations

from magento_netsuite.connectors.netsuite import NetSuiteHook
from magento_netsuite.pipeline.outcomes import RunContext


def netsuite_hook(ctx: RunContext) -> NetSuiteHook:
    """A NetSuite hook bounded by the smaller of the connection's ``concurrency`` and the task's slots."""
    hook = NetSuiteHook()
    if ctx.request_slots and hook.concurrency.limit > ctx.request_slots:
        hook = NetSuiteHook(max_concurrency=ctx.request_slots)
    return hook
