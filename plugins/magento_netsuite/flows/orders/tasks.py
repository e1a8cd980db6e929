"""The task functions of ``magento_orders_to_netsuite``: extract → prepare → load → write back → summarize.

Batches travel as staged files (``pipeline.staging``); XCom carries only their URIs and counts.
Quarantined orders go to the error queue in the task that found them. Nothing here touches
Airflow's metadata DB: the error queue and alert state live in ``mns_store``.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime
from typing import Any

from magento_netsuite.alerts import send_quarantine_digest
from magento_netsuite.connectors.magento import MagentoHook
from magento_netsuite.connectors.netsuite import NetSuiteHook
from magento_netsuite.errorqueue.store import ErrorQueueStore
from magento_netsuite.flows.orders.constants import DAG_ID, FLOW
from magento_netsuite.flows.orders.extract import extract_orders, extraction_window, orders_by_increment_id
from magento_netsuite.flows.orders.load import load_orders
from magento_netsuite.flows.orders.pipeline import (
    outcome_from_dict,
    outcome_to_dict,
    prepare_orders,
    write_back_targets,
)
from magento_netsuite.flows.orders.settings import overlap_minutes, ready_states
from magento_netsuite.flows.orders.transform import RunContext, order_key
from magento_netsuite.flows.orders.writeback import has_write_back, write_back
from magento_netsuite.governance import load_mapping_document
from magento_netsuite.pipeline.outcomes import RecordOutcome, Status, summarize
from magento_netsuite.pipeline.staging import read_batch, write_batch

log = logging.getLogger(__name__)
TOP_REASONS = 5


def _quarantine(outcomes: list[RecordOutcome]) -> int:
    records = [o.error for o in outcomes if o.error is not None]
    if records:
        ErrorQueueStore.from_connection().quarantine(records)
        for record in records:
            log.warning("quarantined order %s at %s: %s", record.record_key, record.field_path, record.message)
    return len(records)


def extract(data_interval_start: datetime, data_interval_end: datetime, run_id: str) -> dict[str, Any]:
    """Orders ready for the ERP whose ``updated_at`` is in the run's interval (minus the overlap)."""
    since, until = extraction_window(data_interval_start, data_interval_end, overlap_minutes())
    states = ready_states(load_mapping_document())
    orders = extract_orders(MagentoHook(), since, until, states)
    uri = write_batch(FLOW, run_id, "extracted", orders)
    log.info("extract: %d order(s) in state %s updated in [%s, %s)", len(orders), states, since, until)
    return {"uri": uri, "count": len(orders), "since": since.isoformat(), "until": until.isoformat()}


def prepare(extracted: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
    """Transform, look up SKUs and buyers in NetSuite (batched), create missing buyers; quarantine the rest."""
    orders = read_batch(extracted["uri"])
    hook = NetSuiteHook()
    prepared = prepare_orders(orders, hook, load_mapping_document(), ctx, workers=hook.concurrency.limit)
    _quarantine(prepared.quarantined)
    # the Magento payload stays in the extracted batch: a load rejection looks it up there
    ready = ({k: v for k, v in r.items() if k != "payload"} for r in prepared.ready)
    return {
        "extracted_uri": extracted["uri"],
        "ready_uri": write_batch(FLOW, ctx.run_id, "ready", ready),
        "quarantined_uri": write_batch(
            FLOW, ctx.run_id, "quarantined", (outcome_to_dict(o) for o in prepared.quarantined)
        ),
        "ready": len(prepared.ready),
        "quarantined": len(prepared.quarantined),
        "customers_created": prepared.customers_created,
    }


def load(prepared: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
    """Create the new orders in NetSuite (parallel within the hook's concurrency share)."""
    hook = NetSuiteHook()
    outcomes = load_orders(hook, read_batch(prepared["ready_uri"]), ctx, workers=hook.concurrency.limit)
    rejected = [o for o in outcomes if o.error is not None]
    if rejected:
        orders = {order_key(o): o for o in read_batch(prepared["extracted_uri"])}
        for outcome in rejected:
            outcome.error.payload = orders.get(outcome.key, outcome.error.payload)
        _quarantine(rejected)
    counts = Counter(o.status.value for o in outcomes)
    log.info("load: %s", dict(counts))
    return {"uri": write_batch(FLOW, ctx.run_id, "loaded", (outcome_to_dict(o) for o in outcomes)), **counts}


def write_back_ids(prepared: dict[str, Any], loaded: dict[str, Any], try_number: int) -> dict[str, Any]:
    """Comment the NetSuite internal id onto each synced Magento order that lacks it."""
    ready = read_batch(prepared["ready_uri"])
    outcomes = [outcome_from_dict(row) for row in read_batch(loaded["uri"])]
    targets = write_back_targets(ready, outcomes)
    hook = MagentoHook()
    if try_number > 1 and targets:
        # an earlier try may have posted some comments already: look at the orders as they are now
        current = orders_by_increment_id(hook, [t.key for t in targets])
        targets = [t for t in targets if not has_write_back(current.get(t.key) or {})]
    report = write_back(hook, targets, workers=hook.concurrency.limit)
    log.info("write-back: %s", report.as_dict())
    return report.as_dict()


def _top_reasons(outcomes: list[RecordOutcome]) -> list[tuple[str, str, int]]:
    reasons = Counter(
        (o.error.field_path or "", o.error.message.split(";")[0]) for o in outcomes if o.error is not None
    )
    return [(f, m, n) for (f, m), n in reasons.most_common(TOP_REASONS)]


def summarize_run(
    extracted: dict[str, Any], prepared: dict[str, Any], loaded: dict[str, Any], written: dict[str, Any], run_id: str
) -> dict[str, Any]:
    """extracted = loaded + already-synced + quarantined, by key; resolve what synced; digest the rest."""
    keys = [order_key(o) for o in read_batch(extracted["uri"])]
    outcomes = [outcome_from_dict(r) for r in read_batch(prepared["quarantined_uri"])]
    outcomes += [outcome_from_dict(r) for r in read_batch(loaded["uri"])]
    summary = summarize(
        FLOW,
        run_id,
        keys,
        outcomes,
        extra={
            "window": [extracted["since"], extracted["until"]],
            "customers_created": prepared.get("customers_created", 0),
            "write_back": written,
        },
    )
    synced = [o.key for o in outcomes if o.status is not Status.QUARANTINED]
    store = ErrorQueueStore.from_connection()
    resolved = store.resolve(FLOW, synced, how=f"synced by {DAG_ID} {run_id}", by=DAG_ID) if synced else 0
    if synced:
        store.mark_synced(FLOW, synced)
    summary.extra["resolved"] = resolved
    quarantined = [o for o in outcomes if o.status is Status.QUARANTINED]
    if quarantined:
        by_class = Counter(o.error.error_class for o in quarantined if o.error is not None)
        summary.extra["digest_sent"] = send_quarantine_digest(
            FLOW, DAG_ID, run_id, dict(by_class), _top_reasons(quarantined)
        )
    log.info("%s (previously quarantined, now resolved: %d)", summary.line(), resolved)
    for outcome in quarantined:
        assert outcome.error is not None
        log.info("  quarantined %s: %s | fix: %s", outcome.key, outcome.error.message, outcome.error.fix_hint)
    return summary.as_dict()
