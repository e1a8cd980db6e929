"""Names the customer master flow is known by (include/mappings/customer.yaml)."""

from __future__ import annotations

FLOW = "customers_netsuite_to_magento"
ENTITY = "customer"
DAG_ID = "netsuite_customers_to_magento"
RECORD_TYPE = "customer"
SCHEDULE_ENV = "MNS_CUSTOMERS_SCHEDULE"
DEFAULT_SCHEDULE = "*/30 * * * *"
EXTERNAL_ID_PREFIX = "MAG-CUST-"
"""Only NetSuite customers handed over from a Magento account carry master data back."""
GROUP_FIELD = "customer_group"
"""The mapping's field for the Magento customer group (decided by :mod:`.groups`)."""
