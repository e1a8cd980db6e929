"""The drift report of one reconciliation: counts per field and kind, a few examples each, and the
Slack summary when the drifted share of customers is above the configured threshold."""

from __future__ import annotations

import logging
import os
from collections import Counter
from typing import Any

from magento_netsuite.flows.customer_reconciliation.compare import Comparison
from magento_netsuite.flows.customer_reconciliation.constants import (
    DAG_ID,
    DEFAULT_THRESHOLD_PERCENT,
    EMAIL_CLAIMED_TWICE,
    EXAMPLES_PER_FIELD,
    MISSING_IN_MAGENTO,
    MISSING_IN_NETSUITE,
    THRESHOLD_ENV,
)

log = logging.getLogger(__name__)
RECORD = "(customer)"
"""The "field" under which customers missing on one side are counted."""


def threshold_percent() -> float:
    raw = os.environ.get(THRESHOLD_ENV)
    if raw in (None, ""):
        return DEFAULT_THRESHOLD_PERCENT
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"environment variable {THRESHOLD_ENV} must be a number (percent), got {raw!r}") from None
    if value < 0:
        raise ValueError(f"environment variable {THRESHOLD_ENV} must be at least 0, got {raw!r}")
    return value


def _example(by_field: dict[str, list[dict[str, Any]]], name: str, example: dict[str, Any]) -> None:
    found = by_field.setdefault(name, [])
    if len(found) < EXAMPLES_PER_FIELD:
        found.append(example)


def build_report(comparison: Comparison, repaired: dict[str, Any], run_id: str) -> dict[str, Any]:
    counts: dict[str, Counter[str]] = {}
    examples: dict[str, list[dict[str, Any]]] = {}
    drifted: set[Any] = set()
    for d in comparison.differences:
        counts.setdefault(d.field, Counter())[d.kind] += 1
        drifted.add(d.customer_id)
        _example(
            examples,
            d.field,
            {
                "customer_id": d.customer_id,
                "kind": d.kind,
                "owner": d.owner,
                "netsuite": d.netsuite,
                "magento": d.magento,
            },
        )
    for kind, missing in (
        (MISSING_IN_MAGENTO, comparison.netsuite_only),
        (MISSING_IN_NETSUITE, comparison.magento_only),
    ):
        for m in missing:
            counts.setdefault(RECORD, Counter())[kind] += 1
            drifted.add(m["customer_id"])
            _example(examples, RECORD, {**m, "kind": kind})
    for conflict in comparison.email_conflicts:
        counts.setdefault("login_email", Counter())[EMAIL_CLAIMED_TWICE] += 1
        drifted.add(conflict["customer_id"] or conflict["email"])
        _example(examples, "login_email", dict(conflict))
    by_kind: Counter[str] = Counter()
    for per_kind in counts.values():
        by_kind.update(per_kind)
    universe = max(1, comparison.compared + len(comparison.netsuite_only) + len(comparison.magento_only))
    percent = round(100.0 * len(drifted) / universe, 3)
    return {
        "run_id": run_id,
        "compared": comparison.compared,
        "netsuite_total": comparison.netsuite_total,
        "magento_total": comparison.magento_total,
        "drifted": len(drifted),
        "differences": sum(by_kind.values()),
        "drift_percent": percent,
        "by_field": {name: dict(c) for name, c in sorted(counts.items())},
        "by_kind": dict(by_kind),
        "examples": examples,
        "repaired": int(repaired.get("repaired_total", 0)),
        "repaired_by_direction": repaired.get("repaired", {}),
        "unrepairable": int(repaired.get("queued", 0)),
        "threshold_percent": threshold_percent(),
    }


def summary_text(report: dict[str, Any], page_url: str) -> str:
    top = sorted(((name, sum(kinds.values())) for name, kinds in report["by_field"].items()), key=lambda x: -x[1])[:5]
    fields = ", ".join(f"{name} {n}" for name, n in top) or "none"
    return (
        f"Customer reconciliation {report['run_id']}: {report['drifted']} of {report['compared']} customers drifted "
        f"({report['drift_percent']}% > threshold {report['threshold_percent']}%). Differences by field: {fields}. "
        f"Repaired {report['repaired']}, to the error queue {report['unrepairable']}. Report: {page_url}"
    )


def alert_if_above(report: dict[str, Any]) -> bool:
    """Post the summary to Slack when the drift is above the threshold; True when Slack accepted it."""
    if report["drift_percent"] <= report["threshold_percent"]:
        return False
    from magento_netsuite.alerts.routing import error_queue_url
    from magento_netsuite.alerts.transport import load_target, post

    target = load_target()
    text = summary_text(report, error_queue_url() + "#drift")
    if target is None:
        log.warning("drift above the threshold and no Slack connection: %s", text)
        return False
    return post(target, text=text, blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": text}}], flow=DAG_ID)
