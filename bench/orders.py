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
  ``limit ÷ latency ÷ calls-per-order`` (targets: ratio ≥ 0.85, ≤ 1.2 calls per order for known customers);
* CPU seconds of the run: the client's (the Airflow child, where the tasks run) and each sandbox's own,
  read from ``/proc`` around the run, so the client's share is visible on a shared machine.

``python -m bench orders`` (or ``make bench``); ``MNS_BENCH_ORDERS`` changes the order count.
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from bench import harness
from magento_netsuite.flows.inventory.constants import FLOW as INVENTORY_FLOW
from magento_netsuite.flows.orders.constants import FLOW as ORDERS_FLOW

ORDERS = int(os.environ.get("MNS_BENCH_ORDERS", "2000"))
LINES = 3
LATENCY_MS = 50
LIMIT = 5
REQUEST_SLOTS = harness.REQUEST_SLOTS
TARGET_RATIO = 0.85
MAX_CALLS_PER_ORDER = 1.2
DAG_ID = "magento_orders_to_netsuite"


def _orders(now: datetime) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Seed config for both sandboxes, and ``ORDERS`` Magento orders of known customers with 3 lines each."""
    from magento_netsuite.sandbox.datagen import generate

    config = harness.seed_config(now, skus=200, customers=50, orders=ORDERS)
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
    return harness.seed_payload(config), orders


def _run_dag_child() -> None:
    """In the child process: one ``dag.test()`` of the orders DAG; prints its timings as JSON."""
    dag = harness.load_dag(DAG_ID)
    harness.emit(harness.dag_test(dag, logical_date=harness.logical_date_from_env()))


def _airflow_env(home: Path, magento: str, netsuite: str, logical_date: datetime) -> dict[str, str]:
    """The child's environment: read what was seeded, all of it in one run (see the module docstring)."""
    settings = {
        **harness.watermark_settings(ORDERS_FLOW, max_records=max(ORDERS, 5000)),
        **harness.watermark_settings(INVENTORY_FLOW),
        "MNS_INVENTORY_FRESHNESS_DEADLINE": "off",
        "MNS_BENCH_LOGICAL_DATE": logical_date.isoformat(),
    }
    return harness.airflow_env(
        home, magento, netsuite, netsuite_concurrency=LIMIT, request_slots=REQUEST_SLOTS, settings=settings
    )


def main() -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    seed, orders = _orders(now - timedelta(minutes=1))
    logical_date = now.replace(minute=now.minute - now.minute % 5, second=0) + timedelta(minutes=15)
    with (
        harness.sandboxes(customers=50, skus=200) as (magento, netsuite),
        httpx.Client(timeout=300) as http,
        tempfile.TemporaryDirectory(prefix="mns-bench-orders-") as tmp,
    ):
        harness.seed(http, seed, magento, netsuite)
        http.post(f"{magento}/_sandbox/orders", json=orders).raise_for_status()
        env = _airflow_env(Path(tmp), magento, netsuite, logical_date)
        harness.prepare_airflow(env, LIMIT)
        harness.configure(http, magento, netsuite, latency_ms=LATENCY_MS, netsuite_limit=LIMIT)
        harness.reset(http, magento, netsuite)
        # a OneWorld account (subsidiary required), as the flow tests run against
        http.post(f"{netsuite}/_sandbox/config", json={"oneworld": True}).raise_for_status()
        sandbox_pids = {"magento": harness.SANDBOX_PIDS[magento], "netsuite": harness.SANDBOX_PIDS[netsuite]}
        cpu_before = {name: harness.process_cpu_seconds(pid) for name, pid in sandbox_pids.items()}
        result = harness.child(env, "orders", "_run_dag_child")[0]
        result["sandbox_cpu_seconds"] = {
            name: harness.process_cpu_seconds(pid) - cpu_before[name] for name, pid in sandbox_pids.items()
        }
        metrics = harness.metrics(http, netsuite)
        state = http.get(f"{netsuite}/_sandbox/state").json()
    _report(result, metrics, state)


def _report(result: dict[str, Any], metrics: dict[str, Any], state: dict[str, Any]) -> None:
    summary = result["summary"] or {}
    tasks = result["tasks"]
    calls = metrics["totals"]["calls"]
    netsuite_seconds = tasks["transform"] + tasks["load"]
    rate = ORDERS / netsuite_seconds
    end_to_end = ORDERS / result["elapsed"]
    calls_per_order = calls / ORDERS
    ceiling = LIMIT / (LATENCY_MS / 1000) / calls_per_order
    print(
        f"orders: {ORDERS} x {LINES} lines; latency {LATENCY_MS} ms; NetSuite concurrency limit {LIMIT}; "
        f"pool slots (parallel requests) per NetSuite task {REQUEST_SLOTS}"
    )
    print(f"run: {result['state']}; summary: {json.dumps(harness.counts(summary))}")
    extra = summary.get("extra") or {}
    window = extra.get("window") or {}
    print(
        f"read: {extra.get('origin')} window {window.get('since')} .. {window.get('until')}; "
        f"truncated {extra.get('truncated')}; cursor moved {(extra.get('cursor') or {}).get('moved')}; "
        f"write-back {json.dumps(extra.get('write_back'))}"
    )
    if summary.get("extracted") != ORDERS:
        print(f"WARNING: the run read {summary.get('extracted')} of the {ORDERS} seeded orders")
    print("task seconds: " + ", ".join(f"{t}={v:.1f}" for t, v in tasks.items()))
    print(f"NetSuite sales orders: {state['counts']['salesOrders']}; concurrency: {state['concurrency']}")
    print(f"NetSuite calls: {calls} ({calls_per_order:.3f} per order; target <= {MAX_CALLS_PER_ORDER})")
    for name, endpoint in sorted(metrics["endpoints"].items()):
        print(f"  {endpoint['calls']:6d}  {name}")
    _report_total_check(summary, calls)
    print(f"orders/s, NetSuite phase (transform + load): {rate:.1f}")
    print(f"orders/s, end to end (dag.test, all six tasks): {end_to_end:.1f}")
    print(f"ceiling = {LIMIT} / {LATENCY_MS / 1000} s / {calls_per_order:.3f} = {ceiling:.1f} orders/s")
    print(f"ratio achieved / ceiling: {rate / ceiling:.2f} (target >= {TARGET_RATIO})")
    sandbox_cpu = result["sandbox_cpu_seconds"]
    print(
        f"CPU seconds of the run ({result['elapsed']:.1f} s wall): client (Airflow child, the tasks) "
        f"{result['cpu_seconds']:.1f}; NetSuite sandbox {sandbox_cpu['netsuite']:.1f} "
        f"({sandbox_cpu['netsuite'] / max(calls, 1) * 1000:.2f} ms per NetSuite call); "
        f"Magento sandbox {sandbox_cpu['magento']:.1f}"
    )
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
