"""Customers: the one path that resolves or creates the NetSuite customer of a Magento buyer.

Only constants here, like every flow package; the resolve-or-create path is
:mod:`magento_netsuite.flows.customers.handoff`, shared by the orders flow and the customers flows.
"""

from magento_netsuite.flows.customers.constants import (
    ENTITY,
    GUEST_EXTERNAL_ID_PREFIX,
    HANDOFF_CREATIONS,
    HANDOFF_FLOW,
    RECORD_TYPE,
)

__all__ = ["ENTITY", "GUEST_EXTERNAL_ID_PREFIX", "HANDOFF_CREATIONS", "HANDOFF_FLOW", "RECORD_TYPE"]
