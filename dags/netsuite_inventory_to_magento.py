"""
### NetSuite inventory → Magento MSI source items

Every 15 minutes (env `MNS_INVENTORY_SCHEDULE_MINUTES`, 15–30, read at parse time). Stale stock
oversells, so this flow is cheap on NetSuite and loud on failure.

**What a run reads: a watermark, not a window.** The flow keeps a cursor in `mns_store` and reads
every item whose stock changed after it (NetSuite's `lastmodifieddate`); once the run is settled the
cursor moves to the run's safe upper bound (two minutes before it started), never backwards. A
paused DAG or a failed run loses nothing: the next run reads from where the last settled one ended.
Param `since` re-reads from a point in time; Param `mode=full` reads everything.

1. **extract** (pool `netsuite_api`): our RESTlet `customscript_mns_inventory` (or SuiteQL on
   `inventoryitemlocations` when the connection extra `inventory_source` is `suiteql`), paged. A
   `full` run (Param, or the nightly run at `MNS_INVENTORY_FULL_HOUR` UTC) reads every item, one
   cursor per location side by side; a delta reads every location through one cursor (a quiet
   15 minutes is one NetSuite call). Rows travel between tasks as Parquet parts.
2. **transform**: location → MSI source (value map `location_to_source`), quantity per the mapping
   (available by default) minus the safety buffer, status from it; unknown SKUs (one batched
   Magento lookup) and negative or non-numeric quantities are set aside; a delta keeps only rows
   that differ from what we last pushed; a full run re-pushes all and zeroes Magento source items
   NetSuite no longer stocks.
3. **load** (mapped, one task per chunk): `POST /V1/inventory/source-items` in batches (or the async
   bulk endpoint); the snapshot records only what Magento accepted.
4. **quarantine**: unknown SKUs, bad quantities and items Magento refused go to the error queue.
5. **summarize**: extracted = pushed + unchanged + quarantined, by key; zeroed items listed; the
   cursor moves; an unknown-SKU share over `MNS_INVENTORY_UNMATCHED_ALERT_SHARE` alerts.

Any extract or load failure fails the task and alerts at once (one quick retry for transient
errors only). A deadline alert fires when a run has not finished within twice the schedule
(env `MNS_INVENTORY_FRESHNESS_MINUTES` overrides it; `MNS_INVENTORY_FRESHNESS_DEADLINE=off` drops it,
for `airflow dags test` only).
The DAG is paused on creation (Airflow's default): unpause it once the connections are set.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pendulum
from airflow.sdk import Asset, Param, dag, task

from magento_netsuite.alerts import flow_success_callback, freshness_deadline
from magento_netsuite.flows.inventory import ASSET_URI, DAG_ID, DELTA, FLOW, FULL
from magento_netsuite.flows.inventory.errors import UnmatchedSkusError
from magento_netsuite.governance import flow_doc_md
from magento_netsuite.pipeline import tasks as kit
from magento_netsuite.pipeline.defaults import default_args, netsuite_pool, since_param

MINUTES = int(os.environ.get("MNS_INVENTORY_SCHEDULE_MINUTES", "15"))
if not 15 <= MINUTES <= 30:
    raise ValueError(f"MNS_INVENTORY_SCHEDULE_MINUTES must be 15..30, got {MINUTES}")
FULL_HOUR = int(os.environ.get("MNS_INVENTORY_FULL_HOUR", "2"))
FRESHNESS_DEADLINE = os.environ.get("MNS_INVENTORY_FRESHNESS_DEADLINE", "on").lower() != "off"
"""``off`` for ``airflow dags test`` / ``dag.test()``: in 3.3.2 a test run that succeeds looks the DAG's
deadline alerts up by id, which only the scheduler's serialized DAG has, and fails the run."""
FRESHNESS_MINUTES = float(os.environ.get("MNS_INVENTORY_FRESHNESS_MINUTES") or 2 * MINUTES)
"""How long a run may take, from queued to finished, before the data counts as stale (twice the schedule;
the stack test shortens it)."""


@dag(
    dag_id=DAG_ID,
    schedule=f"*/{MINUTES} * * * *",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,  # the watermark catches up, not a run per missed interval
    max_active_runs=1,
    tags=[FLOW, "inventory", "magento", "netsuite"],
    doc_md=__doc__ + "\n" + flow_doc_md(FLOW),
    params={
        "mode": Param(DELTA, enum=[DELTA, FULL], description="delta (changed after the cursor) or full"),
        "since": since_param(),
    },
    deadline=freshness_deadline(FLOW, DAG_ID, timedelta(minutes=FRESHNESS_MINUTES)) if FRESHNESS_DEADLINE else None,
    default_args=default_args(
        retries=1,
        retry_delay=timedelta(seconds=20),
        fail_at_once=((UnmatchedSkusError, "catalogue mismatch"),),
    ),
)
def netsuite_inventory_to_magento():
    @task(multiple_outputs=False, **netsuite_pool())
    def extract(params=None, logical_date=None, ti=None, run_id=None) -> dict:
        nightly = run_id.startswith("scheduled") and logical_date.hour == FULL_HOUR and logical_date.minute < MINUTES
        return kit.extract(FLOW, {**params, "mode": FULL if nightly else params["mode"]}, kit.context(ti, run_id))

    @task(multiple_outputs=False)
    def transform(extracted: dict, ti=None, run_id=None) -> dict:
        return kit.transform(FLOW, extracted, kit.context(ti, run_id))

    @task(multiple_outputs=False)
    def chunks(transformed: dict) -> list[dict]:
        return transformed["chunks"]

    @task(multiple_outputs=False, outlets=[Asset(ASSET_URI)])
    def load(chunk: dict, transformed: dict, ti=None, run_id=None) -> dict:
        return kit.load(FLOW, chunk, transformed["extracted_uri"], kit.context(ti, run_id))

    @task(multiple_outputs=False)
    def quarantine(transformed: dict, loaded: list, ti=None, run_id=None) -> dict:
        return kit.quarantine(FLOW, transformed, loaded, kit.context(ti, run_id))

    @task(multiple_outputs=False, on_success_callback=flow_success_callback)
    def summarize(extracted: dict, transformed: dict, loaded: list, ti=None, run_id=None) -> dict:
        return kit.summarize(FLOW, extracted, transformed, loaded, kit.context(ti, run_id))

    extracted = extract()
    transformed = transform(extracted)
    loaded = load.partial(transformed=transformed).expand(chunk=chunks(transformed))
    quarantine(transformed, loaded) >> summarize(extracted, transformed, loaded)


netsuite_inventory_to_magento()
