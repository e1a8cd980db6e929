"""
### NetSuite customer master → Magento accounts

Every 30 minutes (env `MNS_CUSTOMERS_SCHEDULE` at parse time), NetSuite customers handed over from
Magento (externalId `MAG-CUST-<id>`) and changed since the flow's cursor (NetSuite's
`lastModifiedDate`, internal id as tie-break, up to two minutes ago) carry the fields NetSuite owns to
the Magento account, as `include/mappings/customer.yaml` lists them: credit limit, terms, tax status,
resale number, account tier, sales rep, names, addresses, and the customer group.

**The group rule**: a customer with contract prices in NetSuite gets the Magento group
`CONTRACT-<netsuite id>` (created by the pricing flow with their prices); every other customer gets the
group mapped from their price level.

1. **extract**: one SuiteQL query in change order, then each record with its address book.
2. **transform**: the mapping-driven translation (NetSuite-owned fields only; the ownership filter
   refuses anything else), one contract-price query for the batch, the group rule.
3. **load**: each account read fresh, the fields laid over it, written only when something changed.
   Login e-mail, password, newsletter and e-mail preferences are never sent.
4. **quarantine** / **summarize**: as every flow; fixed customers retry from the Error Queue page.
"""

from __future__ import annotations

import os

import pendulum
from airflow.sdk import dag, task

from magento_netsuite.alerts import flow_success_callback
from magento_netsuite.flows.customer_master import DAG_ID, FLOW
from magento_netsuite.flows.customer_master.constants import DEFAULT_SCHEDULE, SCHEDULE_ENV
from magento_netsuite.governance import flow_doc_md
from magento_netsuite.pipeline import tasks as kit
from magento_netsuite.pipeline.defaults import default_args, netsuite_pool, since_param

SCHEDULE = os.environ.get(SCHEDULE_ENV, DEFAULT_SCHEDULE)


@dag(
    dag_id=DAG_ID,
    schedule=SCHEDULE,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,  # the watermark catches up, not a run per missed interval
    max_active_runs=1,
    tags=[FLOW, "customers", "magento", "netsuite"],
    doc_md=__doc__ + "\n" + flow_doc_md(FLOW),
    default_args=default_args(retries=3),
    params={"since": since_param()},
)
def netsuite_customers_to_magento():
    @task(multiple_outputs=False, **netsuite_pool())
    def extract(params=None, ti=None, run_id=None) -> dict:
        return kit.extract(FLOW, params, kit.context(ti, run_id))

    @task(multiple_outputs=False, **netsuite_pool())
    def transform(extracted: dict, ti=None, run_id=None) -> dict:
        return kit.transform(FLOW, extracted, kit.context(ti, run_id))

    @task(multiple_outputs=False)
    def load(transformed: dict, ti=None, run_id=None) -> dict:
        return kit.load(FLOW, transformed["chunks"][0], transformed["extracted_uri"], kit.context(ti, run_id))

    @task(multiple_outputs=False)
    def quarantine(transformed: dict, loaded: dict, ti=None, run_id=None) -> dict:
        return kit.quarantine(FLOW, transformed, loaded, kit.context(ti, run_id))

    @task(multiple_outputs=False, on_success_callback=flow_success_callback)
    def summarize(extracted: dict, transformed: dict, loaded: dict, ti=None, run_id=None) -> dict:
        return kit.summarize(FLOW, extracted, transformed, loaded, kit.context(ti, run_id))

    extracted = extract()
    transformed = transform(extracted)
    loaded = load(transformed)
    quarantine(transformed, loaded) >> summarize(extracted, transformed, loaded)


netsuite_customers_to_magento()
