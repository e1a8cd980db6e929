"""The orders flow declared for the kit: what to read, how to transform and load it, the write-back."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from magento_netsuite.connectors.magento import MagentoHook
from magento_netsuite.errorqueue.replay import register_handler
from magento_netsuite.flows.orders.constants import DAG_ID, ENTITY, FLOW
from magento_netsuite.flows.orders.extract import changed_orders, order_cursor, orders_by_increment_id
from magento_netsuite.flows.orders.load import load_orders
from magento_netsuite.flows.orders.prepare import prepare_orders
from magento_netsuite.flows.orders.settings import is_ready, ready_states
from magento_netsuite.flows.orders.transform import order_key
from magento_netsuite.flows.orders.writeback import write_back, write_back_targets, written_back_id
from magento_netsuite.governance import load_mapping_document
from magento_netsuite.pipeline.budget import netsuite_hook
from magento_netsuite.pipeline.flow import Flow, Record, Transformed
from magento_netsuite.pipeline.outcomes import RecordOutcome, RunContext, Status
from magento_netsuite.pipeline.replay import FlowReplay
from magento_netsuite.pipeline.watermark import Window


def extract(window: Window, _ctx: RunContext) -> Any:
    return changed_orders(MagentoHook(), window, ready_states(load_mapping_document()))


def transform(orders: list[Record], ctx: RunContext, *, mode: str) -> Transformed:  # ruff: ignore[unused-function-argument]
    """The mapping-driven transform with batched NetSuite lookups. An order that already carries our
    write-back comment is in NetSuite: settled as unchanged without a call (the comment itself changed
    its ``updated_at``, which is why it was read again). An order not ready for its payment method
    (``settings.ready_for_erp``) settles as unchanged too, in every ``mode``: a scheduled run reads it
    again when it changes, and a replayed order that moved on is done."""
    doc = load_mapping_document()
    settled: list[RecordOutcome] = []
    todo: list[Record] = []
    for order in orders:
        synced_as = written_back_id(order)
        if synced_as is not None:
            settled.append(RecordOutcome(order_key(order), Status.UNCHANGED, target_id=synced_as))
        elif not is_ready(order, doc):
            # not ready for its payment method (a card payment still at new, a retried order that moved
            # on): nothing to do now; its next change is read again
            settled.append(RecordOutcome(order_key(order), Status.UNCHANGED))
        else:
            todo.append(order)
    orders = todo
    hook = netsuite_hook(ctx)
    prepared = prepare_orders(orders, hook, doc, ctx, workers=ctx.workers(hook.concurrency.limit))
    return Transformed(
        ready=prepared.ready,
        settled=settled + prepared.quarantined,
        extra=prepared.customers,
    )


def load(rows: list[Record], ctx: RunContext) -> list[RecordOutcome]:
    return load_orders(netsuite_hook(ctx), rows, ctx)


def after_load(rows: list[Record], outcomes: list[RecordOutcome], ctx: RunContext) -> dict[str, Any]:
    return write_back(MagentoHook(), write_back_targets(rows, outcomes), ctx).as_dict()


def reread(keys: list[str], _ctx: RunContext) -> dict[str, Record | None]:
    found = orders_by_increment_id(MagentoHook(), keys)
    return {key: found.get(key) for key in keys}


SPEC = Flow(
    name=FLOW,
    dag_id=DAG_ID,
    entity=ENTITY,
    key=order_key,
    cursor=order_cursor,
    extract=extract,
    transform=transform,
    load=load,
    after_load=after_load,
    reread=reread,
    initial_lookback=timedelta(days=1),
    safe_lag=timedelta(minutes=2),
    max_records=5000,
)
register_handler(FlowReplay(SPEC))
