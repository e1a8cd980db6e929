"""Names and settings of the nightly customer reconciliation."""

from __future__ import annotations

RECONCILIATION = "customers_reconciliation"
"""The drift reports' name in ``mns_store`` (not a kit flow: see the package docstring)."""
DAG_ID = "customers_nightly_reconciliation"
SCHEDULE_ENV = "MNS_CUSTOMER_RECONCILIATION_SCHEDULE"
DEFAULT_SCHEDULE = "30 2 * * *"
THRESHOLD_ENV = "MNS_CUSTOMER_DRIFT_ALERT_PERCENT"
DEFAULT_THRESHOLD_PERCENT = 1.0
"""Slack gets a summary when more than this share of the compared customers drifted."""
EXAMPLES_PER_FIELD = 3

# the kinds of difference
OWNER_AHEAD = "owner_changed_reader_behind"
READER_EDITED = "reader_edited_against_rules"
MISSING_IN_MAGENTO = "missing_in_magento"
MISSING_IN_NETSUITE = "missing_in_netsuite"
EMAIL_CLAIMED_TWICE = "email_claimed_by_two_records"
KINDS = (OWNER_AHEAD, READER_EDITED, MISSING_IN_MAGENTO, MISSING_IN_NETSUITE, EMAIL_CLAIMED_TWICE)
