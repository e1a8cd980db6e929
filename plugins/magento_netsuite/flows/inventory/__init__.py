"""Inventory flow: NetSuite stock per location → Magento MSI source items, deltas only, loud on failure.

Only constants here, so a DAG file that imports them parses without importing the hooks; the flow
is declared in :mod:`.flow` and imported by the kit inside the tasks.
"""

from magento_netsuite.flows.inventory.constants import ASSET_URI, DAG_ID, DELTA, ENTITY, FLOW, FULL

__all__ = ["ASSET_URI", "DAG_ID", "DELTA", "ENTITY", "FLOW", "FULL"]
