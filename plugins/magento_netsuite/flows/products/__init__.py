"""Products flow: the NetSuite product master → the Magento catalogue, daily; Magento's content is never written.

Only constants here, so a DAG file that imports them parses without importing the hooks; the flow
is declared in :mod:`.flow` and imported by the kit inside the tasks.
"""

from magento_netsuite.flows.products.constants import DAG_ID, DELTA, ENTITY, FLOW, FULL

__all__ = ["DAG_ID", "DELTA", "ENTITY", "FLOW", "FULL"]
