"""Names the products flow is known by (docs/architecture.md, "Flow names")."""

from __future__ import annotations

FLOW = "products_netsuite_to_magento"
ENTITY = "product"
DAG_ID = "netsuite_products_to_magento"
ASSET_URI = "magento://catalog/products"

FULL, DELTA = "full", "delta"
PARENT, CHILD = "PARENT", "CHILD"
"""NetSuite ``matrixType`` of a matrix parent item and of its children."""
