"""Flow settings: from the mapping document (``include/mappings/inventory.yaml``) and the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from magento_netsuite.flows.inventory.constants import ENTITY
from magento_netsuite.governance import MappingDocument

QUANTITY_BASES = ("available", "on_hand")


@dataclass(frozen=True)
class InventorySettings:
    """How NetSuite quantities become Magento quantities, and how the flow loads them."""

    quantity_basis: str = "available"
    buffer_default: Decimal = Decimal(0)
    buffer_per_location: dict[str, Decimal] = field(default_factory=dict)
    buffer_per_sku: dict[str, Decimal] = field(default_factory=dict)
    batch_size: int = 500
    chunk_size: int = 50_000
    load_mode: str = "sync"
    unmatched_alert_share: float = 0.05

    def buffer(self, sku: str, source_code: str) -> Decimal:
        """Units held back: per SKU wins over per source, which wins over the default."""
        if sku in self.buffer_per_sku:
            return self.buffer_per_sku[sku]
        return self.buffer_per_location.get(source_code, self.buffer_default)


def _units(name: str, value: Any) -> Decimal:
    try:
        units = Decimal(str(value))
    except ArithmeticError:
        raise ValueError(f"inventory.yaml settings.safety_buffer.{name}: {value!r} is not a number") from None
    if not units.is_finite() or units < 0:
        raise ValueError(f"inventory.yaml settings.safety_buffer.{name}: must be a number >= 0, got {value!r}")
    return units


def _env_number(name: str, default: float, cast: type = int) -> Any:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return cast(default)
    try:
        value = cast(raw)
    except ValueError:
        raise ValueError(f"environment variable {name} must be a number, got {raw!r}") from None
    if value <= 0:
        raise ValueError(f"environment variable {name} must be above zero, got {raw!r}")
    return value


def inventory_settings(doc: MappingDocument) -> InventorySettings:
    """Mapping settings plus ``MNS_INVENTORY_BATCH_SIZE`` (items per POST), ``MNS_INVENTORY_CHUNK_SIZE``
    (items per mapped load task), ``MNS_INVENTORY_LOAD_MODE`` (sync | async) and
    ``MNS_INVENTORY_UNMATCHED_ALERT_SHARE`` (share of unknown SKUs that alerts)."""
    raw = doc.entity(ENTITY).settings
    basis = str(raw.get("quantity_basis") or "available")
    if basis not in QUANTITY_BASES:
        raise ValueError(f"inventory.yaml settings.quantity_basis must be one of {QUANTITY_BASES}, got {basis!r}")
    buffer = raw.get("safety_buffer") or {}
    mode = os.environ.get("MNS_INVENTORY_LOAD_MODE") or "sync"
    if mode not in ("sync", "async"):
        raise ValueError(f"environment variable MNS_INVENTORY_LOAD_MODE must be sync or async, got {mode!r}")
    share = _env_number("MNS_INVENTORY_UNMATCHED_ALERT_SHARE", 0.05, float)
    return InventorySettings(
        quantity_basis=basis,
        buffer_default=_units("default", buffer.get("default", 0)),
        buffer_per_location={
            str(k): _units(f"per_location.{k}", v) for k, v in (buffer.get("per_location") or {}).items()
        },
        buffer_per_sku={str(k): _units(f"per_sku.{k}", v) for k, v in (buffer.get("per_sku") or {}).items()},
        batch_size=_env_number("MNS_INVENTORY_BATCH_SIZE", 500),
        chunk_size=_env_number("MNS_INVENTORY_CHUNK_SIZE", 50_000),
        load_mode=mode,
        unmatched_alert_share=share,
    )
