"""Orders flow: Magento orders ready for the ERP become NetSuite sales orders, exactly once.

Importing this package registers the flow's replay handler with the error queue (:mod:`.replay`).
"""

from magento_netsuite.flows.orders.constants import ASSET_URI, DAG_ID, ENTITY, FLOW
from magento_netsuite.flows.orders.replay import HANDLER, OrderReplayHandler

__all__ = ["ASSET_URI", "DAG_ID", "ENTITY", "FLOW", "HANDLER", "OrderReplayHandler"]
