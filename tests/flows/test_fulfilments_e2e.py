"""End to end: ``netsuite_fulfilments_to_magento`` under ``dag.test()`` against both sandboxes."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from magento_netsuite.connectors.netsuite import NetSuiteHook
from magento_netsuite.flows.fulfilments.constants import DAG_ID, FLOW, SHIPMENT_MARKER
from magento_netsuite.flows.fulfilments.magento_orders import shippable_lines
from magento_netsuite.sandbox.datagen import SeedConfig
from tests.flows.conftest import FlowEnv, KitClock, parsed_dag, utc_now
from tests.flows.fulfilment_support import fulfil, sales_order_for

pytestmark = pytest.mark.airflow
CLEAN = {"unknown_sku_share": 0.0, "unknown_customer_share": 0.0, "missing_postcode_share": 0.0, "guest_share": 0.0}


@pytest.fixture(scope="module")
def fulfilments_dag(airflow_db: Path) -> Any:
    return parsed_dag("netsuite_fulfilments_to_magento.py", DAG_ID)


@pytest.fixture
def env(flow_env: FlowEnv, airflow_db: Path, monkeypatch: pytest.MonkeyPatch) -> FlowEnv:
    monkeypatch.setenv(f"MNS_{FLOW.upper()}_SAFE_LAG_SECONDS", "0")
    return flow_env


def run(dag: Any, env: FlowEnv, since: str | None = None) -> dict[str, Any]:
    """One run that reads every NetSuite change so far (the kit's clock two seconds ahead); it returns
    once a change made next is after the cursor it left."""
    clock = KitClock(env.monkeypatch, utc_now() + timedelta(seconds=2))
    dagrun = dag.test(run_conf={"since": since})
    clock.settle()
    tis = {ti.task_id: ti for ti in dagrun.get_task_instances()}
    assert dagrun.state == "success", {t: ti.state for t, ti in tis.items()}
    return tis["summarize"].xcom_pull(task_ids="summarize")


def shipments(env: FlowEnv, increment_id: str) -> list[dict[str, Any]]:
    return env.magento.get("state", order=increment_id)["shipments"]


def multi_line_orders(dataset: Any, count: int) -> list[dict[str, Any]]:
    found = [o for o in dataset.orders if len(shippable_lines(o)) >= 2 and shippable_lines(o)[0]["qty_ordered"] >= 2]
    assert len(found) >= count, "the seed has too few orders with two lines"
    return found[:count]


def store():
    from magento_netsuite.errorqueue.store import ErrorQueueStore

    return ErrorQueueStore.from_connection()


def test_shipments_partials_cancellations_closures_and_quarantine_once(fulfilments_dag, env: FlowEnv) -> None:
    dataset = env.seed(SeedConfig(skus=30, customers=6, orders=16, seed=11, now=utc_now(), **CLEAN))
    full, partial, closed, over, waits = multi_line_orders(dataset, 5)
    cancelled = next(o for o in dataset.orders if o not in (full, partial, closed, over, waits))
    so = {o["increment_id"]: sales_order_for(env, dataset, o) for o in (full, partial, closed, over, waits, cancelled)}
    lines = {o["increment_id"]: shippable_lines(o) for o in (full, partial, closed, over, waits)}

    # full shipment, two packages; a first partial; a line shipped then the other one closed; too much
    full_lines = [(n, float(line["qty_ordered"])) for n, line in enumerate(lines[full["increment_id"]], start=1)]
    full_if = fulfil(env, so[full["increment_id"]], full_lines, tracking=("1Z001", "1Z002"))
    fulfil(env, so[partial["increment_id"]], [(1, 1.0)], tracking=("1Z100",))
    closed_first = lines[closed["increment_id"]][0]
    fulfil(env, so[closed["increment_id"]], [(1, float(closed_first["qty_ordered"]))], tracking=("1Z200",))
    closed_rest = list(range(2, len(lines[closed["increment_id"]]) + 1))
    env.netsuite.post(f"salesorders/{so[closed['increment_id']]}/close", {"lines": closed_rest})
    too_much = float(lines[over["increment_id"]][0]["qty_ordered"]) + 1
    fulfil(env, so[over["increment_id"]], [(1, too_much)])
    env.netsuite.post(f"salesorders/{so[cancelled['increment_id']]}/cancel")
    # a line closed while another one is still open: nothing to cancel in Magento yet
    other_lines = list(range(2, len(lines[waits["increment_id"]]) + 1))
    env.netsuite.post(f"salesorders/{so[waits['increment_id']]}/close", {"lines": other_lines})
    # a sales order whose externalId names no Magento order, and a fulfilment of it
    stranger = sales_order_for(env, dataset, full, external_id="999999999")
    unknown_if = fulfil(env, stranger, [(1, 1.0)])
    # picked, not shipped yet: not a Magento shipment
    picked = fulfil(env, so[partial["increment_id"]], [(2, 1.0)], ship_status="A")

    summary = run(fulfilments_dag, env)

    assert summary["quarantined"] == 2, summary
    assert summary["loaded"] == 5  # full, first partial, closed-line shipment, its cancellation, cancelled order
    assert summary["extra"]["closures_waiting"] == 1 and summary["extra"]["not_shipped_yet"] == 1
    assert env.magento_order(waits["increment_id"])["state"] == "processing"
    full_shipments = shipments(env, full["increment_id"])
    assert len(full_shipments) == 1
    shipped = full_shipments[0]
    assert sorted((i["order_item_id"], i["qty"]) for i in shipped["items"]) == sorted(
        (line["item_id"], float(line["qty_ordered"])) for line in lines[full["increment_id"]]
    )
    assert [(t["track_number"], t["carrier_code"]) for t in shipped["tracks"]] == [("1Z001", "ups"), ("1Z002", "ups")]
    assert shipped["notify"] is True and shipped["source_code"] == "wh_east"
    comment = shipped["comments"][0]["comment"]
    assert comment.startswith(f"{SHIPMENT_MARKER} IF") and comment.endswith(f"(internal id {full_if})")
    assert [i["qty"] for i in shipments(env, partial["increment_id"])[0]["items"]] == [1.0]
    assert env.magento_order(partial["increment_id"])["state"] == "processing"
    # the closed line: line 1 shipped, the rest of the order cancelled, Magento's state follows
    closed_order = env.magento_order(closed["increment_id"])
    assert closed_order["state"] == "canceled"
    second_item = next(i for i in closed_order["items"] if i["item_id"] == lines[closed["increment_id"]][1]["item_id"])
    assert second_item["qty_canceled"] == second_item["qty_ordered"] and not second_item.get("qty_shipped")
    assert env.magento_order(cancelled["increment_id"])["state"] == "canceled"
    assert shipments(env, cancelled["increment_id"]) == [] and shipments(env, over["increment_id"]) == []
    rows = {r.record_key: r for r in store().open_errors(flow=FLOW)}
    assert rows[f"IF-{unknown_if}"].field_path == "createdFrom" and "999999999" in rows[f"IF-{unknown_if}"].message
    assert "External ID" in rows[f"IF-{unknown_if}"].fix_hint
    over_row = next(r for k, r in rows.items() if k != f"IF-{unknown_if}")
    assert over_row.field_path == "item.items[0].quantity" and "NetSuite" in over_row.fix_hint

    # the second partial shipment; the waiting order's open line ships, so its closed line cancels now
    fulfil(env, so[partial["increment_id"]], [(1, float(lines[partial["increment_id"]][0]["qty_ordered"]) - 1)])
    fulfil(env, so[waits["increment_id"]], [(1, float(lines[waits["increment_id"]][0]["qty_ordered"]))])
    NetSuiteHook().patch_record("itemFulfillment", picked, {"shipStatus": {"id": "C"}})  # the picked one ships
    second = run(fulfilments_dag, env)
    assert second["loaded"] == 4 and second["quarantined"] == 0, second
    assert len(shipments(env, partial["increment_id"])) == 3
    waited = env.magento_order(waits["increment_id"])
    assert waited["state"] == "canceled" and len(shipments(env, waits["increment_id"])) == 1
    closed_item = next(i for i in waited["items"] if i["item_id"] == lines[waits["increment_id"]][1]["item_id"])
    assert closed_item["qty_canceled"] == closed_item["qty_ordered"]
    before = env.magento.get("state")["counts"]["shipments"]

    again = run(fulfilments_dag, env, since=(utc_now() - timedelta(hours=1)).isoformat())

    assert again["loaded"] == 0 and again["quarantined"] == 2 and again["unchanged"] == again["extracted"] - 2
    assert again["extracted"] >= 10  # every fulfilment and closed or cancelled order, read again
    assert env.magento.get("state")["counts"]["shipments"] == before
