"""The Magento side the plan reads: orders by increment id, their shipments, their shippable lines."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from magento_netsuite.connectors.magento import MagentoHook
from magento_netsuite.flows.fulfilments.constants import SHIPMENT_MARKER

PAGE_SIZE = 200
CONFIGURABLE, BUNDLE = "configurable", "bundle"


def orders_by_increment_id(hook: MagentoHook, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The Magento orders with these increment ids (one search per 200)."""
    wanted = sorted({k for k in keys if k})
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(wanted), PAGE_SIZE):
        chunk = wanted[start : start + PAGE_SIZE]
        for page in hook.search("orders", [[("increment_id", chunk, "in")]], page_size=PAGE_SIZE):
            found.update((str(o.get("increment_id")), o) for o in page)
    return found


def shipment_text(tran_id: str, fulfilment_id: str) -> str:
    """The shipment comment that names its fulfilment (and makes a rerun see it was shipped)."""
    return f"{SHIPMENT_MARKER} {tran_id} (internal id {fulfilment_id})"


def _fulfilment_of(comment: str) -> str | None:
    marker = f"{SHIPMENT_MARKER} "
    if marker not in comment or "(internal id " not in comment:
        return None
    return comment.rsplit("(internal id ", 1)[1].split(")", 1)[0].strip() or None


def shipped_fulfilments(hook: MagentoHook, order_ids: Iterable[int]) -> dict[str, int]:
    """Fulfilment id → Magento shipment id, for every shipment of these orders that names its fulfilment."""
    wanted = sorted(set(order_ids))
    found: dict[str, int] = {}
    for start in range(0, len(wanted), PAGE_SIZE):
        chunk = wanted[start : start + PAGE_SIZE]
        for page in hook.search("shipments", [[("order_id", chunk, "in")]], page_size=300):
            for shipment in page:
                for comment in shipment.get("comments") or []:
                    fulfilment = _fulfilment_of(str(comment.get("comment") or ""))
                    if fulfilment is not None:
                        found[fulfilment] = int(shipment["entity_id"])
    return found


def shippable_lines(order: dict[str, Any]) -> list[dict[str, Any]]:
    """The order items a shipment names: configurable parents (they carry the child's SKU), bundle
    children, simple lines; never a configurable's child nor a bundle's own line (the line policy of
    the orders flow, so they pair with the NetSuite order lines it created)."""
    items = list(order.get("items") or [])
    by_id = {item.get("item_id"): item for item in items}
    lines = []
    for item in items:
        parent = by_id.get(item.get("parent_item_id")) if item.get("parent_item_id") is not None else None
        if item.get("product_type") == BUNDLE or (parent is not None and parent.get("product_type") == CONFIGURABLE):
            continue
        lines.append(item)
    return lines


def remaining(item: dict[str, Any]) -> float:
    """What Magento can still ship of an order item."""
    return (
        float(item.get("qty_ordered") or 0) - float(item.get("qty_shipped") or 0) - float(item.get("qty_canceled") or 0)
    )
