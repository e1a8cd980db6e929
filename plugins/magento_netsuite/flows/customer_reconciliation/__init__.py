"""Nightly customer reconciliation: both systems compared field by field, drift repaired and reported.

Only constants here, so the DAG file parses without importing pandas or the hooks. This package
declares no kit ``Flow``: what it cannot repair is queued under the flow that owns the repair
(``customers_netsuite_to_magento`` or ``customer_registration_magento_to_netsuite``), so Retry on the
Error Queue page runs that flow's replay.
"""

from magento_netsuite.flows.customer_reconciliation.constants import DAG_ID, RECONCILIATION

__all__ = ["DAG_ID", "RECONCILIATION"]
