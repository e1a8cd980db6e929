"""Extract: the Magento orders ready for the ERP that changed after the flow's cursor, oldest first.

Keyset paging on ``(updated_at, entity_id)``: every page asks again for "changed at or after the
last order read" and drops what was read already (same second, lower entity id). Offset paging
would skip an order whenever another one is updated while we page (it moves to the end and every
later page shifts by one); the keyset can't. When more orders share one second than fit a page, that
second is drained by entity id before going on.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import Any

from magento_netsuite.connectors.magento import MagentoHook
from magento_netsuite.pipeline.watermark import Cursor, Window, parse_time

PAGE_SIZE = 200
KEY_WIDTH = 12


def order_cursor(order: dict[str, Any]) -> Cursor:
    """An order's place in Magento's change order: ``updated_at``, then the entity id (zero-padded so
    it sorts as a number)."""
    changed = order.get("updated_at") or order.get("created_at")
    if not changed:
        raise ValueError(f"order {order.get('increment_id')!r}: no updated_at to order it by")
    return Cursor(parse_time(changed, what="updated_at"), f"{int(order.get('entity_id') or 0):0{KEY_WIDTH}d}")


def _first_page(hook: MagentoHook, filters: list, sort: list, page_size: int) -> list[dict[str, Any]]:
    return next(iter(hook.search("orders", filters, sort=sort, page_size=page_size)), [])


def changed_orders(
    hook: MagentoHook, window: Window, states: Iterable[str], page_size: int = PAGE_SIZE
) -> Iterator[list[dict[str, Any]]]:
    """Pages of ready orders with ``since < (updated_at, entity_id)`` and ``updated_at < until``."""
    ready = [("state", sorted(set(states)), "in")]
    until = [("updated_at", window.until, "lt")]
    by_change = [("updated_at", "ASC"), ("entity_id", "ASC")]
    cursor = window.since
    strictly_after = False  # set once a crowded second has been drained
    while True:
        lower = [] if cursor is None else [[("updated_at", cursor.at, "gt" if strictly_after else "gteq")]]
        page = _first_page(hook, [*lower, until, ready], by_change, page_size)
        fresh = [o for o in page if cursor is None or order_cursor(o) > cursor]
        if fresh:
            yield fresh
            cursor, strictly_after = order_cursor(fresh[-1]), False
        if len(page) < page_size:
            return
        if not fresh and cursor is not None:
            yield from _drain_second(hook, cursor, ready, page_size)
            strictly_after = True


def _drain_second(hook: MagentoHook, cursor: Cursor, ready: list, page_size: int) -> Iterator[list[dict[str, Any]]]:
    """Every ready order updated in the second ``cursor.at`` with an entity id above ``cursor.key``."""
    second = [("updated_at", cursor.at, "gteq")], [("updated_at", cursor.at + timedelta(seconds=1), "lt")]
    last = int(cursor.key or 0)
    while True:
        page = _first_page(hook, [*second, [("entity_id", last, "gt")], ready], [("entity_id", "ASC")], page_size)
        if page:
            yield page
            last = int(page[-1].get("entity_id") or 0)
        if len(page) < page_size:
            return


def orders_by_increment_id(hook: MagentoHook, keys: Iterable[str], page_size: int = PAGE_SIZE) -> dict[str, dict]:
    """The current Magento orders with these increment ids (replay, and the write-back's fresh look)."""
    wanted = sorted(set(keys))
    found: dict[str, dict] = {}
    for start in range(0, len(wanted), page_size):
        chunk = wanted[start : start + page_size]
        for page in hook.search("orders", [[("increment_id", chunk, "in")]], page_size=page_size):
            found.update((str(o.get("increment_id")), o) for o in page)
    return found
