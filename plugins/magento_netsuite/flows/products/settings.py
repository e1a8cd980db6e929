"""The products flow's settings: the mapping document's judgement calls (``product.yaml`` ``settings``)
plus how it writes (environment).

Who owns the storefront name and the enabled flag after creation is read from the document, never
assumed here: ``storefront_name_owner`` and ``enabled_owner`` (``magento`` by default, so
merchandisers stay in charge of what they own).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from magento_netsuite.flows.products.constants import ENTITY, FLOW
from magento_netsuite.governance import FieldSpec, MappingDocument

OWNERS = ("magento", "netsuite")
LOAD_MODES = ("auto", "sync", "async")
STATUS = {"enabled": 1, "disabled": 2}


@dataclass(frozen=True)
class ProductSettings:
    name_owner: str
    enabled_owner: str
    new_status: int
    attribute_set_id: int
    website_ids: tuple[int, ...]
    visibility: int
    price: float
    options: tuple[FieldSpec, ...]
    """The matrix option fields: NetSuite ``custitem_*`` → Magento select attribute (``custom_attributes.<code>``)."""
    load_mode: str
    bulk_threshold: int
    bulk_operations: int

    def option_code(self, spec: FieldSpec) -> str:
        return str(spec.magento).removeprefix("custom_attributes.")

    def use_bulk(self, writes: int) -> bool:
        """Async bulk pays when there are many writes (one call per ``bulk_operations`` instead of one each)."""
        return self.load_mode == "async" or (self.load_mode == "auto" and writes >= self.bulk_threshold)


def _choice(raw: dict[str, Any], name: str, allowed: tuple[str, ...], default: str) -> str:
    value = str(raw.get(name, default))
    if value not in allowed:
        raise ValueError(f"product.yaml settings.{name} must be one of {allowed}, got {value!r}")
    return value


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"environment variable {name} must be a whole number, got {raw!r}") from None
    if value < 1:
        raise ValueError(f"environment variable {name} must be at least 1, got {raw!r}")
    return value


def product_settings(doc: MappingDocument) -> ProductSettings:
    """Mapping settings plus ``MNS_PRODUCTS_LOAD_MODE`` (auto | sync | async), ``MNS_PRODUCTS_BULK_THRESHOLD``
    (writes from which ``auto`` uses the async bulk API, default 50) and ``MNS_PRODUCTS_BULK_OPERATIONS``
    (products per bulk request, default 500)."""
    entity = doc.entity(ENTITY)
    raw = entity.settings
    new = raw.get("new_products") or {}
    status = str(new.get("status", "disabled"))
    if status not in STATUS:
        raise ValueError(f"product.yaml settings.new_products.status must be enabled or disabled, got {status!r}")
    flow = doc.flow(FLOW)
    options = []
    for name in raw.get("configurable_options") or []:
        spec = flow.field(str(name))
        if not (spec.netsuite or "").startswith("custitem") or not (spec.magento or "").startswith(
            "custom_attributes."
        ):
            raise ValueError(
                f"product.yaml settings.configurable_options: field {name!r} must map a custitem_* matrix option "
                "to a custom_attributes.<select attribute>"
            )
        options.append(spec)
    mode = os.environ.get("MNS_PRODUCTS_LOAD_MODE") or "auto"
    if mode not in LOAD_MODES:
        raise ValueError(f"environment variable MNS_PRODUCTS_LOAD_MODE must be one of {LOAD_MODES}, got {mode!r}")
    return ProductSettings(
        name_owner=_choice(raw, "storefront_name_owner", OWNERS, "magento"),
        enabled_owner=_choice(raw, "enabled_owner", OWNERS, "magento"),
        new_status=STATUS[status],
        attribute_set_id=int(new.get("attribute_set_id", 4)),
        website_ids=tuple(int(w) for w in new.get("website_ids") or [1]),
        visibility=int(new.get("visibility", 4)),
        price=float(new.get("price", 0)),
        options=tuple(options),
        load_mode=mode,
        bulk_threshold=_env_int("MNS_PRODUCTS_BULK_THRESHOLD", 50),
        bulk_operations=_env_int("MNS_PRODUCTS_BULK_OPERATIONS", 500),
    )
