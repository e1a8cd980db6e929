"""Test data for the fulfilments flow: NetSuite sales orders for seeded Magento orders, and fulfilments.

The orders flow creates a sales order per Magento order (externalId = increment id, one line per
shippable Magento item, in Magento's order); here they are inserted straight into the NetSuite sandbox,
so a fulfilments test does not run the orders DAG first.
"""

from __future__ import annotations

from typing import Any

from magento_netsuite.flows.fulfilments.magento_orders import shippable_lines
from magento_netsuite.sandbox.datagen import Dataset
from tests.flows.conftest import FlowEnv


def sales_order_for(env: FlowEnv, dataset: Dataset, order: dict[str, Any], external_id: str | None = None) -> str:
    """Insert the NetSuite sales order the orders flow would have made; returns its internal id."""
    item_ids = {item.sku: item.internal_id for item in dataset.items}
    lines = [
        {"line": n, "item": {"id": str(item_ids[line["sku"]])}, "quantity": float(line["qty_ordered"]), "rate": 1.0}
        for n, line in enumerate(shippable_lines(order), start=1)
    ]
    body = {"externalId": external_id or order["increment_id"], "entity": {"id": "2001"}, "item": {"items": lines}}
    return env.netsuite.post("records/salesOrder", body)["ids"][0]


def fulfil(
    env: FlowEnv,
    so_id: str,
    lines: list[tuple[int, float]],
    *,
    tracking: tuple[str, ...] = (),
    ship_status: str = "C",
    ship_method: str = "104",
) -> str:
    """A NetSuite item fulfilment of ``(order line, quantity)`` pairs; returns its internal id."""
    order = env.netsuite.get("state", record="salesOrder", id=so_id)["record"]
    by_line = {int(line["line"]): line for line in order["item"]["items"]}
    body = {
        "createdFrom": {"id": so_id},
        "shipStatus": {"id": ship_status},
        "shipMethod": {"id": ship_method, "refName": "UPS Ground"},
        "item": {
            "items": [
                {"orderLine": n, "item": by_line[n]["item"], "quantity": qty, "location": {"id": "1"}}
                for n, qty in lines
            ]
        },
        "package": {"items": [{"packageTrackingNumber": number, "packageWeight": 1.0} for number in tracking]},
    }
    return env.netsuite.post("records/itemFulfillment", body)["ids"][0]
