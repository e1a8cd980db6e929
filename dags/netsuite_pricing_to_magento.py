"""
### NetSuite pricing → Magento base and tier prices, with a price parity audit

Nightly by default (env `MNS_PRICING_SCHEDULE`, a cron expression, default `0 3 * * *`, read at
parse time). Scheduled runs are `full` (env `MNS_PRICING_SCHEDULED_MODE=delta` makes them deltas);
trigger with Param `mode=delta` for the items changed after the cursor only.

**Only changes are written.** Each SKU's prices are compared (a pandas frame join) with the snapshot
of what we last pushed; unchanged SKUs cost no Magento call, so a rerun writes nothing.

1. **extract** (pool `netsuite_api`): our RESTlet `customscript_mns_pricing`, keyset-paged: per item
   every price level at every quantity break and every customer contract price.
2. **transform**: Base Price level at quantity 0 → the product price; each other level / break → a
   fixed tier price for the group the level maps to (value map `price_level_to_customer_group`),
   break 0 ("any") at quantity 1; each contract customer's own group `CONTRACT-<customer id>`
   carries its level's tiers, with a contract price alone on its contract SKUs. Tier prices we
   pushed that NetSuite no longer has are deleted; bad rows quarantine their SKU.
3. **load** (mapped by chunk): creates missing contract groups, then base prices, tier prices and
   deletes; a SKU Magento refuses (its per-SKU failure array) is quarantined alone.
4. **quarantine** and **summarize**: extracted = loaded + unchanged + quarantined, by SKU.
5. **audit** (last): the price parity audit; every contract customer and a sample of the others,
   at and around each quantity break: NetSuite's invoice price against the price Magento shows.
   Each mismatch is an error-queue row (flow `pricing_parity_audit`) and alerts; the figures are
   in the run summary (`extra.audit`).

Group rule (shared with the customers flow): `magento_netsuite.flows.pricing.groups.group_for`.
The DAG is paused on creation (Airflow's default): unpause it once the connections are set.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pendulum
from airflow.sdk import Asset, Param, dag, task

from magento_netsuite.alerts import flow_success_callback
from magento_netsuite.flows.pricing import ASSET_URI, DAG_ID, DELTA, FLOW, FULL
from magento_netsuite.governance import flow_doc_md
from magento_netsuite.pipeline import tasks as kit
from magento_netsuite.pipeline.defaults import default_args, netsuite_pool, since_param

SCHEDULE = os.environ.get("MNS_PRICING_SCHEDULE", "0 3 * * *")
SCHEDULED_MODE = os.environ.get("MNS_PRICING_SCHEDULED_MODE", FULL)
if SCHEDULED_MODE not in (FULL, DELTA):
    raise ValueError(f"MNS_PRICING_SCHEDULED_MODE must be {FULL} or {DELTA}, got {SCHEDULED_MODE!r}")


@dag(
    dag_id=DAG_ID,
    schedule=SCHEDULE,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,  # the watermark catches up, not a run per missed night
    max_active_runs=1,
    tags=[FLOW, "pricing", "magento", "netsuite"],
    doc_md=__doc__ + "\n" + flow_doc_md(FLOW),
    params={
        "mode": Param(DELTA, enum=[DELTA, FULL], description="delta (changed after the cursor) or full"),
        "since": since_param(),
    },
    default_args=default_args(retries=1, retry_delay=timedelta(minutes=2)),
)
def netsuite_pricing_to_magento():
    @task(multiple_outputs=False, **netsuite_pool())
    def extract(params=None, ti=None, run_id=None) -> dict:
        mode = SCHEDULED_MODE if run_id.startswith("scheduled") else params["mode"]
        return kit.extract(FLOW, {**params, "mode": mode}, kit.context(ti, run_id))

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
        return kit.quarantine(FLOW, transformed, list(loaded), kit.context(ti, run_id))

    @task(multiple_outputs=False)
    def summarize(extracted: dict, transformed: dict, loaded: list, ti=None, run_id=None) -> dict:
        return kit.summarize(FLOW, extracted, transformed, list(loaded), kit.context(ti, run_id))

    @task(multiple_outputs=False, on_success_callback=flow_success_callback, **netsuite_pool())
    def audit(summary: dict, ti=None, run_id=None) -> dict:
        from magento_netsuite.flows.pricing.flow import audit as parity_audit

        return parity_audit(summary, kit.context(ti, run_id))

    extracted = extract()
    transformed = transform(extracted)
    loaded = load.partial(transformed=transformed).expand(chunk=chunks(transformed))
    summary = summarize(extracted, transformed, loaded)
    quarantine(transformed, loaded) >> summary
    audit(summary)


netsuite_pricing_to_magento()
