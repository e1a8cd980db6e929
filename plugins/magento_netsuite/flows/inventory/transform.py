"""Transform: one NetSuite inventory row → one MSI source item, or a quarantined record.

The mapping places ``sku`` and ``location_id → source_code`` (value map ``location_to_source``); the
quantity is the mapping's ``quantity_basis`` column (``available`` by default) minus the safety
buffer, never below zero, and the status follows it. Inactive items go to 0 / out of stock.

The key is the SKU exactly as NetSuite spells it: a SKU with surrounding whitespace is its own record
(quarantined, never merged into the SKU it resembles), and a quantity Magento's ``decimal(12,4)``
column cannot hold exactly is quarantined rather than rounded.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

from magento_netsuite.flows.inventory.constants import ENTITY, FLOW
from magento_netsuite.flows.inventory.settings import InventorySettings
from magento_netsuite.governance import Flow, MappingDocument, load_mapping_document, translate_record
from magento_netsuite.pipeline.outcomes import RecordOutcome, RunContext, quarantined

MAGENTO_SKU_LENGTH = 64
"""``catalog_product_entity.sku`` is ``varchar(64)``."""
MAGENTO_QUANTITY_MAX = Decimal("99999999.9999")
"""``inventory_source_item.quantity`` is ``decimal(12,4)``: 8 digits before the point, 4 after."""
MAGENTO_QUANTITY_STEP = Decimal("0.0001")


def record_key(sku: Any, source_code: Any) -> str:
    """The key of one source item in the error queue and the summary: ``SKU@source_code``."""
    return f"{sku}@{source_code}"


UNMAPPED_LOCATION = "location:"
"""The source part of the key of a row at a location the value map lacks: ``location:<id>``."""


def source_of(location: Any, sources: Mapping[str, Any]) -> str:
    """The MSI source of a NetSuite location, or ``location:<id>`` when ``location_to_source`` lacks it."""
    return str(sources.get(str(location), f"{UNMAPPED_LOCATION}{location}"))


def row_key(row: Mapping[str, Any], doc: MappingDocument | None = None) -> str:
    """``SKU@source_code`` of an extracted NetSuite row (the mapping's location → source value map)."""
    doc = doc or load_mapping_document()
    sources = doc.value_map("location_to_source").entries
    return record_key(str(row.get("sku") or ""), source_of(row.get("location_id"), sources))


def quarantine(
    key: str, payload: Mapping[str, Any], error_class: str, message: str, field_path: str | None, ctx: RunContext
) -> RecordOutcome:
    return quarantined(
        FLOW, ENTITY, key, payload, error_class=error_class, message=message, field_path=field_path, ctx=ctx
    )


def _number(value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def sku_problem(sku: Any) -> str | None:
    """Why a NetSuite SKU can't be a Magento SKU as it is, or None."""
    if not isinstance(sku, str) or not sku.strip():
        return None  # missing: the mapping's required check names it
    if sku != sku.strip():
        return f"SKU {sku!r} has leading or trailing whitespace; correct the Item Name/Number in NetSuite"
    if any(ord(c) < 32 or ord(c) == 127 for c in sku):
        return f"SKU {sku!r} holds control characters; correct the Item Name/Number in NetSuite"
    if len(sku) > MAGENTO_SKU_LENGTH:
        return f"SKU {sku[:40]!r}... is {len(sku)} characters, Magento holds at most {MAGENTO_SKU_LENGTH}"
    return None


def is_inactive(value: Any) -> bool:
    """NetSuite's ``isinactive``: ``true`` from the RESTlet, ``'T'``/``'F'`` from SuiteQL (``'F'`` is active)."""
    return value is True or str(value).upper() in ("T", "TRUE")


def quantity_problem(quantity: Decimal) -> str | None:
    """Why Magento's ``decimal(12,4)`` quantity can't hold ``quantity`` exactly, or None."""
    if quantity > MAGENTO_QUANTITY_MAX:
        return f"{quantity} is over Magento's largest stock quantity {MAGENTO_QUANTITY_MAX}"
    if quantity != quantity.quantize(MAGENTO_QUANTITY_STEP, rounding=ROUND_DOWN):
        return f"{quantity} has more than 4 decimal places (Magento stores quantities to {MAGENTO_QUANTITY_STEP})"
    return None


def source_item(
    row: Mapping[str, Any], flow: Flow, doc: MappingDocument, settings: InventorySettings, ctx: RunContext
) -> dict[str, Any] | RecordOutcome:
    """The MSI source item ``{key, sku, source_code, quantity, status}`` or the quarantine outcome."""
    key = row_key(row, doc)
    bad_sku = sku_problem(row.get("sku"))
    if bad_sku:
        return quarantine(key, row, "validation", bad_sku, "sku", ctx)
    translation = translate_record(flow, row, doc)
    if translation.violations:
        first = translation.violations[0]
        is_location = first.field == "source_code" and "map" in first.message.lower()
        return quarantine(
            key,
            row,
            "reference" if is_location else "validation",
            "; ".join(f"{v.path}: {v.message}" for v in translation.violations),
            first.path,
            ctx,
        )
    sku, source_code = translation.record["sku"], translation.record["source_code"]
    basis = settings.quantity_basis
    quantity = _number(row.get(basis))
    if quantity is None:
        message = f"{sku} at {source_code}: {basis} {row.get(basis)!r} is not a number"
        return quarantine(key, row, "validation", message, basis, ctx)
    if quantity < 0:
        message = f"{sku} at {source_code}: {basis} is negative ({quantity}); Magento is never sent a negative stock"
        return quarantine(key, row, "validation", message, basis, ctx)
    too_big_or_fine = quantity_problem(quantity)
    if too_big_or_fine:
        return quarantine(key, row, "validation", f"{sku} at {source_code}: {basis} {too_big_or_fine}", basis, ctx)
    if is_inactive(row.get("inactive")):
        quantity = Decimal(0)
    pushed = max(Decimal(0), quantity - settings.buffer(sku, source_code))
    return {
        "key": key,
        "sku": sku,
        "source_code": source_code,
        "quantity": int(pushed) if pushed == pushed.to_integral_value() else float(pushed),
        "status": 1 if pushed > 0 else 0,
    }
