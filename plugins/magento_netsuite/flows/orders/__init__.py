"""Orders flow: Magento orders ready for the ERP become NetSuite sales orders, exactly once.

Only constants here, so a DAG file that imports them parses without importing the hooks; the flow
is declared in :mod:`.flow` and imported by the kit inside the tasks.
"""

from magento_netsuite.flows.orders.constants import ASSET_URI, DAG_ID, ENTITY, FLOW

__all__ = ["ASSET_URI", "DAG_ID", "ENTITY", "FLOW"]
