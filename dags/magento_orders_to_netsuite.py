"""
### Magento orders → NetSuite sales orders

Every 5 minutes (env `MNS_ORDERS_SCHEDULE` at parse time), orders that Magento marks ready for the
ERP (`settings.states_ready_for_erp` in `include/mappings/order.yaml`) and whose `updated_at` falls
in the run's data interval, widened backwards by an overlap (Airflow Variable
`mns_orders_overlap_minutes`, default 10), become NetSuite sales orders, exactly once.

1. **extract**: page through Magento's orders; the batch is staged as a file, not XCom.
2. **prepare**: the mapping-driven transform; SKUs → NetSuite item ids in one SuiteQL lookup;
   buyers by externalId (registered) or normalised email (guests), never by name; a missing buyer
   is created minimally with `PUT customer/eid:` (race-free). Invalid orders are quarantined with
   the exact field path (`items[2].sku`, `...address.postcode`) and a fix hint.
3. **load**: one existence check on `transaction.externalid`, then one `POST salesOrder` with
   `externalId` per new order (NetSuite rejects a duplicate externalId, so a rerun, a cleared task
   or a race never duplicates). Orders already in NetSuite are left alone. Pool `netsuite_api`.
4. **write_back**: the NetSuite internal id goes onto the Magento order as a comment.
5. **summarize**: extracted = loaded + already synced + quarantined, by key (XCom + log); a Slack
   digest when anything was quarantined; previously quarantined orders that synced are resolved.

Auth failures fail the task at once and alert; transient errors retry in the hook, then in Airflow
with exponential backoff. Fixed orders retry from the Error Queue page (`error_queue_replay`).
"""

from __future__ import annotations

import os
from datetime import timedelta

import pendulum
from airflow.sdk import Asset, ExceptionRetryPolicy, RetryAction, RetryRule, dag, task
from airflow.timetables.interval import CronDataIntervalTimetable

from magento_netsuite.alerts import flow_success_callback, task_failure_alert
from magento_netsuite.config import NETSUITE_POOL
from magento_netsuite.connectors.errors import AuthError, TransientError
from magento_netsuite.flows.orders import ASSET_URI, DAG_ID, FLOW
from magento_netsuite.flows.orders import tasks as orders
from magento_netsuite.flows.orders.transform import RunContext
from magento_netsuite.governance import flow_doc_md

SCHEDULE = os.environ.get("MNS_ORDERS_SCHEDULE", "*/5 * * * *")

RETRY_POLICY = ExceptionRetryPolicy(
    rules=[
        RetryRule(exception=AuthError, action=RetryAction.FAIL, reason="credentials refused: fix the connection"),
        RetryRule(exception=TransientError, action=RetryAction.RETRY, reason="API busy or down: back off"),
    ]
)


def _ctx(ti, run_id: str) -> RunContext:
    return RunContext(run_id=run_id, dag_id=ti.dag_id, task_id=ti.task_id, try_number=ti.try_number)


@dag(
    dag_id=DAG_ID,
    schedule=CronDataIntervalTimetable(SCHEDULE, timezone="UTC"),
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=[FLOW, "orders", "magento", "netsuite"],
    doc_md=__doc__ + "\n" + flow_doc_md(FLOW),
    default_args={
        "owner": "integrations",
        "retries": 3,
        "retry_delay": timedelta(seconds=30),
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": timedelta(minutes=10),
        "retry_policy": RETRY_POLICY,
        "on_failure_callback": task_failure_alert,
    },
)
def magento_orders_to_netsuite():
    @task(multiple_outputs=False)
    def extract(data_interval_start=None, data_interval_end=None, run_id=None) -> dict:
        return orders.extract(data_interval_start, data_interval_end, run_id)

    @task(multiple_outputs=False, pool=NETSUITE_POOL)
    def prepare(extracted: dict, ti=None, run_id=None) -> dict:
        return orders.prepare(extracted, _ctx(ti, run_id))

    @task(multiple_outputs=False, pool=NETSUITE_POOL, outlets=[Asset(ASSET_URI)])
    def load(prepared: dict, ti=None, run_id=None) -> dict:
        return orders.load(prepared, _ctx(ti, run_id))

    @task(multiple_outputs=False)
    def write_back(prepared: dict, loaded: dict, ti=None) -> dict:
        return orders.write_back_ids(prepared, loaded, ti.try_number)

    @task(multiple_outputs=False, on_success_callback=flow_success_callback)
    def summarize(extracted: dict, prepared: dict, loaded: dict, written: dict, run_id=None) -> dict:
        return orders.summarize_run(extracted, prepared, loaded, written, run_id)

    extracted = extract()
    prepared = prepare(extracted)
    loaded = load(prepared)
    summarize(extracted, prepared, loaded, write_back(prepared, loaded))


magento_orders_to_netsuite()
