"""Pricing flow: NetSuite price levels, quantity breaks and contract prices → Magento base and tier
prices, only what changed, with a price parity audit as the run's last task.

Only constants here, so a DAG file that imports them parses without importing the hooks; the flow
is declared in :mod:`.flow` and imported by the kit inside the tasks. The customer-group rule the
customers flow shares is :func:`magento_netsuite.flows.pricing.groups.group_for`.
"""

from magento_netsuite.flows.pricing.constants import ASSET_URI, AUDIT_FLOW, DAG_ID, DELTA, ENTITY, FLOW, FULL

__all__ = ["ASSET_URI", "AUDIT_FLOW", "DAG_ID", "DELTA", "ENTITY", "FLOW", "FULL"]
