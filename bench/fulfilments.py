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
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench import harness
from magento_netsuite.flows.fulfilments.constants import DAG_ID, FLOW

FULFILMENTS = int(os.environ.get("MNS_BENCH_FULFILMENTS", "2000"))
ORDERS = max(1, FULFILMENTS // 2)
LATENCY_MS = 50
LIMIT = 5
MAGENTO_CONCURRENCY = 16


def _data(now: datetime) -> tuple[dict[str, Any], list[dict], list[dict], dict[str, int]]:
    """Seed config, ``ORDERS`` two-line Magento orders, their NetSuite sales orders, and SKU → item id."""
    from magento_netsuite.sandbox.datagen import generate

    config = harness.seed_config(now, skus=200, customers=20, orders=1)
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
    return harness.seed_payload(config), orders, sales_orders, item_ids


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
    dag = harness.load_dag(DAG_ID)
    urls = {"NetSuite": os.environ["MNS_BENCH_NETSUITE_URL"], "Magento": os.environ["MNS_BENCH_MAGENTO_URL"]}
    with httpx.Client(timeout=30) as http:
        for _ in range(2):
            harness.reset(http, *urls.values())
            result = harness.dag_test(dag, run_conf={"since": None})
            result["metrics"] = {name: harness.metrics(http, url) for name, url in urls.items()}
            harness.emit(result)


def _airflow_env(home: Path, magento: str, netsuite: str) -> dict[str, str]:
    """The child's environment: every fulfilment made up to the run's start, read in one run."""
    settings = {
        **harness.watermark_settings(FLOW, max_records=max(FULFILMENTS + ORDERS, 5000)),
        "MNS_BENCH_MAGENTO_URL": magento,
        "MNS_BENCH_NETSUITE_URL": netsuite,
    }
    return harness.airflow_env(
        home,
        magento,
        netsuite,
        magento_concurrency=MAGENTO_CONCURRENCY,
        netsuite_concurrency=LIMIT,
        request_slots=LIMIT,
        settings=settings,
    )


def main() -> None:
    seed, orders, sales_orders, _ = _data(datetime.now(UTC).replace(microsecond=0))
    with (
        harness.sandboxes(customers=20, skus=200) as (magento, netsuite),
        httpx.Client(timeout=600) as http,
        tempfile.TemporaryDirectory(prefix="mns-bench-fulfilments-") as tmp,
    ):
        harness.seed(http, seed, magento, netsuite)
        http.post(f"{magento}/_sandbox/orders", json=orders).raise_for_status()
        http.post(f"{netsuite}/_sandbox/records/salesOrder", json=sales_orders).raise_for_status()
        http.post(f"{netsuite}/_sandbox/records/itemFulfillment", json=_fulfilments(sales_orders)).raise_for_status()
        env = _airflow_env(Path(tmp), magento, netsuite)
        harness.prepare_airflow(env, LIMIT)
        harness.configure(http, magento, netsuite, latency_ms=LATENCY_MS, netsuite_limit=LIMIT)
        time.sleep(1.2)  # the run reads changes before its start second: let the last one be in the past
        results = harness.child(env, "fulfilments", "_run_dag_child")
        shipments = http.get(f"{magento}/_sandbox/state").json()["counts"]["shipments"]
    _report(results, shipments)


def _report(results: list[dict[str, Any]], shipments: int) -> None:
    first, rerun = results[0], results[1]
    summary = first["summary"] or {}
    print(
        f"fulfilments: {FULFILMENTS} ({ORDERS} orders x 2 partial shipments, 1 tracking number each); latency "
        f"{LATENCY_MS} ms; NetSuite concurrency limit {LIMIT} (extract's pool slots {LIMIT}); "
        f"Magento hook concurrency {MAGENTO_CONCURRENCY}"
    )
    counts = harness.counts(summary)
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
