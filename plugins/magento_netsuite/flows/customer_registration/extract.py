"""Extract: Magento customers created or changed after the flow's cursor, oldest change first.

Keyset paging on ``(updated_at, id)`` as the orders flow does (offset paging skips a record that
changes while we page); a second holding more customers than a page is drained by id.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import Any

from magento_netsuite.connectors.magento import MagentoHook
from magento_netsuite.pipeline.watermark import Cursor, Window, parse_time

RESOURCE = "customers/search"
PAGE_SIZE = 200
KEY_WIDTH = 12


def customer_key(customer: dict[str, Any]) -> str:
    return str(customer.get("id"))


def customer_cursor(customer: dict[str, Any]) -> Cursor:
    """A customer's place in Magento's change order: ``updated_at``, then the id (zero-padded)."""
    changed = customer.get("updated_at") or customer.get("created_at")
    if not changed:
        raise ValueError(f"customer {customer.get('id')!r}: no updated_at to order it by")
    return Cursor(parse_time(changed, what="updated_at"), f"{int(customer.get('id') or 0):0{KEY_WIDTH}d}")


def _first_page(hook: MagentoHook, filters: list, sort: list, page_size: int) -> list[dict[str, Any]]:
    return next(iter(hook.search(RESOURCE, filters, sort=sort, page_size=page_size)), [])


def changed_customers(hook: MagentoHook, window: Window, page_size: int = PAGE_SIZE) -> Iterator[list[dict[str, Any]]]:
    """Pages of customers with ``since < (updated_at, id)`` and ``updated_at < until``."""
    until = [("updated_at", window.until, "lt")]
    by_change = [("updated_at", "ASC"), ("entity_id", "ASC")]
    cursor = window.since
    strictly_after = False
    while True:
        lower = [] if cursor is None else [[("updated_at", cursor.at, "gt" if strictly_after else "gteq")]]
        page = _first_page(hook, [*lower, until], by_change, page_size)
        fresh = [c for c in page if cursor is None or customer_cursor(c) > cursor]
        if fresh:
            yield fresh
            cursor, strictly_after = customer_cursor(fresh[-1]), False
        if len(page) < page_size:
            return
        if not fresh and cursor is not None:
            yield from _drain_second(hook, cursor, page_size)
            strictly_after = True


def _drain_second(hook: MagentoHook, cursor: Cursor, page_size: int) -> Iterator[list[dict[str, Any]]]:
    second = [("updated_at", cursor.at, "gteq")], [("updated_at", cursor.at + timedelta(seconds=1), "lt")]
    last = int(cursor.key or 0)
    while True:
        page = _first_page(hook, [*second, [("entity_id", last, "gt")]], [("entity_id", "ASC")], page_size)
        if page:
            yield page
            last = int(page[-1].get("id") or 0)
        if len(page) < page_size:
            return


def customers_by_id(hook: MagentoHook, ids: Iterable[str | int], page_size: int = PAGE_SIZE) -> dict[str, dict]:
    """The current Magento customers with these ids (replay, and the write-back's fresh look)."""
    wanted = sorted({int(i) for i in ids})
    found: dict[str, dict] = {}
    for start in range(0, len(wanted), page_size):
        chunk = wanted[start : start + page_size]
        for page in hook.search(RESOURCE, [[("entity_id", chunk, "in")]], page_size=page_size):
            found.update((customer_key(c), c) for c in page)
    return found
