"""Extract: the Magento orders of one window that are ready for the ERP, paged."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from magento_netsuite.connectors.magento import MagentoHook

PAGE_SIZE = 200


def extraction_window(start: datetime, end: datetime, overlap_minutes: float) -> tuple[datetime, datetime]:
    """``[start - overlap, end)``: the overlap catches orders whose ``updated_at`` was written late."""
    if end < start:
        raise ValueError(f"window end {end} is before its start {start}")
    if overlap_minutes < 0:
        raise ValueError(f"overlap must not be negative, got {overlap_minutes} minutes")
    return start - timedelta(minutes=overlap_minutes), end


def order_filters(since: datetime, until: datetime, states: Iterable[str]) -> list[list[tuple[str, Any, str]]]:
    """searchCriteria: ``since <= updated_at < until`` and ``state in states`` (groups are ANDed)."""
    return [
        [("updated_at", since, "gteq")],
        [("updated_at", until, "lt")],
        [("state", sorted(set(states)), "in")],
    ]


def extract_orders(
    hook: MagentoHook, since: datetime, until: datetime, states: Iterable[str], page_size: int = PAGE_SIZE
) -> list[dict[str, Any]]:
    """Every matching order once (by increment id), sorted by entity id so paging is stable."""
    orders: dict[str, dict[str, Any]] = {}
    for page in hook.search(
        "orders", order_filters(since, until, states), sort=[("entity_id", "ASC")], page_size=page_size
    ):
        for order in page:
            orders[str(order.get("increment_id"))] = order
    return list(orders.values())


def orders_by_increment_id(hook: MagentoHook, keys: Iterable[str], page_size: int = PAGE_SIZE) -> dict[str, dict]:
    """The current Magento orders with these increment ids (for replay and write-back retries)."""
    wanted = sorted(set(keys))
    found: dict[str, dict] = {}
    for start in range(0, len(wanted), page_size):
        chunk = wanted[start : start + page_size]
        for page in hook.search("orders", [[("increment_id", chunk, "in")]], page_size=page_size):
            found.update((str(o.get("increment_id")), o) for o in page)
    return found
