"""
### Magento orders → NetSuite sales orders

Every 5 minutes (env `MNS_ORDERS_SCHEDULE` at parse time), orders that Magento marks ready for the
ERP (`settings.ready_for_erp`, per payment method, in `include/mappings/order.yaml`) become NetSuite sales orders,
exactly once.

**What a run reads: a watermark, not a window.** The flow keeps a cursor in `mns_store` (Magento's
`updated_at` of the last order it settled, entity id as tie-break) and reads every ready order changed
after it, up to two minutes ago (clock skew and commit lag), oldest first, at most 5,000 a run; the
cursor moves only past orders that ended synced, already there or quarantined. So a first run, a
paused DAG, a scheduler restart or a failed run loses nothing: the next run catches up (and says how
far behind it is). Rerunning an old run never moves the cursor back; to re-read from a point in
time, trigger with the Param `since`. The data interval only labels the run.

1. **extract**: the orders after the cursor, keyset-paged; the batch is staged as a file, not XCom.
2. **transform**: the mapping-driven transform; SKUs → NetSuite item ids in one SuiteQL lookup;
   buyers by externalId (registered) or normalised email (guests), never by name; a missing buyer
   is created minimally with `PUT customer/eid:` (race-free). Invalid orders are set aside with the
   exact field path (`items[2].sku`, `...address.postcode`) and a fix hint.
3. **load**: one existence check on `transaction.externalid`, then one `POST salesOrder` with
   `externalId` per new order (NetSuite rejects a duplicate externalId, so a rerun, a cleared task
   or a race never duplicates). Orders already in NetSuite are left alone. Pool `netsuite_api`.
4. **write_back**: the NetSuite internal id goes onto the Magento order as a comment, once, whatever
   runs and replays overlap (claimed in `mns_store`, checked against the order first).
5. **quarantine**: every order the run could not sync goes to the error queue (the task's return
   value shows how many, by error class and field).
6. **summarize**: extracted = created + already in NetSuite + quarantined, by key; the cursor moves;
   a Slack digest when anything was quarantined; previously quarantined orders that synced resolve.

Auth failures fail the task at once and alert; transient errors retry in the hook, then in Airflow
with exponential backoff. Fixed orders retry from the Error Queue page (`error_queue_replay`).
The DAG is paused on creation (Airflow's default): unpause it once the connections are set.
"""

from __future__ import annotations

import os

import pendulum
from airflow.sdk import Asset, dag, task

from magento_netsuite.alerts import flow_success_callback
from magento_netsuite.flows.orders import ASSET_URI, DAG_ID, FLOW
from magento_netsuite.flows.orders.constants import DEFAULT_SCHEDULE, SCHEDULE_ENV
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
    tags=[FLOW, "orders", "magento", "netsuite"],
    doc_md=__doc__ + "\n" + flow_doc_md(FLOW),
    default_args=default_args(retries=3),
    params={"since": since_param()},
)
def magento_orders_to_netsuite():
    @task(multiple_outputs=False)
    def extract(params=None, ti=None, run_id=None) -> dict:
        return kit.extract(FLOW, params, kit.context(ti, run_id))

    @task(multiple_outputs=False, **netsuite_pool())
    def transform(extracted: dict, ti=None, run_id=None) -> dict:
        return kit.transform(FLOW, extracted, kit.context(ti, run_id))

    @task(multiple_outputs=False, outlets=[Asset(ASSET_URI)], **netsuite_pool())
    def load(transformed: dict, ti=None, run_id=None) -> dict:
        return kit.load(FLOW, transformed["chunks"][0], transformed["extracted_uri"], kit.context(ti, run_id))

    @task(multiple_outputs=False)
    def write_back(transformed: dict, loaded: dict, ti=None, run_id=None) -> dict:
        return kit.after_load(FLOW, transformed, loaded, kit.context(ti, run_id))

    @task(multiple_outputs=False)
    def quarantine(transformed: dict, loaded: dict, ti=None, run_id=None) -> dict:
        return kit.quarantine(FLOW, transformed, loaded, kit.context(ti, run_id))

    @task(multiple_outputs=False, on_success_callback=flow_success_callback)
    def summarize(extracted: dict, transformed: dict, loaded: dict, written: dict, ti=None, run_id=None) -> dict:
        return kit.summarize(FLOW, extracted, transformed, loaded, kit.context(ti, run_id), {"write_back": written})

    extracted = extract()
    transformed = transform(extracted)
    loaded = load(transformed)
    queued = quarantine(transformed, loaded)
    queued >> summarize(extracted, transformed, loaded, write_back(transformed, loaded))


magento_orders_to_netsuite()
