"""The task functions of the ``error_queue_replay`` DAG: claim → replay per flow → report.

Rows are claimed under ``error_queue_replay:<run_id>``, so two concurrent runs never share a row; a
failing per-flow replay reopens the rows it still holds before it fails. These functions use the
``mns_store`` connection only, never Airflow's metadata DB.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from magento_netsuite.errorqueue.replay import ReplaySummary, claim, claim_id, load_handlers, replay_flow
from magento_netsuite.errorqueue.store import ErrorQueueStore

log = logging.getLogger(__name__)


def claim_rows(params: Mapping[str, Any], run_id: str) -> list[str]:
    """Claim the rows the run was asked for; returns the flows that have claimed rows (one task each)."""
    ids = [int(i) for i in params.get("ids") or []]
    flow = params.get("flow") or None
    all_open = bool(params.get("all_open"))
    if ids and (flow or all_open):
        raise ValueError("error_queue_replay: give ids, or a flow, or all_open, not several")
    if not ids and not flow and not all_open:
        raise ValueError(
            'error_queue_replay: nothing selected: pass {"ids": [...]}, {"flow": "..."} or {"all_open": true}'
        )
    handlers = load_handlers()
    if flow and flow not in handlers:
        raise LookupError(f"error_queue_replay: flow {flow!r} has no replay handler (known: {sorted(handlers)})")
    claimed = claim(
        ErrorQueueStore.from_connection(), by=claim_id(run_id), ids=ids, flow=flow, all_open=all_open and not flow
    )
    if not claimed:
        log.warning(
            "error_queue_replay %s: none of the selected rows is open (already retrying, resolved or ignored)", run_id
        )
    return sorted(claimed)


def replay_claimed_flow(flow: str, run_id: str) -> dict[str, Any]:
    load_handlers()
    return replay_flow(ErrorQueueStore.from_connection(), flow, by=claim_id(run_id), run_id=run_id).as_dict()


def report(summaries: Iterable[Mapping[str, Any]], run_id: str) -> dict[str, Any]:
    """Add up the per-flow summaries into one (logged, and returned for XCom)."""
    total = ReplaySummary(claim=claim_id(run_id))
    for summary in summaries or ():
        total.add(ReplaySummary(**summary))
    log.info("%s", total.line())
    return total.as_dict()
