"""Extract: what the warehouse did in NetSuite after the flow's cursor, oldest change first.

Two SuiteQL reads over the window, merged in change order:

* item fulfilments created from a sales order that came from Magento (the order's ``externalId`` is
  the Magento increment id, written by the orders flow), joined through the fulfilment's main line
  ``createdfrom``; each is then read whole (``GET itemFulfillment/{id}?expandSubResources=true``) for
  its lines (``orderLine``, ``quantity``, ``location``) and packages (tracking numbers), which SuiteQL
  does not join without the line-link tables;
* sales orders from Magento that are cancelled (status C), closed (H) or carry a closed line
  (``transactionline.isclosed``).

Both kinds carry their sales order's lines (``transactionline``: line id, SKU, quantity,
``quantityshiprecv``, ``isclosed``), read in one query per page, under ``salesOrder``: the
transform matches fulfilment lines to Magento order items through them.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from magento_netsuite.connectors.netsuite import NetSuiteHook
from magento_netsuite.flows.fulfilments.constants import FULFILMENT_PREFIX, ORDER_PREFIX
from magento_netsuite.pipeline.watermark import Cursor, Window, parse_time
from magento_netsuite.pipeline.writes import write_all

PAGE = 200
IN_CHUNK = 1000
"""Keys per ``IN (...)`` list (Oracle allows at most 1,000)."""
KEY_WIDTH = 12
NS_TIME = "YYYY-MM-DD HH24:MI:SS"
FULFILMENT, CLOSURE = "fulfilment", "closure"

CHANGED_FULFILMENTS = (
    "SELECT f.id, so.id AS so_id, so.externalid AS so_externalid, so.status AS so_status, "
    f"TO_CHAR(f.lastmodifieddate, '{NS_TIME}') AS modified "
    "FROM transaction f "
    "JOIN transactionline fl ON fl.transaction = f.id AND fl.mainline = 'T' "
    "JOIN transaction so ON so.id = fl.createdfrom "
    "WHERE f.type = 'ItemShip' AND so.type = 'SalesOrd' AND so.externalid IS NOT NULL AND __WINDOW__ "
    "ORDER BY f.lastmodifieddate, f.id"
)
CHANGED_ORDERS = (
    "SELECT so.id AS so_id, so.externalid AS so_externalid, so.status AS so_status, "
    f"TO_CHAR(so.lastmodifieddate, '{NS_TIME}') AS modified "
    "FROM transaction so "
    "WHERE so.type = 'SalesOrd' AND so.externalid IS NOT NULL AND __WINDOW__ AND (so.status IN ('C', 'H') "
    "OR EXISTS (SELECT 1 FROM transactionline cl WHERE cl.transaction = so.id AND cl.isclosed = 'T')) "
    "ORDER BY so.lastmodifieddate, so.id"
)
ORDER_LINES = (
    "SELECT l.transaction AS so_id, l.id AS line, i.itemid AS sku, l.quantity, l.quantityshiprecv, l.isclosed "
    "FROM transactionline l JOIN item i ON i.id = l.item "
    "WHERE l.mainline = 'F' AND l.transaction IN ({marks}) ORDER BY l.transaction, l.id"
)


def record_key(record: dict[str, Any]) -> str:
    """``IF-<fulfilment id>`` or ``SO-<sales order id>``."""
    prefix = FULFILMENT_PREFIX if record.get("kind") == FULFILMENT else ORDER_PREFIX
    return f"{prefix}{record['id']}"


def record_cursor(record: dict[str, Any]) -> Cursor:
    """A record's place in NetSuite's change order: last modified, then kind and zero-padded id."""
    return Cursor(
        parse_time(record["modified"], what="lastmodifieddate"),
        f"{record.get('kind')}:{int(record['id']):0{KEY_WIDTH}d}",
    )


def _window_sql(alias: str, window: Window) -> tuple[str, list[str]]:
    conditions, params = [f"{alias}.lastmodifieddate < TO_TIMESTAMP(?, '{NS_TIME}')"], [_ns_time(window.until)]
    if window.since is not None:
        conditions.insert(0, f"{alias}.lastmodifieddate >= TO_TIMESTAMP(?, '{NS_TIME}')")
        params.insert(0, _ns_time(window.since.at))
    return " AND ".join(conditions), params


def _ns_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _rows(hook: NetSuiteHook, query: str, params: Sequence[Any]) -> Iterator[dict[str, Any]]:
    for page in hook.suiteql(query, list(params)):
        yield from page


def _stub(row: dict[str, Any], kind: str, record_id: str) -> dict[str, Any]:
    modified = str(row["modified"]).replace(" ", "T") + "Z"
    order = {"id": str(row["so_id"]), "externalId": row.get("so_externalid"), "status": {"id": row.get("so_status")}}
    return {"kind": kind, "id": record_id, "modified": modified, "salesOrder": order}


def changed(hook: NetSuiteHook, window: Window) -> Iterator[dict[str, Any]]:
    """Stubs of every fulfilment and closure-relevant order changed in the window, oldest first."""
    f_sql, f_params = _window_sql("f", window)
    o_sql, o_params = _window_sql("so", window)
    fulfilments = (
        _stub(r, FULFILMENT, str(r["id"]))
        for r in _rows(hook, CHANGED_FULFILMENTS.replace("__WINDOW__", f_sql), f_params)
    )
    orders = (
        _stub(r, CLOSURE, str(r["so_id"])) for r in _rows(hook, CHANGED_ORDERS.replace("__WINDOW__", o_sql), o_params)
    )
    return heapq.merge(fulfilments, orders, key=record_cursor)


def order_lines(hook: NetSuiteHook, order_ids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """Sales order id → its item lines (``line``, ``sku``, ``quantity``, ``quantityFulfilled``, ``isClosed``)."""
    wanted = sorted(set(order_ids), key=int)
    found: dict[str, list[dict[str, Any]]] = {}
    for start in range(0, len(wanted), IN_CHUNK):
        chunk = wanted[start : start + IN_CHUNK]
        query = ORDER_LINES.replace("{marks}", ", ".join("?" * len(chunk)))
        for row in _rows(hook, query, chunk):
            found.setdefault(str(row["so_id"]), []).append(
                {
                    "line": int(row["line"]),
                    "sku": row.get("sku"),
                    "quantity": float(row.get("quantity") or 0),
                    "quantityFulfilled": float(row.get("quantityshiprecv") or 0),
                    "isClosed": row.get("isclosed") == "T",
                }
            )
    return found


def complete(hook: NetSuiteHook, stubs: list[dict[str, Any]], workers: int) -> list[dict[str, Any]]:
    """Each stub with its sales order's lines and, for a fulfilment, the whole NetSuite record."""
    lines = order_lines(hook, (s["salesOrder"]["id"] for s in stubs))

    def read(stub: dict[str, Any]) -> dict[str, Any]:
        stub["salesOrder"]["lines"] = lines.get(stub["salesOrder"]["id"], [])
        if stub["kind"] != FULFILMENT:
            return stub
        record = hook.get_record("itemFulfillment", stub["id"], expand=True)
        return {**record, **stub}

    return write_all(stubs, read, workers=workers, what="item fulfilment read(s)", system="netsuite")


def changed_records(hook: NetSuiteHook, window: Window, workers: int, page: int = PAGE) -> Iterator[list[dict]]:
    """Pages of complete records (fulfilments and orders) changed in the window, oldest first."""
    batch: list[dict[str, Any]] = []
    for stub in changed(hook, window):
        batch.append(stub)
        if len(batch) >= page:
            yield complete(hook, batch, workers)
            batch = []
    if batch:
        yield complete(hook, batch, workers)


REREAD_FULFILMENTS = (
    "SELECT f.id, so.id AS so_id, so.externalid AS so_externalid, so.status AS so_status, "
    f"TO_CHAR(f.lastmodifieddate, '{NS_TIME}') AS modified "
    "FROM transaction f "
    "JOIN transactionline fl ON fl.transaction = f.id AND fl.mainline = 'T' "
    "JOIN transaction so ON so.id = fl.createdfrom "
    "WHERE f.type = 'ItemShip' AND f.id IN ({marks})"
)
REREAD_ORDERS = (
    "SELECT so.id AS so_id, so.externalid AS so_externalid, so.status AS so_status, "
    f"TO_CHAR(so.lastmodifieddate, '{NS_TIME}') AS modified "
    "FROM transaction so WHERE so.type = 'SalesOrd' AND so.id IN ({marks})"
)


def records_by_key(hook: NetSuiteHook, keys: Iterable[str], workers: int) -> dict[str, dict[str, Any]]:
    """The current NetSuite records of these keys (replay re-reads NetSuite, never the stale payload)."""
    wanted = set(keys)
    fulfilment_ids = sorted({k.removeprefix(FULFILMENT_PREFIX) for k in wanted if k.startswith(FULFILMENT_PREFIX)})
    order_ids = sorted({k.removeprefix(ORDER_PREFIX) for k in wanted if k.startswith(ORDER_PREFIX)})
    stubs: list[dict[str, Any]] = []
    for ids, query, kind in ((fulfilment_ids, REREAD_FULFILMENTS, FULFILMENT), (order_ids, REREAD_ORDERS, CLOSURE)):
        ids = [i for i in ids if i.isdigit()]
        for start in range(0, len(ids), IN_CHUNK):
            chunk = ids[start : start + IN_CHUNK]
            for row in _rows(hook, query.replace("{marks}", ", ".join("?" * len(chunk))), chunk):
                stubs.append(_stub(row, kind, str(row["id"] if kind == FULFILMENT else row["so_id"])))
    return {record_key(r): r for r in complete(hook, stubs, workers)} if stubs else {}
