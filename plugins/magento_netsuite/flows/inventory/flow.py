"""The inventory flow declared for the kit.

NetSuite's RESTlet pages by item id, not by change time, so this flow declares no record cursor: a
run reads every change after the watermark in one go, and the watermark moves to the run's safe
upper bound. A full run (Param ``mode=full``, or the nightly one) reads everything and zeroes what
NetSuite no longer stocks; the zeroing rows are side work, reported apart from the extracted records.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from magento_netsuite.connectors.magento import MagentoHook
from magento_netsuite.errorqueue.replay import register_handler
from magento_netsuite.flows.inventory.constants import DAG_ID, DELTA, ENTITY, FLOW, FULL
from magento_netsuite.flows.inventory.errors import UnmatchedSkusError
from magento_netsuite.flows.inventory.extract import _suiteql_row, extract_inventory
from magento_netsuite.flows.inventory.pipeline import load_items, plan
from magento_netsuite.flows.inventory.settings import inventory_settings
from magento_netsuite.flows.inventory.snapshot import Snapshot
from magento_netsuite.flows.inventory.transform import row_key
from magento_netsuite.flows.products.constants import FLOW as PRODUCTS_FLOW
from magento_netsuite.governance import load_mapping_document
from magento_netsuite.pipeline.budget import netsuite_hook
from magento_netsuite.pipeline.flow import Flow, Record, Transformed
from magento_netsuite.pipeline.outcomes import RecordOutcome, RunContext
from magento_netsuite.pipeline.replay import FlowReplay
from magento_netsuite.pipeline.requeue import created_since_quarantined
from magento_netsuite.pipeline.watermark import Window

ZEROED = "zeroed"
ROWS_BY_SKU = (
    "SELECT i.id AS item_id, i.itemid AS sku, l.location AS location_id, l.quantityonhand AS on_hand, "
    "l.quantitycommitted AS committed, l.quantityavailable AS available, i.isinactive AS inactive "
    "FROM inventoryitemlocations l JOIN item i ON i.id = l.item WHERE i.itemid IN ({marks}) ORDER BY i.id"
)


def extract(window: Window, ctx: RunContext) -> Any:
    locations = list(load_mapping_document().value_map("location_to_source").entries)
    hook = netsuite_hook(ctx)
    rows, _source = extract_inventory(hook, locations, window.since.at if window.since else None)
    # stock queued as "unknown SKU" whose product the products flow has since created: read it again
    retry = created_since_quarantined(FLOW, PRODUCTS_FLOW, lambda key: key.rsplit("@", 1)[0])
    again = [row for row in reread(retry, ctx).values() if row is not None] if retry else []
    return [rows, again]


def transform(rows: list[Record], ctx: RunContext, *, mode: str) -> Transformed:
    """Full: push every valid row and zero what NetSuite no longer stocks; delta: only what differs from
    the snapshot; replay: push the retried rows, zero nothing."""
    doc = load_mapping_document()
    settings = inventory_settings(doc)
    planned = plan(
        rows, DELTA if mode == DELTA else FULL, doc, settings, MagentoHook(), Snapshot(), ctx, zero_stale=mode == FULL
    )
    return Transformed(
        ready=planned.push + [{**z, "side": ZEROED} for z in planned.zero],
        settled=planned.outcomes,
        extra={
            "unknown_skus": planned.unknown_skus[:100],
            "unknown_sku_count": len(planned.unknown_skus),
            "skus": planned.skus,
        },
    )


def load(rows: list[Record], ctx: RunContext) -> list[RecordOutcome]:
    hook = MagentoHook()
    settings = inventory_settings(load_mapping_document())
    return load_items(hook, rows, settings, Snapshot(), ctx, workers=hook.concurrency.limit)


def reread(keys: list[str], ctx: RunContext) -> dict[str, Record | None]:
    """The current NetSuite stock of each ``SKU@source`` key (SuiteQL, 500 SKUs a query)."""
    doc = load_mapping_document()
    skus = sorted({k.rsplit("@", 1)[0] for k in keys})
    found: dict[str, Record] = {}
    hook = netsuite_hook(ctx)
    for start in range(0, len(skus), 500):
        chunk = skus[start : start + 500]
        for page in hook.suiteql(ROWS_BY_SKU.format(marks=", ".join("?" * len(chunk))), chunk):
            for row in page:
                converted = _suiteql_row(row)
                found[row_key(converted, doc)] = converted
    return {key: found.get(key) for key in keys}


def finish(summary: dict[str, Any], _ctx: RunContext) -> None:
    """Alert (fail the task) when the share of SKUs unknown to Magento is over the configured limit."""
    extra = summary["extra"]
    share_limit = inventory_settings(load_mapping_document()).unmatched_alert_share
    unknown, skus = extra.get("unknown_sku_count", 0), max(1, extra.get("skus", 0))
    if unknown / skus > share_limit:
        raise UnmatchedSkusError(
            f"{unknown} of {skus} SKU(s) ({unknown / skus:.1%}) are unknown to Magento, over the alert share "
            f"{share_limit:.1%} (first: {extra.get('unknown_skus', [])[:10]}); the rest of the run was synced",
            system="magento",
        )


SPEC = Flow(
    name=FLOW,
    dag_id=DAG_ID,
    entity=ENTITY,
    key=row_key,
    extract=extract,
    transform=transform,
    load=load,
    reread=reread,
    finish=finish,
    supersede_stale_errors=True,
    initial_lookback=timedelta(days=3650),  # no cursor yet: read everything, push what the snapshot lacks
    safe_lag=timedelta(minutes=2),
    load_chunk=inventory_settings(load_mapping_document()).chunk_size,
)
register_handler(FlowReplay(SPEC))
