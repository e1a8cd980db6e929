"""The registration handoff declared for the kit: read changed Magento customers, settle each against
NetSuite through the shared buyer path, write the NetSuite id back (and copy changed login e-mails)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from magento_netsuite.connectors.magento import MagentoHook
from magento_netsuite.errorqueue.replay import register_handler
from magento_netsuite.flows.customer_registration.constants import DAG_ID, ENTITY, FLOW
from magento_netsuite.flows.customer_registration.extract import (
    changed_customers,
    customer_cursor,
    customer_key,
    customers_by_id,
)
from magento_netsuite.flows.customer_registration.prepare import prepare_customers
from magento_netsuite.flows.customer_registration.writeback import load_rows
from magento_netsuite.governance import load_mapping_document
from magento_netsuite.pipeline.budget import netsuite_hook
from magento_netsuite.pipeline.flow import Flow, Record, Transformed
from magento_netsuite.pipeline.outcomes import RecordOutcome, RunContext
from magento_netsuite.pipeline.replay import FlowReplay
from magento_netsuite.pipeline.watermark import Window


def extract(window: Window, _ctx: RunContext) -> Any:
    return changed_customers(MagentoHook(), window)


def transform(customers: list[Record], ctx: RunContext, *, mode: str) -> Transformed:  # ruff: ignore[unused-function-argument] - every mode settles alike
    hook = netsuite_hook(ctx)
    prepared = prepare_customers(
        customers, hook, load_mapping_document(), ctx, workers=ctx.workers(hook.concurrency.limit)
    )
    return Transformed(ready=prepared.ready, settled=prepared.settled, extra={"customers": prepared.counts})


def load(rows: list[Record], ctx: RunContext) -> list[RecordOutcome]:
    return load_rows(MagentoHook(), netsuite_hook(ctx), rows, load_mapping_document(), ctx)


def reread(keys: list[str], _ctx: RunContext) -> dict[str, Record | None]:
    found = customers_by_id(MagentoHook(), [k for k in keys if k.isdigit()])
    return {key: found.get(key) for key in keys}


SPEC = Flow(
    name=FLOW,
    dag_id=DAG_ID,
    entity=ENTITY,
    key=customer_key,
    cursor=customer_cursor,
    extract=extract,
    transform=transform,
    load=load,
    reread=reread,
    initial_lookback=timedelta(days=1),
    safe_lag=timedelta(minutes=1),
    max_records=5000,
)
register_handler(FlowReplay(SPEC))
