"""The two RESTlets we ship (``include/netsuite/``), as docs/architecture.md specifies them.

Both page by a keyset cursor on the item internal id and never split one item's rows across pages:
a page holds whole items while their rows fit in ``limit`` (at least one item per page).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from magento_netsuite.sandbox.netsuite.records import NetSuiteAccount
from magento_netsuite.sandbox.netsuite.tables import ns_time, rows

INVENTORY_SCRIPT = ("customscript_mns_inventory", "customdeploy_mns_inventory")
PRICING_SCRIPT = ("customscript_mns_pricing", "customdeploy_mns_pricing")
DEFAULT_LIMIT = 4000
MAX_LIMIT = 10000


class RestletInputError(ValueError):
    """A bad parameter: the RESTlet catches it and answers 200 with ``{"error": ...}``."""


def _paging(params: Mapping[str, str]) -> tuple[str | None, int, int]:
    since = params.get("since")
    stored_since = None
    if since:
        try:
            stored_since = ns_time(datetime.fromisoformat(since.replace("Z", "+00:00")))
        except ValueError as exc:
            raise RestletInputError(f"since must be an ISO-8601 timestamp, got {since!r}") from exc
    try:
        cursor = int(params.get("cursor") or 0)
        limit = int(params.get("limit") or DEFAULT_LIMIT)
    except ValueError as exc:
        raise RestletInputError("cursor and limit must be integers") from exc
    if not 1 <= limit <= MAX_LIMIT:
        raise RestletInputError(f"limit must be 1..{MAX_LIMIT}, got {limit}")
    return stored_since, cursor, limit


def _page(
    item_rows: dict[int, list[dict[str, Any]]], candidate_ids: list[int], limit: int
) -> tuple[list[dict[str, Any]], str | None]:
    page: list[dict[str, Any]] = []
    last: int | None = None
    for item_id in candidate_ids:
        batch = item_rows.get(item_id, [])
        if page and len(page) + len(batch) > limit:
            return page, str(last)
        page.extend(batch)
        last = item_id
    return page, None


def inventory(account: NetSuiteAccount, params: Mapping[str, str]) -> dict[str, Any]:
    since, cursor, limit = _paging(params)
    locations: list[int] = []
    if params.get("locations"):
        try:
            locations = [int(x) for x in params["locations"].split(",") if x.strip()]
        except ValueError as exc:
            raise RestletInputError("locations must be comma-separated internal ids") from exc
    loc_sql = f" AND l.location IN ({','.join('?' * len(locations))})" if locations else ""
    if since:
        # Items with a location row changed after ``since`` (index on lastmodifieddate), keyset-ordered.
        id_sql = (
            "SELECT DISTINCT l.item FROM inventoryitemlocations l WHERE l.lastmodifieddate > ? AND l.item > ?"
            f"{loc_sql} ORDER BY l.item LIMIT ?"
        )
        id_params: tuple[Any, ...] = (since, cursor, *locations, limit + 1)
    else:
        id_sql = "SELECT i.id FROM item i WHERE i.id > ? ORDER BY i.id LIMIT ?"
        id_params = (cursor, limit + 1)
    ids = [r[0] for r in account.conn.execute(id_sql, id_params)]
    if not ids:
        return {"rows": [], "next_cursor": None, "count": 0}
    fetched = rows(
        account.conn,
        "SELECT i.id, i.itemid, i.isinactive, l.location, l.quantityonhand, l.quantitycommitted, "
        "l.quantityavailable, l.lastmodifieddate FROM item i JOIN inventoryitemlocations l ON l.item = i.id "
        f"WHERE i.id >= ? AND i.id <= ?{loc_sql} ORDER BY i.id, l.location",
        (ids[0], ids[-1], *locations),
    )
    by_item: dict[int, list[dict[str, Any]]] = {}
    for r in fetched:
        by_item.setdefault(r["id"], []).append(
            {
                "item_id": str(r["id"]),
                "sku": r["itemid"],
                "location_id": str(r["location"]),
                "on_hand": _int(r["quantityonhand"]),
                "committed": _int(r["quantitycommitted"]),
                "available": _int(r["quantityavailable"]),
                "inactive": r["isinactive"] == "T",
                "last_modified": f"{r['lastmodifieddate']}Z",
            }
        )
    page, next_cursor = _page(by_item, ids, limit)
    if next_cursor is None and len(ids) > limit:
        next_cursor = str(ids[-1])
    return {"rows": page, "next_cursor": next_cursor, "count": len(page)}


def pricing(account: NetSuiteAccount, params: Mapping[str, str]) -> dict[str, Any]:
    since, cursor, limit = _paging(params)
    # a delta: items edited after ``since`` (their pricing sublist is on the item), plus the items of
    # customers edited after it (contract prices are the customer's item pricing sublist)
    since_sql = (
        " AND (i.lastmodifieddate > ? OR i.id IN (SELECT c.item FROM customeritempricing c "
        "JOIN customer cu ON cu.id = c.customer WHERE cu.lastmodifieddate > ?))"
        if since
        else ""
    )
    ids = [
        r[0]
        for r in account.conn.execute(
            f"SELECT i.id FROM item i WHERE i.id > ?{since_sql} ORDER BY i.id LIMIT ?",
            (cursor, *([since, since] if since else []), limit + 1),
        )
    ]
    if not ids:
        return {"rows": [], "contract_prices": [], "next_cursor": None, "count": 0}
    fetched = rows(
        account.conn,
        "SELECT p.item, i.itemid, p.pricelevel, pl.name AS levelname, p.quantity, p.unitprice FROM pricing p "
        "JOIN item i ON i.id = p.item JOIN pricelevel pl ON pl.id = p.pricelevel "
        "WHERE p.item >= ? AND p.item <= ? ORDER BY p.item, p.pricelevel, p.quantity",
        (ids[0], ids[-1]),
    )
    by_item: dict[int, list[dict[str, Any]]] = {}
    for r in fetched:
        by_item.setdefault(r["item"], []).append(
            {
                "item_id": str(r["item"]),
                "sku": r["itemid"],
                "price_level_id": str(r["pricelevel"]),
                "price_level": r["levelname"],
                "quantity": _int(r["quantity"]),
                "unit_price": f"{r['unitprice']:.2f}",
                "currency": "USD",
            }
        )
    page, next_cursor = _page(by_item, ids, limit)
    if next_cursor is None and len(ids) > limit:
        next_cursor = str(ids[-1])
    page_items = sorted({int(r["item_id"]) for r in page})
    contracts = []
    if page_items:
        contracts = [
            {
                "customer_id": str(r["customer"]),
                "customer_external_id": r["externalid"],
                "customer_price_level_id": str(r["pricelevel"]) if r["pricelevel"] is not None else None,
                "item_id": str(r["item"]),
                "sku": r["itemid"],
                "unit_price": f"{r['price']:.2f}",
                "currency": "USD",
            }
            for r in rows(
                account.conn,
                "SELECT c.customer, cu.externalid, cu.pricelevel, c.item, i.itemid, c.price FROM customeritempricing c "
                "JOIN customer cu ON cu.id = c.customer JOIN item i ON i.id = c.item "
                f"WHERE c.item IN ({','.join('?' * len(page_items))}) ORDER BY c.item, c.customer",
                page_items,
            )
        ]
    return {"rows": page, "contract_prices": contracts, "next_cursor": next_cursor, "count": len(page)}


def _int(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value
