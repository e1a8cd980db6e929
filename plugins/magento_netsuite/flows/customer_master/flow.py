"""The customer master flow declared for the kit: NetSuite customers changed since the cursor, their
NetSuite-owned fields (and group) onto the Magento accounts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from magento_netsuite.connectors.magento import MagentoHook
from magento_netsuite.errorqueue.replay import register_handler
from magento_netsuite.flows.customer_master.constants import DAG_ID, ENTITY, FLOW
from magento_netsuite.flows.customer_master.extract import (
    changed_customers,
    customer_cursor,
    customer_key,
    records_by_external_id,
)
from magento_netsuite.flows.customer_master.groups import customers_with_contract_prices
from magento_netsuite.flows.customer_master.load import push_rows
from magento_netsuite.flows.customer_master.transform import prepare_rows
from magento_netsuite.governance import load_mapping_document
from magento_netsuite.pipeline.budget import netsuite_hook
from magento_netsuite.pipeline.flow import Flow, Record, Transformed
from magento_netsuite.pipeline.outcomes import RecordOutcome, RunContext
from magento_netsuite.pipeline.replay import FlowReplay
from magento_netsuite.pipeline.watermark import Window


def extract(window: Window, ctx: RunContext) -> Any:
    hook = netsuite_hook(ctx)
    return changed_customers(hook, window, workers=ctx.workers(hook.concurrency.limit))


def transform(records: list[Record], ctx: RunContext, *, mode: str) -> Transformed:  # ruff: ignore[unused-function-argument] - every mode maps alike
    """Every mode (delta, full, replay) maps the same way: the record read is NetSuite's current one."""
    contract = customers_with_contract_prices(netsuite_hook(ctx), (str(r.get("id")) for r in records))
    prepared = prepare_rows(records, load_mapping_document(), contract, ctx)
    return Transformed(ready=prepared.ready, settled=prepared.settled, extra={"contract_customers": len(contract)})


def load(rows: list[Record], ctx: RunContext) -> list[RecordOutcome]:
    return push_rows(MagentoHook(), rows, load_mapping_document(), ctx)


def reread(keys: list[str], ctx: RunContext) -> dict[str, Record | None]:
    hook = netsuite_hook(ctx)
    found = records_by_external_id(hook, keys, workers=ctx.workers(hook.concurrency.limit))
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
    safe_lag=timedelta(minutes=2),
    max_records=5000,
)
register_handler(FlowReplay(SPEC))
