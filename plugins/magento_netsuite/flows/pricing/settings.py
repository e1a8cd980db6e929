"""The pricing flow's settings: ``include/mappings/pricing.yaml`` ``settings`` plus environment knobs."""

from __future__ import annotations

import os
from dataclasses import dataclass

from magento_netsuite.flows.pricing.constants import MAPPING_ENTITY
from magento_netsuite.governance import MappingDocument


@dataclass(frozen=True)
class PricingSettings:
    base_level_id: str
    not_logged_in_level_id: str | None
    not_logged_in_group: str
    website_id: int
    price_type: str
    contract_tax_class_id: int
    currencies: tuple[str, ...]
    batch_size: int
    """Price rows per Magento request."""
    chunk_size: int
    """SKUs per mapped load task."""
    plan_chunk: int
    """SKUs the plan (and the parity audit) holds in memory at once."""
    audit_customers: int
    """Customers without contract prices the audit samples (every contract customer is audited)."""
    audit_skus: int
    """SKUs the audit samples per customer (a contract customer's contract SKUs come on top)."""
    audit_max_rows: int
    """Mismatches queued per audit (drift first); all are counted in the summary."""


def _env_int(name: str, default: int, minimum: int = 1) -> int:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"environment variable {name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise ValueError(f"environment variable {name} must be at least {minimum}, got {raw!r}")
    return value


def pricing_settings(doc: MappingDocument) -> PricingSettings:
    """Mapping settings plus ``MNS_PRICING_BATCH_SIZE`` (rows per Magento request, default 1000),
    ``MNS_PRICING_CHUNK_SIZE`` (SKUs per load task, default 5000), ``MNS_PRICING_PLAN_CHUNK`` (SKUs
    planned at once, default 5000), ``MNS_PRICING_AUDIT_CUSTOMERS``
    (default 20), ``MNS_PRICING_AUDIT_SKUS`` (default 25) and ``MNS_PRICING_AUDIT_MAX_ROWS`` (mismatches
    queued per audit, default 500)."""
    entity = doc.entity(MAPPING_ENTITY)
    raw = entity.settings
    price_type = str(raw.get("tier_price_type") or "fixed")
    if price_type != "fixed":
        raise ValueError(
            f"pricing.yaml settings.tier_price_type must be fixed (NetSuite prices are amounts), got {price_type!r}"
        )
    currency = next((f for f in entity.fields if f.name == "currency"), None)
    allowed = tuple(str(c) for c in (currency.validation.allowed or [])) if currency else ()
    nli = raw.get("not_logged_in_level_id")
    return PricingSettings(
        base_level_id=str(raw.get("base_price_level_id", "1")),
        not_logged_in_level_id=None if nli in (None, "") else str(nli),
        not_logged_in_group=str(raw.get("not_logged_in_group") or "NOT LOGGED IN"),
        website_id=int(raw.get("website_id", 0)),
        price_type=price_type,
        contract_tax_class_id=int(raw.get("contract_group_tax_class_id", 3)),
        currencies=allowed,
        batch_size=_env_int("MNS_PRICING_BATCH_SIZE", 1000),
        chunk_size=_env_int("MNS_PRICING_CHUNK_SIZE", 5000),
        plan_chunk=_env_int("MNS_PRICING_PLAN_CHUNK", 5000),
        audit_customers=_env_int("MNS_PRICING_AUDIT_CUSTOMERS", 20, minimum=0),
        audit_skus=_env_int("MNS_PRICING_AUDIT_SKUS", 25),
        audit_max_rows=_env_int("MNS_PRICING_AUDIT_MAX_ROWS", 500, minimum=0),
    )
