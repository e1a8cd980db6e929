"""
### Nightly customer reconciliation (NetSuite ⇄ Magento)

Every night (env `MNS_CUSTOMER_RECONCILIATION_SCHEDULE` at parse time, default 02:30 UTC) every
customer in both systems is compared field by field, for every field `include/mappings/customer.yaml`
gives an owner (pandas frames, values compared canonically).

1. **compare**: all active NetSuite customers (one SuiteQL query, keyset-paged) and all Magento
   accounts; each difference classified: the owner changed and the reader is behind (the carrying
   flow's watermark says so), the reader was edited against the rules, a customer missing on one
   side, an e-mail claimed by two records.
2. **repair**: in the owner's direction, through the flows that own it (NetSuite-owned fields onto
   the Magento account, the login e-mail to NetSuite's copy, a Magento account NetSuite lacks
   through the registration handoff). What no write can settle goes to the error queue with what,
   why and how to fix, under the flow whose Retry re-runs it.
3. **report**: the drift report (counts per field and kind, examples) is stored in `mns_store` and
   shown on the Error Queue page's **Drift** section with the trend of recent runs; Slack gets a
   summary when more than `MNS_CUSTOMER_DRIFT_ALERT_PERCENT` percent (default 1) of customers drifted.

Addresses are a NetSuite sublist (not SuiteQL columns); the on-change flow keeps them.
"""

from __future__ import annotations

import os

import pendulum
from airflow.sdk import dag, task

from magento_netsuite.alerts import flow_success_callback
from magento_netsuite.flows.customer_reconciliation import DAG_ID
from magento_netsuite.flows.customer_reconciliation.constants import DEFAULT_SCHEDULE, SCHEDULE_ENV
from magento_netsuite.pipeline import tasks as kit
from magento_netsuite.pipeline.defaults import default_args, netsuite_pool

SCHEDULE = os.environ.get(SCHEDULE_ENV, DEFAULT_SCHEDULE)


@dag(
    dag_id=DAG_ID,
    schedule=SCHEDULE,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["customers", "reconciliation", "magento", "netsuite"],
    doc_md=__doc__,
    default_args=default_args(retries=2),
)
def customers_nightly_reconciliation():
    @task(multiple_outputs=False, **netsuite_pool())
    def compare(ti=None, run_id=None) -> dict:
        from magento_netsuite.flows.customer_reconciliation.run import compare_task

        return compare_task(kit.context(ti, run_id))

    @task(multiple_outputs=False, **netsuite_pool())
    def repair(compared: dict, ti=None, run_id=None) -> dict:
        from magento_netsuite.flows.customer_reconciliation.run import repair_task

        return repair_task(compared, kit.context(ti, run_id))

    @task(multiple_outputs=False, on_success_callback=flow_success_callback)
    def report(compared: dict, repaired: dict, ti=None, run_id=None) -> dict:
        from magento_netsuite.flows.customer_reconciliation.run import report_task

        return report_task(compared, repaired, kit.context(ti, run_id))

    compared = compare()
    report(compared, repair(compared))


customers_nightly_reconciliation()
