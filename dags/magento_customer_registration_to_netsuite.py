"""
### Magento registrations → NetSuite customers (the handoff)

Every 5 minutes (env `MNS_CUSTOMER_REGISTRATION_SCHEDULE` at parse time), Magento customers created or
changed since the flow's cursor (Magento's `updated_at`, id as tie-break, up to a minute ago) are
settled against NetSuite:

1. **extract**: the changed customers, keyset-paged, staged as a file.
2. **transform**: a customer whose account does not carry its NetSuite id yet goes through the one
   buyer path the orders flow also uses (`flows/customers/handoff.py`): matched by externalId
   `MAG-CUST-<id>`, then by normalised e-mail (linked, never duplicated; two NetSuite customers with
   the e-mail are quarantined with both ids), else created minimally (the mapping's handoff fields,
   company or person, the store's subsidiary) exactly once through the creation ledger. So a buyer
   who registers and orders within the same minute gets one NetSuite customer. A linked customer
   whose login e-mail changed in Magento (Magento owns it) gets NetSuite's copy updated.
3. **load**: the NetSuite id is written back onto the Magento account (custom attribute named in
   `customer.yaml`, field `netsuite_internal_id`), once; changed e-mails are `PATCH`ed to NetSuite.
4. **quarantine** / **summarize**: as every flow; fixed customers retry from the Error Queue page.

From the handoff on, NetSuite is authoritative: `netsuite_customers_to_magento` carries its master
data back, and `customers_nightly_reconciliation` repairs drift.
"""

from __future__ import annotations

import os

import pendulum
from airflow.sdk import dag, task

from magento_netsuite.alerts import flow_success_callback
from magento_netsuite.flows.customer_registration import DAG_ID, FLOW
from magento_netsuite.flows.customer_registration.constants import DEFAULT_SCHEDULE, SCHEDULE_ENV
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
def magento_customer_registration_to_netsuite():
    @task(multiple_outputs=False)
    def extract(params=None, ti=None, run_id=None) -> dict:
        return kit.extract(FLOW, params, kit.context(ti, run_id))

    @task(multiple_outputs=False, **netsuite_pool())
    def transform(extracted: dict, ti=None, run_id=None) -> dict:
        return kit.transform(FLOW, extracted, kit.context(ti, run_id))

    @task(multiple_outputs=False, **netsuite_pool())
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


magento_customer_registration_to_netsuite()
