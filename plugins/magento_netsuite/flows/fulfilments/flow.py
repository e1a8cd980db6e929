"""The fulfilments flow declared for the kit: read NetSuite's warehouse work, plan it against Magento, ship/cancel."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from magento_netsuite.connectors.magento import MagentoHook
from magento_netsuite.errorqueue.replay import register_handler
from magento_netsuite.flows.fulfilments.constants import DAG_ID, ENTITY, FLOW
from magento_netsuite.flows.fulfilments.extract import changed_records, record_cursor, record_key, records_by_key
from magento_netsuite.flows.fulfilments.load import load_rows
from magento_netsuite.flows.fulfilments.magento_orders import orders_by_increment_id, shipped_fulfilments
from magento_netsuite.flows.fulfilments.plan import plan, transformed
from magento_netsuite.governance import load_mapping_document
from magento_netsuite.pipeline.budget import netsuite_hook
from magento_netsuite.pipeline.flow import Flow, Record, Transformed
from magento_netsuite.pipeline.outcomes import RecordOutcome, RunContext
from magento_netsuite.pipeline.replay import FlowReplay
from magento_netsuite.pipeline.watermark import Window


def extract(window: Window, ctx: RunContext) -> Any:
    hook = netsuite_hook(ctx)
    return changed_records(hook, window, workers=ctx.workers(hook.concurrency.limit))


def transform(records: list[Record], ctx: RunContext, *, mode: str) -> Transformed:
    """Plan every record against its Magento order (orders and their shipments read in batches).
    ``mode`` changes nothing: a replayed record is the one NetSuite holds now (re-read), planned alike."""
    del mode
    hook = MagentoHook()
    orders = orders_by_increment_id(hook, (str(r["salesOrder"].get("externalId") or "") for r in records))
    shipped = shipped_fulfilments(hook, (int(o["entity_id"]) for o in orders.values())) if orders else {}
    return transformed(plan(records, orders, shipped, load_mapping_document(), ctx))


def load(rows: list[Record], ctx: RunContext) -> list[RecordOutcome]:
    return load_rows(MagentoHook(), rows, ctx)


def reread(keys: list[str], ctx: RunContext) -> dict[str, Record | None]:
    hook = netsuite_hook(ctx)
    found = records_by_key(hook, keys, workers=ctx.workers(hook.concurrency.limit))
    return {key: found.get(key) for key in keys}


SPEC = Flow(
    name=FLOW,
    dag_id=DAG_ID,
    entity=ENTITY,
    key=record_key,
    cursor=record_cursor,
    extract=extract,
    transform=transform,
    load=load,
    reread=reread,
    initial_lookback=timedelta(days=1),
    safe_lag=timedelta(minutes=2),
    max_records=5000,
)
register_handler(FlowReplay(SPEC))
