"""Fulfilments flow throughput: 2,000 NetSuite item fulfilments through ``netsuite_fulfilments_to_magento``.

1,000 Magento orders of two lines each; in NetSuite each has its sales order (externalId = the
increment id, as the orders flow writes it) and two fulfilments (one per line: two partial
shipments per order, one tracking number each). Each sandbox runs in its own process (like two
separate real systems) with 50 ms latency on every API call and the NetSuite account concurrency
limit at 5; the DAG runs with ``dag.test()`` in a child process with its own temporary
``AIRFLOW_HOME``. The NetSuite task (extract) takes ``MNS_NETSUITE_REQUEST_SLOTS`` = 5 pool slots, the
whole share; the Magento hook may run 16 requests at once (connection extra ``concurrency``).

Printed: the run's summary (every fulfilment shipped once), NetSuite and Magento calls per
fulfilment (every call each sandbox served, by endpoint), task seconds, fulfilments/s end to end and
of the extract (NetSuite) and load (Magento) phases, and the Magento shipments created. A second run
right after (nothing changed) shows a rerun's cost and that it ships nothing.

``python -m bench fulfilments`` (or ``make bench``); ``MNS_BENCH_FULFILMENTS`` changes the count (even).
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from magento_netsuite.flows.fulfilments.constants import DAG_ID, FLOW

ROOT = Path(__file__).resolve().parents[1]
FULFILMENTS = int(os.environ.get("MNS_BENCH_FULFILMENTS", "2000"))
ORDERS = max(1, FULFILMENTS // 2)
LATENCY_MS = 50
LIMIT = 5
MAGENTO_CONCURRENCY = 16


def _serve(which: str) -> tuple[subprocess.Popen, str]:
    """One sandbox in its own process; returns it and its URL."""
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'plugins'}{os.pathsep}{ROOT}"}
    command = [sys.executable, "-m", "magento_netsuite.sandbox", "serve", "--only", which]
    command += ["--magento-port", "0", "--netsuite-port", "0", "--orders", "0", "--customers", "20", "--skus", "200"]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 120
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        match = re.match(r"(Magento|NetSuite) sandbox:\s+(http://[\d.]+:\d+)", line)
        if match:
            return proc, match.group(2)
    proc.kill()
    raise RuntimeError(f"the {which} sandbox did not start")


def _data(now: datetime) -> tuple[dict[str, Any], list[dict], list[dict], dict[str, int]]:
    """Seed config, ``ORDERS`` two-line Magento orders, their NetSuite sales orders, and SKU → item id."""
    from magento_netsuite.sandbox.datagen import SeedConfig, generate

    config = SeedConfig(
        skus=200,
        customers=20,
        orders=1,
        unknown_sku_share=0.0,
        unknown_customer_share=0.0,
        missing_postcode_share=0.0,
        configurable_share=0.0,
        bundle_share=0.0,
        guest_share=0.0,
        now=now,
    )
    dataset = generate(config)
    item_ids = {item.sku: item.internal_id for item in dataset.items}
    skus = [item.sku for item in dataset.items if not item.isinactive]
    template = dataset.orders[0]
    orders, sales_orders = [], []
    for n in range(ORDERS):
        lines = []
        for j in range(2):
            line = copy.deepcopy(template["items"][0])
            line.update(item_id=2 * n + j + 1, sku=skus[(2 * n + j) % len(skus)], qty_ordered=2, qty_shipped=0)
            line.pop("parent_item_id", None)
            line["product_type"] = "simple"
            lines.append(line)
        increment_id = f"{n + 1:09d}"
        orders.append({**template, "entity_id": n + 1, "increment_id": increment_id, "items": lines})
        sales_orders.append(
            {
                "id": str(10_000 + n),
                "externalId": increment_id,
                "entity": {"id": "2001"},
                "item": {
                    "items": [
                        {"line": k + 1, "item": {"id": str(item_ids[ln["sku"]])}, "quantity": 2.0, "rate": 1.0}
                        for k, ln in enumerate(lines)
                    ]
                },
            }
        )
    seed = {k: v for k, v in config.__dict__.items() if k != "now"} | {"orders": 0, "now": now.isoformat()}
    return seed, orders, sales_orders, item_ids


def _fulfilments(sales_orders: list[dict]) -> list[dict]:
    return [
        {
            "createdFrom": {"id": so["id"]},
            "shipStatus": {"id": "C"},
            "shipMethod": {"id": "104", "refName": "UPS Ground"},
            "item": {
                "items": [{"orderLine": line["line"], "item": line["item"], "quantity": 2.0, "location": {"id": "1"}}]
            },
            "package": {"items": [{"packageTrackingNumber": f"1Z{so['id']}{line['line']}"}]},
        }
        for so in sales_orders
        for line in so["item"]["items"]
    ]


def _run_dag_child() -> None:
    """In the child process: two ``dag.test()`` runs (the second finds nothing new); timings as JSON."""
    from airflow.dag_processing.dagbag import DagBag

    dag = DagBag(dag_folder=str(ROOT / "dags" / "netsuite_fulfilments_to_magento.py")).get_dag(DAG_ID)
    urls = {"NetSuite": os.environ["MNS_BENCH_NETSUITE_URL"], "Magento": os.environ["MNS_BENCH_MAGENTO_URL"]}
    results = []
    for _ in range(2):
        for url in urls.values():
            httpx.post(f"{url}/_sandbox/metrics/reset", timeout=30).raise_for_status()
        started = time.monotonic()
        dagrun = dag.test(run_conf={"since": None})
        elapsed = time.monotonic() - started
        tis = dagrun.get_task_instances()
        summary = next((ti for ti in tis if ti.task_id == "summarize"), None)
        results.append(
            {
                "state": str(dagrun.state),
                "elapsed": elapsed,
                "tasks": {
                    ti.task_id: (ti.end_date - ti.start_date).total_seconds()
                    for ti in tis
                    if ti.start_date and ti.end_date
                },
                "summary": summary.xcom_pull(task_ids="summarize") if summary else None,
                "metrics": {
                    name: httpx.get(f"{url}/_sandbox/metrics", timeout=30).json() for name, url in urls.items()
                },
            }
        )
        print("BENCH-RESULT " + json.dumps(results[-1], default=str), flush=True)


def _airflow_env(home: Path, magento: str, netsuite: str) -> dict[str, str]:
    from magento_netsuite.sandbox import credentials

    return {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
        "PYTHONPATH": f"{ROOT / 'plugins'}{os.pathsep}{ROOT}",
        "AIRFLOW_CONN_MAGENTO_DEFAULT": credentials.magento_connection(magento, concurrency=MAGENTO_CONCURRENCY),
        "AIRFLOW_CONN_NETSUITE_DEFAULT": credentials.netsuite_connection(netsuite, concurrency=LIMIT),
        "AIRFLOW_CONN_MNS_STORE": json.dumps({"conn_type": "sqlite", "host": str(home / "mns_store.db")}),
        # read every fulfilment made up to the run's start, in one run
        f"MNS_{FLOW.upper()}_SAFE_LAG_SECONDS": "0",
        f"MNS_{FLOW.upper()}_MAX_RECORDS": str(max(FULFILMENTS + ORDERS, 5000)),
        "MNS_NETSUITE_REQUEST_SLOTS": str(LIMIT),
        "MNS_STAGING_URL": f"file://{home / 'staging'}",
        "MNS_BENCH_MAGENTO_URL": magento,
        "MNS_BENCH_NETSUITE_URL": netsuite,
    }


def _airflow(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def main() -> None:
    seed, orders, sales_orders, _ = _data(datetime.now(UTC).replace(microsecond=0))
    magento_proc, magento = _serve("magento")
    netsuite_proc, netsuite = _serve("netsuite")
    try:
        with httpx.Client(timeout=600) as http, tempfile.TemporaryDirectory(prefix="mns-bench-fulfilments-") as tmp:
            for url in (magento, netsuite):
                http.post(f"{url}/_sandbox/seed", json=seed).raise_for_status()
            http.post(f"{magento}/_sandbox/orders", json=orders).raise_for_status()
            http.post(f"{netsuite}/_sandbox/records/salesOrder", json=sales_orders).raise_for_status()
            http.post(
                f"{netsuite}/_sandbox/records/itemFulfillment", json=_fulfilments(sales_orders)
            ).raise_for_status()
            env = _airflow_env(Path(tmp), magento, netsuite)
            _airflow(env, "-m", "airflow", "db", "migrate")
            _airflow(env, "-m", "airflow", "pools", "set", "netsuite_api", str(LIMIT), "NetSuite API share")
            for url in (magento, netsuite):
                http.post(f"{url}/_sandbox/config", json={"latency_ms": LATENCY_MS}).raise_for_status()
            http.post(f"{netsuite}/_sandbox/config", json={"concurrency_limit": LIMIT}).raise_for_status()
            time.sleep(1.2)  # the run reads changes before its start second: let the last one be in the past
            child = _airflow(env, "-c", "from bench.fulfilments import _run_dag_child; _run_dag_child()")
            results = [
                json.loads(ln.removeprefix("BENCH-RESULT "))
                for ln in child.stdout.splitlines()
                if ln.startswith("BENCH-RESULT ")
            ]
            shipments = http.get(f"{magento}/_sandbox/state").json()["counts"]["shipments"]
    finally:
        for proc in (magento_proc, netsuite_proc):
            proc.terminate()
            proc.wait(timeout=30)
    _report(results, shipments)


def _report(results: list[dict[str, Any]], shipments: int) -> None:
    first, rerun = results[0], results[1]
    summary = first["summary"] or {}
    print(
        f"fulfilments: {FULFILMENTS} ({ORDERS} orders x 2 partial shipments, 1 tracking number each); latency "
        f"{LATENCY_MS} ms; NetSuite concurrency limit {LIMIT} (extract's pool slots {LIMIT}); "
        f"Magento hook concurrency {MAGENTO_CONCURRENCY}"
    )
    counts = {k: summary.get(k) for k in ("extracted", "loaded", "unchanged", "quarantined")}
    print(f"run 1: {first['state']}; summary: {json.dumps(counts)}; Magento shipments now: {shipments}")
    if summary.get("loaded") != FULFILMENTS or shipments != FULFILMENTS:
        print(f"WARNING: expected {FULFILMENTS} shipments, loaded {summary.get('loaded')}, Magento has {shipments}")
    tasks = first["tasks"]
    print("run 1 task seconds: " + ", ".join(f"{t}={s:.1f}" for t, s in tasks.items()))
    work = (summary.get("extra") or {}).get("work_seconds")
    print(f"run 1 work seconds inside the tasks (no start-up): {json.dumps(work)}")
    for system, data in first["metrics"].items():
        calls = data["totals"]["calls"]
        print(f"{system} calls, run 1: {calls} ({calls / FULFILMENTS:.3f} per fulfilment)")
        for name, endpoint in sorted(data["endpoints"].items()):
            print(f"  {endpoint['calls']:6d}  {name}")
    print(
        f"fulfilments/s end to end (dag.test, five tasks): {FULFILMENTS / first['elapsed']:.1f} "
        f"({first['elapsed']:.1f} s)"
    )
    print(f"fulfilments/s NetSuite phase (extract): {FULFILMENTS / tasks['extract']:.1f}")
    print(f"fulfilments/s Magento phase (transform + load): {FULFILMENTS / (tasks['transform'] + tasks['load']):.1f}")
    again = rerun["summary"] or {}
    print(
        f"run 2 (nothing new): {rerun['state']}, extracted {again.get('extracted')}, loaded {again.get('loaded')}, "
        f"{rerun['elapsed']:.1f} s; calls: "
        + ", ".join(f"{system} {data['totals']['calls']}" for system, data in rerun["metrics"].items())
    )


if __name__ == "__main__":
    main()
