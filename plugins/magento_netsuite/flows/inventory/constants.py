"""Names the inventory flow is known by (docs/architecture.md, "Flow names")."""

from __future__ import annotations

FLOW = "inventory_netsuite_to_magento"
ENTITY = "inventory"
DAG_ID = "netsuite_inventory_to_magento"
ASSET_URI = "magento://inventory/source-items"

RESTLET_SCRIPT = "customscript_mns_inventory"
RESTLET_DEPLOY = "customdeploy_mns_inventory"
RESTLET_PAGE = 4000
"""Rows per RESTlet page of a delta (the RESTlet's default)."""
RESTLET_MAX_PAGE = 10_000
"""Rows per RESTlet page of a full read (the RESTlet's maximum; still ~200 of its 5,000 units)."""

FULL, DELTA = "full", "delta"
