"""The task functions of ``netsuite_inventory_to_magento``: extract → plan → load (mapped) → summarize.

Rows travel as staged files (``pipeline.staging``); XCom carries only URIs and counts.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from magento_netsuite.alerts import send_quarantine_digest
from magento_netsuite.connectors.errors import SyncError
from magento_netsuite.connectors.magento import MagentoHook
from magento_netsuite.connectors.netsuite import NetSuiteHook
from magento_netsuite.errorqueue.store import ErrorQueueStore
from magento_netsuite.flows.inventory.constants import DAG_ID, DELTA, FLOW, FULL, WATERMARK_OVERLAP_MINUTES
from magento_netsuite.flows.inventory.extract import extract_inventory
from magento_netsuite.flows.inventory.pipeline import load_items, plan
from magento_netsuite.flows.inventory.settings import inventory_settings
from magento_netsuite.flows.inventory.snapshot import Snapshot
from magento_netsuite.flows.inventory.transform import RunContext, row_key
from magento_netsuite.governance import load_mapping_document
from magento_netsuite.pipeline.outcomes import RecordOutcome, Status, summarize
from magento_netsuite.pipeline.staging import read_batch, write_batch

log = logging.getLogger(__name__)


class UnmatchedSkusError(SyncError):
    """Too many NetSuite SKUs are unknown to Magento: a catalogue problem someone must look at."""

    error_class = "reference"


def _outcome_to_dict(o: RecordOutcome) -> dict[str, Any]:
    from dataclasses import asdict

    return {"key": o.key, "status": o.status.value, "error": asdict(o.error) if o.error else None}


def _outcome_from_dict(d: dict[str, Any]) -> RecordOutcome:
    from magento_netsuite.errorqueue.records import QuarantineRecord

    error = QuarantineRecord(**d["error"]) if d.get("error") else None
    return RecordOutcome(d["key"], Status(d["status"]), error=error)


def _quarantine(outcomes: list[RecordOutcome]) -> None:
    records = [o.error for o in outcomes if o.error is not None]
    if records:
        ErrorQueueStore.from_connection().quarantine(records)
        for r in records[:50]:
            log.warning("quarantined %s at %s: %s", r.record_key, r.field_path, r.message)


def extract(mode: str, run_id: str) -> dict[str, Any]:
    """Full (``mode=full``, or no watermark yet) or delta since the last successful extract."""
    if mode not in (FULL, DELTA):
        raise ValueError(f"Param mode must be full or delta, got {mode!r}")
    clock = time.monotonic()
    started = datetime.now(UTC).replace(microsecond=0)
    watermark = Snapshot().watermark(FLOW)
    if mode == DELTA and watermark is None:
        log.info("extract: no successful run yet: this delta reads everything and pushes what the snapshot lacks")
    since = watermark - timedelta(minutes=WATERMARK_OVERLAP_MINUTES) if mode == DELTA and watermark else None
    locations = list(load_mapping_document().value_map("location_to_source").entries)
    rows, source = extract_inventory(NetSuiteHook(), locations, since)
    return {
        "uri": write_batch(FLOW, run_id, "extracted", rows),
        "count": len(rows),
        "mode": mode,
        "source": source,
        "since": since.isoformat() if since else None,
        "started": started.isoformat(),
        "seconds": round(time.monotonic() - clock, 3),
    }


def plan_run(extracted: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
    """Transform, look up unknown SKUs, diff against the snapshot; stage the load chunks."""
    clock = time.monotonic()
    doc = load_mapping_document()
    settings = inventory_settings(doc)
    result = plan(read_batch(extracted["uri"]), extracted["mode"], doc, settings, MagentoHook(), Snapshot(), ctx)
    _quarantine(result.outcomes)
    work = result.push + [{**z, "zeroed": True} for z in result.zero]
    size = settings.chunk_size
    chunks = [
        {"uri": write_batch(FLOW, ctx.run_id, f"load-{n:04d}", work[i : i + size]), "count": len(work[i : i + size])}
        for n, i in enumerate(range(0, len(work), size))
    ]
    return {
        "chunks": chunks,
        "settled_uri": write_batch(FLOW, ctx.run_id, "settled", (_outcome_to_dict(o) for o in result.outcomes)),
        "to_push": len(result.push),
        "to_zero": len(result.zero),
        "unknown_skus": result.unknown_skus[:100],
        "unknown_sku_count": len(result.unknown_skus),
        "skus": result.skus,
        "seconds": round(time.monotonic() - clock, 3),
    }


def load_chunk(chunk: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
    """One mapped load task: push a staged chunk; quarantine per-item refusals."""
    clock = time.monotonic()
    settings = inventory_settings(load_mapping_document())
    items = read_batch(chunk["uri"])
    hook = MagentoHook()
    outcomes = load_items(hook, items, settings, Snapshot(), ctx, workers=hook.concurrency.limit)
    _quarantine(outcomes)
    zeroed = {i["key"] for i in items if i.get("zeroed")}
    counts = Counter(o.status.value for o in outcomes)
    log.info("load chunk: %s", dict(counts))
    rows = ({**_outcome_to_dict(o), "zeroed": o.key in zeroed} for o in outcomes)
    uri = write_batch(FLOW, ctx.run_id, f"loaded-{ctx.map_index:04d}", rows)
    return {"uri": uri, **counts, "seconds": round(time.monotonic() - clock, 3)}


def summarize_run(
    extracted: dict[str, Any], planned: dict[str, Any], loaded: list[dict[str, Any]], run_id: str
) -> dict[str, Any]:
    """extracted = pushed + unchanged + quarantined, by key; advance the watermark; alert on unmatched SKUs."""
    doc = load_mapping_document()
    keys = [row_key(r, doc) for r in read_batch(extracted["uri"])]
    outcomes = [_outcome_from_dict(r) for r in read_batch(planned["settled_uri"])]
    zeroed: list[RecordOutcome] = []
    for part in loaded:
        for row in read_batch(part["uri"]):
            (zeroed if row.get("zeroed") else outcomes).append(_outcome_from_dict(row))
    summary = summarize(
        FLOW,
        run_id,
        keys,
        outcomes,
        extra={
            "mode": extracted["mode"],
            "source": extracted["source"],
            "since": extracted["since"],
            "zeroed": sorted(o.key for o in zeroed if o.status is Status.LOADED),
            "zero_failed": sorted(o.key for o in zeroed if o.status is Status.QUARANTINED),
            "unknown_skus": planned["unknown_skus"],
            "work_seconds": {
                "extract": extracted.get("seconds"),
                "plan": planned.get("seconds"),
                "load": round(sum(part.get("seconds", 0) for part in loaded), 3),
            },
        },
    )
    store = ErrorQueueStore.from_connection()
    pushed = [o.key for o in outcomes + zeroed if o.status is Status.LOADED]
    # resolving is a per-key write: skip it when the flow has no open rows (the usual 150k-row full run)
    has_rows = store.count(flow=FLOW) > 0
    summary.extra["resolved"] = store.synced(FLOW, pushed, by=DAG_ID) if pushed and has_rows else 0
    Snapshot().set_watermark(FLOW, datetime.fromisoformat(extracted["started"]), run_id)
    quarantined = [o for o in outcomes + zeroed if o.status is Status.QUARANTINED]
    if quarantined:
        by_class = Counter(o.error.error_class for o in quarantined if o.error)
        reasons = Counter((o.error.field_path or "", o.error.message.split(":")[0]) for o in quarantined if o.error)
        summary.extra["digest_sent"] = send_quarantine_digest(
            FLOW, DAG_ID, run_id, dict(by_class), [(f, m, n) for (f, m), n in reasons.most_common(5)]
        )
    log.info("%s; zeroed=%d (no longer stocked in NetSuite)", summary.line(), len(summary.extra["zeroed"]))
    for key in summary.extra["zeroed"][:200]:
        log.info("  zeroed %s", key)
    share_limit = inventory_settings(doc).unmatched_alert_share
    unknown, skus = planned["unknown_sku_count"], max(1, planned["skus"])
    if unknown / skus > share_limit:
        raise UnmatchedSkusError(
            f"{unknown} of {skus} SKU(s) ({unknown / skus:.1%}) are unknown to Magento, over the alert share "
            f"{share_limit:.1%} (first: {planned['unknown_skus'][:10]}); the rest of the run was synced",
            system="magento",
        )
    return summary.as_dict()
