"""Customer master: what NetSuite owns about a customer, carried to the Magento account on change.

Only constants here, so a DAG file that imports them parses without importing the hooks; the flow
is declared in :mod:`.flow` and imported by the kit inside the tasks.
"""

from magento_netsuite.flows.customer_master.constants import DAG_ID, ENTITY, FLOW

__all__ = ["DAG_ID", "ENTITY", "FLOW"]
