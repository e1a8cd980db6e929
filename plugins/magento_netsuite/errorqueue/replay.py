"""Replay: send quarantined records back through their own flow, re-read fresh from the source.

Each flow registers a :class:`ReplayHandler` when its module is imported (``register_handler``).
A replay runs in three steps, which the ``error_queue_replay`` DAG maps onto tasks and the CLI runs
in-process:

1. :func:`claim` moves the selected ``open`` rows to ``retrying`` under one claim id (atomic: two
   replays of the same rows never both get a row, so nothing is loaded twice);
2. :func:`replay_flow` takes the claimed rows of one flow in batches: a row whose record was synced
   after the row was last seen is resolved as superseded without a retry (the stale-retry guard);
   the others are re-read from the source by key (the stored payload only when the source no longer
   has the record, and the row says so), processed by the flow's own transform + load, then
   resolved or re-queued with the new error;
3. when a flow's replay fails (the source or target is down, credentials refused), :func:`release`
   reopens the rows it still holds, so no row stays ``retrying``; a person retries them later.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import pkgutil
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Protocol, runtime_checkable

from magento_netsuite.config import FLOWS_PACKAGE
from magento_netsuite.errorqueue.records import QuarantineRecord, RecordOutcome, Status
from magento_netsuite.errorqueue.store import (
    PAYLOAD_FROM_SOURCE,
    PAYLOAD_STORED_FALLBACK,
    SUPERSEDED,
    ErrorQueueStore,
    ErrorRow,
)

log = logging.getLogger(__name__)

HANDLER_MODULES_ENV = "MNS_REPLAY_HANDLER_MODULES"
REPLAY_DAG_ID = "error_queue_replay"
REPLAY_TASK_ID = "replay_flow"
"""The replay DAG's task that replays one flow: mapped (one instance per flow), so a row it re-queues
links to the run's mapped instances of it, not to an unmapped task."""
CLI_RUN_PREFIX = "cli__"
"""Run ids of replays the CLI ran in its own process: Airflow has no such run to link to."""
BATCH_SIZE = 200


@runtime_checkable
class ReplayHandler(Protocol):
    """What a flow provides so its quarantined records can be retried."""

    flow: str
    entity: str

    def reread(self, keys: list[str]) -> dict[str, dict[str, Any] | None]:
        """The current source payload of each key; ``None`` (or absent) when the source no longer has it."""
        ...

    def process(self, records: list[tuple[str, dict[str, Any]]], *, run_id: str) -> list[RecordOutcome]:
        """The flow's own transform + load of ``(key, payload)`` pairs: one outcome per key."""
        ...


_HANDLERS: dict[str, ReplayHandler] = {}


def register_handler(handler: ReplayHandler) -> ReplayHandler:
    """Register (or, on re-import, replace) the handler of ``handler.flow``."""
    if not isinstance(handler, ReplayHandler):
        raise TypeError(f"{handler!r} is not a ReplayHandler (needs flow, entity, reread(), process())")
    _HANDLERS[handler.flow] = handler
    return handler


def get_handler(flow: str) -> ReplayHandler:
    try:
        return _HANDLERS[flow]
    except KeyError:
        raise LookupError(
            f"no replay handler registered for flow {flow!r} (registered: {sorted(_HANDLERS) or 'none'}); "
            f"its module must call register_handler() on import, from magento_netsuite.flows or {HANDLER_MODULES_ENV}"
        ) from None


def load_handlers() -> dict[str, ReplayHandler]:
    """Import each flow's declaration (``magento_netsuite.flows.<flow>.flow``, which registers its
    handler) plus the modules in ``MNS_REPLAY_HANDLER_MODULES``.

    Discovery by module name, like an entry point: the queue sits below the flows and never imports
    them statically, and only a replay pays for importing them."""
    flows = importlib.import_module(FLOWS_PACKAGE)
    names = [
        f"{FLOWS_PACKAGE}.{m.name}.flow"
        for m in pkgutil.iter_modules(flows.__path__)
        if m.ispkg and importlib.util.find_spec(f"{FLOWS_PACKAGE}.{m.name}.flow") is not None
    ]
    names += [n.strip() for n in os.environ.get(HANDLER_MODULES_ENV, "").split(",") if n.strip()]
    for name in names:
        importlib.import_module(name)
    return dict(_HANDLERS)


@dataclass
class ReplaySummary:
    """What a replay did; small enough for XCom and a log line."""

    claim: str
    claimed: int = 0
    loaded: int = 0
    requeued: int = 0
    superseded: int = 0
    stored_payload: int = 0
    gone: int = 0  # finished elsewhere while claimed (a regular sync resolved the row meanwhile)
    by_flow: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, other: ReplaySummary) -> None:
        for name in ("claimed", "loaded", "requeued", "superseded", "stored_payload", "gone"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for flow, counts in other.by_flow.items():
            mine = Counter(self.by_flow.get(flow, {}))
            mine.update(counts)
            self.by_flow[flow] = dict(mine)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def line(self) -> str:
        return (
            f"replay {self.claim}: claimed={self.claimed} loaded={self.loaded} requeued={self.requeued} "
            f"superseded={self.superseded} (stored payload used for {self.stored_payload})"
        )


def claim_id(run_id: str) -> str:
    """The claim id of a replay run: rows it holds carry it in ``claimed_by``."""
    return f"{REPLAY_DAG_ID}:{run_id}"


def claim(
    store: ErrorQueueStore,
    *,
    by: str,
    ids: Iterable[int] | None = None,
    flow: str | None = None,
    all_open: bool = False,
) -> dict[str, int]:
    """Claim the selected open rows (ids, or every open row of a flow, or every open row) for ``by``.

    Returns ``{flow: rows claimed}``. Rows that are not open (already retrying under another replay,
    resolved, ignored) are not claimed."""
    ids = sorted({int(i) for i in ids or ()})
    chosen = sum((bool(ids), flow is not None, bool(all_open)))
    if chosen != 1:
        raise ValueError("choose exactly one of: ids, flow, all_open")
    if not ids:
        ids = store.open_ids(flow=flow)
    rows = store.mark_retrying(ids, by=by)
    claimed = dict(Counter(r.flow for r in rows))
    log.info("claimed %d row(s) for %s: %s", len(rows), by, claimed)
    return claimed


def replay_flow(
    store: ErrorQueueStore, flow: str, *, by: str, run_id: str, batch_size: int = BATCH_SIZE
) -> ReplaySummary:
    """Replay every row of ``flow`` that ``by`` holds, batch by batch, until it holds none."""
    summary = ReplaySummary(claim=by)
    try:
        handler = get_handler(flow)
        while rows := store.claimed(by, flow=flow, limit=batch_size):
            summary.add(_replay_batch(store, handler, rows, by=by, run_id=run_id))
    except Exception:
        release(store, by, flow=flow)  # the rows show as open again; the next Retry takes them
        raise
    log.info("%s", summary.line())
    return summary


def _replay_batch(
    store: ErrorQueueStore, handler: ReplayHandler, rows: list[ErrorRow], *, by: str, run_id: str
) -> ReplaySummary:
    flow = handler.flow
    summary = ReplaySummary(claim=by, claimed=len(rows))
    counts: Counter[str] = Counter(claimed=len(rows))

    # Stale-retry guard: a newer successful sync of the record makes this row's payload yesterday's news.
    synced = store.last_synced(flow, [r.record_key for r in rows])
    todo: list[ErrorRow] = []
    for row in rows:
        if row.record_key in synced and synced[row.record_key] > row.last_seen:
            done = store.finish_retry(row.id, how=SUPERSEDED, by=by, event="superseded")
            counts["superseded" if done else "gone"] += 1
        else:
            todo.append(row)

    if todo:
        fresh = handler.reread([r.record_key for r in todo])
        sources: dict[str, str] = {}
        records: list[tuple[str, dict[str, Any]]] = []
        for row in todo:
            payload = fresh.get(row.record_key)
            if payload is None:
                payload, sources[row.record_key] = row.payload, PAYLOAD_STORED_FALLBACK
                counts["stored_payload"] += 1
            else:
                sources[row.record_key] = PAYLOAD_FROM_SOURCE
            records.append((row.record_key, payload))
        outcomes = {o.key: o for o in handler.process(records, run_id=run_id)}
        loaded_keys = []
        for (key, payload), row in zip(records, todo, strict=True):
            outcome = outcomes.get(key)
            if outcome is not None and outcome.status in (Status.LOADED, Status.UNCHANGED):
                how = "loaded on retry" if outcome.status is Status.LOADED else "already in sync on retry"
                done = store.finish_retry(row.id, how=f"{how} ({run_id})", by=by, payload_source=sources[key])
                counts["loaded" if done else "gone"] += 1
                loaded_keys.append(key)
                continue
            error = _retry_error(row, outcome, payload, run_id=run_id)
            done = store.requeue(row.id, error, payload_source=sources[key])
            counts["requeued" if done else "gone"] += 1
        if loaded_keys:
            store.mark_synced(flow, loaded_keys)

    for name in ("loaded", "requeued", "superseded", "stored_payload", "gone"):
        setattr(summary, name, counts[name])
    summary.by_flow = {flow: {k: v for k, v in counts.items() if v}}
    return summary


def _retry_error(
    row: ErrorRow, outcome: RecordOutcome | None, payload: dict[str, Any], *, run_id: str
) -> QuarantineRecord:
    """The new error of a row whose retry failed (or that the handler left without an outcome)."""
    if outcome is None or outcome.error is None:
        return QuarantineRecord(
            flow=row.flow,
            entity=row.entity,
            record_key=row.record_key,
            error_class="unexpected",
            message=f"the {row.flow} replay handler returned no outcome for record {row.record_key!r}",
            payload=payload,
            dag_id=REPLAY_DAG_ID,
            run_id=run_id,
        )
    error = outcome.error
    return replace(
        error,
        payload=error.payload or payload,
        dag_id=error.dag_id or REPLAY_DAG_ID,
        run_id=error.run_id or run_id,
    )


def release(store: ErrorQueueStore, by: str, *, flow: str | None = None) -> list[ErrorRow]:
    """Reopen the rows ``by`` could not finish (its replay failed): they show as open again."""
    rows = store.release(by, flow=flow)
    if rows:
        log.warning("%s left %d row(s) unfinished; reopened: %s", by, len(rows), [r.id for r in rows][:20])
    return rows


def replay(
    store: ErrorQueueStore,
    *,
    run_id: str,
    by: str | None = None,
    ids: Iterable[int] | None = None,
    flow: str | None = None,
    all_open: bool = False,
) -> ReplaySummary:
    """Claim, replay every claimed flow, and release anything left: the whole replay in-process (CLI, tests)."""
    by = by or claim_id(run_id)
    load_handlers()
    claimed = claim(store, by=by, ids=ids, flow=flow, all_open=all_open)
    total = ReplaySummary(claim=by)
    try:
        for claimed_flow in sorted(claimed):
            total.add(replay_flow(store, claimed_flow, by=by, run_id=run_id))
    finally:
        release(store, by)
    return total
