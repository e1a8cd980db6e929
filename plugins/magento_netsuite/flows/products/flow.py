"""The products flow declared for the kit.

NetSuite's ``item`` table pages in change order (``lastmodifieddate``, then id), so the flow has a
record cursor: a delta reads the items changed after it, a full run (Param ``mode=full``) reads every
item and repairs drift. A record is one item (key: its SKU); a matrix parent is a configurable, its
children simple products linked to it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from magento_netsuite.connectors.magento import MagentoHook
from magento_netsuite.errorqueue.replay import register_handler
from magento_netsuite.flows.products.constants import DAG_ID, ENTITY, FLOW
from magento_netsuite.flows.products.extract import changed_items, item_cursor, items_by_sku
from magento_netsuite.flows.products.load import Loader
from magento_netsuite.flows.products.plan import item_key, plan
from magento_netsuite.flows.products.settings import product_settings
from magento_netsuite.governance import load_mapping_document
from magento_netsuite.pipeline.budget import netsuite_hook
from magento_netsuite.pipeline.flow import Flow, Record, Transformed
from magento_netsuite.pipeline.outcomes import RecordOutcome, RunContext
from magento_netsuite.pipeline.replay import FlowReplay
from magento_netsuite.pipeline.watermark import Window


def _option_columns() -> list[str]:
    return [str(s.netsuite) for s in product_settings(load_mapping_document()).options]


def extract(window: Window, ctx: RunContext) -> Any:
    return changed_items(netsuite_hook(ctx), window, _option_columns())


def transform(records: list[Record], ctx: RunContext, *, mode: str) -> Transformed:  # ruff: ignore[unused-function-argument] (same in every mode)
    """Every mode compares with Magento, so full repairs drift and a rerun writes nothing."""
    doc = load_mapping_document()
    return plan(records, doc, product_settings(doc), MagentoHook(), ctx)


def load(rows: list[Record], ctx: RunContext) -> list[RecordOutcome]:
    return Loader(MagentoHook(), product_settings(load_mapping_document()), ctx).load(rows)


def reread(keys: list[str], ctx: RunContext) -> dict[str, Record | None]:
    found = items_by_sku(netsuite_hook(ctx), keys, _option_columns())
    return {key: found.get(key) for key in keys}


SPEC = Flow(
    name=FLOW,
    dag_id=DAG_ID,
    entity=ENTITY,
    key=item_key,
    extract=extract,
    transform=transform,
    load=load,
    reread=reread,
    cursor=item_cursor,
    initial_lookback=timedelta(days=3650),  # no cursor yet: the first run reads the whole catalogue
    safe_lag=timedelta(minutes=2),
    max_records=100_000,
)
register_handler(FlowReplay(SPEC))
