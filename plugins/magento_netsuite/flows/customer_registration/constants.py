"""Names the registration handoff is known by (include/mappings/customer.yaml)."""

from __future__ import annotations

FLOW = "customer_registration_magento_to_netsuite"
EMAIL_FLOW = "customer_email_magento_to_netsuite"
"""The mapping's flow for a login e-mail changed in Magento (run by the same DAG)."""
ENTITY = "customer"
DAG_ID = "magento_customer_registration_to_netsuite"
SCHEDULE_ENV = "MNS_CUSTOMER_REGISTRATION_SCHEDULE"
DEFAULT_SCHEDULE = "*/5 * * * *"
NETSUITE_ID_FIELD = "netsuite_internal_id"
"""The mapping's field holding the NetSuite internal id on the Magento account (the write-back)."""
