"""Names the inventory flow is known by (docs/architecture.md, "Flow names")."""

from __future__ import annotations

FLOW = "inventory_netsuite_to_magento"
ENTITY = "inventory"
DAG_ID = "netsuite_inventory_to_magento"
ASSET_URI = "magento://inventory/source-items"

RESTLET_SCRIPT = "customscript_mns_inventory"
RESTLET_DEPLOY = "customdeploy_mns_inventory"
RESTLET_PAGE = 4000
"""Rows per RESTlet page (the RESTlet's default; at most 10,000)."""

WATERMARK_OVERLAP_MINUTES = 2.0
"""A delta asks for changes since the last successful extract started, minus this (clock skew)."""

FULL, DELTA = "full", "delta"
