"""Pricing flow cost: 50,000 SKUs x 4 price levels x 3 quantity breaks, plus contract customers x 200
contract SKUs each, through ``netsuite_pricing_to_magento``.

Both sandboxes in their own processes (``bench.harness.sandboxes``), 50 ms latency on every API call,
NetSuite account concurrency limit 5, Magento connection concurrency 16. The DAG runs with
``dag.test()`` in a child process: a full run, then (after changing the Wholesale price of 1% of the
SKUs in NetSuite) a delta run. For each it prints wall time, NetSuite and Magento calls, the child's
peak RSS, the price rows written and the parity audit's figures. For the delta it also counts,
independently of the flow, the Magento price rows the change requires (the SKU's Wholesale tier at
quantity 1 plus the copy in every contract group of a Wholesale customer without a contract price
on that SKU) and checks the flow wrote within 5% of them.

The group rule (pricing.yaml) gives every contract customer its own group carrying its level's tier
prices for EVERY SKU, so the tier rows grow as contract customers x SKUs x breaks: 500 contract
customers on 50,000 SKUs are ~56 million tier rows, more than this machine's memory holds in the
sandbox (and than Magento's price index takes in comfortably). So the default run has 20 contract
customers (each with 200 contract SKUs): every figure that grows with them is printed per contract
customer too, and the projection to 500 is printed at the end. ``MNS_BENCH_CONTRACT_CUSTOMERS=500``
runs the issue's size as written, on a machine with the memory for it.

Each run also prints its work (the tasks' seconds added up) and the child's peak RSS per 10,000 SKUs:
the plan and the load hold a chunk of SKUs at a time, so the RSS should stay flat as the catalog grows
and the work grow with it linearly.

``python -m bench pricing``; ``MNS_BENCH_SKUS`` (default 50,000; ``MNS_BENCH_PRICING_SKUS`` is the old
name, still read), ``MNS_BENCH_CONTRACT_CUSTOMERS`` (20), ``MNS_BENCH_CONTRACT_SKUS`` (200).

Memory for 1,000,000 SKUs: the sandboxes hold every price in memory (measured at 200,000 SKUs: Magento
about 0.5 KB a tier row, NetSuite about 5.5 KB a SKU), and the Airflow child still holds the run's
extracted records and staged rows whole (the flow kit passes lists; about 0.35 KB a price row). With
``MNS_BENCH_CONTRACT_CUSTOMERS=0`` (the seed's own contract customers only, about 40 price rows a SKU)
that is roughly 20 GB for Magento, 6 GB for NetSuite and 14 GB for the child: a 48 GB machine. With
the default 20 contract customers the price rows nearly double again.
"""

from __future__ import annotations

import json
import math
import os
import random
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import requests

from bench import harness

SKUS = int(os.environ.get("MNS_BENCH_SKUS") or os.environ.get("MNS_BENCH_PRICING_SKUS") or "50000")
CONTRACT_CUSTOMERS = int(os.environ.get("MNS_BENCH_CONTRACT_CUSTOMERS", "20"))
CONTRACT_SKUS = int(os.environ.get("MNS_BENCH_CONTRACT_SKUS", "200"))
OTHER_CUSTOMERS = 50
LATENCY_MS = 50
NETSUITE_LIMIT = 5
MAGENTO_LIMIT = 16
BATCH = 1000
FLOW = "pricing_netsuite_to_magento"
DAG_ID = "netsuite_pricing_to_magento"
FIRST_CUSTOMER = 2001
WHOLESALE = "2"


def _run_dag_child() -> None:
    """In the child: one ``dag.test()`` (mode from ``MNS_BENCH_MODE``); prints timings and peak RSS."""
    dag = harness.load_dag(DAG_ID)
    mode = os.environ["MNS_BENCH_MODE"]
    logical_date = harness.logical_date_from_env()
    harness.emit(harness.dag_test(dag, logical_date=logical_date, run_conf={"mode": mode}, summary_task="audit"))


def _suiteql(netsuite: str, query: str) -> list[dict[str, Any]]:
    """Every row of a SuiteQL query (the bench's own reads, not counted: metrics are reset after)."""
    from magento_netsuite.sandbox.netsuite.testing import tba_auth

    rows: list[dict[str, Any]] = []
    offset = 0
    while True:
        body = requests.post(  # requests: the sandbox's TBA signer is a requests auth
            f"{netsuite}/services/rest/query/v1/suiteql",
            params={"limit": 1000, "offset": offset},
            json={"q": query},
            headers={"Prefer": "transient"},
            auth=tba_auth(),
            timeout=300,
        ).json()
        rows += body["items"]
        if not body.get("hasMore"):
            return rows
        offset += 1000


def _contracts(rng: random.Random) -> list[dict[str, Any]]:
    """``CONTRACT_SKUS`` contract prices for each of the first ``CONTRACT_CUSTOMERS`` customers, below
    every base price (the seed's lowest is 1.99) so Magento can show them."""
    return [
        {"sku": f"SKU-{n + 1:06d}", "customer_id": FIRST_CUSTOMER + c, "unit_price": f"{1.0 + (n % 90) / 100:.2f}"}
        for c in range(CONTRACT_CUSTOMERS)
        for n in rng.sample(range(SKUS), min(CONTRACT_SKUS, SKUS))
    ]


def _rows_needed(netsuite: str, changed: list[str]) -> int:
    """Magento price rows a Wholesale change of ``changed`` requires: the Wholesale tier at quantity 1,
    and its copy in the group of every Wholesale contract customer without a contract on the SKU."""
    levels = {
        r["customer_id"]: r.get("price_level_id")
        for r in _suiteql(
            netsuite,
            "SELECT DISTINCT c.customer AS customer_id, cu.pricelevel AS price_level_id "
            "FROM customeritempricing c JOIN customer cu ON cu.id = c.customer",
        )
    }
    wholesale = {c for c, level in levels.items() if level == WHOLESALE}
    quoted = ", ".join(f"'{s}'" for s in changed)
    own = _suiteql(
        netsuite,
        "SELECT c.customer AS customer_id, i.itemid AS sku FROM customeritempricing c JOIN item i ON i.id = c.item "
        f"WHERE i.itemid IN ({quoted})",
    )
    covered = {(r["customer_id"], r["sku"]) for r in own}
    return sum(1 + sum((c, sku) not in covered for c in wholesale) for sku in changed)


def main() -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    seed = {
        "skus": SKUS,
        "locations": 1,
        "customers": CONTRACT_CUSTOMERS + OTHER_CUSTOMERS,
        "orders": 0,
        "now": (now - timedelta(hours=1)).isoformat(),
    }
    results: dict[str, Any] = {}
    with (
        harness.sandboxes(customers=50, skus=200, stop_timeout=60) as (magento, netsuite),
        httpx.Client(timeout=1800) as http,
        tempfile.TemporaryDirectory(prefix="mns-bench-pricing-") as tmp,
    ):
        harness.seed(http, seed, magento, netsuite)
        rng = random.Random(7)
        http.post(f"{netsuite}/_sandbox/pricing", json=_contracts(rng)).raise_for_status()
        settings = {
            **harness.watermark_settings(FLOW),
            "MNS_PRICING_BATCH_SIZE": str(BATCH),
            "MNS_PRICING_CHUNK_SIZE": str(SKUS),  # one load task: dag.test() runs mapped tasks one by one
            "MNS_BENCH_LOGICAL_DATE": now.isoformat(),
        }
        env = harness.setup_airflow(
            http,
            Path(tmp),
            magento,
            netsuite,
            latency_ms=LATENCY_MS,
            netsuite_limit=NETSUITE_LIMIT,
            magento_concurrency=MAGENTO_LIMIT,
            settings=settings,
        )

        for mode, minutes in (("full", 15), ("delta", 30)):
            if mode == "delta":
                changed = [f"SKU-{n + 1:06d}" for n in random.Random(1).sample(range(SKUS), max(1, SKUS // 100))]
                change = [{"sku": s, "price_level_id": 2, "quantity": 0, "unit_price": "1.00"} for s in changed]
                http.post(f"{netsuite}/_sandbox/pricing", json=change).raise_for_status()
                results["changed"] = len(changed)
                results["rows_needed"] = _rows_needed(netsuite, changed)
            logical_date = now + timedelta(minutes=minutes)
            results[mode] = harness.measured_run(http, env, "pricing", mode, logical_date, magento, netsuite)
        results["tier_rows_in_magento"] = http.get(f"{magento}/_sandbox/state").json()["counts"]["tier_prices"]
    _report(results)


def _report(results: dict[str, Any]) -> None:
    print(
        f"SKUs: {SKUS} x 4 levels x 3 breaks; contract customers {CONTRACT_CUSTOMERS} x {CONTRACT_SKUS} SKUs; "
        f"latency {LATENCY_MS} ms; NetSuite limit {NETSUITE_LIMIT}, Magento {MAGENTO_LIMIT}; "
        f"{BATCH} price rows per Magento call"
    )
    for mode in ("full", "delta"):
        r = results[mode]
        ns, mg = r["netsuite"]["totals"], r["magento"]["totals"]
        summary = r["summary"] or {}
        extra = summary.get("extra") or {}
        counts = harness.counts(summary)
        print(f"\n[{mode}] run {r['state']}; {json.dumps(counts)}; not successful: {r.get('failed_tasks')}")
        harness.print_wall_time(r)
        work = sum(r["tasks"].values())
        per_10k = 10_000 / SKUS
        print(
            f"  NetSuite calls: {ns['calls']}; Magento calls: {mg['calls']}; "
            f"peak RSS (child): {r['peak_rss_mb']:.0f} MB"
        )
        print(
            f"  per 10,000 SKUs: work {work * per_10k:.1f} s (tasks added up: {work:.1f} s), "
            f"peak RSS {r['peak_rss_mb'] * per_10k:.0f} MB"
        )
        harness.print_endpoints(r)
        written = (extra.get("rows_to_write") or 0) + (extra.get("rows_to_delete") or 0)
        print(
            f"  price rows: desired {extra.get('price_rows')}, written {extra.get('rows_to_write')}, "
            f"deleted {extra.get('rows_to_delete')}; unrepresentable {extra.get('unrepresentable')}"
        )
        audit = extra.get("audit") or {}
        print(
            f"  parity audit: {audit.get('points')} points, {audit.get('customers')} customers "
            f"({audit.get('contract_customers')} with contracts), {audit.get('skus')} SKUs; "
            f"mismatches {audit.get('mismatches')} {json.dumps(audit.get('by_cause'))}"
        )
        if mode == "delta":
            needed = results["rows_needed"]
            writes = sum(
                e["calls"] for n, e in r["magento"]["endpoints"].items() if "prices" in n and "information" not in n
            )
            print(
                f"  changed SKUs: {results['changed']}; Magento price rows needed {needed}, written {written} "
                f"({written / max(1, needed):.3f}x); price write calls {writes} (minimum {math.ceil(needed / BATCH)})"
            )
    tier_rows = results.get("tier_rows_in_magento") or 0
    print(f"\nMagento tier price rows after the runs: {tier_rows}")
    extra = (results["full"]["summary"] or {}).get("extra") or {}
    contract_rows = extra.get("contract_group_rows") or 0
    level_rows = (extra.get("price_rows") or 0) - contract_rows
    per_customer = contract_rows / max(1, extra.get("contract_customers") or CONTRACT_CUSTOMERS)  # seed's own too
    print(
        f"price rows without contract groups {level_rows}; per contract customer {per_customer:.0f}; "
        f"projected for 500 contract customers: {level_rows + 500 * per_customer:,.0f} price rows"
    )


if __name__ == "__main__":
    main()
