"""Slack alerts: systemic task failures, quarantine digests, recovery, freshness deadlines (deduplicated)."""

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
