"""Fulfilments flow: NetSuite item fulfilments become Magento shipments (with tracking), once; cancelled
or closed sales-order lines cancel what Magento still has to ship.

Only constants here, so a DAG file that imports them parses without importing the hooks; the flow is
declared in :mod:`.flow` and imported by the kit inside the tasks.
"""

from magento_netsuite.flows.fulfilments.constants import ASSET_URI, DAG_ID, ENTITY, FLOW

__all__ = ["ASSET_URI", "DAG_ID", "ENTITY", "FLOW"]
