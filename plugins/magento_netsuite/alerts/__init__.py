"""Slack alerts: systemic task failures, quarantine digests, recovery, freshness deadlines (deduplicated).

How a flow DAG uses them::

    from magento_netsuite.alerts import flow_success_callback, freshness_deadline, task_failure_alert

    @dag(
        default_args={"on_failure_callback": task_failure_alert, ...},
        deadline=freshness_deadline(FLOW, DAG_ID, 2 * SCHEDULE),  # "older than twice its schedule"
        tags=[FLOW, ...],  # the flow name as a tag (or a ``flow`` param) names the flow in alerts
    )
    ...
    last_task.on_success_callback = flow_success_callback  # on the final task: the flow recovered

and the quarantine step calls ``send_quarantine_digest(flow, dag_id, run_id, counts, top_reasons)``.
Put ``flow_success_callback`` on the *last* task (or the DAG): on an early task it would announce
"resolved" while a later task is still failing.
"""

from magento_netsuite.alerts.notify import (
    flow_success_callback,
    freshness_deadline,
    freshness_missed,
    send_quarantine_digest,
    send_recovered,
    task_failure_alert,
)

__all__ = [
    "flow_success_callback",
    "freshness_deadline",
    "freshness_missed",
    "send_quarantine_digest",
    "send_recovered",
    "task_failure_alert",
]
