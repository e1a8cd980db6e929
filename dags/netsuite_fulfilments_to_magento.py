"""
### NetSuite item fulfilments → Magento shipments (and cancellations)

Every 15 minutes (env `MNS_FULFILMENTS_SCHEDULE` at parse time), what the warehouse did in NetSuite on
orders that came from Magento (the sales order's External ID is the Magento order number) goes back
to Magento: each shipped item fulfilment becomes one Magento shipment with its tracking numbers, and
a cancelled sales order, or one whose remaining lines were closed, cancels what Magento still has to
ship. `include/mappings/fulfillment.yaml` says which fulfilment statuses ship, the carrier and MSI
source maps, and whether Magento e-mails the buyer (`settings.notify_customer`).

**What a run reads: a watermark, not a window.** The cursor (NetSuite `lastmodifieddate` of the last
record settled, kind + id as tie-break) lives in `mns_store`; a run reads every fulfilment and
closure-relevant sales order changed after it, up to two minutes ago, oldest first, at most 5,000.

1. **extract** (pool `netsuite_api`): SuiteQL for the changed fulfilments (joined to their sales order
   through `transactionline.createdfrom`) and for cancelled / closed-line sales orders; each
   fulfilment read whole (lines with `orderLine`, packages with tracking numbers); order lines in one
   query per page. Staged as a file, not XCom.
2. **transform**: each record planned against its Magento order (orders and their shipments read in
   batches): fulfilment lines → Magento order items (by the sales order line's SKU), quantities
   checked against what Magento can still ship. A fulfilment already in Magento (a shipment comment
   names it) is left alone. A record whose order, line, item or quantity doesn't match Magento is set
   aside with the NetSuite field and the fix.
3. **load**: `POST /V1/order/{id}/ship` per fulfilment, once whatever the reruns (claimed in the kit's
   ledger on the fulfilment id; Magento checked again before shipping, so a lost answer never ships
   twice); `POST /V1/orders/{id}/cancel` for closed or cancelled orders. Magento's refusals
   (shipping more than ordered, shipping a cancelled order) are quarantined with Magento's message.
4. **quarantine** and **summarize**: extracted = shipped/cancelled + unchanged + quarantined, by key;
   the cursor moves; a Slack digest when anything was quarantined. Fixed records retry from the
   Error Queue page; the replay re-reads NetSuite.
"""

from __future__ import annotations

import os

import pendulum
from airflow.sdk import Asset, dag, task

from magento_netsuite.alerts import flow_success_callback
from magento_netsuite.flows.fulfilments import ASSET_URI, DAG_ID, FLOW
from magento_netsuite.flows.fulfilments.constants import DEFAULT_SCHEDULE, SCHEDULE_ENV
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
    tags=[FLOW, "fulfilments", "shipments", "magento", "netsuite"],
    doc_md=__doc__ + "\n" + flow_doc_md(FLOW),
    default_args=default_args(retries=3),
    params={"since": since_param()},
)
def netsuite_fulfilments_to_magento():
    @task(multiple_outputs=False, **netsuite_pool())
    def extract(params=None, ti=None, run_id=None) -> dict:
        return kit.extract(FLOW, params, kit.context(ti, run_id))

    @task(multiple_outputs=False)
    def transform(extracted: dict, ti=None, run_id=None) -> dict:
        return kit.transform(FLOW, extracted, kit.context(ti, run_id))

    @task(multiple_outputs=False, outlets=[Asset(ASSET_URI)])
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


netsuite_fulfilments_to_magento()
