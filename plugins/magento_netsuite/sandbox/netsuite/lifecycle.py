"""A sales order's lifecycle in the sandbox account: fulfilments, closed lines, cancellation.

What NetSuite does on its own when the warehouse works an order, so the REST record API and
SuiteQL show it like a real account:

* an item fulfilment (``createdFrom`` a sales order, lines ``orderLine`` + ``quantity``) adds to the
  order lines' ``quantityFulfilled`` (SuiteQL ``transactionline.quantityshiprecv``) and touches the
  order (its ``lastModifiedDate`` moves);
* a line closed with ``isClosed: true`` (a PATCH of the order's ``item`` sublist) shows in SuiteQL
  ``transactionline.isclosed = 'T'``;
* the order's status follows: B Pending Fulfillment, D Partially Fulfilled, F Pending Billing (nothing
  left to ship), H Closed (every line closed before anything shipped), C Cancelled (the UI's Cancel
  button, only before anything was fulfilled: ``POST /_sandbox/salesorders/{id}/cancel``).
"""

from __future__ import annotations

from typing import Any

from magento_netsuite.sandbox.netsuite.errors import invalid_content
from magento_netsuite.sandbox.netsuite.suiteql import STATUS_NAMES

CANCELLED, CLOSED = "C", "H"


def _status_id(record: dict[str, Any]) -> str | None:
    status = record.get("status")
    return str(status.get("id")) if isinstance(status, dict) else (str(status) if status else None)


def status_of(record: dict[str, Any]) -> str | None:
    """The status the order's lines imply (``None``: nothing fulfilled or closed yet, NetSuite's default)."""
    if _status_id(record) == CANCELLED:
        return CANCELLED
    lines = (record.get("item") or {}).get("items") or []
    if not lines:
        return None
    fulfilled = [float(line.get("quantityFulfilled") or 0) for line in lines]
    closed = [bool(line.get("isClosed")) for line in lines]
    open_left = any(
        not c and f < float(line.get("quantity", 1)) for line, f, c in zip(lines, fulfilled, closed, strict=True)
    )
    shipped = any(f > 0 for f in fulfilled)
    if all(closed) and not shipped:
        return CLOSED
    if not open_left:
        return "F"
    if shipped:
        return "D"
    return None


def apply_status(record: dict[str, Any]) -> None:
    """Set the order's ``status`` from its lines (before it is stored)."""
    status = status_of(record)
    if status is not None:
        record["status"] = {"id": status, "refName": STATUS_NAMES[status]}


def fulfilled_quantities(fulfilments: list[dict[str, Any]], order_id: int) -> dict[int, float]:
    """Order line → quantity fulfilled, over every fulfilment created from the order."""
    done: dict[int, float] = {}
    for fulfilment in fulfilments:
        ref = fulfilment.get("createdFrom") or {}
        if str(ref.get("id") if isinstance(ref, dict) else ref) != str(order_id):
            continue
        for line in (fulfilment.get("item") or {}).get("items") or []:
            if line.get("orderLine") is None:
                continue
            order_line = int(line["orderLine"])
            done[order_line] = done.get(order_line, 0.0) + float(line.get("quantity") or 0)
    return done


def refreshed_order(order: dict[str, Any], done: dict[int, float]) -> dict[str, Any]:
    """The order with each line's ``quantityFulfilled`` from ``done``."""
    for n, line in enumerate((order.get("item") or {}).get("items") or [], start=1):
        line["quantityFulfilled"] = done.get(int(line.get("line") or n), 0.0)
    return order


def check_cancellable(order: dict[str, Any]) -> None:
    """NetSuite offers Cancel only on an order nothing of which was fulfilled (and not closed)."""
    if any(float(line.get("quantityFulfilled") or 0) > 0 for line in (order.get("item") or {}).get("items") or []):
        raise invalid_content("You cannot cancel a sales order that has been partially or fully fulfilled.", "status")
    if _status_id(order) in (CANCELLED, CLOSED):
        raise invalid_content("The sales order is closed or cancelled already.", "status")
