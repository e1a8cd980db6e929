"""
### NetSuite items → Magento catalogue (product master only)

Daily (cron in env `MNS_PRODUCTS_SCHEDULE`, default `0 3 * * *` UTC, read at parse time). NetSuite owns
the product master (SKU, ERP name, cost, weight, vendor, UPC, active flag, matrix options); Magento owns
the content (descriptions, images, URL keys, SEO), which this DAG never writes.

**What a run reads: a watermark.** Items whose NetSuite `lastmodifieddate` is after the flow's cursor
(kept in `mns_store`), oldest first; the cursor moves once the run is settled. Param `mode=full`
reads every item and repairs drift; Param `since` re-reads from a point in time.

1. **extract** (pool `netsuite_api`): SuiteQL on `item` (matrix parents with their children's SKUs).
2. **transform**: the mapping's NetSuite-owned fields, validated; one batched Magento lookup; a new
   SKU is planned as a create (settings `new_products`: attribute set, websites, visibility, status,
   disabled by default), an existing one as an update of only the attributes that differ; the
   storefront name and the enabled flag follow `storefront_name_owner` / `enabled_owner`
   (`include/mappings/product.yaml`); an inactive item disables its product, nothing is deleted.
3. **load**: option values, then simple products and matrix children (async bulk API when there are
   many, `MNS_PRODUCTS_LOAD_MODE`), then configurables with their options and child links.
4. **quarantine**: invalid items and products Magento refused, each alone with its field.
5. **summarize**: extracted = written + unchanged + quarantined, by SKU; the cursor moves.

A SKU this flow creates stops being an "unknown SKU" for the inventory flow: its queued stock rows
are retried by the next inventory run (or the Error Queue's Retry).
"""

from __future__ import annotations

import os
from datetime import timedelta

import pendulum
from airflow.sdk import Asset, Param, dag, task

from magento_netsuite.alerts import flow_success_callback
from magento_netsuite.flows.products import DAG_ID, DELTA, FLOW, FULL
from magento_netsuite.flows.products.constants import ASSET_URI
from magento_netsuite.governance import flow_doc_md
from magento_netsuite.pipeline import tasks as kit
from magento_netsuite.pipeline.defaults import default_args, netsuite_pool, since_param

SCHEDULE = os.environ.get("MNS_PRODUCTS_SCHEDULE", "0 3 * * *")


@dag(
    dag_id=DAG_ID,
    schedule=SCHEDULE,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,  # the watermark catches up, not a run per missed day
    max_active_runs=1,
    tags=[FLOW, "products", "magento", "netsuite"],
    doc_md=__doc__ + "\n" + flow_doc_md(FLOW),
    params={
        "mode": Param(DELTA, enum=[DELTA, FULL], description="delta (changed after the cursor) or full"),
        "since": since_param(),
    },
    default_args=default_args(retries=2, retry_delay=timedelta(minutes=1)),
)
def netsuite_products_to_magento():
    @task(multiple_outputs=False, **netsuite_pool())
    def extract(params=None, ti=None, run_id=None) -> dict:
        return kit.extract(FLOW, params, kit.context(ti, run_id))

    @task(multiple_outputs=False)
    def transform(extracted: dict, ti=None, run_id=None) -> dict:
        return kit.transform(FLOW, extracted, kit.context(ti, run_id))

    @task(multiple_outputs=False, outlets=[Asset(ASSET_URI)])
    def load(transformed: dict, ti=None, run_id=None) -> dict:
        (chunk,) = transformed["chunks"]  # one chunk: configurables are written after their children
        return kit.load(FLOW, chunk, transformed["extracted_uri"], kit.context(ti, run_id))

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


netsuite_products_to_magento()
