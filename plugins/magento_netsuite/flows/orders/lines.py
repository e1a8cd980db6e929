"""The line policy of the mapping document: which Magento order items become NetSuite lines.

* configurable: the parent line carries the chosen child's SKU and the price, so it becomes the
  NetSuite line; the child line (``parent_item_id`` pointing at a configurable) is skipped;
* bundle: the bundle's own line is skipped (NetSuite does not know the bundle SKU) and each child
  becomes a line at the child's price. A fixed-price bundle prices its children at 0: then the
  bundle's row total goes onto its first child line, so the order total stays whole;
* anything else is one line.

Each effective line remembers its index in Magento's ``items`` array, so an error on it names the
path a person can find in Magento (``items[2].sku``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

CONFIGURABLE = "configurable"
BUNDLE = "bundle"


@dataclass(frozen=True)
class EffectiveLine:
    source_index: int
    item: dict[str, Any]


def _number(value: Any) -> Decimal:
    try:
        return Decimal(str(value if value is not None else 0))
    except ArithmeticError:
        return Decimal(0)


def effective_lines(order: Mapping[str, Any]) -> list[EffectiveLine]:
    """The order's items as NetSuite lines, in Magento's order, per the line policy."""
    items: list[dict[str, Any]] = list(order.get("items") or [])
    by_id = {item.get("item_id"): item for item in items if item.get("item_id") is not None}
    lines: list[EffectiveLine] = []
    bundle_first_child: dict[Any, int] = {}
    for index, item in enumerate(items):
        parent_id = item.get("parent_item_id")
        parent = by_id.get(parent_id) if parent_id is not None else None
        if item.get("product_type") == BUNDLE:
            continue
        if parent is not None and parent.get("product_type") == CONFIGURABLE:
            continue
        line = dict(item)
        if parent is not None and parent.get("product_type") == BUNDLE:
            bundle_first_child.setdefault(parent_id, len(lines))
        lines.append(EffectiveLine(index, line))
    for parent_id, first in bundle_first_child.items():
        parent = by_id[parent_id]
        children = [ln for ln in lines if ln.item.get("parent_item_id") == parent_id]
        if any(_number(child.item.get("price")) != 0 for child in children):
            continue  # a dynamically priced bundle: the children carry their prices
        first_line = lines[first].item
        quantity = _number(first_line.get("qty_ordered")) or Decimal(1)
        row_total = _number(parent.get("row_total")) or _number(parent.get("price")) * _number(
            parent.get("qty_ordered")
        )
        first_line["price"] = str((row_total / quantity).quantize(Decimal("0.0001")).normalize())
    return lines
