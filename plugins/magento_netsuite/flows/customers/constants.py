"""Names of the customer handoff (docs/architecture.md, "Flow names"; include/mappings/customer.yaml)."""

from __future__ import annotations

ENTITY = "customer"
RECORD_TYPE = "customer"
HANDOFF_FLOW = "customer_registration_magento_to_netsuite"
"""The mapping's flow whose fields make the minimal NetSuite customer of a Magento buyer."""
HANDOFF_CREATIONS = "customer_handoff"
"""The creation ledger's flow name for buyers: one ledger whichever flow (orders, registrations) creates them."""
GUEST_EXTERNAL_ID_PREFIX = "MAG-GUEST-"
