"""Names the pricing flow is known by (docs/architecture.md, "Flow names")."""

from __future__ import annotations

FLOW = "pricing_netsuite_to_magento"
MAPPING_ENTITY = "pricing"
"""The entity of ``include/mappings/pricing.yaml``."""
ENTITY = "price"
"""The entity of the flow's error-queue rows (one per SKU: "Price for SKU-000001")."""
DAG_ID = "netsuite_pricing_to_magento"
ASSET_URI = "magento://products/prices"

AUDIT_FLOW = "pricing_parity_audit"
"""The error-queue flow of the parity audit's mismatches (one row per customer, SKU and quantity)."""
AUDIT_ENTITY = "price_parity"

RESTLET_SCRIPT = "customscript_mns_pricing"
RESTLET_DEPLOY = "customdeploy_mns_pricing"
RESTLET_PAGE = 4000
"""Price rows per RESTlet page of a delta (the RESTlet's default)."""
RESTLET_MAX_PAGE = 10_000
"""Price rows per RESTlet page of a full read (the RESTlet's maximum)."""

BASE_GROUP = ""
"""The group column of a base-price row (Magento's product price: no group, quantity 0)."""

FULL, DELTA = "full", "delta"
