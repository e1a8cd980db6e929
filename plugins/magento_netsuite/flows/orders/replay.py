"""The orders flow's replay handler: a fixed order goes through the same transform and load again."""

from __future__ import annotations

import logging
from typing import Any

from magento_netsuite.connectors.magento import MagentoHook
from magento_netsuite.connectors.netsuite import NetSuiteHook
from magento_netsuite.errorqueue.replay import register_handler
from magento_netsuite.flows.orders.constants import ENTITY, FLOW
from magento_netsuite.flows.orders.extract import orders_by_increment_id
from magento_netsuite.flows.orders.load import load_orders
from magento_netsuite.flows.orders.pipeline import prepare_orders, write_back_targets
from magento_netsuite.flows.orders.settings import ready_states
from magento_netsuite.flows.orders.transform import RunContext
from magento_netsuite.flows.orders.writeback import write_back
from magento_netsuite.governance import load_mapping_document
from magento_netsuite.pipeline.outcomes import RecordOutcome, Status

log = logging.getLogger(__name__)
REPLAY_DAG_ID = "error_queue_replay"


class OrderReplayHandler:
    """``ReplayHandler`` of ``orders_magento_to_netsuite`` (see :mod:`magento_netsuite.errorqueue.replay`)."""

    flow = FLOW
    entity = ENTITY

    def reread(self, keys: list[str]) -> dict[str, dict[str, Any] | None]:
        found = orders_by_increment_id(MagentoHook(), keys)
        return {key: found.get(key) for key in keys}

    def process(self, records: list[tuple[str, dict[str, Any]]], *, run_id: str) -> list[RecordOutcome]:
        doc = load_mapping_document()
        states = set(ready_states(doc))
        ctx = RunContext(run_id=run_id, dag_id=REPLAY_DAG_ID, task_id="replay")
        outcomes: list[RecordOutcome] = []
        orders = []
        for key, order in records:
            if order.get("state") not in states:
                log.info("replay: order %s is %s now, not ready for the ERP; nothing to sync", key, order.get("state"))
                outcomes.append(RecordOutcome(key, Status.UNCHANGED))
            else:
                orders.append(order)
        if not orders:
            return outcomes
        netsuite = NetSuiteHook()
        workers = netsuite.concurrency.limit
        prepared = prepare_orders(orders, netsuite, doc, ctx, workers=workers)
        loaded = load_orders(netsuite, prepared.ready, ctx, workers=workers)
        magento = MagentoHook()
        write_back(magento, write_back_targets(prepared.ready, loaded), workers=magento.concurrency.limit)
        return outcomes + prepared.quarantined + loaded


HANDLER = register_handler(OrderReplayHandler())
"""Registered on import, so ``error_queue_replay`` finds the orders flow."""
