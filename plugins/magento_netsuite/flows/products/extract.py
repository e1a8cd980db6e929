"""Extract: NetSuite inventory items (matrix parents and children included) through SuiteQL on ``item``.

A row becomes a record shaped like the REST ``inventoryItem`` (the mapping's NetSuite paths):
``id, itemId, displayName, cost, weight, vendorName, upcCode, isInactive, matrixType, parent`` (the
parent item's itemId), the matrix option fields (``custitem_*``, their labels through
``BUILTIN.DF``), ``lastModifiedDate``; a matrix parent also carries ``matrixChildren`` (its children's
itemIds), so a configurable can be linked to children that did not change in this window.

Delta reads items modified after the cursor, oldest first (``ORDER BY lastmodifieddate, id``), paged
past SuiteQL's 100,000-row cap on the modification time (``NetSuiteHook.suiteql`` watermark).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from magento_netsuite.connectors.netsuite import NetSuiteHook
from magento_netsuite.flows.products.constants import PARENT
from magento_netsuite.pipeline.watermark import Cursor, Window, parse_time

LOOKUP_BATCH = 500
MODIFIED = "TO_CHAR(i.lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS')"
TIMESTAMP = "TO_TIMESTAMP(?, 'YYYY-MM-DD HH24:MI:SS')"
_OPTION_COLUMN = re.compile(r"^custitem\w+$")


def _select(option_columns: Sequence[str]) -> str:
    for column in option_columns:
        if not _OPTION_COLUMN.match(column):
            raise ValueError(f"matrix option field {column!r} is not a custitem_* column")
    options = "".join(f", BUILTIN.DF(i.{c}) AS {c}" for c in option_columns)
    return (
        "SELECT i.id AS item_id, i.itemid AS sku, i.displayname AS display_name, i.isinactive AS inactive, "
        "i.cost AS cost, i.weight AS weight, i.vendorname AS vendor_name, i.upccode AS upc_code, "
        f"i.matrixtype AS matrix_type, p.itemid AS parent_sku{options}, {MODIFIED} AS last_modified "
        "FROM item i LEFT JOIN item p ON p.id = i.parent WHERE i.itemtype = 'InvtPart'"
    )


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def item_record(row: Mapping[str, Any], option_columns: Sequence[str]) -> dict[str, Any]:
    """One SuiteQL row (lower-case keys, string values) as an ``inventoryItem``-shaped record."""
    record: dict[str, Any] = {
        "id": str(row.get("item_id")),
        "itemId": row.get("sku"),
        "displayName": row.get("display_name"),
        "cost": row.get("cost"),
        "weight": row.get("weight"),
        "vendorName": row.get("vendor_name"),
        "upcCode": row.get("upc_code"),
        "isInactive": str(row.get("inactive")).upper() in ("T", "TRUE"),
        "matrixType": row.get("matrix_type") or None,
        "parent": row.get("parent_sku") or None,
        "lastModifiedDate": f"{row['last_modified'].replace(' ', 'T')}Z" if row.get("last_modified") else None,
    }
    for column in option_columns:
        record[column] = row.get(column)
    return record


def item_cursor(record: Mapping[str, Any]) -> Cursor:
    """A record's place in NetSuite's change order: modification time, then the SKU."""
    return Cursor(parse_time(record["lastModifiedDate"], what="lastModifiedDate"), str(record.get("itemId") or ""))


def changed_items(hook: NetSuiteHook, window: Window, option_columns: Sequence[str]) -> Iterator[list[dict]]:
    """Pages of items modified in the window (all items in a full read), oldest change first."""
    query = _select(option_columns)
    params: list[Any] = []
    if window.since is not None:
        query += f" AND i.lastmodifieddate >= {TIMESTAMP}"
        params.append(_iso(window.since.at))
    query += f" AND i.lastmodifieddate <= {TIMESTAMP} AND {{watermark}} ORDER BY i.lastmodifieddate, i.id"
    params.append(_iso(window.until))
    for page in hook.suiteql(query, params, watermark_column="last_modified", watermark_expression=MODIFIED):
        yield with_children(hook, [item_record(r, option_columns) for r in page])


def items_by_sku(hook: NetSuiteHook, skus: Iterable[str], option_columns: Sequence[str]) -> dict[str, dict]:
    """The current NetSuite item of each SKU that still exists (replay's re-read), 500 SKUs a query."""
    wanted = sorted(set(skus))
    found: dict[str, dict] = {}
    for start in range(0, len(wanted), LOOKUP_BATCH):
        chunk = wanted[start : start + LOOKUP_BATCH]
        query = _select(option_columns) + f" AND i.itemid IN ({', '.join('?' * len(chunk))}) ORDER BY i.id"
        for page in hook.suiteql(query, chunk):
            for record in with_children(hook, [item_record(r, option_columns) for r in page]):
                found[str(record["itemId"])] = record
    return found


def with_children(hook: NetSuiteHook, records: list[dict]) -> list[dict]:
    """Matrix parents get ``matrixChildren``: the itemIds of all their children (one query per 500 parents)."""
    parents = [r for r in records if r.get("matrixType") == PARENT]
    children: dict[str, list[str]] = {str(r["id"]): [] for r in parents}
    ids = sorted(children, key=int)
    for start in range(0, len(ids), LOOKUP_BATCH):
        chunk = ids[start : start + LOOKUP_BATCH]
        query = (
            "SELECT c.itemid AS sku, c.parent AS parent_id FROM item c "
            f"WHERE c.parent IN ({', '.join('?' * len(chunk))}) ORDER BY c.id"
        )
        for page in hook.suiteql(query, [int(i) for i in chunk]):
            for row in page:
                children.setdefault(str(row.get("parent_id")), []).append(str(row.get("sku")))
    for record in parents:
        record["matrixChildren"] = children.get(str(record["id"]), [])
    return records
