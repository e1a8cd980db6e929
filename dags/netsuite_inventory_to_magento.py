"""
### NetSuite inventory → Magento MSI source items

Every 15 minutes (env `MNS_INVENTORY_SCHEDULE_MINUTES`, 15–30, read at parse time). Stale stock
oversells, so this flow is cheap on NetSuite and loud on failure.

1. **extract** (pool `netsuite_api`): our RESTlet `customscript_mns_inventory` (or SuiteQL on
   `inventoryitemlocations` when the connection extra `inventory_source` is `suiteql`), paged.
   Param `mode`: `delta` (default: items changed since the last successful run's watermark, kept
   in `mns_store`) or `full` (everything; also the nightly run at `MNS_INVENTORY_FULL_HOUR` UTC).
2. **plan**: location → MSI source (value map `location_to_source`), quantity per the mapping
   (available by default) minus the safety buffer, status from it; unknown SKUs (one batched
   Magento lookup) and negative or non-numeric quantities are quarantined; a delta keeps only rows
   that differ from what we last pushed; a full run re-pushes all and zeroes Magento source items
   NetSuite no longer stocks.
3. **load** (mapped, one task per chunk): `POST /V1/inventory/source-items` in batches (or the async
   bulk endpoint); per-item refusals quarantined; the snapshot records only what Magento accepted.
4. **summarize**: extracted = pushed + unchanged + quarantined, by key; zeroed items listed; the
   watermark advances; an unknown-SKU share over `MNS_INVENTORY_UNMATCHED_ALERT_SHARE` alerts.

Any extract or load failure fails the task and alerts at once (one quick retry for transient
errors only). A deadline alert fires when a run has not finished within twice the schedule
(env `MNS_INVENTORY_FRESHNESS_DEADLINE=off` drops it, for `airflow dags test` only).
"""

from __future__ import annotations

import os
from datetime import timedelta

import pendulum
from airflow.sdk import Asset, ExceptionRetryPolicy, Param, RetryAction, RetryRule, dag, task
from airflow.timetables.interval import CronDataIntervalTimetable

from magento_netsuite.alerts import flow_success_callback, freshness_deadline, task_failure_alert
from magento_netsuite.config import NETSUITE_POOL
from magento_netsuite.connectors.errors import AuthError, TransientError
from magento_netsuite.flows.inventory import ASSET_URI, DAG_ID, FLOW
from magento_netsuite.flows.inventory import tasks as inventory
from magento_netsuite.flows.inventory.constants import DELTA, FULL
from magento_netsuite.flows.inventory.transform import RunContext
from magento_netsuite.governance import flow_doc_md

MINUTES = int(os.environ.get("MNS_INVENTORY_SCHEDULE_MINUTES", "15"))
if not 15 <= MINUTES <= 30:
    raise ValueError(f"MNS_INVENTORY_SCHEDULE_MINUTES must be 15..30, got {MINUTES}")
FULL_HOUR = int(os.environ.get("MNS_INVENTORY_FULL_HOUR", "2"))
SCHEDULE = f"*/{MINUTES} * * * *"
FRESHNESS_DEADLINE = os.environ.get("MNS_INVENTORY_FRESHNESS_DEADLINE", "on").lower() != "off"
"""``off`` for ``airflow dags test`` / ``dag.test()``: in 3.3.2 a test run that succeeds looks the DAG's
deadline alerts up by id, which only the scheduler's serialized DAG has, and fails the run."""

RETRY_POLICY = ExceptionRetryPolicy(
    rules=[
        RetryRule(exception=AuthError, action=RetryAction.FAIL, reason="credentials refused: fix the connection"),
        RetryRule(exception=inventory.UnmatchedSkusError, action=RetryAction.FAIL, reason="catalogue mismatch"),
        RetryRule(exception=TransientError, action=RetryAction.RETRY, reason="API busy or down: one quick retry"),
    ]
)


def _ctx(ti, run_id: str) -> RunContext:
    return RunContext(
        run_id=run_id, dag_id=ti.dag_id, task_id=ti.task_id, try_number=ti.try_number, map_index=ti.map_index
    )


@dag(
    dag_id=DAG_ID,
    schedule=CronDataIntervalTimetable(SCHEDULE, timezone="UTC"),
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=[FLOW, "inventory", "magento", "netsuite"],
    doc_md=__doc__ + "\n" + flow_doc_md(FLOW),
    params={"mode": Param(DELTA, enum=[DELTA, FULL], description="delta (changed since last run) or full")},
    deadline=freshness_deadline(FLOW, DAG_ID, timedelta(minutes=2 * MINUTES)) if FRESHNESS_DEADLINE else None,
    default_args={
        "owner": "integrations",
        "retries": 1,
        "retry_delay": timedelta(seconds=20),
        "retry_policy": RETRY_POLICY,
        "on_failure_callback": task_failure_alert,
    },
)
def netsuite_inventory_to_magento():
    @task(multiple_outputs=False, pool=NETSUITE_POOL)
    def extract(params=None, data_interval_start=None, run_id=None) -> dict:
        mode = params["mode"]
        nightly = data_interval_start is not None and data_interval_start.hour == FULL_HOUR
        if nightly and data_interval_start.minute < MINUTES and run_id.startswith("scheduled"):
            mode = FULL
        return inventory.extract(mode, run_id)

    @task(multiple_outputs=False)
    def plan(extracted: dict, ti=None, run_id=None) -> dict:
        return inventory.plan_run(extracted, _ctx(ti, run_id))

    @task(multiple_outputs=False)
    def chunks(planned: dict) -> list[dict]:
        return planned["chunks"]

    @task(multiple_outputs=False, outlets=[Asset(ASSET_URI)])
    def load(chunk: dict, ti=None, run_id=None) -> dict:
        return inventory.load_chunk(chunk, _ctx(ti, run_id))

    @task(multiple_outputs=False, trigger_rule="none_failed", on_success_callback=flow_success_callback)
    def summarize(extracted: dict, planned: dict, loaded: list, run_id=None) -> dict:
        return inventory.summarize_run(extracted, planned, list(loaded), run_id)

    extracted = extract()
    planned = plan(extracted)
    summarize(extracted, planned, load.expand(chunk=chunks(planned)))


netsuite_inventory_to_magento()
