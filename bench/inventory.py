"""Inventory flow cost: 50,000 SKUs × 3 locations through ``netsuite_inventory_to_magento``.

Both sandboxes in their own processes (``bench.harness.sandboxes``), 50 ms latency on every API call,
NetSuite account concurrency limit 5. The DAG runs with ``dag.test()`` in a child process. For a
full sync, a delta after changing 1% of the quantities, and a quiet delta (nothing changed) it
prints wall time, NetSuite and Magento calls, bytes, the child's peak RSS, the work inside the tasks
and the client's CPU in them, the sandboxes' own CPU (they share this machine's cores with the
client, so waiting on them is part of the work), and the ratio of work to the API floor
(calls × latency ÷ allowed concurrency, per system, the larger of the two). Targets (issue 18):
work ≤ 5 × floor at 50,000 SKUs; at ``MNS_BENCH_SKUS=1000000`` the full sync within 15 minutes under
1 GB peak RSS and the quiet delta at ≤ 5 NetSuite calls, ≤ 1 Magento call and < 30 s of task time. It also measures a
sample of the naive way (one record GET per item, as a SuiteTalk-style integration would) and
projects it to all SKUs.

The flow reads by its watermark (``mns_watermark`` in the bench's fresh ``mns_store``): the full run
(Param ``mode=full``) reads every item and moves the cursor to its safe upper bound; the delta run
reads the items changed after that cursor, i.e. the 1% changed in between. The environment comes
from ``bench.harness.airflow_env``: safe lag 0, NetSuite tasks with 5 pool slots (the account limit
the floor is computed from), no freshness deadline.

``python -m bench inventory``; ``MNS_BENCH_SKUS`` changes the SKU count (default 50,000).
"""

from __future__ import annotations

import json
import math
import os
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from bench import harness
from magento_netsuite.flows.inventory.constants import FLOW as INVENTORY_FLOW

SKUS = int(os.environ.get("MNS_BENCH_SKUS", "50000"))
LOCATIONS = 3
LATENCY_MS = 50
NETSUITE_LIMIT = 5
MAGENTO_LIMIT = 16
NAIVE_SAMPLE = 200
DAG_ID = "netsuite_inventory_to_magento"


def _run_dag_child() -> None:
    """In the child: one ``dag.test()`` (mode from ``MNS_BENCH_MODE``); prints timings and peak RSS."""
    dag = harness.load_dag(DAG_ID)
    dag.deadline = None  # dag.test() cannot resolve deadline alerts of an unserialized DAG (3.3.2)
    mode = os.environ["MNS_BENCH_MODE"]
    harness.emit(harness.dag_test(dag, logical_date=harness.logical_date_from_env(), run_conf={"mode": mode}))


def _naive_child() -> None:
    """In the child: ``NAIVE_SAMPLE`` record GETs of inventory items, 5 at a time; prints seconds."""
    from concurrent.futures import ThreadPoolExecutor

    from magento_netsuite.connectors.netsuite import NetSuiteHook

    hook = NetSuiteHook()
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=NETSUITE_LIMIT) as pool:
        list(pool.map(lambda i: hook.get_record("inventoryItem", str(1001 + i)), range(NAIVE_SAMPLE)))
    harness.emit({"seconds": time.monotonic() - started})


def main() -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    seed = {
        "skus": SKUS,
        "locations": LOCATIONS,
        "customers": 1,
        "orders": 0,
        "now": (now - timedelta(hours=1)).isoformat(),
    }
    results: dict[str, Any] = {}
    with (
        harness.sandboxes(customers=50, skus=200) as (magento, netsuite),
        httpx.Client(timeout=600) as http,
        tempfile.TemporaryDirectory(prefix="mns-bench-inventory-") as tmp,
    ):
        harness.seed(http, seed, magento, netsuite)
        settings = {
            **harness.watermark_settings(INVENTORY_FLOW),
            "MNS_INVENTORY_FRESHNESS_DEADLINE": "off",
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

        for run, mode, minutes in (("full", "full", 15), ("delta", "delta", 30), ("quiet", "delta", 45)):
            if run == "delta":
                rng = random.Random(1)
                changed = rng.sample(range(SKUS), max(1, SKUS // 100))
                changes = [
                    {"sku": f"SKU-{n + 1:06d}", "location_id": str(rng.randint(1, LOCATIONS)), "on_hand": 777}
                    for n in changed
                ]
                http.post(f"{netsuite}/_sandbox/inventory", json=changes).raise_for_status()
                results["changed"] = len(changes)
            logical_date = now + timedelta(minutes=minutes)
            results[run] = harness.measured_run(http, env, "inventory", mode, logical_date, magento, netsuite)
        harness.reset(http, netsuite)
        results["naive"] = harness.child(env, "inventory", "_naive_child")[0]
    _report(results)


def _floor(calls: int, limit: int) -> float:
    return calls * LATENCY_MS / 1000 / limit


def _report(results: dict[str, Any]) -> None:
    print(
        f"SKUs: {SKUS} x {LOCATIONS} locations; latency {LATENCY_MS} ms; "
        f"NetSuite limit {NETSUITE_LIMIT}, Magento {MAGENTO_LIMIT}; load average {os.getloadavg()[0]:.1f}"
    )
    for run in ("full", "delta", "quiet"):
        r = results[run]
        ns, mg = r["netsuite"]["totals"], r["magento"]["totals"]
        floor = max(_floor(ns["calls"], NETSUITE_LIMIT), _floor(mg["calls"], MAGENTO_LIMIT))
        summary = r["summary"] or {}
        counts = harness.counts(summary)
        extra = summary.get("extra") or {}
        zeroed = (extra.get("side") or {}).get("zeroed") or {}
        window = extra.get("window") or {}
        print(
            f"\n[{run}] run {r['state']}; {json.dumps(counts)}; zeroed {json.dumps(zeroed)}; "
            f"unknown SKUs {extra.get('unknown_sku_count')}"
        )
        print(
            f"  read: {extra.get('mode')} ({extra.get('origin')}) {window.get('since')} .. {window.get('until')}; "
            f"cursor moved {(extra.get('cursor') or {}).get('moved')}"
        )
        harness.print_wall_time(r)
        work = extra.get("work_seconds") or {}
        cpu = extra.get("work_cpu_seconds") or {}
        busy = sum(v or 0 for v in work.values())
        client = sum(v or 0 for v in cpu.values())
        own = r.get("sandbox_cpu") or {}
        sandboxes = sum(own.values())
        print(
            f"  sync work inside the tasks: {busy:.1f} s ({json.dumps(work)}); work / floor: "
            f"{busy / max(floor, 1e-9):.1f} (target <= 5 for the full run)"
        )
        print(
            f"  client CPU in the tasks: {client:.1f} s ({json.dumps(cpu)}); client CPU / floor: "
            f"{client / max(floor, 1e-9):.1f}; sandboxes' own CPU: {sandboxes:.1f} s "
            f"(NetSuite with its node {own.get('netsuite', 0):.1f}, Magento {own.get('magento', 0):.1f})"
        )
        print(f"  NetSuite calls: {ns['calls']}; bytes {json.dumps({k: v for k, v in ns.items() if 'bytes' in k})}")
        print(f"  Magento calls: {mg['calls']}; bytes {json.dumps({k: v for k, v in mg.items() if 'bytes' in k})}")
        harness.print_endpoints(r)
        print(f"  peak RSS (child): {r['peak_rss_mb']:.0f} MB (target < 1024 MB)")
        print(f"  API floor: {floor:.2f} s; dag.test wall / floor: {r['elapsed'] / max(floor, 1e-9):.1f}")
        if run == "delta":
            writes = sum(
                e["calls"] for n, e in r["magento"]["endpoints"].items() if "POST" in n and "source-items" in n
            )
            bound = math.ceil(1.05 * results["changed"] / 500)
            print(f"  changed items: {results['changed']}; Magento writes: {writes} (target <= {bound})")
        if run == "quiet":
            print(
                f"  nothing changed: NetSuite calls {ns['calls']} (target <= 5), Magento calls {mg['calls']} "
                f"(target <= 1), task time {busy:.1f} s (target < 30 s)"
            )
    naive = results["naive"]
    per_call = naive["seconds"] / NAIVE_SAMPLE
    projected = per_call * SKUS
    print(
        f"\n[naive] one record GET per item: {SKUS} NetSuite calls; measured {NAIVE_SAMPLE} in {naive['seconds']:.1f} s"
    )
    full_calls = results["full"]["netsuite"]["totals"]["calls"]
    print(
        f"  projected full read: {projected:.0f} s "
        f"vs RESTlet {results['full']['tasks'].get('extract', 0):.1f} s extract"
    )
    print(f"  NetSuite calls naive / RESTlet: {SKUS / max(1, full_calls):.0f}x")


if __name__ == "__main__":
    main()
