"""Inventory flow: NetSuite stock per location → Magento MSI source items, deltas only, loud on failure.

Importing this package registers the flow's replay handler with the error queue (:mod:`.replay`).
"""

from magento_netsuite.flows.inventory.constants import ASSET_URI, DAG_ID, ENTITY, FLOW
from magento_netsuite.flows.inventory.replay import HANDLER, InventoryReplayHandler

__all__ = ["ASSET_URI", "DAG_ID", "ENTITY", "FLOW", "HANDLER", "InventoryReplayHandler"]
