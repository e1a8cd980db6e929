"""Names the orders flow is known by (docs/architecture.md, "Flow names")."""

from __future__ import annotations

FLOW = "orders_magento_to_netsuite"
ENTITY = "order"
DAG_ID = "magento_orders_to_netsuite"
RECORD_TYPE = "salesOrder"
ASSET_URI = "netsuite://salesOrder"

SCHEDULE_ENV = "MNS_ORDERS_SCHEDULE"
DEFAULT_SCHEDULE = "*/5 * * * *"
WRITE_BACK_EFFECT = "write_back"
COMPANY_NAME_PATH = "billing_address.company"
"""Where an order names the buying company (default of ``settings.buyer_policy.company_name_from``)."""
WRITE_BACK_MARKER = "NetSuite sales order internal id"
"""Text every write-back comment carries; an order whose history has it is not commented again."""

COMPUTED_BY_NETSUITE = ("subtotal", "total", "taxTotal")
"""Body fields the mapping validates but NetSuite computes itself (read-only on a salesOrder): not sent."""
