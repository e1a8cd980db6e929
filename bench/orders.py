"""Orders flow throughput: 2,000 orders × 3 lines through ``magento_orders_to_netsuite``.

Each sandbox runs in its own process (like two separate real systems) with 50 ms
latency on every API call and the NetSuite account concurrency limit at 5; the DAG runs with
``dag.test()`` in a child process with its own temporary ``AIRFLOW_HOME``.

The flow reads by its watermark, not by the data interval: the bench's store is fresh, so the run
reads from the initial lookback (one day) up to now minus the safe lag. The seeded orders end a
minute before the run, so the bench sets the safe lag to 0 (``MNS_<FLOW>_SAFE_LAG_SECONDS``) and
``MNS_<FLOW>_MAX_RECORDS`` to at least the order count: the one run reads every order. The NetSuite
tasks take ``MNS_NETSUITE_REQUEST_SLOTS`` = the account limit (5) pool slots, i.e. the whole share,
so the run may use the limit the ceiling is computed from (the kit's default is 2 slots a task;
``MNS_BENCH_REQUEST_SLOTS`` sets another number). Printed:

* orders/s of the NetSuite phase (``transform`` + ``load``: every NetSuite call of the run) and end to end;
* NetSuite calls per order (all record and SuiteQL calls the sandbox served);
* the ratio of the achieved NetSuite-phase rate to the concurrency-bound ceiling
  ``limit ÷ latency ÷ calls-per-order`` (targets: ratio ≥ 0.7, ≤ 1.2 calls per order for known customers).

``python -m bench orders`` (or ``make bench``); ``MNS_BENCH_ORDERS`` changes the order count.
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
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from magento_netsuite.flows.inventory.constants import FLOW as INVENTORY_FLOW
from magento_netsuite.flows.orders.constants import FLOW as ORDERS_FLOW

ROOT = Path(__file__).resolve().parents[1]
ORDERS = int(os.environ.get("MNS_BENCH_ORDERS", "2000"))
LINES = 3
LATENCY_MS = 50
LIMIT = 5
REQUEST_SLOTS = os.environ.get("MNS_BENCH_REQUEST_SLOTS", str(LIMIT))


def _serve(which: str) -> tuple[subprocess.Popen, str]:
    """One sandbox in its own process (like a real, separate system); returns it and its URL."""
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'plugins'}{os.pathsep}{ROOT}"}
    command = [sys.executable, "-m", "magento_netsuite.sandbox", "serve", "--only", which]
    command += ["--magento-port", "0", "--netsuite-port", "0", "--orders", "0", "--customers", "50", "--skus", "200"]
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


def _orders(now: datetime) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Seed config for both sandboxes, and ``ORDERS`` Magento orders of known customers with 3 lines each."""
    from magento_netsuite.sandbox.datagen import SeedConfig, generate

    config = SeedConfig(
        skus=200,
        customers=50,
        orders=ORDERS,
        unknown_sku_share=0.0,
        unknown_customer_share=0.0,
        missing_postcode_share=0.0,
        configurable_share=0.0,
        bundle_share=0.0,
        guest_share=0.0,
        now=now,
    )
    dataset = generate(config)
    skus = [item.sku for item in dataset.items if not item.isinactive]
    next_item_id = 1
    orders = []
    for n, order in enumerate(dataset.orders):
        template = order["items"][0]
        lines = []
        for j in range(LINES):
            line = copy.deepcopy(template)
            line.update(item_id=next_item_id, quote_item_id=next_item_id, sku=skus[(n * LINES + j) % len(skus)])
            next_item_id += 1
            lines.append(line)
        order = {**order, "items": lines}
        # the totals follow the new lines, so NetSuite's total agrees with the grand total (the flow checks)
        subtotal = round(sum(float(line["price"]) * float(line["qty_ordered"]) for line in lines), 2)
        discount = -round(subtotal * 0.1, 2) if order["discount_amount"] else 0
        extras = discount + float(order["shipping_amount"]) + float(order["tax_amount"])
        order.update(subtotal=subtotal, discount_amount=discount, grand_total=round(subtotal + extras, 2))
        order["base_subtotal"], order["base_discount_amount"] = subtotal, discount
        order["extension_attributes"] = copy.deepcopy(order["extension_attributes"])
        order["extension_attributes"]["shipping_assignments"][0]["items"] = lines
        orders.append(order)
    seed = {k: v for k, v in config.__dict__.items() if k != "now"} | {"orders": 0, "now": now.isoformat()}
    return seed, orders


def _run_dag_child() -> None:
    """In the child process: one ``dag.test()`` of the orders DAG; prints its timings as JSON."""
    from airflow.dag_processing.dagbag import DagBag

    dag = DagBag(dag_folder=str(ROOT / "dags" / "magento_orders_to_netsuite.py")).get_dag("magento_orders_to_netsuite")
    logical_date = datetime.fromisoformat(os.environ["MNS_BENCH_LOGICAL_DATE"])
    started = time.monotonic()
    dagrun = dag.test(logical_date=logical_date)
    elapsed = time.monotonic() - started
    tasks = {
        ti.task_id: {"state": str(ti.state), "seconds": (ti.end_date - ti.start_date).total_seconds()}
        for ti in dagrun.get_task_instances()
        if ti.start_date and ti.end_date
    }
    summary = next((ti for ti in dagrun.get_task_instances() if ti.task_id == "summarize"), None)
    print(
        "BENCH-RESULT "
        + json.dumps(
            {
                "state": str(dagrun.state),
                "elapsed": elapsed,
                "tasks": tasks,
                "summary": summary.xcom_pull(task_ids="summarize") if summary else None,
            },
            default=str,
        )
    )


def _airflow_env(home: Path, magento: str, netsuite: str, logical_date: datetime) -> dict[str, str]:
    from magento_netsuite.sandbox import credentials

    return {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
        "PYTHONPATH": f"{ROOT / 'plugins'}{os.pathsep}{ROOT}",
        "AIRFLOW_CONN_MAGENTO_DEFAULT": credentials.magento_connection(magento, concurrency=16),
        "AIRFLOW_CONN_NETSUITE_DEFAULT": credentials.netsuite_connection(netsuite, concurrency=LIMIT),
        "AIRFLOW_CONN_MNS_STORE": json.dumps({"conn_type": "sqlite", "host": str(home / "mns_store.db")}),
        # read what was seeded up to the run's start, all of it in one run (see the module docstring)
        f"MNS_{ORDERS_FLOW.upper()}_SAFE_LAG_SECONDS": "0",
        f"MNS_{ORDERS_FLOW.upper()}_MAX_RECORDS": str(max(ORDERS, 5000)),
        f"MNS_{INVENTORY_FLOW.upper()}_SAFE_LAG_SECONDS": "0",
        "MNS_INVENTORY_FRESHNESS_DEADLINE": "off",
        "MNS_NETSUITE_REQUEST_SLOTS": REQUEST_SLOTS,
        "MNS_STAGING_URL": f"file://{home / 'staging'}",
        "MNS_BENCH_LOGICAL_DATE": logical_date.isoformat(),
    }


def _airflow(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def main() -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    seed, orders = _orders(now - timedelta(minutes=1))
    logical_date = now.replace(minute=now.minute - now.minute % 5, second=0) + timedelta(minutes=15)
    magento_proc, magento = _serve("magento")
    netsuite_proc, netsuite = _serve("netsuite")
    try:
        with httpx.Client(timeout=300) as http, tempfile.TemporaryDirectory(prefix="mns-bench-orders-") as tmp:
            for url in (magento, netsuite):
                http.post(f"{url}/_sandbox/seed", json=seed).raise_for_status()
            http.post(f"{magento}/_sandbox/orders", json=orders).raise_for_status()
            env = _airflow_env(Path(tmp), magento, netsuite, logical_date)
            _airflow(env, "-m", "airflow", "db", "migrate")
            _airflow(env, "-m", "airflow", "pools", "set", "netsuite_api", str(LIMIT), "NetSuite API share")
            for url in (magento, netsuite):
                http.post(f"{url}/_sandbox/config", json={"latency_ms": LATENCY_MS}).raise_for_status()
                http.post(f"{url}/_sandbox/metrics/reset").raise_for_status()
            http.post(f"{netsuite}/_sandbox/config", json={"concurrency_limit": LIMIT}).raise_for_status()
            # a OneWorld account (subsidiary required), as the flow tests run against
            http.post(f"{netsuite}/_sandbox/config", json={"oneworld": True}).raise_for_status()
            child = _airflow(env, "-c", "from bench.orders import _run_dag_child; _run_dag_child()")
            line = next(ln for ln in child.stdout.splitlines() if ln.startswith("BENCH-RESULT "))
            result = json.loads(line.removeprefix("BENCH-RESULT "))
            metrics = http.get(f"{netsuite}/_sandbox/metrics").json()
            state = http.get(f"{netsuite}/_sandbox/state").json()
    finally:
        for proc in (magento_proc, netsuite_proc):
            proc.terminate()
            proc.wait(timeout=30)
    _report(result, metrics, state)


def _report(result: dict[str, Any], metrics: dict[str, Any], state: dict[str, Any]) -> None:
    summary = result["summary"] or {}
    tasks = result["tasks"]
    calls = metrics["totals"]["calls"]
    netsuite_seconds = tasks["transform"]["seconds"] + tasks["load"]["seconds"]
    rate = ORDERS / netsuite_seconds
    end_to_end = ORDERS / result["elapsed"]
    calls_per_order = calls / ORDERS
    ceiling = LIMIT / (LATENCY_MS / 1000) / calls_per_order
    print(
        f"orders: {ORDERS} x {LINES} lines; latency {LATENCY_MS} ms; NetSuite concurrency limit {LIMIT}; "
        f"pool slots (parallel requests) per NetSuite task {REQUEST_SLOTS}"
    )
    counts = {k: summary.get(k) for k in ("extracted", "loaded", "unchanged", "quarantined")}
    print(f"run: {result['state']}; summary: {json.dumps(counts)}")
    extra = summary.get("extra") or {}
    window = extra.get("window") or {}
    print(
        f"read: {extra.get('origin')} window {window.get('since')} .. {window.get('until')}; "
        f"truncated {extra.get('truncated')}; cursor moved {(extra.get('cursor') or {}).get('moved')}; "
        f"write-back {json.dumps(extra.get('write_back'))}"
    )
    if summary.get("extracted") != ORDERS:
        print(f"WARNING: the run read {summary.get('extracted')} of the {ORDERS} seeded orders")
    print("task seconds: " + ", ".join(f"{t}={v['seconds']:.1f}" for t, v in tasks.items()))
    print(f"NetSuite sales orders: {state['counts']['salesOrders']}; concurrency: {state['concurrency']}")
    print(f"NetSuite calls: {calls} ({calls_per_order:.3f} per order; target <= 1.2)")
    for name, endpoint in sorted(metrics["endpoints"].items()):
        print(f"  {endpoint['calls']:6d}  {name}")
    _report_total_check(summary, calls)
    print(f"orders/s, NetSuite phase (transform + load): {rate:.1f}")
    print(f"orders/s, end to end (dag.test, all six tasks): {end_to_end:.1f}")
    print(f"ceiling = {LIMIT} / {LATENCY_MS / 1000} s / {calls_per_order:.3f} = {ceiling:.1f} orders/s")
    print(f"ratio achieved / ceiling: {rate / ceiling:.2f} (target >= 0.7)")
    work = extra.get("work_seconds") or {}
    busy = (work.get("transform") or 0) + (work.get("load") or 0)
    if busy:
        print(
            f"  inside the tasks (work_seconds {json.dumps(work)}, no task start-up): transform + load "
            f"{busy:.1f} s = {ORDERS / busy:.1f} orders/s, ratio {ORDERS / busy / ceiling:.2f}"
        )


def _report_total_check(summary: dict[str, Any], calls: int) -> None:
    """The extra cost of comparing NetSuite's totals with Magento's grand totals after the creates: the
    orders that were there bring their total with the existence check (no call); the created ones are
    read back with one SuiteQL query per 1,000 (flows/orders/load.py ``check_totals``)."""
    created = summary.get("loaded") or 0
    queries = -(-created // 1000)
    print(
        f"total check: {queries} SuiteQL call(s) for {created} created order(s) = "
        f"+{queries / max(ORDERS, 1):.4f} calls per order ({queries / max(calls, 1):.1%} of the run's NetSuite calls); "
        f"quarantined (a total mismatch among them): {summary.get('quarantined')}"
    )


if __name__ == "__main__":
    main()
