"""Replay of quarantined source items: re-read the item's current NetSuite stock, push it again."""

from __future__ import annotations

from typing import Any

from magento_netsuite.connectors.magento import MagentoHook
from magento_netsuite.connectors.netsuite import NetSuiteHook
from magento_netsuite.errorqueue.replay import register_handler
from magento_netsuite.flows.inventory.constants import ENTITY, FLOW, FULL
from magento_netsuite.flows.inventory.extract import _suiteql_row
from magento_netsuite.flows.inventory.pipeline import load_items, plan
from magento_netsuite.flows.inventory.settings import inventory_settings
from magento_netsuite.flows.inventory.snapshot import Snapshot
from magento_netsuite.flows.inventory.transform import RunContext, row_key
from magento_netsuite.governance import load_mapping_document
from magento_netsuite.pipeline.outcomes import RecordOutcome

REPLAY_DAG_ID = "error_queue_replay"
ROWS_BY_SKU = (
    "SELECT i.id AS item_id, i.itemid AS sku, l.location AS location_id, l.quantityonhand AS on_hand, "
    "l.quantitycommitted AS committed, l.quantityavailable AS available, i.isinactive AS inactive "
    "FROM inventoryitemlocations l JOIN item i ON i.id = l.item WHERE i.itemid IN ({marks}) ORDER BY i.id"
)


class InventoryReplayHandler:
    """``ReplayHandler`` of ``inventory_netsuite_to_magento``; keys are ``SKU@source_code``."""

    flow = FLOW
    entity = ENTITY

    def reread(self, keys: list[str]) -> dict[str, dict[str, Any] | None]:
        doc = load_mapping_document()
        skus = sorted({k.rsplit("@", 1)[0] for k in keys})
        found: dict[str, dict[str, Any]] = {}
        hook = NetSuiteHook()
        for start in range(0, len(skus), 500):
            chunk = skus[start : start + 500]
            for page in hook.suiteql(ROWS_BY_SKU.format(marks=", ".join("?" * len(chunk))), chunk):
                for row in page:
                    converted = _suiteql_row(row)
                    found[row_key(converted, doc)] = converted
        return {key: found.get(key) for key in keys}

    def process(self, records: list[tuple[str, dict[str, Any]]], *, run_id: str) -> list[RecordOutcome]:
        doc = load_mapping_document()
        settings = inventory_settings(doc)
        ctx = RunContext(run_id=run_id, dag_id=REPLAY_DAG_ID, task_id="replay", try_number=1)
        magento, snapshot = MagentoHook(), Snapshot()
        planned = plan([row for _, row in records], FULL, doc, settings, magento, snapshot, ctx, zero_stale=False)
        loaded = load_items(magento, planned.push, settings, snapshot, ctx, workers=magento.concurrency.limit)
        return planned.outcomes + loaded


HANDLER = register_handler(InventoryReplayHandler())
"""Registered on import, so ``error_queue_replay`` finds the inventory flow."""
