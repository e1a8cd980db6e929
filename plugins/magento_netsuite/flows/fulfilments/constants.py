"""Names the fulfilments flow is known by (docs/architecture.md, "Flow names")."""

from __future__ import annotations

FLOW = "fulfillments_netsuite_to_magento"
ENTITY = "fulfillment"
DAG_ID = "netsuite_fulfilments_to_magento"
ASSET_URI = "magento://shipment"

SCHEDULE_ENV = "MNS_FULFILMENTS_SCHEDULE"
DEFAULT_SCHEDULE = "*/15 * * * *"
SHIP_EFFECT = "shipment"
"""The kit's side-effect ledger entry of one fulfilment shipped into one Magento order."""
FULFILMENT_PREFIX = "IF-"
ORDER_PREFIX = "SO-"
"""Record keys: ``IF-<itemFulfillment id>`` (a shipment) and ``SO-<salesOrder id>`` (a cancellation or closure)."""
SHIPMENT_MARKER = "NetSuite item fulfilment"
"""Text of every shipment comment we write: ``NetSuite item fulfilment IF000123 (internal id 50001)``."""
CANCELLED_STATUS = "C"
