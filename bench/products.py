"""Products flow cost: 50,000 NetSuite items (10% matrix) through ``netsuite_products_to_magento``.

Both sandboxes in their own processes (``bench.orders._serve``), 50 ms latency on every API call,
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

from bench.inventory import _metrics, _reset
from bench.orders import _airflow, _airflow_env, _serve

ROOT = Path(__file__).resolve().parents[1]
ITEMS = int(os.environ.get("MNS_BENCH_ITEMS", "50000"))
MATRIX_SHARE = 0.10
CHILDREN = (("Black", "S"), ("Black", "M"), ("Red", "S"), ("Red", "M"))
LATENCY_MS = 50
NETSUITE_LIMIT = 5
FLOW = "products_netsuite_to_magento"
DAG_ID = "netsuite_products_to_magento"


def _run_dag_child() -> None:
    """In the child: one ``dag.test()`` of the products DAG (mode from ``MNS_BENCH_MODE``); prints the result."""
    import resource
    import time

    from airflow.dag_processing.dagbag import DagBag

    dag = DagBag(dag_folder=str(ROOT / "dags" / f"{DAG_ID}.py")).get_dag(DAG_ID)
    started = time.monotonic()
    logical_date = datetime.fromisoformat(os.environ["MNS_BENCH_LOGICAL_DATE"])
    dagrun = dag.test(logical_date=logical_date, run_conf={"mode": os.environ["MNS_BENCH_MODE"], "since": None})
    elapsed = time.monotonic() - started
    tis = {ti.task_id: ti for ti in dagrun.get_task_instances()}
    result = {
        "state": str(dagrun.state),
        "elapsed": elapsed,
        "tasks": {
            k: (t.end_date - t.start_date).total_seconds() for k, t in tis.items() if t.start_date and t.end_date
        },
        "summary": tis["summarize"].xcom_pull(task_ids="summarize") if "summarize" in tis else None,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    print("BENCH-RESULT " + json.dumps(result, default=str))


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
    magento_proc, magento = _serve("magento")
    netsuite_proc, netsuite = _serve("netsuite")
    results: dict[str, Any] = {"simple": simple, "matrix": len(matrix)}
    try:
        with httpx.Client(timeout=1200) as http, tempfile.TemporaryDirectory(prefix="mns-bench-products-") as tmp:
            for url in (magento, netsuite):
                http.post(f"{url}/_sandbox/seed", json=seed).raise_for_status()
            http.post(f"{netsuite}/_sandbox/items", json=matrix).raise_for_status()
            env = _airflow_env(Path(tmp), magento, netsuite, now)
            env[f"MNS_{FLOW.upper()}_SAFE_LAG_SECONDS"] = "0"
            _airflow(env, "-m", "airflow", "db", "migrate")
            _airflow(env, "-m", "airflow", "pools", "set", "netsuite_api", str(NETSUITE_LIMIT), "NetSuite API share")
            for url in (magento, netsuite):
                http.post(f"{url}/_sandbox/config", json={"latency_ms": LATENCY_MS}).raise_for_status()
            http.post(f"{netsuite}/_sandbox/config", json={"concurrency_limit": NETSUITE_LIMIT}).raise_for_status()
            for mode, minutes in (("full", 60), ("delta", 120)):
                if mode == "delta":
                    rng = random.Random(15)
                    changed = rng.sample(range(1, simple + 1), max(1, ITEMS // 100))
                    changes = [{"sku": f"SKU-{n:06d}", "cost": 123.45} for n in changed]
                    http.post(f"{netsuite}/_sandbox/items", json=changes).raise_for_status()
                    results["changed"] = len(changes)
                _reset(http, magento, netsuite)
                run_env = {
                    **env,
                    "MNS_BENCH_MODE": mode,
                    "MNS_BENCH_LOGICAL_DATE": (now + timedelta(minutes=minutes)).isoformat(),
                }
                out = _airflow(run_env, "-c", "from bench.products import _run_dag_child; _run_dag_child()")
                line = next(ln for ln in out.stdout.splitlines() if ln.startswith("BENCH-RESULT "))
                result = json.loads(line.removeprefix("BENCH-RESULT "))
                result["netsuite"] = _metrics(http, netsuite)
                result["magento"] = _metrics(http, magento)
                results[mode] = result
    finally:
        for proc in (magento_proc, netsuite_proc):
            proc.terminate()
            proc.wait(timeout=30)
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
        counts = {k: summary.get(k) for k in ("extracted", "loaded", "unchanged", "quarantined")}
        ns, mg = r["netsuite"]["totals"], r["magento"]["totals"]
        print(f"\n[{mode}] run {r['state']}; {json.dumps(counts)}; planned creates {extra.get('to_create')}, "
              f"updates {extra.get('to_update')}")  # fmt: skip
        print(
            f"  wall time (dag.test): {r['elapsed']:.1f} s; tasks: "
            + ", ".join(f"{k}={v:.1f}" for k, v in r["tasks"].items())
        )
        print(f"  work inside the tasks (s): {json.dumps(extra.get('work_seconds'))}")
        print(f"  products written: {summary.get('loaded')}; Magento write calls: {_writes(r['magento'])}")
        print(f"  NetSuite calls: {ns['calls']}; Magento calls: {mg['calls']}")
        for name, e in sorted(r["magento"]["endpoints"].items()):
            print(f"    {e['calls']:6d}  magento {name}")
        for name, e in sorted(r["netsuite"]["endpoints"].items()):
            print(f"    {e['calls']:6d}  netsuite {name}")
        print(f"  peak RSS (child): {r['peak_rss_mb']:.0f} MB")
