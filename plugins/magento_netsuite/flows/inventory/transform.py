"""Transform: one NetSuite inventory row → one MSI source item, or a quarantined record.

The mapping places ``sku`` and ``location_id → source_code`` (value map ``location_to_source``); the
quantity is the mapping's ``quantity_basis`` column (``available`` by default) minus the safety
buffer, never below zero, and the status follows it. Inactive items go to 0 / out of stock.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from magento_netsuite.flows.inventory.constants import ENTITY, FLOW
from magento_netsuite.flows.inventory.settings import InventorySettings
from magento_netsuite.governance import Flow, MappingDocument, load_mapping_document, translate_record
from magento_netsuite.pipeline.outcomes import RecordOutcome, RunContext, quarantined


def record_key(sku: Any, source_code: Any) -> str:
    """The key of one source item in the error queue and the summary: ``SKU@source_code``."""
    return f"{sku}@{source_code}"


def row_key(row: Mapping[str, Any], doc: MappingDocument | None = None) -> str:
    """``SKU@source_code`` of an extracted NetSuite row (the mapping's location → source value map)."""
    doc = doc or load_mapping_document()
    location = str(row.get("location_id"))
    source = doc.value_map("location_to_source").entries.get(location, f"location:{location}")
    return record_key(str(row.get("sku") or "").strip(), source)


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


def source_item(
    row: Mapping[str, Any], flow: Flow, doc: MappingDocument, settings: InventorySettings, ctx: RunContext
) -> dict[str, Any] | RecordOutcome:
    """The MSI source item ``{key, sku, source_code, quantity, status}`` or the quarantine outcome."""
    key = row_key(row, doc)
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
    if row.get("inactive"):
        quantity = Decimal(0)
    pushed = max(Decimal(0), quantity - settings.buffer(sku, source_code))
    return {
        "key": key,
        "sku": sku,
        "source_code": source_code,
        "quantity": int(pushed) if pushed == pushed.to_integral_value() else float(pushed),
        "status": 1 if pushed > 0 else 0,
    }
