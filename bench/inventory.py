"""Inventory flow cost: 50,000 SKUs × 3 locations through ``netsuite_inventory_to_magento``.

Both sandboxes in their own processes (``bench.orders._serve``), 50 ms latency on every API call,
NetSuite account concurrency limit 5. The DAG runs with ``dag.test()`` in a child process. For a
full sync and then a delta after changing 1% of the quantities it prints wall time, NetSuite and
Magento calls, bytes, the child's peak RSS, and the ratio of wall time to the API floor
(calls × latency ÷ allowed concurrency, per system, the larger of the two). It also measures a
sample of the naive way (one record GET per item, as a SuiteTalk-style integration would) and
projects it to all SKUs.

The flow reads by its watermark (``mns_watermark`` in the bench's fresh ``mns_store``): the full run
(Param ``mode=full``) reads every item and moves the cursor to its safe upper bound; the delta run
reads the items changed after that cursor, i.e. the 1% changed in between. The environment comes
from ``bench.orders._airflow_env``: safe lag 0, NetSuite tasks with 5 pool slots (the account limit
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

from bench.orders import _airflow, _airflow_env, _serve

ROOT = Path(__file__).resolve().parents[1]
SKUS = int(os.environ.get("MNS_BENCH_SKUS", "50000"))
LOCATIONS = 3
LATENCY_MS = 50
NETSUITE_LIMIT = 5
MAGENTO_LIMIT = 16
NAIVE_SAMPLE = 200
DAG_ID = "netsuite_inventory_to_magento"


def _run_dag_child() -> None:
    """In the child: one ``dag.test()`` (mode from ``MNS_BENCH_MODE``); prints timings and peak RSS."""
    import resource

    from airflow.dag_processing.dagbag import DagBag

    dag = DagBag(dag_folder=str(ROOT / "dags" / f"{DAG_ID}.py")).get_dag(DAG_ID)
    dag.deadline = None  # dag.test() cannot resolve deadline alerts of an unserialized DAG (3.3.2)
    logical_date = datetime.fromisoformat(os.environ["MNS_BENCH_LOGICAL_DATE"])
    started = time.monotonic()
    dagrun = dag.test(logical_date=logical_date, run_conf={"mode": os.environ["MNS_BENCH_MODE"]})
    elapsed = time.monotonic() - started
    tasks: dict[str, float] = {}
    for ti in dagrun.get_task_instances():
        if ti.start_date and ti.end_date:
            tasks[ti.task_id] = tasks.get(ti.task_id, 0.0) + (ti.end_date - ti.start_date).total_seconds()
    summary = next((ti for ti in dagrun.get_task_instances() if ti.task_id == "summarize"), None)
    result = {
        "state": str(dagrun.state),
        "elapsed": elapsed,
        "tasks": tasks,
        "summary": summary.xcom_pull(task_ids="summarize") if summary else None,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    print("BENCH-RESULT " + json.dumps(result, default=str))


def _naive_child() -> None:
    """In the child: ``NAIVE_SAMPLE`` record GETs of inventory items, 5 at a time; prints seconds."""
    from concurrent.futures import ThreadPoolExecutor

    from magento_netsuite.connectors.netsuite import NetSuiteHook

    hook = NetSuiteHook()
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=NETSUITE_LIMIT) as pool:
        list(pool.map(lambda i: hook.get_record("inventoryItem", str(1001 + i)), range(NAIVE_SAMPLE)))
    print("BENCH-RESULT " + json.dumps({"seconds": time.monotonic() - started}))


def _child(env: dict[str, str], function: str) -> dict[str, Any]:
    out = _airflow(env, "-c", f"from bench.inventory import {function}; {function}()")
    line = next(ln for ln in out.stdout.splitlines() if ln.startswith("BENCH-RESULT "))
    return json.loads(line.removeprefix("BENCH-RESULT "))


def _metrics(http: httpx.Client, url: str) -> dict[str, Any]:
    return http.get(f"{url}/_sandbox/metrics").json()


def _reset(http: httpx.Client, *urls: str) -> None:
    for url in urls:
        http.post(f"{url}/_sandbox/metrics/reset").raise_for_status()


def main() -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    seed = {
        "skus": SKUS,
        "locations": LOCATIONS,
        "customers": 1,
        "orders": 0,
        "now": (now - timedelta(hours=1)).isoformat(),
    }
    magento_proc, magento = _serve("magento")
    netsuite_proc, netsuite = _serve("netsuite")
    results: dict[str, Any] = {}
    try:
        with httpx.Client(timeout=600) as http, tempfile.TemporaryDirectory(prefix="mns-bench-inventory-") as tmp:
            for url in (magento, netsuite):
                http.post(f"{url}/_sandbox/seed", json=seed).raise_for_status()
            env = _airflow_env(Path(tmp), magento, netsuite, now)
            from magento_netsuite.sandbox import credentials

            env["AIRFLOW_CONN_MAGENTO_DEFAULT"] = credentials.magento_connection(magento, concurrency=MAGENTO_LIMIT)
            _airflow(env, "-m", "airflow", "db", "migrate")
            _airflow(env, "-m", "airflow", "pools", "set", "netsuite_api", str(NETSUITE_LIMIT), "NetSuite API share")
            for url in (magento, netsuite):
                http.post(f"{url}/_sandbox/config", json={"latency_ms": LATENCY_MS}).raise_for_status()
            http.post(f"{netsuite}/_sandbox/config", json={"concurrency_limit": NETSUITE_LIMIT}).raise_for_status()

            for mode, minutes in (("full", 15), ("delta", 30)):
                if mode == "delta":
                    rng = random.Random(1)
                    changed = rng.sample(range(SKUS), max(1, SKUS // 100))
                    changes = [
                        {"sku": f"SKU-{n + 1:06d}", "location_id": str(rng.randint(1, LOCATIONS)), "on_hand": 777}
                        for n in changed
                    ]
                    http.post(f"{netsuite}/_sandbox/inventory", json=changes).raise_for_status()
                    results["changed"] = len(changes)
                _reset(http, magento, netsuite)
                run_env = {
                    **env,
                    "MNS_BENCH_MODE": mode,
                    "MNS_BENCH_LOGICAL_DATE": (now + timedelta(minutes=minutes)).isoformat(),
                }
                result = _child(run_env, "_run_dag_child")
                result["netsuite"] = _metrics(http, netsuite)
                result["magento"] = _metrics(http, magento)
                results[mode] = result
            _reset(http, netsuite)
            results["naive"] = _child(env, "_naive_child")
    finally:
        for proc in (magento_proc, netsuite_proc):
            proc.terminate()
            proc.wait(timeout=30)
    _report(results)


def _floor(calls: int, limit: int) -> float:
    return calls * LATENCY_MS / 1000 / limit


def _report(results: dict[str, Any]) -> None:
    print(
        f"SKUs: {SKUS} x {LOCATIONS} locations; latency {LATENCY_MS} ms; "
        f"NetSuite limit {NETSUITE_LIMIT}, Magento {MAGENTO_LIMIT}"
    )
    for mode in ("full", "delta"):
        r = results[mode]
        ns, mg = r["netsuite"]["totals"], r["magento"]["totals"]
        floor = max(_floor(ns["calls"], NETSUITE_LIMIT), _floor(mg["calls"], MAGENTO_LIMIT))
        summary = r["summary"] or {}
        counts = {k: summary.get(k) for k in ("extracted", "loaded", "unchanged", "quarantined")}
        extra = summary.get("extra") or {}
        zeroed = (extra.get("side") or {}).get("zeroed") or {}
        window = extra.get("window") or {}
        print(
            f"\n[{mode}] run {r['state']}; {json.dumps(counts)}; zeroed {json.dumps(zeroed)}; "
            f"unknown SKUs {extra.get('unknown_sku_count')}"
        )
        print(
            f"  read: {extra.get('mode')} ({extra.get('origin')}) {window.get('since')} .. {window.get('until')}; "
            f"cursor moved {(extra.get('cursor') or {}).get('moved')}"
        )
        print(
            f"  wall time (dag.test): {r['elapsed']:.1f} s; tasks: "
            + ", ".join(f"{k}={v:.1f}" for k, v in r["tasks"].items())
        )
        work = extra.get("work_seconds") or {}
        busy = sum(v or 0 for v in work.values())
        print(
            f"  sync work inside the tasks: {busy:.1f} s ({json.dumps(work)}); "
            f"work / floor: {busy / max(floor, 1e-9):.1f}"
        )
        print(f"  NetSuite calls: {ns['calls']}; bytes {json.dumps({k: v for k, v in ns.items() if 'bytes' in k})}")
        print(f"  Magento calls: {mg['calls']}; bytes {json.dumps({k: v for k, v in mg.items() if 'bytes' in k})}")
        for name, e in sorted(r["magento"]["endpoints"].items()):
            print(f"    {e['calls']:6d}  magento {name}")
        for name, e in sorted(r["netsuite"]["endpoints"].items()):
            print(f"    {e['calls']:6d}  netsuite {name}")
        print(f"  peak RSS (child): {r['peak_rss_mb']:.0f} MB")
        print(f"  API floor: {floor:.2f} s; dag.test wall / floor: {r['elapsed'] / max(floor, 1e-9):.1f}")
        if mode == "delta":
            writes = sum(
                e["calls"] for n, e in r["magento"]["endpoints"].items() if "POST" in n and "source-items" in n
            )
            bound = math.ceil(1.05 * results["changed"] / 500)
            print(f"  changed items: {results['changed']}; Magento writes: {writes} (target <= {bound})")
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
