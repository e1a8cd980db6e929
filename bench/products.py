"""Products flow cost: 50,000 NetSuite items (10% matrix) through ``netsuite_products_to_magento``.

Both sandboxes in their own processes (``bench.harness.sandboxes``), 50 ms latency on every API call,
NetSuite account concurrency limit 5. The catalogue: 90% simple items the seed gives both systems
(the first run adds the NetSuite-owned attributes Magento lacks), 10% matrix items only NetSuite
has (one parent per four children, two colours × two sizes), which the full run creates as
configurables. Then 1% of the items change cost in NetSuite and a delta run reads only those.
Each run is ``dag.test()`` in a child process; printed: records, Magento writes (products written,
write calls), API calls per endpoint, wall time, the child's peak RSS.

``python -m bench products``; ``MNS_BENCH_ITEMS`` changes the item count (default 50,000).
"""

from __future__ import annotations

import json
import os
import random
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from bench import harness

ITEMS = int(os.environ.get("MNS_BENCH_ITEMS", "50000"))
MATRIX_SHARE = 0.10
CHILDREN = (("Black", "S"), ("Black", "M"), ("Red", "S"), ("Red", "M"))
LATENCY_MS = 50
NETSUITE_LIMIT = 5
FLOW = "products_netsuite_to_magento"
DAG_ID = "netsuite_products_to_magento"


def _run_dag_child() -> None:
    """In the child: one ``dag.test()`` of the products DAG (mode from ``MNS_BENCH_MODE``); prints the result."""
    dag = harness.load_dag(DAG_ID)
    run_conf = {"mode": os.environ["MNS_BENCH_MODE"], "since": None}
    harness.emit(harness.dag_test(dag, logical_date=harness.logical_date_from_env(), run_conf=run_conf))


def _matrix(count: int) -> list[dict[str, Any]]:
    """``count`` matrix items: parents first (NetSuite needs a parent before its children), 4 children each."""
    parents = max(1, count // (len(CHILDREN) + 1))
    common = {"cost": 5, "weight": 0.3, "vendorname": "Acme"}
    rows: list[dict[str, Any]] = [
        {"sku": f"MTX-{n:05d}", "displayname": f"Matrix tee {n}", "matrixtype": "PARENT", **common}
        for n in range(parents)
    ]
    for n in range(parents):
        for color, size in CHILDREN:
            child = {"sku": f"MTX-{n:05d}-{color[:3].upper()}-{size}", "displayname": f"Matrix tee {n} {color} {size}"}
            rows.append({**child, "matrixtype": "CHILD", "parent": f"MTX-{n:05d}", "custitem_color": color,
                         "custitem_size": size, **common})  # fmt: skip
    return rows


def _writes(magento: dict[str, Any]) -> int:
    return sum(
        e["calls"]
        for name, e in magento["endpoints"].items()
        if name.split()[0] in ("POST", "PUT") and ("products" in name or "configurable" in name)
    )


def main() -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    matrix = _matrix(int(ITEMS * MATRIX_SHARE))
    simple = ITEMS - len(matrix)
    seed = {"skus": simple, "locations": 3, "customers": 1, "orders": 0, "now": (now - timedelta(hours=1)).isoformat()}
    results: dict[str, Any] = {"simple": simple, "matrix": len(matrix)}
    with (
        harness.sandboxes(customers=50, skus=200) as (magento, netsuite),
        httpx.Client(timeout=1200) as http,
        tempfile.TemporaryDirectory(prefix="mns-bench-products-") as tmp,
    ):
        harness.seed(http, seed, magento, netsuite)
        http.post(f"{netsuite}/_sandbox/items", json=matrix).raise_for_status()
        settings = {**harness.watermark_settings(FLOW), "MNS_BENCH_LOGICAL_DATE": now.isoformat()}
        env = harness.setup_airflow(
            http, Path(tmp), magento, netsuite, latency_ms=LATENCY_MS, netsuite_limit=NETSUITE_LIMIT, settings=settings
        )
        for mode, minutes in (("full", 60), ("delta", 120)):
            if mode == "delta":
                rng = random.Random(15)
                changed = rng.sample(range(1, simple + 1), max(1, ITEMS // 100))
                changes = [{"sku": f"SKU-{n:06d}", "cost": 123.45} for n in changed]
                http.post(f"{netsuite}/_sandbox/items", json=changes).raise_for_status()
                results["changed"] = len(changes)
            logical_date = now + timedelta(minutes=minutes)
            results[mode] = harness.measured_run(http, env, "products", mode, logical_date, magento, netsuite)
    _report(results)


def _report(results: dict[str, Any]) -> None:
    print(
        f"items: {results['simple'] + results['matrix']} ({results['matrix']} matrix: parents + children); "
        f"latency {LATENCY_MS} ms; NetSuite limit {NETSUITE_LIMIT}; delta changes {results.get('changed')}"
    )
    for mode in ("full", "delta"):
        r = results[mode]
        summary = r["summary"] or {}
        extra = summary.get("extra") or {}
        counts = harness.counts(summary)
        ns, mg = r["netsuite"]["totals"], r["magento"]["totals"]
        print(f"\n[{mode}] run {r['state']}; {json.dumps(counts)}; planned creates {extra.get('to_create')}, "
              f"updates {extra.get('to_update')}")  # fmt: skip
        harness.print_wall_time(r)
        print(f"  work inside the tasks (s): {json.dumps(extra.get('work_seconds'))}")
        print(f"  products written: {summary.get('loaded')}; Magento write calls: {_writes(r['magento'])}")
        print(f"  NetSuite calls: {ns['calls']}; Magento calls: {mg['calls']}")
        harness.print_endpoints(r)
        print(f"  peak RSS (child): {r['peak_rss_mb']:.0f} MB")
