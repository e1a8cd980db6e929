"""The conditions ``required_when`` of order.yaml refers to, evaluated for one Magento order.

* ``physical_items``: some line ships. Magento marks virtual and downloadable goods (``product_type``
  ``virtual``/``downloadable``, ``is_virtual``), and a wholly virtual order (``is_virtual: 1``) has no
  shipping address or method at all: its shipping fields are neither required nor sent.
* ``purchase_order``: paid by purchase order, so the buyer's PO number is required.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from magento_netsuite.governance import get_path

NON_SHIPPING_TYPES = frozenset({"virtual", "downloadable"})
PURCHASE_ORDER_METHODS = frozenset({"purchaseorder"})


def has_physical_items(order: Mapping[str, Any]) -> bool:
    if int(order.get("is_virtual") or 0):
        return False
    items = order.get("items") or []
    if not items:
        return True  # nothing to tell from: the strict reading (shipping required)
    return any(
        str(item.get("product_type") or "") not in NON_SHIPPING_TYPES and not int(item.get("is_virtual") or 0)
        for item in items
    )


def order_conditions(order: Mapping[str, Any]) -> dict[str, bool]:
    """Every named condition of order.yaml's ``settings.conditions`` for this order."""
    return {
        "physical_items": has_physical_items(order),
        "purchase_order": str(get_path(order, "payment.method") or "") in PURCHASE_ORDER_METHODS,
    }
