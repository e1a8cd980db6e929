"""The inventory flow declared for the kit.

NetSuite's RESTlet pages by item id, not by change time, so this flow declares no record cursor: a
run reads every change after the watermark in one go, and the watermark moves to the run's safe
upper bound. A full run (Param ``mode=full``, or the nightly one) reads everything and zeroes what
NetSuite no longer stocks; the zeroing rows are side work, reported apart from the extracted records.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pandas as pd

from magento_netsuite.connectors.magento import MagentoHook
from magento_netsuite.errorqueue.replay import register_handler
from magento_netsuite.flows.inventory.constants import DAG_ID, DELTA, ENTITY, FLOW, FULL
from magento_netsuite.flows.inventory.errors import UnmatchedSkusError
from magento_netsuite.flows.inventory.extract import _suiteql_row, inventory_pages
from magento_netsuite.flows.inventory.frames import ITEM_COLUMNS, location_sources, rows_frame
from magento_netsuite.flows.inventory.pipeline import Planner, load_items
from magento_netsuite.flows.inventory.settings import inventory_settings
from magento_netsuite.flows.inventory.snapshot import Snapshot
from magento_netsuite.flows.inventory.transform import row_key
from magento_netsuite.flows.products.constants import FLOW as PRODUCTS_FLOW
from magento_netsuite.governance import load_mapping_document
from magento_netsuite.pipeline.budget import netsuite_hook
from magento_netsuite.pipeline.flow import Columnar, Flow, FrameOutcomes, FrameSink, Record, Transformed
from magento_netsuite.pipeline.outcomes import RecordOutcome, RunContext, Status
from magento_netsuite.pipeline.replay import FlowReplay
from magento_netsuite.pipeline.requeue import created_since_quarantined
from magento_netsuite.pipeline.watermark import Window

ZEROED = "zeroed"
ROWS_BY_SKU = (
    "SELECT i.id AS item_id, i.itemid AS sku, l.location AS location_id, l.quantityonhand AS on_hand, "
    "l.quantitycommitted AS committed, l.quantityavailable AS available, i.isinactive AS inactive "
    "FROM inventoryitemlocations l JOIN item i ON i.id = l.item WHERE i.itemid IN ({marks}) ORDER BY i.id"
)


def extract(window: Window, ctx: RunContext) -> Iterator[pd.DataFrame]:
    """The stock read in the window, page by page as frames; first the stock queued as "unknown SKU"
    whose product the products flow has since created, read again (those keys are left out of the
    pages after it, so each key is extracted once)."""
    doc = load_mapping_document()
    sources = location_sources(doc)
    retry = created_since_quarantined(FLOW, PRODUCTS_FLOW, lambda key: key.rsplit("@", 1)[0])
    again = [row for row in reread(retry, ctx).values() if row is not None] if retry else []
    taken: set[str] = set()
    if again:
        first = rows_frame(again, sources)
        taken = set(first["key"])
        yield first
    pages, _source = inventory_pages(netsuite_hook(ctx), list(sources), window.since.at if window.since else None)
    for page in pages:
        frame = rows_frame(page, sources)
        yield frame[~frame["key"].isin(taken)] if taken else frame


def _planner(mode: str, ctx: RunContext) -> Planner:
    doc = load_mapping_document()
    return Planner(
        DELTA if mode == DELTA else FULL,
        doc,
        inventory_settings(doc),
        MagentoHook(),
        Snapshot(),
        ctx,
        zero_stale=mode == FULL,
    )


def transform_parts(parts: Iterator[pd.DataFrame], ctx: RunContext, mode: str, sink: FrameSink) -> dict[str, Any]:
    """Full: push every valid row and zero what NetSuite no longer stocks; delta: only what differs from
    the snapshot; replay: push the retried rows, zero nothing."""
    planner = _planner(mode, ctx)
    for part in parts:
        ready, settled = planner.part(part)
        sink.ready(ready.assign(side=pd.Series(None, index=ready.index, dtype="str")))
        sink.settled(settled)
    zero = planner.stale()
    sink.ready(zero.assign(side=pd.Series(ZEROED, index=zero.index, dtype="str")))
    return planner.report()


def load_part(rows: pd.DataFrame, ctx: RunContext) -> FrameOutcomes:
    hook = MagentoHook()
    settings = inventory_settings(load_mapping_document())
    return load_items(hook, rows, settings, Snapshot(), ctx, workers=hook.concurrency.limit)


def transform(rows: list[Record], ctx: RunContext, *, mode: str) -> Transformed:
    """The same plan on a list of records (replay)."""
    planner = _planner(mode, ctx)
    ready, settled = planner.part(rows_frame(rows, location_sources(load_mapping_document())))
    zero = planner.stale().assign(side=ZEROED)
    return Transformed(
        ready=ready.to_dict("records") + zero.to_dict("records"),
        settled=_record_outcomes(settled),
        extra=planner.report(),
    )


def load(rows: list[Record], ctx: RunContext) -> list[RecordOutcome]:
    """The same load on a list of rows (replay)."""
    return _record_outcomes(load_part(pd.DataFrame(rows, columns=ITEM_COLUMNS), ctx))


def _record_outcomes(outcomes: FrameOutcomes) -> list[RecordOutcome]:
    errors = {o.key: o for o in outcomes.quarantined}
    return [
        errors.get(key) or RecordOutcome(key, Status(status))
        for key, status in zip(outcomes.frame["key"].tolist(), outcomes.frame["status"].tolist(), strict=True)
    ]


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
    transform=transform,
    load=load,
    columnar=Columnar(extract=extract, transform=transform_parts, load=load_part),
    reread=reread,
    finish=finish,
    supersede_stale_errors=True,
    initial_lookback=timedelta(days=3650),  # no cursor yet: read everything, push what the snapshot lacks
    safe_lag=timedelta(minutes=2),
    load_chunk=inventory_settings(load_mapping_document()).chunk_size,
)
register_handler(FlowReplay(SPEC))
