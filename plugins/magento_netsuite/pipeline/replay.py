"""The replay path of the kit: a retried record goes through its flow's own transform, load and side
effect, and the ``error_queue_replay`` DAG's task bodies (claim → replay per flow → report).

:class:`FlowReplay` adapts a :class:`~.flow.Flow` to the error queue's ``ReplayHandler``; a flow's
declaration registers it (``register_handler(FlowReplay(SPEC))``). The queue claims, re-reads through
the handler, resolves or re-queues (:mod:`magento_netsuite.errorqueue.replay`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from magento_netsuite.errorqueue.records import RecordOutcome
from magento_netsuite.errorqueue.replay import (
    REPLAY_DAG_ID,
    REPLAY_TASK_ID,
    ReplaySummary,
    claim,
    claim_id,
    load_handlers,
    replay_flow,
)
from magento_netsuite.errorqueue.store import ErrorQueueStore
from magento_netsuite.pipeline.flow import REPLAY, Flow
from magento_netsuite.pipeline.outcomes import RunContext

log = logging.getLogger(__name__)


class FlowReplay:
    """The error queue's ``ReplayHandler`` for one flow, built from its declaration."""

    def __init__(self, flow: Flow, request_slots: int | None = None) -> None:
        self.spec = flow
        self.flow = flow.name
        self.entity = flow.entity
        self.request_slots = request_slots
        self.try_number = 1

    def _ctx(self, run_id: str) -> RunContext:
        return RunContext(
            run_id=run_id,
            dag_id=REPLAY_DAG_ID,
            task_id=REPLAY_TASK_ID,
            try_number=self.try_number,
            request_slots=self.request_slots,
        )

    def reread(self, keys: list[str], run_id: str = "replay") -> Mapping[str, dict[str, Any] | None]:
        return self.spec.reread(keys, self._ctx(run_id))

    def process(self, records: list[tuple[str, dict[str, Any]]], *, run_id: str) -> list[RecordOutcome]:
        """Transform (``mode=replay``), load, then the flow's side effect, like a scheduled run."""
        ctx = self._ctx(run_id)
        transformed = self.spec.transform([payload for _, payload in records], ctx, mode=REPLAY)
        ready = list(transformed.ready)  # may be an iterator (a streamed flow); settled is complete after it
        loaded = self.spec.load(ready, ctx) if ready else []
        if self.spec.after_load is not None and ready:
            report = self.spec.after_load(ready, loaded, ctx)
            log.info("replay %s after load: %s", self.flow, report)
        side = {r["key"] for r in ready if r.get("side")}
        return transformed.settled + [o for o in loaded if o.key not in side]


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


def replay_claimed_flow(flow: str, ctx: RunContext) -> dict[str, Any]:
    """Replay the rows of ``flow`` this run holds, inside the task's NetSuite pool slots."""
    handler = load_handlers().get(flow)
    if isinstance(handler, FlowReplay):
        handler.request_slots = ctx.request_slots
        handler.try_number = ctx.try_number or 1
    return replay_flow(ErrorQueueStore.from_connection(), flow, by=claim_id(ctx.run_id), run_id=ctx.run_id).as_dict()


def report(summaries: Sequence[Mapping[str, Any]], run_id: str) -> dict[str, Any]:
    """Add up the per-flow summaries into one (logged, and returned for XCom).

    ``summaries`` is the mapped ``replay_flow``'s lazy XCom sequence: read with one full slice, as
    iterating it ends on a missing index that the worker logs as ``XCom not found``."""
    total = ReplaySummary(claim=claim_id(run_id))
    for summary in summaries[:] if summaries else ():
        total.add(ReplaySummary(**summary))
    log.info("%s", total.line())
    return total.as_dict()
